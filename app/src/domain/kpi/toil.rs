//! Toil (docs/kpis.md §10b): the share of a team's working hours spent on manual, repetitive
//! operational work, from the reports teams send for a week or a month (`toil-reports`).
//!
//! A report counts in the period holding its *counted day*: a month's first day, a week's
//! Thursday (the day that puts most of the week in one month or quarter, as ISO weeks do). A team
//! that reports a month as a whole and also some of its weeks would count those hours twice, so a
//! week whose counted day falls in a month the same team reported is left out.
//!
//! Toil is a team figure: it has no value for a service or a tier scope.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::period::Period;
use super::scope::Service;
use crate::domain::records::{Slug, ToilMethod, ToilSpan};

/// One team's toil report, as the KPIs see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToilReport {
    pub team: Slug,
    pub span: ToilSpan,
    pub period_start: NaiveDate,
    pub hours_total: f64,
    pub hours_toil: f64,
    pub category: Option<String>,
    pub method: ToilMethod,
}

impl ToilReport {
    /// The day that decides the period a report counts in.
    pub fn counted_day(&self) -> NaiveDate {
        match self.span {
            ToilSpan::Week => self.period_start.checked_add_days(Days::new(3)).unwrap_or(self.period_start),
            ToilSpan::Month => self.period_start,
        }
    }

    /// `(team, span, period_start)`, the report's natural key.
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.team, self.span, self.period_start)
    }
}

/// How a report of the period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToilStanding {
    Counted,
    /// A week of a month the team also reported as a whole.
    CoveredByMonth,
}

/// The reports whose counted day is in the period, in team and date order, each with its
/// standing.
pub fn toil_reports_in<'a, R: std::borrow::Borrow<ToilReport>>(
    period: &Period,
    reports: &'a [R],
) -> Vec<(&'a ToilReport, ToilStanding)> {
    let mut in_period: Vec<&ToilReport> =
        reports.iter().map(std::borrow::Borrow::borrow).filter(|r| period.contains_day(r.counted_day())).collect();
    in_period.sort_by(|a, b| (&a.team, a.period_start, a.span).cmp(&(&b.team, b.period_start, b.span)));
    let months: HashSet<(&Slug, i32, u32)> = in_period
        .iter()
        .filter(|r| r.span == ToilSpan::Month)
        .map(|r| (&r.team, chrono::Datelike::year(&r.period_start), chrono::Datelike::month(&r.period_start)))
        .collect();
    in_period
        .into_iter()
        .map(|r| {
            let day = r.counted_day();
            let month = (&r.team, chrono::Datelike::year(&day), chrono::Datelike::month(&day));
            let standing = if r.span == ToilSpan::Week && months.contains(&month) {
                ToilStanding::CoveredByMonth
            } else {
                ToilStanding::Counted
            };
            (r, standing)
        })
        .collect()
}

/// Toil hours and working hours summed over counted reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ToilHours {
    pub toil: f64,
    pub total: f64,
    pub reports: u32,
}

impl ToilHours {
    fn add(&mut self, report: &ToilReport) {
        self.toil += report.hours_toil;
        self.total += report.hours_total;
        self.reports += 1;
    }

    /// Toil ÷ total; `None` without a report.
    pub fn ratio(&self) -> Option<f64> {
        (self.reports > 0 && self.total > 0.0).then(|| self.toil / self.total)
    }
}

fn counted_hours<R: std::borrow::Borrow<ToilReport>>(period: &Period, reports: &[R]) -> ToilHours {
    let mut hours = ToilHours::default();
    for (report, standing) in toil_reports_in(period, reports) {
        if standing == ToilStanding::Counted {
            hours.add(report);
        }
    }
    hours
}

/// Σ toil hours ÷ Σ working hours over the period's counted reports of the scope's teams; `None`
/// without a report.
pub fn toil_ratio<R: std::borrow::Borrow<ToilReport>>(period: &Period, reports: &[R]) -> Option<f64> {
    counted_hours(period, reports).ratio()
}

/// The teams expected to report: those owning at least one active service among `services`.
pub fn reporting_teams<S: std::borrow::Borrow<Service>>(services: &[S]) -> BTreeSet<Slug> {
    services.iter().map(std::borrow::Borrow::borrow).filter(|s| s.active).map(|s| s.team.clone()).collect()
}

