//! The real binary: clean shutdown on SIGTERM, and local mode refusing non-loopback addresses.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed step should fail the test loudly

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn plumbline() -> Command {
    Command::new(env!("CARGO_BIN_EXE_plumbline"))
}

#[test]
fn local_mode_refuses_to_listen_beyond_loopback() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = plumbline()
        .args(["serve", "--addr", "0.0.0.0:0"])
        .env("PLUMBLINE_DATA_DIR", dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .expect("run plumbline");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("refusing to listen on 0.0.0.0:0"), "{stderr}");
}

#[test]
fn an_invalid_policy_file_stops_the_server_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "version = \"x\"\n[[checks]]\nid = \"no_such_check\"\n").expect("write policy");
    let output = plumbline()
        .arg("serve")
        .env("PLUMBLINE_DATA_DIR", dir.path())
        .env("PLUMBLINE_DEMO", "off")
        .env("PLUMBLINE_POLICY_FILE", &policy)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run plumbline");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("invalid policy file"), "{stderr}");
}

#[test]
fn an_unknown_reporting_time_zone_stops_the_server_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (month, zone, expected) in [("1", "Mars/Olympus", "unknown time zone"), ("13", "UTC", "start month")] {
        let output = plumbline()
            .arg("serve")
            .env("PLUMBLINE_DATA_DIR", dir.path())
            .env("PLUMBLINE_DEMO", "off")
            .env("PLUMBLINE_FISCAL_YEAR_START_MONTH", month)
            .env("PLUMBLINE_TIME_ZONE", zone)
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env_remove("DATABASE_URL")
            .output()
            .expect("run plumbline");
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{stderr}");
    }
}

/// `plumbline serve` on an empty embedded database in `dir`, with sign-in configured (the
/// provider is never reached: these runs stop at startup).
fn serve_with_sign_in(dir: &std::path::Path, public_url: &str) -> Command {
    let mut command = plumbline();
    command
        .arg("serve")
        .env("PLUMBLINE_DATA_DIR", dir)
        .env("PLUMBLINE_DEMO", "off")
        .env("PLUMBLINE_OIDC_ISSUER", "https://idp.example")
        .env("PLUMBLINE_OIDC_CLIENT_ID", "plumbline")
        .env("PLUMBLINE_OIDC_CLIENT_SECRET", "secret")
        .env("PLUMBLINE_PUBLIC_URL", public_url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env_remove("DATABASE_URL");
    command
}

#[test]
fn sign_in_over_plain_http_is_refused_beyond_loopback() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = serve_with_sign_in(dir.path(), "http://plumbline.example").output().expect("run plumbline");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("must be https://"), "{stderr}");
    assert!(!stderr.contains("secret\""), "the client secret is not echoed");
}

#[test]
fn the_clock_moves_only_in_local_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = serve_with_sign_in(dir.path(), "https://plumbline.example")
        .env("PLUMBLINE_CLOCK_AT", "2027-01-31")
        .output()
        .expect("run plumbline");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("PLUMBLINE_CLOCK_AT") && stderr.contains("only allowed in local mode"), "{stderr}");

    let output = plumbline()
        .arg("serve")
        .env("PLUMBLINE_DATA_DIR", dir.path())
        .env("PLUMBLINE_CLOCK_AT", "soon")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run plumbline");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("must be like 2027-01-31"));
}

#[test]
fn serve_answers_health_checks_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
    let mut child = plumbline()
        .arg("serve")
        .env("PLUMBLINE_DATA_DIR", dir.path())
        .env("PLUMBLINE_DEMO", "off")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start plumbline");
    let deadline = Instant::now() + Duration::from_secs(30);
    let ready = loop {
        let answer = Command::new("curl").args(["-sf", &format!("http://127.0.0.1:{port}/readyz")]).output();
        if answer.is_ok_and(|o| o.status.success()) {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if Instant::now() > deadline {
            child.kill().ok();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(ready, "server never became ready");
    assert!(status.is_some_and(|s| s.success()), "exit after SIGTERM: {status:?}");
}

#[test]
fn import_applies_files_and_exits_non_zero_when_one_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/adapters");
    let teams = dir.path().join("teams.csv");
    std::fs::write(&teams, "slug,name\nstorefront,Storefront\npayments-team,Payments\ndiscovery,Discovery\n")
        .expect("write teams");
    let services = dir.path().join("services.json");
    std::fs::write(
        &services,
        r#"[{"slug": "checkout-api", "name": "Checkout API", "tier": 1, "team": "storefront"},
            {"slug": "payments", "name": "Payments", "tier": 0, "team": "payments-team"},
            {"slug": "search", "name": "Search", "tier": 2, "team": "discovery"}]"#,
    )
    .expect("write services");
    let import = |args: &[&std::ffi::OsStr]| {
        plumbline()
            .arg("import")
            .args(args)
            .env("PLUMBLINE_DATA_DIR", dir.path())
            .env_remove("DATABASE_URL")
            .output()
            .expect("run plumbline import")
    };
    for (kind, file) in [("teams", &teams), ("services", &services)] {
        let output = import(&["--kind".as_ref(), kind.as_ref(), file.as_os_str()]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }

    // The format is detected from the content; the table names it and the batch.
    let statuspage = fixtures.join("statuspage.json");
    let output = import(&[statuspage.as_os_str()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("statuspage") && stdout.contains("applied as batch"), "{stdout}");

    // A refused file: its problems are listed, the exit status says so, and the good file
    // beside it is still applied (each file is its own transaction).
    let unmapped = fixtures.join("statuspage-unmapped.json");
    let pagerduty = fixtures.join("pagerduty.csv");
    let output = import(&["--format".as_ref(), "statuspage".as_ref(), unmapped.as_os_str()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("Legacy Storefront") && stderr.contains("refused"), "{stderr}");
    let output = import(&[pagerduty.as_os_str(), unmapped.as_os_str()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success());
    assert!(stdout.contains("pagerduty") && stdout.contains("REFUSED"), "{stdout}");

    // Re-importing is idempotent: everything unchanged.
    let output = import(&["--dry-run".as_ref(), statuspage.as_os_str()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success() && stdout.contains("dry run"), "{stdout}");
}
