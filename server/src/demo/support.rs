//! Shared plumbing of the generators: the time window, seeded random streams, a few sampling
//! helpers and JSON cell builders.

use app::domain::ingest::{Cell, RawRow};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

pub(super) type DemoRng = ChaCha8Rng;

/// Days of history generated: the two years ending yesterday.
pub(super) const HISTORY_DAYS: u32 = 730;

/// The generated period: `HISTORY_DAYS` days ending the day before the anchor day. Nothing
/// generated happens at or after `horizon` (midnight UTC starting the anchor day), so no record
/// claims to know the future.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Window {
    pub first: NaiveDate,
    pub days: u32,
    pub horizon: DateTime<Utc>,
}

impl Window {
    pub fn ending_before(anchor: NaiveDate) -> Self {
        Window {
            first: anchor - TimeDelta::days(i64::from(HISTORY_DAYS)),
            days: HISTORY_DAYS,
            horizon: midnight(anchor),
        }
    }

    /// The date of day `day` (0 = the first day of the window).
    pub fn date(&self, day: u32) -> NaiveDate {
        self.first + TimeDelta::days(i64::from(day))
    }

    pub fn last(&self) -> NaiveDate {
        self.date(self.days - 1)
    }

    /// `seconds` after midnight UTC of day `day`.
    pub fn at(&self, day: u32, seconds: i64) -> DateTime<Utc> {
        midnight(self.date(day)) + TimeDelta::seconds(seconds)
    }

    /// How far into the window `day` is, from 0.0 to (almost) 1.0.
    pub fn fraction(&self, day: u32) -> f64 {
        f64::from(day) / f64::from(self.days)
    }
}

pub(super) fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

/// The independent random streams of the generator. Every item (a service, an SLO, a day of
/// incidents, an incident's actions …) draws from its own stream derived from the seed, so any
/// batch can be produced without replaying the ones before it and batch sizes never change the
/// data.
#[derive(Debug, Clone, Copy)]
pub(super) enum Stream {
    Org = 1,
    Slos,
    Measurements,
    Incidents,
    Postmortems,
    Actions,
    DrTests,
    DrFollowUps,
    Deployments,
    Alerts,
    Approvals,
    Toil,
    Remediations,
    Capacity,
    Costs,
    Surveys,
}

pub(super) fn rng_for(seed: u64, stream: Stream, item: u64) -> DemoRng {
    let stream = (stream as u64) << 56;
    ChaCha8Rng::seed_from_u64(splitmix(seed ^ splitmix(stream ^ splitmix(item))))
}

/// SplitMix64's finaliser: spreads nearby inputs over the whole 64-bit space.
fn splitmix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Uniform in [0, 1).
pub(super) fn unit(rng: &mut DemoRng) -> f64 {
    rng.gen_range(0.0..1.0)
}

/// True with probability `p` (clamped to [0, 1]).
pub(super) fn chance(rng: &mut DemoRng, p: f64) -> bool {
    rng.gen_bool(p.clamp(0.0, 1.0))
}

/// Standard normal (Box–Muller).
pub(super) fn normal(rng: &mut DemoRng) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen_range(0.0..1.0);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Log-normal with the given median and log-space spread.
pub(super) fn lognormal(rng: &mut DemoRng, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(rng)).exp()
}

/// Uniform on a log scale between `low` and `high` (both > 0, low < high).
pub(super) fn log_uniform(rng: &mut DemoRng, low: f64, high: f64) -> f64 {
    rng.gen_range(low.ln()..high.ln()).exp()
}

/// Poisson-distributed count with mean `lambda`.
pub(super) fn poisson(rng: &mut DemoRng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 30.0 {
        // Normal approximation; plenty for a daily event count.
        let value = (lambda + lambda.sqrt() * normal(rng)).round();
        return value.max(0.0) as u32;
    }
    let limit = (-lambda).exp();
    let mut product = unit(rng);
    let mut count = 0;
    while product > limit {
        count += 1;
        product *= unit(rng);
    }
    count
}

/// One item of a non-empty slice, uniformly.
pub(super) fn pick<'a, T>(rng: &mut DemoRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// One value of a non-empty list, with probability proportional to its (non-negative) weight.
pub(super) fn weighted<T: Copy>(rng: &mut DemoRng, items: &[(T, f64)]) -> T {
    let total: f64 = items.iter().map(|(_, w)| w.max(0.0)).sum();
    let mut x = unit(rng) * total;
    for (item, weight) in items {
        let weight = weight.max(0.0);
        if x < weight {
            return *item;
        }
        x -= weight;
    }
    items[items.len() - 1].0
}

/// Rounds `value` up or down at random in proportion to its fraction, so small expected counts
/// keep their mean.
pub(super) fn round_randomly(rng: &mut DemoRng, value: f64) -> i64 {
    let floor = value.floor();
    let up = chance(rng, value - floor);
    floor as i64 + i64::from(up)
}

pub(super) fn text(value: impl Into<String>) -> Cell {
    Cell::Json(Value::String(value.into()))
}

pub(super) fn int(value: i64) -> Cell {
    Cell::Json(Value::from(value))
}

pub(super) fn number(value: f64) -> Cell {
    Cell::Json(serde_json::json!(value))
}

pub(super) fn flag(value: bool) -> Cell {
    Cell::Json(Value::Bool(value))
}

/// An RFC 3339 instant in UTC, to the second.
pub(super) fn instant(value: DateTime<Utc>) -> Cell {
    text(value.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

pub(super) fn date(value: NaiveDate) -> Cell {
    text(value.format("%Y-%m-%d").to_string())
}

pub(super) fn json_cell(value: Value) -> Cell {
    Cell::Json(value)
}

pub(super) fn list(items: impl IntoIterator<Item = String>) -> Cell {
    Cell::Json(Value::Array(items.into_iter().map(Value::String).collect()))
}

/// A row under construction; the batch numbers its rows when it is complete.
pub(super) fn row() -> RawRow {
    RawRow::new(0)
}

pub(super) trait RowExt {
    /// Adds the cell only when there is a value: optional fields are omitted, never null.
    fn maybe(self, name: &str, cell: Option<Cell>) -> Self;
}

impl RowExt for RawRow {
    fn maybe(self, name: &str, cell: Option<Cell>) -> Self {
        match cell {
            Some(cell) => self.with(name, cell),
            None => self,
        }
    }
}

/// Numbers the rows of one batch from 1, as the ingestion contract counts them.
pub(super) fn numbered(mut rows: Vec<RawRow>) -> Vec<RawRow> {
    for (index, row) in rows.iter_mut().enumerate() {
        row.number = index as u64 + 1;
    }
    rows
}