/// Teams of `teams` with at least one counted report in the period ÷ `teams`; `None` without
/// a team, and when no team of the organisation (`every_report`) reported in the period: toil
/// was not collected then, which is no data rather than 0 %.
pub fn toil_reporting_coverage<R: std::borrow::Borrow<ToilReport>>(
    period: &Period,
    reports: &[R],
    teams: &BTreeSet<Slug>,
    every_report: &[ToilReport],
) -> Option<f64> {
    // Teams first: a service or tier scope (no team) never scans the organisation's reports.
    if teams.is_empty() || !every_report.iter().any(|r| period.contains_day(r.counted_day())) {
        return None;
    }
    let reported: HashSet<&Slug> = toil_reports_in(period, reports)
        .into_iter()
        .filter(|(_, standing)| *standing == ToilStanding::Counted)
        .map(|(r, _)| &r.team)
        .collect();
    let covered = teams.iter().filter(|t| reported.contains(t)).count();
    Some(covered as f64 / teams.len() as f64)
}

/// One team's toil in a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamToil {
    pub team: String,
    pub hours: ToilHours,
    /// The methods its counted reports name, in words ("survey, time tracking").
    pub methods: String,
}

/// The toil of a period by team and by category, and the teams that sent nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToilBreakdown {
    /// Teams with counted reports, most toil (by ratio) first.
    pub teams: Vec<TeamToil>,
    /// Toil hours by the category reports name (`None`: not named), most hours first.
    pub categories: Vec<(Option<String>, f64)>,
    /// Teams expected to report that sent no report counted in the period.
    pub not_reporting: Vec<String>,
}

