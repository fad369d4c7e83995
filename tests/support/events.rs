//! Running an account worker in tests and waiting for its events.

use std::time::Duration;

use mailtui::store::{Store, StoreHandle};
use mailtui::worker::{FolderRef, WorkerCommand, WorkerEvent, WorkerHandle, WorkerOptions};
use tokio::sync::mpsc::UnboundedReceiver;

pub type Events = UnboundedReceiver<(usize, WorkerEvent)>;

/// Collects worker events until `done` says stop; panics with what came if
/// the deadline passes or the worker stops.
pub async fn until(
    rx: &mut Events,
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

/// The worker's answer to op `op` (Moved, Done or Failed) as the last of
/// the events that came until it.
pub async fn answer(rx: &mut Events, op: u64) -> Vec<WorkerEvent> {
    until(rx, 30, |e| {
        matches!(e, WorkerEvent::Moved { op: o, .. } | WorkerEvent::Done { op: o, .. } | WorkerEvent::Failed { op: o, .. } if *o == op)
    })
    .await
}

/// A store that lives in memory for one test.
pub fn memory_store() -> StoreHandle {
    StoreHandle::spawn("test", || Store::in_memory("test", u64::MAX))
}

/// An account worker on `backend` with this store.
pub fn start<B: mailtui::mail::MailBackend>(
    backend: B,
    store: StoreHandle,
    options: WorkerOptions,
) -> (WorkerHandle, Events) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let w = mailtui::worker::spawn(0, "test".into(), backend, store, options, tx);
    (w, rx)
}

/// Opens a folder and waits until it is up to date; returns how the
/// folder is addressed.
pub async fn open(
    w: &WorkerHandle,
    rx: &mut Events,
    path: &str,
    req: u64,
) -> (FolderRef, Vec<WorkerEvent>) {
    w.commands
        .send(WorkerCommand::OpenFolder {
            path: path.into(),
            req,
        })
        .expect("worker alive");
    let ev = until(
        rx,
        60,
        |e| matches!(e, WorkerEvent::Synced { req: r, .. } if *r == req),
    )
    .await;
    let uid_validity = ev
        .iter()
        .find_map(|e| match e {
            WorkerEvent::Selected {
                uid_validity,
                req: r,
                ..
            } if *r == req => Some(*uid_validity),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no Selected event: {ev:#?}"));
    (
        FolderRef {
            path: path.into(),
            uid_validity,
        },
        ev,
    )
}

/// Starts an account worker on `backend` (store in memory), connects,
/// opens INBOX and waits until it is up to date.
pub async fn inbox_loaded<B: mailtui::mail::MailBackend>(
    backend: B,
) -> (WorkerHandle, Events, FolderRef) {
    let (w, mut rx) = start(backend, memory_store(), WorkerOptions::default());
    w.commands
        .send(WorkerCommand::Connect)
        .expect("worker alive");
    let (inbox, _) = open(&w, &mut rx, "INBOX", 1).await;
    (w, rx, inbox)
}

/// Every envelope the events delivered (stored or new), minus expunged.
pub fn rows(events: &[WorkerEvent]) -> Vec<u32> {
    let mut uids = Vec::new();
    for e in events {
        match e {
            WorkerEvent::Stored { envelopes, .. } | WorkerEvent::Inserted { envelopes, .. } => {
                uids.extend(envelopes.iter().map(|e| e.uid))
            }
            WorkerEvent::Expunged { uids: gone, .. } => uids.retain(|u| !gone.contains(u)),
            _ => {}
        }
    }
    uids
}
