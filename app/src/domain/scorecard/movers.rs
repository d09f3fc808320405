//! Score history and movers (docs/scorecard-policy.md §9): how services' levels and scores
//! changed between two periods, and which checks changed with them. Pure: the caller passes
//! both periods' scorecards.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::evaluate::{CheckStatus, Scorecard};
use super::listing::Standing;
use crate::domain::kpi::{Period, ReportingCalendar};

/// One check whose status differs between the two periods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckChange {
    pub check: String,
    pub title: String,
    pub before: CheckStatus,
    pub after: CheckStatus,
}

/// A service whose level or score changed since the previous period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mover {
    pub service: String,
    pub team: String,
    pub tier: u8,
    pub before: Standing,
    pub after: Standing,
    /// Levels gained (negative: lost); below Bronze counts as one level under Bronze.
    pub level_change: i8,
    /// Score points gained (negative: lost); `None` when either period has no score.
    pub score_change: Option<i16>,
    pub checks: Vec<CheckChange>,
}

/// The services that moved most between two periods, each list biggest move first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Movers {
    pub improved: Vec<Mover>,
    pub regressed: Vec<Mover>,
    /// Services in both periods whose level and score are unchanged.
    pub unchanged: usize,
    /// Services with a scorecard now but none in the previous period (new, or not yet active).
    pub new_services: usize,
}

/// Levels as numbers: below Bronze 0, Bronze 1, Silver 2, Gold 3.
pub fn rank(level: Option<super::Level>) -> i8 {
    level.map_or(0, |l| l as i8 + 1)
}

/// Each service of `current` against its scorecard in `previous`: the `limit` biggest
/// improvements and regressions. A level change outranks any score change; then the larger
/// score change; ties by service slug. A service whose level is unchanged and whose score is
/// unknown in either period has not measurably moved.
pub fn movers<'a>(
    current: impl IntoIterator<Item = &'a Scorecard>,
    previous: impl IntoIterator<Item = &'a Scorecard>,
    limit: usize,
) -> Movers {
    let before: HashMap<&str, &Scorecard> = previous.into_iter().map(|c| (c.service.as_str(), c)).collect();
    let mut result = Movers::default();
    // Ranked on the cheap figures first: only the movers kept are described (pages call this
    // on every view of a large organisation).
    let (mut up, mut down): (Vec<Ranked<'a>>, Vec<Ranked<'a>>) = (Vec::new(), Vec::new());
    for now in current {
        let Some(then) = before.get(now.service.as_str()).copied() else {
            result.new_services += 1;
            continue;
        };
        let level_change = rank(now.level) - rank(then.level);
        let score_change = now.score.zip(then.score).map(|(a, b)| i16::from(a) - i16::from(b));
        let ranked = Ranked { now, then, level_change, score_change };
        match ranked.direction() {
            0 => result.unchanged += 1,
            d if d > 0 => up.push(ranked),
            _ => down.push(ranked),
        }
    }
    for (list, out) in [(&mut up, &mut result.improved), (&mut down, &mut result.regressed)] {
        list.sort_by(|a, b| b.size().cmp(&a.size()).then_with(|| a.now.service.cmp(&b.now.service)));
        out.extend(list.iter().take(limit).map(Ranked::described));
    }
    result
}

/// A service's move before it is described.
struct Ranked<'a> {
    now: &'a Scorecard,
    then: &'a Scorecard,
    level_change: i8,
    score_change: Option<i16>,
}

impl Ranked<'_> {
    /// Up (1), down (−1) or not at all (0): the level decides, else the score.
    fn direction(&self) -> i8 {
        if self.level_change != 0 { self.level_change.signum() } else { self.score_change.unwrap_or(0).signum() as i8 }
    }

    /// A level change outranks any score change.
    fn size(&self) -> (i8, i16) {
        (self.level_change.abs(), self.score_change.map_or(0, i16::abs))
    }

    fn described(&self) -> Mover {
        let (now, then) = (self.now, self.then);
        let earlier: HashMap<&str, CheckStatus> = then.checks.iter().map(|c| (c.id.as_str(), c.status)).collect();
        let checks = now
            .checks
            .iter()
            .filter_map(|c| {
                let was = *earlier.get(c.id.as_str())?;
                (was != c.status).then(|| CheckChange {
                    check: c.id.as_str().to_owned(),
                    title: c.title.clone(),
                    before: was,
                    after: c.status,
                })
            })
            .collect();
        Mover {
            service: now.service.to_string(),
            team: now.team.to_string(),
            tier: now.tier,
            before: Standing { level: then.level, score: then.score },
            after: Standing { level: now.level, score: now.score },
            level_change: self.level_change,
            score_change: self.score_change,
            checks,
        }
    }
}