/// The breakdown of the period's counted reports; `teams` are those expected to report.
pub fn toil_breakdown<R: std::borrow::Borrow<ToilReport>>(
    period: &Period,
    reports: &[R],
    teams: &BTreeSet<Slug>,
) -> ToilBreakdown {
    let mut by_team: BTreeMap<&Slug, (ToilHours, BTreeSet<ToilMethod>)> = BTreeMap::new();
    let mut by_category: BTreeMap<Option<String>, f64> = BTreeMap::new();
    for (report, standing) in toil_reports_in(period, reports) {
        if standing != ToilStanding::Counted {
            continue;
        }
        let entry = by_team.entry(&report.team).or_default();
        entry.0.add(report);
        entry.1.insert(report.method);
        let category = report.category.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
        *by_category.entry(category).or_default() += report.hours_toil;
    }
    let mut team_rows: Vec<TeamToil> = by_team
        .iter()
        .map(|(team, (hours, methods))| TeamToil {
            team: team.to_string(),
            hours: *hours,
            methods: methods.iter().map(|m| m.as_str().replace('_', " ")).collect::<Vec<_>>().join(", "),
        })
        .collect();
    team_rows.sort_by(|a, b| {
        let ratio = |t: &TeamToil| t.hours.ratio().unwrap_or(0.0);
        ratio(b).total_cmp(&ratio(a)).then_with(|| a.team.cmp(&b.team))
    });
    let mut categories: Vec<(Option<String>, f64)> = by_category.into_iter().filter(|(_, h)| *h > 0.0).collect();
    categories.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let not_reporting = teams.iter().filter(|t| !by_team.contains_key(t)).map(ToString::to_string).collect();
    ToilBreakdown { teams: team_rows, categories, not_reporting }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::q;
    use crate::domain::kpi::scope::tests::{service, slug};

    fn report(team: &str, span: ToilSpan, start: &str, total: f64, toil: f64) -> ToilReport {
        ToilReport {
            team: slug(team),
            span,
            period_start: start.parse().unwrap(),
            hours_total: total,
            hours_toil: toil,
            category: None,
            method: ToilMethod::Survey,
        }
    }

    #[test]
    fn the_ratio_sums_hours_and_counts_a_week_in_the_quarter_of_its_thursday() {
        // Q4 2026 runs from Thu 1 Oct: the week of Mon 28 Sep counts in Q4 (its Thursday is 1 Oct),
        // the week of Mon 28 Dec as well (Thursday 31 Dec); the week of Mon 21 Sep in Q3.
        let reports = [
            report("red", ToilSpan::Week, "2026-09-28", 100.0, 50.0),
            report("red", ToilSpan::Week, "2026-12-28", 100.0, 10.0),
            report("red", ToilSpan::Week, "2026-09-21", 100.0, 100.0),
            report("blue", ToilSpan::Month, "2026-11-01", 200.0, 20.0),
        ];
        // (50 + 10 + 20) ÷ (100 + 100 + 200)
        assert_eq!(toil_ratio(&q("2026-Q4"), &reports), Some(80.0 / 400.0));
        assert_eq!(toil_ratio(&q("2026-Q3"), &reports), Some(1.0));
        assert_eq!(toil_ratio(&q("2026-Q2"), &reports), None, "no report is no data, never 0 %");
    }

    #[test]
    fn a_week_of_a_month_the_team_reported_whole_is_not_counted_twice() {
        let reports = [
            report("red", ToilSpan::Month, "2026-11-01", 160.0, 40.0),
            report("red", ToilSpan::Week, "2026-11-09", 40.0, 40.0),
            report("blue", ToilSpan::Week, "2026-11-09", 40.0, 4.0),
        ];
        let standings: Vec<ToilStanding> = toil_reports_in(&q("2026-Q4"), &reports).iter().map(|r| r.1).collect();
        assert_eq!(standings, [ToilStanding::Counted, ToilStanding::Counted, ToilStanding::CoveredByMonth]);
        assert_eq!(toil_ratio(&q("2026-Q4"), &reports), Some(44.0 / 200.0));
    }

    #[test]
    fn coverage_counts_teams_owning_active_services_that_reported() {
        let services = [
            service("a", "red", 0, true),
            service("b", "blue", 1, true),
            service("c", "green", 2, true),
            service("d", "gone", 2, false),
        ];
        let teams = reporting_teams(&services);
        assert_eq!(teams.len(), 3, "a team with only retired services is not expected to report");
        let reports = [
            report("red", ToilSpan::Week, "2026-10-05", 40.0, 10.0),
            report("gone", ToilSpan::Week, "2026-10-05", 40.0, 10.0),
            report("blue", ToilSpan::Week, "2026-06-01", 40.0, 10.0),
        ];
        assert_eq!(toil_reporting_coverage(&q("2026-Q4"), &reports, &teams, &reports), Some(1.0 / 3.0));
        assert_eq!(toil_reporting_coverage(&q("2026-Q4"), &reports, &BTreeSet::new(), &reports), None);
        let red_only: Vec<&ToilReport> = reports.iter().filter(|r| r.team.as_str() == "red").collect();
        let red = BTreeSet::from([slug("red")]);
        assert_eq!(toil_reporting_coverage(&q("2026-Q2"), &red_only, &red, &reports), Some(0.0), "blue reported");
        assert_eq!(toil_reporting_coverage(&q("2026-Q1"), &red_only, &red, &reports), None, "nobody reported");
        let breakdown = toil_breakdown(&q("2026-Q4"), &reports, &teams);
        assert_eq!(breakdown.not_reporting, ["blue", "green"]);
        assert_eq!(breakdown.teams.iter().map(|t| t.team.as_str()).collect::<Vec<_>>(), ["gone", "red"]);
    }

    #[test]
    fn the_breakdown_puts_the_most_toil_first_and_sums_categories() {
        let mut a = report("red", ToilSpan::Month, "2026-10-01", 100.0, 10.0);
        a.category = Some("deploys".into());
        let mut b = report("blue", ToilSpan::Month, "2026-10-01", 100.0, 60.0);
        b.category = Some("tickets".into());
        b.method = ToilMethod::TicketLabels;
        let mut c = report("blue", ToilSpan::Month, "2026-11-01", 100.0, 20.0);
        c.category = Some("deploys".into());
        let teams = reporting_teams(&[service("x", "red", 0, true), service("y", "blue", 0, true)]);
        let breakdown = toil_breakdown(&q("2026-Q4"), &[a, b, c], &teams);
        assert_eq!(breakdown.teams[0].team, "blue");
        assert_eq!(breakdown.teams[0].hours, ToilHours { toil: 80.0, total: 200.0, reports: 2 });
        assert_eq!(breakdown.teams[0].methods, "survey, ticket labels");
        assert_eq!(breakdown.categories, [(Some("tickets".to_owned()), 60.0), (Some("deploys".to_owned()), 30.0)]);
        assert!(breakdown.not_reporting.is_empty());
    }
}
