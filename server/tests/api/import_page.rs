//! The import page's server function (`POST /api/import`): a file is previewed (dry run: counts
//! and row problems, nothing written) and applied through the ingestion path; the history lists
//! the batches.

use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn import(app: &TestApp, kind: &str, file_name: &str, content: &str, dry_run: bool) -> (u16, Value) {
    let upload = json!({"upload": {"kind": kind, "source": "upload", "file_name": file_name, "format": "",
                                   "content": content, "dry_run": dry_run}});
    let response = app
        .client
        .post(format!("{}/api/import", app.base))
        .header("content-type", "application/json")
        .header("origin", &app.base)
        .body(upload.to_string())
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn teams(app: &TestApp) -> Vec<String> {
    let (_, listed) = app.get("/api/v1/teams").await;
    let items = listed.get("items").or(listed.get("records")).cloned().unwrap_or(listed);
    items
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["slug"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

async fn a_bad_file_is_previewed_with_its_row_problems_and_writes_nothing(app: &TestApp) {
    let bad = "slug,name\nweb,Web\nNot A Slug,Broken\n,Nameless\n";
    let (status, outcome) = import(app, "teams", "teams.csv", bad, true).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["accepted"], false);
    assert_eq!(outcome["received"], 3);
    assert_eq!(outcome["format"], "csv");
    let errors = outcome["errors"].as_array().expect("errors");
    assert!(errors.iter().any(|e| e["row"] == 2 && e["field"] == "slug"), "{errors:?}");
    assert!(errors.iter().any(|e| e["row"] == 3 && e["field"] == "slug"), "{errors:?}");
    assert!(teams(app).await.is_empty(), "a preview writes nothing");
    // Applying the same bad file is refused whole.
    let (_, applied) = import(app, "teams", "teams.csv", bad, false).await;
    assert_eq!(applied["accepted"], false);
    assert!(teams(app).await.is_empty(), "a refused file writes nothing");
}

async fn a_good_file_is_previewed_then_applied_and_listed(app: &TestApp) {
    let good = "[{\"slug\": \"web\", \"name\": \"Web\"}, {\"slug\": \"data\", \"name\": \"Data\"}]";
    let (_, preview) = import(app, "teams", "teams.json", good, true).await;
    assert_eq!((preview["accepted"].clone(), preview["created"].clone()), (json!(true), json!(2)));
    assert!(preview["batch_id"].is_null());
    assert!(teams(app).await.is_empty());
    let (_, applied) = import(app, "teams", "teams.json", good, false).await;
    assert_eq!(applied["accepted"], true, "{applied}");
    let batch = applied["batch_id"].as_i64().expect("a batch");
    let mut slugs = teams(app).await;
    slugs.sort();
    assert_eq!(slugs, ["data", "web"]);

    // The history: the batch with its file, actor and counts, newest first.
    let response = app
        .client
        .post(format!("{}/api/import_history", app.base))
        .header("origin", &app.base)
        .form(&[("before", "")])
        .send()
        .await
        .expect("sent");
    let history: Value = response.json().await.expect("json");
    let first = &history["rows"][0];
    assert_eq!(first["id"], batch);
    assert_eq!(first["file_name"], "teams.json");
    assert_eq!(first["created"], 2);
    assert_eq!(first["status"], "applied");
    assert_eq!(history["can_import"], true);

    // Unreadable input is refused with the reason, and an unknown kind or format is the caller's error.
    let (_, broken) = import(app, "teams", "teams.json", "[{\"slug\": ", true).await;
    assert!(broken["refusal"].as_str().is_some_and(|r| r.contains("not valid json")), "{broken}");
    let (status, _) = import(app, "planets", "x.csv", "a\n1\n", true).await;
    assert_eq!(status, 400);
    let (status, _) = import(app, "teams", "notes.txt", "a\n1\n", true).await;
    assert_eq!(status, 400);
}

crate::on_both_backends!(
    a_bad_file_is_previewed_with_its_row_problems_and_writes_nothing,
    a_good_file_is_previewed_then_applied_and_listed
);
