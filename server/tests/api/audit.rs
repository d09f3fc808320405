//! The audit trail: which changes append events, the listing, verification through the API,
//! tampering caught by the chain, the database refusing changes, concurrent appends.

use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};
use serde_json::{Value, json};
use server::audit::{self, AuditEntry};

use crate::helpers::TestApp;

async fn events(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, page) = app.get(&format!("/api/v1/audit{query}")).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().expect("items").clone()
}

async fn verify(app: &TestApp) -> Value {
    let (status, verdict) = app.get("/api/v1/audit/verify").await;
    assert_eq!(status, 200, "{verdict}");
    verdict
}

async fn import_team(app: &TestApp, slug: &str) -> Value {
    let (status, reply) = app.post_json("teams", &json!([{"slug": slug, "name": slug}])).await;
    assert_eq!(status, 200, "{reply}");
    reply
}

/// Lets the test edit and delete events as someone bypassing the database's refusal would.
async fn disable_the_refusal(app: &TestApp) {
    let sql = match app.db.get_database_backend() {
        DbBackend::Postgres => "ALTER TABLE audit_event DISABLE TRIGGER USER",
        _ => "DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete;",
    };
    app.db.execute_unprepared(sql).await.expect("triggers bypassed");
}

async fn applied_rejected_and_dry_run_imports_are_recorded_as_they_happened(app: &TestApp) {
    let applied = import_team(app, "payments").await;
    let recorded = events(app, "").await;
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    let event = &recorded[0];
    assert_eq!((event["seq"].as_i64(), event["actor"].as_str()), (Some(1), Some("local")));
    assert_eq!(event["action"], "import.applied");
    assert_eq!(event["target"], format!("import_batch:{}", applied["batch_id"]));
    let details = &event["details"];
    assert_eq!((details["kind"].as_str(), details["source"].as_str()), (Some("teams"), Some("api")));
    assert_eq!((details["received"].as_i64(), details["created"].as_i64()), (Some(1), Some(1)));
    assert_eq!(details["sha256"].as_str().map(str::len), Some(64), "{details}");

    let dry = app.post_query("teams", "?dry_run=true", "application/json", r#"[{"slug": "x", "name": "X"}]"#).await;
    assert_eq!(dry.status().as_u16(), 200);
    let dry_bad = app.post_query("teams", "?dry_run=true", "application/json", r#"[{"slug": "x"}]"#).await;
    assert_eq!(dry_bad.status().as_u16(), 422);
    assert_eq!(events(app, "").await.len(), 1, "dry runs record nothing");

    let (status, _) = app.post_json("teams", &json!([{"slug": "ok", "name": "Ok"}, {"slug": "bad"}])).await;
    assert_eq!(status, 422);
    let recorded = events(app, "").await;
    assert_eq!(recorded.len(), 2);
    let rejected = &recorded[1];
    assert_eq!((rejected["action"].as_str(), rejected["actor"].as_str()), (Some("import.rejected"), Some("local")));
    assert_eq!(
        (rejected["details"]["received"].as_i64(), rejected["details"]["rejected"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(rejected["prev_hash"], recorded[0]["hash"], "linked to the event before it");

    assert_eq!(events(app, "?action=import.rejected").await.len(), 1);
    assert_eq!(events(app, "?actor=local").await.len(), 2);
    assert!(events(app, "?actor=someone-else").await.is_empty());
    assert_eq!(events(app, "?from=2000-01-01&to=2999-01-01").await.len(), 2);
    assert!(events(app, "?from=2999-01-01").await.is_empty());
}

async fn publishing_a_snapshot_is_recorded_once(app: &TestApp) {
    // A period with records (one that ended before the first record has nothing to publish).
    crate::kpis::load(app).await;
    let before = events(app, "").await.len();
    let publish = || {
        app.client
            .post(format!("{}/api/v1/snapshots", app.base))
            .header("content-type", "application/json")
            .body(json!({"period": "2026-Q3"}).to_string())
            .send()
    };
    let response = publish().await.expect("sent");
    assert_eq!(response.status().as_u16(), 201);
    let summary: Value = response.json().await.expect("json");
    assert_eq!(publish().await.expect("sent").status().as_u16(), 409);
    let recorded = events(app, "?action=snapshot.published").await;
    assert_eq!(recorded.len(), 1, "one event, none for the refused second publish: {recorded:?}");
    assert_eq!(
        (recorded[0]["actor"].as_str(), recorded[0]["target"].as_str()),
        (Some("local"), Some("snapshot:2026-Q3"))
    );
    assert_eq!(recorded[0]["details"]["content_sha256"], summary["content_sha256"]);
    assert_eq!(events(app, "").await.len(), before + 1);
}

async fn pages_follow_after_to_the_end_and_carry_the_head(app: &TestApp) {
    for slug in ["a", "b", "c", "d", "e"] {
        import_team(app, slug).await;
    }
    let mut seqs = Vec::new();
    let mut path = "/api/v1/audit?limit=2".to_owned();
    loop {
        let (status, page) = app.get(&path).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["head"]["seq"], 5, "{page}");
        seqs.extend(page["items"].as_array().expect("items").iter().map(|e| e["seq"].as_i64().expect("seq")));
        match page["next"].as_i64() {
            Some(next) => path = format!("/api/v1/audit?limit=2&after={next}"),
            None => break,
        }
    }
    assert_eq!(seqs, [1, 2, 3, 4, 5], "oldest first, each once");
    for bad in ["?limit=0", "?after=x", "?from=yesterday", "?cursor=abc"] {
        let (status, problem) = app.get(&format!("/api/v1/audit{bad}")).await;
        assert_eq!(status, 400, "{bad}: {problem}");
    }
}

async fn verification_names_the_edited_event_and_the_one_after_a_deletion(app: &TestApp) {
    assert_eq!(verify(app).await, json!({"intact": true, "count": 0, "head": {"seq": 0, "hash": "0".repeat(64)}}));
    for slug in ["a", "b", "c", "d"] {
        import_team(app, slug).await;
    }
    let verdict = verify(app).await;
    let (_, page) = app.get("/api/v1/audit").await;
    assert_eq!(verdict, json!({"intact": true, "count": 4, "head": page["head"]}));

    disable_the_refusal(app).await;
    app.db.execute_unprepared("UPDATE audit_event SET actor = 'mallory' WHERE seq = 2").await.expect("edited");
    let verdict = verify(app).await;
    assert_eq!((verdict["intact"].as_bool(), verdict["broken_at"].as_i64()), (Some(false), Some(2)), "{verdict}");
    assert!(verdict["reason"].as_str().unwrap_or_default().contains("edited"), "{verdict}");

    app.db.execute_unprepared("UPDATE audit_event SET actor = 'local' WHERE seq = 2").await.expect("restored");
    assert_eq!(verify(app).await["intact"], true);
    app.db.execute_unprepared("DELETE FROM audit_event WHERE seq = 3").await.expect("deleted");
    let verdict = verify(app).await;
    assert_eq!((verdict["intact"].as_bool(), verdict["broken_at"].as_i64()), (Some(false), Some(4)), "{verdict}");
    assert!(verdict["reason"].as_str().unwrap_or_default().contains("seq 3 is missing"), "{verdict}");
}

async fn the_database_refuses_to_change_or_remove_events(app: &TestApp) {
    import_team(app, "a").await;
    let mut attempts = vec!["UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"];
    if app.db.get_database_backend() == DbBackend::Postgres {
        attempts.push("TRUNCATE audit_event");
    }
    for sql in attempts {
        let refused = app.db.execute_unprepared(sql).await.expect_err(sql);
        assert!(refused.to_string().contains("append-only"), "{sql}: {refused}");
    }
    assert_eq!(events(app, "").await[0]["actor"], "local");
    assert_eq!(verify(app).await["count"], 1);
}

/// Writers racing each other (in their own transactions, with and without other writes in
/// them, and through imports) still build one chain: no seq twice, none missing.
async fn concurrent_appends_build_one_intact_chain(app: &TestApp) {
    let mut tasks = Vec::new();
    for n in 0..20 {
        let db = app.db.clone();
        tasks.push(tokio::spawn(async move {
            let entry = AuditEntry::new("local", "test.appended", &format!("task:{n}"), json!({"n": n}));
            if n % 2 == 0 {
                audit::append(&db, entry, server::clock_now()).await.map(|_| ())
            } else {
                let txn = db.begin().await?;
                audit::append(&txn, entry, server::clock_now()).await?;
                txn.commit().await
            }
        }));
    }
    let imports: Vec<_> = (0..4).map(|n| async move { import_team(app, &format!("t{n}")).await }).collect();
    futures::future::join_all(imports).await;
    for task in tasks {
        task.await.expect("task").expect("appended");
    }
    let verdict = verify(app).await;
    assert_eq!(verdict["intact"], true, "{verdict}");
    assert_eq!(verdict["count"], 24);
    let recorded = events(app, "?limit=100").await;
    let seqs: Vec<i64> = recorded.iter().map(|e| e["seq"].as_i64().expect("seq")).collect();
    assert_eq!(seqs, (1..=24).collect::<Vec<_>>());
    let mut targets: Vec<&str> = recorded.iter().filter_map(|e| e["target"].as_str()).collect();
    targets.retain(|t| t.starts_with("task:"));
    assert_eq!(targets.len(), 20, "every task's event is there once");
}

crate::on_both_backends!(
    applied_rejected_and_dry_run_imports_are_recorded_as_they_happened,
    publishing_a_snapshot_is_recorded_once,
    pages_follow_after_to_the_end_and_carry_the_head,
    verification_names_the_edited_event_and_the_one_after_a_deletion,
    the_database_refuses_to_change_or_remove_events,
    concurrent_appends_build_one_intact_chain,
);
