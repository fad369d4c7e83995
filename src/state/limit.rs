//! The limit view (NeoMutt's `l`imit, aerc's `:filter`): the list shows
//! only the rows that match a query, in the order of the sort or thread
//! view under it. Which rows those are is decided when the limit is
//! applied; a row that stops matching later (read under `is:unread`)
//! stays until the limit is applied again, as in NeoMutt. New rows are
//! checked as they come. Rows the list cannot decide (a word that may be
//! in the text, `to:`) are asked of the server, and shown when it says so.

use std::collections::HashSet;

use super::list::MessageList;
use crate::mail::types::Envelope;
use crate::query::{Facts, Matcher, Now, Place, Query, Verdict};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The query as typed, for the title.
    pub text: String,
    pub query: Query,
    /// Relative dates (`date:..7d`) count from when the limit was applied.
    now: Now,
    account: String,
    folder: String,
    delimiter: Option<char>,
    /// The messages shown (when present): those that matched.
    pub keep: HashSet<u32>,
    /// `keep` in display order: what the list shows.
    pub rows: Vec<(u32, u8)>,
    /// Rows the list could not decide, not yet asked of the server.
    pub pending: HashSet<u32>,
    /// The server search on its way: its request id and the newest UID
    /// the folder had when it was asked.
    pub asking: Option<(u64, u32)>,
    /// The server's last answer and the newest UID it covers: a row up to
    /// that UID the list cannot decide is shown if the answer holds it.
    answer: Option<(HashSet<u32>, u32)>,
}

/// Where the open folder is, for `folder:` and `account:`.
pub struct Where {
    pub account: String,
    pub folder: String,
}

impl Where {
    pub fn place(&self) -> Place<'_> {
        Place {
            account: &self.account,
            folder: &self.folder,
            // Folder paths keep their server's delimiter; `/` is the usual.
            delimiter: self.folder.contains('/').then_some('/'),
        }
    }
}

impl Limit {
    pub fn new(text: &str, query: Query, now: Now, at: Where) -> Self {
        let delimiter = at.place().delimiter;
        Limit {
            text: text.trim().to_string(),
            query,
            now,
            account: at.account,
            folder: at.folder,
            delimiter,
            keep: HashSet::new(),
            rows: Vec::new(),
            pending: HashSet::new(),
            asking: None,
            answer: None,
        }
    }

    fn verdict(m: &Matcher<'_>, place: Place<'_>, e: &Envelope) -> Verdict {
        m.eval(&Facts::envelope(e).at(place))
    }

    /// Decides about rows that came in: kept, left out, or for the server.
    pub(super) fn admit(&mut self, envelopes: &[Envelope]) {
        let m = self.query.matcher(&self.now);
        let place = Place {
            account: &self.account,
            folder: &self.folder,
            delimiter: self.delimiter,
        };
        for e in envelopes {
            if self.keep.contains(&e.uid) {
                continue;
            }
            match Self::verdict(&m, place, e) {
                Verdict::Yes => {
                    self.keep.insert(e.uid);
                }
                Verdict::No => {}
                Verdict::Unknown => match &self.answer {
                    Some((found, covers)) if e.uid <= *covers => {
                        if found.contains(&e.uid) {
                            self.keep.insert(e.uid);
                        }
                    }
                    _ => {
                        self.pending.insert(e.uid);
                    }
                },
            }
        }
    }

    pub fn now(&self) -> Now {
        self.now
    }

    /// The rows are gone (another UIDVALIDITY): nothing decided stands.
    pub(super) fn reset_rows(&mut self) {
        self.rows.clear();
        self.keep.clear();
        self.pending.clear();
        self.answer = None;
    }

    /// The server search to send now, if rows wait for one and none is on
    /// its way: marks it asked (with `req`, covering up to `newest`).
    pub fn ask(&mut self, req: u64, newest: u32) -> bool {
        if self.asking.is_some() || self.pending.is_empty() {
            return false;
        }
        self.asking = Some((req, newest));
        self.pending.clear();
        true
    }
}

impl MessageList {
    /// Shows only the rows that match `limit`, or all with None. The
    /// selection stays on its message if that one is shown; marks on rows
    /// left out are dropped (an action never reaches what is not shown).
    pub fn set_limit(&mut self, limit: Option<Limit>) {
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
    }

    /// Puts the limit's rows in the view's order (or arrival order).
    pub(super) fn refresh_limit(&mut self) {
        let Some(l) = &mut self.limit else { return };
        l.rows = match &self.view {
            Some(v) => v
                .rows
                .iter()
                .copied()
                .filter(|(u, _)| l.keep.contains(u))
                .collect(),
            None => self
                .items
                .iter()
                .filter(|e| l.keep.contains(&e.uid))
                .map(|e| (e.uid, 0))
                .collect(),
        };
    }

    /// The server's answer to the limit's search: the rows it found that
    /// the list cannot rule out are shown. Returns how many more show, or
    /// None when the answer is not for this limit.
    pub fn limit_found(&mut self, req: u64, uids: &[u32]) -> Option<usize> {
        let l = self.limit.as_mut()?;
        let (_, covers) = l.asking.filter(|(r, _)| *r == req)?;
        l.asking = None;
        let found: HashSet<u32> = uids.iter().copied().collect();
        let before = l.keep.len();
        let m = l.query.matcher(&l.now);
        let place = Place {
            account: &l.account,
            folder: &l.folder,
            delimiter: l.delimiter,
        };
        for u in &found {
            let Ok(i) = self.items.binary_search_by(|e| u.cmp(&e.uid)) else {
                continue;
            };
            // Exchange finds more than it should: what a row rules out goes.
            if Limit::verdict(&m, place, &self.items[i]) != Verdict::No {
                l.keep.insert(*u);
            }
        }
        let more = l.keep.len() - before;
        l.pending.retain(|u| *u > covers);
        l.answer = Some((found, covers));
        self.keeping_selection(|_| {});
        Some(more)
    }
}
