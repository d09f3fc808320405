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

/// Someone holding the database rewrites events and recomputes every hash after them, or drops
/// the newest events: the chain alone still verifies, the signed checkpoints do not.
#[tokio::test]
async fn checkpoints_catch_a_rewritten_or_truncated_trail_on_postgres() {
    use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};
    use server::checkpoints::{Checkpoints, Reason};
    use server::entities::audit_event;

    let admin = std::env::var("PLUMBLINE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("plumbline_test_checkpoints_{}_{}", std::process::id(), chrono::Utc::now().timestamp_micros());
    let url = format!("{}/{name}", admin.rsplit_once('/').expect("a database URL").0);
    let conn = Database::connect(&admin).await.expect("Postgres is reachable for tests");
    conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
    let db = server::db::connect(&DatabaseTarget::Url(url.clone())).await.expect("connect");
    server::db::migrate(&db).await.expect("migrate");

    let files = tempfile::tempdir().expect("temp dir");
    let signer = server::signing::PackSigner::load_or_create(None, files.path()).expect("key");
    let key_file = files.path().join("public.pem");
    std::fs::write(&key_file, signer.public_key_pem()).expect("public key");
    let checkpoints = Checkpoints::new(std::sync::Arc::new(signer), Some(files.path().join("cp")), None);
    append_events(&db, 4).await;
    let first = checkpoints.record(&db, Reason::Daily, server::clock_now()).await.expect("recorded").expect("head");
    append_events(&db, 3).await;
    let second = checkpoints.record(&db, Reason::Daily, server::clock_now()).await.expect("recorded").expect("head");
    assert_eq!((first.seq, second.seq), (4, 7));
    let file = |c: &server::checkpoints::Checkpoint| files.path().join("cp").join(c.file_name());
    let (first_file, second_file) = (file(&first), file(&second));
    let with_checkpoints = |c: &mut Command| {
        c.env("DATABASE_URL", &url).arg("--checkpoint").arg(&first_file).arg("--checkpoint").arg(&second_file);
        c.arg("--public-key").arg(&key_file);
    };

    let sound = verify(with_checkpoints);
    assert!(sound.status.success(), "{}{}", stdout(&sound), stderr(&sound));
    assert_eq!(stdout(&sound).matches(": holds (seq").count(), 2, "{}", stdout(&sound));

    // The two newest events dropped: the rest still chains.
    db.execute_unprepared("ALTER TABLE audit_event DISABLE TRIGGER USER; DELETE FROM audit_event WHERE seq > 5")
        .await
        .expect("truncated");
    let chain_only = verify(|c| {
        c.env("DATABASE_URL", &url);
    });
    let truncated = verify(with_checkpoints);

    // Event 2 edited, and every hash from it on recomputed, so the chain verifies again.
    let rows = audit_event::Entity::find().order_by_asc(audit_event::Column::Seq).all(&db).await.expect("rows");
    let mut prev = rows[0].hash.clone();
    for row in rows.into_iter().skip(1) {
        let event = app::domain::audit::AuditEvent {
            seq: row.seq,
            at: row.at,
            actor: row.actor.clone(),
            action: row.action.clone(),
            target: if row.seq == 2 { "import_batch:forged".to_owned() } else { row.target.clone() },
            details: serde_json::from_str(&row.details).expect("details"),
        };
        let sealed = app::domain::audit::seal(&prev, event);
        prev = sealed.hash.clone();
        let mut active: audit_event::ActiveModel = row.into();
        active.target = Set(sealed.event.target);
        active.prev_hash = Set(sealed.prev_hash);
        active.hash = Set(sealed.hash);
        active.update(&db).await.expect("rewritten");
    }
    let rewritten_chain_only = verify(|c| {
        c.env("DATABASE_URL", &url);
    });
    let rewritten = verify(with_checkpoints);

    // A checkpoint file edited to point before the change no longer verifies.
    let mut edited: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&first_file).expect("read")).expect("json");
    edited["seq"] = json!(1);
    std::fs::write(&first_file, serde_json::to_vec(&edited).expect("json")).expect("write");
    let forged_checkpoint = verify(with_checkpoints);

    db.close().await.ok();
    conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.ok();

    assert!(chain_only.status.success(), "the chain alone cannot tell: {}", stderr(&chain_only));
    assert!(!truncated.status.success());
    let out = stdout(&truncated);
    assert!(out.contains(": holds (seq 4"), "{out}");
    assert!(out.contains("TRUNCATED: it ends at seq 5, but seq 7 existed"), "{out}");
    assert!(out.contains("(after seq 4, which still holds)"), "{out}");
    assert!(stderr(&truncated).contains("does not match 1 of 2 checkpoint(s)"), "{}", stderr(&truncated));

    assert!(rewritten_chain_only.status.success(), "{}", stderr(&rewritten_chain_only));
    assert!(!rewritten.status.success());
    assert!(stdout(&rewritten).contains("REWRITTEN at or before seq 4"), "{}", stdout(&rewritten));

    assert!(!forged_checkpoint.status.success());
    assert!(stderr(&forged_checkpoint).contains("signature does not verify"), "{}", stderr(&forged_checkpoint));
}

