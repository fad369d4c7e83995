//! Bringing the open folder up to date, one server exchange per step, and
//! applying what the server reports while it is open.

use tokio::time::Instant;

use tracing::{debug, info, warn};

use super::open::Phase;
use super::protocol::WorkerEvent;
use super::run::Worker;
use crate::mail::backend::{Change, FolderCount, MailBackend, MailError};
use crate::mail::types::{FlagUpdate, NewMessage};
use crate::sanitize::Clean;
use crate::sync::Known;
use crate::sync::reconcile::{self, FlagPlan, FolderSync};

/// Rows fetched before anything else, so the first screen appears at once.
pub const FIRST_BATCH: usize = 100;
/// Later batches: big enough to be efficient, small enough that a body
/// fetch queued behind one is not noticeably delayed.
pub const BATCH: usize = 1000;
/// Messages per flag-scan round trip where there is no CONDSTORE.
pub const FLAG_WINDOW: usize = 5000;
/// New mail fetched in one go after a QRESYNC select; more than this is
/// listed and fetched in batches instead.
const QRESYNC_NEW_AT_ONCE: u32 = 1000;
impl<B: MailBackend> Worker<B> {
    pub async fn select(&mut self) {
        let Some(open) = self.open.as_mut() else {
            return;
        };
        if !open.loaded {
            let path = open.path.clone();
            let reading = crate::startup::step("store read for select");
            let (stored, known) = self
                .store
                .call(move |s| (s.folder_state(&path), s.known(&path)))
                .await
                .unwrap_or_default();
            reading.end();
            let Some(open) = self.open.as_mut() else {
                return;
            };
            open.stored = stored;
            open.known = Known::new(known);
            open.loaded = true;
        }
        let Some(open) = self.open.as_ref() else {
            return;
        };
        let (path, req) = (open.path.clone(), open.req);
        let offer = match (&open.stored, open.known.is_empty()) {
            (Some(s), false) => s.known_state(),
            _ => None,
        };
        let selecting = crate::startup::step("select");
        let selected = self.backend.select(&path, offer).await;
        selecting.end();
        let sel = match selected {
            Ok(sel) => sel,
            Err(e) => {
                if self.failed("open folder", &e) {
                    warn!("cannot open folder: {e}");
                    self.open = None;
                    self.emit(WorkerEvent::FolderFailed {
                        req,
                        error: Clean::line(&e.to_string()),
                    });
                }
                return;
            }
        };
        let Some(open) = self.open.as_mut() else {
            return;
        };
        // Selected again before the first reconcile finished (a lost
        // connection mid-load): the rows fetched so far are good for the
        // UIDVALIDITY they came with, so the load resumes instead of
        // starting over.
        let so_far = open
            .sel
            .as_ref()
            .filter(|_| open.stored.is_none() && !open.known.is_empty())
            .map(|s| FolderSync {
                uid_validity: s.uid_validity,
                uid_next: None,
                highest_modseq: None,
                synced_at: None,
            });
        let plan =
            reconcile::on_select(open.stored.as_ref().or(so_far.as_ref()), &open.known, &sel);
        if let Some(why) = &plan.reset {
            info!(folder = %Clean::line(&path), "stored messages dropped: {why}");
            let (p, v) = (path.clone(), sel.uid_validity);
            self.store.send(move |s| s.reset_folder(&p, v));
            open.known = Known::default();
            open.stored = None;
        }
        info!(folder = %Clean::line(&path), messages = sel.exists, known = open.known.len(), "folder selected");
        let changes = sel.changes.clone();
        let exists = sel.exists;
        // Every select starts a reconcile that ends in Synced.
        open.committed = false;
        open.listed = false;
        open.flag_plan = plan.flags;
        // Much new mail since the last QRESYNC state goes in batches.
        let many_new = exists.saturating_sub(open.known.len() as u32) > QRESYNC_NEW_AT_ONCE;
        open.phase = if open.known.is_empty() && exists > 0 {
            Phase::FirstScreen
        } else if plan.list_uids || many_new {
            Phase::ListUids
        } else {
            Phase::NewAbove
        };
        let uid_validity = sel.uid_validity;
        open.sel = Some(sel);
        self.emit(WorkerEvent::Selected {
            req,
            path,
            uid_validity,
            exists,
        });
        if let Some(ch) = changes {
            self.expunge(ch.vanished);
            self.update_flags(ch.flags);
        }
    }

