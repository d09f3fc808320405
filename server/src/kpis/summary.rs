//! A period's summary for a scope (the organisation or a team): its KPIs, the previous period's
//! for the deltas, its scorecards, top risks and a trend over the periods before it. What the
//! overview, the team page and the quarterly report are built from. The period itself is loaded
//! once; earlier (closed) periods come from the caches.

use std::sync::Arc;

use app::domain::kpi::{
    CauseRow, FollowUpCounts, IndicatorRow, KpiValues, Period, Scope, SeverityFilter, ToilBreakdown, compute_kpis,
    follow_up_counts, mitigation_counts, root_cause_breakdown, slo_met_rate_by_indicator, slo_statuses, toil_breakdown,
};
use std::collections::BTreeMap;

use app::domain::kpi::KpiId;
use app::domain::overview::{
    AutomationBreakdown, AutomationPanel, CapacityBreakdown, CapacityPanel, CostPanel, Headline, OncallHealth, Risks,
    SatisfactionPanel, ToilPanel, TrendSeries, annotate, automation_panel, capacity_panel, cost_panel, headlines,
    oncall_health, satisfaction_panel, toil_panel, top_risks, trend_series,
};
use app::domain::scorecard::Policy;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::{KpiCache, KpiQuery, LoadError, ScorecardFilter, ScorecardReport, cached_kpi_report, load, org_dataset};

/// Periods a trend shows, ending with the summarised one.
pub const TREND_PERIODS: usize = 8;

pub struct Summary {
    pub period: Period,
    /// The instant the figures are as of.
    pub as_of: DateTime<Utc>,
    pub kpis: KpiValues,
    /// `None` when the scope did not exist then.
    pub previous: Option<KpiValues>,
    pub scorecards: Arc<ScorecardReport>,
    pub risks: Risks,
    /// The period's incidents by root-cause category.
    pub causes: Vec<CauseRow>,
    /// The scope's SLOs met, by indicator kind.
    pub indicators: Vec<IndicatorRow>,
    /// The period's repeats by where their earlier incident's actions stood.
    pub follow_ups: FollowUpCounts,
    /// The period's toil by team and category, and the teams that did not report.
    pub toil: ToilBreakdown,
    /// The period's mitigations by maker and the failure modes left to automate.
    pub automation: AutomationBreakdown,
    /// The measured services, the least within headroom first, and capacity-caused incidents.
    pub capacity: CapacityBreakdown,
    /// `(period, KPIs)`, oldest first, ending with `period`; `None` where the scope had no
    /// services yet or the organisation no records.
    pub trend: Vec<(Period, Option<KpiValues>)>,
    /// The period ends before the organisation's first record: its figures are "no data".
    pub before_data: bool,
}

impl Summary {
    /// The headline figures, compared with the previous period (counts of a running period at
    /// their pace); all "no data" for a period before the first record.
    pub fn headlines(&self, targets: &BTreeMap<KpiId, f64>) -> Vec<Headline> {
        let current = (!self.before_data).then_some(&self.kpis);
        let mut figures = headlines(current, self.previous.as_ref(), self.period.elapsed(self.as_of));
        annotate(&mut figures, targets, self.year_ago());
        figures
    }

    /// The same quarter a year earlier, from the trend (quarters only: a month's trend does not
    /// reach back a year).
    fn year_ago(&self) -> Option<&KpiValues> {
        if !self.period.is_quarter() {
            return None;
        }
        let then = (0..4).fold(self.period, |p, _| p.previous());
        self.trend.iter().find(|(p, _)| *p == then).and_then(|(_, values)| values.as_ref())
    }

    /// The "On-call health" panel: its figures, trends and noisiest rules.
    pub fn oncall_health(&self, policy: &Policy) -> OncallHealth {
        let current = (!self.before_data).then_some(&self.kpis);
        let hours = policy.kpi.paging_hours.describe(self.period.calendar().time_zone());
        oncall_health(
            current,
            self.previous.as_ref(),
            self.period.elapsed(self.as_of),
            &self.trend,
            &policy.targets,
            hours,
        )
    }

    /// The "Toil" panel: its figures against the previous period, their trends and breakdown.
    pub fn toil_panel(&self, policy: &Policy) -> ToilPanel {
        let current = (!self.before_data).then_some(&self.kpis);
        toil_panel(
            current,
            self.previous.as_ref(),
            self.period.elapsed(self.as_of),
            &self.trend,
            &policy.targets,
            if self.before_data { ToilBreakdown::default() } else { self.toil.clone() },
        )
    }

    /// The "Capacity headroom" panel.
    pub fn capacity_panel(&self, policy: &Policy) -> CapacityPanel {
        let current = (!self.before_data).then_some(&self.kpis);
        capacity_panel(
            current,
            self.previous.as_ref(),
            self.period.elapsed(self.as_of),
            &self.trend,
            &policy.targets,
            if self.before_data { CapacityBreakdown::default() } else { self.capacity.clone() },
            policy.kpi.capacity_headroom,
        )
    }

    /// The "Cost to serve" panel.
    pub fn cost_panel(&self) -> CostPanel {
        let current = (!self.before_data).then_some(&self.kpis);
        cost_panel(current, self.previous.as_ref(), self.period.elapsed(self.as_of), &self.trend)
    }

    /// The "Stakeholder satisfaction" panel.
    pub fn satisfaction_panel(&self, policy: &Policy) -> SatisfactionPanel {
        let current = (!self.before_data).then_some(&self.kpis);
        satisfaction_panel(
            current,
            self.previous.as_ref(),
            self.period.elapsed(self.as_of),
            &self.trend,
            &policy.targets,
        )
    }

