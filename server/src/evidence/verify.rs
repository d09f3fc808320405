//! `plumbline verify-pack`: checks an evidence pack offline, without a database — both
//! signatures, SHA256SUMS against every file it lists, manifest.json against every file it
//! lists, the audit checkpoint, and that the archive holds nothing else.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

use super::pack::{CHECKPOINT, MANIFEST, PUBLIC_KEY, SIGNATURE_SUFFIX, SUMS};
use crate::checkpoints::Checkpoint;
use crate::signing;

/// What a pack that verified was checked against.
#[derive(Debug)]
pub struct Verified {
    pub files: usize,
    pub key_id: String,
    /// Whether the key came from `--public-key` (else from the pack itself).
    pub trusted_key: bool,
    /// The trail's head the pack's checkpoint records, if it has one.
    pub audit_seq: Option<i64>,
}

/// The files a check reads whole (the rest are only hashed as they are decompressed).
fn kept(name: &str) -> bool {
    [MANIFEST, SUMS, PUBLIC_KEY, CHECKPOINT].contains(&name)
        || name.strip_suffix(SIGNATURE_SUFFIX).is_some_and(|signed| signed == MANIFEST || signed == SUMS)
}

/// Largest file read whole; a larger one is refused as not Plumbline's.
const MAX_KEPT_BYTES: u64 = 64 * 1024 * 1024;

/// A file's SHA-256 (hex) and size.
type Digest256 = (String, u64);

/// A pack's files: every one's SHA-256 and size, computed as it is decompressed (memory stays at
/// a buffer per file whatever it holds), and the content of the few a check reads.
#[derive(Debug, Default)]
pub struct Entries {
    digests: BTreeMap<String, Digest256>,
    contents: BTreeMap<String, Vec<u8>>,
}

impl Entries {
    fn get(&self, name: &str) -> Option<&[u8]> {
        self.contents.get(name).map(Vec::as_slice)
    }

    /// SHA-256 (hex) and size.
    fn digest(&self, name: &str) -> Option<&Digest256> {
        self.digests.get(name)
    }

    fn names(&self) -> impl Iterator<Item = &String> {
        self.digests.keys()
    }
}

/// Hashes an entry as it is decompressed, keeping its content when a check reads it.
fn read_entry(entry: &mut impl Read, keep: bool) -> std::io::Result<(Digest256, Option<Vec<u8>>)> {
    let mut hasher = Sha256::new();
    let mut kept = keep.then(Vec::new);
    let mut size = 0u64;
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let read = entry.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
        if let Some(kept) = &mut kept {
            if size > MAX_KEPT_BYTES {
                return Err(std::io::Error::other("larger than any file of a Plumbline pack"));
            }
            kept.extend_from_slice(&buffer[..read]);
        }
    }
    Ok(((hex::encode(hasher.finalize()), size), kept))
}

/// Reads every entry of the ZIP, with the failures of entries that cannot be read whole (their
/// CRC or compressed data altered), each naming its entry.
pub fn read_entries(path: &Path) -> Result<(Entries, Vec<String>), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut failures = Vec::new();
    // Metadata ZIP readers ignore is checked too: any changed byte of the archive fails.
    if let Err(problem) = super::layout::check(&bytes) {
        failures.push(format!("{}: {problem}", path.display()));
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("{}: not a readable ZIP: {e}", path.display()))?;
    let mut entries = Entries::default();
    for index in 0..archive.len() {
        let mut entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(error) => {
                failures.push(format!("entry {index}: cannot be read: {error}"));
                continue;
            }
        };
        let name = match entry.name() {
            Ok(name) => name.into_owned(),
            Err(error) => {
                failures.push(format!("entry {index}: its name cannot be read: {error}"));
                continue;
            }
        };
        if entries.digests.contains_key(&name) {
            failures.push(format!("{name}: appears twice in the archive"));
            continue;
        }
        match read_entry(&mut entry, kept(&name)) {
            Ok((digest, content)) => {
                if let Some(content) = content {
                    entries.contents.insert(name.clone(), content);
                }
                entries.digests.insert(name, digest);
            }
            Err(error) => failures.push(format!("{name}: cannot be read (altered?): {error}")),
        }
    }
    Ok((entries, failures))
}

