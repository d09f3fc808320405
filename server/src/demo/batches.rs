//! The generated organisation as a sequence of import batches, in import order: teams,
//! services, SLOs, SLO measurements, incidents, postmortems, actions, DR tests, deployments,
//! alerts, on-call shifts, toil reports, remediations, capacity measurements, costs and survey
//! responses.
//!
//! Rows are made one batch at a time. Between batches only the organisation's shape and a
//! compact fact per incident (needed by postmortems, actions and deployments) stay in memory,
//! so the large scale (millions of rows) runs in bounded memory.

use app::domain::ingest::{RawRow, RecordKind};
use chrono::{DateTime, NaiveDate, Utc};

use super::Scale;
use super::incidents::{self, IncidentFact, IncidentStream};
use super::measurements::measurement_rows;
use super::operations;
use super::org::Org;
use super::support::{Window, numbered};

/// SLOs whose two years of measurements go into one import (≈ 36,500 rows).
const SLOS_PER_BATCH: usize = 50;
/// Incidents per import (whole days, so a little more).
const INCIDENTS_PER_BATCH: usize = 5_000;
/// Incidents whose postmortems or actions go into one import.
const FACTS_PER_BATCH: usize = 5_000;
/// DR tests, DR follow-ups and deployments: whole services until a batch has this many rows.
const ROWS_PER_BATCH: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Teams,
    Services,
    Slos,
    /// Next SLO index.
    Measurements(usize),
    Incidents,
    /// Next incident fact index.
    Postmortems(usize),
    Actions(usize),
    /// Next service index.
    DrFollowUps(usize),
    DrTests(usize),
    Deployments(usize),
    /// Next service index.
    Alerts(usize),
    OncallShifts,
    ToilReports,
    Remediations,
    /// Next service index.
    Capacity(usize),
    /// Next service index.
    Costs(usize),
    Surveys,
    Done,
}

/// Iterates `(kind, rows)` import batches; rows are numbered from 1 within each batch and no
/// batch is empty. The same scale, seed and anchor day always give the same batches.
pub(super) struct Batches {
    org: Org,
    window: Window,
    seed: u64,
    incident_target: f64,
    phase: Phase,
    incidents: IncidentStream,
    facts: Vec<IncidentFact>,
    /// Per service, its deploy-caused incidents `(started_at, number)`; filled once the
    /// incident-related kinds are done (and the facts dropped).
    culprits: Vec<Vec<(DateTime<Utc>, u32)>>,
}

impl Batches {
    /// The organisation of `scale` for `seed`, covering the two years before `anchor`.
    pub fn new(scale: Scale, seed: u64, anchor: NaiveDate) -> Self {
        let window = Window::ending_before(anchor);
        let org = Org::build(scale, seed, &window);
        let incident_target = match scale {
            Scale::Small => 300.0,
            Scale::Large => 50_000.0,
            Scale::Xlarge => 250_000.0,
        };
        let incidents = IncidentStream::new(&org, incident_target, &window);
        Batches {
            org,
            window,
            seed,
            incident_target,
            phase: Phase::Teams,
            incidents,
            facts: Vec::new(),
            culprits: Vec::new(),
        }
    }

    pub fn window(&self) -> &Window {
        &self.window
    }

