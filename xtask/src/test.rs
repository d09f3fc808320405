//! `cargo xtask test`: formatting, lints, cargo tests and the Playwright suite, ending with
//! one line `total: N passed, N failed, N skipped`. A failing step does not stop the later
//! ones; the exit code is non-zero if anything failed.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use crate::build;
use crate::tools::{self, Needs};
use crate::util::{self, Paths, Result};

const DEFAULT_TEST_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Longest `cargo test` may run, its build included (a cold build of the tests takes about
/// 15 minutes on two cores, the tests about 10): past it, a hanging test is stopped.
const CARGO_TEST_LIMIT: Duration = Duration::from_secs(50 * 60);

/// Longest the browser suite may run (about 10 minutes).
const PLAYWRIGHT_LIMIT: Duration = Duration::from_secs(25 * 60);

pub struct Options {
    pub lint: bool,
    pub e2e: bool,
}

#[derive(Default)]
struct Report {
    passed: u64,
    failed: u64,
    skipped: u64,
    problems: Vec<String>,
}

impl Report {
    fn check(&mut self, result: Result) {
        if let Err(problem) = result {
            eprintln!("error: {problem}");
            self.problems.push(problem);
        }
    }

    fn finish(self) -> ExitCode {
        println!();
        if !self.problems.is_empty() {
            println!("{} step(s) failed:", self.problems.len());
            for problem in &self.problems {
                println!("  - {problem}");
            }
        }
        println!("total: {} passed, {} failed, {} skipped", self.passed, self.failed, self.skipped);
        if self.problems.is_empty() && self.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
    }
}

pub fn test(paths: &Paths, options: Options) -> ExitCode {
    let mut report = Report::default();
    let needs = Needs {
        browser: options.e2e,
        // A database named by the caller is theirs to run.
        postgres: std::env::var_os("PLUMBLINE_TEST_DATABASE_URL").is_none(),
        test_programs: true,
    };
    if let Err(problem) = tools::ensure(paths, needs) {
        report.check(Err(problem));
        return report.finish();
    }
    if options.lint {
        for mut cmd in lint_commands() {
            report.check(util::run(&mut cmd));
        }
    }
    let result = cargo_test(paths, &mut report);
    report.check(result);
    if options.e2e {
        let built = build::build(paths, false);
        report.check(built.clone().and_then(|()| lint_openapi(paths)));
        let result = built.and_then(|()| playwright(paths, &mut report));
        report.check(result);
    }
    report.finish()
}

fn lint_commands() -> Vec<Command> {
    let commands: [&[&str]; 5] = [
        &["fmt", "--all", "--check"],
        &["clippy", "-p", "server", "--all-targets"],
        &["clippy", "-p", "app", "--lib", "--features", "ssr"],
        &[
            "clippy",
            "-p",
            "app",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--no-default-features",
            "--features",
            "hydrate",
        ],
        &["clippy", "-p", "migrations", "-p", "xtask"],
    ];
    commands
        .into_iter()
        .map(|args| {
            let mut cmd = util::cargo();
            cmd.args(args);
            if args[0] == "clippy" {
                cmd.args(["--", "-D", "warnings"]);
            }
            cmd
        })
        .collect()
}

/// `cargo test --workspace`, its output streamed and saved, its `test result:` lines summed.
fn cargo_test(paths: &Paths, report: &mut Report) -> Result {
    let log_path = paths.xtask_dir()?.join("cargo-test.log");
    let mut log = File::create(&log_path).map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let mut cmd = util::cargo();
    cmd.args(["test", "--workspace"]);
    if std::env::var_os("PLUMBLINE_TEST_DATABASE_URL").is_none() {
        cmd.env("PLUMBLINE_TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL);
    }
    cmd.stdout(Stdio::piped());
    util::announce(&cmd);
    let mut child = cmd.spawn().map_err(|e| util::not_started(&cmd, &e))?;
    let watchdog = util::Watchdog::watch(&child, CARGO_TEST_LIMIT, "cargo test");
    if let Some(stdout) = child.stdout.take() {
        let mut reader = BufReader::new(stdout);
        let mut line = Vec::new();
        let mut out = std::io::stdout();
        while reader.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
            let _ = out.write_all(&line);
            let _ = out.flush();
            let _ = log.write_all(&line);
            if let Some((passed, failed, ignored)) = parse_test_result(&String::from_utf8_lossy(&line)) {
                report.passed += passed;
                report.failed += failed;
                report.skipped += ignored;
            }
            line.clear();
        }
    }
    let status = child.wait().map_err(|e| format!("cargo test: {e}"))?;
    println!("cargo test output saved to {}", log_path.display());
    if watchdog.finish() {
        return Err(format!(
            "cargo test was stopped after {} min (a test still running is named above)",
            CARGO_TEST_LIMIT.as_secs() / 60
        ));
    }
    if status.success() { Ok(()) } else { Err(format!("cargo test failed ({status})")) }
}

/// `test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; …`
fn parse_test_result(line: &str) -> Option<(u64, u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let count = |label: &str| {
        rest.split(';')
            .map(str::trim)
            .find_map(|part| {
                let part = part.rsplit(". ").next().unwrap_or(part);
                part.strip_suffix(label)?.trim().parse::<u64>().ok()
            })
            .unwrap_or(0)
    };
    Some((count(" passed"), count(" failed"), count(" ignored")))
}

/// Runs the Playwright suite against the debug build and reads its JSON report.
/// The REST API's OpenAPI description, as the server generates it, through Redocly's linter
/// (an end2end npm package): invalid OpenAPI 3.1 fails the step.
fn lint_openapi(paths: &Paths) -> Result {
    let document = paths.xtask_dir()?.join("openapi.json");
    let output = Command::new(paths.server_bin(false))
        .arg("openapi")
        .output()
        .map_err(|e| format!("cannot run plumbline openapi: {e}"))?;
    if !output.status.success() {
        return Err(format!("plumbline openapi failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    fs::write(&document, &output.stdout).map_err(|e| format!("cannot write {}: {e}", document.display()))?;
    let mut cmd = Command::new("npx");
    cmd.args(["redocly", "lint", "--format=stylish"]).arg(&document).current_dir(paths.root.join("end2end"));
    util::run_within(&mut cmd, Duration::from_secs(5 * 60), "the OpenAPI lint")
}

fn playwright(paths: &Paths, report: &mut Report) -> Result {
    let json_path = paths.xtask_dir()?.join("playwright.json");
    if json_path.exists() {
        fs::remove_file(&json_path).map_err(|e| format!("cannot remove {}: {e}", json_path.display()))?;
    }
    // `list` streams progress; `json` goes to the file named by PLAYWRIGHT_JSON_OUTPUT_FILE.
    let mut cmd = Command::new("npx");
    cmd.args(["playwright", "test", "--reporter=list,json"])
        .current_dir(paths.root.join("end2end"))
        .env("PLAYWRIGHT_JSON_OUTPUT_FILE", &json_path)
        .env("PLUMBLINE_BIN", paths.server_bin(false))
        .env("LEPTOS_SITE_ROOT", &paths.site);
    let run = util::run_within(&mut cmd, PLAYWRIGHT_LIMIT, "the browser suite");
    let stats = fs::read_to_string(&json_path).ok().and_then(|json| playwright_stats(&json));
    match stats {
        Some(stats) => {
            println!("Playwright report saved to {}", json_path.display());
            report.passed += stats.expected + stats.flaky;
            report.failed += stats.unexpected;
            report.skipped += stats.skipped;
            run
        }
        None => Err(match run {
            Err(problem) => format!("{problem} (and no JSON report at {})", json_path.display()),
            Ok(()) => format!("Playwright wrote no readable report at {}", json_path.display()),
        }),
    }
}

struct PlaywrightStats {
    expected: u64,
    unexpected: u64,
    skipped: u64,
    flaky: u64,
}

/// Reads the flat `"stats": {…}` object of Playwright's JSON report.
fn playwright_stats(json: &str) -> Option<PlaywrightStats> {
    let start = json.rfind("\"stats\"")?;
    let object = &json[start..];
    let object = &object[..=object.find('}')?];
    let field = |name: &str| -> Option<u64> {
        let key = format!("\"{name}\"");
        let after = &object[object.find(&key)? + key.len()..];
        let value = after.trim_start().strip_prefix(':')?.trim_start();
        let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    Some(PlaywrightStats {
        expected: field("expected")?,
        unexpected: field("unexpected")?,
        skipped: field("skipped")?,
        flaky: field("flaky").unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::{parse_test_result, playwright_stats};

    #[test]
    fn sums_cargo_result_lines() {
        let ok = "test result: ok. 12 passed; 0 failed; 3 ignored; 0 measured; 0 filtered out; finished in 0.01s";
        assert_eq!(parse_test_result(ok), Some((12, 0, 3)));
        let failed = "test result: FAILED. 4 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out";
        assert_eq!(parse_test_result(failed), Some((4, 2, 0)));
        assert_eq!(parse_test_result("running 3 tests"), None);
    }

    #[test]
    fn reads_playwright_stats() {
        let json = r#"{"suites": [], "errors": [], "stats": {"startTime": "2026-01-01T00:00:00.000Z",
            "duration": 4321.5, "expected": 2, "skipped": 1, "unexpected": 1, "flaky": 0}}"#;
        let stats = playwright_stats(json).map(|s| (s.expected, s.unexpected, s.skipped, s.flaky));
        assert_eq!(stats, Some((2, 1, 1, 0)));
    }
}
