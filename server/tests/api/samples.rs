//! Sample reviews (docs/sample-reviews.md) through the page's server functions: draws at random
//! (reproducible from the seed), by id and by day; reviews, each an audit event; the pack's
//! sample_reviews.csv.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

use crate::access::Credential;
use crate::helpers::TestApp;

async fn call(app: &TestApp, function: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/api/{function}", app.base))
        .header("origin", &app.base)
        .form(form)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn ids(app: &TestApp, sql: &str) -> Vec<i64> {
    let rows =
        app.db.query_all_raw(Statement::from_string(app.db.get_database_backend(), sql.to_owned())).await.expect(sql);
    rows.iter().map(|r| r.try_get_by_index::<i64>(0).expect("id")).collect()
}

async fn draw(app: &TestApp, population: &str, method: &[(&str, &str)]) -> (u16, Value) {
    let mut form = vec![("population", population), ("from", "2026-07-01"), ("to", "2026-09-30")];
    form.extend_from_slice(method);
    call(app, "create_sample", &form).await
}

async fn samples_are_drawn_reviewed_audited_and_packed(app: &TestApp) {
    crate::kpis::load(app).await;
    let in_q3 =
        ids(app, "SELECT id FROM deployment WHERE external_id IN ('DEP-1', 'DEP-2', 'DEP-3', 'DEP-4') ORDER BY id")
            .await;
    assert_eq!(in_q3.len(), 4);

    // At random: the documented draw over the window's deployments, the same for the same seed.
    let (status, first) = draw(app, "deployments", &[("method", "random"), ("size", "2"), ("seed", "7")]).await;
    assert_eq!(status, 200, "{first}");
    let (status, second) = draw(app, "deployments", &[("method", "random"), ("size", "2"), ("seed", "7")]).await;
    assert_eq!(status, 200, "{second}");
    let drawn = |sample: &Value| {
        let sample = sample.as_i64().expect("the sample's id");
        async move {
            ids(app, &format!("SELECT record_id FROM sample_item WHERE sample_id = {sample} ORDER BY position")).await
        }
    };
    let expected = app::domain::evidence::samples::pick_random(&in_q3, 2, 7);
    assert_eq!(drawn(&first).await, expected);
    assert_eq!(drawn(&second).await, expected);

    // By id: only records of the population in the window.
    let inc = |name: &str| format!("SELECT id FROM incident WHERE external_id = '{name}'");
    let (inc0, inc1, inc2) =
        (ids(app, &inc("INC-0")).await[0], ids(app, &inc("INC-1")).await[0], ids(app, &inc("INC-2")).await[0]);
    let (status, by_id) = draw(app, "incidents", &[("method", "ids"), ("ids", &format!("{inc1}"))]).await;
    assert_eq!(status, 200, "{by_id}");
    let (status, refused) = draw(app, "incidents", &[("method", "ids"), ("ids", &format!("{inc1}, {inc0}"))]).await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused.to_string().contains(&format!("Not incidents of 2026-07-01 to 2026-09-30: record {inc0}")),
        "{refused}"
    );
    // By day: August's incidents.
    let (status, by_day) =
        draw(app, "incidents", &[("method", "days"), ("days_from", "2026-08-01"), ("days_to", "2026-08-31")]).await;
    assert_eq!(status, 200, "{by_day}");
    assert_eq!(drawn(&by_day).await, [inc2]);
    let (status, nothing) =
        draw(app, "incidents", &[("method", "days"), ("days_from", "2026-09-01"), ("days_to", "2026-09-30")]).await;
    assert_eq!(status, 400, "{nothing}");
    assert_eq!(app.count("review_sample").await, 4, "refused draws write nothing");
    assert_eq!(app.count("audit_event WHERE action = 'sample.created'").await, 4);

    // Reviews: a flag needs a reason; each review is an audit event.
    let item = ids(app, &format!("SELECT id FROM sample_item WHERE sample_id = {by_id}")).await[0];
    let item_text = item.to_string();
    let (status, reply) =
        call(app, "review_sample", &[("item", &item_text), ("status", "flagged"), ("comment", "")]).await;
    assert_eq!(status, 400, "{reply}");
    assert!(reply.to_string().contains("Say why"), "{reply}");
    let comment = "=HYPERLINK(\"x\") no timeline attached";
    let (status, reply) =
        call(app, "review_sample", &[("item", &item_text), ("status", "flagged"), ("comment", comment)]).await;
    assert_eq!(status, 200, "{reply}");
    let (status, reply) = call(app, "review_sample", &[("item", "999999"), ("status", "approved")]).await;
    assert_eq!(status, 400, "{reply}");
    let (_, events) = app.get("/api/v1/audit?action=sample.reviewed").await;
    let event = &events["items"][0];
    assert_eq!(event["details"]["status"], "flagged");
    assert_eq!(event["details"]["previous_status"], "pending");
    assert_eq!(event["details"]["record"], "INC-1");
    assert_eq!(event["actor"], "local");

    // The page's view, and the pack of the window.
    let (status, view) = call(app, "samples", &[]).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["samples"].as_array().map(Vec::len), Some(4));
    let pack = crate::evidence::download(app, &Credential::None, "from=2026-07-01&to=2026-09-30").await;
    let rows = pack.rows("sample_reviews.csv");
    assert_eq!(rows.len(), 2 + 2 + 1 + 1, "every sampled record");
    let flagged: Vec<_> = rows.iter().filter(|r| r["status"] == "flagged").collect();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0]["record"], "INC-1");
    assert_eq!(flagged[0]["comment"], format!("'{comment}"), "a formula is written as text");
    // A window the samples do not lie inside: none of them.
    let other = crate::evidence::download(app, &Credential::None, "from=2026-08-01&to=2026-09-30").await;
    assert!(other.rows("sample_reviews.csv").is_empty());
}

crate::on_both_backends!(samples_are_drawn_reviewed_audited_and_packed);
