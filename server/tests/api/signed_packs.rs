//! Signed evidence packs: `plumbline verify-pack` (the real binary, no database) passes on a
//! fresh pack and fails, naming the file, once any file, signature or the manifest changes;
//! openssl checks the same signatures without Plumbline. Each pack and publication writes a
//! signed checkpoint of the audit trail outside the database.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Output};

use crate::helpers::TestApp;

const Q3: &str = "from=2026-07-01&to=2026-09-30";

fn verify_pack(pack: &Path, key: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_plumbline"));
    command.arg("verify-pack").arg(pack).env_remove("DATABASE_URL").env("PLUMBLINE_DATA_DIR", "/nonexistent");
    if let Some(key) = key {
        command.arg("--public-key").arg(key);
    }
    command.output().expect("runs")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("zip");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).expect("entry");
            let mut content = Vec::new();
            entry.read_to_end(&mut content).expect("read");
            (entry.name().expect("name").into_owned(), content)
        })
        .collect()
}

/// A well-formed ZIP of `entries` (so only Plumbline's own checks can catch a change).
fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in entries {
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).expect("start");
        out.write_all(content).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

async fn download(app: &TestApp) -> Vec<u8> {
    let response = app.client.get(format!("{}/api/v1/evidence?{Q3}", app.base)).send().await.expect("sent");
    assert_eq!(response.status(), 200);
    response.bytes().await.expect("body").to_vec()
}

