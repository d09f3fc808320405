//! A fixed-window rate limit per client address, for the sign-in and token endpoints (brute
//! force and abuse), counted in the database (table `rate_window`) so that every replica on one
//! database counts against the same limit.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};

pub struct RateLimiter {
    /// The limited action (`sign-in`, `token`).
    action: &'static str,
    per_window: u32,
    window: Duration,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("action", &self.action)
            .field("per_window", &self.per_window)
            .field("window", &self.window)
            .finish()
    }
}

impl RateLimiter {
    pub fn new(action: &'static str, per_window: u32, window: Duration) -> Self {
        RateLimiter { action, per_window, window }
    }

    /// The start of the window `now` falls in, as Unix seconds.
    fn window_start(&self, now: DateTime<Utc>) -> i64 {
        let length = i64::try_from(self.window.as_secs()).unwrap_or(60).max(1);
        now.timestamp().div_euclid(length) * length
    }

    /// Counts a request from `client`; `false` when it is over the limit. A database that
    /// cannot count lets the request through (logged): the request will meet the same database.
    pub async fn allow<C: ConnectionTrait>(&self, db: &C, client: IpAddr, now: DateTime<Utc>) -> bool {
        match self.count(db, client, now).await {
            Ok(hits) => hits <= i64::from(self.per_window),
            Err(error) => {
                tracing::warn!(%error, action = self.action, "cannot count a rate-limited request; letting it through");
                true
            }
        }
    }

    async fn count<C: ConnectionTrait>(&self, db: &C, client: IpAddr, now: DateTime<Utc>) -> Result<i64, DbErr> {
        let backend = db.get_database_backend();
        let sql = "INSERT INTO rate_window (action, client, window_start, hits) VALUES ($1, $2, $3, 1) \
                   ON CONFLICT (action, client, window_start) DO UPDATE SET hits = rate_window.hits + 1 \
                   RETURNING hits";
        let values: [Value; 3] = [self.action.into(), client.to_string().into(), self.window_start(now).into()];
        let row = db.query_one_raw(crate::db::statement(backend, sql, values)).await?;
        let hits: i32 = row.ok_or_else(|| DbErr::Custom("the count was not returned".into()))?.try_get("", "hits")?;
        Ok(i64::from(hits))
    }
}

/// Deletes windows that ended before `before`; returns how many.
pub async fn prune<C: ConnectionTrait>(db: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let sql = "DELETE FROM rate_window WHERE window_start < $1";
    let result =
        db.execute_raw(crate::db::statement(db.get_database_backend(), sql, [Value::from(before.timestamp())])).await?;
    Ok(result.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_fixed_and_aligned() {
        let limiter = RateLimiter::new("t", 3, Duration::from_secs(60));
        let at = |text: &str| text.parse::<DateTime<Utc>>().expect("instant");
        assert_eq!(limiter.window_start(at("2026-12-04T10:00:59Z")), limiter.window_start(at("2026-12-04T10:00:00Z")));
        assert_ne!(limiter.window_start(at("2026-12-04T10:01:00Z")), limiter.window_start(at("2026-12-04T10:00:59Z")));
    }
}
