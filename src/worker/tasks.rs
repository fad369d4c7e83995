//! The worker's other jobs: message bodies, flag changes, counts of the
//! other folders, bodies fetched ahead for offline reading.

use tokio::time::Instant;

use tracing::debug;

use super::protocol::WorkerEvent;
use super::run::Worker;
use crate::mail::backend::{MailBackend, MailError};
use crate::sanitize::Clean;

impl<B: MailBackend> Worker<B> {
    pub async fn fetch_message(&mut self) {
        let Some((folder, uid, req, size)) = self.message.take() else {
            return;
        };
        let Some(open) = self.open.as_ref() else {
            return;
        };
        if open.path != folder.path || open.uid_validity() != Some(folder.uid_validity) {
            // Asked for in a folder that is no longer open (or was reset).
            self.emit(WorkerEvent::MessageFailed {
                req,
                error: Clean::line("the folder changed on the server; select the message again"),
            });
            return;
        }
        let path = open.path.clone();
        match self.backend.fetch_for_reading(uid, size).await {
            Ok(fetched) => {
                let now = crate::auth::oauth::now();
                let keep = fetched.clone();
                self.store
                    .send(move |s| s.keep(&path, uid, &keep.raw, keep.partial, now));
                let events = self.events_sender();
                let account = self.account;
                // Parsing runs off this task: a huge message must not hold
                // up the account.
                tokio::spawn(async move {
                    let view = crate::mail::message::parse_fetched(uid, fetched).await;
                    let _ = events.send((
                        account,
                        WorkerEvent::Message {
                            req,
                            message: Box::new(view),
                        },
                    ));
                });
            }
            Err(e) => {
                let give_up = self.failed("fetch message", &e);
                if give_up {
                    self.emit(WorkerEvent::MessageFailed {
                        req,
                        error: Clean::line(&e.to_string()),
                    });
                } else if e.ends_session() {
                    // Tried again once reconnected.
                    self.message.get_or_insert((folder, uid, req, size));
                }
            }
        }
    }

    pub async fn refresh_counts(&mut self) {
        self.counts_due = Some(Instant::now() + self.options.counts_every);
        let open = self.open.as_ref().map(|o| o.path.clone());
        let paths: Vec<String> = self
            .folders
            .iter()
            .filter(|f| f.selectable && Some(&f.path) != open.as_ref())
            .map(|f| f.path.clone())
            .collect();
        match self.backend.folder_counts(&paths).await {
            Ok(counts) => {
                let save = counts.clone();
                self.store.send(move |s| s.save_counts(&save));
                self.emit(WorkerEvent::FolderCounts(counts));
            }
            Err(e) => {
                if self.failed("count messages", &e) {
                    debug!("cannot count messages: {e}");
                }
            }
        }
    }

    /// Fetches one body ahead of time (config `prefetch`).
    pub async fn prefetch_step(&mut self) {
        let n = self.options.prefetch;
        let Some(open) = self.open.as_mut() else {
            return;
        };
        if open.prefetch.is_none() {
            let newest: Vec<u32> = open.known.uids().rev().take(n).collect();
            let path = open.path.clone();
            let probe = newest.clone();
            let kept = self
                .store
                .call(move |s| s.kept_bodies(&path, &probe))
                .await
                .unwrap_or_default();
            let Some(open) = self.open.as_mut() else {
                return;
            };
            open.prefetch = Some(newest.into_iter().filter(|u| !kept.contains(u)).collect());
            return;
        }
        let Some(uid) = open
            .prefetch
            .as_mut()
            .and_then(|q| (!q.is_empty()).then(|| q.remove(0)))
        else {
            return;
        };
        let path = open.path.clone();
        let probe = path.clone();
        let size = self
            .store
            .call(move |s| s.message_size(&probe, uid))
            .await
            .flatten();
        match self.backend.fetch_for_reading(uid, size).await {
            Ok(f) => {
                let now = crate::auth::oauth::now();
                self.store
                    .send(move |s| s.keep(&path, uid, &f.raw, f.partial, now));
            }
            Err(MailError::Command(_)) => {}
            Err(e) => {
                self.failed("fetch ahead", &e);
            }
        }
    }
}