async fn a_pack_verifies_and_any_change_is_named(app: &TestApp) {
    crate::kpis::load(app).await;
    let pack = download(app).await;
    let key = app.client.get(format!("{}/api/v1/evidence/public-key", app.base)).send().await.expect("sent");
    assert_eq!(key.status(), 200);
    let key_id = key.headers()["x-plumbline-key-id"].to_str().expect("ascii").to_owned();
    let pem = key.text().await.expect("pem");
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");

    let dir = tempfile::tempdir().expect("dir");
    let (pack_file, key_file) = (dir.path().join("pack.zip"), dir.path().join("key.pem"));
    std::fs::write(&pack_file, &pack).expect("write");
    std::fs::write(&key_file, &pem).expect("write");
    let fine = verify_pack(&pack_file, Some(&key_file));
    assert!(fine.status.success(), "{}", text(&fine));
    assert!(text(&fine).contains(&format!("signed by {key_id}")), "{}", text(&fine));
    // Without a key of its own the pack's key is used, and the output says so.
    let own_key = verify_pack(&pack_file, None);
    assert!(own_key.status.success() && text(&own_key).contains("compare its id"), "{}", text(&own_key));

    let files = entries(&pack);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in ["manifest.json", "manifest.json.sig", "SHA256SUMS", "SHA256SUMS.sig", "signing-key.pem"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert!(names.contains(&"audit_checkpoint.json"), "the trail has events: {names:?}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&files.iter().find(|(n, _)| n == "manifest.json").expect("manifest").1).expect("json");
    assert_eq!(manifest["signature"]["key_id"], key_id.as_str());

    // Every file: one byte changed, in an otherwise sound archive.
    for (index, (name, content)) in files.iter().enumerate() {
        let mut changed = files.clone();
        let mut altered = content.clone();
        if altered.is_empty() {
            altered.push(b'x');
        } else {
            let middle = altered.len() / 2;
            altered[middle] ^= 0x01;
        }
        changed[index] = (name.clone(), altered);
        std::fs::write(&pack_file, rezip(&changed)).expect("write");
        let failed = verify_pack(&pack_file, Some(&key_file));
        assert!(!failed.status.success(), "{name} changed, yet: {}", text(&failed));
        let named = match name.strip_suffix(".sig") {
            Some(signed) => format!("FAILED {signed}: the signature in {name} does not match"),
            None => format!("FAILED {name}:"),
        };
        assert!(text(&failed).contains(&named), "{name}: {}", text(&failed));
    }
    // A file removed, or one added.
    let removed: Vec<_> = files.iter().filter(|(n, _)| n != "incidents.csv").cloned().collect();
    std::fs::write(&pack_file, rezip(&removed)).expect("write");
    let failed = verify_pack(&pack_file, Some(&key_file));
    assert!(!failed.status.success() && text(&failed).contains("FAILED incidents.csv:"), "{}", text(&failed));
    let mut added = files.clone();
    added.push(("extra.csv".to_owned(), b"id\n1\n".to_vec()));
    std::fs::write(&pack_file, rezip(&added)).expect("write");
    let failed = verify_pack(&pack_file, Some(&key_file));
    assert!(!failed.status.success() && text(&failed).contains("FAILED extra.csv:"), "{}", text(&failed));
    // Bytes of the archive itself changed: never a pass.
    for position in [pack.len() / 7, pack.len() / 3, pack.len() / 2, pack.len() - 30] {
        let mut broken = pack.clone();
        broken[position] ^= 0x55;
        std::fs::write(&pack_file, &broken).expect("write");
        let failed = verify_pack(&pack_file, Some(&key_file));
        assert!(!failed.status.success(), "byte {position} changed, yet: {}", text(&failed));
    }
    // Another key: the signatures do not verify with it.
    let other = server::signing::PackSigner::load_or_create(None, dir.path()).expect("another key");
    std::fs::write(&key_file, other.public_key_pem()).expect("write");
    std::fs::write(&pack_file, &pack).expect("write");
    let failed = verify_pack(&pack_file, Some(&key_file));
    assert!(
        !failed.status.success() && text(&failed).contains("FAILED manifest.json: the signature"),
        "{}",
        text(&failed)
    );

    // openssl, knowing nothing of Plumbline, checks the same signatures.
    let unpacked = dir.path().join("x");
    std::fs::create_dir(&unpacked).expect("mkdir");
    for (name, content) in &files {
        std::fs::write(unpacked.join(name.replace('/', "_")), content).expect("write");
    }
    std::fs::write(unpacked.join("published.pem"), &pem).expect("write");
    for signed in ["manifest.json", "SHA256SUMS"] {
        let openssl = Command::new("openssl")
            .args(["pkeyutl", "-verify", "-pubin", "-inkey", "published.pem", "-rawin", "-in", signed, "-sigfile"])
            .arg(format!("{signed}.sig"))
            .current_dir(&unpacked)
            .output()
            .expect("openssl runs");
        assert!(openssl.status.success(), "openssl on {signed}: {}", text(&openssl));
    }

    // The download wrote a checkpoint after its audit event, to the table and the directory.
    let (status, listed) = app.get("/api/v1/audit/checkpoints").await;
    assert_eq!(status, 200, "{listed}");
    let newest = &listed["items"][0];
    assert_eq!(newest["reason"], "evidence_pack");
    let (_, head) = app.get("/api/v1/audit/verify").await;
    assert_eq!(newest["seq"], head["head"]["seq"], "the checkpoint includes the download");
    let written: Vec<_> = std::fs::read_dir(app.files.path().join("audit-checkpoints"))
        .expect("checkpoint directory")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let checkpoint = server::checkpoints::Checkpoint::parse(&std::fs::read(&written[0]).expect("read")).expect("parse");
    assert_eq!(checkpoint.seq, newest["seq"].as_i64().expect("seq"));
    checkpoint.check_signature(Some(&server::signing::public_key_from_pem(&pem).expect("key"))).expect("signed");

    // A publication is anchored too, after its own audit event.
    let published = app
        .client
        .post(format!("{}/api/v1/snapshots", app.base))
        .header("origin", &app.base)
        .json(&serde_json::json!({"period": "2026-Q3"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(published.status(), 201, "{}", published.text().await.unwrap_or_default());
    let (_, listed) = app.get("/api/v1/audit/checkpoints").await;
    let (_, head) = app.get("/api/v1/audit/verify").await;
    assert_eq!(listed["items"][0]["reason"], "snapshot");
    assert_eq!(listed["items"][0]["seq"], head["head"]["seq"]);
    let files = std::fs::read_dir(app.files.path().join("audit-checkpoints")).expect("directory").count();
    assert_eq!(files, 2);
}

async fn an_empty_trail_gives_a_pack_without_a_checkpoint(app: &TestApp) {
    let pack = download(app).await;
    let names: Vec<String> = entries(&pack).into_iter().map(|(n, _)| n).collect();
    assert!(!names.contains(&"audit_checkpoint.json".to_owned()), "{names:?}");
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("pack.zip"), &pack).expect("write");
    let fine = verify_pack(&dir.path().join("pack.zip"), None);
    assert!(fine.status.success(), "{}", text(&fine));
}

crate::on_both_backends!(a_pack_verifies_and_any_change_is_named, an_empty_trail_gives_a_pack_without_a_checkpoint);
