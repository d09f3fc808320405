//! `plumbline export-evidence`: the same pack as `GET /api/v1/evidence`, written to a file.

use std::path::PathBuf;

use anyhow::Context;
use app::domain::evidence::EvidenceRequest;
use app::domain::kpi::ReportingCalendar;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

use super::{EvidenceError, PackContext, deliver, resolve_scope};
use crate::db;
use crate::db::DatabaseTarget;

pub struct ExportArgs {
    /// The request as query pairs (the CLI flags mapped onto the HTTP parameters).
    pub pairs: Vec<(String, String)>,
    pub out: PathBuf,
    pub actor: String,
    pub policy_file: Option<PathBuf>,
    pub fiscal_year_start_month: u32,
    pub time_zone: String,
    /// The signing key, and where the checkpoint after the pack goes.
    pub evidence: crate::settings::EvidenceSettings,
}

pub async fn export(target: &DatabaseTarget, args: ExportArgs) -> anyhow::Result<()> {
    let request = EvidenceRequest::from_pairs(&args.pairs)?;
    let calendar = ReportingCalendar::parse(args.fiscal_year_start_month, &args.time_zone)?;
    let policy = crate::settings::load_policy(args.policy_file.as_deref())?;
    // No migrations: the database must be the one the server runs on, already migrated.
    let db = db::connect(target).await.with_context(|| format!("cannot connect to {target:?}"))?;
    let scope = resolve_scope(&db, &request).await?;
    let checkpoints = args.evidence.checkpoints()?;
    let context = PackContext {
        generated_at: crate::clock_now(),
        generated_by: args.actor,
        channel: "cli",
        policy_version: policy.version.clone(),
        calendar,
        audit_head: None,
        checkpoints,
        control_thresholds: app::domain::evidence::control_tests::ControlThresholds::from_policy(&policy),
    };
    // Written beside the target and renamed when complete, so a failed export leaves no pack.
    let partial = args.out.with_extension("zip.partial");
    let mut file =
        tokio::fs::File::create(&partial).await.with_context(|| format!("cannot create {}", partial.display()))?;
    let (sender, mut receiver) = mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(8);
    let build = async {
        let result = deliver(&db, &request, &scope, context, &sender).await;
        drop(sender);
        result
    };
    // Owns the receiver, so a failed write closes the channel and the builder stops too.
    let write = async move {
        while let Some(chunk) = receiver.recv().await {
            file.write_all(&chunk?).await?;
        }
        file.sync_all().await
    };
    let (built, written) = tokio::join!(Box::pin(build), write);
    let outcome = match (built, written) {
        (Ok(summary), Ok(())) => Ok(summary),
        (Err(EvidenceError::Cancelled) | Ok(_), Err(io)) => {
            Err(anyhow::Error::new(io).context("cannot write the pack"))
        }
        (Err(error), _) => Err(anyhow::Error::new(error).context("cannot build the pack")),
    };
    let summary = match outcome {
        Ok(summary) => summary,
        Err(error) => {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(error);
        }
    };
    tokio::fs::rename(&partial, &args.out)
        .await
        .with_context(|| format!("cannot move the pack to {}", args.out.display()))?;
    println!("wrote {} ({} bytes, {} files)", args.out.display(), summary.bytes, summary.files);
    println!("pack sha256:       {}", summary.sha256);
    println!("SHA256SUMS sha256: {}", summary.sums_sha256);
    println!("signed by:         {}", summary.key_id);
    if let Some(seed) = summary.seed {
        println!("sample seed:       {seed}");
    }
    println!("recorded in the audit trail as evidence.downloaded");
    Ok(())
}
