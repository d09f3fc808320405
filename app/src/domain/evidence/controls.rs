//! control_mapping.csv: which file and columns evidence which SOC 2 / ISO 27001 control.

use serde::Serialize;

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

/// Which file evidences which control (docs/evidence-pack.md).
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
        "A1.1",
        "Capacity and availability objectives",
        "capacity_measurements.csv",
        "service, tier, resource, day, peak_used, capacity, headroom",
        "Current capacity use was measured daily against the capacity in place.",
    ),
    evidence(
        ISO,
        "8.6",
        "Capacity management",
        "capacity_measurements.csv",
        "service, resource, day, peak_used, capacity, headroom",
        "The use of resources was monitored against capacity, day by day.",
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
        "deployed_at, external_id, outcome, incident_id, failed_change, author, approved_by, change_ticket, emergency",
        "Every change in the window with who made and who approved it; the change failure rate is re-performed from failed_change.",
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
        SOC2,
        "CC4.2",
        "Communicates deficiencies for corrective action",
        "campaigns.csv",
        "goal, scope, deadline, owner, result_met, result_total, result_open",
        "Dated remediation campaigns with an owner, and the result each reached on its deadline.",
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
        "deployed_at, external_id, outcome, failed_change, author, approved_by, change_ticket, emergency",
        "Changes, their outcomes and their approval.",
    ),
    evidence(
        SOC2,
        "CC7.2",
        "Monitoring events (the population of alerts)",
        "alerts.csv",
        "rule, fired_at, paged, acknowledged_at, minutes_to_acknowledge",
        "Every alert raised in the window and whether a person was paged; page_mtta is re-performed from \
         minutes_to_acknowledge.",
    ),
    evidence(
        SOC2,
        "CC7.3",
        "Evaluation of monitoring events",
        "alerts.csv",
        "disposition, incident_external_id, responder",
        "What was done with each event: its disposition (actionable, non_actionable, duplicate, \
         false_positive, or unreviewed) and the incident it became, if any.",
    ),
    evidence(
        SOC2,
        "CC7.3",
        "Responsibility for evaluating events",
        "oncall_shifts.csv",
        "team, schedule, person, starts_at, ends_at",
        "Who was on call to evaluate events at any time of the window.",
    ),
    evidence(
        ISO,
        "5.25",
        "Assessment and decision on information security events",
        "alerts.csv",
        "fired_at, paged, disposition, incident_external_id",
        "Each event was assessed and classified; those that became incidents name them.",
    ),
    evidence(
        ISO,
        "8.16",
        "Monitoring activities",
        "alerts.csv",
        "rule, service, fired_at, paged",
        "Alerts raised by monitoring in the window.",
    ),
    evidence(
        ISO,
        "8.16",
        "Monitoring activities",
        "oncall_shifts.csv",
        "team, person, starts_at, ends_at",
        "Monitoring was staffed: on-call coverage per team.",
    ),
    evidence(
        SOC2,
        "CC7.2",
        "Exceptions to monitoring requirements",
        "exemptions.csv",
        "check, reason, approver, approval_origin, created_at, expires_at",
        "Approved, expiring waivers of scorecard checks (shown as waived, never as pass); approval_origin \
         plumbline = approved by the approver in Plumbline, imported = approved in another system, not verified.",
    ),
    evidence(
        ISO,
        "5.30",
        "ICT readiness for business continuity",
        "self_assessments.csv",
        "item, answer, answered_by, answered_at, reviewed_by, reviewed_at, approval_origin",
        "Operational readiness checklist answers per service, signed off by a second person (self-attested).",
    ),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::domain::evidence::Population;

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
        for control in ["5.24", "5.25", "5.26", "5.27", "5.28", "5.29", "5.30", "8.6", "8.13", "8.14", "8.16", "8.32"] {
            assert!(CONTROL_MAPPING.iter().any(|r| r.framework == ISO && r.control == control), "{control}");
        }
    }
}

/// One control of control_summary.csv: the files of this pack that evidence it and how many
/// records they hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlSummary {
    pub framework: &'static str,
    pub control: &'static str,
    pub topic: &'static str,
    /// The evidencing files, in mapping order, `; `-separated.
    pub files: String,
    /// Records in those files (a file listed more than once counts once).
    pub records: u64,
}

impl ControlSummary {
    /// What the auditor can do with it: test the records, or note that there were none.
    pub fn status(&self) -> &'static str {
        if self.records > 0 { "records to test" } else { "no records in the window" }
    }
}

/// Each control of the mapping once, with its files and their record counts in this pack
/// (`rows` by file name; a file without a count holds no records, e.g. a fixed text).
pub fn control_summary(rows: &std::collections::BTreeMap<String, u64>) -> Vec<ControlSummary> {
    let mut out: Vec<ControlSummary> = Vec::new();
    let mut files_of: Vec<Vec<&'static str>> = Vec::new();
    for row in CONTROL_MAPPING {
        let index = match out.iter().position(|c| c.framework == row.framework && c.control == row.control) {
            Some(index) => index,
            None => {
                out.push(ControlSummary {
                    framework: row.framework,
                    control: row.control,
                    topic: row.topic,
                    files: String::new(),
                    records: 0,
                });
                files_of.push(Vec::new());
                out.len() - 1
            }
        };
        if !files_of[index].contains(&row.file) {
            files_of[index].push(row.file);
            out[index].records += rows.get(row.file).copied().unwrap_or_default();
        }
    }
    for (summary, files) in out.iter_mut().zip(files_of) {
        summary.files = files.join("; ");
    }
    out
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn each_control_appears_once_with_the_records_of_its_files() {
        let rows = std::collections::BTreeMap::from([("incidents.csv".to_owned(), 3), ("actions.csv".to_owned(), 0)]);
        let summary = control_summary(&rows);
        let mut seen = std::collections::BTreeSet::new();
        assert!(summary.iter().all(|c| seen.insert((c.framework, c.control))), "no control twice");
        let cc72 = summary.iter().find(|c| c.framework == SOC2 && c.control == "CC7.2").expect("CC7.2");
        assert!(cc72.files.contains("incidents.csv") && cc72.records >= 3, "{cc72:?}");
        assert_eq!(cc72.status(), "records to test");
        assert!(summary.iter().any(|c| c.records == 0 && c.status() == "no records in the window"));
    }
}
