//! `plumbline audit verify`, the real binary: exit 0 and "intact" for a sound chain, non-zero
//! naming the seq once an event is edited behind the database's back.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed step should fail the test loudly

use std::process::{Command, Output};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::json;
use server::audit::{self, AuditEntry};
use server::db::DatabaseTarget;

fn verify(configure: impl FnOnce(&mut Command)) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_plumbline"));
    command.args(["audit", "verify"]).env_remove("DATABASE_URL");
    configure(&mut command);
    command.output().expect("run plumbline")
}

async fn append_events(db: &DatabaseConnection, n: usize) -> String {
    let mut hash = String::new();
    for i in 0..n {
        let entry = AuditEntry::new("local", "import.applied", &format!("import_batch:{i}"), json!({"kind": "teams"}));
        hash = audit::append(db, entry, server::clock_now()).await.expect("appended").hash;
    }
    hash
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The demo organisation's imports (a few seconds on SQLite) append the events here.
#[tokio::test]
async fn verify_reports_an_intact_embedded_chain_then_the_edited_seq() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = Command::new(env!("CARGO_BIN_EXE_plumbline"))
        .args(["demo-data", "--scale", "small"])
        .env("PLUMBLINE_DATA_DIR", dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .expect("run plumbline demo-data");
    assert!(demo.status.success(), "{}", stderr(&demo));

    let output = verify(|c| {
        c.env("PLUMBLINE_DATA_DIR", dir.path());
    });
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("audit chain intact: "), "{}", stdout(&output));

    // Someone with the file in hand: drop the refusal, edit an event.
    let db =
        server::db::connect(&DatabaseTarget::Embedded(dir.path().join("plumbline.sqlite3"))).await.expect("connect");
    db.execute_unprepared("DROP TRIGGER audit_event_no_update").await.expect("trigger dropped");
    db.execute_unprepared("UPDATE audit_event SET target = 'import_batch:99' WHERE seq = 3").await.expect("edited");
    db.close().await.expect("closed");

    let output = verify(|c| {
        c.env("PLUMBLINE_DATA_DIR", dir.path());
    });
    assert!(!output.status.success());
    assert!(stderr(&output).contains("audit chain BROKEN at seq 3: "), "{}", stderr(&output));
    assert!(stderr(&output).contains("edited"), "{}", stderr(&output));
}

#[tokio::test]
async fn verify_reads_database_url_and_names_the_seq_after_a_deleted_event_on_postgres() {
    let admin = std::env::var("PLUMBLINE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("plumbline_test_audit_cli_{}_{}", std::process::id(), chrono::Utc::now().timestamp_micros());
    let url = format!("{}/{name}", admin.rsplit_once('/').expect("a database URL").0);
    let conn = Database::connect(&admin).await.expect("Postgres is reachable for tests");
    conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");

    let db = server::db::connect(&DatabaseTarget::Url(url.clone())).await.expect("connect");
    server::db::migrate(&db).await.expect("migrate");
    let head = append_events(&db, 4).await;
    let output = verify(|c| {
        c.env("DATABASE_URL", &url);
    });
    let intact = output.status.success()
        && stdout(&output).trim() == format!("audit chain intact: 4 events, head seq 4 hash {head}");

    db.execute_unprepared("ALTER TABLE audit_event DISABLE TRIGGER USER; DELETE FROM audit_event WHERE seq = 2")
        .await
        .expect("deleted");
    let broken = verify(|c| {
        c.env("DATABASE_URL", &url);
    });
    db.close().await.ok();
    conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.ok();

    assert!(intact, "{}{}", stdout(&output), stderr(&output));
    assert!(!broken.status.success());
    assert!(stderr(&broken).contains("audit chain BROKEN at seq 3: seq 2 is missing"), "{}", stderr(&broken));
}
