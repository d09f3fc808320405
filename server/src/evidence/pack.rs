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
use tokio::sync::{mpsc, oneshot};

use super::populations::{self, Window};
use super::sample::Reservoir;
use super::zip::{EntryDigest, ZipStream};
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

/// Deflate level of the pack's entries: 4 costs about half of zip's default 6 in CPU for CSV
/// that ends up a few percent larger; the pack is a download, its bytes matter less than the
/// auditor's wait.
const PACK_COMPRESSION: u32 = 4;

/// Uncompressed bytes gathered before they go to the compressor.
const BATCH_BYTES: usize = 256 * 1024;

/// The pack being written. Rows are formatted here, on the async side that reads the database;
/// compressing, hashing and sending run on a thread of their own ([`compressor`]), so the two
/// overlap.
pub(super) struct PackWriter {
    jobs: mpsc::Sender<Job>,
    buffer: Vec<u8>,
    files: Vec<FileRecord>,
    open: Option<OpenCsv>,
}

impl PackWriter {
    /// Starts a CSV file with its header.
    async fn begin_csv(
        &mut self,
        path: &str,
        columns: &[&str],
        sampler: Option<Reservoir>,
    ) -> Result<(), EvidenceError> {
        self.send(Job::Start(path.to_owned())).await?;
        self.buffer.extend_from_slice(csv::line(columns.iter().copied()).as_bytes());
        self.open = Some(OpenCsv { path: path.to_owned(), rows: 0, sampler });
        Ok(())
    }

    /// One data row of the open CSV file.
    pub(super) fn row(&mut self, line: csv::Line) {
        let line = line.finish();
        self.buffer.extend_from_slice(line.as_bytes());
        if let Some(open) = &mut self.open {
            open.rows += 1;
            if let Some(sampler) = &mut open.sampler {
                sampler.offer(&line);
            }
        }
    }

    /// Hands what has been formatted to the compressor (called after each page of rows).
    pub(super) async fn flush(&mut self) -> Result<(), EvidenceError> {
        if self.buffer.len() < BATCH_BYTES {
            return Ok(());
        }
        self.send_buffer().await
    }

    async fn send_buffer(&mut self) -> Result<(), EvidenceError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let data = std::mem::replace(&mut self.buffer, Vec::with_capacity(BATCH_BYTES + 64 * 1024));
        self.send(Job::Data(data)).await
    }

    async fn send(&self, job: Job) -> Result<(), EvidenceError> {
        // The compressor stops only when the reader went away.
        self.jobs.send(job).await.map_err(|_| EvidenceError::Cancelled)
    }

    /// Ends the entry being written, once the compressor has caught up.
    async fn finish_entry(&mut self) -> Result<EntryDigest, EvidenceError> {
        self.send_buffer().await?;
        let (reply, digest) = oneshot::channel();
        self.send(Job::Finish(reply)).await?;
        digest.await.map_err(|_| EvidenceError::Cancelled)?.map_err(compressor_error)
    }

    /// Ends the open CSV file, returning its sampler.
    async fn end_csv(&mut self, description: &str, selection: &str) -> Result<Option<Reservoir>, EvidenceError> {
        let digest = self.finish_entry().await?;
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

    /// A whole file at once; listed in the manifest when `listing` is given.
    async fn whole_file(
        &mut self,
        path: &str,
        content: Vec<u8>,
        listing: Option<Listing<'_>>,
    ) -> Result<EntryDigest, EvidenceError> {
        self.send(Job::Start(path.to_owned())).await?;
        self.buffer = content;
        let digest = self.finish_entry().await?;
        if let Some(Listing { rows, description, selection }) = listing {
            self.files.push(FileRecord {
                path: path.to_owned(),
                rows,
                sha256: digest.sha256.clone(),
                bytes: digest.size,
                description: description.to_owned(),
                selection: selection.to_owned(),
            });
        }
        Ok(digest)
    }

    /// Ends the archive: its last bytes (not yet sent), the SHA-256 of all of it and its size.
    async fn close(self) -> Result<(Vec<u8>, String, u64), EvidenceError> {
        let (reply, closed) = oneshot::channel();
        self.send(Job::Close(reply)).await?;
        closed.await.map_err(|_| EvidenceError::Cancelled)?.map_err(compressor_error)
    }
}

/// How a file is described in the manifest.
struct Listing<'a> {
    rows: Option<u64>,
    description: &'a str,
    selection: &'a str,
}

fn compressor_error(error: std::io::Error) -> EvidenceError {
    if error.kind() == std::io::ErrorKind::BrokenPipe { EvidenceError::Cancelled } else { EvidenceError::Io(error) }
}

enum Job {
    Start(String),
    Data(Vec<u8>),
    Finish(oneshot::Sender<std::io::Result<EntryDigest>>),
    Close(oneshot::Sender<std::io::Result<(Vec<u8>, String, u64)>>),
}

