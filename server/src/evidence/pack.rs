//! Assembling the pack: README.txt and control_mapping.csv first (so bytes flow at once), then
//! each population (with its sample, if asked for), the published reports of the window,
//! SHA256SUMS, and manifest.json last, when every hash is known.

use std::fmt::Write as _;

use app::domain::evidence::{CONTROL_MAPPING, EvidenceRequest, Population, SAMPLING_METHOD};
use bytes::Bytes;
use sea_orm::DatabaseTransaction;
use serde::Serialize;
use serde_json::json;

use super::control_tests::TestWindow;
use super::populations::{self, Window};
use super::sample::Reservoir;
use super::texts::{Signing, control_mapping, control_summary_csv, manifest, readme_text};
use super::writer::{Listing, PackWriter};
use super::{ChunkSender, EvidenceError, PackContext, Scope};
use crate::checkpoints::{Checkpoint, Reason};
use crate::csv;

/// The signed files, and what the pack carries besides its data files (docs/evidence-pack.md).
pub const MANIFEST: &str = "manifest.json";
pub const SUMS: &str = "SHA256SUMS";
/// Each signed file's raw 64-byte Ed25519 signature is in `FILE.sig`.
pub const SIGNATURE_SUFFIX: &str = ".sig";
pub const PUBLIC_KEY: &str = "signing-key.pem";
pub const CHECKPOINT: &str = "audit_checkpoint.json";
pub const CONTROL_TESTS: &str = "control_tests.csv";
pub const DEVIATIONS: &str = "deviations.csv";
pub const SAMPLE_REVIEWS: &str = "sample_reviews.csv";

