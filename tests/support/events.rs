//! Waiting for account-worker events in tests.

use std::time::Duration;

use mailtui::worker::WorkerEvent;
use tokio::sync::mpsc::UnboundedReceiver;

/// Collects worker events until `done` says stop; panics with what came if
/// the deadline passes or the worker stops.
pub async fn until(
    rx: &mut UnboundedReceiver<(usize, WorkerEvent)>,
    secs: u64,
    mut done: impl FnMut(&WorkerEvent) -> bool,
) -> Vec<WorkerEvent> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some((_, ev))) => {
                let stop = done(&ev);
                seen.push(ev);
                if stop {
                    return seen;
                }
            }
            Ok(None) => panic!("worker stopped; events: {seen:#?}"),
            Err(_) => panic!("timed out after {secs}s; events: {seen:#?}"),
        }
    }
}
