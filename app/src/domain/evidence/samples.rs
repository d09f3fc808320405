//! Sample reviews (docs/sample-reviews.md): an auditor draws a sample of one population's
//! records in a window — at random from a seed, by record ids, or by days — and records a review
//! of each sampled record: ready (its evidence is there), approved, or flagged (with why). Every
//! review is an audit event; packs carry them as sample_reviews.csv. Pure: what the form asks
//! for, how a random sample is drawn, and what a review may say.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Population;

/// The populations a sample can be drawn from: records with an id of their own.
pub const SAMPLED: [Population; 6] = [
    Population::Incidents,
    Population::Postmortems,
    Population::Actions,
    Population::DrTests,
    Population::Deployments,
    Population::Exemptions,
];

/// Largest sample, and most ids named at once.
pub const MAX_SAMPLED: usize = 500;
/// Longest window a sample is drawn from, in days.
pub const MAX_WINDOW_DAYS: i64 = 731;
/// Longest review comment, in characters.
pub const MAX_COMMENT: usize = 2000;

/// How the records were chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum SampleMethod {
    /// `size` records drawn from the seed ([`pick_random`]).
    Random { size: usize, seed: u64 },
    /// These records, each of which must be in the population.
    Ids { ids: Vec<i64> },
    /// Every record of the population dated on these days (both included).
    Days { from: NaiveDate, to: NaiveDate },
}

impl SampleMethod {
    pub fn name(&self) -> &'static str {
        match self {
            SampleMethod::Random { .. } => "random",
            SampleMethod::Ids { .. } => "ids",
            SampleMethod::Days { .. } => "days",
        }
    }
}

/// A checked request for a sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRequest {
    pub population: Population,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub method: SampleMethod,
}

/// What the form sends, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleForm {
    pub population: String,
    pub from: String,
    pub to: String,
    /// `random`, `ids` or `days`.
    pub method: String,
    pub size: String,
    /// Empty: chosen at random (and recorded).
    pub seed: String,
    /// Record ids, separated by commas or spaces.
    pub ids: String,
    pub days_from: String,
    pub days_to: String,
}

fn date(field: &str, text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("{field} is required (a day, YYYY-MM-DD)."));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("{field} must be a day like 2026-07-01, not '{text}'."))
}

/// Checks the form; `random_seed` is used when the form names none.
pub fn check_sample(form: &SampleForm, random_seed: u64) -> Result<SampleRequest, String> {
    let population = SAMPLED.into_iter().find(|p| p.name() == form.population.trim()).ok_or_else(|| {
        let known: Vec<&str> = SAMPLED.iter().map(|p| p.name()).collect();
        format!("Samples are drawn from {}, not '{}'.", known.join(", "), form.population.trim())
    })?;
    let (from, to) = (date("From", &form.from)?, date("To", &form.to)?);
    if to < from {
        return Err(format!("The window ends ({to}) before it starts ({from})."));
    }
    if (to - from).num_days() >= MAX_WINDOW_DAYS {
        return Err(format!("A sample's window is at most {MAX_WINDOW_DAYS} days."));
    }
    let method = match form.method.trim() {
        "random" => {
            let size = form
                .size
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_SAMPLED).contains(n))
                .ok_or_else(|| format!("The sample size must be a whole number from 1 to {MAX_SAMPLED}."))?;
            let seed = match form.seed.trim() {
                "" => random_seed,
                text => text.parse::<u64>().map_err(|_| format!("The seed must be a whole number, not '{text}'."))?,
            };
            SampleMethod::Random { size, seed }
        }
        "ids" => {
            let mut ids = Vec::new();
            for part in form.ids.split([',', ' ', '\n', '\t']).map(str::trim).filter(|p| !p.is_empty()) {
                let id = part.parse::<i64>().map_err(|_| format!("Record ids are whole numbers, not '{part}'."))?;
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            if ids.is_empty() || ids.len() > MAX_SAMPLED {
                return Err(format!("Name from 1 to {MAX_SAMPLED} record ids."));
            }
            SampleMethod::Ids { ids }
        }
        "days" => {
            let (days_from, days_to) = (date("First day", &form.days_from)?, date("Last day", &form.days_to)?);
            if days_to < days_from || days_from < from || days_to > to {
                return Err(format!("The days must lie inside the window {from} to {to}, in order."));
            }
            SampleMethod::Days { from: days_from, to: days_to }
        }
        other => return Err(format!("Choose records at random, by id or by day, not '{other}'.")),
    };
    Ok(SampleRequest { population, from, to, method })
}