/// The movers of a period and scope against the previous period, as the API and pages show
/// them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodMovers {
    pub period: String,
    pub previous: String,
    /// The period is still running: levels and scores so far against the previous period's
    /// final ones.
    pub partial: bool,
    /// `false` when the previous period ended before the first record: nothing to compare with,
    /// and `movers` is empty.
    pub previous_has_data: bool,
    /// The previous period's scorecards are being computed (pages only): nothing compared yet.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
    #[serde(flatten)]
    pub movers: Movers,
}

/// One period of a service's history: its level and score then, `None` for a period in which it
/// had no scorecard (not yet active, or before the first record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPoint {
    pub period: String,
    /// The period is still running: its level and score are so far, not final.
    pub partial: bool,
    pub standing: Option<Standing>,
    /// Its scorecards are being computed (pages only): reload in a moment.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
}

/// Most periods one history request covers.
pub const MAX_HISTORY_PERIODS: usize = 24;

/// Periods a history shows by default, ending with the current one.
pub const DEFAULT_HISTORY_PERIODS: usize = 8;

/// The periods from `from` through `to`, both of one kind (months or quarters). `to` defaults to
/// the period of `from`'s kind containing `now` (the current quarter without either); `from` to
/// the [`DEFAULT_HISTORY_PERIODS`] periods ending with `to`. At most [`MAX_HISTORY_PERIODS`].
pub fn history_periods(
    from: Option<Period>,
    to: Option<Period>,
    calendar: ReportingCalendar,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Period>, String> {
    let current = |quarter: bool| {
        if quarter { Period::quarter_containing(now, calendar) } else { Period::month_containing(now, calendar) }
    };
    let to = to.unwrap_or_else(|| current(from.is_none_or(|f| f.is_quarter())));
    let from = match from {
        Some(from) => from,
        None => (1..DEFAULT_HISTORY_PERIODS).fold(to, |p, _| p.previous()),
    };
    if from.is_quarter() != to.is_quarter() {
        return Err(format!("from and to must both be months or both quarters, got {from} and {to}"));
    }
    if from.start() > to.start() {
        return Err(format!("from ({from}) must not come after to ({to})"));
    }
    let mut periods = vec![from];
    while let Some(last) = periods.last().copied()
        && last != to
    {
        if periods.len() == MAX_HISTORY_PERIODS {
            return Err(format!("a history covers at most {MAX_HISTORY_PERIODS} periods; {from} to {to} is more"));
        }
        periods.push(last.next());
    }
    Ok(periods)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::domain::records::Slug;
    use crate::domain::scorecard::{CheckId, CheckResult, Level};

    fn check(id: CheckId, status: CheckStatus) -> CheckResult {
        CheckResult {
            id,
            level: Level::Bronze,
            title: id.as_str().to_owned(),
            weight: 1,
            status,
            value: serde_json::Value::Null,
            threshold: serde_json::Value::Null,
            explanation: String::new(),
            waiver: None,
            judged: None,
        }
    }

    fn card(service: &str, level: Option<Level>, score: Option<u8>, checks: Vec<CheckResult>) -> Scorecard {
        Scorecard {
            service: Slug::parse(service).unwrap(),
            team: Slug::parse("shop").unwrap(),
            tier: 1,
            policy_version: "test".into(),
            as_of: Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap(),
            level,
            score,
            checks,
        }
    }

    #[test]
    fn movers_rank_level_changes_before_score_changes_and_name_the_checks_that_changed() {
        use CheckStatus::{Fail, Pass};
        let dr = |s| vec![check(CheckId::DrTestRecent, s), check(CheckId::ActiveSlo, Pass)];
        let previous = vec![
            card("cart", Some(Level::Silver), Some(80), dr(Pass)),
            card("search", Some(Level::Bronze), Some(50), dr(Pass)),
            card("checkout", Some(Level::Gold), Some(100), dr(Pass)),
            card("wiki", Some(Level::Bronze), Some(60), dr(Pass)),
            card("ledger", None, None, dr(Fail)),
            card("queue", Some(Level::Bronze), Some(40), dr(Fail)),
        ];
        let current = vec![
            // Silver → Bronze, −20: a level lost.
            card("cart", Some(Level::Bronze), Some(60), dr(Fail)),
            // Same level, −30: a bigger score drop ranks below a level drop.
            card("search", Some(Level::Bronze), Some(20), dr(Pass)),
            // Unchanged.
            card("checkout", Some(Level::Gold), Some(100), dr(Pass)),
            // Same level, +5.
            card("wiki", Some(Level::Bronze), Some(65), dr(Pass)),
            // Below Bronze → Silver: two levels gained, no earlier score.
            card("ledger", Some(Level::Silver), Some(90), dr(Pass)),
            // Level and score unchanged while a check changed: not a mover.
            card("queue", Some(Level::Bronze), Some(40), dr(Pass)),
            // New this period.
            card("payments", Some(Level::Gold), Some(100), dr(Pass)),
        ];
        let result = movers(&current, &previous, 10);
        let names = |list: &[Mover]| list.iter().map(|m| m.service.clone()).collect::<Vec<_>>();
        assert_eq!(names(&result.regressed), ["cart", "search"]);
        assert_eq!(names(&result.improved), ["ledger", "wiki"]);
        assert_eq!((result.unchanged, result.new_services), (2, 1));

        let cart = &result.regressed[0];
        assert_eq!((cart.level_change, cart.score_change), (-1, Some(-20)));
        assert_eq!(cart.before, Standing { level: Some(Level::Silver), score: Some(80) });
        assert_eq!(
            cart.checks,
            [CheckChange { check: "dr_test_recent".into(), title: "dr_test_recent".into(), before: Pass, after: Fail }]
        );
        let ledger = &result.improved[0];
        assert_eq!((ledger.level_change, ledger.score_change), (2, None));
        assert!(result.regressed[1].checks.is_empty());

        let top = movers(&current, &previous, 1);
        assert_eq!((names(&top.regressed), names(&top.improved)), (vec!["cart".to_owned()], vec!["ledger".to_owned()]));
    }

    #[test]
    fn a_history_spans_one_kind_of_period_eight_by_default_and_at_most_twenty_four() {
        use crate::domain::kpi::period::tests::{q, utc};
        let calendar = q("2026-Q3").calendar();
        let now = utc("2026-11-20T12:00:00Z");
        let names = |r: Result<Vec<Period>, String>| r.unwrap().iter().map(ToString::to_string).collect::<Vec<_>>();
        let parse = |text: &str| Some(Period::parse(text, calendar).unwrap());
        assert_eq!(
            names(history_periods(None, None, calendar, now)),
            ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
        );
        assert_eq!(names(history_periods(parse("2026-09"), None, calendar, now)), ["2026-09", "2026-10", "2026-11"]);
        assert_eq!(names(history_periods(None, parse("2026-02"), calendar, now)).len(), 8);
        assert_eq!(names(history_periods(parse("2026-Q2"), parse("2026-Q2"), calendar, now)), ["2026-Q2"]);
        let error = |from: &str, to: &str| history_periods(parse(from), parse(to), calendar, now).unwrap_err();
        assert!(error("2026-Q3", "2026-Q1").contains("must not come after"));
        assert!(error("2026-01", "2026-Q3").contains("both be months or both quarters"));
        assert!(error("2020-01", "2026-10").contains("at most 24 periods"));
        assert_eq!(history_periods(parse("2024-11"), parse("2026-10"), calendar, now).unwrap().len(), 24);
    }
}
