//! `self-assessments`: readiness checklist answers, imported like any record; only answers
//! signed off by someone else count towards the scorecard's readiness check.

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::kpis::load;

const ITEMS: [&str; 6] =
    ["runbook", "on_call_rotation", "slo_alerting", "dependency_map", "capacity_plan", "backup_and_restore"];

fn answers(reviewed: bool) -> Value {
    let rows: Vec<Value> = ITEMS
        .iter()
        .map(|item| {
            let mut row = json!({"service": "checkout", "item": item, "answer": "yes", "answered_by": "eve@example.test",
                                 "answered_at": "2026-09-01T10:00:00Z", "evidence_url": "https://wiki.example.test/runbook"});
            if reviewed {
                row["reviewed_by"] = json!("rob@example.test");
                row["reviewed_at"] = json!("2026-09-02T10:00:00Z");
            }
            row
        })
        .collect();
    Value::Array(rows)
}

async fn readiness(app: &TestApp) -> Value {
    let (_, card) = app.get("/api/v1/services/checkout/scorecard?period=2026-Q3").await;
    card["scorecards"][0]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "self_assessment_current")
        .cloned()
        .expect("the readiness check")
}

async fn only_signed_off_answers_count_towards_readiness(app: &TestApp) {
    load(app).await;
    assert_eq!(readiness(app).await["status"], "no_data");
    let (status, reply) = app.post_json("self-assessments", &answers(false)).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["created"], 6);
    assert_eq!(readiness(app).await["status"], "no_data", "answers nobody reviewed do not count");

    let (status, reply) = app.post_json("self-assessments", &answers(true)).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["updated"], 6, "the same answers, now signed off: {reply}");
    assert_eq!(readiness(app).await["status"], "pass");

    // One item answered "no" fails the check, naming it.
    let no = json!([{"service": "checkout", "item": "capacity_plan", "answer": "no", "answered_by": "eve@example.test",
                     "answered_at": "2026-09-03T10:00:00Z", "reviewed_by": "rob@example.test",
                     "reviewed_at": "2026-09-03T11:00:00Z"}]);
    assert_eq!(app.post_json("self-assessments", &no).await.0, 200);
    let check = readiness(app).await;
    assert_eq!(check["status"], "fail");
    assert!(check["explanation"].as_str().is_some_and(|e| e.contains("capacity_plan")), "{check}");

    let (_, listed) = app.get("/api/v1/self-assessments?service=checkout").await;
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 6);
    assert!(items.iter().all(|i| i["reviewed_by"] == "rob@example.test"));
}

async fn bad_answers_are_refused_row_by_row(app: &TestApp) {
    load(app).await;
    let rows = json!([
        {"service": "checkout", "item": "runbook", "answer": "n/a", "answered_by": "eve", "answered_at": "2026-09-01T00:00:00Z"},
        {"service": "checkout", "item": "runbook", "answer": "yes", "answered_by": "eve", "answered_at": "2026-09-01T00:00:00Z",
         "reviewed_by": "eve", "reviewed_at": "2026-09-02T00:00:00Z"},
        {"service": "nowhere", "item": "runbook", "answer": "yes", "answered_by": "eve", "answered_at": "2026-09-01T00:00:00Z"},
        {"service": "checkout", "item": "unicorn_audit", "answer": "yes", "answered_by": "eve", "answered_at": "2026-09-01T00:00:00Z"}
    ]);
    let (status, reply) = app.post_json("self-assessments", &rows).await;
    assert_eq!(status, 422, "{reply}");
    let errors = reply["errors"].as_array().expect("errors");
    let has = |row: u64, field: &str| errors.iter().any(|e| e["row"] == row && e["field"] == field);
    assert!(has(1, "comment") && has(2, "reviewed_by") && has(3, "service"), "{errors:?}");
    let item = errors.iter().find(|e| e["row"] == 4 && e["field"] == "item").expect("an unknown item is refused");
    assert!(item["message"].as_str().is_some_and(|m| m.contains("unicorn_audit") && m.contains("runbook")), "{item}");
    let (_, listed) = app.get("/api/v1/self-assessments").await;
    assert!(listed["items"].as_array().is_some_and(Vec::is_empty), "nothing was written");
}

crate::on_both_backends!(only_signed_off_answers_count_towards_readiness, bad_answers_are_refused_row_by_row);
