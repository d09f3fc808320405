//! A period's loaded populations, and the same narrowed to a scope.

use std::collections::BTreeMap;

use super::*;
use crate::domain::records::Slug;

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
    /// The actions following up the incidents in `incidents` or named by their `repeat_of`,
    /// whatever their due date or status (`repeats_after_actions_done`).
    pub follow_ups: Vec<Action>,
    pub dr_tests: Vec<DrTest>,
    pub deployments: Vec<Deployment>,
    /// Alerts fired in the period and up to [`oncall::MAX_SHIFT_DAYS`] after it (a shift
    /// starting in the period counts its pages to its end).
    pub alerts: Vec<Alert>,
    /// Shifts starting up to [`oncall::MAX_SHIFT_DAYS`] before the period and in it.
    pub shifts: Vec<OncallShift>,
    /// Toil reports whose counted day may fall in the period (a week's starts up to 3 days
    /// before it).
    pub toil_reports: Vec<ToilReport>,
    /// Every service's remediations of its failure modes.
    pub remediations: Vec<Remediation>,
    /// The period's service-days with their smallest headroom.
    pub capacity_days: Vec<CapacityDay>,
    /// The costs of the months starting in the period.
    pub costs: Vec<Cost>,
    /// The survey responses answered in the period.
    pub survey_responses: Vec<SurveyResponse>,
    /// What the policy sets for the KPIs (the survey minimum, the headroom per tier).
    pub settings: KpiSettings,
    pub oncall: OncallSettings,
    /// The incidents indexed for repeat detection, built on first use (after the dataset is
    /// complete: changing `incidents` afterwards is not seen).
    pub repeat_index: std::sync::OnceLock<RepeatIndex>,
    /// `follow_ups` by incident, built on first use.
    pub follow_up_index: std::sync::OnceLock<FollowUps>,
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
    /// The follow-up actions of `incident_history` by incident, whatever the scope.
    pub follow_ups: &'a FollowUps,
    pub actions: Vec<&'a Action>,
    pub dr_tests: Vec<&'a DrTest>,
    pub deployments: Vec<&'a Deployment>,
    pub alerts: Vec<&'a Alert>,
    /// The shifts of the teams the scope reaches.
    pub shifts: Vec<&'a OncallShift>,
    /// The toil reports of the scope's teams: the organisation's or a team's; none for a service
    /// or a tier (toil is a team figure).
    pub toil_reports: Vec<&'a ToilReport>,
    /// The teams expected to report toil: those of the scope owning an active service; none for
    /// a service or a tier.
    pub toil_teams: std::collections::BTreeSet<Slug>,
    /// Every team's toil reports, whatever the scope: whether toil was collected at all.
    pub toil_history: &'a [ToilReport],
    /// The remediations of the scope's services.
    pub remediations: Vec<&'a Remediation>,
    /// The service-days of the scope's services.
    pub capacity_days: Vec<&'a CapacityDay>,
    /// The costs of the scope's services.
    pub costs: Vec<&'a Cost>,
    /// The survey responses about the scope: every one for the organisation, those naming the
    /// team for a team, none for a service or a tier.
    pub survey_responses: Vec<&'a SurveyResponse>,
    pub settings: &'a KpiSettings,
    pub oncall: &'a OncallSettings,
}

impl Dataset {
    pub fn directory(&self) -> ServiceDirectory {
        ServiceDirectory::new(&self.services)
    }

    /// Each SLO status of a scope, without narrowing the other populations (a service page
    /// asks for one service's few SLOs of a whole organisation's load).
    pub fn slo_statuses(&self, period: &Period, now: chrono::DateTime<chrono::Utc>, scope: &Scope) -> Vec<SloStatus> {
        let directory = self.directory();
        self.slos
            .iter()
            .filter(|slo| directory.record_in_scope(scope, *slo))
            .map(|slo| slo_status(period, now, slo))
            .collect()
    }

    /// The incidents indexed for repeat detection (built once).
    pub fn repeat_index(&self) -> &RepeatIndex {
        self.repeat_index.get_or_init(|| RepeatIndex::new(&self.incidents))
    }

