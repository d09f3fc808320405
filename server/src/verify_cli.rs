//! What an auditor runs to check Plumbline's evidence without trusting its database:
//! `plumbline verify-pack` (offline) and `plumbline audit verify [--checkpoint FILE]…`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use ed25519_dalek::VerifyingKey;
use sea_orm::DatabaseConnection;

use crate::checkpoints::{self, Checkpoint, Finding};
use crate::signing;

fn trusted_key(file: Option<&Path>) -> anyhow::Result<Option<VerifyingKey>> {
    file.map(|path| {
        let pem = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        signing::public_key_from_pem(&pem).with_context(|| format!("{}: not an Ed25519 public key", path.display()))
    })
    .transpose()
}

/// `plumbline verify-pack PACK.zip [--public-key FILE]`: no database, no network.
pub fn verify_pack(pack: &Path, public_key: Option<&Path>) -> anyhow::Result<()> {
    let trusted = trusted_key(public_key)?;
    let (entries, mut failures) = crate::evidence::verify::read_entries(pack).map_err(anyhow::Error::msg)?;
    match crate::evidence::verify::verify(&entries, trusted.as_ref()) {
        Ok(verified) if failures.is_empty() => {
            println!("pack verified: {} ({} files)", pack.display(), verified.files);
            println!("signed by {}", verified.key_id);
            if !verified.trusted_key {
                println!(
                    "the key is the pack's own signing-key.pem: compare its id with /api/v1/evidence/public-key, or \
                     pass --public-key"
                );
            }
            if let Some(seq) = verified.audit_seq {
                println!("its audit_checkpoint.json records the audit trail up to seq {seq}");
            }
            Ok(())
        }
        Ok(_) => report(pack, &failures),
        Err(more) => {
            failures.extend(more);
            report(pack, &failures)
        }
    }
}

fn report(pack: &Path, failures: &[String]) -> anyhow::Result<()> {
    for failure in failures {
        println!("FAILED {failure}");
    }
    anyhow::bail!("{} does not verify: {} problem(s), listed above", pack.display(), failures.len())
}

/// `plumbline audit verify`: the chain re-computed, then compared with each checkpoint.
pub async fn audit_verify(
    db: &DatabaseConnection,
    checkpoint_files: &[PathBuf],
    public_key: Option<&Path>,
) -> anyhow::Result<()> {
    let trusted = trusted_key(public_key)?;
    let mut read = Vec::new();
    for path in checkpoint_files {
        let json = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let checkpoint = Checkpoint::parse(&json).with_context(|| format!("{}", path.display()))?;
        let key = checkpoint.check_signature(trusted.as_ref()).with_context(|| format!("{}", path.display()))?;
        read.push((path, checkpoint, signing::key_id(&key)));
    }
    let verdict = crate::audit::verify(db).await.context("cannot read the audit trail (is the database migrated?)")?;
    let chain = match verdict {
        Ok(chain) => chain,
        Err(broken) => anyhow::bail!("audit chain BROKEN at seq {}: {}", broken.seq, broken.reason),
    };
    println!("audit chain intact: {} events, head seq {} hash {}", chain.count, chain.head_seq, chain.head_hash);
    // Oldest first, so a failure can be placed after the newest checkpoint that still holds.
    read.sort_by_key(|(_, checkpoint, _)| checkpoint.seq);
    let mut holds_up_to: Option<i64> = None;
    let mut failed = 0;
    for (path, checkpoint, key_id) in &read {
        let finding = checkpoints::compare(db, checkpoint).await.context("cannot read the audit trail")?;
        let name = path.display();
        let since = holds_up_to.map_or_else(String::new, |seq| format!(" (after seq {seq}, which still holds)"));
        match finding {
            Finding::Holds => {
                holds_up_to = Some(checkpoint.seq);
                println!("checkpoint {name}: holds (seq {}, {}, signed by {key_id})", checkpoint.seq, checkpoint.at);
            }
            Finding::Truncated { seq, trail_ends_at } => {
                failed += 1;
                let ends = trail_ends_at.map_or_else(|| "is empty".to_owned(), |end| format!("ends at seq {end}"));
                println!(
                    "FAILED checkpoint {name}: the trail was TRUNCATED: it {ends}, but seq {seq} existed at {}{since}",
                    checkpoint.at
                );
            }
            Finding::Rewritten { seq, found, expected } => {
                failed += 1;
                println!(
                    "FAILED checkpoint {name}: the trail was REWRITTEN at or before seq {seq}{since}: seq {seq} hashes \
                     to {found}, the checkpoint of {} says {expected}",
                    checkpoint.at
                );
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("the audit trail does not match {failed} of {} checkpoint(s)", read.len());
    }
    Ok(())
}
