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

/// Starts an account worker on `backend`, connects, opens INBOX and waits
/// until the whole folder is listed.
pub async fn inbox_loaded<B: mailtui::mail::MailBackend>(
    backend: B,
) -> (
    mailtui::worker::WorkerHandle,
    UnboundedReceiver<(usize, WorkerEvent)>,
) {
    use mailtui::worker::WorkerCommand;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let w = mailtui::worker::spawn(0, "test".into(), backend, tx);
    w.commands
        .send(WorkerCommand::Connect)
        .expect("worker alive");
    let open = WorkerCommand::OpenFolder {
        path: "INBOX".into(),
        req: 1,
    };
    w.commands.send(open).expect("worker alive");
    until(&mut rx, 30, |e| {
        matches!(e, WorkerEvent::Envelopes { remaining: 0, .. })
    })
    .await;
    (w, rx)
}
