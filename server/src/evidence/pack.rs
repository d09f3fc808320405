//! Assembling the pack: README.txt and control_mapping.csv first (so bytes flow at once), then
//! each population (with its sample, if asked for), the published reports of the window,
//! SHA256SUMS, and manifest.json last, when every hash is known.

use std::fmt::Write as _;

use app::domain::evidence::{CONTROL_MAPPING, EVIDENCE_FORMAT, EvidenceRequest, Population, SAMPLING_METHOD};
use app::domain::kpi::KPI_DEFINITIONS_VERSION;
use bytes::Bytes;
use sea_orm::DatabaseTransaction;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::populations::{self, Window};
use super::sample::Reservoir;
use super::zip::ZipStream;
use super::{ChunkSender, EvidenceError, PackContext, Scope};
use crate::csv;

/// What identifies a finished pack.
#[derive(Debug, Clone, Serialize)]
pub struct PackSummary {
    /// SHA-256 of the whole ZIP as sent.
    pub sha256: String,
    pub bytes: u64,
    pub manifest_sha256: String,
    /// SHA-256 of SHA256SUMS: the same for the same request over unchanged data.
    pub sums_sha256: String,
    pub files: usize,
    pub seed: Option<u64>,
}

/// One file of the pack, as the manifest lists it.
#[derive(Debug, Clone, Serialize)]
struct FileRecord {
    path: String,
    /// Data rows (CSV files; the header is not counted).
    #[serde(skip_serializing_if = "Option::is_none")]
    rows: Option<u64>,
    sha256: String,
    bytes: u64,
    description: String,
    selection: String,
}

struct OpenCsv {
    path: String,
    rows: u64,
    sampler: Option<Reservoir>,
}

/// The archive being written, its running hash, and where its bytes go.
pub(super) struct PackWriter<'a> {
    zip: ZipStream,
    out: &'a ChunkSender,
    pack: Sha256,
    bytes: u64,
    files: Vec<FileRecord>,
    open: Option<OpenCsv>,
}

impl<'a> PackWriter<'a> {
    fn new(out: &'a ChunkSender) -> Self {
        PackWriter { zip: ZipStream::default(), out, pack: Sha256::new(), bytes: 0, files: Vec::new(), open: None }
    }

    /// Starts a CSV file with its header.
    pub(super) fn begin_csv(
        &mut self,
        path: &str,
        columns: &[&str],
        sampler: Option<Reservoir>,
    ) -> std::io::Result<()> {
        self.zip.start_entry(path)?;
        self.zip.write(csv::line(columns.iter().copied()).as_bytes())?;
        self.open = Some(OpenCsv { path: path.to_owned(), rows: 0, sampler });
        Ok(())
    }

    /// One data row of the open CSV file.
    pub(super) fn row(&mut self, line: csv::Line) -> std::io::Result<()> {
        let line = line.finish();
        self.zip.write(line.as_bytes())?;
        if let Some(open) = &mut self.open {
            open.rows += 1;
            if let Some(sampler) = &mut open.sampler {
                sampler.offer(&line);
            }
        }
        Ok(())
    }

    /// Sends what has been compressed so far (called after each page of rows).
    pub(super) async fn flush(&mut self) -> Result<(), EvidenceError> {
        let bytes = self.zip.take_output();
        if bytes.is_empty() {
            return Ok(());
        }
        self.pack.update(&bytes);
        self.bytes += bytes.len() as u64;
        self.out.send(Ok(Bytes::from(bytes))).await.map_err(|_| EvidenceError::Cancelled)
    }

    /// Ends the open CSV file, returning its sampler.
    fn end_csv(&mut self, description: &str, selection: &str) -> std::io::Result<Option<Reservoir>> {
        let digest = self.zip.finish_entry()?;
        let open = self.open.take().ok_or_else(|| std::io::Error::other("no CSV file is open"))?;
        self.files.push(FileRecord {
            path: open.path,
            rows: Some(open.rows),
            sha256: digest.sha256,
            bytes: digest.size,
            description: description.to_owned(),
            selection: selection.to_owned(),
        });
        Ok(open.sampler)
    }

    fn whole_file(
        &mut self,
        path: &str,
        content: &[u8],
        rows: Option<u64>,
        description: &str,
        selection: &str,
    ) -> std::io::Result<()> {
        let digest = self.zip.entry(path, content)?;
        self.files.push(FileRecord {
            path: path.to_owned(),
            rows,
            sha256: digest.sha256,
            bytes: digest.size,
            description: description.to_owned(),
            selection: selection.to_owned(),
        });
        Ok(())
    }
}

