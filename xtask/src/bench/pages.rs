//! `cargo xtask bench-pages [--seconds N] [--reload]`: the pages under load, on the `--scale
//! large` demo organisation in Postgres (the database `bench-kpis` loads), through a release
//! server and site. For the overview, the services list, a service page and the last closed
//! quarter's report, and beside them a static asset of the same server as the reference, `wrk`
//! on loopback (32 connections, 2 threads, N seconds each, default 30) reports p50/p99 latency
//! and requests/s. The server's start-up recompute is waited for and each page is requested
//! once first, so the run measures serving figures already computed (the open quarter's are
//! recomputed every minute while requests are still served, see `server/src/kpis/cache.rs`).
//! Then the hydrate bundle's gzipped size: WASM + JS.
//! Targets: p99 ≤ 150 ms for every page; WASM + JS ≤ 400 KB gzipped.
//!
//! `--import-every S` imports one SLO measurement of today (a real change each time) every S
//! seconds while each page is measured: pages are then served the last computed figures while
//! newer ones are computed in the background, and the run prints how many recomputes ran and
//! how long they took (from `/metrics`). Before the pages, the eight-quarter trend of the REST
//! API is timed cold (first request after start, nothing stored), warm, after an import of
//! today (with how many quarters that import made it recompute), and after a restart, when the
//! closed quarters are read from the database (`server/src/kpis/stored.rs`). Right after that
//! restart, the overview's first request is timed: it is served from the figures the previous
//! server kept (`server/src/kpis/kept.rs`), not computed while the reader waits.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use super::kpis::{Scale, ensure_demo, last_closed_quarter};
use super::server::{Server, psql, wait_ready};
use crate::util::{Paths, Result, run};
use crate::{build, tools};

const PORT: u16 = 3979;

pub struct Options {
    pub seconds: u32,
    /// Import one row every this many seconds while measuring.
    pub import_every: Option<u32>,
    pub reload: bool,
    pub scale: Scale,
}

