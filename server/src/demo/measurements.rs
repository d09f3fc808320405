//! Daily SLO measurements: realistic volumes with weekly seasonality and growth, an ordinary
//! daily burn that trends with the service's health, occasional bad days (some big enough to
//! exhaust a month's budget), and gaps where the metrics pipeline dropped data.

use app::domain::ingest::RawRow;
use chrono::Datelike;
use rand::Rng;

use super::org::{Health, Org, SloKind};
use super::support::{
    DemoRng, Stream, Window, chance, date, int, log_uniform, lognormal, rng_for, round_randomly, row, text,
};

/// Appends the measurements of SLO `slo_index` (one row per day with data) to `out`.
pub(super) fn measurement_rows(org: &Org, window: &Window, seed: u64, slo_index: usize, out: &mut Vec<RawRow>) {
    let slo = &org.slos[slo_index];
    let service = &org.services[slo.service];
    let first = slo.first_day;
    let end = service.active_days(window);
    if first >= end {
        return;
    }
    let mut rng = rng_for(seed, Stream::Measurements, slo_index as u64);
    let missing = missing_days(&mut rng, service.health, first, end, window.days);
    let budget = 1.0 - slo.objective / 100.0;
    let growth = log_uniform(&mut rng, 1.05, 1.8);
    // Struggling services have had a rough last few weeks: their budgets are exhausted now.
    let (bad_day_chance, recent_bad_day_chance) = match service.health {
        Health::Exemplary => (0.003, 0.003),
        Health::Steady => (0.008, 0.008),
        Health::Struggling => (0.03, 0.06),
    };
    let recent_from = window.days.saturating_sub(45);
    out.reserve((end - first) as usize);
    for day in first..end {
        if missing[(day - first) as usize] {
            continue;
        }
        let fraction = window.fraction(day);
        let weekend = window.date(day).weekday().num_days_from_monday() >= 5;
        let total: i64 = if slo.timeslices {
            1440
        } else if slo.kind == SloKind::Jobs && weekend && chance(&mut rng, 0.3) {
            // Nothing scheduled: a day with data but no events.
            0
        } else {
            let seasonal = if weekend { 0.7 } else { 1.0 };
            let volume = slo.daily_volume * growth.powf(fraction) * seasonal * lognormal(&mut rng, 1.0, 0.08);
            volume.round().max(1.0) as i64
        };
        let trend = match service.health {
            Health::Struggling => 0.6 + 0.8 * fraction,
            Health::Exemplary => 1.2 - 0.6 * fraction,
            Health::Steady => 1.0,
        };
        let mut bad_fraction = budget * slo.burn * trend * lognormal(&mut rng, 1.0, 0.5);
        let bad_day = if day >= recent_from { recent_bad_day_chance } else { bad_day_chance };
        if chance(&mut rng, bad_day) {
            bad_fraction += budget * log_uniform(&mut rng, 3.0, 100.0);
        }
        let bad = round_randomly(&mut rng, total as f64 * bad_fraction.min(1.0)).clamp(0, total);
        out.push(
            row()
                .with("service", text(&service.slug))
                .with("slo", text(slo.slug))
                .with("day", date(window.date(day)))
                .with("good", int(total - bad))
                .with("total", int(total)),
        );
    }
}

/// Days in `first..end` without a measurement: a pipeline outage now and then, a long recent
/// gap for some SLOs (coverage dips below 90 %), and the odd stray missing day.
fn missing_days(rng: &mut DemoRng, health: Health, first: u32, end: u32, window_days: u32) -> Vec<bool> {
    let mut missing = vec![false; (end - first) as usize];
    let mut blank = |from: u32, length: u32| {
        for day in from.max(first)..from.saturating_add(length).min(end) {
            missing[(day - first) as usize] = true;
        }
    };
    if chance(rng, 0.15) {
        let from = rng.gen_range(first..end);
        blank(from, rng.gen_range(3..=25));
    }
    let long_gap = if health == Health::Struggling { 0.7 } else { 0.03 };
    if end == window_days && chance(rng, long_gap) {
        // Ends at least a month ago, so the current budget still has data.
        let from = end.saturating_sub(rng.gen_range(90..=200));
        blank(from, rng.gen_range(25..=60));
    }
    for day in first..end {
        if chance(rng, 0.004) {
            blank(day, 1);
        }
    }
    missing
}