/// What identifies a finished pack.
#[derive(Debug, Clone, Serialize)]
pub struct PackSummary {
    /// SHA-256 of the whole ZIP as sent.
    pub sha256: String,
    pub bytes: u64,
    pub manifest_sha256: String,
    /// SHA-256 of SHA256SUMS: the same for the same request over unchanged data.
    pub sums_sha256: String,
    /// The key manifest.json and SHA256SUMS are signed with.
    pub key_id: String,
    pub files: usize,
    pub seed: Option<u64>,
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
    let (mut writer, compressing) = PackWriter::start(out);
    let result = Box::pin(write_all(&mut writer, db, request, scope, context)).await;
    let closed = match result {
        Ok(parts) => writer.close().await.map(|closed| (parts, closed)),
        Err(error) => {
            // Closes the compressor's queue: it stops (waiting for it with the writer alive
            // would wait forever, holding the snapshot's connection).
            drop(writer);
            Err(error)
        }
    };
    // The compressor ends once its queue is closed (the writer dropped) or after Close.
    let _ = compressing.await;
    let ((seed, manifest_sha256, sums_sha256, files), (last, sha256, bytes)) = closed?;
    let key_id = context.checkpoints.signer.key_id();
    let summary = PackSummary { sha256, bytes, manifest_sha256, sums_sha256, key_id, files, seed };
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
    // One context for every population: it collects the import batches the records cite.
    let ctx = populations::Ctx { db, scope, window: &window, cited: Default::default() };
    for (k, population) in Population::ALL.into_iter().enumerate() {
        let size = request.samples.get(&population).copied();
        let population_seed = seed.map(|s| s.wrapping_add(k as u64));
        let sampler = size.zip(population_seed).map(|(n, s)| Reservoir::new(n, s));
        writer.begin_csv(&population.file(), population.columns(), sampler).await?;
        let started = std::time::Instant::now();
        Box::pin(populations::write(population, &ctx, writer)).await?;
        let rows = writer.open_rows();
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

    write_control_tests(writer, db, scope, &window, context).await?;

    let rows: std::collections::BTreeMap<String, u64> =
        writer.files.iter().filter_map(|f| Some((f.path.clone(), f.rows?))).collect();
    let (summary_csv, controls) = control_summary_csv(&rows);
    let summary = Listing {
        rows: Some(controls),
        description: "Each control of control_mapping.csv once, with the files of this pack that evidence it and \
                      how many records they hold.",
        selection: "every mapped control",
    };
    writer.whole_file("control_summary.csv", summary_csv.into_bytes(), Some(summary)).await?;

    for report in populations::published_reports(db, request, &context.calendar).await? {
        let row = report.row;
        let description = format!(
            "The published scorecard snapshot of {} (frozen JSON as served; content SHA-256 {}).",
            row.period, row.content_sha256
        );
        let listing = Listing {
            rows: None,
            description: &description,
            selection: "published snapshots of periods inside the window",
        };
        // The quarter's executive report, rendered from the same frozen content (so the same
        // bytes as /reports/{period}.pdf serves).
        let pdf = match crate::report::published_view(&row) {
            Ok(Some(view)) => Some(crate::report::pdf::render(&view)),
            Ok(None) => None,
            Err(error) => {
                tracing::warn!(period = %row.period, %error, "a published snapshot's report cannot be read");
                None
            }
        };
        writer.whole_file(&format!("reports/{}.json", row.period), row.content.into_bytes(), Some(listing)).await?;
        if let Some(pdf) = pdf {
            let description = format!(
                "The published quarterly executive report of {} as PDF, rendered from the snapshot above.",
                row.period
            );
            let listing = Listing {
                rows: None,
                description: &description,
                selection: "published quarterly reports of quarters inside the window",
            };
            writer.whole_file(&format!("reports/{}.pdf", row.period), pdf, Some(listing)).await?;
        }
    }

    let mut sums = String::new();
    for file in &writer.files {
        let _ = writeln!(sums, "{}  {}", file.sha256, file.path);
    }
    let signer = &context.checkpoints.signer;
    let sums = sums.into_bytes();
    let sums_signature = signer.sign(&sums);
    let sums_sha256 = writer.whole_file(SUMS, sums, None).await?.sha256;
    // The trail's head the pack was read at, signed: the auditor keeps it to check the trail
    // against later (`plumbline audit verify --checkpoint`). A generation file, outside
    // SHA256SUMS, so the same request over unchanged data keeps giving the same SHA256SUMS.
    let checkpoint = match &context.audit_head {
        Some(head) => {
            let checkpoint = Checkpoint::sign(signer, head, context.generated_at, Reason::EvidencePack.as_str());
            let json = serde_json::to_vec_pretty(&checkpoint).map_err(std::io::Error::other)?;
            Some(writer.whole_file(CHECKPOINT, json, None).await?.sha256)
        }
        None => None,
    };
    let signing = Signing { signer, checkpoint_sha256: checkpoint.as_deref() };
    let manifest = manifest(request, context, &window, &writer.files, &samples, &sums_sha256, &signing);
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
    let manifest_signature = signer.sign(&manifest);
    let manifest_sha256 = writer.whole_file(MANIFEST, manifest, None).await?.sha256;
    writer.whole_file(&format!("{MANIFEST}{SIGNATURE_SUFFIX}"), manifest_signature.to_vec(), None).await?;
    writer.whole_file(&format!("{SUMS}{SIGNATURE_SUFFIX}"), sums_signature.to_vec(), None).await?;
    writer.whole_file(PUBLIC_KEY, signer.public_key_pem().into_bytes(), None).await?;
    // The data files, SHA256SUMS, manifest.json, the two signatures, the public key and the
    // checkpoint.
    Ok((seed, manifest_sha256, sums_sha256, writer.files.len() + 5 + usize::from(checkpoint.is_some())))
}

/// control_tests.csv and deviations.csv: every control test over the pack's window and scope
/// (docs/control-tests.md).
async fn write_control_tests(
    writer: &mut PackWriter,
    db: &DatabaseTransaction,
    scope: &Scope,
    window: &Window,
    context: &PackContext,
) -> Result<(), EvidenceError> {
    let tested = TestWindow { start: window.start, end: window.end, last_day: window.to };
    let results = super::control_tests::control_tests(db, tested, scope, context.control_thresholds).await?;
    let mut tests = csv::line(["test", "title", "controls", "population", "deviations", "status", "definition"]);
    let mut deviations = csv::line(["test", "record", "record_id", "external_id", "services", "reason"]);
    let mut deviation_rows = 0u64;
    for result in &results {
        let id = result.test;
        let (population, count) = (result.population.to_string(), result.deviations.len().to_string());
        tests.push_str(&csv::line([
            id.as_str(),
            id.title(),
            id.controls(),
            &population,
            &count,
            result.status.as_str(),
            id.definition(),
        ]));
        for d in &result.deviations {
            let record_id = d.record_id.to_string();
            deviations.push_str(&csv::line([
                id.as_str(),
                &d.record,
                &record_id,
                &d.external_id,
                &d.services,
                &d.reason,
            ]));
            deviation_rows += 1;
        }
    }
    let listing = Listing {
        rows: Some(results.len() as u64),
        description: "Each control test run over the window's records: its population, deviations and status \
                      (passed, failed, or not_tested when there was nothing to test).",
        selection: "every control test of docs/control-tests.md, over the services in scope",
    };
    writer.whole_file(CONTROL_TESTS, tests.into_bytes(), Some(listing)).await?;
    let listing = Listing {
        rows: Some(deviation_rows),
        description: "Every record that failed a control test, and why.",
        selection: "the deviations of control_tests.csv, in test order",
    };
    writer.whole_file(DEVIATIONS, deviations.into_bytes(), Some(listing)).await?;
    let (reviews, rows) = crate::samples::reviews_csv(db, window.from, window.to).await?;
    let listing = Listing {
        rows: Some(rows),
        description: "Every record of the auditors' samples of this window, with its review (ready, approved, \
                      flagged or pending), comment, reviewer and time.",
        selection: "samples whose window lies inside the pack's, oldest first, in draw order; not narrowed by the \
                    team or tier filter",
    };
    writer.whole_file(SAMPLE_REVIEWS, reviews.into_bytes(), Some(listing)).await?;
    Ok(())
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
