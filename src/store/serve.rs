//! What the UI asks of the store directly, so that opening a folder or a
//! message already read never waits for the network (or for a worker busy
//! reconnecting). Answers go out as worker events.

use tokio::sync::mpsc::UnboundedSender;

use super::StoreHandle;
use crate::mail::backend::FolderCount;
use crate::worker::{FolderRef, PartsRequest, WorkerCommand, WorkerEvent};

/// Rows in the first page of a stored folder (a screen and a bit), then
/// in the pages after it.
const FIRST_PAGE: usize = 200;
const PAGE: usize = 20_000;

pub type Events = UnboundedSender<(usize, WorkerEvent)>;

impl StoreHandle {
    /// The folder list and counts as last seen, if any.
    pub fn load_folders(&self, account: usize, events: Events) {
        self.send(move |s| {
            let stored = s.folders();
            if stored.is_empty() {
                return;
            }
            let counts: Vec<FolderCount> = stored
                .iter()
                .filter_map(|f| {
                    Some(FolderCount {
                        path: f.folder.path.clone(),
                        total: f.total?,
                        unseen: f.unseen?,
                    })
                })
                .collect();
            let folders = stored.into_iter().map(|f| f.folder).collect();
            let _ = events.send((account, WorkerEvent::Folders(folders)));
            if !counts.is_empty() {
                let _ = events.send((account, WorkerEvent::FolderCounts(counts)));
            }
        });
    }

    /// A folder's stored rows, newest first in pages, the first one (a
    /// screen) sent as soon as it is read; always ends with a page marked
    /// done (empty when nothing is stored).
    pub fn load_folder(&self, account: usize, path: String, req: u64, events: Events) {
        self.send(move |s| {
            let mut reading = Some(crate::startup::step("store first page"));
            let state = s.folder_state(&path);
            let uid_validity = state.map_or(0, |st| st.uid_validity);
            let synced_at = state.and_then(|st| st.synced_at);
            let mut last_sent = false;
            s.envelopes(&path, FIRST_PAGE, PAGE, |envelopes, last| {
                if let Some(r) = reading.take() {
                    r.end();
                }
                last_sent = last;
                let ev = WorkerEvent::Stored {
                    req,
                    uid_validity,
                    envelopes,
                    done: last,
                    synced_at,
                };
                events.send((account, ev)).is_ok()
            });
            // Nothing stored (or the read failed): an empty last page.
            if !last_sent {
                let ev = WorkerEvent::Stored {
                    req,
                    uid_validity,
                    envelopes: Vec::new(),
                    done: true,
                    synced_at,
                };
                let _ = events.send((account, ev));
            }
        });
    }

    /// A message from the kept bodies; if it is not kept (or its folder was
    /// reset), the worker is asked to fetch it.
    pub fn load_message(
        &self,
        account: usize,
        folder: FolderRef,
        uid: u32,
        req: u64,
        events: Events,
        worker: UnboundedSender<WorkerCommand>,
    ) {
        let rt = tokio::runtime::Handle::try_current().ok();
        self.send(move |s| {
            let same = s
                .folder_state(&folder.path)
                .is_some_and(|st| st.uid_validity == folder.uid_validity);
            let raw = same
                .then(|| s.kept(&folder.path, uid, crate::auth::oauth::now()))
                .flatten();
            match (raw, rt) {
                (Some(raw), Some(rt)) => {
                    rt.spawn(async move {
                        let view = crate::mail::message::parse_fetched(uid, raw).await;
                        let ev = WorkerEvent::Message {
                            req,
                            message: Box::new(view),
                        };
                        let _ = events.send((account, ev));
                    });
                }
                _ => {
                    let size = s.message_size(&folder.path, uid);
                    let _ = worker.send(WorkerCommand::FetchMessage {
                        folder,
                        uid,
                        req,
                        size,
                    });
                }
            }
        });
    }

    /// Parts of a message from its kept body; if it is not kept, the
    /// worker is asked to fetch them.
    pub fn load_parts(
        &self,
        account: usize,
        request: PartsRequest,
        events: Events,
        worker: UnboundedSender<WorkerCommand>,
    ) {
        let rt = tokio::runtime::Handle::try_current().ok();
        self.send(move |s| {
            let folder = &request.folder;
            let same = s
                .folder_state(&folder.path)
                .is_some_and(|st| st.uid_validity == folder.uid_validity);
            // A big message's stand-in lacks the parts left out, and numbers
            // the rest its own way: those come from the server.
            let raw = same
                .then(|| s.kept(&folder.path, request.uid, crate::auth::oauth::now()))
                .flatten()
                .filter(|k| !k.partial)
                .map(|k| k.raw);
            match (raw, rt) {
                (Some(raw), Some(rt)) => {
                    rt.spawn(async move {
                        let ev = crate::worker::parts_answer(raw, request).await;
                        let _ = events.send((account, ev));
                    });
                }
                _ => {
                    let _ = worker.send(WorkerCommand::FetchParts(request));
                }
            }
        });
    }

    /// The stored rows of several folders a query may match.
    pub fn search_everywhere(
        &self,
        account: usize,
        paths: Vec<String>,
        query: crate::query::Query,
        now: crate::query::Now,
        req: u64,
        events: Events,
    ) {
        self.send(move |s| {
            let found = s.search_everywhere(&paths, &query, &now, super::EVERYWHERE_MAX);
            let found = Box::new(found);
            let _ = events.send((account, WorkerEvent::FoundEverywhere { req, found }));
        });
    }

    /// The folder's messages in thread order, built here (off the UI).
    pub fn load_threads(&self, account: usize, path: String, req: u64, events: Events) {
        self.send(move |s| {
            let inputs = s.thread_inputs(&path);
            let rows = crate::mail::threads::thread(&inputs);
            let _ = events.send((account, WorkerEvent::Threads { req, rows }));
        });
    }
}
