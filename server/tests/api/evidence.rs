//! `GET /api/v1/evidence`: the pack is opened the way an auditor would (`unzip -t`,
//! `sha256sum -c`), and every population is checked against the database, record by record.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::access::{Credential, oidc_app, send, signed_in};
use crate::helpers::{Backend, TestApp, spawn_app};
use crate::kpis::load;

const Q3: &str = "from=2026-07-01&to=2026-09-30";

/// The hand-made organisation of `kpis::load`, plus records that sit on the window's edges.
async fn load_with_edges(app: &TestApp) {
    load(app).await;
    let incidents = json!([
        // Started before the window, mitigated inside it: in the pack (postmortem coverage uses it).
        {"external_id": "INC-EDGE-1", "title": "Long tail", "severity": "SEV2", "services": ["ledger"],
         "started_at": "2026-06-30T23:00:00Z", "mitigated_at": "2026-07-01T01:00:00Z"},
        // The window's last instant and the first after it.
        {"external_id": "INC-EDGE-2", "title": "=HYPERLINK(\"http://evil.example\",\"open\")", "severity": "SEV3",
         "services": ["search"], "started_at": "2026-09-30T23:59:59Z"},
        {"external_id": "INC-EDGE-3", "title": "Q4", "severity": "SEV3", "services": ["search"],
         "started_at": "2026-10-01T00:00:00Z"}
    ]);
    let exemptions = json!([
        {"service": "search", "check": "active_slo", "reason": "+1 from the CTO", "approver": "cto",
         "expires_at": "2099-01-01T00:00:00Z"}
    ]);
    for (kind, rows) in [("incidents", incidents), ("exemptions", exemptions)] {
        let (status, reply) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
    // Granted before the window (records are stamped when imported, so back-date it here). A
    // second waiver granted today was not in force during the window.
    let granted = match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "UPDATE exemption SET created_at = '2026-06-01T00:00:00Z'",
        _ => "UPDATE exemption SET created_at = '2026-06-01 00:00:00+00:00'",
    };
    app.db.execute_unprepared(granted).await.expect("back-date");
    let today = json!([{"service": "search", "check": "dr_test_on_record", "reason": "new", "approver": "cto",
                        "expires_at": "2099-01-01T00:00:00Z"}]);
    let (status, reply) = app.post_json("exemptions", &today).await;
    assert_eq!(status, 200, "{reply}");
}

pub(crate) struct Pack {
    dir: tempfile::TempDir,
    zip: PathBuf,
    bytes: Vec<u8>,
}

impl Pack {
    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join("x").join(file)
    }

    pub(crate) fn manifest(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.path("manifest.json")).expect("manifest")).expect("json")
    }

    /// A CSV file as header → value maps.
    pub(crate) fn rows(&self, file: &str) -> Vec<BTreeMap<String, String>> {
        let mut reader = csv::Reader::from_path(self.path(file)).expect("csv");
        let headers = reader.headers().expect("header").clone();
        reader
            .records()
            .map(|r| {
                let record = r.expect("record");
                headers.iter().map(str::to_owned).zip(record.iter().map(str::to_owned)).collect()
            })
            .collect()
    }

    fn ids(&self, file: &str) -> Vec<i64> {
        self.rows(file).iter().map(|r| r["id"].parse().expect("id")).collect()
    }
}

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).current_dir(dir).output().expect("tool runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{program} {args:?}: {text}{}", String::from_utf8_lossy(&output.stderr));
    text
}

