//! Team practices. Toil reports from the start of the calendar quarter a year back: most teams report each month
//! (by survey or from ticket labels), some each week (from time tracking), a few only since the
//! last two quarters and some never, so reporting coverage is not whole. A team's toil follows
//! the health of its services (struggling services make more manual work) and falls slowly as
//! teams automate; a month's or week's report is sent only once it has ended. And each
//! service's remediations of its failure modes (see [`remediation_rows`]).

use app::domain::ingest::RawRow;
use chrono::{Datelike, Days, Months, NaiveDate, TimeDelta};
use rand::Rng;

use super::org::{Health, Org};
use super::support::{DemoRng, Stream, Window, chance, date, normal, number, pick, rng_for, row, text, unit};

/// How far back toil reporting reaches, before rounding down to a quarter's start.
const TOIL_LOOKBACK_DAYS: i64 = 365;
/// The kinds of toil teams name.
const CATEGORIES: [&str; 5] = ["deploys", "tickets", "access requests", "certificate rotation", "capacity changes"];

/// How a team reports.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Habit {
    Never,
    Monthly { method: &'static str, since: NaiveDate },
    Weekly { since: NaiveDate },
}

fn first_day(window: &Window) -> NaiveDate {
    let back = window.horizon.date_naive() - TimeDelta::days(TOIL_LOOKBACK_DAYS);
    NaiveDate::from_ymd_opt(back.year(), back.month0() / 3 * 3 + 1, 1).unwrap_or(back)
}

fn habit(rng: &mut DemoRng, window: &Window) -> Habit {
    let start = first_day(window);
    // Late adopters: from the quarter two quarters before the current one.
    let recent = start.checked_add_months(Months::new(6)).unwrap_or(start);
    let since = if chance(rng, 0.2) { recent } else { start };
    match unit(rng) {
        x if x < 0.15 => Habit::Never,
        x if x < 0.40 => Habit::Weekly { since },
        x if x < 0.75 => Habit::Monthly { method: "survey", since },
        _ => Habit::Monthly { method: "ticket_labels", since },
    }
}

/// The share of a team's hours that go to toil at the start of the history.
fn base_share(org: &Org, team: usize) -> f64 {
    let services = &org.team_services[team];
    let struggling = services.iter().filter(|s| org.services[**s].health == Health::Struggling).count();
    let exemplary = services.iter().filter(|s| org.services[**s].health == Health::Exemplary).count();
    let n = services.len().max(1) as f64;
    0.3 + 0.35 * struggling as f64 / n - 0.15 * exemplary as f64 / n
}

/// Every team's toil reports from the start of the history to the last span ended before today.
pub(super) fn toil_rows(org: &Org, window: &Window, seed: u64) -> Vec<RawRow> {
    let start = first_day(window);
    let today = window.horizon.date_naive();
    let history = (today - start).num_days().max(1) as f64;
    let mut rows = Vec::new();
    for (index, team) in org.teams.iter().enumerate() {
        let mut rng = rng_for(seed, Stream::Toil, index as u64);
        let people = f64::from(rng.gen_range(4_u32..9));
        let base = base_share(org, index);
        let (span, method, since) = match habit(&mut rng, window) {
            Habit::Never => continue,
            Habit::Monthly { method, since } => ("month", method, since),
            Habit::Weekly { since } => ("week", "time_tracking", since),
        };
        let mut from = match span {
            // The first Monday on or after it.
            "week" => since + Days::new(u64::from((7 - since.weekday().num_days_from_monday()) % 7)),
            _ => since,
        };
        loop {
            let end = match span {
                "week" => from + Days::new(7),
                _ => from.checked_add_months(Months::new(1)).unwrap_or(today),
            };
            if end > today {
                break;
            }
            let progress = (from - start).num_days() as f64 / history;
            let share = (base - 0.1 * progress + 0.04 * normal(&mut rng)).clamp(0.02, 0.9);
            let hours_total = ((end - from).num_days() as f64 / 7.0 * people * 38.0).round();
            let hours_toil = (hours_total * share).round().min(hours_total);
            rows.push(
                row()
                    .with("team", text(&team.slug))
                    .with("period", text(span))
                    .with("period_start", date(from))
                    .with("hours_total", number(hours_total))
                    .with("hours_toil", number(hours_toil))
                    .with("category", text(*pick(&mut rng, &CATEGORIES)))
                    .with("method", text(method)),
            );
            from = end;
        }
    }
    rows
}

/// About how many reports [`toil_rows`] makes.
pub(super) fn estimate(org: &Org) -> f64 {
    org.teams.len() as f64 * 20.0
}

/// The failure modes (root-cause categories of the demo's incidents) services remediate.
const FAILURE_MODES: [&str; 5] = [super::incidents::DEPLOY, "config", "capacity", "dependency", "hardware"];

/// Each tier 0–2 service's remediations of the failure modes it has met or expects: exemplary
/// services automate most fully, struggling ones rarely, and about one failure mode in four has
/// no remediation recorded at all.
pub(super) fn remediation_rows(org: &Org, window: &Window, seed: u64) -> Vec<RawRow> {
    let mut rows = Vec::new();
    for (index, service) in org.services.iter().enumerate() {
        if service.tier > 2 || service.retired_from.is_some() {
            continue;
        }
        let mut rng = rng_for(seed, Stream::Remediations, index as u64);
        let full = match service.health {
            Health::Exemplary => 0.7,
            Health::Steady => 0.4,
            Health::Struggling => 0.1,
        };
        for mode in FAILURE_MODES {
            if chance(&mut rng, 0.25) {
                continue;
            }
            let automation = match unit(&mut rng) {
                x if x < full => "full",
                x if x < full + 0.3 => "partial",
                _ => "none",
            };
            let exercised = window.horizon - TimeDelta::days(rng.gen_range(1..200));
            let slug = mode.replace(' ', "-");
            rows.push(
                row()
                    .with("service", text(&service.slug))
                    .with("failure_mode", text(mode))
                    .with("automation", text(automation))
                    .with("runbook_url", text(format!("https://runbooks.example.com/{}/{slug}", service.slug)))
                    .with("last_exercised_at", super::support::instant(exercised)),
            );
        }
    }
    rows
}
