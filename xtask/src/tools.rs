//! `cargo xtask ensure-tools`: installs what the build and the tests need, skipping what is
//! already there at the pinned version. Safe to run any number of times.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::util::{self, Paths, Result};

/// npm's binaryen: Debian's (108) produces WASM whose hydration fails.
const BINARYEN_VERSION: &str = "132";

/// Which of the optional tools a command needs.
#[derive(Clone, Copy)]
pub struct Needs {
    /// Debian chromium and the end2end npm packages (Playwright).
    pub browser: bool,
    /// A local Postgres on 127.0.0.1:5432.
    pub postgres: bool,
    /// The programs the cargo tests start themselves (Prometheus and Alertmanager; `maildev`
    /// from the end2end npm packages), whatever database they use.
    pub test_programs: bool,
}

impl Needs {
    pub const ALL: Needs = Needs { browser: true, postgres: true, test_programs: true };
    /// Only what building needs (wasm target, wasm-bindgen, wasm-opt's archive tools).
    pub const NONE: Needs = Needs { browser: false, postgres: false, test_programs: false };
}

pub fn ensure(paths: &Paths, needs: Needs) -> Result {
    ensure_wasm_target()?;
    ensure_wasm_bindgen(paths)?;
    ensure_components()?;
    ensure_archive_tools()?;
    if needs.browser {
        ensure_chromium()?;
    }
    // The browser tests' Playwright, and the SMTP server (`maildev`) the cargo tests start.
    if needs.browser || needs.test_programs {
        ensure_npm_packages(paths)?;
    }
    if needs.postgres {
        ensure_postgres()?;
    }
    if needs.test_programs {
        ensure_prometheus()?;
    }
    Ok(())
}

