//! Ctrl-C and SIGTERM for the commands that change a target (`run`, `steady`, `load`): the
//! first signal asks the work to stop (no new request, clean-up of what the run created within
//! [`TEARDOWN_BUDGET`](crate::replay::controls::TEARDOWN_BUDGET), reports of what ran, exit 130
//! or 143); a second one exits at once.

use crate::replay::controls::{Stop, StopReason};
use std::sync::Arc;

/// Watches for the signals while the returned guard lives (dropping it stops watching).
pub fn watch(stop: Arc<Stop>) -> Watcher {
    Watcher(tokio::spawn(watch_signals(stop)))
}

/// The running signal watcher; aborted when dropped.
pub struct Watcher(tokio::task::JoinHandle<()>);

impl Drop for Watcher {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The exit code of a command whose work finished with `code`: the stop's code when a signal
/// (or the deadline) cut the work short, after saying so once.
pub fn exit_code(stop: &Stop, code: u8) -> u8 {
    match stop.reason() {
        Some(reason) => {
            eprintln!(
                "error: the run stopped early: {}; the report covers what ran",
                reason.describe()
            );
            reason.exit_code()
        }
        None => code,
    }
}

async fn watch_signals(stop: Arc<Stop>) {
    loop {
        let reason = next_signal().await;
        if stop.request(reason) {
            eprintln!(
                "{}: stopping after the requests in flight, cleaning up what the run created and writing the reports (signal again to exit at once)",
                reason.describe()
            );
        } else {
            std::process::exit(i32::from(reason.exit_code()));
        }
    }
}

#[cfg(unix)]
async fn next_signal() -> StopReason {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => StopReason::Interrupt,
        _ = term.recv() => StopReason::Terminate,
    }
}

#[cfg(not(unix))]
async fn next_signal() -> StopReason {
    match tokio::signal::ctrl_c().await {
        Ok(()) => StopReason::Interrupt,
        Err(_) => std::future::pending().await,
    }
}