    pub async fn sync_step(&mut self) {
        let Some(open) = self.open.as_ref() else {
            return;
        };
        match open.phase {
            Phase::FirstScreen => self.first_screen().await,
            Phase::ListUids => self.list_uids().await,
            Phase::FetchNew => self.fetch_new().await,
            Phase::Flags => self.sync_flags().await,
            Phase::NewAbove => self.new_above().await,
            Phase::Commit => self.commit(),
            Phase::Select | Phase::Live => {}
        }
    }

    async fn first_screen(&mut self) {
        let fetching = crate::startup::step("first fetch");
        let fetched = self.backend.fetch_newest(FIRST_BATCH).await;
        fetching.end();
        let rows = match fetched {
            Ok(r) => r,
            Err(e) => return self.sync_failed("fetch newest messages", &e),
        };
        let Some(open) = self.open.as_mut() else {
            return;
        };
        open.phase = Phase::ListUids;
        open.fetched_any = !rows.is_empty();
        // These rows come with their flags: nothing to rescan.
        open.flag_plan = FlagPlan::UpToDate;
        let exists = open.sel.as_ref().map_or(0, |s| s.exists);
        let (rows, _) = reconcile::accept_rows(|_| true, &open.known, rows);
        let remaining = exists.saturating_sub(rows.len() as u32);
        self.insert(rows, remaining);
    }

    async fn list_uids(&mut self) {
        // In slices: a switch waits for one slice, not the whole list.
        let server = match self.backend.list_uids_step().await {
            Ok(Some(u)) => u,
            Ok(None) => return,
            Err(e) => return self.sync_failed("list message ids", &e),
        };
        let Some(open) = self.open.as_mut() else {
            return;
        };
        open.listed = true;
        let (expunged, missing) = reconcile::diff_uids(&open.known, &server);
        debug!(
            server = server.len(),
            expunged = expunged.len(),
            new = missing.len(),
            "compared message ids"
        );
        self.expunge(expunged);
        let Some(open) = self.open.as_mut() else {
            return;
        };
        // Flags of what was known before; new rows come with theirs.
        open.flag_ranges = match open.flag_plan {
            FlagPlan::UpToDate => Vec::new(),
            _ if open.known.is_empty() => Vec::new(),
            FlagPlan::ChangedSince(_) => vec![(1, open.known.max_uid())],
            FlagPlan::Scan => reconcile::flag_ranges(&open.known, FLAG_WINDOW),
        };
        open.new_left = missing.len();
        open.new_windows = reconcile::windows_newest_first(&missing, FIRST_BATCH, BATCH);
        open.phase = Phase::FetchNew;
        if missing.is_empty() {
            open.fetched_any = true;
        }
    }

    async fn fetch_new(&mut self) {
        let Some(open) = self.open.as_mut() else {
            return;
        };
        let Some(window) = open.new_windows.first().cloned() else {
            open.phase = Phase::Flags;
            return;
        };
        // The next window is asked for before this one is read, so the
        // server is never idle while rows are parsed and handed on.
        let next = open.new_windows.get(1).cloned();
        let rows = match self.backend.fetch_rows_then(&window, next.as_deref()).await {
            Ok(r) => r,
            Err(e) => return self.sync_failed("fetch message list", &e),
        };
        let Some(open) = self.open.as_mut() else {
            return;
        };
        open.new_windows.remove(0);
        open.new_left = open.new_left.saturating_sub(window.len());
        open.fetched_any = true;
        let asked = |u: u32| window.binary_search(&u).is_ok();
        let (rows, dropped) = reconcile::accept_rows(asked, &open.known, rows);
        if dropped > 0 {
            warn!(
                dropped,
                "the server sent message rows that were not asked for; ignored"
            );
        }
        let remaining = open.new_left as u32;
        self.insert(rows, remaining);
    }

