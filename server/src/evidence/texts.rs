//! The pack's fixed and descriptive files: control_mapping.csv, manifest.json, README.txt.

use std::fmt::Write as _;

use app::domain::evidence::{CONTROL_MAPPING, EVIDENCE_FORMAT, EvidenceRequest, Population};
use app::domain::kpi::KPI_DEFINITIONS_VERSION;
use serde_json::json;

use super::PackContext;
use super::populations::Window;
use super::writer::FileRecord;
use crate::csv;

pub(super) fn control_mapping() -> String {
    let mut out = csv::line(["framework", "control", "topic", "file", "columns", "how_it_evidences"]);
    for row in CONTROL_MAPPING {
        out.push_str(&csv::line([row.framework, row.control, row.topic, row.file, row.columns, row.how]));
    }
    out
}

/// control_summary.csv: each control once, with the files of this pack evidencing it and their
/// record counts; returns the text and its number of controls.
pub(super) fn control_summary_csv(rows: &std::collections::BTreeMap<String, u64>) -> (String, u64) {
    let mut out = csv::line(["framework", "control", "topic", "files", "records", "status"]);
    let controls = app::domain::evidence::control_summary(rows);
    for c in &controls {
        out.push_str(&csv::line([c.framework, c.control, c.topic, &c.files, &c.records.to_string(), c.status()]));
    }
    (out, controls.len() as u64)
}

pub(super) fn manifest(
    request: &EvidenceRequest,
    context: &PackContext,
    window: &Window,
    files: &[FileRecord],
    samples: &[serde_json::Value],
    sums_sha256: &str,
) -> serde_json::Value {
    json!({
        "format": EVIDENCE_FORMAT,
        "generated_at": context.generated_at,
        "generated_by": context.generated_by,
        "audit_head": context.audit_head,
        "generation_fields": ["generated_at", "generated_by", "audit_head"],
        "application": {"name": "plumbline", "version": env!("CARGO_PKG_VERSION")},
        "kpi_definitions_version": KPI_DEFINITIONS_VERSION,
        "policy_version": context.policy_version,
        "window": {
            "from": request.from,
            "to": request.to,
            "days": request.day_count(),
            "time_zone": context.calendar.time_zone().name(),
            "start": window.start,
            "end_exclusive": window.end,
        },
        "filters": {
            "teams": request.teams,
            "tiers": request.tiers,
            "applies_to": Population::ALL.into_iter().filter(|p| p.filtered_by_scope()).map(|p| p.file()).collect::<Vec<_>>(),
        },
        "sampling": samples,
        "sha256sums_sha256": sums_sha256,
        "files": files,
    })
}

pub(super) fn readme_text(request: &EvidenceRequest, context: &PackContext) -> String {
    let mut text = format!(
        "PLUMBLINE AUDIT EVIDENCE PACK ({EVIDENCE_FORMAT})\n\
         \n\
         Window: {from} to {to}, both days included, in the reporting time zone {tz}.\n\
         Filter: {filter} (applies to the service-owned populations; import batches and\n\
         audit events cover the whole organisation).\n\
         \n\
         FILES\n",
        from = request.from,
        to = request.to,
        tz = context.calendar.time_zone().name(),
        filter = request.filter_text(),
    );
    let _ = writeln!(text, "  README.txt             this file");
    let _ = writeln!(text, "  manifest.json          who generated the pack and when, versions, and per file its row");
    let _ = writeln!(text, "                         count, SHA-256 and the selection that produced it");
    let _ = writeln!(text, "  SHA256SUMS             SHA-256 of every file except itself and manifest.json");
    let _ = writeln!(text, "  control_mapping.csv    which file and columns evidence which SOC 2 / ISO 27001 control");
    for population in Population::ALL {
        let _ = writeln!(text, "  {:<22} {}", population.file(), population.description());
        let _ = writeln!(text, "  {:<22} Selection: {}.", "", population.selection());
    }
    let _ = writeln!(text, "  samples/               random samples requested by the auditor (see manifest.json)");
    let _ =
        writeln!(text, "  reports/               published scorecard snapshots (JSON) of periods inside the window,");
    let _ = writeln!(text, "                         and each published quarter's executive report (PDF)");
    text.push_str(
        "\nHOW TO VERIFY\n\
         1. unzip the pack and run `sha256sum -c SHA256SUMS` in its folder: every file must be OK.\n\
         2. Compare each CSV's data rows (lines after the header) with \"rows\" in manifest.json.\n\
         3. The download is recorded in Plumbline's audit trail (action evidence.downloaded) with\n\
         \x20  the SHA-256 of the whole ZIP and of manifest.json and SHA256SUMS. manifest.json's\n\
         \x20  audit_head is the trail's head when the pack was generated; `plumbline audit verify`\n\
         \x20  re-computes the chain, and a later chain that does not contain that head was truncated.\n\
         4. The same request over unchanged data gives identical files; only manifest.json's\n\
         \x20  generation fields (generated_at, generated_by, audit_head) differ.\n\
         \n\
         CONVENTIONS\n\
         - CSV per RFC 4180, UTF-8, CRLF line ends, a header row.\n\
         - Instants are UTC, RFC 3339. Dates are days in the reporting time zone.\n\
         - Durations are minutes with two decimals, from the record's own timestamps.\n\
         - Objectives and attainment are percentages. An empty cell means no value.\n\
         - Spreadsheet safety: a cell that would begin with =, +, -, @, a tab, a carriage return\n\
         \x20 or a single quote is written with one extra leading single quote (') so spreadsheets\n\
         \x20 show it as text. Remove exactly one leading quote to recover the stored value.\n",
    );
    text
}
