//! Capacity measurements for the tier 0–1 services over the last two quarters before today:
//! each day's peak CPU and memory use against capacity. Load grows slowly until capacity is added
//! (a step down in utilisation); struggling services run hotter and now and then spike past
//! their tier's headroom, exemplary ones keep well clear of it.

use app::domain::ingest::RawRow;
use chrono::{Datelike, Months, NaiveDate};
use rand::Rng;

use super::org::{Health, Org};
use super::support::{Stream, Window, chance, date, normal, number, rng_for, row, text, unit};

const RESOURCES: [(&str, f64); 2] = [("cpu", 64.0), ("memory", 256.0)];

/// The first day measured: the first day of the quarter before the current one.
fn first_day(window: &Window) -> NaiveDate {
    let today = window.horizon.date_naive();
    let quarter = NaiveDate::from_ymd_opt(today.year(), today.month0() / 3 * 3 + 1, 1).unwrap_or(today);
    quarter.checked_sub_months(Months::new(3)).unwrap_or(quarter)
}

/// One service's rows (tier 0 and 1 only, while it runs).
pub(super) fn capacity_rows(org: &Org, window: &Window, seed: u64, service_index: usize, out: &mut Vec<RawRow>) {
    let service = &org.services[service_index];
    if service.tier > 1 || service.retired_from.is_some() {
        return;
    }
    let mut rng = rng_for(seed, Stream::Capacity, service_index as u64);
    let (base, spikes) = match service.health {
        Health::Exemplary => (0.45, 0.0),
        Health::Steady => (0.55, 0.03),
        Health::Struggling => (0.65, 0.12),
    };
    let today = window.horizon.date_naive();
    for (resource, capacity) in RESOURCES {
        let mut load = base + 0.05 * unit(&mut rng);
        let mut day = first_day(window);
        while day < today {
            // Load creeps up; once near capacity, the team adds capacity.
            load += 0.002 + 0.001 * normal(&mut rng);
            if load > 0.85 && chance(&mut rng, 0.2) {
                load -= 0.25;
            }
            let spike = if chance(&mut rng, spikes) { rng.gen_range(0.1..0.35) } else { 0.0 };
            let used = ((load + spike + 0.03 * normal(&mut rng)).clamp(0.05, 1.2) * capacity * 10.0).round() / 10.0;
            out.push(
                row()
                    .with("service", text(&service.slug))
                    .with("resource", text(resource))
                    .with("day", date(day))
                    .with("peak_used", number(used))
                    .with("capacity", number(capacity)),
            );
            day = day.succ_opt().unwrap_or(today);
        }
    }
}
