//! Background computation at a lower CPU priority than requests. Recomputing a large
//! organisation's figures after an import takes seconds of CPU; on the request runtime's
//! threads it would hold up every page queued behind it. Recomputes run here instead: their own
//! runtime, one thread, niced on Linux, so the kernel favours the threads serving readers
//! while the figures are brought up to date.

use std::sync::LazyLock;

use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinHandle;

/// How much lower the background thread's priority is (a nice value: 19 is the lowest).
const NICE: i32 = 10;

const THREAD_NAME: &str = "plumbline-background";

static RUNTIME: LazyLock<Option<Runtime>> = LazyLock::new(|| {
    let built = Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(THREAD_NAME)
        .on_thread_start(lower_priority)
        .enable_all()
        .build();
    match built {
        Ok(runtime) => Some(runtime),
        Err(error) => {
            tracing::warn!(%error, "cannot start the background runtime; recomputes share the request threads");
            None
        }
    }
});

/// Runs `task` on the background thread (or, where that could not start, beside requests).
pub fn spawn<F>(task: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match RUNTIME.as_ref() {
        Some(runtime) => runtime.spawn(task),
        None => tokio::spawn(task),
    }
}

/// Whether the caller runs on the background thread (a recompute, not a request).
pub fn on_background_thread() -> bool {
    std::thread::current().name() == Some(THREAD_NAME)
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // On Linux the nice value is per thread: this one only.
    let thread = rustix::thread::gettid();
    if let Err(error) = rustix::process::setpriority_process(Some(thread), NICE) {
        tracing::debug!(%error, "cannot lower the background thread's priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn background_tasks_run_and_return_their_output() {
        let output = super::spawn(async { (6 * 7, super::on_background_thread()) }).await.expect("joined");
        assert_eq!(output, (42, true));
        assert!(!super::on_background_thread());
    }
}
