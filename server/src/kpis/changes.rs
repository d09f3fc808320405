//! Which periods an import can have moved (table `data_change`, see its migration). Every
//! import records, with the data version it commits as, the earliest instant its records
//! reach; a period's figures depend only on changes reaching before the period ends. So a
//! period's *version* — the latest change that can have moved it — stays put for closed
//! quarters when today's SLO measurements arrive, and their cached and stored figures stay
//! valid.

use std::sync::Mutex;

use app::domain::kpi::Period;
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};

/// How far back in time an import's changes reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// No record changed.
    Nothing,
    /// Figures of periods ending after this instant.
    Since(DateTime<Utc>),
    /// Any period (catalog records, or records without a time).
    Everything,
}

impl Reach {
    /// The earliest of `instants`, or everything when there is none to go by.
    pub fn earliest(instants: impl IntoIterator<Item = DateTime<Utc>>) -> Reach {
        instants.into_iter().min().map_or(Reach::Everything, Reach::Since)
    }

    /// What both reach.
    pub fn merge(self, other: Reach) -> Reach {
        match (self, other) {
            (Reach::Everything, _) | (_, Reach::Everything) => Reach::Everything,
            (Reach::Nothing, other) | (other, Reach::Nothing) => other,
            (Reach::Since(a), Reach::Since(b)) => Reach::Since(a.min(b)),
        }
    }

    /// Whether a change reaching this far can move the figures of `period`.
    pub fn touches(self, period_end: DateTime<Utc>) -> bool {
        match self {
            Reach::Nothing => false,
            Reach::Since(since) => since < period_end,
            Reach::Everything => true,
        }
    }
}

/// The earliest instant a stored calendar day can stand for in any reporting time zone (a day
/// starts up to 14 hours before its UTC midnight).
pub fn day_reach(day: chrono::NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).map_or(DateTime::<Utc>::MIN_UTC, |t| t.and_utc()) - TimeDelta::hours(14)
}

/// After every period (and within both databases' range).
fn far_future() -> DateTime<Utc> {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(DateTime::<Utc>::MAX_UTC, |t| t.and_utc())
}

/// Records the change an import is committing as (call right after bumping the data version,
/// in the same transaction). A change of nothing is recorded too: the version moved.
pub async fn record<C: ConnectionTrait>(txn: &C, reach: Reach) -> Result<(), DbErr> {
    let since: Option<DateTime<Utc>> = match reach {
        Reach::Since(since) => Some(since),
        // A change of nothing moves no period: dated after every period.
        Reach::Nothing => Some(far_future()),
        Reach::Everything => None,
    };
    txn.execute_raw(crate::db::statement(
        txn.get_database_backend(),
        "INSERT INTO data_change (version, since) SELECT version, $1 FROM data_version WHERE id = 1",
        [Value::from(since)],
    ))
    .await?;
    Ok(())
}

/// The changes read so far, newest last; refreshed when the data version moves.
#[derive(Default)]
pub struct ChangeLog {
    state: Mutex<Known>,
}

#[derive(Default)]
struct Known {
    /// The data version read last.
    version: i64,
    /// `(version, since)` in version order; `None` reaches everything.
    changes: Vec<(i64, Option<DateTime<Utc>>)>,
}

impl ChangeLog {
    /// The version of `period`'s figures: the latest change that can have moved them.
    pub async fn period_version<C: ConnectionTrait>(&self, db: &C, period: &Period) -> Result<i64, DbErr> {
        let current = crate::db::data_version(db).await?;
        let known = self.state.lock().map(|k| k.version).unwrap_or(-1);
        if current != known {
            self.catch_up(db, known, current).await?;
        }
        let end = period.end();
        let found = {
            let state = self.state.lock().map_err(|_| DbErr::Custom("the change log's lock is poisoned".into()))?;
            // Another reader moved the log further meanwhile, or this one reads through a
            // transaction's older view: then the table answers.
            (state.version == current).then(|| {
                let latest = state.changes.iter().rev().find(|(_, since)| since.is_none_or(|since| since < end));
                latest.map_or(0, |(version, _)| *version)
            })
        };
        match found {
            Some(version) => Ok(version),
            None => version_at(db, end, current).await,
        }
    }

    /// [`Self::period_version`] without a query, when the log has caught up with `current`
    /// (the data version the caller just read).
    pub fn period_version_known(&self, current: i64, period: &Period) -> Option<i64> {
        let state = self.state.lock().ok()?;
        let end = period.end();
        (state.version == current).then(|| {
            let latest = state.changes.iter().rev().find(|(_, since)| since.is_none_or(|since| since < end));
            latest.map_or(0, |(version, _)| *version)
        })
    }

    async fn catch_up<C: ConnectionTrait>(&self, db: &C, known: i64, current: i64) -> Result<(), DbErr> {
        // A reader in an older transaction (a consistent read) may see an older version: never
        // move the log back.
        if current < known {
            return Ok(());
        }
        let rows = db
            .query_all_raw(crate::db::statement(
                db.get_database_backend(),
                "SELECT version, since FROM data_change WHERE version > $1 AND version <= $2 ORDER BY version",
                [Value::from(known.max(-1)), Value::from(current)],
            ))
            .await?;
        let mut read = Vec::with_capacity(rows.len());
        for row in rows {
            read.push((row.try_get::<i64>("", "version")?, row.try_get::<Option<DateTime<Utc>>>("", "since")?));
        }
        let mut state = self.state.lock().map_err(|_| DbErr::Custom("the change log's lock is poisoned".into()))?;
        if state.version == known {
            state.changes.extend(read);
            state.version = current;
        }
        Ok(())
    }
}

/// The latest change up to `current` that can have moved a period ending at `end`, read from
/// the table.
async fn version_at<C: ConnectionTrait>(db: &C, end: DateTime<Utc>, current: i64) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(crate::db::statement(
            db.get_database_backend(),
            "SELECT MAX(version) AS version FROM data_change WHERE version <= $1 AND (since IS NULL OR since < $2)",
            [Value::from(current), Value::from(end)],
        ))
        .await?;
    Ok(row.map(|row| row.try_get::<Option<i64>>("", "version")).transpose()?.flatten().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("instant")
    }

    #[test]
    fn reaches_merge_to_the_earliest() {
        let (july, may) = (Reach::Since(at("2026-07-01T00:00:00Z")), Reach::Since(at("2026-05-01T00:00:00Z")));
        assert_eq!(july.merge(may), may);
        assert_eq!(Reach::Nothing.merge(july), july);
        assert_eq!(july.merge(Reach::Everything), Reach::Everything);
        assert_eq!(Reach::earliest([]), Reach::Everything, "nothing to go by: assume anything");
    }

    #[test]
    fn a_change_touches_only_periods_ending_after_it() {
        let today = Reach::Since(at("2026-12-04T00:00:00Z"));
        assert!(!today.touches(at("2026-10-01T00:00:00Z")), "Q3 ended before today");
        assert!(today.touches(at("2027-01-01T00:00:00Z")), "Q4 runs past today");
        assert!(!Reach::Nothing.touches(at("2027-01-01T00:00:00Z")));
        assert!(Reach::Everything.touches(at("2020-01-01T00:00:00Z")));
    }
}
