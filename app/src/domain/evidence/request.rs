//! What an auditor asks for, parsed from query parameters (the HTTP API and the Evidence page's
//! form) or the CLI's flags mapped onto them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::Population;

/// The version of the pack's layout (files, columns, selection rules).
pub const EVIDENCE_FORMAT: &str = "plumbline-evidence/1";

/// The largest sample an auditor may ask for from one population.
pub const MAX_SAMPLE: u32 = 10_000;

/// What an auditor asks for. Both dates are inclusive days in the reporting time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceRequest {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Team slugs; empty means every team.
    pub teams: BTreeSet<String>,
    /// Tiers; empty means every tier.
    pub tiers: BTreeSet<i16>,
    /// Sample sizes by population.
    pub samples: BTreeMap<Population, u32>,
    /// Seed of the sampling; chosen at random (and recorded) when samples are asked without one.
    pub seed: Option<u64>,
    /// Records as they were known at this instant (docs/as-known-at.md); `None`: as they are.
    pub as_known_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceRequestError {
    #[error("{0} is required (a date, YYYY-MM-DD)")]
    Missing(&'static str),
    #[error("{field} must be a date (YYYY-MM-DD), not '{value}'")]
    BadDate { field: &'static str, value: String },
    #[error("the window ends ({to}) before it starts ({from})")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error("tier must be 0, 1, 2 or 3, not '{0}'")]
    BadTier(String),
    #[error("unknown population '{0}'; known: {known}", known = population_names())]
    UnknownPopulation(String),
    #[error("sample size for {population} must be a whole number from 1 to {MAX_SAMPLE}, not '{value}'")]
    BadSampleSize { population: String, value: String },
    #[error("seed must be a whole number from 0 to 18446744073709551615, not '{0}'")]
    BadSeed(String),
    #[error("as_known_at must be an RFC 3339 instant like 2026-10-01T09:00:00Z, not '{0}'")]
    BadInstant(String),
    #[error("unknown parameter '{0}'; accepted: from, to, team, tier, seed, as_known_at, sample_<population>")]
    UnknownParameter(String),
    #[error("team '{0}' is not a valid team slug")]
    BadTeam(String),
}

fn population_names() -> String {
    Population::ALL.map(Population::name).join(", ")
}

impl EvidenceRequest {
    /// A request for a window with no filters and no samples.
    pub fn window(from: NaiveDate, to: NaiveDate) -> Result<Self, EvidenceRequestError> {
        if to < from {
            return Err(EvidenceRequestError::Reversed { from, to });
        }
        Ok(EvidenceRequest {
            from,
            to,
            teams: BTreeSet::new(),
            tiers: BTreeSet::new(),
            samples: BTreeMap::new(),
            seed: None,
            as_known_at: None,
        })
    }

    /// From query parameters: `from`, `to`, `team` and `tier` (repeatable, or comma-separated),
    /// `seed`, and `sample_<population>=N`. Empty values are ignored, as an HTML form sends them.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, EvidenceRequestError> {
        let mut from = None;
        let mut to = None;
        let mut teams = BTreeSet::new();
        let mut tiers = BTreeSet::new();
        let mut samples = BTreeMap::new();
        let mut seed = None;
        let mut as_known_at = None;
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                "from" => from = Some(parse_date("from", value)?),
                "to" => to = Some(parse_date("to", value)?),
                "team" => {
                    for team in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                        teams.insert(parse_team(team)?);
                    }
                }
                "tier" => {
                    for tier in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                        tiers.insert(parse_tier(tier)?);
                    }
                }
                "as_known_at" => {
                    let at = chrono::DateTime::parse_from_rfc3339(value)
                        .map_err(|_| EvidenceRequestError::BadInstant(value.into()))?;
                    as_known_at = Some(at.with_timezone(&chrono::Utc));
                }
                "seed" => seed = Some(value.parse::<u64>().map_err(|_| EvidenceRequestError::BadSeed(value.into()))?),
                other => match other.strip_prefix("sample_") {
                    Some(name) => {
                        let population = Population::parse(name)
                            .ok_or_else(|| EvidenceRequestError::UnknownPopulation(name.to_owned()))?;
                        samples.insert(population, parse_sample_size(name, value)?);
                    }
                    None => return Err(EvidenceRequestError::UnknownParameter(other.to_owned())),
                },
            }
        }
        let from = from.ok_or(EvidenceRequestError::Missing("from"))?;
        let to = to.ok_or(EvidenceRequestError::Missing("to"))?;
        Ok(EvidenceRequest { teams, tiers, samples, seed, as_known_at, ..EvidenceRequest::window(from, to)? })
    }

    /// `N` days, both ends included.
    pub fn day_count(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The filter in words, for the manifest and README.
    pub fn filter_text(&self) -> String {
        let list = |items: Vec<String>| if items.is_empty() { "all".to_owned() } else { items.join(", ") };
        format!(
            "teams: {}; tiers: {}",
            list(self.teams.iter().cloned().collect()),
            list(self.tiers.iter().map(i16::to_string).collect())
        )
    }
}