    /// The follow-up actions indexed by incident (built once).
    pub fn follow_up_index(&self) -> &FollowUps {
        self.follow_up_index.get_or_init(|| FollowUps::new(&self.follow_ups))
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
        for alert in &self.alerts {
            for team in directory.teams_of(alert) {
                teams_entry(&mut teams, self, team).alerts.push(alert);
            }
        }
        for shift in &self.shifts {
            if let Some(entry) = teams.get_mut(&shift.team) {
                entry.shifts.push(shift);
            }
        }
        for day in &self.capacity_days {
            for team in directory.teams_of(day) {
                teams_entry(&mut teams, self, team).capacity_days.push(day);
            }
        }
        for cost in &self.costs {
            for team in directory.teams_of(cost) {
                teams_entry(&mut teams, self, team).costs.push(cost);
            }
        }
        for remediation in &self.remediations {
            for team in directory.teams_of(remediation) {
                teams_entry(&mut teams, self, team).remediations.push(remediation);
            }
        }
        for response in &self.survey_responses {
            if let Some(entry) = response.team.as_ref().and_then(|team| teams.get_mut(team)) {
                entry.survey_responses.push(response);
            }
        }
        for report in &self.toil_reports {
            if let Some(entry) = teams.get_mut(&report.team) {
                entry.toil_reports.push(report);
            }
        }
        for (team, entry) in teams.iter_mut() {
            if entry.services.iter().any(|s| s.active) {
                entry.toil_teams.insert(team.clone());
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
            follow_ups: self.follow_up_index(),
            actions: directory.filter(scope, &self.actions),
            dr_tests: directory.filter(scope, &self.dr_tests),
            deployments: directory.filter(scope, &self.deployments),
            alerts: directory.filter(scope, &self.alerts),
            shifts: match directory.teams_in_scope(scope) {
                None => self.shifts.iter().collect(),
                Some(teams) => self.shifts.iter().filter(|s| teams.contains(&s.team)).collect(),
            },
            remediations: directory.filter(scope, &self.remediations),
            capacity_days: directory.filter(scope, &self.capacity_days),
            costs: directory.filter(scope, &self.costs),
            toil_history: &self.toil_reports,
            toil_reports: match scope {
                Scope::Org => self.toil_reports.iter().collect(),
                Scope::Team(team) => self.toil_reports.iter().filter(|r| &r.team == team).collect(),
                Scope::Service(_) | Scope::Tier(_) => Vec::new(),
            },
            toil_teams: match scope {
                Scope::Org => reporting_teams(&self.services),
                Scope::Team(team) => reporting_teams(&self.services).into_iter().filter(|t| t == team).collect(),
                Scope::Service(_) | Scope::Tier(_) => Default::default(),
            },
            survey_responses: match scope {
                Scope::Org => self.survey_responses.iter().collect(),
                Scope::Team(team) => self.survey_responses.iter().filter(|r| r.team.as_ref() == Some(team)).collect(),
                Scope::Service(_) | Scope::Tier(_) => Vec::new(),
            },
            settings: &self.settings,
            oncall: &self.oncall,
        }
    }
}

impl ScopedInputs<'_> {
    /// The scope's active services measured in the period, the least within headroom first.
    pub fn service_headroom(&self, period: &Period, now: chrono::DateTime<chrono::Utc>) -> Vec<ServiceHeadroom> {
        service_headroom(period, period.as_of_day(now), &self.services, &self.capacity_days, self.settings)
    }

    /// The failure modes the scope's services met in the 90 days before the as-of instant, with
    /// their remediations (`failure_modes_automated`).
    pub fn failure_modes(&self, period: &Period, now: chrono::DateTime<chrono::Utc>) -> Vec<FailureMode> {
        let services: std::collections::HashSet<&Slug> = self.services.iter().map(|s| &s.slug).collect();
        failure_modes_seen(period, now, &self.incidents, &self.remediations, |s| services.contains(s))
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
        follow_ups: data.follow_up_index(),
        actions: Vec::new(),
        dr_tests: Vec::new(),
        deployments: Vec::new(),
        alerts: Vec::new(),
        shifts: Vec::new(),
        toil_reports: Vec::new(),
        toil_teams: Default::default(),
        toil_history: &data.toil_reports,
        remediations: Vec::new(),
        capacity_days: Vec::new(),
        costs: Vec::new(),
        survey_responses: Vec::new(),
        settings: &data.settings,
        oncall: &data.oncall,
    })
}
