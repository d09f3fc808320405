//! `GET /api/v1/kpis` and `GET /api/v1/slos?period=…` over a small hand-made organisation, with
//! every expected value computed by hand from the records below.

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Two teams; payments runs checkout (tier 0) and ledger (tier 2), discovery runs search
/// (tier 1, no records). Q3 2026 = [2026-07-01, 2026-10-01); as-of = 2026-10-01T00:00Z.
pub async fn load(app: &TestApp) {
    let batches = [
        ("teams", json!([{"slug": "payments", "name": "Payments"}, {"slug": "discovery", "name": "Discovery"}])),
        (
            "services",
            json!([
                {"slug": "checkout", "name": "Checkout", "tier": 0, "team": "payments"},
                {"slug": "ledger", "name": "Ledger", "tier": 2, "team": "payments"},
                {"slug": "search", "name": "Search", "tier": 1, "team": "discovery"}
            ]),
        ),
        (
            "slos",
            json!([{"service": "checkout", "slug": "availability", "name": "Availability",
                    "indicator": "availability", "objective": 99.0, "window_days": 28}]),
        ),
        (
            "slo-measurements",
            json!([
                {"service": "checkout", "slo": "availability", "day": "2026-07-01", "good": 990, "total": 1000},
                {"service": "checkout", "slo": "availability", "day": "2026-07-02", "good": 1000, "total": 1000},
                {"service": "checkout", "slo": "availability", "day": "2026-07-03", "good": 980, "total": 1000},
                // The last day before the as-of day: the only one in the 1/7/28-day windows.
                {"service": "checkout", "slo": "availability", "day": "2026-09-30", "good": 995, "total": 1000},
                // After the period: in neither the attainment nor any window.
                {"service": "checkout", "slo": "availability", "day": "2026-10-01", "good": 0, "total": 1000}
            ]),
        ),
        (
            "incidents",
            json!([
                // Q2: not counted, but makes INC-1 an implicit repeat (same service and cause).
                {"external_id": "INC-0", "title": "Earlier", "severity": "SEV2", "services": ["checkout"],
                 "started_at": "2026-06-20T00:00:00Z", "root_cause_category": "deploy"},
                {"external_id": "INC-1", "title": "Checkout down", "severity": "SEV1", "services": ["checkout"],
                 "started_at": "2026-07-10T10:00:00Z", "detected_at": "2026-07-10T10:05:00Z",
                 "acknowledged_at": "2026-07-10T10:15:00Z", "mitigated_at": "2026-07-10T11:05:00Z",
                 "resolved_at": "2026-07-10T12:00:00Z", "customer_impacting": true, "root_cause_category": "deploy"},
                {"external_id": "INC-2", "title": "Ledger slow", "severity": "SEV3", "services": ["ledger"],
                 "started_at": "2026-08-05T00:00:00Z", "detected_at": "2026-08-05T00:30:00Z",
                 "mitigated_at": "2026-08-05T02:00:00Z"}
            ]),
        ),
        ("postmortems", json!([{"incident": "INC-1", "status": "published", "published_at": "2026-07-15T09:00:00Z"}])),
        (
            "actions",
            json!([
                {"external_id": "ACT-1", "incident": "INC-1", "service": "checkout", "title": "Canary",
                 "due_date": "2026-07-20", "status": "done", "completed_at": "2026-07-20T23:00:00Z"},
                {"external_id": "ACT-2", "incident": "INC-2", "service": "ledger", "title": "Index",
                 "due_date": "2026-08-15", "status": "open"}
            ]),
        ),
        (
            "dr-tests",
            json!([
                {"external_id": "DR-1", "service": "checkout", "scenario": "failover",
                 "performed_at": "2026-08-01T09:00:00Z", "outcome": "pass",
                 "rto_target_minutes": 60, "rto_achieved_minutes": 42},
                {"external_id": "DR-2", "service": "ledger", "scenario": "restore",
                 "performed_at": "2026-09-01T09:00:00Z", "outcome": "fail"}
            ]),
        ),
        (
            "deployments",
            json!([
                {"external_id": "DEP-1", "service": "checkout", "deployed_at": "2026-07-09T12:00:00Z", "outcome": "success"},
                {"external_id": "DEP-2", "service": "checkout", "deployed_at": "2026-07-10T09:55:00Z", "outcome": "rolled_back"},
                {"external_id": "DEP-3", "service": "ledger", "deployed_at": "2026-08-04T12:00:00Z", "outcome": "success"},
                {"external_id": "DEP-4", "service": "ledger", "deployed_at": "2026-09-01T12:00:00Z", "outcome": "success"},
                // Q4: not counted.
                {"external_id": "DEP-5", "service": "ledger", "deployed_at": "2026-10-02T12:00:00Z", "outcome": "failed"}
            ]),
        ),
    ];
    for (kind, rows) in batches {
        let (status, reply) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
}

async fn kpis(app: &TestApp, query: &str) -> Value {
    let (status, body) = app.get(&format!("/api/v1/kpis?{query}")).await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

fn close(actual: &Value, expected: f64, what: &str) {
    let value = actual.as_f64().unwrap_or_else(|| panic!("{what}: expected {expected}, got {actual}"));
    assert!((value - expected).abs() < 1e-9, "{what}: expected {expected}, got {value}");
}

async fn org_kpis_match_hand_computed_values(app: &TestApp) {
    load(app).await;
    let body = kpis(app, "period=2026-Q3&scope=org").await;
    assert_eq!(body["period"], "2026-Q3");
    assert_eq!(body["from"], "2026-07-01T00:00:00Z");
    assert_eq!(body["to"], "2026-10-01T00:00:00Z");
    assert_eq!(body["as_of"], "2026-10-01T00:00:00Z");
    assert_eq!(body["scope"], "org");
    assert_eq!(body["definitions_version"], "7");
    let k = &body["kpis"];
    assert_eq!(k["high_sev_count"], 1);
    assert_eq!(k["incident_count"], json!({"SEV0": 0, "SEV1": 1, "SEV2": 0, "SEV3": 1, "SEV4": 0}));
    // INC-1: detected 10:05 → mitigated 11:05.
    assert_eq!(k["mttr"], json!({"mean": 60.0, "median": 60.0, "p90": 60.0, "count": 1}));
    assert_eq!(k["mttd"]["median"], 5.0);
    assert_eq!(k["mtta"]["median"], 10.0);
    // Derived: mitigated − started.
    assert_eq!(k["customer_impact_minutes"], 65.0);
    assert_eq!(k["postmortem_coverage"], 1.0);
    assert_eq!(k["repeat_incident_rate"], 0.5);
    assert_eq!(k["action_on_time_rate"], 0.5);
    // ACT-2: open, due 2026-08-15, 47 days before the as-of day.
    assert_eq!(k["overdue_actions"], json!({"count": 1, "days_1_30": 0, "days_31_90": 1, "days_over_90": 0}));
    assert_eq!(k["change_failure_rate"], 0.25);
    close(&k["deployment_frequency"], 4.0 / (92.0 / 7.0), "deployment_frequency");
    assert_eq!(k["slo_met_rate"], 1.0);
    assert_eq!(k["budget_exhausted_count"], 0);
    // checkout has 4 of 92 days of data; search has no SLO.
    assert_eq!(k["slo_coverage"], 0.0);
    assert_eq!(k["dr_pass_rate"], 0.5);
    assert_eq!(k["rto_compliance"], 1.0);
    assert_eq!(k["rpo_compliance"], Value::Null);
    // checkout has a pass in the last 90 days, search none.
    assert_eq!(k["dr_coverage"], 0.5);
    assert_eq!(k["data_quality"]["incident_timestamps"], 1.0);
    assert_eq!(k["data_quality"]["action_due_dates"], 1.0);

    // Every severity: mttr of INC-1 (60) and INC-2 (90).
    let all = kpis(app, "period=2026-Q3&scope=org&severity=all").await;
    assert_eq!(all["kpis"]["mttr"]["count"], 2);
    close(&all["kpis"]["mttr"]["median"], 75.0, "median");
    close(&all["kpis"]["mttr"]["p90"], 87.0, "p90");
    assert_eq!(all["kpis"]["high_sev_count"], 1);
}

async fn team_service_and_tier_scopes_narrow_the_populations(app: &TestApp) {
    load(app).await;
    let team = kpis(app, "period=2026-Q3&scope=team:payments").await;
    assert_eq!(team["scope"], "team:payments");
    let k = &team["kpis"];
    assert_eq!(k["high_sev_count"], 1);
    assert_eq!(k["incident_count"]["SEV3"], 1);
    assert_eq!(k["mttr"]["median"], 60.0);
    assert_eq!(k["postmortem_coverage"], 1.0);
    assert_eq!(k["action_on_time_rate"], 0.5);
    assert_eq!(k["change_failure_rate"], 0.25);
    assert_eq!(k["slo_met_rate"], 1.0);
    assert_eq!(k["dr_pass_rate"], 0.5);
    assert_eq!(k["dr_coverage"], 1.0);

    let other = kpis(app, "period=2026-Q3&scope=team:discovery").await;
    assert_eq!(other["kpis"]["high_sev_count"], 0);
    assert_eq!(other["kpis"]["mttr"], Value::Null);
    assert_eq!(other["kpis"]["slo_met_rate"], Value::Null);
    assert_eq!(other["kpis"]["dr_coverage"], 0.0);

    let service = kpis(app, "period=2026-Q3&scope=service:checkout").await;
    let k = &service["kpis"];
    assert_eq!(k["high_sev_count"], 1);
    assert_eq!(k["incident_count"]["SEV3"], 0);
    assert_eq!(k["mttr"]["median"], 60.0);
    assert_eq!(k["postmortem_coverage"], 1.0);
    assert_eq!(k["repeat_incident_rate"], 1.0);
    assert_eq!(k["action_on_time_rate"], 1.0);
    assert_eq!(k["overdue_actions"]["count"], 0);
    assert_eq!(k["change_failure_rate"], 0.5);
    assert_eq!(k["slo_met_rate"], 1.0);
    assert_eq!(k["dr_pass_rate"], 1.0);

    let tier = kpis(app, "period=2026-Q3&scope=tier:2").await;
    assert_eq!(tier["scope"], "tier:2");
    let k = &tier["kpis"];
    assert_eq!(k["high_sev_count"], 0);
    assert_eq!(k["incident_count"]["SEV3"], 1);
    assert_eq!(k["mttr"], Value::Null);
    assert_eq!(k["postmortem_coverage"], Value::Null);
    assert_eq!(k["action_on_time_rate"], 0.0);
    assert_eq!(k["overdue_actions"]["count"], 1);
    assert_eq!(k["change_failure_rate"], 0.0);
    assert_eq!(k["slo_met_rate"], Value::Null);
    assert_eq!(k["dr_pass_rate"], 0.0);
    // Coverage counts tier-0/1 services only.
    assert_eq!(k["dr_coverage"], Value::Null);

    // A tier with no services: empty populations, not an error.
    let empty = kpis(app, "period=2026-Q3&scope=tier:3").await;
    assert_eq!(empty["kpis"]["incident_count"]["SEV3"], 0);
    assert_eq!(empty["kpis"]["change_failure_rate"], Value::Null);
    assert_eq!(empty["kpis"]["overdue_actions"]["count"], 0);

    let month = kpis(app, "period=2026-08&scope=org").await;
    assert_eq!(month["kpis"]["high_sev_count"], 0);
    assert_eq!(month["kpis"]["incident_count"]["SEV3"], 1);
    assert_eq!(month["kpis"]["action_on_time_rate"], 0.0);
}

async fn bad_queries_are_problems(app: &TestApp) {
    load(app).await;
    for query in [
        "period=2026-Q9&scope=org",
        "period=2026-Q3&scope=galaxy:x",
        "period=2026-Q3&scope=tier:7",
        "period=2026-Q3&severity=SEV9",
        "period=2026-Q3&colour=blue",
    ] {
        let (status, body) = app.get(&format!("/api/v1/kpis?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["status"], 400);
    }
    for query in ["period=2026-Q3&scope=team:ghost", "period=2026-Q3&scope=service:ghost"] {
        let (status, body) = app.get(&format!("/api/v1/kpis?{query}")).await;
        assert_eq!(status, 404, "{query}: {body}");
        assert_eq!(body["title"], "Unknown scope");
    }
    let (status, _) = app.get("/api/v1/slos?period=2026-Q3&scope=team:ghost").await;
    assert_eq!(status, 404);
    let (status, _) = app.get("/api/v1/slos?period=2026-Q9").await;
    assert_eq!(status, 400);
}

async fn slo_statuses_report_attainment_budget_and_burn(app: &TestApp) {
    load(app).await;
    let (status, body) = app.get("/api/v1/slos?period=2026-Q3&scope=org").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["period"], "2026-Q3");
    let slos = body["slos"].as_array().expect("slos");
    assert_eq!(slos.len(), 1, "{body}");
    let slo = &slos[0];
    assert_eq!(slo["service"], "checkout");
    assert_eq!(slo["slo"], "availability");
    assert_eq!(slo["objective"], 99.0);
    // (990 + 1000 + 980 + 995) / 4000.
    assert_eq!(slo["attainment"], 3965.0 / 4000.0);
    assert_eq!(slo["met"], true);
    assert_eq!(slo["days_with_data"], 4);
    // 2026-09-30 alone: 5 bad of 1000 against a 1 % budget.
    assert_eq!(slo["error_budget_remaining"], 0.5);
    assert_eq!(slo["burn_rate"], json!({"d1": 0.5, "d7": 0.5, "window": 0.5}));

    let (_, tier) = app.get("/api/v1/slos?period=2026-Q3&scope=tier:2").await;
    assert_eq!(tier["slos"], json!([]));
    // July alone: 2970 of 3000 is exactly the 99 % objective, so met.
    let (_, july) = app.get("/api/v1/slos?period=2026-07&scope=service:checkout").await;
    assert_eq!(july["slos"][0]["attainment"], 0.99);
    assert_eq!(july["slos"][0]["met"], true);
    assert_eq!(july["slos"][0]["days_with_data"], 3);

    // Without period or scope it is still the record listing.
    let (status, listed) = app.get("/api/v1/slos").await;
    assert_eq!(status, 200);
    assert_eq!(listed["items"][0]["slug"], "availability");
}

async fn a_trend_has_one_value_per_period_matching_the_single_period_reports(app: &TestApp) {
    load(app).await;
    let (status, trend) = app.get("/api/v1/kpis/trend?scope=org&from=2026-Q2&to=2026-Q4").await;
    assert_eq!(status, 200, "{trend}");
    let periods = trend["periods"].as_array().expect("periods");
    let names: Vec<&str> = periods.iter().filter_map(|p| p["period"].as_str()).collect();
    assert_eq!(names, ["2026-Q2", "2026-Q3", "2026-Q4"]);
    let q3 = kpis(app, "period=2026-Q3&scope=org").await;
    assert_eq!(periods[1]["kpis"], q3["kpis"], "the trend's Q3 is the Q3 report");
    assert_eq!(periods[1]["as_of"], q3["as_of"]);

    let (_, months) = app.get("/api/v1/kpis/trend?scope=team:payments&from=2026-07&to=2026-09").await;
    assert_eq!(months["periods"].as_array().map(Vec::len), Some(3));
    let (_, default) = app.get("/api/v1/kpis/trend").await;
    assert_eq!(default["periods"].as_array().map(Vec::len), Some(8), "default: the last eight quarters");

    for bad in ["from=2026-Q3&to=2026-Q2", "from=2026-07&to=2026-Q3", "from=2020-01&to=2026-12", "from=2026-Q5"] {
        let (status, body) = app.get(&format!("/api/v1/kpis/trend?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (status, _) = app.get("/api/v1/kpis/trend?scope=team:ghost").await;
    assert_eq!(status, 404);
}

async fn a_cached_closed_period_is_recomputed_after_an_import(app: &TestApp) {
    load(app).await;
    let before = kpis(app, "period=2026-Q3&scope=org").await;
    assert_eq!(before["kpis"]["high_sev_count"], 1);
    assert_eq!(kpis(app, "period=2026-Q3&scope=org").await, before, "a repeat is served the same report");

    // A rejected import changes nothing; an applied one invalidates the cached report.
    let (status, _) = app.post_json("incidents", &json!([{"external_id": "INC-X", "title": "bad"}])).await;
    assert_eq!(status, 422);
    assert_eq!(kpis(app, "period=2026-Q3&scope=org").await, before);
    let incident = json!([{"external_id": "INC-9", "title": "Another outage", "severity": "SEV0",
        "services": ["search"], "started_at": "2026-08-20T10:00:00Z"}]);
    let (status, reply) = app.post_json("incidents", &incident).await;
    assert_eq!(status, 200, "{reply}");
    let after = kpis(app, "period=2026-Q3&scope=org").await;
    assert_eq!(after["kpis"]["high_sev_count"], 2);
    assert_eq!(after["kpis"]["incident_count"]["SEV0"], 1);
}

fn check<'a>(card: &'a Value, id: &str) -> &'a Value {
    card["checks"].as_array().and_then(|c| c.iter().find(|c| c["id"] == id)).unwrap_or_else(|| panic!("{id} in {card}"))
}

async fn scorecards_rate_every_active_service_against_the_policy(app: &TestApp) {
    load(app).await;
    let (status, all) = app.get("/api/v1/scorecards?period=2026-Q3").await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["policy_version"], "2026.3");
    assert_eq!(all["as_of"], "2026-10-01T00:00:00Z");
    let cards = all["scorecards"].as_array().expect("scorecards");
    let card = |slug: &str| cards.iter().find(|c| c["service"] == slug).unwrap_or_else(|| panic!("{slug} in {all}"));
    assert_eq!(cards.len(), 3);
    // search has no SLO: a failing Bronze check keeps it below Bronze.
    assert_eq!(check(card("search"), "active_slo")["status"], "fail");
    assert_eq!(card("search")["level"], Value::Null);
    // checkout: SLO with data up to the day before the as-of day, and a DR test on record.
    for id in ["owning_team", "active_slo", "slo_data_fresh", "dr_test_on_record"] {
        assert_eq!(check(card("checkout"), id)["status"], "pass", "checkout {id}: {}", card("checkout"));
    }
    assert_ne!(card("checkout")["level"], Value::Null);
    // Tier 2 has no DR requirement at Bronze.
    assert_eq!(check(card("ledger"), "dr_test_on_record")["status"], "not_applicable");
    assert!(cards.iter().all(|c| c["checks"].as_array().map(Vec::len) == Some(18)));
    let fixes = all["fix_next"].as_array().expect("fix_next");
    assert!(fixes.iter().any(|f| f["service"] == "search" && f["check"] == "active_slo" && f["levels_blocked"] == 3));

    let (_, tier2) = app.get("/api/v1/scorecards?period=2026-Q3&tier=2").await;
    assert_eq!(tier2["scorecards"].as_array().map(Vec::len), Some(1));
    let (_, team) = app.get("/api/v1/scorecards?period=2026-Q3&team=payments").await;
    assert_eq!(team["scorecards"].as_array().map(Vec::len), Some(2));
    let (_, below) = app.get("/api/v1/scorecards?period=2026-Q3&level=none").await;
    assert!(below["scorecards"].as_array().expect("cards").iter().all(|c| c["level"].is_null()));

    let (status, one) = app.get("/api/v1/services/checkout/scorecard?period=2026-Q3").await;
    assert_eq!(status, 200);
    assert_eq!(one["scorecards"][0], *card("checkout"));
    let (status, _) = app.get("/api/v1/services/ghost/scorecard?period=2026-Q3").await;
    assert_eq!(status, 404);
    for bad in ["tier=9", "level=platinum", "period=2026-Q9", "colour=red"] {
        let (status, body) = app.get(&format!("/api/v1/scorecards?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
}

async fn an_unexpired_exemption_waives_its_check_and_an_expired_one_does_not(app: &TestApp) {
    load(app).await;
    // Read (and cache) the scorecard first: the import below must invalidate it.
    let (_, before) = app.get("/api/v1/services/search/scorecard?period=2026-Q3").await;
    assert_eq!(check(&before["scorecards"][0], "active_slo")["status"], "fail");
    let exemptions = json!([
        {"service": "search", "check": "active_slo", "reason": "SLOs land next quarter", "approver": "cto",
         "expires_at": "2099-01-01T00:00:00Z"},
        {"service": "search", "check": "dr_test_on_record", "reason": "old waiver", "approver": "cto",
         "expires_at": "2020-01-01T00:00:00Z"}
    ]);
    let (status, reply) = app.post_json("exemptions", &exemptions).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["created"], 2);
    let (_, listed) = app.get("/api/v1/exemptions?service=search").await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));

    let (_, one) = app.get("/api/v1/services/search/scorecard?period=2026-Q3").await;
    let card = &one["scorecards"][0];
    assert_eq!(check(card, "active_slo")["status"], "waived", "{card}");
    assert_eq!(check(card, "active_slo")["waiver"]["approver"], "cto");
    assert_eq!(check(card, "dr_test_on_record")["status"], "fail", "an expired exemption waives nothing");
    let fixes = one["fix_next"].as_array().expect("fix_next");
    assert!(fixes.iter().all(|f| f["check"] != "active_slo"), "a waived check is not to fix: {fixes:?}");

    let (status, reply) = app
        .post_json(
            "exemptions",
            &json!([{"service": "search", "check": "be_nice", "reason": "r", "approver": "a",
            "expires_at": "2099-01-01T00:00:00Z"}]),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(reply["errors"][0]["field"], "check");
}

async fn a_published_snapshot_stays_byte_identical_after_more_imports(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    use sha2::{Digest, Sha256};
    load(app).await;
    let publish = |period: &str| {
        let body = json!({"period": period}).to_string();
        app.client
            .post(format!("{}/api/v1/snapshots", app.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let response = publish("2026-Q3").await.expect("sent");
    assert_eq!(response.status().as_u16(), 201);
    let summary: Value = response.json().await.expect("json");
    let fetch = || async {
        let response = app.client.get(format!("{}/api/v1/snapshots/2026-Q3", app.base)).send().await.expect("sent");
        assert_eq!(response.status().as_u16(), 200);
        let header = response.headers()["x-content-sha256"].to_str().expect("header").to_owned();
        (header, response.bytes().await.expect("body"))
    };
    let (hash, first) = fetch().await;
    assert_eq!(hash, summary["content_sha256"]);
    assert_eq!(hex::encode(Sha256::digest(&first)), hash, "the hash is of the served bytes");
    let document: Value = serde_json::from_slice(&first).expect("a JSON document");
    assert_eq!(document["org"]["high_sev_count"], 1);
    assert_eq!(document["teams"]["payments"]["high_sev_count"], 1);
    assert_eq!(document["scorecards"].as_array().map(Vec::len), Some(3));

    let incident = json!([{"external_id": "INC-late", "title": "Found later", "severity": "SEV1",
        "services": ["search"], "started_at": "2026-09-01T10:00:00Z"}]);
    assert_eq!(app.post_json("incidents", &incident).await.0, 200);
    assert_eq!(kpis(app, "period=2026-Q3&scope=org").await["kpis"]["high_sev_count"], 2, "live figures move on");
    let (_, again) = fetch().await;
    assert_eq!(again, first, "the snapshot does not");

    assert_eq!(publish("2026-Q3").await.expect("sent").status().as_u16(), 409);
    assert_eq!(publish("2099-Q1").await.expect("sent").status().as_u16(), 400, "a period that has not begun");
    assert_eq!(publish("2026-Q9").await.expect("sent").status().as_u16(), 400);
    let (status, _) = app.get("/api/v1/snapshots/2026-Q2").await;
    assert_eq!(status, 404);
    let (_, listed) = app.get("/api/v1/snapshots").await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let tamper = app.db.execute_unprepared("UPDATE scorecard_snapshot SET content = '{}'").await;
    assert!(tamper.is_err(), "the database refuses to change a published snapshot");
}

crate::on_both_backends!(
    a_published_snapshot_stays_byte_identical_after_more_imports,
    an_unexpired_exemption_waives_its_check_and_an_expired_one_does_not,
    scorecards_rate_every_active_service_against_the_policy,
    a_cached_closed_period_is_recomputed_after_an_import,
    a_trend_has_one_value_per_period_matching_the_single_period_reports,
    org_kpis_match_hand_computed_values,
    team_service_and_tier_scopes_narrow_the_populations,
    bad_queries_are_problems,
    slo_statuses_report_attainment_budget_and_burn,
);
