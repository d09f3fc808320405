//! Debian's `prometheus`, started on loopback for a test (installed by `cargo xtask
//! ensure-tools`) and killed when dropped: optionally over blocks `promtool` writes from
//! OpenMetrics text, so a test knows every sample the server holds.

/// A Prometheus on loopback; its process and data go when this is dropped.
pub struct LocalPrometheus {
    pub url: String,
    _process: tokio::process::Child,
    _dir: tempfile::TempDir,
}

/// A free port on loopback (the OS picks it; a race with another process is unlikely).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// Starts Prometheus with `config` (its `prometheus.yml`), over the series in `openmetrics`
/// when given, and waits until it is ready.
pub async fn start(config: &str, openmetrics: Option<&str>) -> LocalPrometheus {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    if let Some(series) = openmetrics {
        let input = dir.path().join("series.om");
        std::fs::write(&input, series).expect("series");
        let created = tokio::process::Command::new("promtool")
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&input)
            .arg(&data)
            .output()
            .await
            .expect("Debian's promtool is installed (cargo xtask ensure-tools)");
        assert!(created.status.success(), "promtool: {}", String::from_utf8_lossy(&created.stderr));
    }
    std::fs::write(dir.path().join("prometheus.yml"), config).expect("config");
    let port = free_port();
    let process = tokio::process::Command::new("prometheus")
        .arg(format!("--config.file={}", dir.path().join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        // Generated blocks may be years old: keep them all.
        .arg("--storage.tsdb.retention.time=100y")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("Debian's prometheus is installed (cargo xtask ensure-tools)");
    let url = format!("http://127.0.0.1:{port}");
    let ready = format!("{url}/-/ready");
    crate::helpers::eventually("Prometheus is ready", || async {
        let reply = reqwest::get(&ready).await.ok()?;
        reply.status().is_success().then_some(())
    })
    .await;
    LocalPrometheus { url, _process: process, _dir: dir }
}
