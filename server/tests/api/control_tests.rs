//! Control tests (docs/control-tests.md) over the hand-made organisation of `kpis::load` plus
//! records seeded with known deviations: the API and the pack name exactly those.

use serde_json::{Value, json};

use crate::access::Credential;
use crate::helpers::TestApp;

const Q3: &str = "from=2026-07-01&to=2026-09-30";

async fn load_with_deviations(app: &TestApp) {
    crate::kpis::load(app).await;
    let batches = [
        (
            "incidents",
            json!([
                // SEV0 on search (tier 1): never detected, no postmortem (due in 7 days).
                {"external_id": "INC-3", "title": "Search down", "severity": "SEV0", "services": ["search"],
                 "started_at": "2026-08-13T10:00:00Z", "mitigated_at": "2026-08-13T11:00:00Z"},
                // Mitigated two days before the window's end: its postmortem is not due yet.
                {"external_id": "INC-4", "title": "Checkout slow", "severity": "SEV1", "services": ["checkout"],
                 "started_at": "2026-09-29T10:00:00Z", "detected_at": "2026-09-29T10:01:00Z",
                 "mitigated_at": "2026-09-29T12:00:00Z"}
            ]),
        ),
        (
            "actions",
            json!([{"external_id": "ACT-3", "service": "checkout", "title": "Alert on queue depth",
                    "due_date": "2026-08-20", "status": "open"}]),
        ),
        // ACT-2 (ledger, 46 days overdue) is waived.
        (
            "exemptions",
            json!([{"service": "ledger", "check": "no_long_overdue_actions", "reason": "re-planned",
                    "approver": "cto", "expires_at": "2099-01-01T00:00:00Z"}]),
        ),
        (
            "deployments",
            json!([
                {"external_id": "DEP-6", "service": "checkout", "deployed_at": "2026-08-10T12:00:00Z", "outcome": "success",
                 "author": "ann@example.com", "approved_by": "bob@example.com", "change_ticket": "CHG-1"},
                {"external_id": "DEP-7", "service": "search", "deployed_at": "2026-08-11T12:00:00Z", "outcome": "success",
                 "author": "carol@example.com", "approved_by": "Carol@example.com"},
                {"external_id": "DEP-8", "service": "checkout", "deployed_at": "2026-08-12T12:00:00Z", "outcome": "success",
                 "author": "ann@example.com", "emergency": true},
                {"external_id": "DEP-9", "service": "search", "deployed_at": "2026-08-13T09:50:00Z", "outcome": "failed",
                 "incident": "INC-3", "author": "ann@example.com", "approved_by": "bob@example.com"}
            ]),
        ),
    ];
    for (kind, rows) in batches {
        let (status, reply) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
    // Waivers count from when they were granted: this one before the window's end.
    use sea_orm::ConnectionTrait;
    let granted = match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "UPDATE exemption SET created_at = '2026-06-01T00:00:00Z'",
        _ => "UPDATE exemption SET created_at = '2026-06-01 00:00:00+00:00'",
    };
    app.db.execute_unprepared(granted).await.expect("back-dated");
}

/// A test's id, population, status and deviations as (external id, reason).
type TestSummary = (String, u64, String, Vec<(String, String)>);
/// The same, written by hand.
type Expected<'a> = (&'a str, u64, &'a str, &'a [(&'a str, &'a str)]);

fn summary(view: &Value) -> Vec<TestSummary> {
    view["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| {
            let deviations = t["deviations"]
                .as_array()
                .expect("deviations")
                .iter()
                .map(|d| (d["external_id"].as_str().unwrap().to_owned(), d["reason"].as_str().unwrap().to_owned()))
                .collect();
            (
                t["id"].as_str().unwrap().to_owned(),
                t["population"].as_u64().unwrap(),
                t["status"].as_str().unwrap().to_owned(),
                deviations,
            )
        })
        .collect()
}