/// Downloads, then checks the archive with the tools an auditor has.
pub(crate) async fn download(app: &TestApp, credential: &Credential, query: &str) -> Pack {
    let response = send(app, Method::GET, &format!("/api/v1/evidence?{query}"), credential, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(header("content-type").as_deref(), Some("application/zip"));
    assert!(header("content-disposition").is_some_and(|d| d.contains("plumbline-evidence-")));
    let bytes = response.bytes().await.expect("body").to_vec();
    let dir = tempfile::tempdir().expect("temp dir");
    let zip = dir.path().join("pack.zip");
    std::fs::write(&zip, &bytes).expect("write");
    let tested = run(dir.path(), "unzip", &["-t", "pack.zip"]);
    assert!(tested.contains("No errors detected"), "{tested}");
    std::fs::create_dir(dir.path().join("x")).expect("mkdir");
    run(dir.path(), "unzip", &["-q", "pack.zip", "-d", "x"]);
    let checked = run(&dir.path().join("x"), "sha256sum", &["-c", "--strict", "SHA256SUMS"]);
    assert!(!checked.contains("FAILED"), "{checked}");
    Pack { dir, zip, bytes }
}

async fn ids(app: &TestApp, sql: &str) -> Vec<i64> {
    let rows =
        app.db.query_all_raw(Statement::from_string(app.db.get_database_backend(), sql.to_owned())).await.expect(sql);
    rows.iter().map(|r| r.try_get_by_index::<i64>(0).expect("id")).collect()
}

/// Instants compared as text would go wrong on SQLite: compare with these on both backends.
fn between(column: &str, app: &TestApp) -> String {
    match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            format!("({column} >= '2026-07-01T00:00:00Z' AND {column} < '2026-10-01T00:00:00Z')")
        }
        _ => format!(
            "(julianday({column}) >= julianday('2026-07-01') AND julianday({column}) < julianday('2026-10-01'))"
        ),
    }
}

fn compare(column: &str, operator: &str, instant: &str, app: &TestApp) -> String {
    match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => format!("{column} {operator} '{instant}'"),
        _ => format!("julianday({column}) {operator} julianday('{}')", instant.trim_end_matches('Z')),
    }
}

