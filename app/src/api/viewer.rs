//! Who is looking, for the page header of every page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Who is looking, for the page header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Viewer {
    pub name: String,
    /// The highest role held, if any.
    pub role: Option<String>,
    /// Local mode: no identity provider, the single local admin.
    pub local_mode: bool,
    /// The server's clock, when it was moved for a demo or test (`PLUMBLINE_CLOCK_AT`).
    pub shifted_clock: Option<String>,
}

#[server(endpoint = "viewer")]
pub async fn get_viewer() -> Result<Option<Viewer>, AppError> {
    use crate::domain::access::PrincipalId;
    let principal = crate::ports::caller();
    let shifted_clock =
        crate::ports::provided().and_then(|ports| ports.shifted_clock).map(|now| crate::domain::format::instant(now()));
    Ok(principal.map(|p| Viewer {
        name: p.name.clone(),
        role: p.primary_role().map(|r| r.as_str().to_owned()),
        local_mode: p.id == PrincipalId::Local,
        shifted_clock,
    }))
}
