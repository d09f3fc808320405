//! Control tests (docs/control-tests.md): each reliability control the records can test, run over
//! an audit window's records, with its population, its deviations (which record, and why) and a
//! status. An empty population is "not tested", never "passed". Pure: the server loads the
//! window's records into [`ControlRecords`].

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::scorecard::{CheckId, Policy, Threshold};

/// The tests, in the order packs and pages list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlTestId {
    IncidentTimesRecorded,
    PostmortemsOnTime,
    NoLongOverdueActions,
    Tier0DrTested,
    FailedChangesLinked,
    ChangesApproved,
}

impl ControlTestId {
    pub const ALL: [ControlTestId; 6] = [
        ControlTestId::IncidentTimesRecorded,
        ControlTestId::PostmortemsOnTime,
        ControlTestId::NoLongOverdueActions,
        ControlTestId::Tier0DrTested,
        ControlTestId::FailedChangesLinked,
        ControlTestId::ChangesApproved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ControlTestId::IncidentTimesRecorded => "incident_times_recorded",
            ControlTestId::PostmortemsOnTime => "postmortems_on_time",
            ControlTestId::NoLongOverdueActions => "no_long_overdue_actions",
            ControlTestId::Tier0DrTested => "tier0_dr_tested",
            ControlTestId::FailedChangesLinked => "failed_changes_linked",
            ControlTestId::ChangesApproved => "changes_approved",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ControlTestId::IncidentTimesRecorded => "Every SEV0/SEV1 incident has its detected and mitigated times",
            ControlTestId::PostmortemsOnTime => "Every SEV0/SEV1 incident has a postmortem published in time",
            ControlTestId::NoLongOverdueActions => "No postmortem action long overdue without a waiver",
            ControlTestId::Tier0DrTested => "Every tier-0 service has a recent passing DR test",
            ControlTestId::FailedChangesLinked => "Every failed change is linked to an incident",
            ControlTestId::ChangesApproved => "Every tier-0/1 change approved by someone other than its author",
        }
    }

    /// The framework controls the test evidences.
    pub fn controls(self) -> &'static str {
        match self {
            ControlTestId::IncidentTimesRecorded => "SOC 2 CC7.3, CC7.4; ISO 27001 A.5.25, A.5.26",
            ControlTestId::PostmortemsOnTime => "SOC 2 CC7.5; ISO 27001 A.5.27",
            ControlTestId::NoLongOverdueActions => "SOC 2 CC7.5, CC4.2; ISO 27001 A.5.27",
            ControlTestId::Tier0DrTested => "SOC 2 A1.3; ISO 27001 A.5.30, A.8.14",
            ControlTestId::FailedChangesLinked => "SOC 2 CC8.1; ISO 27001 A.8.32",
            ControlTestId::ChangesApproved => "SOC 2 CC8.1; ISO 27001 A.8.32",
        }
    }

    /// The population and the deviation rule, in words (also in control_tests.csv).
    pub fn definition(self) -> &'static str {
        match self {
            ControlTestId::IncidentTimesRecorded => {
                "SEV0/SEV1 incidents started in the window. Deviation: no detected time; or resolved without a \
                 mitigated time. An incident still open at the window's end is not a deviation."
            }
            ControlTestId::PostmortemsOnTime => {
                "SEV0/SEV1 incidents mitigated in the window whose postmortem was due by the window's end: due the \
                 policy's postmortem_coverage days after mitigation, the fewest of its services' tiers. Deviation: no \
                 postmortem published by then."
            }
            ControlTestId::NoLongOverdueActions => {
                "Postmortem actions open at the window's end with an earlier due day, of services the policy's \
                 no_long_overdue_actions check applies to. Deviation: overdue by more than its days with no waiver of \
                 that check in force at the window's end."
            }
            ControlTestId::Tier0DrTested => {
                "Active tier-0 services. Deviation: no passing DR test in the policy's dr_test_recent days before the \
                 window's end, and no waiver of that check in force then."
            }
            ControlTestId::FailedChangesLinked => {
                "Deployments in the window rolled back or failed. Deviation: no incident linked."
            }
            ControlTestId::ChangesApproved => {
                "Deployments in the window of tier-0/1 services. Deviation: no approver (an emergency change \
                 included); approved by its author; or no author recorded, so independence cannot be shown."
            }
        }
    }
}

