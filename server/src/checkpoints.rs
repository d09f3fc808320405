//! Audit checkpoints (docs/access-and-audit.md §Checkpoints): the audit chain's head — its seq
//! and hash — signed with the evidence key and delivered outside the database (a directory, a
//! webhook, and every evidence pack). The chain alone cannot show that someone holding the
//! database rewrote events and recomputed their hashes, or dropped the newest ones; an earlier
//! checkpoint can: `plumbline audit verify --checkpoint FILE`.
//!
//! Written at every evidence pack and published snapshot, and daily (job `audit-checkpoint`).

use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::VerifyingKey;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use crate::audit::{self, Head};
use crate::entities::{audit_checkpoint, audit_event};
use crate::jobs::queue::{self, NewJob};
use crate::signing::{self, PackSigner, SigningError};

/// The `format` of a checkpoint, first line of the text it signs.
pub const FORMAT: &str = "plumbline-audit-checkpoint/1";
/// The job that posts a checkpoint to `PLUMBLINE_CHECKPOINT_WEBHOOK`.
pub const DELIVER_CHECKPOINT: &str = "deliver-checkpoint";
/// The daily checkpoint's job.
pub const DAILY_CHECKPOINT: &str = "audit-checkpoint";
/// Attempts at posting a checkpoint before its job is dead.
pub const WEBHOOK_ATTEMPTS: i32 = 8;

/// Why a checkpoint was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Daily,
    EvidencePack,
    Snapshot,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Daily => "daily",
            Reason::EvidencePack => "evidence_pack",
            Reason::Snapshot => "snapshot",
        }
    }
}

/// A signed checkpoint, as written to files, webhooks and packs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub format: String,
    pub seq: i64,
    pub head_hash: String,
    pub at: DateTime<Utc>,
    pub reason: String,
    pub key_id: String,
    /// The public key (PEM) the signature checks with; trust it only once its `key_id` matches
    /// the one published at `/api/v1/evidence/public-key`, or pass `--public-key`.
    pub public_key: String,
    /// Base64 of the raw Ed25519 signature of [`Checkpoint::signed_text`].
    pub signature: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("not a checkpoint: {0}")]
    Unreadable(String),
    #[error("unknown checkpoint format '{0}'")]
    Format(String),
    #[error("its public key: {0}")]
    Key(SigningError),
    #[error("its signature does not verify with key {key_id}: the checkpoint was altered or signed by another key")]
    Signature { key_id: String },
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("cannot write it to {path}: {source}")]
    Directory { path: PathBuf, source: std::io::Error },
}

impl Checkpoint {
    /// Exactly what is signed: every field but the key and the signature, one per line.
    pub fn signed_text(&self) -> String {
        format!(
            "{FORMAT}\nseq: {}\nhead_hash: {}\nat: {}\nreason: {}\n",
            self.seq,
            self.head_hash,
            self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            self.reason
        )
    }

    /// The signed checkpoint of `head`.
    pub fn sign(signer: &PackSigner, head: &Head, at: DateTime<Utc>, reason: &str) -> Checkpoint {
        let mut checkpoint = Checkpoint {
            format: FORMAT.to_owned(),
            seq: head.seq,
            head_hash: head.hash.clone(),
            at,
            reason: reason.to_owned(),
            key_id: signer.key_id(),
            public_key: signer.public_key_pem(),
            signature: String::new(),
        };
        checkpoint.signature = STANDARD.encode(signer.sign(checkpoint.signed_text().as_bytes()));
        checkpoint
    }

    /// Reads a checkpoint file's JSON.
    pub fn parse(json: &[u8]) -> Result<Checkpoint, CheckpointError> {
        let checkpoint: Checkpoint =
            serde_json::from_slice(json).map_err(|e| CheckpointError::Unreadable(e.to_string()))?;
        if checkpoint.format != FORMAT {
            return Err(CheckpointError::Format(checkpoint.format));
        }
        Ok(checkpoint)
    }

    /// Checks the signature with `trusted`, or else with the key the checkpoint carries;
    /// returns the key it verified with.
    pub fn check_signature(&self, trusted: Option<&VerifyingKey>) -> Result<VerifyingKey, CheckpointError> {
        let key = match trusted {
            Some(key) => *key,
            None => signing::public_key_from_pem(&self.public_key).map_err(CheckpointError::Key)?,
        };
        let signature = STANDARD.decode(&self.signature).unwrap_or_default();
        signing::verify(&key, self.signed_text().as_bytes(), &signature)
            .map_err(|_| CheckpointError::Signature { key_id: signing::key_id(&key) })?;
        Ok(key)
    }

