//! Audit evidence packs (DESIGN.md §7): what an auditor asks for (window, filters, samples), the
//! populations a pack holds and the rule that selects each, and which controls they evidence.
//! Producing the pack is the server's job; everything here is pure.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The version of the pack's layout (files, columns, selection rules).
pub const EVIDENCE_FORMAT: &str = "plumbline-evidence/1";

/// The largest sample an auditor may ask for from one population.
pub const MAX_SAMPLE: u32 = 10_000;

/// The populations of a pack, in the order their files are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Population {
    Incidents,
    Postmortems,
    Actions,
    DrTests,
    Slos,
    SloAttainment,
    Deployments,
    Exemptions,
    ImportBatches,
    AuditEvents,
}

impl Population {
    pub const ALL: [Population; 10] = [
        Population::Incidents,
        Population::Postmortems,
        Population::Actions,
        Population::DrTests,
        Population::Slos,
        Population::SloAttainment,
        Population::Deployments,
        Population::Exemptions,
        Population::ImportBatches,
        Population::AuditEvents,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Population::Incidents => "incidents",
            Population::Postmortems => "postmortems",
            Population::Actions => "actions",
            Population::DrTests => "dr_tests",
            Population::Slos => "slos",
            Population::SloAttainment => "slo_attainment",
            Population::Deployments => "deployments",
            Population::Exemptions => "exemptions",
            Population::ImportBatches => "import_batches",
            Population::AuditEvents => "audit_events",
        }
    }

    pub fn parse(name: &str) -> Option<Population> {
        Population::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The file in the pack.
    pub fn file(self) -> String {
        format!("{}.csv", self.name())
    }

    /// The file holding a sample of this population.
    pub fn sample_file(self) -> String {
        format!("samples/{}_sample.csv", self.name())
    }

    /// The CSV header.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Population::Incidents => &[
                "id",
                "source",
                "external_id",
                "title",
                "severity",
                "status",
                "services",
                "teams",
                "started_at",
                "detected_at",
                "acknowledged_at",
                "mitigated_at",
                "resolved_at",
                "minutes_to_detect",
                "minutes_to_acknowledge",
                "minutes_to_restore",
                "minutes_impact",
                "minutes_to_resolve",
                "customer_impacting",
                "customer_impact_minutes",
                "change_related",
                "root_cause_category",
                "repeat_of_id",
                "started_in_window",
                "mitigated_in_window",
                "import_batch_id",
                "created_at",
                "updated_at",
            ],
            Population::Postmortems => &[
                "id",
                "incident_id",
                "incident_external_id",
                "incident_severity",
                "incident_mitigated_at",
                "status",
                "published_at",
                "published_within_7_days",
                "url",
                "import_batch_id",
                "created_at",
                "updated_at",
            ],
            Population::Actions => &[
                "id",
                "source",
                "external_id",
                "incident_id",
                "service",
                "team",
                "title",
                "owner",
                "priority",
                "due_date",
                "status",
                "completed_at",
                "on_time",
                "due_in_window",
                "open_at_window_end",
                "days_overdue_at_window_end",
                "import_batch_id",
                "created_at",
                "updated_at",
            ],
            Population::DrTests => &[
                "id",
                "source",
                "external_id",
                "service",
                "team",
                "tier",
                "scenario",
                "performed_at",
                "outcome",
                "rto_target_minutes",
                "rto_achieved_minutes",
                "rto_met",
                "rpo_target_minutes",
                "rpo_achieved_minutes",
                "rpo_met",
                "evidence_url",
                "notes",
                "import_batch_id",
                "created_at",
                "updated_at",
            ],
            Population::Slos => &[
                "id",
                "service",
                "team",
                "tier",
                "slo",
                "name",
                "indicator",
                "objective",
                "window_days",
                "budgeting",
                "threshold_ms",
                "import_batch_id",
                "created_at",
                "updated_at",
            ],
            Population::SloAttainment => &[
                "slo_id",
                "service",
                "slo",
                "period",
                "from",
                "to",
                "days_in_period",
                "days_with_data",
                "good",
                "total",
                "attainment",
                "objective",
                "met",
            ],
            Population::Deployments => &[
                "id",
                "source",
                "external_id",
                "service",
                "team",
                "deployed_at",
                "outcome",
                "incident_id",
                "failed_change",
                "import_batch_id",
                "created_at",
                "updated_at",
            ],
            Population::Exemptions => &[
                "id",
                "service",
                "team",
                "check",
                "reason",
                "approver",
                "created_at",
                "expires_at",
                "import_batch_id",
                "updated_at",
            ],
            Population::ImportBatches => &[
                "id",
                "kind",
                "source",
                "format",
                "file_name",
                "actor",
                "sha256",
                "received",
                "created",
                "updated",
                "unchanged",
                "rejected",
                "status",
                "started_at",
                "finished_at",
            ],
            Population::AuditEvents => &["seq", "at", "actor", "action", "target", "details", "prev_hash", "hash"],
        }
    }

    /// Whether the team/tier filter applies (import batches and audit events are org-wide).
    pub fn filtered_by_scope(self) -> bool {
        !matches!(self, Population::ImportBatches | Population::AuditEvents)
    }

    /// What the file is, for README.txt.
    pub fn description(self) -> &'static str {
        match self {
            Population::Incidents => {
                "Incidents with every timestamp, the durations derived from them (minutes), severity, \
                 affected services and flags."
            }
            Population::Postmortems => "Postmortems of the incidents in incidents.csv, with publication timeliness.",
            Population::Actions => {
                "Postmortem actions with due and completion dates, the on-time flag and days overdue at \
                 the window's end."
            }
            Population::DrTests => "Disaster-recovery tests with RTO and RPO targets against what was achieved.",
            Population::Slos => "SLO definitions of the services in scope.",
            Population::SloAttainment => {
                "Per SLO: good and total events, days with data and attainment for each calendar month \
                 of the window (clipped to it) and for the whole window."
            }
            Population::Deployments => "Deployments (change records) with outcome and linked incident.",
            Population::Exemptions => "Scorecard exemptions (waivers) in force at any time during the window.",
            Population::ImportBatches => {
                "Import batches: who sent what, from which source system, when, the payload's SHA-256 and \
                 the row counts (received, created, updated, unchanged, rejected)."
            }
            Population::AuditEvents => "Audit trail events of the window with their hash-chain links.",
        }
    }

    /// The rule that selects the records (also written into manifest.json).
    pub fn selection(self) -> &'static str {
        match self {
            Population::Incidents => {
                "incidents with started_at or mitigated_at in [window start, window end), naming at least \
                 one service in scope; ordered by id"
            }
            Population::Postmortems => "postmortems whose incident is in incidents.csv; ordered by id",
            Population::Actions => {
                "actions of services in scope that are due in the window, or that were open at the window's \
                 end (status not wont_do, not completed before it) with a due date before the window; \
                 ordered by id"
            }
            Population::DrTests => "DR tests of services in scope with performed_at in the window; ordered by id",
            Population::Slos => "every SLO of a service in scope; ordered by id",
            Population::SloAttainment => {
                "measurements of the SLOs in slos.csv with day in the window, summed per SLO per calendar \
                 month and over the window; ordered by SLO id, then period"
            }
            Population::Deployments => "deployments of services in scope with deployed_at in the window; ordered by id",
            Population::Exemptions => {
                "exemptions of services in scope created before the window's end and expiring at or after \
                 its start; ordered by id"
            }
            Population::ImportBatches => "import batches started in the window (all teams); ordered by id",
            Population::AuditEvents => "audit events with at in the window (all teams); ordered by seq",
        }
    }
}

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
    #[error("unknown parameter '{0}'; accepted: from, to, team, tier, seed, sample_<population>")]
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
        Ok(EvidenceRequest { teams, tiers, samples, seed, ..EvidenceRequest::window(from, to)? })
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