/// Runs on a blocking thread: compresses, hashes the archive and sends its bytes to `out`. A
/// failure is kept and reported at the next `Finish` or `Close`.
fn compressor(mut jobs: mpsc::Receiver<Job>, out: ChunkSender) {
    let mut zip = ZipStream::new(flate2::Compression::new(PACK_COMPRESSION));
    let mut pack = Sha256::new();
    let mut bytes = 0u64;
    let mut failure: Option<std::io::Error> = None;
    while let Some(job) = jobs.blocking_recv() {
        let step = match job {
            Job::Start(name) => zip.start_entry(&name),
            Job::Data(data) => zip.write(&data),
            Job::Finish(reply) => {
                let result = match failure.take() {
                    Some(error) => Err(error),
                    None => zip.finish_entry(),
                };
                let _ = reply.send(result);
                Ok(())
            }
            Job::Close(reply) => {
                let result = match failure.take() {
                    Some(error) => Err(error),
                    None => std::mem::take(&mut zip).finish().map(|last| {
                        pack.update(&last);
                        let total = bytes + last.len() as u64;
                        (last, hex::encode(std::mem::take(&mut pack).finalize()), total)
                    }),
                };
                let _ = reply.send(result);
                return;
            }
        };
        if let Err(error) = step {
            failure.get_or_insert(error);
        }
        let output = zip.take_output();
        if output.is_empty() {
            continue;
        }
        pack.update(&output);
        bytes += output.len() as u64;
        if out.blocking_send(Ok(Bytes::from(output))).is_err() {
            // The reader went away: stop, which fails the builder's next send.
            return;
        }
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
    let (jobs, queue) = mpsc::channel(8);
    let output = out.clone();
    let compressing = tokio::task::spawn_blocking(move || compressor(queue, output));
    let mut writer = PackWriter { jobs, buffer: Vec::with_capacity(BATCH_BYTES), files: Vec::new(), open: None };
    let result = Box::pin(write_all(&mut writer, db, request, scope, context)).await;
    let closed = match result {
        Ok(parts) => writer.close().await.map(|closed| (parts, closed)),
        Err(error) => Err(error),
    };
    // The compressor ends once its queue is closed (the writer dropped) or after Close.
    let _ = compressing.await;
    let ((seed, manifest_sha256, sums_sha256, files), (last, sha256, bytes)) = closed?;
    let summary = PackSummary { sha256, bytes, manifest_sha256, sums_sha256, files, seed };
    Ok((summary, Bytes::from(last)))
}

/// Every file of the pack, in order; returns the seed, the manifest's and SHA256SUMS' hashes and
/// the number of files.
async fn write_all(
    writer: &mut PackWriter,
    db: &DatabaseTransaction,
    request: &EvidenceRequest,
    scope: &Scope,
    context: &PackContext,
) -> Result<(Option<u64>, String, String, usize), EvidenceError> {
    let window = Window::new(request, &context.calendar);
    let seed = if request.samples.is_empty() { None } else { Some(request.seed.unwrap_or_else(rand::random)) };

    let readme =
        Listing { rows: None, description: "What each file is and how to verify the pack.", selection: "fixed text" };
    writer.whole_file("README.txt", readme_text(request, context).into_bytes(), Some(readme)).await?;
    let mapping = Listing {
        rows: Some(CONTROL_MAPPING.len() as u64),
        description: "SOC 2 TSC and ISO/IEC 27001:2022 Annex A controls and the files and columns that evidence them.",
        selection: "fixed table",
    };
    writer.whole_file("control_mapping.csv", control_mapping().into_bytes(), Some(mapping)).await?;

    let mut samples = Vec::new();
    for (k, population) in Population::ALL.into_iter().enumerate() {
        let size = request.samples.get(&population).copied();
        let population_seed = seed.map(|s| s.wrapping_add(k as u64));
        let sampler = size.zip(population_seed).map(|(n, s)| Reservoir::new(n, s));
        writer.begin_csv(&population.file(), population.columns(), sampler).await?;
        let ctx = populations::Ctx { db, scope, window: &window };
        let started = std::time::Instant::now();
        Box::pin(populations::write(population, &ctx, writer)).await?;
        let rows = writer.open.as_ref().map_or(0, |open| open.rows);
        tracing::info!(
            population = population.name(),
            rows,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "evidence population written"
        );
        let selection = format!("{} ({})", population.selection(), scope_text(request, population));
        if let Some(sampler) = writer.end_csv(population.description(), &selection).await? {
            write_sample(writer, population, sampler).await?;
            samples.push(json!({
                "population": population.name(),
                "file": population.sample_file(),
                "size": size,
                "seed": population_seed,
                "method": SAMPLING_METHOD,
            }));
        }
    }

    for report in populations::published_reports(db, request, &context.calendar).await? {
        let description = format!(
            "The published scorecard snapshot of {} (frozen JSON as served; content SHA-256 {}).",
            report.period, report.content_sha256
        );
        let listing = Listing {
            rows: None,
            description: &description,
            selection: "published snapshots of periods inside the window",
        };
        writer
            .whole_file(&format!("reports/{}.json", report.period), report.content.into_bytes(), Some(listing))
            .await?;
    }

    let mut sums = String::new();
    for file in &writer.files {
        let _ = writeln!(sums, "{}  {}", file.sha256, file.path);
    }
    let sums_sha256 = writer.whole_file("SHA256SUMS", sums.into_bytes(), None).await?.sha256;
    let manifest = manifest(request, context, &window, &writer.files, &samples, &sums_sha256);
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
    let manifest_sha256 = writer.whole_file("manifest.json", manifest, None).await?.sha256;
    // The data files, SHA256SUMS and manifest.json.
    Ok((seed, manifest_sha256, sums_sha256, writer.files.len() + 2))
}

async fn write_sample(
    writer: &mut PackWriter,
    population: Population,
    sampler: Reservoir,
) -> Result<(), EvidenceError> {
    let mut columns = vec!["population_row"];
    columns.extend_from_slice(population.columns());
    let mut content = csv::line(columns.iter().copied()).into_bytes();
    let rows = sampler.into_rows();
    for (row, line) in &rows {
        content.extend_from_slice(format!("{row},{line}").as_bytes());
    }
    let description = format!("A random sample of {} (see manifest.json \"sampling\").", population.file());
    let selection = format!("sample of {}; population_row is the row's 1-based number there", population.file());
    let listing = Listing { rows: Some(rows.len() as u64), description: &description, selection: &selection };
    writer.whole_file(&population.sample_file(), content, Some(listing)).await?;
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

fn readme_text(request: &EvidenceRequest, context: &PackContext) -> String {
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
