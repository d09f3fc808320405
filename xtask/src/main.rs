//! Plumbline's build driver, run as `cargo xtask <command>` (std only, no dependencies).
//!
//! It builds the server and the WASM bundle with plain cargo and wasm-bindgen, so a first
//! run does not wait on a cargo-leptos install. See README.md for the commands.

mod bench;
mod build;
mod run;
mod test;
mod tools;
mod util;

use std::process::ExitCode;

use util::{Paths, Result};

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  build [--release]            build the server and the site (WASM bundle, CSS, assets)
  ensure-tools                 install missing tools (wasm target, wasm-bindgen-cli, rustfmt,
                               clippy, chromium, end2end npm packages) and start Postgres
  run [--empty] [--release]    build, then serve from the repo root (--empty: PLUMBLINE_DEMO=off)
  test [--no-lint] [--no-e2e]  fmt, clippy, cargo test, Playwright; ends with a `total:` line
  bench-ingest [--rows N]      ingestion benchmark: HTTP API vs COPY on Postgres
  bench-kpis [--period P] [--reps N] [--reload] [--scale large|xlarge]
                               KPI/scorecard benchmark on the large (or extra-large) demo in
                               Postgres: cold, warm, peak memory, and against hand-written SQL
  bench-evidence [--reps N] [--reload]
                               evidence packs (a quarter, 12 months) from the large demo in
                               Postgres: first byte, total, size, memory growth, vs zip -r
  bench-pages [--seconds N] [--import-every S] [--reload] [--scale large|xlarge]
                               the pages under load (wrk, 32 connections) on the large demo in
                               Postgres, beside a static asset; the hydrate bundle's gzipped size;
                               --import-every: a one-row import every S seconds while measuring;
                               the eight-quarter trend cold, warm and after an import of today

environment:
  CARGO_TARGET_DIR             build folder (default <repo>/target); the site goes to its site/";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> Result<ExitCode> {
    let Some((command, rest)) = args.split_first() else {
        println!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    let paths = Paths::discover()?;
    match command.as_str() {
        "build" => {
            let flags = Flags::parse(rest, &["--release"], &[])?;
            // A fresh machine lacks the wasm target and wasm-bindgen: install them first.
            tools::ensure(&paths, tools::Needs::NONE)?;
            build::build(&paths, flags.has("--release"))?;
        }
        "ensure-tools" => {
            Flags::parse(rest, &[], &[])?;
            tools::ensure(&paths, tools::Needs::ALL)?;
        }
        "run" => {
            let flags = Flags::parse(rest, &["--empty", "--release"], &[])?;
            run::run(&paths, flags.has("--empty"), flags.has("--release"))?;
        }
        "test" => {
            let flags = Flags::parse(rest, &["--no-lint", "--no-e2e"], &[])?;
            let options = test::Options { lint: !flags.has("--no-lint"), e2e: !flags.has("--no-e2e") };
            return Ok(test::test(&paths, options));
        }
        "bench-ingest" => {
            let flags = Flags::parse(rest, &[], &["--rows"])?;
            let rows = match flags.value("--rows") {
                Some(text) => parse_rows(text)?,
                None => 1_000_000,
            };
            return Ok(bench::ingest::bench_ingest(&paths, rows));
        }
        "bench-kpis" => {
            let flags = Flags::parse(rest, &["--reload"], &["--period", "--reps", "--scale"])?;
            let reps = match flags.value("--reps") {
                Some(text) => {
                    text.parse().ok().filter(|n| *n > 0).ok_or_else(|| format!("--reps expects N ≥ 1, got '{text}'"))?
                }
                None => 3,
            };
            let options = bench::kpis::Options {
                period: flags.value("--period").map(str::to_owned),
                reps,
                reload: flags.has("--reload"),
                scale: bench::kpis::Scale::parse(flags.value("--scale"))?,
            };
            return Ok(bench::kpis::bench_kpis(&paths, &options));
        }
        "bench-evidence" => {
            let flags = Flags::parse(rest, &["--reload"], &["--reps"])?;
            let reps = match flags.value("--reps") {
                Some(text) => {
                    text.parse().ok().filter(|n| *n > 0).ok_or_else(|| format!("--reps expects N ≥ 1, got '{text}'"))?
                }
                None => 3,
            };
            let options = bench::evidence::Options { reps, reload: flags.has("--reload") };
            return Ok(bench::evidence::bench_evidence(&paths, &options));
        }
        "bench-pages" => {
            let flags = Flags::parse(rest, &["--reload"], &["--seconds", "--import-every", "--scale"])?;
            let seconds = match flags.value("--seconds") {
                Some(text) => text
                    .parse()
                    .ok()
                    .filter(|n| (1..=300).contains(n))
                    .ok_or_else(|| format!("--seconds expects 1–300, got '{text}'"))?,
                None => 30,
            };
            let import_every = match flags.value("--import-every") {
                Some(text) => Some(
                    text.parse()
                        .ok()
                        .filter(|n| (1..=60).contains(n))
                        .ok_or_else(|| format!("--import-every expects 1–60 seconds, got '{text}'"))?,
                ),
                None => None,
            };
            let options = bench::pages::Options {
                seconds,
                import_every,
                reload: flags.has("--reload"),
                scale: bench::kpis::Scale::parse(flags.value("--scale"))?,
            };
            return Ok(bench::pages::bench_pages(&paths, &options));
        }
        "help" | "--help" | "-h" => println!("{USAGE}"),
        other => return Err(format!("unknown command '{other}'\n\n{USAGE}")),
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_rows(text: &str) -> Result<u64> {
    text.replace(['_', ','], "").parse().map_err(|_| format!("--rows expects a whole number, got '{text}'"))
}

/// Command-line flags: switches (`--release`) and options with a value (`--rows N`).
struct Flags {
    switches: Vec<String>,
    values: Vec<(String, String)>,
}

impl Flags {
    fn parse(args: &[String], switches: &[&str], options: &[&str]) -> Result<Flags> {
        let mut flags = Flags { switches: Vec::new(), values: Vec::new() };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (arg.as_str(), None),
            };
            if switches.contains(&name) && inline.is_none() {
                flags.switches.push(name.to_owned());
            } else if options.contains(&name) {
                let value = match inline {
                    Some(value) => value,
                    None => args.next().cloned().ok_or_else(|| format!("{name} needs a value"))?,
                };
                flags.values.push((name.to_owned(), value));
            } else {
                return Err(format!("unexpected argument '{arg}'\n\n{USAGE}"));
            }
        }
        Ok(flags)
    }

    fn has(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.values.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}
