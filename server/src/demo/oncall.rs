//! On-call shifts and alerts from the start of the quarter nine months back (so the trend's
//! quarters are whole, not cut short by the history's start): every team rotates a weekly
//! primary shift (handed over Mondays 09:00 UTC) among four people; every tier-0–2 service has a
//! few alert rules, most paging a person. Struggling services carry a noisy rule that fires at
//! any hour and is rarely actionable; exemplary ones page seldom, and almost always for a
//! reason. Noise falls slowly over the window, and the last week's pages are mostly not yet
//! reviewed, as on a real team's On-call page.

use app::domain::ingest::RawRow;
use chrono::{DateTime, Datelike, TimeDelta, Utc};
use rand::Rng;

use super::org::{Health, Org};
use super::support::{
    RowExt, Stream, Window, chance, flag, instant, int, lognormal, poisson, rng_for, row, text, unit, weighted,
};

/// How far back the on-call history reaches, before rounding down to a quarter's start.
const ONCALL_LOOKBACK_DAYS: i64 = 270;
/// People in each team's rotation.
const ROTATION: i64 = 4;

/// An alert rule of a service: its name, pages per week at the start of the window, the share
/// of its pages that are actionable, and whether it fires at any hour (noise) or mostly in
/// working hours (load-driven).
struct Rule {
    name: &'static str,
    per_week: f64,
    actionable: f64,
    any_hour: bool,
}

const fn rule(name: &'static str, per_week: f64, actionable: f64, any_hour: bool) -> Rule {
    Rule { name, per_week, actionable, any_hour }
}

fn rules(health: Health) -> &'static [Rule] {
    static EXEMPLARY: [Rule; 3] = [
        rule("HighErrorRate", 0.25, 0.95, false),
        rule("LatencyP99High", 0.2, 0.9, false),
        rule("CertificateExpiringSoon", 0.05, 1.0, false),
    ];
    static STEADY: [Rule; 4] = [
        rule("HighErrorRate", 0.5, 0.8, false),
        rule("LatencyP99High", 0.5, 0.6, false),
        rule("PodCrashLooping", 0.3, 0.7, true),
        rule("DiskSpaceLow", 0.3, 0.5, true),
    ];
    static STRUGGLING: [Rule; 4] = [
        rule("HighErrorRate", 1.2, 0.75, false),
        rule("LatencyP99High", 1.5, 0.4, true),
        rule("QueueBacklogGrowing", 4.0, 0.15, true),
        rule("PodCrashLooping", 0.8, 0.6, true),
    ];
    match health {
        Health::Exemplary => &EXEMPLARY,
        Health::Steady => &STEADY,
        Health::Struggling => &STRUGGLING,
    }
}

/// The first day (window index) of the on-call history: the first day of the calendar quarter
/// [`ONCALL_LOOKBACK_DAYS`] before the window's end.
fn first_day(window: &Window) -> u32 {
    let back = window.horizon.date_naive() - TimeDelta::days(ONCALL_LOOKBACK_DAYS);
    let quarter = chrono::NaiveDate::from_ymd_opt(back.year(), back.month0() / 3 * 3 + 1, 1).unwrap_or(back);
    u32::try_from((quarter - window.first).num_days()).unwrap_or(0).min(window.days)
}

/// Days of on-call history generated.
pub(super) fn oncall_days(window: &Window) -> u32 {
    window.days - first_day(window)
}

/// The Monday 09:00 UTC handing over the shift that covers `at`, and the shift's number.
fn shift_of(at: DateTime<Utc>) -> (DateTime<Utc>, i64) {
    let handover = at - TimeDelta::hours(9);
    let monday = handover.date_naive() - TimeDelta::days(i64::from(handover.weekday().num_days_from_monday()));
    let starts = monday.and_hms_opt(9, 0, 0).map_or(at, |t| t.and_utc());
    (starts, starts.timestamp().div_euclid(7 * 86_400))
}

fn person(team: &str, shift_number: i64) -> String {
    format!("{team}-oncall-{}", shift_number.rem_euclid(ROTATION) + 1)
}

