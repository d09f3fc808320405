//! Faults, on the real binary and real databases: the server killed in the middle of a large
//! import, and Postgres restarted under a serving Plumbline.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed step should fail the test loudly

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, Statement};

/// Teams in the import that gets killed: enough to take a few seconds to write. The issue's
/// full size runs with `PLUMBLINE_FAULT_ROWS=1000000 cargo test -p server --test faults`.
fn rows() -> usize {
    std::env::var("PLUMBLINE_FAULT_ROWS").ok().and_then(|n| n.parse().ok()).unwrap_or(150_000)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port()
}

/// `plumbline serve` on `port` over `database` (a URL, or the embedded file in `data_dir`).
fn serve(port: u16, database: Option<&str>, data_dir: &Path) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_plumbline"));
    command
        .arg("serve")
        .env("PLUMBLINE_DATA_DIR", data_dir)
        .env("PLUMBLINE_DEMO", "off")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match database {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    command.spawn().expect("start plumbline")
}

async fn wait_ready(client: &reqwest::Client, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(answer) = client.get(format!("http://127.0.0.1:{port}/readyz")).send().await
            && answer.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("plumbline did not become ready on port {port}");
}

fn teams_csv() -> String {
    let mut csv = String::from("slug,name\n");
    for n in 0..rows() {
        csv.push_str(&format!("team-{n},Team {n}\n"));
    }
    csv
}

async fn count(url: &str, table: &str) -> i64 {
    let db = Database::connect(url).await.expect("connect");
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), format!("SELECT COUNT(*) AS n FROM {table}")))
        .await
        .expect("count")
        .expect("a row");
    let n = row.try_get::<i64>("", "n").expect("n");
    db.close().await.ok();
    n
}

async fn killed_mid_import(database: Option<&str>, data_dir: &Path, count_url: &str) {
    let client = reqwest::Client::new();
    let port = free_port();
    let mut server = serve(port, database, data_dir);
    wait_ready(&client, port).await;
    let body = teams_csv();
    let import = {
        let (client, body) = (client.clone(), body.clone());
        tokio::spawn(async move {
            client
                .post(format!("http://127.0.0.1:{port}/api/v1/teams"))
                .header("content-type", "text/csv")
                .body(body)
                .send()
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!import.is_finished(), "the import is still being written when the server is killed");
    server.kill().expect("kill -9");
    server.wait().expect("reaped");
    assert!(import.await.expect("joined").is_err(), "the import got no answer");

    let port = free_port();
    let mut server = serve(port, database, data_dir);
    wait_ready(&client, port).await;
    assert_eq!(count(count_url, "team").await, 0, "nothing of the killed import is kept");
    assert_eq!(count(count_url, "import_batch WHERE status = 'applied'").await, 0);
    let mut verify = Command::new(env!("CARGO_BIN_EXE_plumbline"));
    verify.args(["audit", "verify"]).env("PLUMBLINE_DATA_DIR", data_dir).stdout(Stdio::null());
    match database {
        Some(url) => verify.env("DATABASE_URL", url),
        None => verify.env_remove("DATABASE_URL"),
    };
    assert!(verify.status().expect("audit verify").success(), "the audit chain is intact");
    let resent = client
        .post(format!("http://127.0.0.1:{port}/api/v1/teams"))
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .expect("answered");
    assert_eq!(resent.status(), 200);
    let summary: serde_json::Value = resent.json().await.expect("summary");
    assert_eq!(summary["created"], rows() as u64, "sent again, it is applied whole");
    assert_eq!(count(count_url, "team").await, rows() as i64);
    server.kill().ok();
    server.wait().ok();
}

fn admin_url() -> String {
    std::env::var("PLUMBLINE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

#[tokio::test]
async fn a_server_killed_mid_import_keeps_nothing_of_it_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("plumbline.sqlite3").display());
    killed_mid_import(None, dir.path(), &url).await;
}

#[tokio::test]
async fn a_server_killed_mid_import_keeps_nothing_of_it_on_postgres() {
    let dir = tempfile::tempdir().expect("temp dir");
    let admin = admin_url();
    let name = format!("plumbline_fault_{}", std::process::id());
    let conn = Database::connect(&admin).await.expect("Postgres is reachable");
    conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\"")).await.expect("drop");
    conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create");
    let (base, _) = admin.rsplit_once('/').expect("a path");
    let url = format!("{base}/{name}");
    killed_mid_import(Some(&url), dir.path(), &url).await;
    conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.ok();
}

/// A Postgres of this test's own (initdb into a temporary folder, on a free port), so stopping
/// it disturbs nothing else.
struct OwnPostgres {
    dir: tempfile::TempDir,
    port: u16,
    bin: std::path::PathBuf,
}

impl OwnPostgres {
    fn as_postgres(&self, program: &str, args: &[&str]) -> std::process::ExitStatus {
        let tool = self.bin.join(program);
        let mut command = if nix_is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(tool);
            c
        } else {
            Command::new(tool)
        };
        command.args(args).stdout(Stdio::null()).stderr(Stdio::null()).status().expect("run a Postgres tool")
    }

    fn start() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("Debian's Postgres")
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .find(|p| p.join("initdb").exists())
            .expect("initdb");
        let dir = tempfile::Builder::new().prefix("plumbline-pg").tempdir().expect("temp dir");
        let data = dir.path().join("data");
        if nix_is_root() {
            Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()).status().expect("chown");
        }
        let own = OwnPostgres { port: free_port(), bin, dir };
        let data = data.to_string_lossy().into_owned();
        assert!(own.as_postgres("initdb", &["-D", &data, "-U", "postgres", "--auth=trust"]).success(), "initdb");
        own.pg_ctl("start");
        own
    }

    fn pg_ctl(&self, action: &str) {
        let data = self.dir.path().join("data").to_string_lossy().into_owned();
        let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.path().display());
        let status = self.as_postgres("pg_ctl", &["-D", &data, "-o", &options, "-w", "-m", "fast", action]);
        assert!(status.success(), "pg_ctl {action}");
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data").to_string_lossy().into_owned();
        self.as_postgres("pg_ctl", &["-D", &data, "-m", "immediate", "stop"]);
    }
}

fn nix_is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0"))
}

#[tokio::test]
async fn postgres_restarted_under_a_serving_plumbline_is_used_again_without_a_restart() {
    let postgres = OwnPostgres::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().expect("client");
    let port = free_port();
    let mut server = serve(port, Some(&postgres.url()), dir.path());
    wait_ready(&client, port).await;
    let teams = |slug: &str| serde_json::json!([{"slug": slug, "name": slug}]);
    let post = |slug: &str| client.post(format!("http://127.0.0.1:{port}/api/v1/teams")).json(&teams(slug)).send();
    assert_eq!(post("before").await.expect("answered").status(), 200);

    postgres.pg_ctl("stop");
    let ready = client.get(format!("http://127.0.0.1:{port}/readyz")).send().await.expect("answered");
    assert_eq!(ready.status(), 503, "not ready while the database is down");
    assert_eq!(client.get(format!("http://127.0.0.1:{port}/healthz")).send().await.expect("answered").status(), 200);

    postgres.pg_ctl("start");
    wait_ready(&client, port).await;
    assert_eq!(post("after").await.expect("answered").status(), 200, "writes work again");
    let listed = client.get(format!("http://127.0.0.1:{port}/api/v1/teams")).send().await.expect("answered");
    assert_eq!(listed.status(), 200);
    server.kill().ok();
    server.wait().ok();
}
