//! The jobs Plumbline itself runs: keeping the current period's figures warm, and pruning old
//! finished jobs. Later features (reminders, notifications, pulls) add their kinds here.

use app::domain::jobs::Cron;
use app::domain::kpi::{Period, Scope, SeverityFilter};
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

/// Makes each subscription's weekly team digest (docs/notifications.md).
pub const WEEKLY_DIGEST: &str = "weekly-digest";
/// Makes the day's team notices: waivers ending, campaign deadlines and results.
pub const TEAM_EVENTS: &str = "team-events";

/// The engine with Plumbline's own job kinds and schedules.
pub fn standard(
    db: DatabaseConnection,
    notifier: crate::notify::Notifier,
    checkpoints: crate::checkpoints::Checkpoints,
    prometheus: crate::prometheus::PullSettings,
    ingestion: crate::ingest::Ingestion,
) -> Jobs {
    let figures = notifier.figures.clone();
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
    let digests = {
        let notifier = notifier.clone();
        move |_payload| {
            let notifier = notifier.clone();
            async move {
                let made = notifier
                    .weekly_digests(crate::clock_now())
                    .await
                    .map_err(|e| format!("cannot make the weekly digests: {e}"))?;
                tracing::info!(made, "weekly digests made");
                Ok(())
            }
        }
    };
    let events = {
        let notifier = notifier.clone();
        move |_payload| {
            let notifier = notifier.clone();
            async move {
                let made = notifier
                    .team_events(crate::clock_now())
                    .await
                    .map_err(|e| format!("cannot make team notices: {e}"))?;
                tracing::info!(made, "team notices made");
                Ok(())
            }
        }
    };
    let checkpoint = {
        let (db, checkpoints) = (db.clone(), checkpoints.clone());
        move |_payload| {
            let (db, checkpoints) = (db.clone(), checkpoints.clone());
            async move {
                checkpoints
                    .record(&db, crate::checkpoints::Reason::Daily, crate::clock_now())
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("cannot write the daily audit checkpoint: {e}"))
            }
        }
    };
    let post_checkpoint = move |payload: serde_json::Value| {
        let checkpoints = checkpoints.clone();
        async move { checkpoints.post(payload).await }
    };
    let deliver = move |payload: serde_json::Value| {
        let notifier = notifier.clone();
        async move {
            let id = payload["notification"].as_i64().ok_or("the job names no notification")?;
            notifier.deliver(id, crate::clock_now()).await.map_err(|e| e.to_string())
        }
    };
    let pull = {
        let calendar = figures.calendar;
        move |_payload| {
            let (ingestion, settings) = (ingestion.clone(), prometheus.clone());
            async move {
                let pulled = crate::prometheus::pull(&ingestion, calendar, &settings, crate::clock_now())
                    .await
                    .map_err(|e| format!("cannot pull from Prometheus: {e}"))?;
                tracing::info!(slos = pulled.slos, days = pulled.days, "pulled SLO measurements from Prometheus");
                match pulled.failures.as_slice() {
                    [] => Ok(()),
                    // What may pass (unreachable, refused): the jobs page shows it, and retries.
                    failures => Err(format!(
                        "{} of {} SLOs not pulled: {}",
                        failures.len(),
                        pulled.slos,
                        failures.iter().take(5).cloned().collect::<Vec<_>>().join(" | ")
                    )),
                }
            }
        }
    };
    let builder = Jobs::builder(db, zone)
        .kind(crate::prometheus::PULL_PROMETHEUS, 3, pull)
        .kind(WARM_FIGURES, 3, warm)
        .kind(PRUNE_JOBS, 3, prune)
        .kind(CAMPAIGN_PROGRESS, 5, campaigns)
        .kind(WEEKLY_DIGEST, 3, digests)
        .kind(TEAM_EVENTS, 3, events)
        .kind(crate::notify::DELIVER, crate::notify::DELIVERY_ATTEMPTS, deliver)
        .kind(crate::checkpoints::DAILY_CHECKPOINT, 5, checkpoint)
        .kind(crate::checkpoints::DELIVER_CHECKPOINT, crate::checkpoints::WEBHOOK_ATTEMPTS, post_checkpoint);
    let schedules = (
        Cron::parse("*/5 * * * *"),
        Cron::parse("17 3 * * *"),
        Cron::parse("41 * * * *"),
        Cron::parse("0 8 * * 1"),
        Cron::parse("5 8 * * *"),
        Cron::parse("3 0 * * *"),
        Cron::parse("20 * * * *"),
    );
    let builder = match schedules {
        (Ok(every_five), Ok(nightly), Ok(hourly), Ok(monday_morning), Ok(mornings), Ok(midnight), Ok(pulls)) => builder
            // Hourly: a day is pulled in the first run after it ends, and a failed run retried.
            .schedule("prometheus-pull-hourly", pulls, crate::prometheus::PULL_PROMETHEUS, serde_json::json!({}))
            .schedule("audit-checkpoint-daily", midnight, crate::checkpoints::DAILY_CHECKPOINT, serde_json::json!({}))
            .schedule("weekly-digest-monday-08", monday_morning, WEEKLY_DIGEST, serde_json::json!({}))
            .schedule("team-events-daily-0805", mornings, TEAM_EVENTS, serde_json::json!({}))
            .schedule("warm-figures-every-5-minutes", every_five, WARM_FIGURES, serde_json::json!({}))
            .schedule("prune-jobs-nightly", nightly, PRUNE_JOBS, serde_json::json!({}))
            // Hourly, so the day's last record is from its last hour, and a missed hour is caught up.
            .schedule("campaign-progress-hourly", hourly, CAMPAIGN_PROGRESS, serde_json::json!({})),
        // Constant schedules, covered by a test; never reached.
        _ => builder,
    };
    builder.build()
}