/// Checks the pack's entries; every failure names the file it is about.
pub fn verify(entries: &Entries, trusted: Option<&VerifyingKey>) -> Result<Verified, Vec<String>> {
    let mut failures = Vec::new();
    let key = match trusted {
        Some(key) => {
            // The pack names its signer: it must be the key the auditor trusts.
            let carried =
                entries.get(PUBLIC_KEY).map(|pem| signing::public_key_from_pem(&String::from_utf8_lossy(pem)));
            if !matches!(carried, Some(Ok(carried)) if carried == *key) {
                failures.push(format!("{PUBLIC_KEY}: missing, unreadable or not the key given with --public-key"));
            }
            Some(*key)
        }
        None => match entries.get(PUBLIC_KEY) {
            None => {
                failures.push(format!("{PUBLIC_KEY}: missing (or pass --public-key)"));
                None
            }
            Some(pem) => match signing::public_key_from_pem(&String::from_utf8_lossy(pem)) {
                Ok(key) => Some(key),
                Err(error) => {
                    failures.push(format!("{PUBLIC_KEY}: {error}"));
                    None
                }
            },
        },
    };
    let mut expected: BTreeMap<String, &'static str> = BTreeMap::new();
    for (signed, signature) in
        [(MANIFEST, format!("{MANIFEST}{SIGNATURE_SUFFIX}")), (SUMS, format!("{SUMS}{SIGNATURE_SUFFIX}"))]
    {
        expected.insert(signed.to_owned(), "signed");
        expected.insert(signature.clone(), "signature");
        match (entries.get(signed), entries.get(&signature), &key) {
            (None, _, _) => failures.push(format!("{signed}: missing")),
            (_, None, _) => failures.push(format!("{signature}: missing")),
            (Some(content), Some(sig), Some(key)) => {
                if signing::verify(key, content, sig).is_err() {
                    failures.push(format!(
                        "{signed}: the signature in {signature} does not match it with key {}: one of the two was \
                         altered, or another key signed them",
                        signing::key_id(key)
                    ));
                }
            }
            (Some(_), Some(_), None) => {}
        }
    }
    expected.insert(PUBLIC_KEY.to_owned(), "key");

    // SHA256SUMS: every line's file present with that hash.
    let mut listed_in_sums = BTreeMap::new();
    if let Some(sums) = entries.get(SUMS) {
        for (number, line) in String::from_utf8_lossy(sums).lines().enumerate() {
            let Some((hash, name)) = line.split_once("  ") else {
                failures.push(format!("{SUMS}: line {} is not `HASH  FILE`", number + 1));
                continue;
            };
            listed_in_sums.insert(name.to_owned(), hash.to_owned());
            match entries.digest(name) {
                None => failures.push(format!("{name}: listed in {SUMS} but missing from the pack")),
                Some((sha256, _)) if sha256 != hash => {
                    failures.push(format!("{name}: its SHA-256 differs from {SUMS}'s"))
                }
                Some(_) => {}
            }
        }
    }

    // manifest.json: the hash of SHA256SUMS, each file's hash and size, the checkpoint.
    let mut audit_seq = None;
    if let Some(manifest) = entries.get(MANIFEST) {
        match serde_json::from_slice::<serde_json::Value>(manifest) {
            Err(error) => failures.push(format!("{MANIFEST}: not JSON: {error}")),
            Ok(manifest) => {
                if let Some((sums, _)) = entries.digest(SUMS)
                    && manifest["sha256sums_sha256"].as_str() != Some(sums.as_str())
                {
                    failures.push(format!("{SUMS}: its SHA-256 differs from {MANIFEST}'s sha256sums_sha256"));
                }
                for file in manifest["files"].as_array().map(Vec::as_slice).unwrap_or_default() {
                    let name = file["path"].as_str().unwrap_or_default();
                    match entries.digest(name) {
                        None => failures.push(format!("{name}: listed in {MANIFEST} but missing from the pack")),
                        Some((sha256, size)) => {
                            if file["sha256"].as_str() != Some(sha256.as_str()) || file["bytes"].as_u64() != Some(*size)
                            {
                                failures.push(format!("{name}: its SHA-256 or size differs from {MANIFEST}'s"));
                            }
                            if !listed_in_sums.contains_key(name) {
                                failures.push(format!("{name}: listed in {MANIFEST} but not in {SUMS}"));
                            }
                        }
                    }
                }
                if let Some(listed) = manifest["audit_checkpoint"].as_object() {
                    expected.insert(CHECKPOINT.to_owned(), "checkpoint");
                    audit_seq = check_checkpoint(entries, listed, key.as_ref(), &mut failures);
                }
            }
        }
    }
    for name in entries.names() {
        if !expected.contains_key(name) && !listed_in_sums.contains_key(name) {
            failures.push(format!("{name}: in the pack but listed nowhere (added?)"));
        }
    }
    if failures.is_empty()
        && let Some(key) = key
    {
        return Ok(Verified {
            files: entries.digests.len(),
            key_id: signing::key_id(&key),
            trusted_key: trusted.is_some(),
            audit_seq,
        });
    }
    Err(failures)
}

fn check_checkpoint(
    entries: &Entries,
    listed: &serde_json::Map<String, serde_json::Value>,
    key: Option<&VerifyingKey>,
    failures: &mut Vec<String>,
) -> Option<i64> {
    let Some(content) = entries.get(CHECKPOINT) else {
        failures.push(format!("{CHECKPOINT}: listed in {MANIFEST} but missing from the pack"));
        return None;
    };
    if listed.get("sha256").and_then(|v| v.as_str()) != Some(sha256(content).as_str()) {
        failures.push(format!("{CHECKPOINT}: its SHA-256 differs from {MANIFEST}'s"));
    }
    match Checkpoint::parse(content) {
        Err(error) => failures.push(format!("{CHECKPOINT}: {error}")),
        Ok(checkpoint) => match key.map(|key| checkpoint.check_signature(Some(key))) {
            Some(Err(error)) => failures.push(format!("{CHECKPOINT}: {error}")),
            Some(Ok(_)) => return Some(checkpoint.seq),
            None => {}
        },
    }
    None
}

fn sha256(content: &[u8]) -> String {
    hex::encode(Sha256::digest(content))
}
