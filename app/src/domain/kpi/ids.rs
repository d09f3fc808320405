//! The pinned KPI ids, their definitions and the definitions' version.

use serde::Serialize;

/// The version of the KPI definitions implemented here; recorded with every published value.
/// Bump it whenever any definition (or population rule) changes.
pub const KPI_DEFINITIONS_VERSION: &str = "7";

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
    RepeatsAfterActionsDone,
    DrPassRate,
    RtoCompliance,
    RpoCompliance,
    DrCoverage,
    RestoresWithinRto,
    DataLossWithinRpo,
    ChangeFailureRate,
    DeploymentFrequency,
    PageCount,
    AlertPrecision,
    AlertDispositionCoverage,
    PagesPerShift,
    OffHoursPageShare,
    SleepHoursPageShare,
    PageMtta,
    NoisiestRules,
    CapacityHeadroomCompliance,
    AutomatedMitigationShare,
    FailureModesAutomated,
    ToilRatio,
    ToilReportingCoverage,
    UnitCost,
    StakeholderSatisfaction,
    DataQuality,
}

impl KpiId {
    pub const ALL: [KpiId; 43] = [
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
        KpiId::RepeatsAfterActionsDone,
        KpiId::DrPassRate,
        KpiId::RtoCompliance,
        KpiId::RpoCompliance,
        KpiId::DrCoverage,
        KpiId::RestoresWithinRto,
        KpiId::DataLossWithinRpo,
        KpiId::ChangeFailureRate,
        KpiId::DeploymentFrequency,
        KpiId::PageCount,
        KpiId::AlertPrecision,
        KpiId::AlertDispositionCoverage,
        KpiId::PagesPerShift,
        KpiId::OffHoursPageShare,
        KpiId::SleepHoursPageShare,
        KpiId::PageMtta,
        KpiId::NoisiestRules,
        KpiId::CapacityHeadroomCompliance,
        KpiId::AutomatedMitigationShare,
        KpiId::FailureModesAutomated,
        KpiId::ToilRatio,
        KpiId::ToilReportingCoverage,
        KpiId::UnitCost,
        KpiId::StakeholderSatisfaction,
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
            KpiId::RepeatsAfterActionsDone => "repeats_after_actions_done",
            KpiId::DrPassRate => "dr_pass_rate",
            KpiId::RtoCompliance => "rto_compliance",
            KpiId::RpoCompliance => "rpo_compliance",
            KpiId::DrCoverage => "dr_coverage",
            KpiId::RestoresWithinRto => "restores_within_rto",
            KpiId::DataLossWithinRpo => "data_loss_within_rpo",
            KpiId::ChangeFailureRate => "change_failure_rate",
            KpiId::DeploymentFrequency => "deployment_frequency",
            KpiId::PageCount => "page_count",
            KpiId::AlertPrecision => "alert_precision",
            KpiId::AlertDispositionCoverage => "alert_disposition_coverage",
            KpiId::PagesPerShift => "pages_per_shift",
            KpiId::OffHoursPageShare => "off_hours_page_share",
            KpiId::SleepHoursPageShare => "sleep_hours_page_share",
            KpiId::PageMtta => "page_mtta",
            KpiId::NoisiestRules => "noisiest_rules",
            KpiId::CapacityHeadroomCompliance => "capacity_headroom_compliance",
            KpiId::AutomatedMitigationShare => "automated_mitigation_share",
            KpiId::FailureModesAutomated => "failure_modes_automated",
            KpiId::ToilRatio => "toil_ratio",
            KpiId::ToilReportingCoverage => "toil_reporting_coverage",
            KpiId::UnitCost => "unit_cost",
            KpiId::StakeholderSatisfaction => "stakeholder_satisfaction",
            KpiId::DataQuality => "data_quality",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }

    /// Its name for reading ("Time to restore").
    pub fn title(self) -> &'static str {
        match self {
            KpiId::SloAttainment => "SLO attainment",
            KpiId::SloMetRate => "SLOs met",
            KpiId::ErrorBudgetRemaining => "Error budget remaining",
            KpiId::BudgetExhaustedCount => "Error budgets exhausted",
            KpiId::BurnRate => "Burn rate",
            KpiId::SloCoverage => "SLO coverage (tier 0–1)",
            KpiId::HighSevCount => "SEV0–1 incidents",
            KpiId::IncidentCount => "Incidents by severity",
            KpiId::CustomerImpactMinutes => "Customer impact",
            KpiId::Mttd => "Time to detect",
            KpiId::Mtta => "Time to acknowledge",
            KpiId::Mttr => "Time to restore",
            KpiId::ImpactDuration => "Impact duration",
            KpiId::TimeToResolve => "Time to resolve",
            KpiId::RepeatIncidentRate => "Repeat incidents",
            KpiId::PostmortemCoverage => "Postmortems on time",
            KpiId::ActionOnTimeRate => "Actions done on time",
            KpiId::OverdueActions => "Overdue actions",
            KpiId::RepeatsAfterActionsDone => "Repeats after actions done",
            KpiId::DrPassRate => "DR tests passed",
            KpiId::RtoCompliance => "RTO met",
            KpiId::RpoCompliance => "RPO met",
            KpiId::DrCoverage => "DR coverage (tier 0–1)",
            KpiId::RestoresWithinRto => "Incidents restored within RTO",
            KpiId::DataLossWithinRpo => "Incident data loss within RPO",
            KpiId::ChangeFailureRate => "Change failure rate",
            KpiId::DeploymentFrequency => "Deployment frequency",
            KpiId::PageCount => "Pages",
            KpiId::AlertPrecision => "Alert precision",
            KpiId::AlertDispositionCoverage => "Pages reviewed",
            KpiId::PagesPerShift => "Pages per shift",
            KpiId::OffHoursPageShare => "Off-hours pages",
            KpiId::SleepHoursPageShare => "Sleep-hours pages",
            KpiId::PageMtta => "Time to acknowledge a page",
            KpiId::NoisiestRules => "Noisiest alert rules",
            KpiId::CapacityHeadroomCompliance => "Capacity headroom kept",
            KpiId::AutomatedMitigationShare => "Incidents mitigated by automation",
            KpiId::FailureModesAutomated => "Failure modes fully automated",
            KpiId::ToilRatio => "Toil",
            KpiId::ToilReportingCoverage => "Teams reporting toil",
            KpiId::UnitCost => "Unit cost",
            KpiId::StakeholderSatisfaction => "Stakeholder satisfaction",
            KpiId::DataQuality => "Data quality",
        }
    }

    /// The group it is listed under on the KPI index.
    pub fn family(self) -> &'static str {
        match self {
            KpiId::SloAttainment
            | KpiId::SloMetRate
            | KpiId::ErrorBudgetRemaining
            | KpiId::BudgetExhaustedCount
            | KpiId::BurnRate
            | KpiId::SloCoverage => "SLOs and error budgets",
            KpiId::HighSevCount
            | KpiId::IncidentCount
            | KpiId::CustomerImpactMinutes
            | KpiId::Mttd
            | KpiId::Mtta
            | KpiId::Mttr
            | KpiId::ImpactDuration
            | KpiId::TimeToResolve
            | KpiId::RepeatIncidentRate => "Incidents",
            KpiId::PostmortemCoverage
            | KpiId::ActionOnTimeRate
            | KpiId::OverdueActions
            | KpiId::RepeatsAfterActionsDone => "Postmortems and actions",
            KpiId::DrPassRate
            | KpiId::RtoCompliance
            | KpiId::RpoCompliance
            | KpiId::DrCoverage
            | KpiId::RestoresWithinRto
            | KpiId::DataLossWithinRpo => "Disaster recovery",
            KpiId::ChangeFailureRate | KpiId::DeploymentFrequency => "Changes",
            KpiId::PageCount
            | KpiId::AlertPrecision
            | KpiId::AlertDispositionCoverage
            | KpiId::PagesPerShift
            | KpiId::OffHoursPageShare
            | KpiId::SleepHoursPageShare
            | KpiId::PageMtta
            | KpiId::NoisiestRules => "On-call",
            KpiId::CapacityHeadroomCompliance => "Capacity",
            KpiId::AutomatedMitigationShare | KpiId::FailureModesAutomated => "Automation",
            KpiId::ToilRatio | KpiId::ToilReportingCoverage => "Toil",
            KpiId::UnitCost => "Cost to serve",
            KpiId::StakeholderSatisfaction => "Stakeholder satisfaction",
            KpiId::DataQuality => "Data quality",
        }
    }

    /// The pinned definition (docs/kpis.md), as shown beside drilled-down values.
    pub fn definition(self) -> &'static str {
        match self {
            KpiId::SloAttainment => {
                "Per SLO: Σgood ÷ Σtotal over the period's days (ratio timeslices: the mean of the daily ratios); \
                 met if ≥ objective."
            }
            KpiId::SloMetRate => "SLOs met ÷ SLOs with data in the period.",
            KpiId::ErrorBudgetRemaining => {
                "Per SLO, over its window (the last window_days days, or the calendar window to date): \
                 1 − Σbad ÷ ((1 − objective) × Σtotal); may go negative."
            }
            KpiId::BudgetExhaustedCount => "SLOs whose error budget remaining is ≤ 0.",
            KpiId::BurnRate => {
                "Per SLO: (Σbad ÷ Σtotal) ÷ (1 − objective) over the last 1 and 7 days and its window \
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
            KpiId::RepeatsAfterActionsDone => {
                "Repeats started in the period whose earlier incident had ≥ 1 action (wont_do excluded), all \
                 done before the repeat started ÷ repeats started in the period whose earlier incident had ≥ 1 \
                 action. The earlier incident: the one repeat_of names, else the latest that makes it a repeat."
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
            KpiId::RestoresWithinRto => {
                "Incidents started in the period (high severity by default) on a service with an RTO, restored \
                 (mitigated − started) within it ÷ those restored, or still open past it at the as-of instant. \
                 Held to the strictest RTO of the scope's services the incident names."
            }
            KpiId::DataLossWithinRpo => {
                "Incidents started in the period (high severity by default) on a service with an RPO, with \
                 data_loss_minutes ≤ the RPO ÷ those with data_loss_minutes recorded. Held to the strictest RPO \
                 of the scope's services the incident names."
            }
            KpiId::ChangeFailureRate => {
                "Deployments rolled back or failed, or linked to an incident ÷ deployments in the period."
            }
            KpiId::DeploymentFrequency => "Deployments in the period ÷ (days in the period ÷ 7).",
            KpiId::PageCount => "Pages: alerts with paged set and fired_at in the period.",
            KpiId::AlertPrecision => {
                "Pages with disposition actionable ÷ pages with a disposition other than unreviewed."
            }
            KpiId::AlertDispositionCoverage => "Pages with a disposition other than unreviewed ÷ pages.",
            KpiId::PagesPerShift => {
                "Per on-call shift starting in the period: the pages of its team fired in [starts_at, ends_at) \
                 (a page goes to its responder's shift, else the shift that started first); mean, median, p90."
            }
            KpiId::OffHoursPageShare => {
                "Pages fired outside the policy's business hours and days, in the team's time zone (the \
                 reporting zone unless the team sets one) ÷ pages."
            }
            KpiId::SleepHoursPageShare => {
                "Pages fired within the policy's sleep hours, in the team's time zone ÷ pages."
            }
            KpiId::PageMtta => "acknowledged − fired over the period's acknowledged pages (mean, median, p90).",
            KpiId::NoisiestRules => {
                "The five alert rules with the most pages in the period, with their precision (actionable ÷ reviewed)."
            }
            KpiId::CapacityHeadroomCompliance => {
                "Service-days of the period's active services whose smallest headroom over their resources \
                 (1 − peak_used ÷ capacity) is at least the policy's for their tier ([capacity] headroom; by \
                 default tier 0: 30 %, 1: 20 %, 2: 10 %, 3: 0 %) ÷ service-days with a measurement."
            }
            KpiId::AutomatedMitigationShare => {
                "Incidents mitigated in the period (all severities) with mitigated_by automation ÷ those mitigated \
                 in the period with mitigated_by recorded (human, automation or mixed)."
            }
            KpiId::FailureModesAutomated => {
                "Failure modes (a service of the scope and a root-cause category other than unknown) of incidents \
                 started in the 90 days before the as-of instant with a remediation of automation full ÷ those \
                 failure modes."
            }
            KpiId::ToilRatio => {
                "Σ hours_toil ÷ Σ hours_total over the toil reports of the scope's teams counted in the period \
                 (a month by its first day, a week by its Thursday; a week of a month the team reported whole is \
                 left out). Organisation and team scopes only."
            }
            KpiId::ToilReportingCoverage => {
                "Teams owning an active service with a toil report counted in the period ÷ teams owning an \
                 active service; no data when no team reported in the period. Organisation and team scopes only."
            }
            KpiId::UnitCost => {
                "Per currency and unit driver: Σ amount ÷ Σ units over the costs of the scope's services (retired \
                 ones too) for the months starting in the period before the as-of day. Never summed across \
                 currencies or drivers; no costs is no data."
            }
            KpiId::StakeholderSatisfaction => {
                "Mean score (1–5) of the survey responses answered in the period before the as-of instant: \
                 every response for the organisation, those naming the team for a team. Withheld (no data) \
                 below the policy's minimum of responses (5 by default). Organisation and team scopes only."
            }
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
