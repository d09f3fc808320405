//! The Ed25519 key evidence packs and audit checkpoints are signed with (docs/evidence-pack.md
//! §Signature). Keys are read and written as PEM in the standard PKCS#8 / SubjectPublicKeyInfo
//! forms, so `openssl genpkey -algorithm ed25519` makes one and `openssl pkeyutl -verify`
//! checks a signature without Plumbline.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// DER of a PKCS#8 v1 Ed25519 private key, before its 32-byte seed (RFC 8410 §7).
const PRIVATE_DER_PREFIX: [u8; 16] =
    [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
/// DER of an Ed25519 SubjectPublicKeyInfo, before its 32-byte key (RFC 8410 §4).
const PUBLIC_DER_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/// The key's file name in the data directory when no key file is configured.
pub const GENERATED_KEY_FILE: &str = "signing-key.pem";

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("{path}: {source}")]
    File { path: PathBuf, source: std::io::Error },
    #[error("not a PEM {0} (expected -----BEGIN {0}-----)")]
    NotPem(&'static str),
    #[error("not an Ed25519 key in PKCS#8 / SubjectPublicKeyInfo form")]
    NotEd25519,
    #[error("the signature is not 64 bytes")]
    SignatureLength,
    #[error("the signature does not match")]
    Mismatch,
}

/// The private key and what identifies it.
pub struct PackSigner {
    key: SigningKey,
}

impl std::fmt::Debug for PackSigner {
    // Never prints the private key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackSigner").field("key_id", &self.key_id()).finish()
    }
}

impl PackSigner {
    /// The configured key file, or the data directory's generated key, created (readable by
    /// this user only) when it does not exist yet.
    pub fn load_or_create(configured: Option<&Path>, data_dir: &Path) -> Result<PackSigner, SigningError> {
        if let Some(path) = configured {
            return Self::read(path);
        }
        let path = data_dir.join(GENERATED_KEY_FILE);
        if path.exists() {
            return Self::read(&path);
        }
        let signer = PackSigner { key: SigningKey::from_bytes(&rand::random::<[u8; 32]>()) };
        match write_private(&path, &signer.private_pem()) {
            Ok(()) => {}
            // Another process (a worker started beside the server) generated it first: use theirs.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => return Self::read(&path),
            Err(source) => return Err(SigningError::File { path: path.clone(), source }),
        }
        tracing::info!(
            path = %path.display(),
            key_id = %signer.key_id(),
            "generated the key evidence packs and audit checkpoints are signed with; several replicas need one \
             key: set PLUMBLINE_SIGNING_KEY_FILE"
        );
        Ok(signer)
    }

    fn read(path: &Path) -> Result<PackSigner, SigningError> {
        let pem = std::fs::read_to_string(path).map_err(|source| SigningError::File { path: path.into(), source })?;
        Self::from_pem(&pem)
    }

    /// A PKCS#8 PEM private key.
    pub fn from_pem(pem: &str) -> Result<PackSigner, SigningError> {
        let der = pem_body(pem, "PRIVATE KEY")?;
        let seed = der
            .strip_prefix(PRIVATE_DER_PREFIX.as_slice())
            .and_then(|seed| <[u8; 32]>::try_from(seed).ok())
            .ok_or(SigningError::NotEd25519)?;
        Ok(PackSigner { key: SigningKey::from_bytes(&seed) })
    }