    /// The file name it is kept under: sorted by seq, then time.
    pub fn file_name(&self) -> String {
        format!("audit-checkpoint-{:012}-{}.json", self.seq, self.at.format("%Y%m%dT%H%M%S%.6fZ"))
    }
}

/// What an earlier checkpoint says about the trail as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The event at the checkpoint's seq still has the checkpoint's hash: nothing up to it changed.
    Holds,
    /// The trail ends before the checkpoint's seq: newer events were removed.
    Truncated { seq: i64, trail_ends_at: Option<i64> },
    /// The event at the checkpoint's seq hashes differently: it or an event before it changed.
    Rewritten { seq: i64, found: String, expected: String },
}

/// Compares the trail in `db` with a checkpoint (whose signature the caller checked).
pub async fn compare<C: ConnectionTrait>(db: &C, checkpoint: &Checkpoint) -> Result<Finding, DbErr> {
    let hash: Option<String> = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Hash)
        .filter(audit_event::Column::Seq.eq(checkpoint.seq))
        .into_tuple()
        .one(db)
        .await?;
    Ok(match hash {
        Some(found) if found == checkpoint.head_hash => Finding::Holds,
        Some(found) => Finding::Rewritten { seq: checkpoint.seq, found, expected: checkpoint.head_hash.clone() },
        None => Finding::Truncated { seq: checkpoint.seq, trail_ends_at: audit::head(db).await?.map(|h| h.seq) },
    })
}

/// Signs checkpoints and delivers them: the table the audit page lists, the directory, the
/// webhook (through the job queue, retried).
#[derive(Clone)]
pub struct Checkpoints {
    pub signer: Arc<PackSigner>,
    directory: Option<PathBuf>,
    webhook: Option<String>,
    http: reqwest::Client,
}

impl std::fmt::Debug for Checkpoints {
    // The webhook URL may carry a token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkpoints")
            .field("signer", &self.signer)
            .field("directory", &self.directory)
            .field("webhook", &self.webhook.is_some())
            .finish()
    }
}

impl Checkpoints {
    pub fn new(signer: Arc<PackSigner>, directory: Option<PathBuf>, webhook: Option<String>) -> Checkpoints {
        let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(20)).build().unwrap_or_default();
        Checkpoints { signer, directory, webhook, http }
    }

    /// Signs the current head and delivers it; `None` while the trail is empty.
    pub async fn record(
        &self,
        db: &DatabaseConnection,
        reason: Reason,
        now: DateTime<Utc>,
    ) -> Result<Option<Checkpoint>, CheckpointError> {
        let Some(head) = audit::head(db).await? else { return Ok(None) };
        let checkpoint = Checkpoint::sign(&self.signer, &head, now, reason.as_str());
        let mut delivered = Vec::new();
        let path = self.directory.as_ref().map(|directory| directory.join(checkpoint.file_name()));
        if path.is_some() {
            // The file's name, not the server's path, for the page.
            delivered.push(format!("directory: {}", checkpoint.file_name()));
        }
        // The row and the webhook's job first, in one transaction; then the file. A failed
        // write fails the call (the daily job retries with a checkpoint of its own).
        let txn = db.begin().await?;
        if self.webhook.is_some() {
            let payload = serde_json::to_value(&checkpoint).map_err(|e| CheckpointError::Unreadable(e.to_string()))?;
            let job =
                NewJob { kind: DELIVER_CHECKPOINT.to_owned(), payload, max_attempts: WEBHOOK_ATTEMPTS, run_at: now };
            let id = queue::enqueue(&txn, &job, now).await?;
            delivered.push(format!("webhook (job {id})"));
        }
        audit_checkpoint::ActiveModel {
            seq: Set(checkpoint.seq),
            head_hash: Set(checkpoint.head_hash.clone()),
            at: Set(checkpoint.at),
            reason: Set(checkpoint.reason.clone()),
            key_id: Set(checkpoint.key_id.clone()),
            signature: Set(checkpoint.signature.clone()),
            delivered: Set(delivered.join(", ")),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        if let Some(path) = path {
            let written = checkpoint.clone();
            let target = path.clone();
            tokio::task::spawn_blocking(move || write_file(&target, &written))
                .await
                .map_err(|e| CheckpointError::Directory { path: path.clone(), source: std::io::Error::other(e) })?
                .map_err(|source| CheckpointError::Directory { path, source })?;
        }
        tracing::info!(seq = checkpoint.seq, reason = reason.as_str(), "audit checkpoint written");
        Ok(Some(checkpoint))
    }

    /// Records a checkpoint after an event an auditor relies on (a pack, a snapshot); a failure
    /// is logged, never fails what it follows: the daily checkpoint covers it.
    pub async fn record_after(&self, db: &DatabaseConnection, reason: Reason) {
        if let Err(error) = self.record(db, reason, crate::clock_now()).await {
            tracing::error!(%error, reason = reason.as_str(), "cannot write an audit checkpoint");
        }
    }

    /// Posts a checkpoint (the `deliver-checkpoint` job's payload) to the webhook.
    pub async fn post(&self, payload: serde_json::Value) -> Result<(), String> {
        // A job queued by a process with a webhook, run by one without: fail visibly.
        let Some(url) = &self.webhook else {
            return Err("PLUMBLINE_CHECKPOINT_WEBHOOK is not set in the process running this job".to_owned());
        };
        let response = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(payload.to_string())
            .send()
            .await
            .map_err(|e| format!("the checkpoint webhook could not be reached: {}", e.without_url()))?;
        match response.status() {
            status if status.is_success() => Ok(()),
            status => Err(format!("the checkpoint webhook answered {status}")),
        }
    }
}

