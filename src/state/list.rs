//! The message list of the open folder: filled from the store at once,
//! then kept in step with what the worker learns from the server. Rows are
//! kept newest first (by UID); a view may show them in another order
//! (sorted, or as threads). The selection stays on its message while rows
//! come and go around it.

pub use super::uid_set::UidSet;

use super::limit::Limit;
use crate::mail::types::{Envelope, FlagUpdate};
use crate::query::{Facts, Now, Place, Query, QueryError, Verdict};
use crate::sanitize::Clean;

pub use super::sort::{SortBy, SortOrder};

/// An order other than arrival: UIDs in display order, with the thread
/// depth of each (0 outside the thread view).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    pub rows: Vec<(u32, u8)>,
    /// Threads from the store; None while they are being built.
    pub threads: bool,
}

/// An active search: what was typed and the UIDs that match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Search {
    pub text: String,
    pub matches: UidSet,
    /// The server was asked too (body text).
    pub asked_server: bool,
    /// The query `text` reads as; `matches` are its matches.
    pub query: Option<Query>,
    /// Rows the list cannot decide (a word may be in the text): the
    /// server is asked on Enter when there are any.
    pub undecided: usize,
}

#[derive(Debug, Default)]
pub struct MessageList {
    /// Request id of the folder open this list belongs to.
    pub req: u64,
    /// Folder path as the backend names it; None before any folder is open.
    pub path: Option<String>,
    /// The UIDVALIDITY the rows belong to (0: not known yet).
    pub uid_validity: u32,
    /// Message count the server gave at SELECT.
    pub exists: u32,
    /// Loaded envelopes, newest first (descending UID).
    pub items: Vec<Envelope>,
    /// Unread rows among `items`.
    pub unread: usize,
    /// New rows still being fetched.
    pub remaining: u32,
    /// Nothing shown yet: waiting for the store or the server.
    pub opening: bool,
    /// The store's rows are all in.
    pub stored_done: bool,
    /// The server is being asked what changed.
    pub syncing: bool,
    /// When the rows last matched the server (unix seconds).
    pub synced_at: Option<i64>,
    /// Row of the selection in display order.
    pub selected: usize,
    /// First visible row.
    pub offset: usize,
    pub error: Option<Clean>,
    /// Messages marked for the next action.
    pub marked: UidSet,
    pub search: Option<Search>,
    /// The order outside the thread view.
    pub sort: SortOrder,
    /// Display order when it is not arrival order.
    pub view: Option<View>,
    /// Only the rows that matched a query are shown (in the view's order).
    pub limit: Option<Limit>,
    /// Messages an undo brought back, by their new UID: the UID they had
    /// before, so arrival order shows them where they were rather than as
    /// new mail at the top.
    pub placed: std::collections::HashMap<u32, u32>,
    /// A message to put the cursor on when it arrives (the first one an
    /// undo brought back); dropped when the user moves.
    pub select_on_arrival: Option<u32>,
}

/// The first row shown in a window of `rows` that must show `selected`,
/// moved as little as can be from `offset`.
pub fn offset_showing(selected: usize, offset: usize, rows: usize) -> usize {
    let rows = rows.max(1);
    if selected < offset {
        selected
    } else if selected >= offset + rows {
        selected + 1 - rows
    } else {
        offset
    }
}

impl MessageList {
    pub fn opening(req: u64, path: String) -> Self {
        MessageList {
            req,
            path: Some(path),
            opening: true,
            ..Default::default()
        }
    }

    pub fn loading(&self) -> bool {
        self.opening || self.remaining > 0
    }

    /// Rows on screen.
    pub fn len(&self) -> usize {
        match self.shown_rows() {
            Some(rows) => rows.len(),
            None => self.items.len(),
        }
    }