    async fn sync_flags(&mut self) {
        let Some(open) = self.open.as_mut() else {
            return;
        };
        let Some(&(lo, hi)) = open.flag_ranges.first() else {
            open.phase = Phase::Commit;
            return;
        };
        let since = match open.flag_plan {
            FlagPlan::ChangedSince(m) => Some(m),
            _ => None,
        };
        let scan = match self.backend.fetch_flags(lo, hi, since).await {
            Ok(s) => s,
            Err(e) => return self.sync_failed("fetch flags", &e),
        };
        let (updates, dropped) = reconcile::accept_flags(lo, hi, scan.flags);
        if dropped > 0 {
            debug!(dropped, "flags outside the asked range ignored");
        }
        self.update_flags(updates);
        self.expunge(scan.vanished);
        if let Some(open) = self.open.as_mut() {
            open.flag_ranges.remove(0);
        }
    }

    async fn new_above(&mut self) {
        let Some(open) = self.open.as_ref() else {
            return;
        };
        // Rows copied in by a move (COPYUID) may sit above mail that came
        // after the last sync: the first fetch starts below what the last
        // sync saw, and what is known already is dropped below.
        let top = match open.stored.as_ref().and_then(|s| s.uid_next) {
            Some(next) if !open.committed => open.known.max_uid().min(next.saturating_sub(1)),
            _ => open.known.max_uid(),
        };
        let rows = match self.backend.fetch_rows_above(top).await {
            Ok(r) => r,
            Err(e) => return self.sync_failed("fetch new mail", &e),
        };
        let Some(open) = self.open.as_mut() else {
            return;
        };
        let (rows, dropped) = reconcile::accept_rows(|u| u > top, &open.known, rows);
        if dropped > 0 {
            debug!(dropped, "rows not above the known ones ignored");
        }
        open.fetched_any = true;
        let live = open.committed;
        open.phase = if live { Phase::Live } else { Phase::Commit };
        if !rows.is_empty() {
            info!(count = rows.len(), "new mail");
        }
        self.insert(rows, 0);
        if live
            && self.counts_disagree()
            && let Some(open) = self.open.as_mut()
            && open.phase == Phase::ListUids
        {
            // Healing runs through Commit again, which reports Synced.
            open.committed = false;
        }
    }

    /// Whether the server counts a different number of messages than the
    /// rows known, with no UID list compared yet in this reconcile: then
    /// the store and the server parted somewhere, and the folder is listed
    /// again (a UID diff heals it whatever went wrong). Returns true when
    /// that was started.
    fn counts_disagree(&mut self) -> bool {
        // The server's news first: new mail explains a higher count, and a
        // resync it asked for replaces this check.
        let before = self.open.as_ref().map(|o| o.phase);
        self.apply_changes();
        let count = self.backend.message_count();
        let Some(open) = self.open.as_mut() else {
            return false;
        };
        if Some(open.phase) != before {
            return true;
        }
        let Some(count) = count else { return false };
        if open.pending_new {
            return false;
        }
        let known = open.known.len();
        if count as usize == known || open.listed {
            if count as usize != known {
                debug!(
                    count,
                    known, "counts still differ after listing; the server is changing"
                );
            }
            return false;
        }
        let wait = open.resync(Phase::ListUids, Instant::now());
        warn!(
            count,
            known,
            "the server counts a different number of messages than stored; comparing ids in {}s",
            wait.as_secs()
        );
        true
    }

    fn commit(&mut self) {
        if self.counts_disagree() {
            return;
        }
        let Some(open) = self.open.as_mut() else {
            return;
        };
        let Some(sel) = &open.sel else { return };
        let now = crate::auth::oauth::now();
        let state = FolderSync {
            uid_validity: sel.uid_validity,
            uid_next: sel.uid_next,
            highest_modseq: sel.highest_modseq,
            synced_at: Some(now),
        };
        let path = open.path.clone();
        open.stored = Some(state);
        open.committed = true;
        open.listed = false;
        open.phase = if open.pending_new {
            open.pending_new = false;
            Phase::NewAbove
        } else {
            Phase::Live
        };
        let (req, total, unseen) = (open.req, open.known.len(), open.known.unseen());
        let p = path.clone();
        self.store.send(move |s| s.commit_sync(&p, state));
        info!(folder = %Clean::line(&path), messages = total, "folder up to date");
        // A finished sync says the server answers, not that the session
        // lasts: only time makes a session healthy (see `failed`).
        self.repeated = None;
        self.emit(WorkerEvent::Synced { req, at: now });
        self.emit(WorkerEvent::FolderCounts(vec![FolderCount {
            path,
            total: total as u32,
            unseen: unseen as u32,
        }]));
        if self.counts_due.is_none() {
            self.counts_due = Some(Instant::now());
        }
    }