/// SplitMix64: a generator an auditor can re-implement in a few lines to re-perform a draw.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (bound > 0), by rejection so no value is favoured: a value at or
    /// above `zone = (2^64 - 1) - ((2^64 - 1) mod bound)` is drawn again.
    fn below(&mut self, bound: u64) -> u64 {
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let value = self.next();
            if value < zone {
                return value % bound;
            }
        }
    }
}

/// How a random sample is drawn, in words (recorded with every sample).
pub const RANDOM_METHOD: &str = "the population's record ids in ascending order; a Fisher-Yates shuffle driven by \
     SplitMix64 seeded with the seed, for i from 0 while i < size: j = i + (v mod (n - i)), where v is the next \
     SplitMix64 output below (2^64 - 1) - ((2^64 - 1) mod (n - i)) (outputs at or above it are skipped), swap i \
     and j; the sample is the first size ids, in that order";

/// `size` of `candidates` (record ids), reproducibly from `seed` ([`RANDOM_METHOD`]); all of them
/// when there are no more than `size`.
pub fn pick_random(candidates: &[i64], size: usize, seed: u64) -> Vec<i64> {
    let mut ids = candidates.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut rng = SplitMix64(seed);
    let n = ids.len();
    let take = size.min(n);
    for i in 0..take {
        let j = i + rng.below((n - i) as u64) as usize;
        ids.swap(i, j);
    }
    ids.truncate(take);
    ids
}

/// Where a sampled record's review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Drawn, not reviewed yet.
    Pending,
    /// Its evidence is in place, for the auditor to look at.
    Ready,
    Approved,
    /// An exception: the comment says what.
    Flagged,
}

impl ReviewStatus {
    pub const ALL: [ReviewStatus; 4] =
        [ReviewStatus::Pending, ReviewStatus::Ready, ReviewStatus::Approved, ReviewStatus::Flagged];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "pending",
            ReviewStatus::Ready => "ready",
            ReviewStatus::Approved => "approved",
            ReviewStatus::Flagged => "flagged",
        }
    }

    pub fn parse(text: &str) -> Option<ReviewStatus> {
        ReviewStatus::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }
}

