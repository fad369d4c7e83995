//! Changes to messages, sent to the server one at a time in the order the
//! user made them: flags, moves, deletions for good; and server searches.
//! An op addresses its own folder; if another is open, that folder is
//! selected for it and the open one again after.

use tracing::{info, warn};

use super::open::Phase;
use super::protocol::{FolderRef, WorkerEvent};
use super::run::{Op, Worker};
use crate::mail::backend::{MailBackend, MailError};
use crate::mail::types::{FlagKind, FlagUpdate};
use crate::sanitize::Clean;

impl<B: MailBackend> Worker<B> {
    /// Makes the op's folder the selected one; its UIDVALIDITY, or None
    /// when the op was dealt with (dropped, or to be retried).
    async fn select_for_op(&mut self, folder: &FolderRef) -> Option<bool> {
        let here = self.open.as_ref().is_some_and(|o| o.path == folder.path);
        let (validity, read_only) = if here {
            let sel = self.open.as_ref().and_then(|o| o.sel.as_ref());
            (
                sel.map(|s| s.uid_validity),
                sel.is_some_and(|s| s.read_only),
            )
        } else {
            match self.backend.select(&folder.path, None).await {
                Ok(sel) => {
                    // What it reports belongs to that folder, not the open one.
                    let _ = self.backend.take_changes();
                    if let Some(o) = self.open.as_mut() {
                        o.phase = Phase::Select;
                    }
                    (Some(sel.uid_validity), sel.read_only)
                }
                Err(e) => {
                    if self.failed("select for a change", &e) {
                        self.give_up_op(&e.to_string());
                    }
                    return None;
                }
            }
        };
        // Finding messages by Message-ID needs no UIDVALIDITY (0).
        if folder.uid_validity != 0 && validity != Some(folder.uid_validity) {
            self.give_up_op(
                "the folder was recreated on the server meanwhile; nothing was changed",
            );
            return None;
        }
        // Some servers quietly ignore changes to a read-only folder.
        if read_only {
            self.give_up_op(&format!(
                "{} is read-only for you: nothing was changed",
                folder.path
            ));
            return None;
        }
        Some(here)
    }

    /// Drops the first op and tells the UI, which puts back what it
    /// changed ahead of time.
    fn give_up_op(&mut self, why: &str) {
        let Some(op) = self.ops.pop_front() else {
            return;
        };
        warn!("not done: {why}");
        if let Op::Flag { uids, .. } = &op
            && let Some(open) = self.open.as_ref()
            && open.path == op.folder().path
        {
            // Show the flags as they really are again.
            let updates: Vec<FlagUpdate> = uids
                .iter()
                .filter_map(|uid| {
                    Some(FlagUpdate {
                        uid: *uid,
                        flags: open.known.flags(*uid)?,
                    })
                })
                .collect();
            let req = open.req;
            self.emit(WorkerEvent::FlagsChanged { req, updates });
        }
        self.emit(WorkerEvent::Failed {
            op: op.id(),
            error: Clean::line(why),
        });
    }

    pub async fn run_op(&mut self) {
        let Some(folder) = self.ops.front().map(|o| o.folder().clone()) else {
            return;
        };
        let Some(here) = self.select_for_op(&folder).await else {
            return;
        };
        let Some(op) = self.ops.front_mut() else {
            return;
        };
        let result = match op {
            Op::Flag { uids, flag, on, .. } => {
                let (uids, flag, on) = (uids.clone(), *flag, *on);
                self.backend.store_flag(&uids, flag, on).await.map(|()| {
                    self.flags_stored(&folder, here, &uids, flag, on);
                })
            }
            Op::Expunge { uids, op, .. } => {
                let (uids, id) = (uids.clone(), *op);
                self.backend.expunge_messages(&uids).await.map(|removed| {
                    self.removed(&folder, here, &uids);
                    let note = (!removed).then(|| {
                        Clean::line("marked deleted only: this server cannot remove just these (no UIDPLUS)")
                    });
                    self.emit(WorkerEvent::Done { op: id, note });
                })
            }
            Op::Move { .. } => {
                return self.run_move(&folder, here).await;
            }
            Op::FetchNew { op, .. } if here => {
                // The open folder is live already.
                let op = *op;
                self.emit(WorkerEvent::Done { op, note: None });
                Ok(())
            }
            Op::FetchNew { op, .. } => {
                let op = *op;
                self.fetch_new_elsewhere(&folder, op).await
            }
            Op::Append {
                bytes,
                flags,
                message_id,
                op,
                ..
            } => {
                let (bytes, flags, id, op) =
                    (bytes.clone(), flags.clone(), message_id.clone(), *op);
                self.run_append(&folder.path, &bytes, &flags, id, op).await
            }
        };
        match result {
            Ok(()) => {
                self.ops.pop_front();
            }
            Err(e) => {
                if self.failed("change messages", &e) {
                    self.give_up_op(&e.to_string());
                }
            }
        }
    }