    /// A watch round ended with the session alive and the folder live:
    /// what is shown was current now. The store keeps that time too, so
    /// an offline start says how old its rows are.
    pub fn still_current(&mut self) {
        let Some(open) = self.open.as_mut() else {
            return;
        };
        if !open.live() || !open.committed {
            return;
        }
        let Some(mut state) = open.stored else { return };
        let now = crate::auth::oauth::now();
        // Every command ends a watch round; once in a while is enough.
        if state.synced_at.is_some_and(|at| now - at < 10) {
            return;
        }
        state.synced_at = Some(now);
        open.stored = Some(state);
        let (req, path) = (open.req, open.path.clone());
        self.store.send(move |s| s.commit_sync(&path, state));
        self.emit(WorkerEvent::Fresh { req, at: now });
    }

    /// A sync step failed: transport trouble reconnects and starts over;
    /// a refusal (or the same unreadable answer twice) ends the sync with
    /// the error on screen.
    fn sync_failed(&mut self, step: &str, e: &MailError) {
        if self.failed(step, e) {
            warn!("{step}: {e}");
            if let Some(open) = self.open.as_mut() {
                let req = open.req;
                open.phase = Phase::Live;
                open.committed = true;
                self.emit(WorkerEvent::FolderFailed {
                    req,
                    error: Clean::line(&e.to_string()),
                });
            }
        }
    }

    /// Applies what the server reported on its own about the open folder.
    pub fn apply_changes(&mut self) {
        let noticed = self.backend.take_changes();
        let open_path = self.open.as_ref().map(|o| o.path.as_str());
        if noticed.changes.is_empty() {
            return;
        }
        if noticed.folder.as_deref() != open_path {
            // Reported while an op had another folder selected: those UIDs
            // are that folder's, and its next opening reconciles it.
            debug!(
                count = noticed.changes.len(),
                "changes to a folder that is not open dropped"
            );
            return;
        }
        for change in noticed.changes {
            match change {
                Change::NewMail => {
                    if let Some(open) = self.open.as_mut() {
                        if open.phase == Phase::Live {
                            open.phase = Phase::NewAbove;
                        } else {
                            open.pending_new = true;
                        }
                    }
                }
                Change::Expunged(uids) => self.expunge(uids),
                Change::Flags(updates) => self.update_flags(updates),
                Change::Resync(why) => {
                    if let Some(open) = self.open.as_mut() {
                        let wait = open.resync(Phase::Select, Instant::now());
                        warn!("reconciling the folder again in {}s: {why}", wait.as_secs());
                    }
                }
            }
        }
    }

    fn insert(&mut self, mut rows: Vec<NewMessage>, remaining: u32) {
        let Some(open) = self.open.as_mut() else {
            return;
        };
        if rows.is_empty() && remaining > 0 {
            return;
        }
        open.known
            .insert(rows.iter().map(|r| (r.envelope.uid, r.envelope.flags)));
        rows.sort_by_key(|r| std::cmp::Reverse(r.envelope.uid));
        let req = open.req;
        let path = open.path.clone();
        let envelopes = rows.iter().map(|r| r.envelope.clone()).collect();
        if !rows.is_empty() {
            self.store.send(move |s| s.insert(&path, &rows));
        }
        self.emit(WorkerEvent::Inserted {
            req,
            envelopes,
            remaining,
        });
    }

    pub fn expunge(&mut self, uids: Vec<u32>) {
        let Some(open) = self.open.as_mut() else {
            return;
        };
        let gone = open.known.remove(&uids);
        if gone.is_empty() {
            return;
        }
        let (req, path) = (open.req, open.path.clone());
        let g = gone.clone();
        self.store.send(move |s| s.remove(&path, &g));
        self.emit(WorkerEvent::Expunged { req, uids: gone });
    }

    pub fn update_flags(&mut self, updates: Vec<FlagUpdate>) {
        let Some(open) = self.open.as_mut() else {
            return;
        };
        let changed = open.known.update_flags(&updates);
        if changed.is_empty() {
            return;
        }
        let (req, path) = (open.req, open.path.clone());
        let c = changed.clone();
        self.store.send(move |s| s.set_flags(&path, &c));
        self.emit(WorkerEvent::FlagsChanged {
            req,
            updates: changed,
        });
    }
}
