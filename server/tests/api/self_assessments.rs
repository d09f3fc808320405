//! `self-assessments`: readiness checklist answers, imported like any record; only answers
//! signed off by someone else count towards the scorecard's readiness check.

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::kpis::load;

/// Checkout is tier 0: every item of the default checklist applies.
const ITEMS: [&str; 9] = [
    "runbook",
    "on_call_rotation",
    "slo_alerting",
    "dashboards",
    "rollback_procedure",
    "dependency_map",
    "capacity_plan",
    "dr_plan",
    "backup_and_restore",
];

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
    assert_eq!(reply["created"], 9);
    assert_eq!(readiness(app).await["status"], "no_data", "answers nobody reviewed do not count");

    let (status, reply) = app.post_json("self-assessments", &answers(true)).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["updated"], 9, "the same answers, now signed off: {reply}");
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
    assert_eq!(items.len(), 9);
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

fn answer(service: &str, item: &str, answered_at: &str, reviewed_at: &str) -> Value {
    json!({"service": service, "item": item, "answer": "yes", "answered_by": "eve@example.test",
           "answered_at": answered_at, "reviewed_by": "rob@example.test", "reviewed_at": reviewed_at})
}

async fn check_of(app: &TestApp, service: &str, period: &str) -> Value {
    let (_, card) = app.get(&format!("/api/v1/services/{service}/scorecard?period={period}")).await;
    card["scorecards"][0]["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == "self_assessment_current").cloned())
        .unwrap_or_else(|| panic!("the readiness check of {service}: {card}"))
}

/// The policy's checklist says which tiers an item applies to and how long its answer stays
/// valid; a past period counts only sign-offs given by its end.
async fn items_apply_by_tier_with_their_own_validity_and_late_sign_offs_do_not_count(app: &TestApp) {
    load(app).await;
    // Ledger is tier 2: the tier-0/1 items (dependency map, capacity plan, DR plan) do not apply.
    let tier2: Vec<Value> = ITEMS
        .iter()
        .filter(|item| !matches!(**item, "dependency_map" | "capacity_plan" | "dr_plan"))
        .map(|item| answer("ledger", item, "2026-09-01T10:00:00Z", "2026-09-02T10:00:00Z"))
        .collect();
    assert_eq!(app.post_json("self-assessments", &Value::Array(tier2)).await.0, 200);
    let check = check_of(app, "ledger", "2026-Q3").await;
    assert_eq!(check["status"], "pass", "{check}");
    assert_eq!(check["value"]["items"], 6);

    // Checkout is tier 0: a capacity plan answered 108 days before the quarter's end is past its
    // own 90 days, though within the check's 180.
    let tier0: Vec<Value> = ITEMS
        .iter()
        .map(|item| {
            let at = if *item == "capacity_plan" { "2026-06-15T10:00:00Z" } else { "2026-09-01T10:00:00Z" };
            answer("checkout", item, at, "2026-09-02T10:00:00Z")
        })
        .collect();
    assert_eq!(app.post_json("self-assessments", &Value::Array(tier0)).await.0, 200);
    let check = check_of(app, "checkout", "2026-Q3").await;
    assert_eq!(check["status"], "fail", "{check}");
    assert_eq!(check["value"]["stale"], json!(["capacity_plan"]), "{check}");
    let explanation = check["explanation"].as_str().unwrap_or_default();
    assert!(explanation.contains("capacity_plan (valid 90 days)"), "{explanation}");

    // Answered in Q3 but signed off after it ended: Q3 stays without a current assessment.
    let late: Vec<Value> =
        ITEMS.iter().map(|item| answer("checkout", item, "2026-09-20T10:00:00Z", "2026-10-05T10:00:00Z")).collect();
    assert_eq!(app.post_json("self-assessments", &Value::Array(late)).await.0, 200);
    let check = check_of(app, "checkout", "2026-Q3").await;
    assert_eq!(check["status"], "no_data", "a sign-off after the period does not count for it: {check}");
    let check = check_of(app, "checkout", "2026-10").await;
    assert_eq!(check["status"], "pass", "it counts from the sign-off on: {check}");

    // The self-assessment page offers, and accepts, only the items of the service's tier.
    for (item, expected) in [("capacity_plan", 400), ("runbook", 200)] {
        let response = app
            .client
            .post(format!("{}/api/answer_readiness", app.base))
            .header("origin", &app.base)
            .form(&[("service", "ledger"), ("item", item), ("answer", "yes")])
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status().as_u16(), expected, "{item}: {}", response.text().await.unwrap_or_default());
    }
}

crate::on_both_backends!(
    only_signed_off_answers_count_towards_readiness,
    bad_answers_are_refused_row_by_row,
    items_apply_by_tier_with_their_own_validity_and_late_sign_offs_do_not_count,
);
