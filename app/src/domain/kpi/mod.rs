//! The KPI engine of docs/kpis.md: pure functions from a period (and the caller's `now`) and an
//! already-loaded population to the pinned KPI values. Each KPI function applies its own
//! population rule (incidents by `started_at`, postmortem coverage by `mitigated_at`, actions
//! by due date, DR tests by `performed_at`, deployments by `deployed_at`, measurements by day),
//! so callers may pass a superset; scoping is done beforehand with [`scope::ServiceDirectory`]
//! or [`Dataset::scoped`].
//!
//! Rates, shares and durations of an empty population are `None` ("no data"), never 0; counts
//! and sums over an empty population are 0.

pub mod actions;
pub mod changes;
pub mod dr;
pub mod incidents;
pub mod period;
pub mod population;
pub mod quality;
pub mod scope;
pub mod slo;
pub mod stats;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use actions::{Action, OverdueActions, action_on_time_rate, overdue_actions};
pub use changes::{Deployment, change_failure_rate, deployment_frequency};
pub use dr::{DrTest, dr_coverage, dr_pass_rate, rpo_compliance, rto_compliance};
pub use incidents::{
    CustomerImpact, DurationKind, Incident, RepeatIndex, SeverityFilter, customer_impact_minutes, high_sev_count,
    impact_duration, incident_count, mtta, mttd, mttr, postmortem_coverage, repeat_incident_rate,
    repeat_incident_rate_indexed, time_to_resolve,
};
pub use period::{Period, PeriodError, PeriodSpan, ReportingCalendar};
pub use population::{Population, PopulationRow, RecordView, population};
pub use quality::{DataQuality, data_quality};
pub use scope::{Scope, ScopeError, Service, ServiceDirectory, ServiceRecord};
pub use slo::{
    BurnRates, DayRange, Slo, SloAttainment, SloData, SloDay, SloMeasurement, SloStatus, SloTotals,
    budget_exhausted_count, burn_rate, daily_series, error_budget_remaining, meets_objective, slo_attainment,
    slo_coverage, slo_day_ranges, slo_met_rate, slo_status,
};
pub use stats::DurationStats;

use crate::domain::records::{Severity, Slug};

/// The version of the KPI definitions implemented here; recorded with every published value.
/// Bump it whenever any definition (or population rule) changes.
pub const KPI_DEFINITIONS_VERSION: &str = "1";

/// The pinned KPI ids of docs/kpis.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KpiId {
    SloAttainment,
    SloMetRate,
    ErrorBudgetRemaining,
    BudgetExhaustedCount,
    BurnRate,
    SloCoverage,
    HighSevCount,
    IncidentCount,
    CustomerImpactMinutes,
    Mttd,
    Mtta,
    Mttr,
    ImpactDuration,
    TimeToResolve,
    RepeatIncidentRate,
    PostmortemCoverage,
    ActionOnTimeRate,
    OverdueActions,
    DrPassRate,
    RtoCompliance,
    RpoCompliance,
    DrCoverage,
    ChangeFailureRate,
    DeploymentFrequency,
    DataQuality,
}

