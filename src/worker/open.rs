//! The open folder: how far its reconcile has come and what it still has
//! to do. `sync` moves it along; `run` holds it and picks the next step.

use std::time::Duration;

use tokio::time::Instant;

use super::backoff::backoff;
use crate::mail::backend::Selected;
use crate::sync::Known;
use crate::sync::reconcile::{FlagPlan, FolderSync};

/// A folder that went this long without being reconciled again starts
/// its resync budget over.
const RESYNC_CALM: Duration = Duration::from_secs(300);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// (Re)select and decide what to do.
    Select,
    /// A folder the store knew nothing of: its newest rows by sequence
    /// number, before the (long, for a big folder) UID list.
    FirstScreen,
    /// `UID SEARCH ALL`: expunges and UIDs new to the client.
    ListUids,
    /// Rows of new UIDs, newest window first.
    FetchNew,
    /// Flags of known rows.
    Flags,
    /// Rows above the highest known UID (new mail).
    NewAbove,
    /// Record the finished reconcile.
    Commit,
    /// Up to date; changes arrive as the server reports them.
    Live,
}

pub struct OpenFolder {
    pub path: String,
    pub req: u64,
    pub phase: Phase,
    /// What the store held, read once per opening.
    pub(super) loaded: bool,
    pub known: Known,
    pub(super) stored: Option<FolderSync>,
    /// SELECT's answer on the current connection.
    pub sel: Option<Selected>,
    pub(super) flag_plan: FlagPlan,
    pub(super) new_windows: Vec<Vec<u32>>,
    pub(super) new_left: usize,
    pub(super) flag_ranges: Vec<(u32, u32)>,
    /// Rows fetched in this opening (the first screen is out when > 0 or
    /// there is nothing to fetch).
    pub(super) fetched_any: bool,
    /// New mail announced while the reconcile was still running.
    pub(super) pending_new: bool,
    pub(super) committed: bool,
    /// Newest messages whose bodies are still to be fetched ahead.
    pub prefetch: Option<Vec<u32>>,
    /// Messages whose text is still to be synced (`sync_bodies`), the
    /// newest last (taken from the end).
    pub text_sync: Option<Vec<u32>>,
    /// The UID list was compared with the server in this reconcile.
    pub(super) listed: bool,
    /// Reconciles started again (by the server's word or a count that did
    /// not add up) in a row, each less than [`RESYNC_CALM`] after the last.
    pub(super) resyncs: u32,
    pub(super) last_resync: Option<Instant>,
    /// No work on the folder before this: a server that keeps asking for
    /// resyncs gets them at a falling rate, not hundreds a second.
    pub hold_until: Option<Instant>,
}

impl OpenFolder {
    pub fn new(path: String, req: u64) -> Self {
        OpenFolder {
            path,
            req,
            phase: Phase::Select,
            loaded: false,
            known: Known::default(),
            stored: None,
            sel: None,
            flag_plan: FlagPlan::Scan,
            new_windows: Vec::new(),
            new_left: 0,
            flag_ranges: Vec::new(),
            fetched_any: false,
            pending_new: false,
            committed: false,
            prefetch: None,
            text_sync: None,
            listed: false,
            resyncs: 0,
            last_resync: None,
            hold_until: None,
        }
    }

    /// Whether the folder's work waits out a resync backoff.
    pub fn held(&self, now: Instant) -> bool {
        self.hold_until.is_some_and(|t| now < t)
    }

    /// Starts the reconcile again from `phase`, at once the first time and
    /// after a doubling wait (up to a minute) when it keeps happening.
    pub fn resync(&mut self, phase: Phase, now: Instant) -> Duration {
        self.resyncs = match self.last_resync {
            Some(t) if now.duration_since(t) < RESYNC_CALM => self.resyncs + 1,
            _ => 1,
        };
        self.last_resync = Some(now);
        let wait = if self.resyncs > 1 {
            backoff(self.resyncs - 1)
        } else {
            Duration::ZERO
        };
        self.hold_until = (!wait.is_zero()).then(|| now + wait);
        self.phase = phase;
        wait
    }

    pub fn live(&self) -> bool {
        self.phase == Phase::Live
    }

    /// The first rows of a folder the store knew nothing of are not on
    /// screen yet.
    pub fn first_screen_pending(&self) -> bool {
        matches!(
            self.phase,
            Phase::Select | Phase::FirstScreen | Phase::ListUids | Phase::FetchNew
        ) && self.known.is_empty()
            && !self.fetched_any
    }

    pub fn prefetch_pending(&self, n: usize) -> bool {
        n > 0 && self.live() && self.prefetch.as_ref().is_none_or(|q| !q.is_empty())
    }

    pub fn text_sync_pending(&self, on: bool) -> bool {
        on && self.live() && self.text_sync.as_ref().is_none_or(|q| !q.is_empty())
    }

    pub fn uid_validity(&self) -> Option<u32> {
        self.sel.as_ref().map(|s| s.uid_validity)
    }
}