/// What a test found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    /// Every record of a non-empty population passed.
    Passed,
    /// At least one deviation.
    Failed,
    /// Nothing to test in the window: neither passed nor failed.
    NotTested,
}

impl ControlStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Passed => "passed",
            ControlStatus::Failed => "failed",
            ControlStatus::NotTested => "not_tested",
        }
    }
}

/// One record that fails a test, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    pub test: ControlTestId,
    /// `incident`, `action`, `service` or `deployment`.
    pub record: String,
    pub record_id: i64,
    pub external_id: String,
    /// The service(s) concerned, by slug.
    pub services: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlTestResult {
    pub test: ControlTestId,
    pub population: u64,
    pub deviations: Vec<Deviation>,
    pub status: ControlStatus,
}

/// The most days a policy threshold is taken to mean.
const MAX_DAYS: i64 = 36_500;

/// The policy's days per tier (0–3) for the tests that read them; `None` where the check does not
/// apply.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControlThresholds {
    pub postmortem_days: [Option<i64>; 4],
    pub overdue_days: [Option<i64>; 4],
    pub dr_days: [Option<i64>; 4],
}

impl ControlThresholds {
    pub fn from_policy(policy: &Policy) -> ControlThresholds {
        let days = |id: CheckId| {
            let spec = policy.check(id);
            [0u8, 1, 2, 3].map(|tier| match spec.map(|s| s.threshold_for(tier)) {
                // Within a century, so date arithmetic cannot overflow whatever a policy says.
                Some(Threshold::Value(v)) => Some((v.round() as i64).clamp(0, MAX_DAYS)),
                _ => None,
            })
        };
        ControlThresholds {
            postmortem_days: days(CheckId::PostmortemCoverage),
            overdue_days: days(CheckId::NoLongOverdueActions),
            dr_days: days(CheckId::DrTestRecent),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceFacts {
    pub slug: String,
    pub tier: u8,
    pub active: bool,
    /// Selected by the team/tier filter. Services outside it are known too, so an incident's
    /// strictest tier and its slugs count all its services.
    pub in_scope: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IncidentFacts {
    pub id: i64,
    pub external_id: String,
    /// 0 for SEV0 … 4 for SEV4.
    pub severity: u8,
    pub started_at: DateTime<Utc>,
    pub detected_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub services: Vec<i64>,
    /// The earliest published postmortem.
    pub postmortem_published_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionFacts {
    pub id: i64,
    pub external_id: String,
    pub service: i64,
    pub due: Option<NaiveDate>,
    /// `open`, `done` or `wont_do`.
    pub status: String,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WaiverFacts {
    pub service: i64,
    pub check: String,
    pub granted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DrTestFacts {
    pub service: i64,
    pub performed_at: DateTime<Utc>,
    /// `pass`, `partial` or `fail`.
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentFacts {
    pub id: i64,
    pub external_id: String,
    pub service: i64,
    pub deployed_at: DateTime<Utc>,
    /// `success`, `rolled_back` or `failed`.
    pub outcome: String,
    pub incident: Option<i64>,
    pub author: Option<String>,
    pub approved_by: Option<String>,
    pub emergency: bool,
}

/// The window and the records the tests read (the server selects them; see each test's
/// definition for what it looks at).
#[derive(Debug, Clone)]
pub struct ControlRecords {
    /// `[start, end)`.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The window's last day, in the reporting time zone (overdue days count to it).
    pub last_day: NaiveDate,
    pub thresholds: ControlThresholds,
    pub services: HashMap<i64, ServiceFacts>,
    /// Incidents started or mitigated in the window.
    pub incidents: Vec<IncidentFacts>,
    /// Actions with a due day up to the window's last day, not closed before its start.
    pub actions: Vec<ActionFacts>,
    pub waivers: Vec<WaiverFacts>,
    /// DR tests performed before the window's end, far enough back for the longest interval.
    pub dr_tests: Vec<DrTestFacts>,
    /// Deployments in the window.
    pub deployments: Vec<DeploymentFacts>,
}

impl ControlRecords {
    fn slugs(&self, services: &[i64]) -> String {
        let mut slugs: Vec<&str> =
            services.iter().filter_map(|id| self.services.get(id)).map(|s| s.slug.as_str()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        slugs.join(" ")
    }

    fn tier(&self, service: i64) -> Option<u8> {
        self.services.get(&service).map(|s| s.tier)
    }

    fn waived(&self, service: i64, check: CheckId) -> bool {
        self.waivers.iter().any(|w| {
            w.service == service && w.check == check.as_str() && w.granted_at < self.end && w.expires_at >= self.end
        })
    }

    fn in_window(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

/// Runs every test over the records.
pub fn run(records: &ControlRecords) -> Vec<ControlTestResult> {
    ControlTestId::ALL.into_iter().map(|test| run_one(records, test)).collect()
}

fn run_one(records: &ControlRecords, test: ControlTestId) -> ControlTestResult {
    let mut tested = Tested { test, population: 0, deviations: Vec::new() };
    match test {
        ControlTestId::IncidentTimesRecorded => incident_times(records, &mut tested),
        ControlTestId::PostmortemsOnTime => postmortems(records, &mut tested),
        ControlTestId::NoLongOverdueActions => overdue_actions(records, &mut tested),
        ControlTestId::Tier0DrTested => dr_tests(records, &mut tested),
        ControlTestId::FailedChangesLinked => failed_changes(records, &mut tested),
        ControlTestId::ChangesApproved => approvals(records, &mut tested),
    }
    let status = match (tested.population, tested.deviations.is_empty()) {
        (0, _) => ControlStatus::NotTested,
        (_, true) => ControlStatus::Passed,
        (_, false) => ControlStatus::Failed,
    };
    ControlTestResult { test, population: tested.population, deviations: tested.deviations, status }
}

struct Tested {
    test: ControlTestId,
    population: u64,
    deviations: Vec<Deviation>,
}

impl Tested {
    fn deviation(&mut self, record: &str, id: i64, external_id: &str, services: String, reason: String) {
        let test = self.test;
        let (record, external_id) = (record.to_owned(), external_id.to_owned());
        self.deviations.push(Deviation { test, record, record_id: id, external_id, services, reason });
    }
}

fn instant(at: DateTime<Utc>) -> String {
    crate::domain::format::instant(at)
}

fn incident_times(records: &ControlRecords, tested: &mut Tested) {
    for incident in records.incidents.iter().filter(|i| i.severity <= 1 && records.in_window(i.started_at)) {
        tested.population += 1;
        let mut missing = Vec::new();
        if incident.detected_at.is_none() {
            missing.push("no detected time".to_owned());
        }
        // Resolved by the window's end: an incident still open then is not judged.
        if let (None, Some(resolved)) = (incident.mitigated_at, incident.resolved_at.filter(|r| *r < records.end)) {
            missing.push(format!("resolved at {} without a mitigated time", instant(resolved)));
        }
        if !missing.is_empty() {
            // One deviation per record, so deviations never outnumber the population.
            let reason = format!("SEV{}: {}", incident.severity, missing.join("; "));
            tested.deviation("incident", incident.id, &incident.external_id, records.slugs(&incident.services), reason);
        }
    }
}

fn postmortems(records: &ControlRecords, tested: &mut Tested) {
    for incident in &records.incidents {
        let Some(mitigated) = incident.mitigated_at.filter(|at| incident.severity <= 1 && records.in_window(*at))
        else {
            continue;
        };
        let days = incident
            .services
            .iter()
            .filter_map(|s| records.tier(*s))
            .filter_map(|tier| records.thresholds.postmortem_days[usize::from(tier.min(3))])
            .min();
        let Some(days) = days else { continue };
        let due = mitigated + TimeDelta::days(days);
        let published = incident.postmortem_published_at;
        // Not due yet at the window's end: not in the population, published or not.
        if due > records.end {
            continue;
        }
        tested.population += 1;
        let reason = match published {
            Some(at) if at <= due => continue,
            Some(at) => format!(
                "postmortem published {}, {} days after mitigation; due within {days} days",
                instant(at),
                (at - mitigated).num_days()
            ),
            None => format!("no postmortem published; due {} ({days} days after mitigation)", instant(due)),
        };
        let services = records.slugs(&incident.services);
        tested.deviation("incident", incident.id, &incident.external_id, services, reason);
    }
}

fn overdue_actions(records: &ControlRecords, tested: &mut Tested) {
    for action in &records.actions {
        let Some(due) = action.due.filter(|due| *due < records.last_day) else { continue };
        // Done or dropped (won't do) before the window's end; one closed without a time counts
        // as closed.
        let closed_by_end = match action.status.as_str() {
            "open" => false,
            _ => action.completed_at.is_none_or(|at| at < records.end),
        };
        let Some(limit) =
            records.tier(action.service).and_then(|t| records.thresholds.overdue_days[usize::from(t.min(3))])
        else {
            continue;
        };
        if closed_by_end {
            continue;
        }
        tested.population += 1;
        let overdue = (records.last_day - due).num_days();
        if overdue > limit && !records.waived(action.service, CheckId::NoLongOverdueActions) {
            let reason = format!("open at the window's end, {overdue} days overdue (due {due}; limit {limit} days)");
            tested.deviation("action", action.id, &action.external_id, records.slugs(&[action.service]), reason);
        }
    }
}

fn dr_tests(records: &ControlRecords, tested: &mut Tested) {
    let mut services: Vec<(&i64, &ServiceFacts)> =
        records.services.iter().filter(|(_, s)| s.tier == 0 && s.active && s.in_scope).collect();
    services.sort_by(|a, b| a.1.slug.cmp(&b.1.slug));
    let Some(days) = records.thresholds.dr_days[0] else { return };
    let since = records.end - TimeDelta::days(days);
    for (id, service) in services {
        tested.population += 1;
        let passed = records.dr_tests.iter().any(|t| {
            t.service == *id && t.outcome == "pass" && t.performed_at >= since && t.performed_at < records.end
        });
        if !passed && !records.waived(*id, CheckId::DrTestRecent) {
            let last = records
                .dr_tests
                .iter()
                .filter(|t| t.service == *id && t.outcome == "pass" && t.performed_at < records.end)
                .map(|t| t.performed_at)
                .max();
            let reason = match last {
                Some(at) => {
                    format!("last passing DR test {}: more than {days} days before the window's end", instant(at))
                }
                None => "no passing DR test on record".to_owned(),
            };
            tested.deviation("service", *id, &service.slug, service.slug.clone(), reason);
        }
    }
}

fn failed_changes(records: &ControlRecords, tested: &mut Tested) {
    let failed = |d: &&DeploymentFacts| matches!(d.outcome.as_str(), "rolled_back" | "failed");
    for deployment in records.deployments.iter().filter(failed).filter(|d| records.in_window(d.deployed_at)) {
        tested.population += 1;
        if deployment.incident.is_none() {
            let reason = format!("{} change with no incident linked", deployment.outcome.replace('_', " "));
            let services = records.slugs(&[deployment.service]);
            tested.deviation("deployment", deployment.id, &deployment.external_id, services, reason);
        }
    }
}

fn approvals(records: &ControlRecords, tested: &mut Tested) {
    let critical = |d: &&DeploymentFacts| records.tier(d.service).is_some_and(|t| t <= 1);
    for deployment in records.deployments.iter().filter(critical).filter(|d| records.in_window(d.deployed_at)) {
        tested.population += 1;
        // One person however written: case and every space ignored.
        let canonical =
            |s: &str| s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect::<String>();
        let same = |a: &str, b: &str| canonical(a) == canonical(b);
        let reason = match (deployment.author.as_deref(), deployment.approved_by.as_deref()) {
            (_, None) if deployment.emergency => "emergency change without an approval".to_owned(),
            (_, None) => "no approver".to_owned(),
            (Some(author), Some(approver)) if same(author, approver) => format!("approved by its author ({author})"),
            (None, Some(_)) => "no author recorded: independent approval cannot be shown".to_owned(),
            (Some(_), Some(_)) => continue,
        };
        let services = records.slugs(&[deployment.service]);
        tested.deviation("deployment", deployment.id, &deployment.external_id, services, reason);
    }
}
