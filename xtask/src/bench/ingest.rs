//! `cargo xtask bench-ingest [--rows N]`: SLO-measurement CSV through the HTTP API into a fresh
//! Postgres database, against `COPY` (psql `\copy`) of the same rows into an empty copy of the
//! table, in one run. Prints rows/s for both, their ratio, and the server's peak memory.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use super::server::{Server, psql, wait_ready};
use crate::tools;
use crate::util::{Paths, Result, cargo, run};

const SLOS_PER_SERVICE: u64 = 10;
const DAYS: u64 = 1000;
const PORT: u16 = 3977;

pub fn bench_ingest(paths: &Paths, rows: u64) -> ExitCode {
    match bench(paths, rows.max(DAYS)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-ingest failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn curl_post(path: &str, content_type: &str, file: &Path) -> Result<String> {
    let output = Command::new("curl")
        .args(["-sS", "--fail-with-body", "-X", "POST", "-H"])
        .arg(format!("content-type: {content_type}"))
        .arg("-T")
        .arg(file)
        .arg(format!("http://127.0.0.1:{PORT}{path}"))
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    let body = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() { Ok(body) } else { Err(format!("POST {path} failed: {body}")) }
}

fn bench(paths: &Paths, rows: u64) -> Result {
    tools::ensure_postgres()?;
    run(cargo().current_dir(&paths.root).args(["build", "--release", "-p", "server"]))?;
    let services = rows.div_ceil(SLOS_PER_SERVICE * DAYS);
    let database = format!("plumbline_bench_{}", std::process::id());
    psql("postgres", &format!("DROP DATABASE IF EXISTS {database}"))?;
    psql("postgres", &format!("CREATE DATABASE {database}"))?;
    let outcome = bench_in(paths, rows, services, &database);
    psql("postgres", &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))?;
    outcome
}

fn bench_in(paths: &Paths, rows: u64, services: u64, database: &str) -> Result {
    let work = paths.xtask_dir()?.join("bench");
    fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let server = Server(
        Command::new(paths.server_bin(true))
            .arg("serve")
            .env("DATABASE_URL", format!("postgres://postgres@127.0.0.1:5432/{database}"))
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{PORT}"))
            .env("PLUMBLINE_DEMO", "off")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?,
    );
    wait_ready(PORT)?;

    // The organisation the measurements refer to.
    let setup = work.join("setup.csv");
    write_file(&setup, |w| writeln!(w, "slug,name\nbench,Bench team"))?;
    curl_post("/api/v1/teams", "text/csv", &setup)?;
    write_file(&setup, |w| {
        writeln!(w, "slug,name,tier,team")?;
        (0..services).try_for_each(|s| writeln!(w, "svc-{s},Service {s},1,bench"))
    })?;
    curl_post("/api/v1/services", "text/csv", &setup)?;
    write_file(&setup, |w| {
        writeln!(w, "service,slug,name,indicator,objective")?;
        (0..services).try_for_each(|s| {
            (0..SLOS_PER_SERVICE).try_for_each(|o| writeln!(w, "svc-{s},slo-{o},SLO {o},availability,99.9"))
        })
    })?;
    curl_post("/api/v1/slos", "text/csv", &setup)?;

    // The same rows twice: by slugs for the API, by SLO id for COPY.
    let ids = psql(
        database,
        "SELECT s.slug || ',' || o.slug || ',' || o.id FROM slo o JOIN service s ON s.id = o.service_id",
    )?;
    let slo_ids: std::collections::HashMap<(String, String), String> = ids
        .lines()
        .filter_map(|l| {
            let mut parts = l.split(',');
            Some(((parts.next()?.to_owned(), parts.next()?.to_owned()), parts.next()?.to_owned()))
        })
        .collect();
    let api_csv = work.join("measurements.csv");
    let copy_csv = work.join("measurements-copy.csv");
    let mut api = BufWriter::new(File::create(&api_csv).map_err(|e| e.to_string())?);
    let mut copy = BufWriter::new(File::create(&copy_csv).map_err(|e| e.to_string())?);
    writeln!(api, "service,slo,day,good,total").map_err(|e| e.to_string())?;
    for i in 0..rows {
        let (service, slo, day) = (i / (SLOS_PER_SERVICE * DAYS), (i / DAYS) % SLOS_PER_SERVICE, i % DAYS);
        let date = day_string(day);
        let total = 10_000 + (i * 7919) % 5000;
        let good = total - (i * 104_729) % 13;
        let key = (format!("svc-{service}"), format!("slo-{slo}"));
        let id = slo_ids.get(&key).ok_or("missing SLO id")?;
        writeln!(api, "{},{},{date},{good},{total}", key.0, key.1).map_err(|e| e.to_string())?;
        writeln!(copy, "{id},{date},{good},{total},1,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z")
            .map_err(|e| e.to_string())?;
    }
    api.flush().map_err(|e| e.to_string())?;
    copy.flush().map_err(|e| e.to_string())?;
    let size_mib = fs::metadata(&api_csv).map_err(|e| e.to_string())?.len() as f64 / 1_048_576.0;

    println!("ingesting {rows} rows ({size_mib:.1} MiB of CSV) through POST /api/v1/slo-measurements …");
    let started = Instant::now();
    let reply = curl_post("/api/v1/slo-measurements", "text/csv", &api_csv)?;
    let api_secs = started.elapsed().as_secs_f64();
    if !reply.contains(&format!("\"created\":{rows}")) {
        return Err(format!("unexpected reply: {reply}"));
    }
    let peak = server.peak_mib()?;
    let stored: u64 = psql(database, "SELECT count(*) FROM slo_measurement")?.parse().map_err(|_| "bad count")?;

    println!("loading the same rows with COPY into an empty copy of the table …");
    psql(database, "CREATE TABLE bench_copy (LIKE slo_measurement INCLUDING ALL)")?;
    let started = Instant::now();
    psql(
        database,
        &format!(
            "\\copy bench_copy (slo_id, day, good, total, import_batch_id, created_at, updated_at) FROM '{}' WITH (FORMAT csv)",
            copy_csv.display()
        ),
    )?;
    let copy_secs = started.elapsed().as_secs_f64();
    let copied: u64 = psql(database, "SELECT count(*) FROM bench_copy")?.parse().map_err(|_| "bad count")?;

    let api_rate = rows as f64 / api_secs;
    let copy_rate = rows as f64 / copy_secs;
    println!();
    println!("| method                         | rows      | seconds | rows/s    |");
    println!("|--------------------------------|-----------|---------|-----------|");
    println!("| HTTP API (CSV, streamed)       | {stored:>9} | {api_secs:>7.2} | {api_rate:>9.0} |");
    println!("| psql \\copy into a table copy   | {copied:>9} | {copy_secs:>7.2} | {copy_rate:>9.0} |");
    println!();
    println!("API / COPY throughput: {:.0} % (target ≥ 40 %)", 100.0 * api_rate / copy_rate);
    println!("server peak memory (VmHWM): {peak:.0} MiB (target < 300 MiB)");
    let _ = fs::remove_file(&api_csv);
    let _ = fs::remove_file(&copy_csv);
    Ok(())
}

fn day_string(offset: u64) -> String {
    // Days from 2023-01-01 without a date library: walk the months.
    let mut year = 2023u64;
    let mut day = offset;
    loop {
        let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let months = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let year_days: u64 = months.iter().sum();
        if day >= year_days {
            day -= year_days;
            year += 1;
            continue;
        }
        for (index, length) in months.iter().enumerate() {
            if day < *length {
                return format!("{year}-{:02}-{:02}", index + 1, day + 1);
            }
            day -= length;
        }
    }
}

fn write_file(path: &Path, body: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>) -> Result {
    let mut writer = BufWriter::new(File::create(path).map_err(|e| e.to_string())?);
    body(&mut writer).and_then(|()| writer.flush()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn day_strings_walk_the_calendar() {
        assert_eq!(super::day_string(0), "2023-01-01");
        assert_eq!(super::day_string(59), "2023-03-01");
        assert_eq!(super::day_string(365 + 59), "2024-02-29");
        assert_eq!(super::day_string(999), "2025-09-26");
    }
}