/// Writes the file whole or not at all (a temporary file renamed into place).
fn write_file(path: &std::path::Path, checkpoint: &Checkpoint) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(checkpoint).map_err(std::io::Error::other)?;
    let directory = path.parent().unwrap_or_else(|| std::path::Path::new("."));
    std::fs::create_dir_all(directory)?;
    let mut file = tempfile::NamedTempFile::new_in(directory)?;
    std::io::Write::write_all(&mut file, &json)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The newest checkpoints, newest first, for the audit page.
pub async fn recent<C: ConnectionTrait>(db: &C, limit: u64) -> Result<Vec<audit_checkpoint::Model>, DbErr> {
    audit_checkpoint::Entity::find().order_by_desc(audit_checkpoint::Column::Id).limit(limit).all(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> PackSigner {
        let dir = tempfile::tempdir().unwrap();
        PackSigner::load_or_create(None, dir.path()).unwrap()
    }

    fn checkpoint(signer: &PackSigner) -> Checkpoint {
        let head = Head { seq: 42, hash: "ab".repeat(32) };
        Checkpoint::sign(signer, &head, "2026-12-05T10:00:00.123456Z".parse().unwrap(), "daily")
    }

    #[test]
    fn a_checkpoint_verifies_after_a_round_trip_through_json() {
        let signer = signer();
        let written = checkpoint(&signer);
        let read = Checkpoint::parse(&serde_json::to_vec(&written).unwrap()).unwrap();
        assert_eq!(read, written);
        assert_eq!(read.check_signature(None).unwrap(), signer.public_key());
        assert_eq!(read.check_signature(Some(&signer.public_key())).unwrap(), signer.public_key());
        assert_eq!(read.file_name(), "audit-checkpoint-000000000042-20261205T100000.123456Z.json");
    }

    #[test]
    fn any_changed_field_or_another_key_fails() {
        let signer = signer();
        let original = checkpoint(&signer);
        let changes = [
            Checkpoint { seq: 41, ..original.clone() },
            Checkpoint { head_hash: "cd".repeat(32), ..original.clone() },
            Checkpoint { at: original.at + chrono::TimeDelta::seconds(1), ..original.clone() },
            Checkpoint { reason: "snapshot".into(), ..original.clone() },
        ];
        for changed in changes {
            assert!(matches!(changed.check_signature(None), Err(CheckpointError::Signature { .. })), "{changed:?}");
        }
        let other = self::signer();
        assert!(matches!(original.check_signature(Some(&other.public_key())), Err(CheckpointError::Signature { .. })));
        // Re-signed with another key and carrying it: only a trusted key catches that.
        let forged =
            Checkpoint::sign(&other, &Head { seq: 42, hash: original.head_hash.clone() }, original.at, "daily");
        assert!(forged.check_signature(None).is_ok());
        assert!(forged.check_signature(Some(&signer.public_key())).is_err());
        let wrong_format = serde_json::to_vec(&Checkpoint { format: "x".into(), ..original }).unwrap();
        assert!(matches!(Checkpoint::parse(&wrong_format), Err(CheckpointError::Format(_))));
    }
}
