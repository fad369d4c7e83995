//! The limit view (NeoMutt's `l`imit, aerc's `:filter`): the list shows
//! only the rows that match a query, in the order of the sort or thread
//! view under it. Which rows those are is decided when the limit is
//! applied; a row that stops matching later (read under `is:unread`)
//! stays until the limit is applied again, as in NeoMutt. New rows are
//! checked as they come. Rows the list cannot decide (a word that may be
//! in the text, `to:`) are asked of the server, and shown when it says so.

use super::uid_set::UidSet;

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
    pub keep: UidSet,
    /// `keep` in display order: what the list shows.
    pub rows: Vec<(u32, u8)>,
    /// Rows the list could not decide, not yet asked of the server.
    pub pending: UidSet,
    /// The server search on its way: its request id and the newest UID
    /// the folder had when it was asked.
    pub asking: Option<(u64, u32)>,
    /// The server's last answer and the newest UID it covers: a row up to
    /// that UID the list cannot decide is shown if the answer holds it.
    answer: Option<(UidSet, u32)>,
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
            keep: UidSet::default(),
            rows: Vec::new(),
            pending: UidSet::default(),
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

    /// Shows the kept rows of `order` (the view's, or arrival order).
    pub(super) fn show_in(&mut self, order: impl Iterator<Item = (u32, u8)>) {
        self.rows = order.filter(|(u, _)| self.keep.contains(u)).collect();
    }

    /// The server's answer to the search asked with `req`: the rows it
    /// found that the list cannot rule out are kept (Exchange finds more
    /// than it should). How many more are kept; None when the answer is
    /// not this limit's.
    pub(super) fn found(&mut self, req: u64, uids: &[u32], items: &[Envelope]) -> Option<usize> {
        let (_, covers) = self.asking.filter(|(r, _)| *r == req)?;
        self.asking = None;
        let found: UidSet = uids.iter().copied().collect();
        let before = self.keep.len();
        let m = self.query.matcher(&self.now);
        let place = Place {
            account: &self.account,
            folder: &self.folder,
            delimiter: self.delimiter,
        };
        for u in &found {
            let Ok(i) = items.binary_search_by(|e| u.cmp(&e.uid)) else {
                continue;
            };
            if Self::verdict(&m, place, &items[i]) != Verdict::No {
                self.keep.insert(*u);
            }
        }
        let more = self.keep.len() - before;
        self.pending.retain(|u| *u > covers);
        self.answer = Some((found, covers));
        Some(more)
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
