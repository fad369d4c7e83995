//! `[cache] sync_bodies = "text"`: the text parts of the open folder's
//! messages fetched ahead, newest first, into the store (and so its
//! full-text index), for search and reading offline. One message per
//! step, after everything the user asked for, with BODY.PEEK (nothing is
//! marked read); attachments stay on the server.

use tracing::debug;

use super::protocol::WorkerEvent;
use super::run::Worker;
use crate::mail::backend::{MailBackend, MailError};

/// Newest messages of a folder looked at for syncing, at most.
pub const TEXT_SYNC_SCAN: usize = 100_000;

/// The caps from the config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextSync {
    /// A message's text (the stand-in kept) larger than this is not kept.
    pub message_max: u64,
    /// No more is synced once the account's kept bodies reach this.
    pub account_max: u64,
}

impl<B: MailBackend> Worker<B> {
    pub async fn text_sync_step(&mut self) {
        let Some(caps) = self.options.sync_text else {
            return;
        };
        let Some(open) = self.open.as_mut() else {
            return;
        };
        let path = open.path.clone();
        if open.text_sync.is_none() {
            let mut uids: Vec<u32> = open.known.uids().rev().take(TEXT_SYNC_SCAN).collect();
            uids.reverse();
            let probe = path.clone();
            let (kept, bytes) = self
                .store
                .call(move |s| {
                    let kept = s.kept_bodies(&probe, &uids);
                    let bytes = s.body_bytes();
                    (uids, kept, bytes)
                })
                .await
                .map(|(uids, kept, bytes)| {
                    let kept: std::collections::HashSet<u32> = kept.into_iter().collect();
                    let left: Vec<u32> = uids.into_iter().filter(|u| !kept.contains(u)).collect();
                    (left, bytes)
                })
                .unwrap_or_default();
            let queue = if bytes >= caps.account_max {
                Vec::new()
            } else {
                kept
            };
            debug!(folder = %path, left = queue.len(), "syncing message text");
            let left = queue.len();
            if let Some(open) = self.open.as_mut() {
                open.text_sync = Some(queue);
            }
            if left == 0 {
                self.emit(WorkerEvent::TextSync { left });
            }
            return;
        }
        let Some(uid) = open.text_sync.as_mut().and_then(Vec::pop) else {
            return;
        };
        match self.backend.fetch_text(uid).await {
            Ok(f) if f.raw.len() as u64 <= caps.message_max => {
                let now = crate::auth::oauth::now();
                let full = self
                    .store
                    .call(move |s| {
                        s.keep(&path, uid, &f.raw, f.partial, now);
                        s.body_bytes() >= caps.account_max
                    })
                    .await
                    .unwrap_or(true);
                if full && let Some(q) = self.open.as_mut().and_then(|o| o.text_sync.as_mut()) {
                    debug!("the account's cap for synced text is reached");
                    q.clear();
                }
            }
            Ok(_) => {}
            // Gone meanwhile, or refused: the next one.
            Err(MailError::Command(_)) => {}
            Err(e) => {
                if !self.failed("sync message text", &e)
                    && let Some(q) = self.open.as_mut().and_then(|o| o.text_sync.as_mut())
                {
                    // Tried again once reconnected.
                    q.push(uid);
                }
                return;
            }
        }
        let left = self
            .open
            .as_ref()
            .and_then(|o| o.text_sync.as_ref())
            .map_or(0, Vec::len);
        self.emit(WorkerEvent::TextSync { left });
    }
}