fn parse_date(field: &'static str, value: &str) -> Result<NaiveDate, EvidenceRequestError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        // Years beyond four digits would overflow instants and file names alike.
        .filter(|d| (1900..=9998).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| EvidenceRequestError::BadDate { field, value: value.to_owned() })
}

fn parse_tier(value: &str) -> Result<i16, EvidenceRequestError> {
    value.parse::<i16>().ok().filter(|t| (0..=3).contains(t)).ok_or_else(|| EvidenceRequestError::BadTier(value.into()))
}

fn parse_team(value: &str) -> Result<String, EvidenceRequestError> {
    let valid = !value.is_empty()
        && value.len() <= 100
        && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if valid { Ok(value.to_owned()) } else { Err(EvidenceRequestError::BadTeam(value.to_owned())) }
}

fn parse_sample_size(population: &str, value: &str) -> Result<u32, EvidenceRequestError> {
    value.parse::<u32>().ok().filter(|n| (1..=MAX_SAMPLE).contains(n)).ok_or_else(|| {
        EvidenceRequestError::BadSampleSize { population: population.to_owned(), value: value.to_owned() }
    })
}

/// How samples are drawn, in words precise enough to re-perform (also in the manifest).
pub const SAMPLING_METHOD: &str = "reservoir sampling (Algorithm R) over the population file's rows in file order: \
    a ChaCha8 generator (rand_chacha 0.3) seeded with seed_from_u64(seed) for population number k \
    in the pack's file order (seed + k, wrapping); the first N rows fill the reservoir, then row i \
    (0-based) draws j uniformly from 0..=i (rand 0.8 gen_range) and replaces slot j when j < N; \
    the sample is written in population order with each row's 1-based row number in the population file";

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_form_submission_parses() {
        let request = EvidenceRequest::from_pairs(&pairs(&[
            ("from", "2026-07-01"),
            ("to", "2026-09-30"),
            ("team", "payments"),
            ("team", "search,ledger"),
            ("tier", "0"),
            ("tier", ""),
            ("sample_incidents", "25"),
            ("sample_actions", ""),
            ("seed", "42"),
        ]))
        .expect("valid");
        assert_eq!(request.day_count(), 92);
        assert_eq!(request.teams.len(), 3);
        assert_eq!(request.tiers, BTreeSet::from([0]));
        assert_eq!(request.samples, BTreeMap::from([(Population::Incidents, 25)]));
        assert_eq!(request.seed, Some(42));
        assert_eq!(request.filter_text(), "teams: ledger, payments, search; tiers: 0");
    }

    #[test]
    fn bad_requests_say_what_is_wrong() {
        let err = |items: &[(&str, &str)]| EvidenceRequest::from_pairs(&pairs(items)).expect_err("invalid");
        assert_eq!(err(&[("to", "2026-09-30")]), EvidenceRequestError::Missing("from"));
        assert!(matches!(err(&[("from", "2026-13-01"), ("to", "2026-09-30")]), EvidenceRequestError::BadDate { .. }));
        assert!(matches!(err(&[("from", "2026-10-01"), ("to", "2026-09-30")]), EvidenceRequestError::Reversed { .. }));
        let base = [("from", "2026-07-01"), ("to", "2026-09-30")];
        let with = |extra: (&str, &str)| err(&[base[0], base[1], extra]);
        assert_eq!(with(("tier", "7")), EvidenceRequestError::BadTier("7".into()));
        assert_eq!(with(("sample_widgets", "3")), EvidenceRequestError::UnknownPopulation("widgets".into()));
        assert!(matches!(with(("sample_incidents", "0")), EvidenceRequestError::BadSampleSize { .. }));
        assert!(matches!(with(("sample_incidents", "10001")), EvidenceRequestError::BadSampleSize { .. }));
        assert_eq!(with(("seed", "-1")), EvidenceRequestError::BadSeed("-1".into()));
        assert_eq!(with(("limit", "3")), EvidenceRequestError::UnknownParameter("limit".into()));
        assert_eq!(with(("team", "<script>")), EvidenceRequestError::BadTeam("<script>".into()));
    }
}
