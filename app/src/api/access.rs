//! The Access page: admins see users, grant and revoke roles, disable and enable users. The
//! REST API (`/api/v1/users`) does the same through the same code.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::access::Role;
use crate::error::AppError;

/// One role grant as the Access page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrantView {
    pub id: i64,
    pub role: Role,
    /// Granted by an admin here (revocable), not mapped from identity-provider groups.
    pub by_admin: bool,
    pub granted_by: String,
    pub granted_at: String,
    /// `last day 2027-03-31`, or `until <instant>` for a grant ending at another time.
    pub ends: Option<String>,
    pub expired: bool,
}

/// One user on the Access page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub last_login_at: String,
    pub teams: Vec<String>,
    pub grants: Vec<GrantView>,
    /// The viewer themself (who cannot revoke their own admin role).
    pub is_viewer: bool,
    /// When an admin disabled the user, and who, while they are disabled.
    pub disabled: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessView {
    pub users: Vec<UserView>,
    /// Today (UTC): the earliest last day a grant may have.
    pub earliest_day: String,
}

#[server(endpoint = "access_users")]
pub async fn get_access() -> Result<AccessView, AppError> {
    let (admin, ports) = crate::ports::enter(crate::domain::access::Access::Admin, "managing access")?;
    ports.access.users(admin).await
}

/// `expires_on` is a day (`2026-12-31`), the last day the role is held; none: no end.
#[server(endpoint = "grant_role")]
pub async fn grant_role(user_id: i64, role: Role, expires_on: Option<String>) -> Result<(), AppError> {
    let (admin, ports) = crate::ports::enter(crate::domain::access::Access::Admin, "managing access")?;
    ports.access.grant(admin, user_id, role, expires_on).await
}

/// Disabling ends the user's sessions and revokes their tokens; enabling lets them sign in again.
#[server(endpoint = "set_user_disabled")]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<(), AppError> {
    let (admin, ports) = crate::ports::enter(crate::domain::access::Access::Admin, "managing access")?;
    ports.access.set_disabled(admin, user_id, disabled).await
}

#[server(endpoint = "revoke_grant")]
pub async fn revoke_grant(id: i64) -> Result<(), AppError> {
    let (admin, ports) = crate::ports::enter(crate::domain::access::Access::Admin, "managing access")?;
    ports.access.revoke_grant(admin, id).await
}