    fn private_pem(&self) -> String {
        let mut der = PRIVATE_DER_PREFIX.to_vec();
        der.extend_from_slice(self.key.as_bytes());
        pem("PRIVATE KEY", &der)
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The public key as PEM (what `/api/v1/evidence/public-key` serves and packs carry).
    pub fn public_key_pem(&self) -> String {
        public_key_pem(&self.public_key())
    }

    pub fn key_id(&self) -> String {
        key_id(&self.public_key())
    }

    /// The raw 64-byte signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// A public key's PEM.
pub fn public_key_pem(key: &VerifyingKey) -> String {
    let mut der = PUBLIC_DER_PREFIX.to_vec();
    der.extend_from_slice(key.as_bytes());
    pem("PUBLIC KEY", &der)
}

/// Reads a PEM public key.
pub fn public_key_from_pem(pem: &str) -> Result<VerifyingKey, SigningError> {
    let der = pem_body(pem, "PUBLIC KEY")?;
    let bytes = der
        .strip_prefix(PUBLIC_DER_PREFIX.as_slice())
        .and_then(|key| <[u8; 32]>::try_from(key).ok())
        .ok_or(SigningError::NotEd25519)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| SigningError::NotEd25519)
}

/// `ed25519:` and the first 16 bytes of the SHA-256 of the raw public key, in hex: short enough
/// to read aloud and compare.
pub fn key_id(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    format!("ed25519:{}", hex::encode(&digest[..16]))
}

/// Checks a raw signature of `message` (strict: no malleable signatures, no weak keys).
pub fn verify(key: &VerifyingKey, message: &[u8], signature: &[u8]) -> Result<(), SigningError> {
    let bytes = <[u8; 64]>::try_from(signature).map_err(|_| SigningError::SignatureLength)?;
    key.verify_strict(message, &Signature::from_bytes(&bytes)).map_err(|_| SigningError::Mismatch)
}

fn pem(label: &str, der: &[u8]) -> String {
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", STANDARD.encode(der))
}

fn pem_body(pem: &str, label: &'static str) -> Result<Vec<u8>, SigningError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin).ok_or(SigningError::NotPem(label))? + begin.len();
    let stop = pem[start..].find(&end).ok_or(SigningError::NotPem(label))? + start;
    let body: String = pem[start..stop].chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(body).map_err(|_| SigningError::NotPem(label))
}

/// Writes a new private key file whole (a temporary file, readable by this user only, moved
/// into place), never replacing one: `AlreadyExists` if another process got there first.
fn write_private(path: &Path, pem: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    // tempfile creates it with mode 0600 on Unix.
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(pem.as_bytes())?;
    file.as_file().sync_all()?;
    file.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8032 §7.1 test 1: the key, and the signature of the empty message.
    const RFC_SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    const RFC_PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    const RFC_SIGNATURE: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
                                 5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    fn rfc_signer() -> PackSigner {
        let mut der = PRIVATE_DER_PREFIX.to_vec();
        der.extend(hex::decode(RFC_SEED).unwrap());
        PackSigner::from_pem(&pem("PRIVATE KEY", &der)).unwrap()
    }

    #[test]
    fn signs_as_rfc_8032_says() {
        let signer = rfc_signer();
        assert_eq!(hex::encode(signer.public_key().as_bytes()), RFC_PUBLIC);
        assert_eq!(hex::encode(signer.sign(b"")), RFC_SIGNATURE);
        verify(&signer.public_key(), b"", &signer.sign(b"")).unwrap();
    }

    #[test]
    fn a_changed_message_or_signature_does_not_verify() {
        let signer = rfc_signer();
        let key = signer.public_key();
        let signature = signer.sign(b"manifest");
        assert!(matches!(verify(&key, b"manifesT", &signature), Err(SigningError::Mismatch)));
        let mut flipped = signature;
        flipped[10] ^= 1;
        assert!(matches!(verify(&key, b"manifest", &flipped), Err(SigningError::Mismatch)));
        assert!(matches!(verify(&key, b"manifest", &signature[..63]), Err(SigningError::SignatureLength)));
    }

    #[test]
    fn public_keys_round_trip_through_pem() {
        let signer = rfc_signer();
        let pem = signer.public_key_pem();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
        assert_eq!(public_key_from_pem(&pem).unwrap(), signer.public_key());
        assert!(matches!(public_key_from_pem(&signer.private_pem()), Err(SigningError::NotPem(_))));
        assert!(matches!(
            PackSigner::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"),
            Err(SigningError::NotEd25519)
        ));
    }

    #[test]
    fn the_generated_key_is_kept_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let first = PackSigner::load_or_create(None, dir.path()).unwrap();
        let again = PackSigner::load_or_create(None, dir.path()).unwrap();
        assert_eq!(first.key_id(), again.key_id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(GENERATED_KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let configured = dir.path().join("missing.pem");
        assert!(matches!(PackSigner::load_or_create(Some(&configured), dir.path()), Err(SigningError::File { .. })));
    }
}