/// The metrics test scrapes Plumbline with Debian's Prometheus, and the alerts test has a
/// Prometheus rule fire through Debian's Alertmanager into Plumbline; both started on loopback
/// by the tests.
fn ensure_prometheus() -> Result {
    let binaries = ["/usr/bin/prometheus", "/usr/bin/prometheus-alertmanager"];
    if binaries.iter().all(|b| Path::new(b).exists()) {
        println!("ok: {}", binaries.join(", "));
        return Ok(());
    }
    util::run(
        Command::new("sh")
            .args([
                "-c",
                "apt-get update && apt-get install -y --no-install-recommends prometheus prometheus-alertmanager",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn ensure_wasm_target() -> Result {
    let installed = util::probe(Command::new("rustup").args(["target", "list", "--installed"]))
        .ok_or("cannot list rustup targets: is Rust installed through rustup?")?;
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        println!("ok: wasm32-unknown-unknown target");
        return Ok(());
    }
    util::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// wasm-bindgen-cli must match the `wasm-bindgen` crate in Cargo.lock exactly.
fn ensure_wasm_bindgen(paths: &Paths) -> Result {
    let wanted = locked_version(&paths.root.join("Cargo.lock"), "wasm-bindgen")?;
    let current = util::probe(Command::new("wasm-bindgen").arg("--version"));
    let current = current.as_deref().and_then(|v| v.split_whitespace().nth(1));
    if current == Some(wanted.as_str()) {
        println!("ok: wasm-bindgen {wanted}");
        return Ok(());
    }
    // Not --locked: its lockfile pins a crate version the index no longer has.
    let mut cmd = util::cargo();
    cmd.args(["install", "wasm-bindgen-cli", "--version"]);
    cmd.arg(format!("={wanted}"));
    // Build in a throwaway folder, not the project's target.
    cmd.env_remove("CARGO_TARGET_DIR");
    util::run(&mut cmd)
}

/// The version of a package as recorded in Cargo.lock.
fn locked_version(lock: &Path, package: &str) -> Result<String> {
    let text = fs::read_to_string(lock).map_err(|e| format!("cannot read {}: {e}", lock.display()))?;
    let name_line = format!("name = \"{package}\"");
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() == name_line {
            let version =
                lines.next().and_then(|l| l.trim().strip_prefix("version = \"")).and_then(|v| v.strip_suffix('"'));
            if let Some(version) = version {
                return Ok(version.to_owned());
            }
        }
    }
    Err(format!("{package} is not in {}", lock.display()))
}

fn ensure_components() -> Result {
    let installed = util::probe(Command::new("rustup").args(["component", "list", "--installed"]))
        .ok_or("cannot list rustup components")?;
    let missing: Vec<&str> = ["rustfmt", "clippy"]
        .into_iter()
        .filter(|c| !installed.lines().any(|l| l.starts_with(&format!("{c}-"))))
        .collect();
    if missing.is_empty() {
        println!("ok: rustfmt, clippy");
        return Ok(());
    }
    util::run(Command::new("rustup").args(["component", "add"]).args(missing))
}

/// The evidence-pack tests open packs as an auditor would (`unzip -t`, and `openssl` checks
/// the signatures); the benchmark compares with `zip -r`.
fn ensure_archive_tools() -> Result {
    let tools = ["/usr/bin/unzip", "/usr/bin/zip", "/usr/bin/openssl"];
    if tools.iter().all(|tool| Path::new(tool).exists()) {
        println!("ok: unzip, zip, openssl");
        return Ok(());
    }
    util::run(
        Command::new("sh")
            .args(["-c", "apt-get update && apt-get install -y unzip zip openssl"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// Playwright drives Debian's chromium (browser downloads are not possible here).
fn ensure_chromium() -> Result {
    if Path::new("/usr/bin/chromium").exists() {
        println!("ok: /usr/bin/chromium");
        return Ok(());
    }
    util::run(
        Command::new("sh")
            .args(["-c", "apt-get update && apt-get install -y chromium"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// `npm ci` in end2end/ when node_modules is missing or older than package-lock.json.
fn ensure_npm_packages(paths: &Paths) -> Result {
    let dir = paths.root.join("end2end");
    let lock = dir.join("package-lock.json");
    let modules = dir.join("node_modules");
    // npm rewrites node_modules/.package-lock.json on every install.
    let installed = modified(&modules.join(".package-lock.json")).or_else(|| modified(&modules));
    let fresh = match (installed, modified(&lock)) {
        (Some(installed), Some(locked)) => installed >= locked,
        (Some(_), None) => true,
        (None, _) => false,
    };
    if fresh {
        println!("ok: end2end/node_modules");
        return Ok(());
    }
    let verb = if lock.exists() { "ci" } else { "install" };
    util::run(Command::new("npm").arg(verb).current_dir(&dir))
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn pg_ready() -> bool {
    util::probe(Command::new("pg_isready").args(["-h", "127.0.0.1", "-p", "5432"])).is_some()
}

/// Starts the machine's Postgres cluster if 127.0.0.1:5432 does not answer.
pub fn ensure_postgres() -> Result {
    if pg_ready() {
        println!("ok: Postgres on 127.0.0.1:5432");
        return Ok(());
    }
    let start = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";
    util::run(Command::new("sh").args(["-c", start]))?;
    for _ in 0..30 {
        if pg_ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    Err("Postgres was started but 127.0.0.1:5432 does not answer".to_owned())
}

/// Installs npm's binaryen under ~/.cache/plumbline/binaryen if needed; returns `wasm-opt`.
pub fn ensure_wasm_opt() -> Result<PathBuf> {
    let prefix = util::home()?.join(".cache/plumbline/binaryen");
    let wasm_opt = prefix.join("node_modules/.bin/wasm-opt");
    let manifest = prefix.join("node_modules/binaryen/package.json");
    let pinned = format!("\"version\": \"{BINARYEN_VERSION}.");
    let present = fs::read_to_string(&manifest).is_ok_and(|m| m.contains(&pinned));
    if present && wasm_opt.exists() {
        println!("ok: binaryen {BINARYEN_VERSION} (wasm-opt)");
        return Ok(wasm_opt);
    }
    fs::create_dir_all(&prefix).map_err(|e| format!("cannot create {}: {e}", prefix.display()))?;
    util::run(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg(format!("binaryen@{BINARYEN_VERSION}")),
    )?;
    if wasm_opt.exists() { Ok(wasm_opt) } else { Err(format!("npm did not install {}", wasm_opt.display())) }
}