/// Every team's weekly primary shifts over the on-call history (the last one may still run).
pub(super) fn shift_rows(org: &Org, window: &Window) -> Vec<RawRow> {
    let from = window.at(first_day(window), 0);
    let mut rows = Vec::new();
    for team in &org.teams {
        let (mut starts, mut number) = shift_of(from);
        while starts < window.horizon {
            rows.push(
                row()
                    .with("team", text(&team.slug))
                    .with("schedule", text("primary"))
                    .with("person", text(person(&team.slug, number)))
                    .with("starts_at", instant(starts))
                    .with("ends_at", instant(starts + TimeDelta::days(7))),
            );
            starts += TimeDelta::days(7);
            number += 1;
        }
    }
    rows
}

/// The alerts of one service over the on-call history.
pub(super) fn alert_rows(org: &Org, window: &Window, seed: u64, service_index: usize, out: &mut Vec<RawRow>) {
    let service = &org.services[service_index];
    if service.tier > 2 {
        return;
    }
    let team = &org.teams[service.team].slug;
    let mut rng = rng_for(seed, Stream::Alerts, service_index as u64);
    let mut n = 0_u32;
    for day in first_day(window)..service.active_days(window) {
        // Teams tune their noisiest rules over time: a third less noise by the end.
        let tuning = 1.0 - 0.35 * f64::from(day - first_day(window)) / f64::from(oncall_days(window).max(1));
        for rule in rules(service.health) {
            let weekend = window.date(day).weekday().num_days_from_monday() >= 5;
            let rate = rule.per_week / 7.0
                * if rule.any_hour {
                    tuning
                } else if weekend {
                    0.4
                } else {
                    1.2
                };
            for _ in 0..poisson(&mut rng, rate) {
                let second =
                    if rule.any_hour { rng.gen_range(0..86_400) } else { rng.gen_range(8 * 3_600..20 * 3_600) };
                let fired = window.at(day, second);
                if fired >= window.horizon {
                    continue;
                }
                n += 1;
                let paged = chance(&mut rng, 0.8);
                let acknowledged = (paged && chance(&mut rng, 0.95))
                    .then(|| fired + TimeDelta::seconds((lognormal(&mut rng, 4.0, 0.9) * 60.0) as i64));
                let resolved = fired + TimeDelta::seconds((lognormal(&mut rng, 25.0, 1.0) * 60.0) as i64);
                let age_days = (window.horizon - fired).num_days();
                let reviewed = paged && chance(&mut rng, if age_days < 7 { 0.2 } else { 0.88 });
                let disposition = if !reviewed {
                    "unreviewed"
                } else if unit(&mut rng) < rule.actionable {
                    "actionable"
                } else {
                    weighted(&mut rng, &[("non_actionable", 55.0), ("duplicate", 25.0), ("false_positive", 20.0)])
                };
                let (_, shift) = shift_of(fired);
                out.push(
                    row()
                        .with("external_id", text(format!("{}-{}-{n:05}", service.slug, rule.name)))
                        .with("service", text(&service.slug))
                        .with("rule", text(rule.name))
                        .with("fired_at", instant(fired))
                        .maybe("acknowledged_at", acknowledged.filter(|t| *t < window.horizon).map(instant))
                        .maybe("resolved_at", Some(resolved).filter(|t| *t < window.horizon).map(instant))
                        .with("paged", flag(paged))
                        .with("urgency", text(if paged { "high" } else { "low" }))
                        .maybe("responder", acknowledged.map(|_| text(person(team, shift))))
                        .with("escalations", int(i64::from(paged && acknowledged.is_none())))
                        .with("disposition", text(disposition))
                        .with(
                            "labels",
                            super::support::json_cell(serde_json::json!({
                                "severity": if paged { "page" } else { "ticket" },
                                "team": team,
                            })),
                        ),
                );
            }
        }
    }
}

/// Roughly how many alerts one service sends over the history (progress estimate).
pub(super) fn expected_alerts(org: &Org, window: &Window, service_index: usize) -> f64 {
    let service = &org.services[service_index];
    if service.tier > 2 {
        return 0.0;
    }
    let days = f64::from(service.active_days(window).saturating_sub(first_day(window)));
    rules(service.health).iter().map(|r| r.per_week / 7.0 * days).sum()
}
