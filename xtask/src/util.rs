//! Paths of the workspace and helpers that spawn commands, printing each one first.

use std::env;
use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub type Result<T = ()> = std::result::Result<T, String>;

/// Where things are: the repository, cargo's target folder and the built site.
pub struct Paths {
    pub root: PathBuf,
    pub target: PathBuf,
    pub site: PathBuf,
}

impl Paths {
    pub fn discover() -> Result<Paths> {
        // `cargo run` sets CARGO_MANIFEST_DIR (xtask/); fall back to where xtask was built.
        let manifest = env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest
            .parent()
            .ok_or_else(|| format!("cannot find the repository above {}", manifest.display()))?
            .to_path_buf();
        let target = match env::var_os("CARGO_TARGET_DIR").filter(|dir| !dir.is_empty()) {
            // Cargo reads a relative CARGO_TARGET_DIR from the current folder; so do we.
            Some(dir) => std::path::absolute(&dir)
                .map_err(|e| format!("bad CARGO_TARGET_DIR {}: {e}", Path::new(&dir).display()))?,
            None => root.join("target"),
        };
        let site = target.join("site");
        Ok(Paths { root, target, site })
    }

    /// The `plumbline` binary of a debug or release build.
    pub fn server_bin(&self, release: bool) -> PathBuf {
        let profile = if release { "release" } else { "debug" };
        self.target.join(profile).join("plumbline")
    }

    /// A folder for xtask's own files (logs, reports), created on demand.
    pub fn xtask_dir(&self) -> Result<PathBuf> {
        let dir = self.target.join("xtask");
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(dir)
    }
}

/// `$HOME`, needed for the tool caches.
pub fn home() -> Result<PathBuf> {
    env::var_os("HOME").filter(|home| !home.is_empty()).map(PathBuf::from).ok_or_else(|| "HOME is not set".to_owned())
}

/// The cargo that runs us (same toolchain), else `cargo` from PATH.
pub fn cargo() -> Command {
    Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `$ [in DIR] [VAR=value ...] program args`, as printed before running a command.
pub fn describe(cmd: &Command) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(dir) = cmd.get_current_dir() {
        parts.push(format!("(in {})", dir.display()));
    }
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            parts.push(format!("{}={}", show(key), quote(value)));
        }
    }
    let program = cmd.get_program();
    let is_cargo = env::var_os("CARGO").is_some_and(|cargo| cargo == program);
    parts.push(if is_cargo { "cargo".to_owned() } else { quote(program) });
    parts.extend(cmd.get_args().map(quote));
    format!("$ {}", parts.join(" "))
}

fn show(text: &OsStr) -> String {
    text.to_string_lossy().into_owned()
}

fn quote(text: &OsStr) -> String {
    let text = show(text);
    let plain = !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_=./:,@+%".contains(c));
    if plain { text } else { format!("'{}'", text.replace('\'', r"'\''")) }
}

/// Prints the command line, runs it with inherited output and fails unless it succeeds.
pub fn run(cmd: &mut Command) -> Result {
    announce(cmd);
    let status = cmd.status().map_err(|e| not_started(cmd, &e))?;
    if status.success() { Ok(()) } else { Err(format!("command failed ({status}): {}", describe(cmd))) }
}

/// [`run`], stopped (and failed) if it is still running after `limit`.
pub fn run_within(cmd: &mut Command, limit: std::time::Duration, what: &str) -> Result {
    announce(cmd);
    let mut child = cmd.spawn().map_err(|e| not_started(cmd, &e))?;
    let watchdog = Watchdog::watch(&child, limit, what);
    let status = child.wait().map_err(|e| format!("{what}: {e}"))?;
    if watchdog.finish() {
        return Err(format!("{what} was stopped after {} min: {}", limit.as_secs() / 60, describe(cmd)));
    }
    if status.success() { Ok(()) } else { Err(format!("command failed ({status}): {}", describe(cmd))) }
}