/// Writes the whole pack to `out` except its last bytes, which are returned with the summary
/// (so the caller can record the download before completing it).
pub(super) async fn build(
    db: &DatabaseTransaction,
    request: &EvidenceRequest,
    scope: &Scope,
    context: &PackContext,
    out: &ChunkSender,
) -> Result<(PackSummary, Bytes), EvidenceError> {
    let window = Window::new(request, &context.calendar);
    let seed = if request.samples.is_empty() { None } else { Some(request.seed.unwrap_or_else(rand::random)) };
    let mut writer = PackWriter::new(out);

    writer.whole_file(
        "README.txt",
        readme(request, context).as_bytes(),
        None,
        "What each file is and how to verify the pack.",
        "fixed text",
    )?;
    let mapping = control_mapping();
    writer.whole_file(
        "control_mapping.csv",
        mapping.as_bytes(),
        Some(CONTROL_MAPPING.len() as u64),
        "SOC 2 TSC and ISO/IEC 27001:2022 Annex A controls and the files and columns that evidence them.",
        "fixed table",
    )?;
    writer.flush().await?;

    let mut samples = Vec::new();
    for (k, population) in Population::ALL.into_iter().enumerate() {
        let size = request.samples.get(&population).copied();
        let population_seed = seed.map(|s| s.wrapping_add(k as u64));
        let sampler = size.zip(population_seed).map(|(n, s)| Reservoir::new(n, s));
        writer.begin_csv(&population.file(), population.columns(), sampler)?;
        let ctx = populations::Ctx { db, scope, window: &window };
        Box::pin(populations::write(population, &ctx, &mut writer)).await?;
        let selection = format!("{} ({})", population.selection(), scope_text(request, population));
        if let Some(sampler) = writer.end_csv(population.description(), &selection)? {
            write_sample(&mut writer, population, sampler)?;
            samples.push(json!({
                "population": population.name(),
                "file": population.sample_file(),
                "size": size,
                "seed": population_seed,
                "method": SAMPLING_METHOD,
            }));
        }
        writer.flush().await?;
    }

    for report in populations::published_reports(db, request, &context.calendar).await? {
        let description = format!(
            "The published scorecard snapshot of {} (frozen JSON as served; content SHA-256 {}).",
            report.period, report.content_sha256
        );
        writer.whole_file(
            &format!("reports/{}.json", report.period),
            report.content.as_bytes(),
            None,
            &description,
            "published snapshots of periods inside the window",
        )?;
        writer.flush().await?;
    }

    let mut sums = String::new();
    for file in &writer.files {
        let _ = writeln!(sums, "{}  {}", file.sha256, file.path);
    }
    let sums_sha256 = hex::encode(Sha256::digest(sums.as_bytes()));
    writer.zip.entry("SHA256SUMS", sums.as_bytes())?;

    let manifest = manifest(request, context, &window, &writer.files, &samples, &sums_sha256);
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
    let manifest_sha256 = hex::encode(Sha256::digest(&manifest));
    writer.zip.entry("manifest.json", &manifest)?;
    writer.flush().await?;

    let PackWriter { zip, mut pack, bytes, files, .. } = writer;
    let last = zip.finish()?;
    pack.update(&last);
    let summary = PackSummary {
        sha256: hex::encode(pack.finalize()),
        bytes: bytes + last.len() as u64,
        manifest_sha256,
        sums_sha256,
        // The data files, SHA256SUMS and manifest.json.
        files: files.len() + 2,
        seed,
    };
    Ok((summary, Bytes::from(last)))
}

fn write_sample(writer: &mut PackWriter<'_>, population: Population, sampler: Reservoir) -> std::io::Result<()> {
    let path = population.sample_file();
    let mut columns = vec!["population_row"];
    columns.extend_from_slice(population.columns());
    writer.zip.start_entry(&path)?;
    writer.zip.write(csv::line(columns.iter().copied()).as_bytes())?;
    let rows = sampler.into_rows();
    for (row, line) in &rows {
        writer.zip.write(format!("{row},{line}").as_bytes())?;
    }
    let digest = writer.zip.finish_entry()?;
    writer.files.push(FileRecord {
        path,
        rows: Some(rows.len() as u64),
        sha256: digest.sha256,
        bytes: digest.size,
        description: format!("A random sample of {} (see manifest.json \"sampling\").", population.file()),
        selection: format!("sample of {}; population_row is the row's 1-based number there", population.file()),
    });
    Ok(())
}

fn scope_text(request: &EvidenceRequest, population: Population) -> String {
    if population.filtered_by_scope() { request.filter_text() } else { "all teams".to_owned() }
}

fn control_mapping() -> String {
    let mut out = csv::line(["framework", "control", "topic", "file", "columns", "how_it_evidences"]);
    for row in CONTROL_MAPPING {
        out.push_str(&csv::line([row.framework, row.control, row.topic, row.file, row.columns, row.how]));
    }
    out
}

fn manifest(
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
        "not_included": [{
            "what": "self-assessments",
            "why": "not recorded by this version of Plumbline",
        }, {
            "what": "executive report PDFs",
            "why": "this version publishes reports as frozen JSON snapshots, included under reports/",
        }],
    })
}

fn readme(request: &EvidenceRequest, context: &PackContext) -> String {
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
    let _ = writeln!(text, "  reports/               published scorecard snapshots of periods inside the window");
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
