//! The jobs Plumbline itself runs: keeping the current period's figures warm, and pruning old
//! finished jobs. Later features (reminders, notifications, pulls) add their kinds here.

use app::domain::jobs::Cron;
use app::domain::kpi::{Period, Scope};
use chrono::TimeDelta;
use sea_orm::DatabaseConnection;

use super::{Jobs, queue};
use crate::kpis::Figures;

/// Recomputes the organisation's figures of the current quarter and month.
pub const WARM_FIGURES: &str = "warm-figures";
/// Deletes succeeded jobs older than [`KEEP_SUCCEEDED`] and rate-limit windows over an hour old.
pub const PRUNE_JOBS: &str = "prune-jobs";
/// Records each running campaign's standing of the day, and the result of each campaign whose
/// deadline has passed (docs/campaigns.md).
pub const CAMPAIGN_PROGRESS: &str = "campaign-progress";
/// How long succeeded jobs stay listed; failed and dead ones stay until retried.
pub const KEEP_SUCCEEDED: TimeDelta = TimeDelta::days(14);

/// The engine with Plumbline's own job kinds and schedules.
pub fn standard(db: DatabaseConnection, figures: Figures) -> Jobs {
    let zone = figures.calendar.time_zone();
    let warm = {
        let figures = figures.clone();
        move |_payload| {
            let figures = figures.clone();
            // At a lower priority than the pages being read meanwhile.
            async move {
                crate::background::spawn(async move { warm_figures(&figures.for_recompute()).await })
                    .await
                    .map_err(|join| format!("the recompute stopped unexpectedly: {join}"))?
            }
        }
    };
    let prune = {
        let db = db.clone();
        move |_payload| {
            let db = db.clone();
            async move {
                let before = crate::clock_now() - KEEP_SUCCEEDED;
                let pruned = queue::prune(&db, before).await.map_err(|e| format!("cannot prune jobs: {e}"))?;
                let hour_ago = crate::clock_now() - chrono::TimeDelta::hours(1);
                let windows = crate::auth::rate_limit::prune(&db, hour_ago)
                    .await
                    .map_err(|e| format!("cannot prune rate-limit windows: {e}"))?;
                let figures =
                    crate::kpis::stored::prune(&db).await.map_err(|e| format!("cannot prune stored figures: {e}"))?;
                tracing::info!(
                    pruned,
                    windows,
                    figures,
                    "pruned succeeded jobs, old rate-limit windows and figures of other definitions"
                );
                Ok(())
            }
        }
    };
    let campaigns = {
        let figures = figures.clone();
        move |_payload| {
            let figures = figures.for_recompute();
            async move {
                let recorded = crate::campaigns::record_progress(&figures, crate::clock_now())
                    .await
                    .map_err(|e| format!("cannot record the campaigns' progress: {e}"))?;
                tracing::info!(points = recorded.points, results = recorded.results, "recorded campaign progress");
                Ok(())
            }
        }
    };
    let builder = Jobs::builder(db, zone).kind(WARM_FIGURES, 3, warm).kind(PRUNE_JOBS, 3, prune).kind(
        CAMPAIGN_PROGRESS,
        5,
        campaigns,
    );
    let builder = match (Cron::parse("*/5 * * * *"), Cron::parse("17 3 * * *"), Cron::parse("41 * * * *")) {
        (Ok(every_five), Ok(nightly), Ok(hourly)) => builder
            .schedule("warm-figures-every-5-minutes", every_five, WARM_FIGURES, serde_json::json!({}))
            .schedule("prune-jobs-nightly", nightly, PRUNE_JOBS, serde_json::json!({}))
            // Hourly, so the day's last record is from its last hour, and a missed hour is caught up.
            .schedule("campaign-progress-hourly", hourly, CAMPAIGN_PROGRESS, serde_json::json!({})),
        // Constant schedules, covered by a test; never reached.
        _ => builder,
    };
    builder.build()
}

/// The organisation's summary of the current quarter and month, so the first reader after an
/// import or a restart does not compute it; and the scorecards of the quarter and month before
/// them, which movers compare with and which, once a period has closed, are kept in the
/// database for score history.
async fn warm_figures(figures: &Figures) -> Result<(), String> {
    let now = crate::clock_now();
    let calendar = figures.calendar;
    let current = [Period::quarter_containing(now, calendar), Period::month_containing(now, calendar)];
    for period in current {
        figures
            .summary(period, &Scope::Org, now)
            .await
            .map_err(|error| format!("cannot compute the figures of {period}: {error}"))?;
    }
    for period in current.map(|p| p.previous()) {
        if figures.has_data(&period).await.map_err(|error| format!("cannot find the first record: {error}"))? {
            figures
                .scorecards(&period, &crate::kpis::ScorecardFilter::default(), now)
                .await
                .map_err(|error| format!("cannot compute the scorecards of {period}: {error}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_standard_schedules_parse() {
        for text in ["*/5 * * * *", "17 3 * * *", "41 * * * *"] {
            assert!(app::domain::jobs::Cron::parse(text).is_ok(), "{text}");
        }
    }
}