/// Runs a check quietly (after printing it): its stdout when it succeeds, `None` when it
/// fails or cannot start (the tool is missing).
pub fn probe(cmd: &mut Command) -> Option<String> {
    announce(cmd);
    let output = cmd.stderr(Stdio::null()).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

pub fn announce(cmd: &Command) {
    println!("{}", describe(cmd));
    let _ = std::io::stdout().flush();
}

pub fn not_started(cmd: &Command, error: &std::io::Error) -> String {
    let program = show(cmd.get_program());
    if error.kind() == std::io::ErrorKind::NotFound {
        format!("cannot run {program}: not found on PATH (try `cargo xtask ensure-tools`)")
    } else {
        format!("cannot run {program}: {error}")
    }
}

/// Copies a folder's contents into another, recursively, replacing files of the same name.
pub fn copy_dir(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let source = entry.path();
        let dest = to.join(entry.file_name());
        if source.is_dir() {
            copy_dir(&source, &dest)?;
        } else {
            copy_file(&source, &dest)?;
        }
    }
    Ok(())
}

pub fn copy_file(from: &Path, to: &Path) -> Result {
    fs::copy(from, to).map(|_| ()).map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

/// Stops a command, and everything it started, that is still running after `limit`: a test
/// that hangs must fail the run with its name on screen, not let CI time out silently.
pub struct Watchdog {
    done: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<bool>,
}

impl Watchdog {
    /// Watches the spawned `child`.
    pub fn watch(child: &std::process::Child, limit: std::time::Duration, what: &str) -> Watchdog {
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let root = child.id();
        let what = what.to_owned();
        let thread = std::thread::spawn(move || {
            if finished.recv_timeout(limit) != Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
                return false;
            }
            eprintln!("error: {what} is still running after {} min: stopping it", limit.as_secs() / 60);
            for signal in ["-TERM", "-KILL"] {
                // Children first, so none is re-parented out of reach.
                let mut tree = descendants(root);
                tree.reverse();
                tree.push(root);
                for pid in tree {
                    let _ = Command::new("kill").args([signal, &pid.to_string()]).stderr(Stdio::null()).status();
                }
                if finished.recv_timeout(std::time::Duration::from_secs(10)).is_ok() {
                    break;
                }
            }
            true
        });
        Watchdog { done, thread }
    }

    /// Stops watching; whether the command was stopped for running too long.
    pub fn finish(self) -> bool {
        let _ = self.done.send(());
        self.thread.join().unwrap_or(false)
    }
}

/// Every process below `root`, parents before their children (from `/proc`).
fn descendants(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = fs::read_dir("/proc")
        .map(|entries| {
            entries
                .filter_map(|entry| {
                    let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
                    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
                    // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
                    let ppid = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
                    Some((pid, ppid))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut found = vec![root];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        found.extend(parents.iter().filter(|(_, ppid)| *ppid == parent).map(|(pid, _)| *pid));
        next += 1;
    }
    found.remove(0);
    found
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use std::io::BufRead;
    use std::time::{Duration, Instant};

    use super::*;

    /// Whether `pid` is gone (or only a zombie no one has reaped yet).
    fn gone(pid: &str) -> bool {
        fs::read_to_string(format!("/proc/{pid}/stat"))
            .map_or(true, |stat| stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')))
    }

    #[test]
    fn the_watchdog_stops_a_command_and_what_it_started_once_past_its_limit() {
        let mut child = Command::new("sh")
            .args(["-c", "sleep 60 & echo $!; wait"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start sh");
        let mut grandchild = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut grandchild).expect("pid");
        let started = Instant::now();
        let watchdog = Watchdog::watch(&child, Duration::from_millis(300), "sleep");
        child.wait().expect("wait");
        assert!(watchdog.finish(), "stopped for running too long");
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(gone(grandchild.trim()), "the command's own child is stopped too");
    }

    #[test]
    fn the_watchdog_leaves_a_command_within_its_limit_alone() {
        let mut child = Command::new("true").spawn().expect("start true");
        let watchdog = Watchdog::watch(&child, Duration::from_secs(60), "true");
        assert!(child.wait().expect("wait").success());
        assert!(!watchdog.finish());
    }
}