    /// About how many rows of `kind` will be generated (for progress bars).
    pub fn estimate(&self, kind: RecordKind) -> u64 {
        let org = &self.org;
        let window = &self.window;
        let estimate = match kind {
            RecordKind::Teams => org.teams.len() as f64,
            RecordKind::Services => org.services.len() as f64,
            RecordKind::Slos => org.slos.len() as f64,
            RecordKind::SloMeasurements => org
                .slos
                .iter()
                .map(|slo| f64::from(org.services[slo.service].active_days(window).saturating_sub(slo.first_day)))
                .sum(),
            RecordKind::Incidents => self.incident_target,
            RecordKind::Postmortems => self.incident_target * 0.17,
            RecordKind::Actions => self.incident_target * 3.0,
            RecordKind::DrTests => {
                org.services.iter().map(|service| operations::scheduled_tests(service, window)).sum()
            }
            RecordKind::Deployments => org
                .services
                .iter()
                .map(|service| service.deploys_per_week * f64::from(service.active_days(window)) / 7.0)
                .sum(),
            // The demo organisation has no exemptions: its struggling services show as such.
            RecordKind::Exemptions | RecordKind::SelfAssessments => 0.0,
            RecordKind::OncallShifts => org.teams.len() as f64 * f64::from(super::oncall::oncall_days(window)) / 7.0,
            RecordKind::ToilReports => super::toil::estimate(org),
            RecordKind::Remediations => org.services.len() as f64 * 3.0,
            RecordKind::Costs => org.services.iter().filter(|s| s.tier <= 2).count() as f64 * 18.0,
            RecordKind::SurveyResponses => super::surveys::estimate(org),
            RecordKind::CapacityMeasurements => {
                org.services.iter().filter(|s| s.tier <= 1 && s.retired_from.is_none()).count() as f64 * 2.0 * 180.0
            }
            RecordKind::Alerts => {
                (0..org.services.len()).map(|service| super::oncall::expected_alerts(org, window, service)).sum()
            }
        };
        estimate.round() as u64
    }

    /// Rows of whole services from `from` on, until the batch is full; also the next service.
    fn per_service(&self, from: usize, make: impl Fn(usize, &mut Vec<RawRow>)) -> (Vec<RawRow>, usize) {
        let mut rows = Vec::new();
        let mut next = from;
        while next < self.org.services.len() && rows.len() < ROWS_PER_BATCH {
            make(next, &mut rows);
            next += 1;
        }
        (rows, next)
    }

    fn next_phase_after_services(&self, next: usize, more: Phase, then: Phase) -> Phase {
        if next < self.org.services.len() { more } else { then }
    }
}

