//! `spawn_app`: the real server on a random port over a fresh, migrated database.

use std::sync::atomic::{AtomicU64, Ordering};

use app::domain::kpi::ReportingCalendar;
use reqwest::{Client, Response};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::Value;
use server::db::DatabaseTarget;
use server::settings::{DemoMode, ServeSettings};
use server::startup::Application;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Postgres,
    Sqlite,
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub db: DatabaseConnection,
    /// Where `db` connects (for a second "replica" on the same database).
    pub database: DatabaseTarget,
    /// What the server was started with.
    settings: ServeSettings,
    /// An API token the helpers below send, for apps that require sign-in (set once).
    pub bearer: std::sync::OnceLock<String>,
    /// The data directory: the evidence signing key and the audit checkpoints.
    pub files: std::sync::Arc<tempfile::TempDir>,
    cleanup: Cleanup,
}

enum Cleanup {
    Postgres { admin_url: String, name: String },
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
}

static NEXT_DB: AtomicU64 = AtomicU64::new(0);

pub fn admin_url() -> String {
    std::env::var("PLUMBLINE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `postgres://host/postgres` → `postgres://host/<name>`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("database URL has a path");
    format!("{base}/{name}")
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with_limit(backend, 512 * 1024 * 1024).await
}

pub async fn spawn_app_with_limit(backend: Backend, max_body_bytes: u64) -> TestApp {
    spawn_app_with(backend, Options { max_body_bytes, ..Options::default() }).await
}

/// The app with a reporting calendar other than the default (January, UTC).
pub async fn spawn_app_with_calendar(backend: Backend, calendar: ReportingCalendar) -> TestApp {
    spawn_app_with(backend, Options { calendar, ..Options::default() }).await
}

/// How a test app differs from the default (local mode, default calendar, 512 MiB bodies).
pub struct Options {
    pub max_body_bytes: u64,
    pub calendar: ReportingCalendar,
    pub auth: server::auth::AuthMode,
    pub public_origin: Option<String>,
    pub trusted_proxies: server::auth::client_address::TrustedProxies,
    pub connection_timeouts: server::serve::ConnectionTimeouts,
    /// Background job workers (none unless a test is about them).
    pub workers: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_body_bytes: 512 * 1024 * 1024,
            calendar: ReportingCalendar::default(),
            auth: server::auth::AuthMode::Local,
            public_origin: None,
            trusted_proxies: Default::default(),
            connection_timeouts: Default::default(),
            workers: 0,
        }
    }
}

pub async fn spawn_app_with(backend: Backend, options: Options) -> TestApp {
    let Options { max_body_bytes, calendar, auth, public_origin, trusted_proxies, connection_timeouts, workers } =
        options;
    let (target, cleanup) = match backend {
        Backend::Postgres => {
            let admin = admin_url();
            let name = format!(
                "plumbline_test_{}_{}_{}",
                std::process::id(),
                NEXT_DB.fetch_add(1, Ordering::Relaxed),
                chrono::Utc::now().timestamp_micros()
            );
            let conn = Database::connect(&admin).await.expect("Postgres is reachable for tests");
            conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
            conn.close().await.ok();
            (DatabaseTarget::Url(with_database(&admin, &name)), Cleanup::Postgres { admin_url: admin, name })
        }
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            (DatabaseTarget::Embedded(dir.path().join("plumbline.sqlite3")), Cleanup::Sqlite(dir))
        }
    };
    let db = server::db::connect(&target).await.expect("connect");
    server::db::migrate(&db).await.expect("migrate");
    let files = std::sync::Arc::new(tempfile::tempdir().expect("data dir"));
    let settings = ServeSettings {
        database: target.clone(),
        addr: "127.0.0.1:0".parse().expect("addr"),
        site_root: "target/site".into(),
        max_body_bytes,
        adapter_limits: server::ingest::AdapterLimits::default(),
        demo: DemoMode::Off,
        request_timeout_secs: 120,
        connection_timeouts,
        policy_file: None,
        calendar,
        auth,
        session_policy: server::auth::SessionPolicy::default(),
        public_origin,
        trusted_proxies,
        alertmanager: Default::default(),
        prometheus: Default::default(),
        notify: Default::default(),
        evidence: server::settings::EvidenceSettings { data_dir: files.path().to_owned(), ..Default::default() },
        // Tests read recomputed figures right after each import.
        recompute_spacing: std::time::Duration::ZERO,
        workers,
    };
    let application = Application::build(&settings, db.clone()).await.expect("build app");
    let addr = application.local_addr().expect("local addr");
    tokio::spawn(application.run(std::future::pending()));
    TestApp {
        base: format!("http://{addr}"),
        client: Client::new(),
        db,
        database: target,
        settings,
        bearer: std::sync::OnceLock::new(),
        files,
        cleanup,
    }
}

impl TestApp {
    /// Another server on the same database, with its own pool, caches and `workers` (a
    /// replica); its base URL.
    pub async fn replica(&self, workers: usize) -> String {
        let db = server::db::connect(&self.database).await.expect("replica's pool");
        let settings = ServeSettings { workers, ..self.settings.clone() };
        let application = Application::build(&settings, db).await.expect("build replica");
        let addr = application.local_addr().expect("local addr");
        tokio::spawn(application.run(std::future::pending()));
        format!("http://{addr}")
    }

    /// Another server on the same database with `policy` (TOML) as its scorecard policy; its
    /// base URL.
    pub async fn replica_with_policy(&self, policy: &str) -> String {
        let path = self.files.path().join("policy.toml");
        std::fs::write(&path, policy).expect("write the policy");
        let db = server::db::connect(&self.database).await.expect("replica's pool");
        let settings = ServeSettings { policy_file: Some(path), workers: 0, ..self.settings.clone() };
        let application = Application::build(&settings, db).await.expect("build the server with the policy");
        let addr = application.local_addr().expect("local addr");
        tokio::spawn(application.run(std::future::pending()));
        format!("http://{addr}")
    }