impl KpiId {
    pub const ALL: [KpiId; 25] = [
        KpiId::SloAttainment,
        KpiId::SloMetRate,
        KpiId::ErrorBudgetRemaining,
        KpiId::BudgetExhaustedCount,
        KpiId::BurnRate,
        KpiId::SloCoverage,
        KpiId::HighSevCount,
        KpiId::IncidentCount,
        KpiId::CustomerImpactMinutes,
        KpiId::Mttd,
        KpiId::Mtta,
        KpiId::Mttr,
        KpiId::ImpactDuration,
        KpiId::TimeToResolve,
        KpiId::RepeatIncidentRate,
        KpiId::PostmortemCoverage,
        KpiId::ActionOnTimeRate,
        KpiId::OverdueActions,
        KpiId::DrPassRate,
        KpiId::RtoCompliance,
        KpiId::RpoCompliance,
        KpiId::DrCoverage,
        KpiId::ChangeFailureRate,
        KpiId::DeploymentFrequency,
        KpiId::DataQuality,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KpiId::SloAttainment => "slo_attainment",
            KpiId::SloMetRate => "slo_met_rate",
            KpiId::ErrorBudgetRemaining => "error_budget_remaining",
            KpiId::BudgetExhaustedCount => "budget_exhausted_count",
            KpiId::BurnRate => "burn_rate",
            KpiId::SloCoverage => "slo_coverage",
            KpiId::HighSevCount => "high_sev_count",
            KpiId::IncidentCount => "incident_count",
            KpiId::CustomerImpactMinutes => "customer_impact_minutes",
            KpiId::Mttd => "mttd",
            KpiId::Mtta => "mtta",
            KpiId::Mttr => "mttr",
            KpiId::ImpactDuration => "impact_duration",
            KpiId::TimeToResolve => "time_to_resolve",
            KpiId::RepeatIncidentRate => "repeat_incident_rate",
            KpiId::PostmortemCoverage => "postmortem_coverage",
            KpiId::ActionOnTimeRate => "action_on_time_rate",
            KpiId::OverdueActions => "overdue_actions",
            KpiId::DrPassRate => "dr_pass_rate",
            KpiId::RtoCompliance => "rto_compliance",
            KpiId::RpoCompliance => "rpo_compliance",
            KpiId::DrCoverage => "dr_coverage",
            KpiId::ChangeFailureRate => "change_failure_rate",
            KpiId::DeploymentFrequency => "deployment_frequency",
            KpiId::DataQuality => "data_quality",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }

    /// The pinned definition (docs/kpis.md), as shown beside drilled-down values.
    pub fn definition(self) -> &'static str {
        match self {
            KpiId::SloAttainment => "Per SLO: Σgood ÷ Σtotal over the period's days; met if ≥ objective.",
            KpiId::SloMetRate => "SLOs met ÷ SLOs with data in the period.",
            KpiId::ErrorBudgetRemaining => {
                "Per SLO, over the last window_days days: 1 − Σbad ÷ ((1 − objective) × Σtotal); may go negative."
            }
            KpiId::BudgetExhaustedCount => "SLOs whose error budget remaining is ≤ 0.",
            KpiId::BurnRate => {
                "Per SLO: (Σbad ÷ Σtotal) ÷ (1 − objective) over the last 1, 7 and window_days days \
                 (listed: the window)."
            }
            KpiId::SloCoverage => {
                "Active tier-0/1 services with ≥ 1 SLO whose measurements cover ≥ 90 % of the period's days ÷ \
                 active tier-0/1 services."
            }
            KpiId::HighSevCount => "SEV0 + SEV1 incidents started in the period.",
            KpiId::IncidentCount => "Incidents started in the period, by severity.",
            KpiId::CustomerImpactMinutes => {
                "Σ over customer-impacting incidents of customer_impact_minutes when given, else mitigated − \
                 started; incidents with neither are left out."
            }
            KpiId::Mttd => "detected − started, over high-severity incidents by default (mean, median, p90).",
            KpiId::Mtta => "acknowledged − detected, over high-severity incidents by default (mean, median, p90).",
            KpiId::Mttr => {
                "Time to restore: mitigated − detected, over high-severity incidents by default (mean, median, p90)."
            }
            KpiId::ImpactDuration => "mitigated − started, over high-severity incidents by default.",
            KpiId::TimeToResolve => "resolved − started, over high-severity incidents by default.",
            KpiId::RepeatIncidentRate => {
                "Incidents with repeat_of set, or sharing a service and a non-empty root-cause category with \
                 another incident started in the 90 days before ÷ incidents."
            }
            KpiId::PostmortemCoverage => {
                "High-severity incidents mitigated in the period with a published postmortem, published_at ≤ \
                 mitigated + 7 days ÷ high-severity incidents mitigated in the period."
            }
            KpiId::ActionOnTimeRate => {
                "Actions due in the period (wont_do excluded) done before the end of their due day ÷ those actions."
            }
            KpiId::OverdueActions => {
                "Actions open at the as-of instant with a due day before the as-of day, by days overdue \
                 (1–30, 31–90, > 90)."
            }
            KpiId::DrPassRate => "DR tests with outcome pass ÷ DR tests performed in the period.",
            KpiId::RtoCompliance => {
                "DR tests in the period with achieved RTO ≤ target ÷ tests in the period that have both values."
            }
            KpiId::RpoCompliance => {
                "DR tests in the period with achieved RPO ≤ target ÷ tests in the period that have both values."
            }
            KpiId::DrCoverage => {
                "Active tier-0/1 services with a passing DR test in [as-of − interval, as-of) (tier 0: 90 days, \
                 tier 1: 180 days) ÷ active tier-0/1 services."
            }
            KpiId::ChangeFailureRate => {
                "Deployments rolled back or failed, or linked to an incident ÷ deployments in the period."
            }
            KpiId::DeploymentFrequency => "Deployments in the period ÷ (days in the period ÷ 7).",
            KpiId::DataQuality => {
                "Shares of complete records: high-severity incident timestamps, active SLOs with data, \
                 follow-up actions with a due date."
            }
        }
    }
}