fn expected(entries: &[Expected<'_>]) -> Vec<TestSummary> {
    entries
        .iter()
        .map(|(id, population, status, deviations)| {
            let deviations = deviations.iter().map(|(e, r)| ((*e).to_owned(), (*r).to_owned())).collect();
            ((*id).to_owned(), *population, (*status).to_owned(), deviations)
        })
        .collect()
}

async fn the_seeded_deviations_and_only_those_are_found(app: &TestApp) {
    load_with_deviations(app).await;
    let (status, view) = app.get(&format!("/api/v1/evidence/control-tests?{Q3}")).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!((view["from"].as_str(), view["to"].as_str()), (Some("2026-07-01"), Some("2026-09-30")));
    let want = expected(&[
        ("incident_times_recorded", 3, "failed", &[("INC-3", "SEV0: no detected time")]),
        (
            "postmortems_on_time",
            2,
            "failed",
            &[("INC-3", "no postmortem published; due 2026-08-20 11:00 UTC (7 days after mitigation)")],
        ),
        (
            "no_long_overdue_actions",
            2,
            "failed",
            &[("ACT-3", "open at the window's end, 41 days overdue (due 2026-08-20; limit 30 days)")],
        ),
        ("tier0_dr_tested", 1, "passed", &[]),
        ("failed_changes_linked", 2, "failed", &[("DEP-2", "rolled back change with no incident linked")]),
        (
            "changes_approved",
            6,
            "failed",
            &[
                ("DEP-1", "no approver"),
                ("DEP-2", "no approver"),
                ("DEP-7", "approved by its author (carol@example.com)"),
                ("DEP-8", "emergency change without an approval"),
            ],
        ),
    ]);
    assert_eq!(summary(&view), want);
    let checkout_action = &view["tests"][2]["deviations"][0];
    assert_eq!(
        (checkout_action["record"].as_str(), checkout_action["services"].as_str()),
        (Some("action"), Some("checkout"))
    );

    // One team: only its services' records; nothing to test is "not_tested", never "passed".
    let (status, team) = app.get(&format!("/api/v1/evidence/control-tests?{Q3}&team=discovery")).await;
    assert_eq!(status, 200, "{team}");
    let want = expected(&[
        ("incident_times_recorded", 1, "failed", &[("INC-3", "SEV0: no detected time")]),
        (
            "postmortems_on_time",
            1,
            "failed",
            &[("INC-3", "no postmortem published; due 2026-08-20 11:00 UTC (7 days after mitigation)")],
        ),
        ("no_long_overdue_actions", 0, "not_tested", &[]),
        ("tier0_dr_tested", 0, "not_tested", &[]),
        ("failed_changes_linked", 1, "passed", &[]),
        ("changes_approved", 2, "failed", &[("DEP-7", "approved by its author (carol@example.com)")]),
    ]);
    assert_eq!(summary(&team), want);

    // The pack of the same window carries the same results.
    let pack = crate::evidence::download(app, &Credential::None, Q3).await;
    let tests = pack.rows("control_tests.csv");
    let rows: Vec<(String, String, String, String)> = tests
        .iter()
        .map(|r| (r["test"].clone(), r["population"].clone(), r["deviations"].clone(), r["status"].clone()))
        .collect();
    let from_api: Vec<(String, String, String, String)> = summary(&view)
        .into_iter()
        .map(|(id, population, status, deviations)| (id, population.to_string(), deviations.len().to_string(), status))
        .collect();
    assert_eq!(rows, from_api);
    let deviations: Vec<(String, String, String)> = pack
        .rows("deviations.csv")
        .into_iter()
        .map(|r| (r["test"].clone(), r["external_id"].clone(), r["reason"].clone()))
        .collect();
    let api_deviations: Vec<(String, String, String)> = summary(&view)
        .into_iter()
        .flat_map(|(id, _, _, deviations)| deviations.into_iter().map(move |(e, r)| (id.clone(), e, r)))
        .collect();
    assert_eq!(deviations, api_deviations);
    // The deployments' new fields are in deployments.csv too.
    let dep7 = pack.rows("deployments.csv").into_iter().find(|r| r["external_id"] == "DEP-7").expect("DEP-7");
    assert_eq!((dep7["author"].as_str(), dep7["approved_by"].as_str()), ("carol@example.com", "Carol@example.com"));
    assert_eq!(dep7["emergency"], "false");
}

async fn bad_windows_and_unknown_teams_are_refused(app: &TestApp) {
    for (query, says) in [
        ("from=2026-09-30&to=2026-07-01", "before it starts"),
        ("from=2026-07-01", "to is required"),
        (&format!("{Q3}&team=nobody") as &str, "unknown team 'nobody'"),
        (&format!("{Q3}&seed=4") as &str, "samples and seeds belong to evidence packs"),
    ] {
        let (status, body) = app.get(&format!("/api/v1/evidence/control-tests?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| d.contains(says)), "{query}: {body}");
    }
}

crate::on_both_backends!(the_seeded_deviations_and_only_those_are_found, bad_windows_and_unknown_teams_are_refused);
