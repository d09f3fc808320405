//! Monthly costs of the tier 0–2 services over the eighteen months before the current one. Most
//! teams are billed in USD, one in five in EUR; services that take orders are divided by orders,
//! the rest by requests. Exemplary services get a little cheaper per unit each month, struggling
//! ones a little dearer, and traffic grows, so unit costs move the way a review would discuss.

use app::domain::ingest::RawRow;
use chrono::{Datelike, Months, NaiveDate};

use super::org::{Health, Org};
use super::support::{Stream, Window, normal, number, rng_for, row, text, unit};

/// Months of costs sent, ending with the month before the current one.
const MONTHS: u32 = 18;

/// The first month costed.
fn first_month(window: &Window) -> NaiveDate {
    let today = window.horizon.date_naive();
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    this_month.checked_sub_months(Months::new(MONTHS)).unwrap_or(this_month)
}

/// One service's rows (tiers 0–2, while it runs).
pub(super) fn cost_rows(org: &Org, window: &Window, seed: u64, service_index: usize, out: &mut Vec<RawRow>) {
    let service = &org.services[service_index];
    if service.tier > 2 {
        return;
    }
    let mut rng = rng_for(seed, Stream::Costs, service_index as u64);
    let currency = if service.team % 5 == 3 { "EUR" } else { "USD" };
    let by_order = ["checkout", "payment", "order", "cart"].iter().any(|word| service.slug.contains(word));
    let (driver, per_request) = if by_order { ("order", 1.0 / 40.0) } else { ("request", 1.0) };
    // Price of one unit at the start, and its drift per month.
    let mut price = (0.000_02 + 0.000_03 * unit(&mut rng)) / per_request * (1.0 + 0.5 * f64::from(2 - service.tier));
    let drift = match service.health {
        Health::Exemplary => -0.015,
        Health::Steady => 0.0,
        Health::Struggling => 0.01,
    };
    let mut volume = service.daily_requests * per_request;
    let mut month = first_month(window);
    for _ in 0..MONTHS {
        let Some(next) = month.checked_add_months(Months::new(1)) else { return };
        let started = (month - window.first).num_days();
        if service.retired_from.is_some_and(|day| i64::from(day) <= started) {
            return;
        }
        let days = (next - month).num_days() as f64;
        volume *= 1.0 + 0.01 + 0.01 * normal(&mut rng);
        price *= 1.0 + drift + 0.01 * normal(&mut rng);
        let units = (volume * days).round().max(1.0);
        let amount = (units * price * 100.0).round() / 100.0;
        out.push(
            row()
                .with("service", text(&service.slug))
                .with("month", text(month.format("%Y-%m").to_string()))
                .with("amount", number(amount))
                .with("currency", text(currency))
                .with("unit_driver", text(driver))
                .with("units", number(units)),
        );
        month = next;
    }
}