impl std::fmt::Display for KpiId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for KpiId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Everything the KPIs of one period may look at, for the whole organisation. SLOs carry their
/// measurements of the period and of the window before its as-of day (daily rows, or totals
/// over [`slo_day_ranges`]); incidents should
/// include those started up to 90 days before the period (for implicit repeats); actions, DR
/// tests and deployments may be of any period.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub services: Vec<Service>,
    pub slos: Vec<Slo>,
    pub incidents: Vec<Incident>,
    pub actions: Vec<Action>,
    pub dr_tests: Vec<DrTest>,
    pub deployments: Vec<Deployment>,
    /// The incidents indexed for repeat detection, built on first use (after the dataset is
    /// complete: changing `incidents` afterwards is not seen).
    pub repeat_index: std::sync::OnceLock<RepeatIndex>,
}

/// The populations of one scope, borrowed from a [`Dataset`].
#[derive(Debug, Clone)]
pub struct ScopedInputs<'a> {
    pub services: Vec<&'a Service>,
    pub slos: Vec<&'a Slo>,
    pub incidents: Vec<&'a Incident>,
    /// Every incident of the dataset, whatever the scope: an earlier occurrence only has to
    /// share a service with an incident to make it a repeat.
    pub incident_history: &'a [Incident],
    /// `incident_history` indexed for repeat detection.
    pub repeat_index: &'a RepeatIndex,
    pub actions: Vec<&'a Action>,
    pub dr_tests: Vec<&'a DrTest>,
    pub deployments: Vec<&'a Deployment>,
}

impl Dataset {
    pub fn directory(&self) -> ServiceDirectory {
        ServiceDirectory::new(&self.services)
    }

    /// The incidents indexed for repeat detection (built once).
    pub fn repeat_index(&self) -> &RepeatIndex {
        self.repeat_index.get_or_init(|| RepeatIndex::new(&self.incidents))
    }