async fn a_pack_holds_each_record_of_the_window_exactly_once(app: &TestApp) {
    load_with_edges(app).await;
    let pack = download(app, &Credential::None, Q3).await;
    let manifest = pack.manifest();
    // Every CSV's data rows are what the manifest says.
    for file in manifest["files"].as_array().expect("files") {
        let path = file["path"].as_str().expect("path");
        if let Some(rows) = file["rows"].as_u64() {
            assert_eq!(pack.rows(path).len() as u64, rows, "{path}");
        }
        let bytes = std::fs::read(pack.path(path)).expect("file");
        assert_eq!(hex::encode(Sha256::digest(&bytes)), file["sha256"], "{path}");
    }
    // Each population against an independent query of the database.
    let expected = [
        (
            "incidents.csv",
            format!(
                "SELECT id FROM incident WHERE {} OR {} ORDER BY id",
                between("started_at", app),
                between("mitigated_at", app)
            ),
        ),
        (
            "postmortems.csv",
            format!(
                "SELECT p.id FROM postmortem p JOIN incident i ON i.id = p.incident_id WHERE {} OR {} ORDER BY p.id",
                between("i.started_at", app),
                between("i.mitigated_at", app)
            ),
        ),
        (
            "actions.csv",
            "SELECT id FROM postmortem_action WHERE (due_date >= '2026-07-01' AND due_date <= '2026-09-30') \
             OR (due_date < '2026-07-01' AND status <> 'wont_do' AND completed_at IS NULL) ORDER BY id"
                .to_owned(),
        ),
        ("dr_tests.csv", format!("SELECT id FROM dr_test WHERE {} ORDER BY id", between("performed_at", app))),
        ("deployments.csv", format!("SELECT id FROM deployment WHERE {} ORDER BY id", between("deployed_at", app))),
        ("slos.csv", "SELECT id FROM slo ORDER BY id".to_owned()),
        (
            "exemptions.csv",
            format!(
                "SELECT id FROM exemption WHERE {} AND {} ORDER BY id",
                compare("created_at", "<", "2026-10-01T00:00:00Z", app),
                compare("expires_at", ">=", "2026-07-01T00:00:00Z", app)
            ),
        ),
    ];
    for (file, sql) in &expected {
        let in_db = ids(app, sql).await;
        let in_pack = pack.ids(file);
        assert_eq!(in_pack, in_db, "{file}: every matching record once, in id order, none other");
        assert_eq!(in_pack.iter().collect::<BTreeSet<_>>().len(), in_pack.len(), "{file}: no duplicates");
    }
    let incidents = pack.rows("incidents.csv");
    let external: Vec<&str> = incidents.iter().map(|r| r["external_id"].as_str()).collect();
    assert_eq!(external, ["INC-1", "INC-2", "INC-EDGE-1", "INC-EDGE-2"], "Q2's INC-0 and Q4's INC-EDGE-3 are out");
    let inc1 = &incidents[0];
    assert_eq!(
        (inc1["minutes_to_detect"].as_str(), inc1["minutes_to_restore"].as_str(), inc1["services"].as_str()),
        ("5.00", "60.00", "checkout")
    );
    let edge = &incidents[2];
    assert_eq!((edge["started_in_window"].as_str(), edge["mitigated_in_window"].as_str()), ("false", "true"));

    // Formula injection is neutralised, and the value is recoverable by dropping one quote.
    let title = incidents[3]["title"].as_str();
    assert_eq!(title, "'=HYPERLINK(\"http://evil.example\",\"open\")");
    let raw = std::fs::read_to_string(pack.path("incidents.csv")).expect("csv");
    assert!(!raw.contains(",=HYPERLINK") && !raw.contains(",\"=HYPERLINK"), "no cell starts with '='");
    let exemptions = pack.rows("exemptions.csv");
    assert_eq!(exemptions.len(), 1, "the waiver granted after the window is not in it");
    assert_eq!(exemptions[0]["reason"], "'+1 from the CTO");

    // Derived columns re-perform the KPI definitions.
    let actions = pack.rows("actions.csv");
    let act2 = actions.iter().find(|a| a["external_id"] == "ACT-2").expect("ACT-2");
    assert_eq!((act2["open_at_window_end"].as_str(), act2["days_overdue_at_window_end"].as_str()), ("true", "47"));
    let act1 = actions.iter().find(|a| a["external_id"] == "ACT-1").expect("ACT-1");
    assert_eq!(act1["on_time"], "true");
    // Records name the incident they belong to as the source system does.
    assert_eq!((act1["incident_external_id"].as_str(), act2["incident_external_id"].as_str()), ("INC-1", "INC-2"));
    let attainment = pack.rows("slo_attainment.csv");
    let periods: Vec<(&str, &str, &str)> =
        attainment.iter().map(|r| (r["period"].as_str(), r["good"].as_str(), r["met"].as_str())).collect();
    assert_eq!(
        periods,
        [("2026-07", "2970", "true"), ("2026-08", "0", ""), ("2026-09", "995", "true"), ("window", "3965", "true")]
    );
    let failed: Vec<String> = pack.rows("deployments.csv").into_iter().map(|d| d["failed_change"].clone()).collect();
    assert_eq!(failed, ["false", "true", "false", "false"], "DEP-2 was rolled back; DEP-5 is in Q4");

    // Manifest: window, versions, generation fields named.
    assert_eq!(manifest["window"]["from"], "2026-07-01");
    assert_eq!(manifest["window"]["end_exclusive"], "2026-10-01T00:00:00Z");
    assert_eq!(manifest["kpi_definitions_version"], "7");
    assert_eq!(
        manifest["generation_fields"],
        json!(["generated_at", "generated_by", "audit_head", "audit_checkpoint"])
    );
    assert!(manifest["policy_version"].as_str().is_some_and(|v| !v.is_empty()));
    let control = pack.rows("control_mapping.csv");
    assert!(control.iter().any(|r| r["control"] == "CC8.1" && r["file"] == "deployments.csv"));
    assert!(control.iter().any(|r| r["control"] == "8.13" && r["file"] == "dr_tests.csv"));

    // The download is on record with the exact bytes' hash, and the chain still verifies.
    let (_, page) = app.get("/api/v1/audit?action=evidence.downloaded").await;
    let event = &page["items"][0];
    assert_eq!(event["details"]["pack_sha256"], hex::encode(Sha256::digest(&pack.bytes)));
    assert_eq!(event["target"], "evidence:2026-07-01..2026-09-30");
    assert_eq!(event["actor"], "local");
    let (_, verify) = app.get("/api/v1/audit/verify").await;
    assert_eq!(verify["intact"], true);
    assert!(pack.zip.exists());
}