/// docs/operations.md §16: migrations run as an owner role; the application logs in as a role
/// that owns nothing, starts (nothing left to migrate), writes records and audit events, and can
/// neither change an event nor disable the trail's triggers.
#[tokio::test]
async fn an_application_role_that_owns_nothing_starts_and_cannot_touch_the_trail() {
    let admin = std::env::var("PLUMBLINE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let suffix = format!("{}_{}", std::process::id(), chrono::Utc::now().timestamp_micros());
    let (name, owner, app_role) =
        (format!("plumbline_test_roles_{suffix}"), format!("pl_owner_{suffix}"), format!("pl_app_{suffix}"));
    let host = admin.split_once('@').expect("user@host").1.rsplit_once('/').expect("/database").0.to_owned();
    let url_as = |role: &str| format!("postgres://{role}@{host}/{name}");
    let conn = Database::connect(&admin).await.expect("Postgres is reachable for tests");
    for statement in [
        format!("CREATE ROLE \"{owner}\" LOGIN"),
        format!("CREATE ROLE \"{app_role}\" LOGIN"),
        format!("CREATE DATABASE \"{name}\" OWNER \"{owner}\""),
    ] {
        conn.execute_unprepared(&statement).await.expect(&statement);
    }

    let as_owner = server::db::connect(&DatabaseTarget::Url(url_as(&owner))).await.expect("owner connects");
    server::db::migrate(&as_owner).await.expect("the owner migrates");
    as_owner
        .execute_unprepared(&format!(
            "GRANT USAGE ON SCHEMA public TO \"{app_role}\";
             GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \"{app_role}\";
             GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO \"{app_role}\";
             REVOKE UPDATE, DELETE, TRUNCATE ON audit_event, audit_checkpoint FROM \"{app_role}\";"
        ))
        .await
        .expect("grants");
    let as_app = server::db::connect(&DatabaseTarget::Url(url_as(&app_role))).await.expect("app connects");
    let started = server::db::migrate(&as_app).await;
    let imported = server::demo::load(&as_app, server::demo::Scale::Small, 42, false).await;
    let appended = append_events(&as_app, 1).await;
    let update = as_app.execute_unprepared("UPDATE audit_event SET target = 'forged' WHERE seq = 1").await;
    let disable = as_app.execute_unprepared("ALTER TABLE audit_event DISABLE TRIGGER USER").await;
    let events: Option<i64> = as_app
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*) AS n FROM audit_event",
        ))
        .await
        .ok()
        .flatten()
        .and_then(|row| row.try_get("", "n").ok());
    as_app.close().await.ok();
    as_owner.close().await.ok();
    conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.ok();
    for role in [&owner, &app_role] {
        conn.execute_unprepared(&format!("DROP ROLE IF EXISTS \"{role}\"")).await.ok();
    }

    started.expect("with every migration applied, the app role starts");
    imported.expect("the app role imports the demo organisation");
    assert!(!appended.is_empty());
    assert!(events.is_some_and(|n| n > 1), "{events:?}");
    let update = update.expect_err("no UPDATE on the trail");
    assert!(update.to_string().contains("permission denied"), "{update}");
    let disable = disable.expect_err("no ALTER TABLE on the trail");
    assert!(disable.to_string().contains("must be owner"), "{disable}");
}

/// A checkpoint bound for the webhook is queued as a job with the checkpoint itself, in the same
/// transaction as its row; the job posts the signed JSON, and a refusing webhook is an error the
/// job engine retries.
#[tokio::test]
async fn a_checkpoint_goes_to_the_webhook_through_the_job_queue() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use server::checkpoints::{Checkpoint, Checkpoints, DELIVER_CHECKPOINT, Reason};

    let received: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>> = Default::default();
    let seen = received.clone();
    let receiver = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(move |body: axum::body::Bytes| {
                let seen = seen.clone();
                async move {
                    seen.lock().expect("lock").push(body.to_vec());
                    axum::http::StatusCode::NO_CONTENT
                }
            }),
        )
        .route("/broken", axum::routing::post(|| async { axum::http::StatusCode::SERVICE_UNAVAILABLE }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let dir = tempfile::tempdir().expect("temp dir");
    let db = server::db::connect(&DatabaseTarget::Embedded(dir.path().join("plumbline.sqlite3"))).await.expect("db");
    server::db::migrate(&db).await.expect("migrate");
    append_events(&db, 2).await;
    let signer = std::sync::Arc::new(server::signing::PackSigner::load_or_create(None, dir.path()).expect("key"));
    let checkpoints = Checkpoints::new(signer.clone(), None, Some(format!("http://{addr}/hook")));
    let written = checkpoints.record(&db, Reason::Daily, server::clock_now()).await.expect("recorded").expect("head");

    let jobs = server::entities::job::Entity::find()
        .filter(server::entities::job::Column::Kind.eq(DELIVER_CHECKPOINT))
        .all(&db)
        .await
        .expect("jobs");
    assert_eq!(jobs.len(), 1, "one delivery queued");
    let payload: serde_json::Value = serde_json::from_str(&jobs[0].payload).expect("payload");
    checkpoints.post(payload.clone()).await.expect("posted");
    let bodies = received.lock().expect("lock").clone();
    assert_eq!(bodies.len(), 1);
    let delivered = Checkpoint::parse(&bodies[0]).expect("a checkpoint");
    assert_eq!(delivered, written);
    delivered.check_signature(Some(&signer.public_key())).expect("signed");

    let broken = Checkpoints::new(signer, None, Some(format!("http://{addr}/broken")));
    let refused = broken.post(payload).await.expect_err("503 is a failure to retry");
    assert!(refused.contains("503"), "{refused}");
}
