//! The Access page: users with their teams and roles, role grants made here, disabling.

use app::api::{AccessView, GrantView, UserView};
use app::domain::access::{Principal, PrincipalId, Role};
use app::domain::format::instant as time;
use app::domain::scorecard::waiver::{end_of_last_day, last_day_of};
use app::error::AppError;
use app::ports::AccessPort;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DatabaseConnection;

use crate::auth::manage;

pub struct AccessPage {
    db: DatabaseConnection,
}

impl AccessPage {
    pub fn new(db: DatabaseConnection) -> Self {
        AccessPage { db }
    }
}

/// The end of a grant whose last day is `day` (`YYYY-MM-DD`): the following midnight, UTC.
fn end_of_day(day: &str) -> Result<DateTime<Utc>, AppError> {
    NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .map(end_of_last_day)
        .map_err(|_| AppError::Invalid(format!("the last day must be a date like 2027-03-31, not '{day}'")))
}

/// When a grant ends, as the page says it: its last day when it ends at midnight (as grants
/// made on the page do), else the instant.
fn grant_end(end: DateTime<Utc>) -> String {
    if end.time() == chrono::NaiveTime::MIN {
        format!("last day {}", last_day_of(end))
    } else {
        format!("until {}", time(end))
    }
}

#[async_trait::async_trait]
impl AccessPort for AccessPage {
    async fn users(&self, admin: Principal) -> Result<AccessView, AppError> {
        let now = crate::clock_now();
        let users = manage::users(&self.db).await.map_err(|e| AppError::internal("listing users", &e))?;
        let users = users
            .into_iter()
            .map(|user| UserView {
                is_viewer: admin.id == PrincipalId::User(user.id),
                id: user.id,
                name: user.name,
                email: user.email,
                last_login_at: time(user.last_login_at),
                disabled: user.disabled_at.map(|at| match &user.disabled_by {
                    Some(by) => format!("{} by {by}", time(at)),
                    None => time(at),
                }),
                teams: user.teams,
                grants: user
                    .grants
                    .into_iter()
                    // The database only holds known roles (checked when granted); anything else
                    // is not a grant this page can show or revoke.
                    .filter_map(|grant| {
                        Some(GrantView {
                            id: grant.id,
                            role: Role::parse(&grant.role)?,
                            by_admin: grant.source == "admin",
                            granted_by: grant.granted_by,
                            granted_at: time(grant.granted_at),
                            expired: grant.expires_at.is_some_and(|at| at <= now),
                            ends: grant.expires_at.map(grant_end),
                        })
                    })
                    .collect(),
            })
            .collect();
        let earliest_day = now.format("%Y-%m-%d").to_string();
        Ok(AccessView { users, earliest_day })
    }

    async fn grant(
        &self,
        admin: Principal,
        user_id: i64,
        role: Role,
        expires_on: Option<String>,
    ) -> Result<(), AppError> {
        // A blank last day (the form's empty field) is no end.
        let expires_at = expires_on.as_deref().filter(|d| !d.trim().is_empty()).map(end_of_day).transpose()?;
        manage::grant_role(&self.db, &admin, user_id, role.as_str(), expires_at, crate::clock_now())
            .await
            .map(|_| ())
            .map_err(AppError::from)
    }

    async fn revoke_grant(&self, admin: Principal, id: i64) -> Result<(), AppError> {
        manage::revoke_grant(&self.db, &admin, id, crate::clock_now()).await.map_err(AppError::from)
    }

    async fn set_disabled(&self, admin: Principal, user_id: i64, disabled: bool) -> Result<(), AppError> {
        manage::set_disabled(&self.db, &admin, user_id, disabled, crate::clock_now()).await.map_err(AppError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_lasts_through_its_last_day() {
        assert_eq!(end_of_day("2027-02-28").unwrap().to_rfc3339(), "2027-03-01T00:00:00+00:00");
        assert!(matches!(end_of_day("28/02/2027"), Err(AppError::Invalid(_))));
    }

    #[test]
    fn a_grant_ending_at_midnight_is_shown_by_its_last_day() {
        assert_eq!(grant_end(end_of_day("2027-02-28").unwrap()), "last day 2027-02-28");
        let noon = DateTime::parse_from_rfc3339("2027-03-01T12:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(grant_end(noon), "until 2027-03-01 12:00 UTC");
    }
}
