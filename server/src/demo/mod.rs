//! Generated demo organisation (`plumbline demo-data`), loaded through the ingestion path.
//!
//! Three scales:
//! - `small` (the default, also loaded into an empty embedded database at startup): 8 teams,
//!   40 services over tiers 0–3 (three of them retired), ≈ 65 SLOs with two years of daily
//!   measurements (≈ 44,000 rows), ≈ 300 incidents of every severity, ≈ 50 postmortems,
//!   ≈ 1,000 actions, ≈ 400 DR tests, ≈ 10,000 deployments, and on-call data from the start of
//!   the quarter nine months back: weekly shifts per team and ≈ 2,300 alerts (see `oncall`).
//! - `large`: 100 teams, 2,000 services, ≈ 6,000 SLOs (≈ 4.1 M measurements), ≈ 50,000
//!   incidents, ≈ 150,000 actions, ≈ 20,000 DR tests and ≈ 500,000 deployments, generated and
//!   imported batch by batch so memory stays bounded.
//! - `xlarge`: the large organisation in five regions: 500 teams, 10,000 services, ≈ 30,000
//!   SLOs (≈ 21 M measurements), ≈ 250,000 incidents and proportionally more of the rest; for
//!   the benchmarks (`cargo xtask bench-kpis --scale xlarge`).
//!
//! The data tells a story: the organisation slowly improves, but `checkout-api` and
//! `search-indexer` (small scale; ≈ 5 % of services at large scale) are struggling — more,
//! longer and repeated incidents, exhausted error budgets, late postmortems, overdue actions,
//! skipped or failed DR tests — while `payments-gateway` and `auth-api` are exemplary. The
//! records also carry the data-quality gaps real exports have: missing timestamps, actions
//! without due dates, days without SLO data, DR tests without RTO/RPO values.
//!
//! **Determinism is per (seed, day).** The data covers the 730 days ending yesterday (UTC), so
//! it is always current; the same seed on the same UTC day produces exactly the same records,
//! and nothing is dated at or after today's midnight. Re-running on the same day re-sends the
//! same rows (they come back `unchanged`). On a later day the window slides and the records are
//! regenerated — different but equally plausible — and updated in place by their natural keys;
//! rows whose keys are no longer generated (e.g. measurements of days now outside the window)
//! stay as they were.

mod batches;
mod capacity;
mod catalog;
mod cost;
mod incidents;
mod load;
mod measurements;
mod oncall;
mod operations;
mod org;
mod support;
mod surveys;
#[cfg(test)]
mod tests;
mod toil;

pub use load::*;