pub fn parse_date(field: &'static str, value: &str) -> Result<NaiveDate, EvidenceRequestError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        // Years beyond four digits would overflow instants and file names alike.
        .filter(|d| (1900..=9998).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| EvidenceRequestError::BadDate { field, value: value.to_owned() })
}

pub fn parse_tier(value: &str) -> Result<i16, EvidenceRequestError> {
    value.parse::<i16>().ok().filter(|t| (0..=3).contains(t)).ok_or_else(|| EvidenceRequestError::BadTier(value.into()))
}

pub fn parse_team(value: &str) -> Result<String, EvidenceRequestError> {
    let valid = !value.is_empty()
        && value.len() <= 100
        && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if valid { Ok(value.to_owned()) } else { Err(EvidenceRequestError::BadTeam(value.to_owned())) }
}

pub fn parse_sample_size(population: &str, value: &str) -> Result<u32, EvidenceRequestError> {
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

/// One row of control_mapping.csv.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ControlEvidence {
    pub framework: &'static str,
    pub control: &'static str,
    pub topic: &'static str,
    pub file: &'static str,
    pub columns: &'static str,
    pub how: &'static str,
}

const fn evidence(
    framework: &'static str,
    control: &'static str,
    topic: &'static str,
    file: &'static str,
    columns: &'static str,
    how: &'static str,
) -> ControlEvidence {
    ControlEvidence { framework, control, topic, file, columns, how }
}