pub fn bench_pages(paths: &Paths, options: &Options) -> ExitCode {
    match bench(paths, options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-pages failed: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `wrk` from Debian, installed when missing.
fn ensure_wrk() -> Result {
    if Path::new("/usr/bin/wrk").exists() {
        return Ok(());
    }
    run(Command::new("sh")
        .args(["-c", "apt-get update && apt-get install -y wrk"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

struct Measured {
    label: String,
    p50_ms: f64,
    p99_ms: f64,
    requests_per_s: f64,
    errors: String,
}

/// `12.34ms`, `1.02s`, `850.00us` → milliseconds.
fn millis(text: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (text, 1.0)
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

fn parse_wrk(label: &str, output: &str) -> Result<Measured> {
    let percentile = |p: &str| {
        output
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with(p))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(millis)
            .ok_or_else(|| format!("no {p} latency in wrk's output:\n{output}"))
    };
    let requests_per_s = output
        .lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no Requests/sec in wrk's output:\n{output}"))?;
    let errors = output
        .lines()
        .filter(|l| l.contains("Non-2xx") || l.contains("Socket errors"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("; ");
    Ok(Measured {
        label: label.to_owned(),
        p50_ms: percentile("50%")?,
        p99_ms: percentile("99%")?,
        requests_per_s,
        errors,
    })
}

fn curl(path: &str) -> Result<String> {
    let output = Command::new("curl")
        .args(["-sS", "--fail-with-body"])
        .arg(format!("http://127.0.0.1:{PORT}{path}"))
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    let body = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() { Ok(body) } else { Err(format!("GET {path} failed: {body}")) }
}

fn post(path: &str, body: &str) -> Result<String> {
    let output = Command::new("curl")
        .args(["-sS", "--fail-with-body", "-H", "content-type: application/json", "--data-binary", body])
        .arg(format!("http://127.0.0.1:{PORT}{path}"))
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() { Ok(text) } else { Err(format!("POST {path} failed: {text}")) }
}

/// The sum of a metric's series whose labels contain `labels`, from `/metrics`.
fn metric(name: &str, labels: &str) -> Result<f64> {
    let text = curl("/metrics")?;
    Ok(text
        .lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']) && l.contains(labels))
        .filter_map(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()))
        .sum())
}

/// Imports today's measurement of one SLO, a different value each call.
#[derive(Clone)]
struct Importer {
    service: String,
    slo: String,
    day: String,
}

impl Importer {
    fn find() -> Result<Importer> {
        let listed = curl("/api/v1/slos?limit=1")?;
        let field = |name: &str| {
            listed
                .split(&format!("\"{name}\":\""))
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .map(str::to_owned)
                .ok_or_else(|| format!("no {name} in {listed}"))
        };
        let output = Command::new("date").args(["-u", "+%Y-%m-%d"]).output().map_err(|e| format!("date: {e}"))?;
        let day = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        Ok(Importer { service: field("service")?, slo: field("slug")?, day })
    }

    /// A value no earlier run sent for today (a re-sent value changes nothing, and would not be
    /// an import to measure).
    fn import(&self, n: u64) -> Result {
        let salt = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let good = 100_000 - ((n + salt) % 997);
        let body = format!(
            r#"[{{"service":"{}","slo":"{}","day":"{}","good":{good},"total":100000}}]"#,
            self.service, self.slo, self.day
        );
        post("/api/v1/slo-measurements", &body).map(|_| ())
    }
}

/// Times one request of the eight-quarter trend, and prints it.
fn time_trend(what: &str) -> Result<f64> {
    time_path("/api/v1/kpis/trend", what)
}

fn time_path(path: &str, what: &str) -> Result<f64> {
    Ok(timed_get(path, &format!("eight-quarter trend, {what}"))?.0)
}

/// One request of `path`, timed and printed; its time in ms and its body.
fn timed_get(path: &str, what: &str) -> Result<(f64, String)> {
    let started = std::time::Instant::now();
    let body = curl(path)?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    println!("{what}: {ms:.0} ms");
    Ok((ms, body))
}

/// The overview right after a restart: served from the figures the server before it kept in
/// the database, while its own start-up recompute runs.
fn overview_after_restart() -> Result {
    let (_, html) = timed_get("/", "overview, first request after a restart (the kept figures)")?;
    let outdated = html.contains("data-testid=\"recomputing\"");
    println!("  served {}", if outdated { "as outdated, newer figures being computed" } else { "as current" });
    Ok(())
}

/// What breaks next over 90 days, of a team and of the whole organisation: computed, then
/// again (kept for the day and the data version).
fn forecasts(team: &str) -> Result {
    let scopes = [("a team", format!("team:{team}")), ("the organisation", "org".to_owned())];
    for (label, scope) in scopes {
        let path = format!("/api/v1/forecast?scope={scope}&horizon_days=90");
        timed_get(&path, &format!("forecast of {label}, 90 days, computed"))?;
        timed_get(&path, &format!("forecast of {label}, again"))?;
    }
    Ok(())
}

/// The eight-quarter trend: cold (nothing stored), warm, and after an import of today only.
fn trend(importer: &Importer) -> Result {
    let misses = || metric("plumbline_figures_cache_lookups_total", "cache=\"kpis\",result=\"miss\"");
    time_trend("first request after start, nothing stored")?;
    time_trend("again")?;
    time_path(&closed_quarters()?, "the eight last closed quarters (one more to compute and store)")?;
    importer.import(0)?;
    let before = misses()?;
    time_trend("after an import of today's SLO measurement")?;
    let recomputed = misses()? - before;
    println!(
        "  KPI cache misses meanwhile: {recomputed:.0} (the running quarter, for the trend and for the warm-figures \
         job the import queued; the closed quarters stay valid)"
    );
    Ok(())
}

/// After a restart: the closed quarters are read from the database; the running one is
/// computed (the REST API answers with current figures).
fn trend_after_restart() -> Result {
    let stored_hits = || metric("plumbline_figures_cache_lookups_total", "cache=\"stored\",result=\"hit\"");
    let before = stored_hits()?;
    time_path(
        &closed_quarters()?,
        "first request after a restart, the eight last closed quarters (stored; target ≤ 200 ms)",
    )?;
    println!("  closed quarters read from the database: {:.0}", stored_hits()? - before);
    time_trend("then the default trend, ending with the running quarter (computed)")?;
    Ok(())
}

/// Waits until the server's background work after its start (the warm-figures job computing
/// the running periods) is done, so the pages are measured serving, not beside a recompute
/// (`--import-every` measures that on purpose).
fn settle() -> Result {
    let started = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_secs(2));
    loop {
        let pending = metric("plumbline_jobs", "kind=\"warm-figures\",state=\"queued\"")?
            + metric("plumbline_jobs", "kind=\"warm-figures\",state=\"running\"")?;
        if pending == 0.0 {
            println!("startup recompute done after {:.1} s", started.elapsed().as_secs_f64());
            return Ok(());
        }
        if started.elapsed() > std::time::Duration::from_secs(300) {
            return Err("the warm-figures job did not finish within 5 minutes".into());
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

/// The trend of the eight last closed quarters.
fn closed_quarters() -> Result<String> {
    let closed = last_closed_quarter()?;
    let first = (0..7).try_fold(closed.clone(), |quarter, _| previous_quarter(&quarter))?;
    Ok(format!("/api/v1/kpis/trend?from={first}&to={closed}"))
}

/// The quarter before `quarter` (`2026-Q1` → `2025-Q4`).
fn previous_quarter(quarter: &str) -> Result<String> {
    let (year, q) = quarter.split_once("-Q").ok_or_else(|| format!("not a quarter: {quarter}"))?;
    let (year, q): (i32, u32) = (
        year.parse().map_err(|_| format!("bad year in {quarter}"))?,
        q.parse().map_err(|_| format!("bad quarter in {quarter}"))?,
    );
    Ok(if q == 1 { format!("{}-Q4", year - 1) } else { format!("{year}-Q{}", q - 1) })
}

/// The server under test on the bench database.
fn start_server(paths: &Paths, scale: Scale) -> Result<Server> {
    let server = Server(
        Command::new(paths.server_bin(true))
            .arg("serve")
            .env("DATABASE_URL", scale.database_url())
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{PORT}"))
            .env("LEPTOS_SITE_ROOT", &paths.site)
            .env("PLUMBLINE_DEMO", "off")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?,
    );
    wait_ready(PORT)?;
    Ok(server)
}

fn gzipped_size(file: &Path) -> Result<u64> {
    let output =
        Command::new("gzip").args(["-9", "-c"]).arg(file).output().map_err(|e| format!("cannot run gzip: {e}"))?;
    if !output.status.success() {
        return Err(format!("gzip {} failed: {}", file.display(), String::from_utf8_lossy(&output.stderr)));
    }
    Ok(output.stdout.len() as u64)
}

fn bench(paths: &Paths, options: &Options) -> Result {
    // The site is built too: the wasm target and its tools, as `cargo xtask build` installs them.
    tools::ensure(paths, tools::Needs { postgres: true, ..tools::Needs::NONE })?;
    ensure_wrk()?;
    build::build(paths, true)?;
    let scale = options.scale;
    ensure_demo(paths, scale, options.reload)?;
    // Cold means nothing computed before, in memory or stored (the table exists once a server
    // of this version has started on the database).
    psql(
        scale.database(),
        "DO $$ BEGIN IF to_regclass('stored_figure') IS NOT NULL THEN DELETE FROM stored_figure; END IF; END $$",
    )?;
    let server = start_server(paths, scale)?;
    let importer = Importer::find()?;
    trend(&importer)?;
    // Its start-up recompute done, this server has kept the running period's figures.
    settle()?;
    drop(server);
    let _server = start_server(paths, scale)?;
    overview_after_restart()?;
    trend_after_restart()?;
    settle()?;
    let quarter = last_closed_quarter()?;
    // A tier-0 service of the large organisation: the first of the scorecards.
    let cards = curl(&format!("/api/v1/scorecards?period={quarter}&tier=0"))?;
    let service = cards
        .split("\"service\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("no service in the scorecards")?
        .to_owned();
    let team = cards
        .split("\"team\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("no team in the scorecards")?
        .to_owned();
    forecasts(&team)?;
    let targets = [
        ("overview (current quarter)", "/".to_owned()),
        ("services list", "/services".to_owned()),
        ("service page", format!("/services/{service}")),
        ("team page", format!("/teams/{team}")),
        ("quarterly report", format!("/reports/{quarter}")),
        ("static asset (reference)", "/pkg/plumbline.css".to_owned()),
    ];
    if let Some(every) = options.import_every {
        println!("importing one SLO measurement of {} every {every} s while measuring", importer.day);
    }
    let recomputes_before = metric("plumbline_figures_recompute_duration_seconds_count", "")?;
    let recompute_seconds_before = metric("plumbline_figures_recompute_duration_seconds_sum", "")?;
    let mut results = Vec::new();
    for (label, path) in &targets {
        let started = std::time::Instant::now();
        curl(path)?;
        println!("{label}: first request {:.2} s", started.elapsed().as_secs_f64());
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let imports = options.import_every.map(|every| {
            let (stop, importer) = (stop.clone(), importer.clone());
            std::thread::spawn(move || {
                let mut n = 1;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    if let Err(error) = importer.import(n) {
                        eprintln!("import failed: {error}");
                    }
                    n += 1;
                    for _ in 0..every * 10 {
                        if stop.load(std::sync::atomic::Ordering::SeqCst) {
                            break;
                        }
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                }
                n - 1
            })
        });
        let output = Command::new("wrk")
            .args(["-t2", "-c32", &format!("-d{}s", options.seconds), "--latency", "--timeout", "10s"])
            .arg(format!("http://127.0.0.1:{PORT}{path}"))
            .output()
            .map_err(|e| format!("cannot run wrk: {e}"))?;
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let imported = imports.map(|thread| thread.join().unwrap_or(0));
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let measured = parse_wrk(label, &text)?;
        if let Some(imported) = imported {
            println!("{label}: {imported} imports during the measurement");
        }
        println!(
            "{label}: p50 {:.1} ms, p99 {:.1} ms, {:.0} requests/s {}",
            measured.p50_ms, measured.p99_ms, measured.requests_per_s, measured.errors
        );
        results.push(measured);
    }

    let recomputes = metric("plumbline_figures_recompute_duration_seconds_count", "")? - recomputes_before;
    let recompute_seconds = metric("plumbline_figures_recompute_duration_seconds_sum", "")? - recompute_seconds_before;
    println!(
        "background recomputes while measuring: {recomputes:.0}, {:.0} ms each on average (readers were served the last figures meanwhile)",
        if recomputes > 0.0 { recompute_seconds * 1000.0 / recomputes } else { 0.0 }
    );
    let pkg = paths.site.join("pkg");
    let wasm = gzipped_size(&pkg.join("plumbline.wasm"))?;
    let js = gzipped_size(&pkg.join("plumbline.js"))?;
    println!();
    let mode = match options.import_every {
        Some(every) => format!("{} s, 32 conn., import every {every} s", options.seconds),
        None => format!("{} s, 32 connections", options.seconds),
    };
    println!("| page ({mode:<26}) | p50 ms | p99 ms | requests/s | p99 target |");
    println!("|----------------------------------|--------|--------|------------|------------|");
    for m in &results {
        let target = if m.label.starts_with("static") { "reference" } else { "≤ 150 ms" };
        println!(
            "| {:<32} | {:>6.1} | {:>6.1} | {:>10.0} | {target:<10} |",
            m.label, m.p50_ms, m.p99_ms, m.requests_per_s
        );
    }
    println!();
    println!(
        "hydrate bundle, gzipped: WASM {:.0} KB + JS {:.0} KB = {:.0} KB (target ≤ 400 KB)",
        wasm as f64 / 1024.0,
        js as f64 / 1024.0,
        (wasm + js) as f64 / 1024.0
    );
    let failing: Vec<&str> = results
        .iter()
        .filter(|m| !m.label.starts_with("static") && m.p99_ms > 150.0)
        .map(|m| m.label.as_str())
        .collect();
    if !failing.is_empty() {
        println!("p99 above 150 ms: {}", failing.join(", "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_step_back_across_years() {
        assert_eq!(previous_quarter("2026-Q3").as_deref(), Ok("2026-Q2"));
        assert_eq!(previous_quarter("2026-Q1").as_deref(), Ok("2025-Q4"));
        assert!(previous_quarter("2026-07").is_err());
    }

    #[test]
    fn wrk_output_is_read() {
        let output = "Running 30s test\n  Latency Distribution\n     50%   12.50ms\n     75%   20.00ms\n     90%   \
                      1.20s\n     99%  850.00us\n  1000 requests in 30.00s\nRequests/sec:    333.33\nTransfer/sec: 1MB\n";
        let m = super::parse_wrk("x", output).expect("parsed");
        assert_eq!((m.p50_ms, m.p99_ms, m.requests_per_s), (12.5, 0.85, 333.33));
        assert_eq!(super::millis("1.20s"), Some(1200.0));
    }
}