    /// The display rows when they are not all rows in arrival order.
    fn shown_rows(&self) -> Option<&[(u32, u8)]> {
        match (&self.limit, &self.view) {
            (Some(l), _) => Some(&l.rows),
            (None, Some(v)) => Some(&v.rows),
            (None, None) => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The envelope at a display row, with its thread depth.
    pub fn row(&self, i: usize) -> Option<(&Envelope, u8)> {
        match self.shown_rows() {
            None => self.items.get(i).map(|e| (e, 0)),
            Some(rows) => {
                let (uid, depth) = *rows.get(i)?;
                Some((self.envelope(uid)?, depth))
            }
        }
    }

    pub fn envelope(&self, uid: u32) -> Option<&Envelope> {
        self.position(uid).ok().map(|i| &self.items[i])
    }

    pub fn envelope_mut(&mut self, uid: u32) -> Option<&mut Envelope> {
        let i = self.position(uid).ok()?;
        self.items.get_mut(i)
    }

    pub fn selected_envelope(&self) -> Option<&Envelope> {
        self.row(self.selected).map(|(e, _)| e)
    }

    /// Display row of a message.
    fn display_index(&self, uid: u32) -> Option<usize> {
        match self.shown_rows() {
            None => self.position(uid).ok(),
            Some(rows) => rows.iter().position(|(u, _)| *u == uid),
        }
    }

    /// Moves the selection by `delta` rows (clamped) and keeps it visible
    /// in a window of `rows`.
    pub fn move_by(&mut self, delta: isize, rows: usize) {
        self.select_on_arrival = None;
        if self.is_empty() {
            return;
        }
        let last = self.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.scroll_into_view(rows);
    }

    pub fn select_uid(&mut self, uid: u32, rows: usize) -> bool {
        match self.display_index(uid) {
            Some(i) => {
                self.selected = i;
                self.scroll_into_view(rows);
                true
            }
            None => false,
        }
    }

    pub fn scroll_into_view(&mut self, rows: usize) {
        self.offset = offset_showing(self.selected, self.offset, rows);
    }

    fn position(&self, uid: u32) -> Result<usize, usize> {
        self.items.binary_search_by(|e| uid.cmp(&e.uid))
    }

    fn recount(&mut self) {
        self.unread = self.items.iter().filter(|e| !e.flags.seen).count();
    }

    /// Runs a change to the rows, then puts the selection back on the
    /// message it was on (or the row where it was, if that one went).
    fn keeping_selection(&mut self, change: impl FnOnce(&mut Self)) {
        let was = self.selected_envelope().map(|e| e.uid);
        let shown_above = self.selected.saturating_sub(self.offset);
        change(self);
        self.recount();
        self.refresh_view();
        self.marked
            .retain(|u| self.items.binary_search_by(|e| u.cmp(&e.uid)).is_ok());
        if self.is_empty() {
            self.selected = 0;
            self.offset = 0;
            return;
        }
        let at = match was.map(|uid| self.display_index(uid)) {
            Some(Some(i)) => i,
            _ => self.selected.min(self.len() - 1),
        };
        // Rows above the top of the screen moved it: keep the selection at
        // the same height, except at the very top, where new mail shows.
        if self.offset > 0 {
            self.offset = at.saturating_sub(shown_above);
        }
        self.selected = at;
    }

    /// Rows from the store or the server, in any order; known UIDs are
    /// replaced. The usual cases are cheap: a page of older rows goes at
    /// the end, new mail at the top.
    pub fn add(&mut self, envelopes: Vec<Envelope>) {
        if envelopes.is_empty() {
            return;
        }
        let descending = envelopes.windows(2).all(|w| w[0].uid > w[1].uid);
        let (first, last) = (envelopes[0].uid, envelopes[envelopes.len() - 1].uid);
        let older = self.items.last().is_none_or(|l| first < l.uid);
        let newer = self.items.first().is_some_and(|f| last > f.uid);
        if let Some(l) = &mut self.limit {
            l.admit(&envelopes);
        }
        if descending && older && self.view.is_none() {
            self.unread += envelopes.iter().filter(|e| !e.flags.seen).count();
            self.reserve(envelopes.len());
            if let Some(l) = &mut self.limit {
                // Older rows go at the end in arrival order, as in the list.
                let kept = envelopes.iter().filter(|e| l.keep.contains(&e.uid));
                l.rows.extend(kept.map(|e| (e.uid, 0)));
            }
            self.items.extend(envelopes);
        } else if descending && newer {
            self.keeping_selection(|l| {
                l.items.splice(0..0, envelopes);
            });
        } else {
            self.keeping_selection(|l| {
                let mut all = std::mem::take(&mut l.items);
                all.extend(envelopes);
                // Stable, on runs already sorted: cheap. On equal UIDs the
                // later copy (the new one) wins.
                all.sort_by_key(|e| std::cmp::Reverse(e.uid));
                all.reverse();
                all.dedup_by_key(|e| e.uid);
                all.reverse();
                l.items = all;
            });
        }
    }

    /// Room for `more` rows. A folder is loaded in many batches; doubling
    /// alone would leave up to half the list's size spare once all rows are
    /// in, so the last step goes to the size the server gave at SELECT
    /// instead (trusted only within what doubling would have taken).
    fn reserve(&mut self, more: usize) {
        let need = self.items.len() + more;
        if need <= self.items.capacity() {
            return;
        }
        let exists = self.exists as usize;
        if exists >= need && exists <= self.items.capacity().saturating_mul(2) {
            self.items.reserve_exact(exists - self.items.len());
        } else {
            self.items.reserve(more);
        }
    }

    /// Shows messages an undo brought back (new UID → old UID) in the
    /// place they had.
    pub fn place(&mut self, pairs: impl IntoIterator<Item = (u32, u32)>) {
        let before = self.placed.len();
        let pairs: Vec<(u32, u32)> = pairs.into_iter().collect();
        if let Some(l) = &mut self.limit {
            // Shown before it went, shown when it is back.
            for (new, was) in &pairs {
                if l.keep.contains(was) {
                    l.keep.insert(*new);
                }
            }
        }
        // A message restored twice keeps its first place.
        let pairs: Vec<(u32, u32)> = pairs
            .into_iter()
            .map(|(new, was)| (new, self.placed.get(&was).copied().unwrap_or(was)))
            .collect();
        self.placed.extend(pairs);
        if self.placed.len() != before {
            self.keeping_selection(|_| {});
        }
    }

    /// Takes rows out (expunged, moved), returning those that were there.
    pub fn remove(&mut self, uids: &[u32]) -> Vec<Envelope> {
        let gone: UidSet = uids.iter().copied().collect();
        let mut taken = Vec::new();
        self.keeping_selection(|l| {
            let (out, keep): (Vec<Envelope>, Vec<Envelope>) = std::mem::take(&mut l.items)
                .into_iter()
                .partition(|e| gone.contains(&e.uid));
            l.items = keep;
            taken = out;
        });
        taken
    }

    pub fn set_flags(&mut self, updates: &[FlagUpdate]) {
        for u in updates {
            if let Ok(i) = self.position(u.uid) {
                self.items[i].flags = u.flags;
            }
        }
        self.recount();
    }

    /// Drops every row (the folder was recreated on the server).
    pub fn clear(&mut self) {
        self.items.clear();
        self.placed.clear();
        self.unread = 0;
        self.selected = 0;
        self.offset = 0;
        self.marked.clear();
        self.search = None;
        if let Some(v) = &mut self.view {
            v.rows.clear();
        }
        if let Some(l) = &mut self.limit {
            l.reset_rows();
        }
    }

    /// Marks or unmarks the selected message.
    pub fn toggle_mark(&mut self) {
        if let Some(uid) = self.selected_envelope().map(|e| e.uid)
            && !self.marked.remove(&uid)
        {
            self.marked.insert(uid);
        }
    }

    /// What an action applies to: the marked messages, else the selected one.
    pub fn targets(&self) -> Vec<u32> {
        if self.marked.is_empty() {
            self.selected_envelope()
                .map(|e| e.uid)
                .into_iter()
                .collect()
        } else {
            let mut m: Vec<u32> = self.marked.iter().copied().collect();
            m.sort_unstable_by(|a, b| b.cmp(a));
            m
        }
    }

    /// Sets the display order outside the thread view (kept for when
    /// threads go off).
    pub fn set_sort(&mut self, sort: impl Into<SortOrder>) {
        self.sort = sort.into();
        if self.threads() {
            return;
        }
        let keep = self.selected_envelope().map(|e| e.uid);
        self.view = None;
        self.refresh_view();
        self.reselect(keep);
    }

    /// Threads are shown (or being built into the view).
    pub fn threads(&self) -> bool {
        self.view.as_ref().is_some_and(|v| v.threads)
    }

    pub fn set_threads(&mut self, rows: Option<Vec<(u32, u8)>>) {
        let keep = self.selected_envelope().map(|e| e.uid);
        self.view = rows.map(|rows| View {
            rows,
            threads: true,
        });
        if self.view.is_none() {
            self.refresh_view();
        } else {
            // Rows the store did not know yet (new mail) go on top.
            self.refresh_view();
        }
        self.reselect(keep);
    }

    fn reselect(&mut self, uid: Option<u32>) {
        self.selected = uid.and_then(|u| self.display_index(u)).unwrap_or(0);
        self.offset = self.offset.min(self.selected);
    }

    /// Keeps a sorted or threaded view, and a limit, in step with the rows.
    fn refresh_view(&mut self) {
        self.refresh_order();
        self.refresh_limit();
    }

    fn refresh_order(&mut self) {
        if let Some(v) = &mut self.view
            && v.threads
        {
            let present: UidSet = self.items.iter().map(|e| e.uid).collect();
            v.rows.retain(|(u, _)| present.contains(u));
            let shown: UidSet = v.rows.iter().map(|(u, _)| *u).collect();
            let new: Vec<(u32, u8)> = self
                .items
                .iter()
                .filter(|e| !shown.contains(&e.uid))
                .map(|e| (e.uid, 0))
                .collect();
            v.rows.splice(0..0, new);
            return;
        }
        if self.sort.is_default() && self.placed.is_empty() {
            self.view = None;
            return;
        }
        // Messages an undo brought back sort by the place they had.
        let arrival = |uid: u32| self.placed.get(&uid).copied().unwrap_or(uid);
        let rows = self.sort.order(&self.items, arrival);
        self.view = Some(View {
            rows: rows.into_iter().map(|u| (u, 0)).collect(),
            threads: false,
        });
    }

    /// Updates the matches of the active search from the rows here: the
    /// typed text as a query. Text that does not read as one (yet) leaves
    /// the search as it was (the matches of the last text that did) and
    /// says why.
    pub fn search_local(
        &mut self,
        text: &str,
        now: &Now,
        place: Place<'_>,
    ) -> Result<(), QueryError> {
        let query = crate::query::parse(text)?;
        let mut matches = UidSet::default();
        let mut undecided = 0;
        if !query.is_empty() {
            let m = query.matcher(now);
            for e in &self.items {
                match m.eval(&Facts::envelope(e).at(place)) {
                    Verdict::Yes => {
                        matches.insert(e.uid);
                    }
                    Verdict::Unknown => undecided += 1,
                    Verdict::No => {}
                }
            }
        }
        self.search = Some(Search {
            text: text.to_string(),
            matches,
            asked_server: false,
            query: Some(query),
            undecided,
        });
        Ok(())
    }

    /// Shows only the rows that match `limit`, or all with None. The
    /// selection stays on its message if that one is shown; marks on rows
    /// left out are dropped (an action never reaches what is not shown).
    /// Puts a limit on (or takes it off) with the selection kept where it
    /// can be, and the view from the top as far as `rows` allow: the rows
    /// above it are not left hidden when the list shrinks.
    pub fn set_limit(&mut self, limit: Option<Limit>, rows: usize) {
        let keep = self.selected_envelope().map(|e| e.uid);
        self.limit = limit.map(|mut l| {
            l.admit(&self.items);
            l
        });
        self.refresh_view();
        if let Some(l) = &self.limit {
            self.marked.retain(|u| l.keep.contains(u));
        }
        self.reselect(keep);
        self.offset = 0;
        self.scroll_into_view(rows);
    }

    /// Puts the limit's rows in the view's order (or arrival order).
    fn refresh_limit(&mut self) {
        let Some(l) = &mut self.limit else { return };
        match &self.view {
            Some(v) => l.show_in(v.rows.iter().copied()),
            None => l.show_in(self.items.iter().map(|e| (e.uid, 0))),
        }
    }

    /// The server's answer to the limit's search; how many more rows show,
    /// or None when the answer is not the limit's.
    pub fn limit_found(&mut self, req: u64, uids: &[u32]) -> Option<usize> {
        let more = self.limit.as_mut()?.found(req, uids, &self.items)?;
        self.keeping_selection(|_| {});
        Some(more)
    }

    /// Moves the selection to the next (or previous) match, wrapping.
    pub fn jump_to_match(&mut self, forward: bool, include_current: bool, rows: usize) -> bool {
        let Some(s) = &self.search else { return false };
        if s.matches.is_empty() || self.is_empty() {
            return false;
        }
        let n = self.len();
        let start = self.selected;
        for step in 0..n {
            let off = if include_current { step } else { step + 1 };
            let i = if forward {
                (start + off) % n
            } else {
                (start + n - off % n) % n
            };
            if self.row(i).is_some_and(|(e, _)| s.matches.contains(&e.uid)) {
                self.selected = i;
                self.scroll_into_view(rows);
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
#[path = "list_tests.rs"]
mod tests;
