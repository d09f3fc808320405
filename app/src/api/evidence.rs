//! The Evidence page's control tests (docs/control-tests.md): each reliability control tested over
//! an audit window, with its deviations. `GET /api/v1/evidence/control-tests` answers the same;
//! packs carry them as control_tests.csv and deviations.csv.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::evidence::control_tests::{ControlStatus, Deviation};
use crate::error::AppError;

/// One control test's result, with its definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlTestView {
    /// e.g. `changes_approved`.
    pub id: String,
    pub title: String,
    /// The SOC 2 / ISO 27001 controls it evidences.
    pub controls: String,
    pub definition: String,
    pub population: u64,
    pub status: ControlStatus,
    /// How many records deviate.
    pub deviation_count: usize,
    /// The deviations (on the page, the first [`PAGE_DEVIATIONS`]; the REST API gives all).
    pub deviations: Vec<Deviation>,
}

/// Deviations per test the page carries; the REST API and the pack's deviations.csv hold all.
pub const PAGE_DEVIATIONS: usize = 100;

/// The longest window control tests run over, in days.
pub const MAX_CONTROL_TEST_DAYS: i64 = 731;

/// The control tests of one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlTestsView {
    /// First and last day, both included, in the reporting time zone.
    pub from: String,
    pub to: String,
    pub time_zone: String,
    pub tests: Vec<ControlTestView>,
}

/// The control tests of `from`..=`to` (days); both omitted means the last closed quarter.
#[server(endpoint = "control_tests")]
pub async fn get_control_tests(from: Option<String>, to: Option<String>) -> Result<ControlTestsView, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Audit, "control tests")?;
    ports.evidence.control_tests(from, to).await
}