/// Checks a review: one of ready, approved or flagged; a flag says why; comments are bounded.
pub fn check_review(status: &str, comment: &str) -> Result<(ReviewStatus, Option<String>), String> {
    let status = match ReviewStatus::parse(status) {
        Some(ReviewStatus::Pending) | None => {
            return Err(format!("A review is ready, approved or flagged, not '{}'.", status.trim()));
        }
        Some(status) => status,
    };
    let comment = comment.trim();
    if comment.chars().count() > MAX_COMMENT {
        return Err(format!("A comment is at most {MAX_COMMENT} characters."));
    }
    if comment.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("A comment cannot hold control characters.".to_owned());
    }
    if status == ReviewStatus::Flagged && comment.is_empty() {
        return Err("Say why the record is flagged.".to_owned());
    }
    Ok((status, (!comment.is_empty()).then(|| comment.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(method: &str) -> SampleForm {
        SampleForm {
            population: "incidents".into(),
            from: "2026-07-01".into(),
            to: "2026-09-30".into(),
            method: method.into(),
            size: "3".into(),
            seed: "42".into(),
            ids: "7, 3 7\n9".into(),
            days_from: "2026-08-01".into(),
            days_to: "2026-08-31".into(),
        }
    }

    #[test]
    fn a_random_draw_is_reproducible_distinct_and_from_the_population() {
        let population: Vec<i64> = (1..=100).rev().collect();
        let first = pick_random(&population, 10, 42);
        assert_eq!(first, pick_random(&population, 10, 42), "same seed, same sample");
        assert_ne!(first, pick_random(&population, 10, 43), "another seed, another sample");
        let mut distinct = first.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 10);
        assert!(first.iter().all(|id| population.contains(id)));
        // The candidates' order does not matter: they are sorted first.
        let mut shuffled = population.clone();
        shuffled.rotate_left(37);
        assert_eq!(pick_random(&shuffled, 10, 42), first);
        // A larger sample than the population is the whole population.
        assert_eq!(pick_random(&[5, 1, 3], 10, 1).len(), 3);
        assert!(pick_random(&[], 3, 1).is_empty());
    }

    #[test]
    fn the_draw_is_the_documented_algorithm() {
        // Re-performed outside Rust (a dozen lines of Python written from docs/sample-reviews.md),
        // so a change to the draw breaks an auditor's re-performance here first.
        let hundred: Vec<i64> = (1..=100).collect();
        assert_eq!(pick_random(&hundred, 5, 42), [14, 84, 87, 10, 3]);
        assert_eq!(pick_random(&[40, 30, 20, 10], 2, 7), [40, 20]);
    }

    #[test]
    fn each_method_is_read_from_the_form() {
        let random = check_sample(&form("random"), 9).unwrap();
        assert_eq!(random.method, SampleMethod::Random { size: 3, seed: 42 });
        let unseeded = check_sample(&SampleForm { seed: String::new(), ..form("random") }, 9).unwrap();
        assert_eq!(unseeded.method, SampleMethod::Random { size: 3, seed: 9 });
        assert_eq!(check_sample(&form("ids"), 9).unwrap().method, SampleMethod::Ids { ids: vec![7, 3, 9] });
        let days = check_sample(&form("days"), 9).unwrap().method;
        assert_eq!(days, SampleMethod::Days { from: "2026-08-01".parse().unwrap(), to: "2026-08-31".parse().unwrap() });
    }

    #[test]
    fn a_bad_form_says_what_is_wrong() {
        let cases = [
            (SampleForm { population: "slos".into(), ..form("random") }, "Samples are drawn from incidents"),
            (SampleForm { to: "2026-06-01".into(), ..form("random") }, "ends (2026-06-01) before it starts"),
            (SampleForm { to: "2028-07-01".into(), ..form("random") }, "at most 731 days"),
            (SampleForm { size: "0".into(), ..form("random") }, "from 1 to 500"),
            (SampleForm { seed: "-1".into(), ..form("random") }, "seed must be a whole number"),
            (SampleForm { ids: "7, x".into(), ..form("ids") }, "not 'x'"),
            (SampleForm { ids: " ".into(), ..form("ids") }, "from 1 to 500 record ids"),
            (SampleForm { days_to: "2026-10-05".into(), ..form("days") }, "inside the window"),
            (form("everything"), "not 'everything'"),
        ];
        for (form, says) in cases {
            let error = check_sample(&form, 1).unwrap_err();
            assert!(error.contains(says), "{error}");
        }
    }

    #[test]
    fn a_review_is_ready_approved_or_flagged_with_a_reason() {
        assert_eq!(check_review("approved", "  "), Ok((ReviewStatus::Approved, None)));
        assert_eq!(check_review("ready", "ticket attached"), Ok((ReviewStatus::Ready, Some("ticket attached".into()))));
        assert!(check_review("flagged", "").unwrap_err().contains("why"));
        assert!(check_review("pending", "").is_err());
        assert!(check_review("great", "").is_err());
        assert!(check_review("approved", &"x".repeat(MAX_COMMENT + 1)).is_err());
        assert!(check_review("approved", "bell\u{7}").is_err());
    }
}