async fn the_same_request_gives_the_same_files(app: &TestApp) {
    load_with_edges(app).await;
    let query = format!("{Q3}&sample_incidents=2&sample_actions=1&seed=99");
    let first = download(app, &Credential::None, &query).await;
    let second = download(app, &Credential::None, &query).await;
    let sums = |p: &Pack| std::fs::read_to_string(p.path("SHA256SUMS")).expect("sums");
    assert_eq!(sums(&first), sums(&second), "identical file hashes");
    let (mut a, mut b) = (first.manifest(), second.manifest());
    for field in ["generated_at", "generated_by", "audit_head", "audit_checkpoint"] {
        a.as_object_mut().expect("object").remove(field);
        b.as_object_mut().expect("object").remove(field);
    }
    assert_eq!(a, b, "only the listed generation fields differ");
    // The sample: reproducible, drawn from the population, recorded in the manifest.
    let sample = first.rows("samples/incidents_sample.csv");
    assert_eq!(sample.len(), 2);
    let population = first.rows("incidents.csv");
    for row in &sample {
        let number: usize = row["population_row"].parse().expect("row number");
        let mut original = row.clone();
        original.remove("population_row");
        assert_eq!(population[number - 1], original, "row {number} is the population's row");
    }
    let sampling = &first.manifest()["sampling"];
    assert_eq!(sampling[0]["population"], "incidents");
    assert_eq!(sampling[0]["seed"], 99);
    assert!(sampling[0]["method"].as_str().is_some_and(|m| m.contains("ChaCha8")));

    // Narrowed to a team: only its services' records.
    let narrowed = download(app, &Credential::None, &format!("{Q3}&team=discovery")).await;
    let services: BTreeSet<String> =
        narrowed.rows("incidents.csv").into_iter().map(|r| r["services"].clone()).collect();
    assert_eq!(services, BTreeSet::from(["search".to_owned()]));
    assert!(narrowed.rows("deployments.csv").is_empty(), "discovery deployed nothing");
    assert_eq!(narrowed.manifest()["filters"]["teams"], json!(["discovery"]));
}

async fn a_window_inside_one_month_is_clipped_to_its_days(app: &TestApp) {
    load(app).await;
    let pack = download(app, &Credential::None, "from=2026-07-02&to=2026-07-03").await;
    let rows: Vec<Vec<String>> = pack
        .rows("slo_attainment.csv")
        .into_iter()
        .map(|r| {
            ["period", "from", "to", "days_in_period", "days_with_data", "good", "total", "attainment"]
                .map(|c| r[c].clone())
                .to_vec()
        })
        .collect();
    assert_eq!(
        rows,
        [
            ["2026-07", "2026-07-02", "2026-07-03", "2", "2", "1980", "2000", "99.000000"],
            ["window", "2026-07-02", "2026-07-03", "2", "2", "1980", "2000", "99.000000"],
        ]
    );
    let attainment = &pack.rows("slo_attainment.csv")[0];
    assert_eq!(attainment["met"], "true", "99 % meets a 99 % objective exactly");
    assert!(pack.rows("incidents.csv").is_empty());
}

/// Import batches and audit events carry the instant they happened (now): a window ending today
/// holds every one of them, each once.
async fn import_batches_and_audit_events_of_the_window_are_all_there(app: &TestApp) {
    load(app).await;
    let today = chrono::Utc::now().date_naive();
    let pack = download(app, &Credential::None, &format!("from=2026-07-01&to={today}")).await;
    let batches = pack.rows("import_batches.csv");
    let batch_ids: Vec<i64> = batches.iter().map(|r| r["id"].parse().expect("id")).collect();
    assert_eq!(batch_ids, ids(app, "SELECT id FROM import_batch ORDER BY id").await);
    assert!(batches.iter().all(|b| b["sha256"].len() == 64 && b["status"] == "applied"), "{batches:?}");
    let events: Vec<i64> = pack.rows("audit_events.csv").iter().map(|r| r["seq"].parse().expect("seq")).collect();
    // Everything before this download's own event, which is appended once the pack is built.
    let before = ids(app, "SELECT seq FROM audit_event WHERE action <> 'evidence.downloaded' ORDER BY seq").await;
    assert_eq!(events, before);
    assert!(!events.is_empty());
    assert_eq!(pack.manifest()["audit_head"]["seq"], json!(before.last().copied()));
}