impl Iterator for Batches {
    type Item = (RecordKind, Vec<RawRow>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (kind, rows) = match self.phase {
                Phase::Teams => {
                    self.phase = Phase::Services;
                    (RecordKind::Teams, self.org.team_rows())
                }
                Phase::Services => {
                    self.phase = Phase::Slos;
                    (RecordKind::Services, self.org.service_rows())
                }
                Phase::Slos => {
                    self.phase = Phase::Measurements(0);
                    (RecordKind::Slos, self.org.slo_rows())
                }
                Phase::Measurements(from) => {
                    let to = (from + SLOS_PER_BATCH).min(self.org.slos.len());
                    let mut rows = Vec::new();
                    for slo in from..to {
                        measurement_rows(&self.org, &self.window, self.seed, slo, &mut rows);
                    }
                    self.phase = if to < self.org.slos.len() { Phase::Measurements(to) } else { Phase::Incidents };
                    (RecordKind::SloMeasurements, rows)
                }
                Phase::Incidents => {
                    let (rows, facts) =
                        self.incidents.next_batch(&self.org, &self.window, self.seed, INCIDENTS_PER_BATCH);
                    self.facts.extend(facts);
                    if self.incidents.finished(&self.window) {
                        self.phase = Phase::Postmortems(0);
                    }
                    (RecordKind::Incidents, rows)
                }
                Phase::Postmortems(from) => {
                    let to = (from + FACTS_PER_BATCH).min(self.facts.len());
                    let rows = incidents::postmortem_rows(&self.facts[from..to], &self.org, &self.window, self.seed);
                    self.phase = if to < self.facts.len() { Phase::Postmortems(to) } else { Phase::Actions(0) };
                    (RecordKind::Postmortems, rows)
                }
                Phase::Actions(from) => {
                    let to = (from + FACTS_PER_BATCH).min(self.facts.len());
                    let rows = incidents::action_rows(&self.facts[from..to], &self.org, &self.window, self.seed);
                    if to < self.facts.len() {
                        self.phase = Phase::Actions(to);
                    } else {
                        self.culprits = culprits(&self.facts, self.org.services.len());
                        self.facts = Vec::new();
                        self.phase = Phase::DrFollowUps(0);
                    }
                    (RecordKind::Actions, rows)
                }
                Phase::DrFollowUps(from) => {
                    let (rows, next) = self.per_service(from, |service, rows| {
                        let tests = operations::dr_tests(&self.org, &self.window, self.seed, service);
                        operations::dr_follow_up_rows(&self.org, &self.window, self.seed, service, &tests, rows);
                    });
                    self.phase = self.next_phase_after_services(next, Phase::DrFollowUps(next), Phase::DrTests(0));
                    (RecordKind::Actions, rows)
                }
                Phase::DrTests(from) => {
                    let (rows, next) = self.per_service(from, |service, rows| {
                        let tests = operations::dr_tests(&self.org, &self.window, self.seed, service);
                        operations::dr_test_rows(&self.org, service, &tests, rows);
                    });
                    self.phase = self.next_phase_after_services(next, Phase::DrTests(next), Phase::Deployments(0));
                    (RecordKind::DrTests, rows)
                }
                Phase::Deployments(from) => {
                    let (rows, next) = self.per_service(from, |service, rows| {
                        let culprits = self.culprits.get(service).map_or(&[][..], Vec::as_slice);
                        operations::deployment_rows(&self.org, &self.window, self.seed, service, culprits, rows);
                    });
                    self.phase = self.next_phase_after_services(next, Phase::Deployments(next), Phase::Alerts(0));
                    (RecordKind::Deployments, rows)
                }
                Phase::OncallShifts => {
                    self.phase = Phase::ToilReports;
                    (RecordKind::OncallShifts, super::oncall::shift_rows(&self.org, &self.window))
                }
                Phase::ToilReports => {
                    self.phase = Phase::Remediations;
                    (RecordKind::ToilReports, super::toil::toil_rows(&self.org, &self.window, self.seed))
                }
                Phase::Remediations => {
                    self.phase = Phase::Capacity(0);
                    (RecordKind::Remediations, super::toil::remediation_rows(&self.org, &self.window, self.seed))
                }
                Phase::Alerts(from) => {
                    let (rows, next) = self.per_service(from, |service, rows| {
                        super::oncall::alert_rows(&self.org, &self.window, self.seed, service, rows);
                    });
                    self.phase = self.next_phase_after_services(next, Phase::Alerts(next), Phase::OncallShifts);
                    (RecordKind::Alerts, rows)
                }
                Phase::Capacity(from) => {
                    let (rows, next) = self.per_service(from, |service, rows| {
                        super::capacity::capacity_rows(&self.org, &self.window, self.seed, service, rows);
                    });
                    self.phase = self.next_phase_after_services(next, Phase::Capacity(next), Phase::Costs(0));
                    (RecordKind::CapacityMeasurements, rows)
                }
                Phase::Costs(from) => {
                    let (rows, next) = self.per_service(from, |service, rows| {
                        super::cost::cost_rows(&self.org, &self.window, self.seed, service, rows);
                    });
                    self.phase = self.next_phase_after_services(next, Phase::Costs(next), Phase::Surveys);
                    (RecordKind::Costs, rows)
                }
                Phase::Surveys => {
                    self.phase = Phase::Done;
                    (RecordKind::SurveyResponses, super::surveys::survey_rows(&self.org, &self.window, self.seed))
                }
                Phase::Done => return None,
            };
            if !rows.is_empty() {
                return Some((kind, numbered(rows)));
            }
        }
    }
}

/// Per service, the incidents a deployment of it caused: `(started_at, number)`.
fn culprits(facts: &[IncidentFact], services: usize) -> Vec<Vec<(DateTime<Utc>, u32)>> {
    let mut by_service = vec![Vec::new(); services];
    for fact in facts.iter().filter(|fact| fact.change_related && fact.root_cause == Some(incidents::DEPLOY)) {
        by_service[fact.primary()].push((fact.started, fact.number));
    }
    by_service
}
