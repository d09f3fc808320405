//! `cargo xtask bench-evidence [--reps N] [--reload]`: evidence packs from the `--scale large`
//! demo organisation in Postgres (the database `bench-kpis` uses), through a release server:
//! for a quarter and for 12 months ending with the last closed quarter, the time to first byte,
//! total time, pack size and the server's memory growth during the download (resident memory
//! sampled every 10 ms, against the idle server just before). In the same run, `zip -r` (level 6,
//! as the pack) compresses the very CSV files the pack holds; the throughput ratio compares the
//! two on the same uncompressed bytes. Medians of the repetitions are reported.

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::kpis::{PORT, Scale, ensure_demo, last_closed_quarter, median, quarter_bounds, start};
use crate::tools;
use crate::util::{Paths, Result, cargo, run};

pub struct Options {
    pub reps: usize,
    pub reload: bool,
}

pub fn bench_evidence(paths: &Paths, options: &Options) -> ExitCode {
    match bench(paths, options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-evidence failed: {error}");
            ExitCode::FAILURE
        }
    }
}

struct Sample {
    first_byte: f64,
    total: f64,
    bytes: u64,
    growth_mib: f64,
    csv_bytes: u64,
    zip_secs: f64,
}

fn bench(paths: &Paths, options: &Options) -> Result {
    tools::ensure_postgres()?;
    run(cargo().current_dir(&paths.root).args(["build", "--release", "-p", "server"]))?;
    ensure_demo(paths, Scale::Large, options.reload)?;
    let quarter = last_closed_quarter()?;
    let (from, end) = quarter_bounds(&quarter)?;
    let to = day_before(&end)?;
    let year_from = format!("{}{}", end[..4].parse::<u32>().map_err(|e| e.to_string())? - 1, &end[4..]);
    let windows = [(quarter.clone(), from, to.clone()), ("12 months".to_owned(), year_from, to)];
    let scratch = tempdir()?;
    let mut rows = Vec::new();
    for (label, from, to) in &windows {
        let mut samples = Vec::new();
        for rep in 1..=options.reps {
            let sample = measure(paths, &scratch, from, to)?;
            println!(
                "{label} rep {rep}: first byte {:.3} s, total {:.2} s, {:.1} MiB pack ({:.1} MiB of CSV), \
                 memory growth {:.1} MiB, zip -r {:.2} s",
                sample.first_byte,
                sample.total,
                mib(sample.bytes),
                mib(sample.csv_bytes),
                sample.growth_mib,
                sample.zip_secs
            );
            samples.push(sample);
        }
        rows.push((label.clone(), from.clone(), to.clone(), samples));
    }
    println!();
    println!(
        "| window (median of {} runs) | first byte | total | pack | CSV | memory growth | zip -r | our throughput ÷ zip -r |",
        options.reps
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (label, from, to, samples) in rows {
        let pick = |f: fn(&Sample) -> f64| median(samples.iter().map(f).collect());
        let ratio = pick(|s| s.zip_secs / s.total);
        println!(
            "| {label} ({from} – {to}) | {:.3} s | {:.2} s | {:.1} MiB | {:.1} MiB | {:.1} MiB | {:.2} s | {:.0} % |",
            pick(|s| s.first_byte),
            pick(|s| s.total),
            pick(|s| mib(s.bytes)),
            pick(|s| mib(s.csv_bytes)),
            pick(|s| s.growth_mib),
            pick(|s| s.zip_secs),
            ratio * 100.0
        );
    }
    println!();
    println!("targets: first byte ≤ 1 s; memory growth ≤ 100 MB whatever the window; throughput ≥ 50 % of zip -r");
    let _ = fs::remove_dir_all(&scratch);
    Ok(())
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn measure(paths: &Paths, scratch: &Path, from: &str, to: &str) -> Result<Sample> {
    let server = start(paths, Scale::Large)?;
    let pid = server.0.id();
    // Settle, then take the idle server's resident memory as the baseline.
    std::thread::sleep(Duration::from_millis(300));
    let baseline = rss_kib(pid)?;
    let peak = Arc::new(AtomicU64::new(baseline));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (Arc::clone(&peak), Arc::clone(&done));
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Ok(kib) = rss_kib(pid) {
                    peak.fetch_max(kib, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    let pack = scratch.join("pack.zip");
    let output = Command::new("curl")
        .args(["-sS", "-o"])
        .arg(&pack)
        .args(["-w", "%{http_code} %{time_starttransfer} %{time_total} %{size_download}"])
        .arg(format!("http://127.0.0.1:{PORT}/api/v1/evidence?from={from}&to={to}"))
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    drop(server);
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let parts: Vec<&str> = text.split_whitespace().collect();
    let number = |i: usize| parts.get(i).and_then(|v| v.parse::<f64>().ok());
    let (Some(&"200"), Some(first_byte), Some(total), Some(bytes)) = (parts.first(), number(1), number(2), number(3))
    else {
        return Err(format!("GET /api/v1/evidence failed: {text} {}", String::from_utf8_lossy(&output.stderr)));
    };
    let growth_mib = (peak.load(Ordering::Relaxed).saturating_sub(baseline)) as f64 / 1024.0;

    // The same CSV files through zip -r, on the same machine in the same run.
    let unpacked = scratch.join("unpacked");
    let _ = fs::remove_dir_all(&unpacked);
    run(Command::new("unzip").args(["-q", "-o"]).arg(&pack).arg("-d").arg(&unpacked))?;
    let csv_bytes = csv_size(&unpacked)?;
    let zipped = scratch.join("zip-r.zip");
    let _ = fs::remove_file(&zipped);
    let started = Instant::now();
    run(Command::new("zip").args(["-r", "-q", "-6"]).arg(&zipped).arg(".").current_dir(&unpacked))?;
    let zip_secs = started.elapsed().as_secs_f64();
    Ok(Sample { first_byte, total, bytes: bytes as u64, growth_mib, csv_bytes, zip_secs })
}

fn csv_size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in fs::read_dir(dir).map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        let meta = entry.metadata().map_err(|e| e.to_string())?;
        total += if meta.is_dir() { csv_size(&entry.path())? } else { meta.len() };
    }
    Ok(total)
}

fn rss_kib(pid: u32) -> Result<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).ok_or("no VmRSS in /proc status")?;
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).ok_or_else(|| "bad VmRSS".to_owned())
}

fn day_before(day: &str) -> Result<String> {
    let output = Command::new("date")
        .args(["-u", "-d", &format!("{day} - 1 day"), "+%Y-%m-%d"])
        .output()
        .map_err(|e| format!("cannot run date: {e}"))?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn tempdir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("plumbline-bench-evidence-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}
