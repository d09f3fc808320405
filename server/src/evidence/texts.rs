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

/// The pack's signing key, and the SHA-256 of its audit checkpoint (none while the trail is empty).
pub(super) struct Signing<'a> {
    pub signer: &'a crate::signing::PackSigner,
    pub checkpoint_sha256: Option<&'a str>,
}

pub(super) fn manifest(
    request: &EvidenceRequest,
    context: &PackContext,
    window: &Window,
    files: &[FileRecord],
    samples: &[serde_json::Value],
    sums_sha256: &str,
    signing: &Signing<'_>,
) -> serde_json::Value {
    use super::pack::{CHECKPOINT, MANIFEST, PUBLIC_KEY, SIGNATURE_SUFFIX, SUMS};
    json!({
        "format": EVIDENCE_FORMAT,
        "generated_at": context.generated_at,
        "generated_by": context.generated_by,
        "audit_head": context.audit_head,
        "audit_checkpoint": signing.checkpoint_sha256.map(|sha256| json!({"file": CHECKPOINT, "sha256": sha256})),
        "generation_fields": ["generated_at", "generated_by", "audit_head", "audit_checkpoint"],
        "signature": {
            "algorithm": "Ed25519",
            "key_id": signing.signer.key_id(),
            "public_key_file": PUBLIC_KEY,
            "signed_files": {
                MANIFEST: format!("{MANIFEST}{SIGNATURE_SUFFIX}"),
                SUMS: format!("{SUMS}{SIGNATURE_SUFFIX}"),
            },
        },
        "application": {"name": "plumbline", "version": env!("CARGO_PKG_VERSION")},
        "kpi_definitions_version": KPI_DEFINITIONS_VERSION,
        "policy_version": context.policy_version,
        // The records as known at this instant (docs/as-known-at.md); null: as they were read.
        "as_known_at": request.as_known_at,
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
    let known = match request.as_known_at {
        Some(at) => format!(
            "Records: as they were known at {}; corrections imported later are left out\n\
             (docs/as-known-at.md in the Plumbline repository).\n",
            at.to_rfc3339()
        ),
        None => String::new(),
    };
    let mut text = format!(
        "PLUMBLINE AUDIT EVIDENCE PACK ({EVIDENCE_FORMAT})\n\
         \n\
         Window: {from} to {to}, both days included, in the reporting time zone {tz}.\n\
         Filter: {filter} (applies to the service-owned populations; import batches and\n\
         audit events cover the whole organisation).\n\
         {known}\
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
    let _ = writeln!(text, "  SHA256SUMS             SHA-256 of every file except the ones below");
    let _ = writeln!(text, "  manifest.json.sig      Ed25519 signature of manifest.json (raw 64 bytes)");
    let _ = writeln!(text, "  SHA256SUMS.sig         Ed25519 signature of SHA256SUMS (raw 64 bytes)");
    let _ = writeln!(text, "  signing-key.pem        the public key both signatures check with");
    let _ = writeln!(text, "  audit_checkpoint.json  the audit trail's head when the pack was read, signed");
    let _ = writeln!(text, "  control_mapping.csv    which file and columns evidence which SOC 2 / ISO 27001 control");
    for population in Population::ALL {
        let _ = writeln!(text, "  {:<22} {}", population.file(), population.description());
        let _ = writeln!(text, "  {:<22} Selection: {}.", "", population.selection());
    }
    let _ = writeln!(text, "  samples/               random samples requested by the auditor (see manifest.json)");
    let _ =
        writeln!(text, "  control_tests.csv      each control test over the window: population, deviations, status");
    let _ = writeln!(text, "  deviations.csv         every record that failed a control test, and why");
    let _ = writeln!(text, "  sample_reviews.csv     the auditors' samples of this window and each record's review");
    let _ =
        writeln!(text, "  reports/               published scorecard snapshots (JSON) of periods inside the window,");
    let _ = writeln!(text, "                         and each published quarter's executive report (PDF)");
    text.push_str(
        "\nHOW TO VERIFY\n\
         1. `plumbline verify-pack PACK.zip --public-key KEY.pem` checks both signatures and every\n\
         \x20  file, offline, without a database (exit 0, or 1 naming what failed). KEY.pem is the\n\
         \x20  key Plumbline publishes at /api/v1/evidence/public-key; without --public-key the\n\
         \x20  pack's own signing-key.pem is used, which proves the pack unaltered since signing\n\
         \x20  but not who signed it: compare its key id (in manifest.json) with the published one.\n\
         2. Without Plumbline: `openssl pkeyutl -verify -pubin -inkey KEY.pem -rawin -in\n\
         \x20  manifest.json -sigfile manifest.json.sig` (the same for SHA256SUMS), then\n\
         \x20  `sha256sum -c SHA256SUMS` in the unzipped folder: every file must be OK.\n\
         3. Compare each CSV's data rows (lines after the header) with \"rows\" in manifest.json.\n\
         4. The download is recorded in Plumbline's audit trail (action evidence.downloaded) with\n\
         \x20  the SHA-256 of the whole ZIP and of manifest.json and SHA256SUMS. Keep\n\
         \x20  audit_checkpoint.json: `plumbline audit verify --checkpoint audit_checkpoint.json`\n\
         \x20  later fails, naming the seq, if the trail was rewritten or truncated since.\n\
         5. The same request over unchanged data gives identical files; only manifest.json's\n\
         \x20  generation fields (generated_at, generated_by, audit_head, audit_checkpoint), the\n\
         \x20  checkpoint and the signatures differ.\n\
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