/// Provenance closes inside the pack: every import batch a record names is in
/// import_batches.csv, though these batches were sent after the window; and each control is
/// summarised once with its files' record counts.
async fn every_cited_import_batch_is_in_the_pack_and_controls_are_summarised(app: &TestApp) {
    load(app).await;
    let pack = download(app, &Credential::None, Q3).await;
    let listed: BTreeSet<String> = pack.rows("import_batches.csv").iter().map(|r| r["id"].clone()).collect();
    let mut cited = BTreeSet::new();
    for file in ["incidents.csv", "postmortems.csv", "actions.csv", "dr_tests.csv", "slos.csv", "deployments.csv"] {
        cited.extend(pack.rows(file).iter().map(|r| r["import_batch_id"].clone()));
    }
    assert!(!cited.is_empty());
    assert!(cited.is_subset(&listed), "cited {cited:?}, listed {listed:?}");
    let summary = pack.rows("control_summary.csv");
    let cc72 = summary.iter().find(|c| c["control"] == "CC7.2").expect("CC7.2 summarised");
    let incidents = pack.rows("incidents.csv").len();
    assert!(cc72["records"].parse::<usize>().expect("count") >= incidents && incidents > 0, "{cc72:?}");
    assert_eq!(cc72["status"], "records to test");
    let mut seen = BTreeSet::new();
    assert!(summary.iter().all(|c| seen.insert((c["framework"].clone(), c["control"].clone()))), "each control once");
}