const SOC2: &str = "SOC 2 TSC";
const ISO: &str = "ISO/IEC 27001:2022 Annex A";

/// Which file evidences which control (DESIGN.md §7).
pub const CONTROL_MAPPING: &[ControlEvidence] = &[
    evidence(
        SOC2,
        "CC7.2",
        "Monitoring for anomalies (detection)",
        "incidents.csv",
        "started_at, detected_at, minutes_to_detect, severity",
        "Every incident of the window with when it began and when it was detected; MTTD is re-performed from minutes_to_detect.",
    ),
    evidence(
        SOC2,
        "CC7.2",
        "Monitoring against objectives",
        "slo_attainment.csv",
        "slo_id, period, good, total, attainment, objective, met",
        "SLO attainment per month shows the services were measured against objectives.",
    ),
    evidence(
        SOC2,
        "CC7.3",
        "Evaluation of security events",
        "incidents.csv",
        "severity, acknowledged_at, minutes_to_acknowledge, status",
        "Each event was triaged: severity assigned and acknowledgement time recorded.",
    ),
    evidence(
        SOC2,
        "CC7.4",
        "Incident response",
        "incidents.csv",
        "acknowledged_at, mitigated_at, resolved_at, minutes_to_restore, minutes_to_resolve",
        "Response and restoration times per incident.",
    ),
    evidence(
        SOC2,
        "CC7.5",
        "Recovery and lessons learned",
        "postmortems.csv",
        "incident_id, status, published_at, published_within_7_days",
        "High-severity incidents have published postmortems; timeliness is flagged.",
    ),
    evidence(
        SOC2,
        "CC7.5",
        "Recovery actions",
        "actions.csv",
        "incident_id, due_date, status, completed_at, on_time",
        "Postmortem actions carried to completion.",
    ),
    evidence(
        SOC2,
        "CC4.2",
        "Timely remediation of deficiencies",
        "actions.csv",
        "due_date, completed_at, on_time, open_at_window_end, days_overdue_at_window_end",
        "On-time rate and overdue actions with their age at the window's end.",
    ),
    evidence(
        SOC2,
        "A1.1",
        "Capacity and availability objectives",
        "slos.csv",
        "service, slo, indicator, objective, window_days",
        "Objectives are defined for the services in scope.",
    ),
    evidence(
        SOC2,
        "A1.1",
        "Capacity and availability objectives",
        "slo_attainment.csv",
        "attainment, objective, met, days_with_data",
        "Objectives were measured and met or missed per month.",
    ),
    evidence(
        SOC2,
        "A1.2",
        "Backup and recovery infrastructure",
        "dr_tests.csv",
        "scenario, performed_at, outcome, rpo_target_minutes, rpo_achieved_minutes, rpo_met",
        "Backup verification and restore tests with the data-loss objective achieved.",
    ),
    evidence(
        SOC2,
        "A1.3",
        "Recovery plan testing",
        "dr_tests.csv",
        "scenario, performed_at, outcome, rto_target_minutes, rto_achieved_minutes, rto_met, evidence_url",
        "Recovery tests performed in the window with their results and evidence.",
    ),
    evidence(
        SOC2,
        "CC8.1",
        "Change management",
        "deployments.csv",
        "deployed_at, external_id, outcome, incident_id, failed_change",
        "Every change in the window; the change failure rate is re-performed from failed_change.",
    ),
    evidence(
        ISO,
        "5.24",
        "Incident management planning and preparation",
        "slos.csv",
        "service, slo, objective",
        "Objectives that define when an incident is declared.",
    ),
    evidence(
        ISO,
        "5.25",
        "Assessment and decision on information security events",
        "incidents.csv",
        "severity, detected_at, acknowledged_at",
        "Events assessed and classified by severity.",
    ),
    evidence(
        ISO,
        "5.26",
        "Response to information security incidents",
        "incidents.csv",
        "acknowledged_at, mitigated_at, resolved_at, minutes_to_restore",
        "Response times per incident.",
    ),
    evidence(
        ISO,
        "5.27",
        "Learning from information security incidents",
        "postmortems.csv",
        "status, published_at, published_within_7_days",
        "Postmortems of the window's incidents.",
    ),
    evidence(
        ISO,
        "5.27",
        "Learning from information security incidents",
        "actions.csv",
        "title, due_date, status, on_time",
        "Actions from postmortems and their completion.",
    ),
    evidence(
        ISO,
        "5.28",
        "Collection of evidence",
        "import_batches.csv",
        "source, format, file_name, sha256, received, created, updated, unchanged, rejected, started_at",
        "Where every record came from, when, and the payload hash.",
    ),
    evidence(
        ISO,
        "5.28",
        "Collection of evidence",
        "audit_events.csv",
        "seq, at, actor, action, target, prev_hash, hash",
        "The hash-chained trail of changes and downloads.",
    ),
    evidence(
        ISO,
        "5.29",
        "Information security during disruption",
        "incidents.csv",
        "customer_impacting, customer_impact_minutes, minutes_impact",
        "Impact of disruptions on customers.",
    ),
    evidence(
        ISO,
        "5.30",
        "ICT readiness for business continuity",
        "dr_tests.csv",
        "scenario, outcome, rto_met, rpo_met",
        "Continuity and recovery exercises and their results.",
    ),
    evidence(
        ISO,
        "8.13",
        "Information backup",
        "dr_tests.csv",
        "scenario, performed_at, outcome, rpo_achieved_minutes",
        "Backup verification and restore tests (scenario backup_verification or restore).",
    ),
    evidence(
        ISO,
        "8.14",
        "Redundancy of information processing facilities",
        "dr_tests.csv",
        "scenario, outcome, rto_achieved_minutes",
        "Failover and region evacuation tests.",
    ),
    evidence(
        ISO,
        "8.16",
        "Monitoring activities",
        "slo_attainment.csv",
        "good, total, days_with_data, attainment",
        "Continuous measurement of the services.",
    ),
    evidence(
        ISO,
        "8.16",
        "Monitoring activities",
        "incidents.csv",
        "detected_at, minutes_to_detect",
        "Detection of anomalies.",
    ),
    evidence(
        ISO,
        "8.32",
        "Change management",
        "deployments.csv",
        "deployed_at, external_id, outcome, failed_change",
        "Changes and their outcomes.",
    ),
    evidence(
        SOC2,
        "CC7.2",
        "Exceptions to monitoring requirements",
        "exemptions.csv",
        "check, reason, approver, created_at, expires_at",
        "Approved, expiring waivers of scorecard checks (shown as waived, never as pass).",
    ),
];

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

    #[test]
    fn every_mapped_file_is_in_the_pack() {
        let files: BTreeSet<String> = Population::ALL.map(Population::file).into_iter().collect();
        for row in CONTROL_MAPPING {
            assert!(files.contains(row.file), "{} maps to {}", row.control, row.file);
        }
        for row in CONTROL_MAPPING {
            let population = Population::ALL.into_iter().find(|p| p.file() == row.file).expect("mapped file");
            for column in row.columns.split(", ") {
                assert!(population.columns().contains(&column), "{} names {column} of {}", row.control, row.file);
            }
        }
        for control in ["CC7.2", "CC7.3", "CC7.4", "CC7.5", "CC4.2", "A1.1", "A1.2", "A1.3", "CC8.1"] {
            assert!(CONTROL_MAPPING.iter().any(|r| r.framework == SOC2 && r.control == control), "{control}");
        }
        for control in ["5.24", "5.25", "5.26", "5.27", "5.28", "5.29", "5.30", "8.13", "8.14", "8.16", "8.32"] {
            assert!(CONTROL_MAPPING.iter().any(|r| r.framework == ISO && r.control == control), "{control}");
        }
    }
}