/// Every team's figures of the quarters the trends of the running and the last closed quarter
/// show (kept in the database once closed), so a team first opened computes only its own
/// period; the organisation's summary of the current quarter and month, so the first reader
/// after an import or a restart does not compute it; and the scorecards of the quarter and
/// month before them, which movers compare with and which, once a period has closed, are kept
/// in the database for score history.
async fn warm_figures(figures: &Figures) -> Result<(), String> {
    let now = crate::clock_now();
    let calendar = figures.calendar;
    let current = [Period::quarter_containing(now, calendar), Period::month_containing(now, calendar)];
    // First, so the running periods' loads are the last the load cache holds. Eight quarters:
    // the trends of the running quarter and of the last closed one (quarterly reviews).
    let mut earlier = current[0];
    for _ in 0..crate::kpis::TREND_PERIODS {
        earlier = earlier.previous();
        if !figures.has_data(&earlier).await.map_err(|error| format!("cannot find the first record: {error}"))? {
            break;
        }
        figures
            .rollups(&earlier, SeverityFilter::HIGH, now)
            .await
            .map_err(|error| format!("cannot compute the roll-ups of {earlier}: {error}"))?;
    }
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
    // The last closed quarter's report, which a quarterly review opens first: its first reader
    // would otherwise wait for it (kept, so a lookup until an import reaches that quarter).
    let last_quarter = current[0].previous();
    if figures.has_data(&last_quarter).await.map_err(|error| format!("cannot find the first record: {error}"))? {
        figures
            .quarterly(last_quarter, now)
            .await
            .map_err(|error| format!("cannot compute the report of {last_quarter}: {error}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_standard_schedules_parse() {
        for text in ["*/5 * * * *", "17 3 * * *", "41 * * * *", "0 8 * * 1", "5 8 * * *", "3 0 * * *"] {
            assert!(app::domain::jobs::Cron::parse(text).is_ok(), "{text}");
        }
    }
}