/// The Evidence page's form gets its mistakes back on the page, with what was entered.
async fn a_mistake_in_the_form_goes_back_to_the_form(app: &TestApp) {
    let manual = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let response = manual
        .get(format!(
            "{}/api/v1/evidence?form=1&from=2026-10-01&to=2026-09-30&team=&tier=1&sample_incidents=5",
            app.base
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_owned();
    assert!(location.starts_with("/evidence?from=2026-10-01&to=2026-09-30"), "{location}");
    assert!(location.contains("error=") && location.contains("before+it+starts"), "{location}");
    let page = app.client.get(format!("{}{location}", app.base)).send().await.expect("sent");
    let html = page.text().await.expect("html").replace("<!>", "");
    assert!(html.contains("role=\"alert\"") && html.contains("before it starts"), "the page shows the error");
    assert!(html.contains("value=\"2026-10-01\""), "and keeps what was entered");
    assert!(location.contains("tier=1") && location.contains("sample_incidents=5"), "{location}");
    assert!(html.contains("value=\"5\""), "the sample size too");
}

async fn bad_requests_are_refused_before_any_byte(app: &TestApp) {
    load(app).await;
    for (query, needle) in [
        ("to=2026-09-30", "from is required"),
        ("from=2026-10-01&to=2026-09-30", "before it starts"),
        ("from=2026-07-01&to=2026-09-30&team=ghost", "unknown team 'ghost'"),
        ("from=2026-07-01&to=2026-09-30&sample_widgets=3", "unknown population"),
        ("from=2026-07-01&to=2026-09-30&sample_incidents=0", "sample size"),
    ] {
        let (status, body) = app.get(&format!("/api/v1/evidence?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| d.contains(needle)), "{query}: {body}");
    }
    assert_eq!(app.count("audit_event WHERE action = 'evidence.downloaded'").await, 0);
}

/// A published quarter inside the window brings its frozen snapshot and its executive report PDF,
/// the same bytes as `/reports/{period}.pdf` serves.
async fn published_reports_of_the_window_are_in_the_pack(app: &TestApp) {
    load(app).await;
    let publish = app
        .client
        .post(format!("{}/api/v1/snapshots", app.base))
        .header("content-type", "application/json")
        .body(json!({"period": "2026-Q3"}).to_string())
        .send()
        .await
        .expect("sent");
    assert_eq!(publish.status(), StatusCode::CREATED);
    let pack = download(app, &Credential::None, Q3).await;
    let pdf = std::fs::read(pack.path("reports/2026-Q3.pdf")).expect("the report PDF is in the pack");
    let served = app.client.get(format!("{}/reports/2026-Q3.pdf", app.base)).send().await.expect("sent");
    assert!(served.bytes().await.expect("body").as_ref() == pdf.as_slice(), "the pack's PDF is the served one");
    assert!(pack.path("reports/2026-Q3.json").exists());
    let files = pack.manifest()["files"].to_string();
    assert!(files.contains("reports/2026-Q3.pdf"), "listed in the manifest");
    // A window that does not hold the whole quarter leaves it out.
    let partial = download(app, &Credential::None, "from=2026-07-01&to=2026-09-29").await;
    assert!(!partial.path("reports/2026-Q3.pdf").exists());
}

/// Self-assessment answers answered or signed off in the window are in the pack.
async fn self_assessments_of_the_window_are_in_the_pack(app: &TestApp) {
    load(app).await;
    let rows = json!([
        {"service": "checkout", "item": "runbook", "answer": "yes", "answered_by": "eve", "answered_at": "2026-08-01T00:00:00Z",
         "reviewed_by": "rob", "reviewed_at": "2026-08-02T00:00:00Z"},
        {"service": "search", "item": "runbook", "answer": "n/a", "comment": "=cmd|' /C calc'!A0", "answered_by": "sam",
         "answered_at": "2026-06-01T00:00:00Z", "reviewed_by": "rob", "reviewed_at": "2026-07-01T09:00:00Z"},
        {"service": "ledger", "item": "runbook", "answer": "no", "answered_by": "lee", "answered_at": "2026-06-01T00:00:00Z"}
    ]);
    let (status, reply) = app.post_json("self-assessments", &rows).await;
    assert_eq!(status, 200, "{reply}");
    let pack = download(app, &Credential::None, Q3).await;
    let answers = pack.rows("self_assessments.csv");
    let services: Vec<&str> = answers.iter().map(|r| r["service"].as_str()).collect();
    assert_eq!(services, ["checkout", "search"], "answered or reviewed in the window, not before");
    assert_eq!(answers[1]["comment"], "'=cmd|' /C calc'!A0", "a formula is neutralised");
    let file = pack.manifest()["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == "self_assessments.csv")
        .cloned();
    assert_eq!(file.expect("listed")["rows"], 2);
}

/// Monitoring events and who was on call (SOC 2 CC7.2/CC7.3): the window's alerts with their
/// triage, and the shifts that overlap it; untrusted rule names cannot become formulas.
async fn alerts_and_shifts_of_the_window_are_in_the_pack(app: &TestApp) {
    load(app).await;
    let shifts = json!([
        {"team": "payments", "schedule": "primary", "person": "p-1", "starts_at": "2026-06-29T09:00:00Z", "ends_at": "2026-07-06T09:00:00Z"},
        {"team": "payments", "schedule": "primary", "person": "p-2", "starts_at": "2026-10-05T09:00:00Z", "ends_at": "2026-10-12T09:00:00Z"},
        {"team": "discovery", "schedule": "primary", "person": "p-3", "starts_at": "2026-08-03T09:00:00Z", "ends_at": "2026-08-10T09:00:00Z"}
    ]);
    assert_eq!(app.post_json("oncall-shifts", &shifts).await.0, 200);
    let alerts = json!([
        {"external_id": "a-1", "service": "checkout", "rule": "=HYPERLINK(\"http://x\")", "fired_at": "2026-07-02T03:00:00Z",
         "acknowledged_at": "2026-07-02T03:06:00Z", "paged": true, "disposition": "actionable", "incident": "INC-1",
         "labels": {"severity": "page"}},
        {"external_id": "a-2", "service": "search", "rule": "SlowQuery", "fired_at": "2026-08-04T10:00:00Z", "paged": false},
        {"external_id": "a-3", "service": "checkout", "rule": "Late", "fired_at": "2026-10-01T00:00:00Z", "paged": true}
    ]);
    let (status, reply) = app.post_json("alerts", &alerts).await;
    assert_eq!(status, 200, "{reply}");
    let pack = download(app, &Credential::None, Q3).await;
    let rows = pack.rows("alerts.csv");
    let ids: Vec<&str> = rows.iter().map(|r| r["external_id"].as_str()).collect();
    assert_eq!(ids, ["a-1", "a-2"], "fired in the window");
    assert_eq!(rows[0]["rule"], "'=HYPERLINK(\"http://x\")", "a formula is neutralised");
    assert_eq!(rows[0]["minutes_to_acknowledge"], "6.00");
    assert_eq!((rows[0]["disposition"].as_str(), rows[0]["incident_external_id"].as_str()), ("actionable", "INC-1"));
    assert_eq!((rows[1]["paged"].as_str(), rows[1]["disposition"].as_str()), ("false", "unreviewed"));
    let people: Vec<String> = pack.rows("oncall_shifts.csv").iter().map(|r| r["person"].clone()).collect();
    assert_eq!(people, ["p-1", "p-3"], "overlapping the window");
    let payments = download(app, &Credential::None, &format!("{Q3}&team=payments")).await;
    let people: Vec<String> = payments.rows("oncall_shifts.csv").iter().map(|r| r["person"].clone()).collect();
    assert_eq!(people, ["p-1"], "a team filter keeps that team's shifts");
    let mapping = pack.rows("control_mapping.csv");
    assert!(mapping.iter().any(|r| r["control"] == "CC7.3" && r["file"] == "alerts.csv"));

    // Capacity monitoring (SOC 2 A1.1, ISO 8.6): the window's daily peaks with their headroom.
    let peaks = json!([
        {"service": "checkout", "resource": "=cmd", "day": "2026-07-01", "peak_used": 90, "capacity": 60},
        {"service": "checkout", "resource": "cpu", "day": "2026-06-30", "peak_used": 10, "capacity": 64},
        {"service": "search", "resource": "cpu", "day": "2026-09-30", "peak_used": 16, "capacity": 64}
    ]);
    assert_eq!(app.post_json("capacity-measurements", &peaks).await.0, 200);
    let pack = download(app, &Credential::None, Q3).await;
    let rows = pack.rows("capacity_measurements.csv");
    let days: Vec<(&str, &str, &str)> =
        rows.iter().map(|r| (r["service"].as_str(), r["day"].as_str(), r["headroom"].as_str())).collect();
    assert_eq!(days, [("checkout", "2026-07-01", "-0.5000"), ("search", "2026-09-30", "0.7500")]);
    assert_eq!(rows[0]["resource"], "'=cmd", "a formula is neutralised");
    let mapping = pack.rows("control_mapping.csv");
    assert!(mapping.iter().any(|r| r["control"] == "8.6" && r["file"] == "capacity_measurements.csv"));
}

crate::on_both_backends!(
    alerts_and_shifts_of_the_window_are_in_the_pack,
    self_assessments_of_the_window_are_in_the_pack,
    published_reports_of_the_window_are_in_the_pack,
    a_pack_holds_each_record_of_the_window_exactly_once,
    the_same_request_gives_the_same_files,
    a_window_inside_one_month_is_clipped_to_its_days,
    import_batches_and_audit_events_of_the_window_are_all_there,
    every_cited_import_batch_is_in_the_pack_and_controls_are_summarised,
    a_mistake_in_the_form_goes_back_to_the_form,
    bad_requests_are_refused_before_any_byte,
);

/// With sign-in: viewers and anonymous callers are refused; an auditor's download is logged
/// under their name.
async fn only_auditors_and_admins_download_and_each_download_is_logged(app: &TestApp) {
    let url = format!("/api/v1/evidence?{Q3}");
    assert_eq!(send(app, Method::GET, &url, &Credential::None, None).await.status(), StatusCode::UNAUTHORIZED);
    let viewer = Credential::Cookie(signed_in(app, "vic@example.test", &["viewer"], &[], false).await);
    assert_eq!(send(app, Method::GET, &url, &viewer, None).await.status(), StatusCode::FORBIDDEN);
    let editor = Credential::Cookie(signed_in(app, "eve@example.test", &["editor"], &["payments"], false).await);
    assert_eq!(send(app, Method::GET, &url, &editor, None).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("audit_event WHERE action = 'evidence.downloaded'").await, 0);

    // Many earlier downloads: the page must still show the newest.
    for _ in 0..120 {
        let entry =
            server::audit::AuditEntry::new("old", "evidence.downloaded", "evidence:2020-01-01..2020-01-31", json!({}));
        server::audit::append(&app.db, entry, chrono::Utc::now()).await.expect("append");
    }
    let auditor = Credential::Cookie(signed_in(app, "ada@example.test", &["auditor"], &[], false).await);
    let pack = download(app, &auditor, Q3).await;
    let manifest = pack.manifest();
    assert!(manifest["generated_by"].as_str().is_some_and(|by| by.contains("ada@example.test")), "{manifest}");
    assert_eq!(app.count("audit_event WHERE action = 'evidence.downloaded' AND actor <> 'old'").await, 1);
    let detail = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT actor, details FROM audit_event WHERE action = 'evidence.downloaded' AND actor <> 'old'".to_owned(),
        ))
        .await
        .expect("query")
        .expect("event");
    let actor: String = detail.try_get_by_index(0).expect("actor");
    let details: String = detail.try_get_by_index(1).expect("details");
    assert!(actor.contains("ada@example.test"), "{actor}");
    assert!(details.contains(&hex::encode(Sha256::digest(&pack.bytes))), "{details}");
    // The page lists it for auditors, not for viewers.
    let page = send(app, Method::GET, "/evidence", &auditor, None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("evidence:2026-07-01..2026-09-30"), "the newest download is listed");
    assert_eq!(send(app, Method::GET, "/evidence", &viewer, None).await.status(), StatusCode::FORBIDDEN);
}

mod signed_in {
    crate::on_both_backends_with!(
        oidc_app;
        only_auditors_and_admins_download_and_each_download_is_logged,
    );
    use super::*;
}

/// `plumbline export-evidence` writes the same pack to a file, and records it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_writes_the_same_pack() {
    let app = spawn_app(Backend::Postgres).await;
    load_with_edges(&app).await;
    let over_http = download(&app, &Credential::None, &format!("{Q3}&team=payments")).await;
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("pack.zip");
    let url = app_database_url(&app).await;
    let status = Command::new(env!("CARGO_BIN_EXE_plumbline"))
        .args(["export-evidence", "--from", "2026-07-01", "--to", "2026-09-30", "--team", "payments", "--out"])
        .arg(&out)
        .env("DATABASE_URL", &url)
        .env("PLUMBLINE_DATA_DIR", dir.path())
        .env("USER", "auditor-cli")
        .output()
        .expect("runs");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    assert!(String::from_utf8_lossy(&status.stdout).contains("pack sha256"));
    run(dir.path(), "unzip", &["-q", "pack.zip", "-d", "x"]);
    let sums = std::fs::read_to_string(dir.path().join("x/SHA256SUMS")).expect("sums");
    assert_eq!(sums, std::fs::read_to_string(over_http.path("SHA256SUMS")).expect("sums"), "same files as over HTTP");
    assert_eq!(app.count("audit_event WHERE actor = 'cli:auditor-cli' AND action = 'evidence.downloaded'").await, 1);

    let refused = Command::new(env!("CARGO_BIN_EXE_plumbline"))
        .args(["export-evidence", "--from", "2026-09-30", "--to", "2026-07-01", "--out"])
        .arg(dir.path().join("bad.zip"))
        .env("DATABASE_URL", &url)
        .output()
        .expect("runs");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("before it starts"));
    assert!(!dir.path().join("bad.zip").exists());
    app.cleanup().await;
}

async fn app_database_url(app: &TestApp) -> String {
    let row = app
        .db
        .query_one_raw(Statement::from_string(sea_orm::DbBackend::Postgres, "SELECT current_database()".to_owned()))
        .await
        .expect("query")
        .expect("row");
    let name: String = row.try_get_by_index(0).expect("name");
    crate::helpers::with_database(&crate::helpers::admin_url(), &name)
}

/// A download abandoned half way ends the server's work: no transaction is left open, nothing
/// is logged as downloaded, and the server goes on serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_download_releases_its_snapshot() {
    let app = spawn_app(Backend::Postgres).await;
    load(&app).await;
    // Enough rows that the pack outgrows the socket buffers, so the server is still writing
    // when the client goes away.
    let mut csv = String::from("external_id,service,deployed_at,outcome\n");
    for i in 0..60_000 {
        csv.push_str(&format!(
            "DEP-BULK-{i},ledger,2026-08-{:02}T{:02}:{:02}:00Z,success\n",
            1 + i % 28,
            i % 24,
            i % 60
        ));
    }
    let response = app.post("deployments", "text/csv", csv).await;
    assert_eq!(response.status(), StatusCode::OK);

    let mut response = reqwest::get(format!("{}/api/v1/evidence?{Q3}", app.base)).await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let first = response.chunk().await.expect("first bytes").expect("a chunk");
    assert_eq!(&first[..2], b"PK");
    drop(response);

    let open = "pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'";
    let mut left_open = i64::MAX;
    for _ in 0..50 {
        left_open = app.count(open).await;
        if left_open == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left_open, 0, "the pack's read transaction ended");
    assert_eq!(
        app.count("audit_event WHERE action = 'evidence.downloaded'").await,
        0,
        "an incomplete pack is not logged"
    );
    let (status, _) = app.get("/api/v1/teams").await;
    assert_eq!(status, 200);
    app.cleanup().await;
}