    pub fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.bearer.get() {
            Some(token) => request.header("authorization", format!("Bearer {token}")),
            None => request,
        }
    }

    pub async fn post(&self, kind: &str, content_type: &str, body: impl Into<reqwest::Body>) -> Response {
        self.post_query(kind, "", content_type, body).await
    }

    pub async fn post_query(
        &self,
        kind: &str,
        query: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.authorized(self.client.post(format!("{}/api/v1/{kind}{query}", self.base)))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request sent")
    }

    /// Publishes a period's snapshot (`POST /api/v1/snapshots`) and returns (status, body).
    pub async fn publish(&self, period: &str) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}/api/v1/snapshots", self.base))
            .header("content-type", "application/json")
            .body(serde_json::json!({"period": period}).to_string())
            .send()
            .await
            .expect("sent");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or_default())
    }

    /// Posts a JSON array and returns (status, body).
    pub async fn post_json(&self, kind: &str, rows: &Value) -> (u16, Value) {
        let response = self.post(kind, "application/json", rows.to_string()).await;
        let status = response.status().as_u16();
        let text = response.text().await.expect("response body");
        let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("expected JSON, got {status}: {text:?}"));
        (status, body)
    }

    /// A page as a reader gets it (200 expected), its text comparable with plain strings: Leptos'
    /// `<!>` markers dropped and the narrow spaces numbers are written with made plain.
    pub async fn page(&self, path: &str) -> String {
        let response = self.client.get(format!("{}{path}", self.base)).send().await.expect("request");
        assert_eq!(response.status().as_u16(), 200, "{path}");
        response.text().await.expect("html").replace("<!>", "").replace(['\u{a0}', '\u{202f}'], " ")
    }

    pub async fn get(&self, path_and_query: &str) -> (u16, Value) {
        let response = self
            .authorized(self.client.get(format!("{}{path_and_query}", self.base)))
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count query")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("count")
    }

    /// Row counts of every record table, to prove a rejected request wrote nothing.
    pub async fn snapshot(&self) -> Vec<i64> {
        let mut counts = Vec::new();
        for table in [
            "team",
            "service",
            "slo",
            "slo_measurement",
            "incident",
            "incident_service",
            "postmortem",
            "postmortem_action",
            "dr_test",
            "deployment",
            "toil_report",
            "remediation",
            "capacity_measurement",
            "cost",
            "survey_response",
        ] {
            counts.push(self.count(table).await);
        }
        counts
    }

    pub async fn cleanup(self) {
        self.db.close().await.ok();
        if let Cleanup::Postgres { admin_url, name } = self.cleanup
            && let Ok(conn) = Database::connect(&admin_url).await
        {
            conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.ok();
            conn.close().await.ok();
        }
    }
}

/// Runs each listed `async fn(&TestApp)` once on Postgres and once on SQLite.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await;
                    super::$name(&app).await;
                    app.cleanup().await;
                }
            )+
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await;
                    super::$name(&app).await;
                    app.cleanup().await;
                }
            )+
        }
    };
}

/// As [`on_both_backends!`], with the app made by `$spawn(backend)`.
#[macro_export]
macro_rules! on_both_backends_with {
    ($spawn:ident; $($name:ident),+ $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = super::$spawn($crate::helpers::Backend::Postgres).await;
                    super::$name(&app).await;
                    app.cleanup().await;
                }
            )+
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = super::$spawn($crate::helpers::Backend::Sqlite).await;
                    super::$name(&app).await;
                    app.cleanup().await;
                }
            )+
        }
    };
}

/// JSON objects as CSV with a header (arrays `;`-joined, null as an empty cell).
pub fn to_csv(rows: &[Value]) -> String {
    let mut header: Vec<String> = Vec::new();
    for row in rows {
        for key in row.as_object().expect("object").keys() {
            if !header.contains(key) {
                header.push(key.clone());
            }
        }
    }
    let quote = |s: String| if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s };
    let mut out = header.join(",") + "\r\n";
    for row in rows {
        let cells: Vec<String> = header
            .iter()
            .map(|k| match &row[k] {
                Value::Null => String::new(),
                Value::String(s) => quote(s.clone()),
                Value::Array(items) => quote(items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(";")),
                other => other.to_string(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

pub fn to_ndjson(rows: &[Value]) -> String {
    rows.iter().map(|r| r.to_string() + "\n").collect()
}

/// Polls `attempt` every 100 ms until it gives a value, for at most 15 s: for what the server
/// does in the background (pages recompute their figures after an import).
pub async fn eventually<T, F, Fut>(what: &str, attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    eventually_within(what, 15, attempt).await
}

/// [`eventually`], for at most `seconds` (what other programs do on their own schedule).
pub async fn eventually_within<T, F, Fut>(what: &str, seconds: u64, mut attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        if let Some(value) = attempt().await {
            return value;
        }
        assert!(std::time::Instant::now() < deadline, "{what}: not within {seconds} s");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Waits until at most 40 s of the current minute have passed: rate limits count in whole
/// minutes, and a test of one must not straddle two.
pub async fn early_in_a_minute() {
    while chrono::Utc::now().timestamp().rem_euclid(60) > 40 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// The markup of the `<section>` marked `data-testid="{testid}"` in a page, if there is one.
pub fn section<'a>(page: &'a str, testid: &str) -> Option<&'a str> {
    page.split(&format!("data-testid=\"{testid}\"")).nth(1).and_then(|rest| rest.split("</section>").next())
}