    /// The populations of every team at once (one pass over the records, not one per team).
    pub fn scoped_by_team(&self, directory: &ServiceDirectory) -> BTreeMap<Slug, ScopedInputs<'_>> {
        let mut teams: BTreeMap<Slug, ScopedInputs<'_>> = BTreeMap::new();
        for service in &self.services {
            teams_entry(&mut teams, self, &service.team).services.push(service);
        }
        for slo in &self.slos {
            for team in directory.teams_of(slo) {
                teams_entry(&mut teams, self, team).slos.push(slo);
            }
        }
        for incident in &self.incidents {
            for team in directory.teams_of(incident) {
                teams_entry(&mut teams, self, team).incidents.push(incident);
            }
        }
        for action in &self.actions {
            for team in directory.teams_of(action) {
                teams_entry(&mut teams, self, team).actions.push(action);
            }
        }
        for test in &self.dr_tests {
            for team in directory.teams_of(test) {
                teams_entry(&mut teams, self, team).dr_tests.push(test);
            }
        }
        for deployment in &self.deployments {
            for team in directory.teams_of(deployment) {
                teams_entry(&mut teams, self, team).deployments.push(deployment);
            }
        }
        teams
    }

    /// The populations of a scope (each record once).
    pub fn scoped(&self, scope: &Scope) -> ScopedInputs<'_> {
        self.scoped_with(scope, &self.directory())
    }

    /// As [`Dataset::scoped`], with a directory built once for many scopes.
    pub fn scoped_with(&self, scope: &Scope, directory: &ServiceDirectory) -> ScopedInputs<'_> {
        ScopedInputs {
            services: directory.filter(scope, &self.services),
            slos: directory.filter(scope, &self.slos),
            incidents: directory.filter(scope, &self.incidents),
            incident_history: &self.incidents,
            repeat_index: self.repeat_index(),
            actions: directory.filter(scope, &self.actions),
            dr_tests: directory.filter(scope, &self.dr_tests),
            deployments: directory.filter(scope, &self.deployments),
        }
    }
}

/// The (empty at first) populations of one team in [`Dataset::scoped_by_team`].
fn teams_entry<'t, 'a>(
    teams: &'t mut BTreeMap<Slug, ScopedInputs<'a>>,
    data: &'a Dataset,
    team: &Slug,
) -> &'t mut ScopedInputs<'a> {
    teams.entry(team.clone()).or_insert_with(|| ScopedInputs {
        services: Vec::new(),
        slos: Vec::new(),
        incidents: Vec::new(),
        incident_history: &data.incidents,
        repeat_index: data.repeat_index(),
        actions: Vec::new(),
        dr_tests: Vec::new(),
        deployments: Vec::new(),
    })
}

/// Every KPI of one scope and period, keyed as in `GET /api/v1/kpis`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KpiValues {
    pub slo_met_rate: Option<f64>,
    pub budget_exhausted_count: u64,
    pub slo_coverage: Option<f64>,
    pub high_sev_count: u64,
    pub incident_count: BTreeMap<Severity, u64>,
    pub customer_impact_minutes: f64,
    pub mttd: Option<DurationStats>,
    pub mtta: Option<DurationStats>,
    pub mttr: Option<DurationStats>,
    pub impact_duration: Option<DurationStats>,
    pub time_to_resolve: Option<DurationStats>,
    pub repeat_incident_rate: Option<f64>,
    pub postmortem_coverage: Option<f64>,
    pub action_on_time_rate: Option<f64>,
    pub overdue_actions: OverdueActions,
    pub dr_pass_rate: Option<f64>,
    pub rto_compliance: Option<f64>,
    pub rpo_compliance: Option<f64>,
    pub dr_coverage: Option<f64>,
    pub change_failure_rate: Option<f64>,
    pub deployment_frequency: Option<f64>,
    pub data_quality: DataQuality,
}

/// Computes every KPI of a scope for a period. `severity` filters the duration KPIs (high
/// severity by default).
pub fn compute_kpis(
    period: &Period,
    now: DateTime<Utc>,
    inputs: &ScopedInputs<'_>,
    severity: SeverityFilter,
) -> KpiValues {
    let incidents = inputs.incidents.as_slice();
    KpiValues {
        slo_met_rate: slo_met_rate(period, &inputs.slos),
        budget_exhausted_count: budget_exhausted_count(period, now, &inputs.slos),
        slo_coverage: slo_coverage(period, now, &inputs.services, &inputs.slos),
        high_sev_count: high_sev_count(period, incidents),
        incident_count: incident_count(period, incidents),
        customer_impact_minutes: customer_impact_minutes(period, incidents).minutes,
        mttd: mttd(period, incidents, severity),
        mtta: mtta(period, incidents, severity),
        mttr: mttr(period, incidents, severity),
        impact_duration: impact_duration(period, incidents, severity),
        time_to_resolve: time_to_resolve(period, incidents, severity),
        repeat_incident_rate: repeat_incident_rate_indexed(period, incidents, inputs.repeat_index),
        postmortem_coverage: postmortem_coverage(period, incidents),
        action_on_time_rate: action_on_time_rate(period, &inputs.actions),
        overdue_actions: overdue_actions(period, now, &inputs.actions),
        dr_pass_rate: dr_pass_rate(period, &inputs.dr_tests),
        rto_compliance: rto_compliance(period, &inputs.dr_tests),
        rpo_compliance: rpo_compliance(period, &inputs.dr_tests),
        dr_coverage: dr_coverage(period, now, &inputs.services, &inputs.dr_tests),
        change_failure_rate: change_failure_rate(period, &inputs.deployments),
        deployment_frequency: deployment_frequency(period, &inputs.deployments),
        data_quality: data_quality(period, incidents, &inputs.slos, &inputs.actions, severity),
    }
}