    /// APPEND, unless a retry finds the message there already.
    async fn run_append(
        &mut self,
        path: &str,
        bytes: &[u8],
        flags: &[FlagKind],
        message_id: Option<String>,
        op: u64,
    ) -> Result<(), MailError> {
        if let Some(id) = message_id {
            let found = self.backend.find_message_ids(&[id]).await?;
            if !found.is_empty() {
                info!(
                    folder = path,
                    "the message is there already; not stored again"
                );
                self.emit(WorkerEvent::Done { op, note: None });
                return Ok(());
            }
        }
        self.backend.append(path, bytes, flags).await?;
        info!(folder = path, bytes = bytes.len(), "message stored");
        self.emit(WorkerEvent::Done { op, note: None });
        Ok(())
    }

    fn flags_stored(
        &mut self,
        folder: &FolderRef,
        here: bool,
        uids: &[u32],
        flag: FlagKind,
        on: bool,
    ) {
        let (p, u) = (folder.path.clone(), uids.to_vec());
        self.store.send(move |s| s.change_flag(&p, &u, flag, on));
        // Sent after the store's job is queued: an answer asked on it
        // comes after the change.
        self.emit(WorkerEvent::FlagsStored {
            path: folder.path.clone(),
        });
        if here && let Some(open) = self.open.as_mut() {
            let updates: Vec<FlagUpdate> = uids
                .iter()
                .filter_map(|uid| {
                    let mut flags = open.known.flags(*uid)?;
                    flag.set(&mut flags, on);
                    Some(FlagUpdate { uid: *uid, flags })
                })
                .collect();
            open.known.update_flags(&updates);
        }
    }

    /// Messages left a folder (moved, or deleted for good).
    fn removed(&mut self, folder: &FolderRef, here: bool, uids: &[u32]) {
        if here {
            self.expunge(uids.to_vec());
        } else {
            let (p, u) = (folder.path.clone(), uids.to_vec());
            self.store.send(move |s| s.remove(&p, &u));
        }
        // Counts of both folders changed.
        self.counts_due = Some(tokio::time::Instant::now());
    }

    async fn run_move(&mut self, folder: &FolderRef, here: bool) {
        let Some(Op::Move {
            uids,
            message_ids,
            to,
            op,
            attempts,
            ..
        }) = self.ops.front_mut()
        else {
            return;
        };
        *attempts += 1;
        let (mut uids, mut ids, to, id, tries) = (
            uids.clone(),
            message_ids.clone(),
            to.clone(),
            *op,
            *attempts,
        );
        if ids.is_empty() && !uids.is_empty() {
            // Kept for undo, should the server not say where they went.
            let (p, u) = (folder.path.clone(), uids.clone());
            ids = self
                .store
                .call(move |s| s.message_ids(&p, &u))
                .await
                .unwrap_or_default();
        }
        if uids.is_empty() {
            match self.backend.find_message_ids(&ids).await {
                Ok(found) => uids = found,
                Err(e) => {
                    if self.failed("find messages", &e) {
                        self.give_up_op(&e.to_string());
                    }
                    return;
                }
            }
            if uids.is_empty() {
                self.give_up_op("the messages are no longer there");
                return;
            }
        }
        if tries > 1 && !self.backend.features().moves && !ids.is_empty() {
            // The last try may have copied before the connection went: look
            // in the target first, so nothing is there twice.
            if let Some(done) = self.copied_already(folder, &to, &ids).await {
                if done {
                    self.finish_copied_move(folder, here, &uids, &to, &ids, id)
                        .await;
                }
                return;
            }
        }
        match self.backend.move_messages(&uids, &to).await {
            Ok(moved) if moved.copyuid.is_none() && self.backend.features().uidplus => {
                // With UIDPLUS a move that moved anything says where it
                // went; silence means these UIDs were gone already (another
                // device emptied Trash before an undo, say).
                self.ops.pop_front();
                self.removed(folder, here, &uids);
                info!(to = %Clean::line(&to), "nothing moved: the messages were gone");
                self.emit(WorkerEvent::Done {
                    op: id,
                    note: Some(Clean::line(
                        "nothing moved: the messages are no longer on the server",
                    )),
                });
            }
            Ok(moved) => {
                self.ops.pop_front();
                info!(count = uids.len(), to = %Clean::line(&to), "moved");
                // Not into the open folder: its rows are the live sync's,
                // which knows each one (IDLE brings them in a moment).
                let into_open = self.open.as_ref().is_some_and(|o| o.path == to);
                if let Some((validity, pairs)) = moved.copyuid.clone().filter(|_| !into_open) {
                    // Before the removal, which takes the source rows.
                    let (from, target) = (folder.path.clone(), to.clone());
                    let envelopes = self
                        .store
                        .call(move |s| s.copy_rows(&from, &target, validity, &pairs))
                        .await
                        .unwrap_or_default();
                    if !envelopes.is_empty() {
                        self.emit(WorkerEvent::RowsAdded {
                            path: to.clone(),
                            uid_validity: validity,
                            envelopes,
                        });
                    }
                }
                if moved.removed {
                    self.removed(folder, here, &uids);
                }
                let (target, pairs) = match moved.copyuid {
                    Some((validity, pairs)) => (
                        Some(FolderRef {
                            path: to.clone(),
                            uid_validity: validity,
                        }),
                        pairs,
                    ),
                    None => (None, Vec::new()),
                };
                let (source_uids, target_uids) = pairs.into_iter().unzip();
                self.emit(WorkerEvent::Moved {
                    op: id,
                    target,
                    target_uids,
                    source_uids,
                    message_ids: ids,
                    removed: moved.removed,
                });
            }
            Err(e) => {
                if self.failed("move messages", &e) {
                    self.give_up_op(&e.to_string());
                }
            }
        }
    }

