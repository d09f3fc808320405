//! What every bench shares: the server process under test, readiness, and psql.

use std::fs;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::Result;

pub(crate) fn psql(database: &str, sql: &str) -> Result<String> {
    let output = Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql])
        .output()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(format!("psql failed: {}", String::from_utf8_lossy(&output.stderr)))
    }
}

pub(crate) struct Server(pub(crate) Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Server {
    /// Peak resident memory (VmHWM) of the server process, in MiB.
    pub(crate) fn peak_mib(&self) -> Result<f64> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.0.id())).map_err(|e| e.to_string())?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).ok_or("no VmHWM in /proc status")?;
        let kib: f64 = line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).ok_or("bad VmHWM")?;
        Ok(kib / 1024.0)
    }
}

pub(crate) fn wait_ready(port: u16) -> Result {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let ok = Command::new("curl")
            .args(["-sf", &format!("http://127.0.0.1:{port}/readyz")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    Err("the server did not become ready within 60 s".into())
}