/// The per-SLO rows (`GET /api/v1/slos`) of a scope.
pub fn slo_statuses(period: &Period, now: DateTime<Utc>, inputs: &ScopedInputs<'_>) -> Vec<SloStatus> {
    inputs.slos.iter().map(|slo| slo_status(period, now, slo)).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::kpi::incidents::tests::incident;
    use crate::domain::kpi::period::tests::{q, utc};
    use crate::domain::kpi::scope::tests::{service, slug};
    use crate::domain::records::{ActionStatus, DeploymentOutcome, DrOutcome, Slug};
    use proptest::prelude::*;

    pub(crate) fn dataset() -> Dataset {
        let services = vec![
            service("checkout", "payments", 0, true),
            service("ledger", "payments", 1, true),
            service("search", "discovery", 1, true),
            service("legacy", "discovery", 2, false),
        ];
        let mut both = incident("both", Severity::Sev0, "2026-07-10T00:00:00Z");
        both.services = vec![slug("checkout"), slug("ledger")];
        let mut search = incident("search-1", Severity::Sev1, "2026-08-10T00:00:00Z");
        search.services = vec![slug("search")];
        let mut cross = incident("cross", Severity::Sev2, "2026-09-10T00:00:00Z");
        cross.services = vec![slug("ledger"), slug("search")];
        Dataset {
            services,
            incidents: vec![both, search, cross],
            actions: vec![Action {
                id: "act".into(),
                service: slug("ledger"),
                incident: Some("both".into()),
                incident_started_at: Some(utc("2026-07-10T00:00:00Z")),
                due_date: Some(chrono::NaiveDate::from_ymd_opt(2026, 8, 1).unwrap()),
                status: ActionStatus::Done,
                completed_at: Some(utc("2026-07-30T00:00:00Z")),
            }],
            dr_tests: vec![DrTest {
                id: "dr".into(),
                service: slug("checkout"),
                performed_at: utc("2026-09-01T00:00:00Z"),
                outcome: DrOutcome::Pass,
                rto_target_minutes: Some(60),
                rto_achieved_minutes: Some(30),
                rpo_target_minutes: None,
                rpo_achieved_minutes: None,
            }],
            deployments: vec![Deployment {
                id: "d".into(),
                service: slug("search"),
                deployed_at: utc("2026-07-01T00:00:00Z"),
                outcome: DeploymentOutcome::Success,
                incident: None,
            }],
            ..Dataset::default()
        }
    }

    #[test]
    fn kpi_ids_round_trip_and_are_unique() {
        for id in KpiId::ALL {
            assert_eq!(KpiId::parse(id.as_str()), Some(id));
        }
        let mut names: Vec<&str> = KpiId::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KpiId::ALL.len());
        assert_eq!(KpiId::parse("nope"), None);
    }

    #[test]
    fn a_team_scope_counts_an_incident_on_two_of_its_services_once() {
        let data = dataset();
        let now = utc("2027-01-01T00:00:00Z");
        let p = q("2026-Q3");
        let payments = compute_kpis(&p, now, &data.scoped(&Scope::Team(slug("payments"))), SeverityFilter::HIGH);
        assert_eq!(payments.high_sev_count, 1);
        assert_eq!(payments.incident_count[&Severity::Sev2], 1);
        assert_eq!(payments.action_on_time_rate, Some(1.0));
        // checkout covered by a DR pass, ledger not.
        assert_eq!(payments.dr_coverage, Some(0.5));
        assert_eq!(payments.deployment_frequency, None);
        let org = compute_kpis(&p, now, &data.scoped(&Scope::Org), SeverityFilter::HIGH);
        assert_eq!(org.high_sev_count, 2);
        assert_eq!(org.incident_count.values().sum::<u64>(), 3);
        assert_eq!(org.rto_compliance, Some(1.0));
        assert_eq!(org.rpo_compliance, None);
        // checkout of checkout, ledger, search (legacy is retired and tier 2).
        assert_eq!(org.dr_coverage, Some(1.0 / 3.0));
        let tier2 = compute_kpis(&p, now, &data.scoped(&Scope::Tier(2)), SeverityFilter::HIGH);
        assert_eq!(tier2.high_sev_count, 0);
        assert_eq!(tier2.dr_coverage, None);
        assert_eq!(tier2.slo_met_rate, None);
    }

    #[test]
    fn the_kpi_values_serialize_with_the_api_keys_and_null_for_no_data() {
        let data = dataset();
        let values =
            compute_kpis(&q("2026-Q3"), utc("2027-01-01T00:00:00Z"), &data.scoped(&Scope::Org), SeverityFilter::HIGH);
        let json = serde_json::to_value(&values).unwrap();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        for key in [
            "slo_met_rate",
            "budget_exhausted_count",
            "slo_coverage",
            "high_sev_count",
            "incident_count",
            "customer_impact_minutes",
            "mttd",
            "mtta",
            "mttr",
            "impact_duration",
            "time_to_resolve",
            "repeat_incident_rate",
            "postmortem_coverage",
            "action_on_time_rate",
            "overdue_actions",
            "dr_pass_rate",
            "rto_compliance",
            "rpo_compliance",
            "dr_coverage",
            "change_failure_rate",
            "deployment_frequency",
            "data_quality",
        ] {
            assert!(keys.contains(&key), "missing {key}");
        }
        assert!(json["mttd"].is_null());
        assert!(json["slo_met_rate"].is_null());
        assert_eq!(json["incident_count"]["SEV0"], 1);
        assert_eq!(json["overdue_actions"]["days_31_90"], 0);
    }

    fn team_of(i: usize) -> String {
        format!("team-{}", i % 3)
    }

    proptest! {
        #[test]
        fn the_org_high_sev_count_is_the_sum_over_teams_when_no_incident_spans_teams(
            incidents in prop::collection::vec((0usize..9, 0usize..3, 0i16..5, 0i64..120), 0..40)
        ) {
            // Nine services, three per team (service k belongs to team k mod 3).
            let services: Vec<Service> =
                (0..9).map(|k| service(&format!("svc-{k}"), &team_of(k), (k % 4) as i64, true)).collect();
            let incidents: Vec<Incident> = incidents
                .into_iter()
                .enumerate()
                .map(|(n, (svc, extra, level, day))| {
                    let mut i = incident(&format!("inc-{n}"), Severity::from_level(level).unwrap(), "2026-06-01T00:00:00Z");
                    i.started_at += chrono::TimeDelta::days(day);
                    // A second service of the same team (possibly the same one again).
                    let sibling = (svc + 3 * extra) % 9;
                    i.services = vec![slug(&format!("svc-{svc}")), slug(&format!("svc-{sibling}"))];
                    i
                })
                .collect();
            let data = Dataset { services, incidents, ..Dataset::default() };
            let p = q("2026-Q3");
            let org = high_sev_count(&p, &data.scoped(&Scope::Org).incidents);
            let by_team: u64 = (0..3)
                .map(|t| high_sev_count(&p, &data.scoped(&Scope::Team(Slug::parse(&team_of(t)).unwrap())).incidents))
                .sum();
            prop_assert_eq!(org, by_team);
        }
    }
}