    /// Whether the target already holds every message (by Message-ID).
    /// None when that could not be found out (the op stays queued).
    async fn copied_already(
        &mut self,
        folder: &FolderRef,
        to: &str,
        ids: &[String],
    ) -> Option<bool> {
        let looked = async {
            self.backend.examine(to).await?;
            let found = self.backend.find_message_ids(ids).await?;
            self.backend.select(&folder.path, None).await?;
            Ok::<_, MailError>(found.len() >= ids.len())
        }
        .await;
        let _ = self.backend.take_changes();
        if let Some(o) = self.open.as_mut() {
            o.phase = Phase::Select;
        }
        match looked {
            Ok(done) => Some(done),
            Err(e) => {
                if self.failed("check a move", &e) {
                    self.give_up_op(&e.to_string());
                }
                None
            }
        }
    }

    /// The copy made it before the connection went: remove the originals.
    async fn finish_copied_move(
        &mut self,
        folder: &FolderRef,
        here: bool,
        uids: &[u32],
        to: &str,
        ids: &[String],
        id: u64,
    ) {
        match self.backend.expunge_messages(uids).await {
            Ok(removed) => {
                self.ops.pop_front();
                if removed {
                    self.removed(folder, here, uids);
                }
                info!(to = %Clean::line(to), "move finished after a reconnect");
                self.emit(WorkerEvent::Moved {
                    op: id,
                    target: None,
                    target_uids: Vec::new(),
                    source_uids: Vec::new(),
                    message_ids: ids.to_vec(),
                    removed,
                });
            }
            Err(e) => {
                if self.failed("finish a move", &e) {
                    self.give_up_op(&e.to_string());
                }
            }
        }
    }

    pub async fn run_search(&mut self) {
        let Some(s) = self.searches.pop_front() else {
            return;
        };
        let open = self.open.as_ref();
        if open.is_none_or(|o| {
            o.path != s.folder.path || o.uid_validity() != Some(s.folder.uid_validity)
        }) {
            return;
        }
        let (path, query, now) = (s.folder.path.clone(), s.query.clone(), s.now);
        let local = self
            .store
            .call(move |st| st.search_local(&path, &query, &now))
            .await
            .unwrap_or_default();
        match self.backend.search(&s.query, &s.now).await {
            Ok(mut uids) => {
                uids.extend(local);
                uids.sort_unstable();
                uids.dedup();
                self.emit(WorkerEvent::Found {
                    req: s.req,
                    uids,
                    offline: None,
                });
            }
            Err(e) => {
                if self.failed("search", &e) {
                    // What the index found stands alone, said so.
                    self.emit(WorkerEvent::Found {
                        req: s.req,
                        uids: local,
                        offline: Some(Clean::line(&e.to_string())),
                    });
                } else if e.ends_session() {
                    // Asked again on the next connection, before newer
                    // ones; the index answers if that fails.
                    self.searches.push_front(s);
                }
            }
        }
    }

    /// While the server cannot be reached: the index's answer to each
    /// waiting search, once (the server is still asked when it is back).
    pub(super) fn answer_offline(&mut self, why: &str) {
        let waiting: Vec<_> = self
            .searches
            .iter_mut()
            .filter(|s| !s.local_sent)
            .map(|s| {
                s.local_sent = true;
                (s.folder.clone(), s.query.clone(), s.now, s.req)
            })
            .collect();
        for (folder, query, now, req) in waiting {
            self.search_offline(&folder, &query, &now, req, why);
        }
    }

    /// The index's answer alone, sent from the store's thread.
    pub(super) fn search_offline(
        &self,
        folder: &FolderRef,
        query: &crate::query::Query,
        now: &crate::query::Now,
        req: u64,
        why: &str,
    ) {
        let (path, query, now) = (folder.path.clone(), query.clone(), *now);
        let (events, account, why) = (self.events_sender(), self.account, Clean::line(why));
        self.store.send(move |s| {
            let uids = s.search_local(&path, &query, &now);
            let ev = WorkerEvent::Found {
                req,
                uids,
                offline: Some(why),
            };
            let _ = events.send((account, ev));
        });
    }
}