    /// The "Automation" panel.
    pub fn automation_panel(&self, policy: &Policy) -> AutomationPanel {
        let current = (!self.before_data).then_some(&self.kpis);
        automation_panel(
            current,
            self.previous.as_ref(),
            self.period.elapsed(self.as_of),
            &self.trend,
            &policy.targets,
            if self.before_data { AutomationBreakdown::default() } else { self.automation.clone() },
        )
    }

    /// The trend series, the running period marked as such.
    pub fn trends(&self) -> Vec<TrendSeries> {
        trend_series(&self.trend, self.period.elapsed(self.as_of).is_partial())
    }
}

/// The summary of `scope` (org or team) for `period`, cached like the reports it is made of. A
/// team without services is an [`LoadError::UnknownScope`], as in the KPI API.
pub async fn summary<C: ConnectionTrait>(
    db: &C,
    cache: &KpiCache,
    policy: &Policy,
    period: Period,
    scope: &Scope,
    now: DateTime<Utc>,
) -> Result<Arc<Summary>, LoadError> {
    let key = format!("{period}|{scope}|{}", policy.version);
    let keep = super::Keep {
        key: super::Keep::key("summary", &period, &scope.to_string()),
        settings: policy,
        with_exemptions: true,
    };
    let compute = Box::pin(compute(db, cache, policy, period, scope, now));
    super::cached_kept(db, cache, &period, key, keep, now, compute).await
}

async fn compute<C: ConnectionTrait>(
    db: &C,
    cache: &KpiCache,
    policy: &Policy,
    period: Period,
    scope: &Scope,
    now: DateTime<Utc>,
) -> Result<Summary, LoadError> {
    let severity = SeverityFilter::HIGH;
    let data = Box::pin(org_dataset(db, cache, &period, now)).await?;
    load::check_scope(&data, scope)?;
    // The load's own clock: an open period's load may be a little older than this request.
    // (The scorecards take the request's: a closed period's exemptions in force depend on it.)
    let (request_now, now) = (now, data.now);
    let inputs = data.scoped(scope);
    let kpis = compute_kpis(&period, now, &inputs, severity);
    let slos = slo_statuses(&period, now, &inputs);
    let risks = top_risks(&period, now, &inputs, &slos);
    let causes = root_cause_breakdown(&period, &inputs.incidents, inputs.repeat_index);
    let indicators = slo_met_rate_by_indicator(&period, &inputs.slos);
    let follow_ups = follow_up_counts(&period, &inputs.incidents, inputs.repeat_index, inputs.follow_ups);
    let toil = toil_breakdown(&period, &inputs.toil_reports, &inputs.toil_teams);
    let automation =
        AutomationBreakdown::of(mitigation_counts(&period, &inputs.incidents), inputs.failure_modes(&period, now));
    // The period's incidents by cause, read from the breakdown the team page shows.
    let capacity_caused: u64 = causes
        .iter()
        .filter(|row| row.category.as_deref().is_some_and(|c| c.eq_ignore_ascii_case("capacity")))
        .map(|row| row.incidents)
        .sum();
    let capacity_caused = u32::try_from(capacity_caused).unwrap_or(u32::MAX);
    let capacity = CapacityBreakdown::of(inputs.service_headroom(&period, now), capacity_caused);
    drop(inputs);
    drop(data);

    let filter = match scope {
        Scope::Team(team) => ScorecardFilter { team: Some(team.to_string()), ..Default::default() },
        Scope::Tier(tier) => ScorecardFilter { tier: Some(*tier), ..Default::default() },
        _ => ScorecardFilter::default(),
    };
    let scorecards = Box::pin(super::cached_scorecard_report(db, cache, policy, &period, &filter, request_now)).await?;

    let data_begins = super::first_record::current(db, cache).await?;
    let before_data = |p: &Period| data_begins.is_none_or(|first| p.end() <= first);
    let mut trend = Vec::with_capacity(TREND_PERIODS);
    let first = (1..TREND_PERIODS).fold(period, |p, _| p.previous());
    for earlier in first.through(&period.previous()) {
        if before_data(&earlier) {
            trend.push((earlier, None));
            continue;
        }
        let values = match scope {
            // Every team's figures of a period come from one roll-up, kept once for all teams:
            // a team first read loads no earlier period for itself. A team without services
            // then is not in it: a gap in its trend. (The organisation's are its KPI reports,
            // which the trend API stores and reads too.)
            Scope::Team(team) => {
                let rollups = Box::pin(super::cached_rollup_report(db, cache, &earlier, severity, now)).await?;
                rollups.teams.get(team).cloned()
            }
            _ => {
                let query = KpiQuery { period: earlier, scope: scope.clone(), severity };
                match Box::pin(cached_kpi_report(db, cache, &query, now)).await {
                    Ok(report) => Some(report.kpis.clone()),
                    // No services in the scope yet: a gap in its trend, not an error.
                    Err(LoadError::UnknownScope(_)) => None,
                    Err(other) => return Err(other),
                }
            }
        };
        trend.push((earlier, values));
    }
    let previous = trend.last().and_then(|(_, values)| values.clone());
    let before_data = before_data(&period);
    trend.push((period, (!before_data).then(|| kpis.clone())));
    Ok(Summary {
        period,
        as_of: period.as_of(now),
        kpis,
        previous,
        scorecards,
        risks,
        causes,
        follow_ups,
        toil,
        automation,
        capacity,
        indicators,
        trend,
        before_data,
    })
}
