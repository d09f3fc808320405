//! The populations of a pack: file, columns, description and the rule that selects the records.

use serde::{Deserialize, Serialize};

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
    Alerts,
    OncallShifts,
    CapacityMeasurements,
    Exemptions,
    Campaigns,
    SelfAssessments,
    ImportBatches,
    AuditEvents,
}

impl Population {
    pub const ALL: [Population; 15] = [
        Population::Incidents,
        Population::Postmortems,
        Population::Actions,
        Population::DrTests,
        Population::Slos,
        Population::SloAttainment,
        Population::Deployments,
        Population::Alerts,
        Population::OncallShifts,
        Population::CapacityMeasurements,
        Population::Exemptions,
        Population::Campaigns,
        Population::SelfAssessments,
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
            Population::Alerts => "alerts",
            Population::OncallShifts => "oncall_shifts",
            Population::CapacityMeasurements => "capacity_measurements",
            Population::Exemptions => "exemptions",
            Population::Campaigns => "campaigns",
            Population::SelfAssessments => "self_assessments",
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
                "data_loss_minutes",
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
                "incident_external_id",
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
                "calendar_window",
                "calendar_start",
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
                "incident_external_id",
                "failed_change",
                "author",
                "approved_by",
                "change_ticket",
                "emergency",
                "import_batch_id",
                "created_at",
                "updated_at",
            ],
            Population::Alerts => &[
                "id",
                "source",
                "external_id",
                "service",
                "team",
                "rule",
                "fired_at",
                "acknowledged_at",
                "resolved_at",
                "minutes_to_acknowledge",
                "paged",
                "urgency",
                "responder",
                "escalations",
                "auto_resolved",
                "disposition",
                "incident_id",
                "incident_external_id",
                "labels",
                "import_batch_id",
                "created_at",
                "updated_at",
            ],
            Population::OncallShifts => &[
                "id",
                "team",
                "schedule",
                "person",
                "starts_at",
                "ends_at",
                "hours",
                "import_batch_id",
                "created_at",
                "updated_at",
            ],
            Population::CapacityMeasurements => &[
                "id",
                "service",
                "team",
                "tier",
                "resource",
                "day",
                "peak_used",
                "capacity",
                "headroom",
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
                "approval_origin",
                "created_at",
                "expires_at",
                "import_batch_id",
                "updated_at",
            ],
            Population::Campaigns => &[
                "id",
                "slug",
                "title",
                "owner",
                "goal",
                "scope",
                "deadline",
                "created_by",
                "created_at",
                "cancelled_at",
                "result_met",
                "result_total",
                "result_open",
                "result_day",
                "result_recorded_at",
            ],
            Population::SelfAssessments => &[
                "id",
                "service",
                "team",
                "item",
                "answer",
                "evidence_url",
                "comment",
                "answered_by",
                "answered_at",
                "reviewed_by",
                "reviewed_at",
                "approval_origin",
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
            Population::Alerts => {
                "Monitoring events: every alert of the window, whether it paged a person, when it was \
                 acknowledged and resolved, and its triage disposition (what was done with it)."
            }
            Population::OncallShifts => "Who was on call for each team's schedules during the window.",
            Population::CapacityMeasurements => {
                "Capacity monitoring: each service's daily peak use of a resource against its capacity in the \
                 window, with the headroom left (1 − peak_used ÷ capacity; negative when it ran over)."
            }
            Population::Exemptions => "Scorecard exemptions (waivers) in force at any time during the window.",
            Population::Campaigns => {
                "Campaigns: dated goals for sets of services (goal and scope as JSON), who started them, and \
                 each ended one's result — the standing recorded on its deadline. Their changes are in \
                 audit_events.csv (campaign.*)."
            }
            Population::SelfAssessments => {
                "Readiness self-assessment answers (self-attested, not measured) with who answered and who \
                 signed them off."
            }
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
            Population::Alerts => "alerts of services in scope with fired_at in the window; ordered by id",
            Population::CapacityMeasurements => {
                "capacity measurements of services in scope with day in the window; ordered by id"
            }
            Population::OncallShifts => {
                "on-call shifts of the teams owning a service in scope that overlap the window (starts_at before \
                 its end, ends_at after its start); ordered by id"
            }
            Population::Exemptions => {
                "exemptions of services in scope created before the window's end and expiring at or after \
                 its start; ordered by id"
            }
            Population::Campaigns => {
                "campaigns created before the window's end with a deadline on or after its first day (all \
                 teams); ordered by id"
            }
            Population::SelfAssessments => {
                "self-assessment answers of services in scope answered or reviewed in the window; ordered by id"
            }
            Population::ImportBatches => {
                "import batches started in the window, and every batch a record in this pack came from (all \
                 teams); ordered by id"
            }
            Population::AuditEvents => "audit events with at in the window (all teams); ordered by seq",
        }
    }
}
