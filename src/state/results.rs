//! Results across folders and accounts: a search everywhere (`E`), a
//! saved search from the config, and All inboxes. Each account's store
//! answers for its folders; the rows of all answers are merged newest
//! first, each with its account and folder, so an action on a row goes to
//! the right account's worker for the right folder. The view stays live:
//! when an account's mail changes, its store is asked again (one question
//! on its way per account at most, and one more after it when changes
//! came meanwhile). What the stores do not hold (folders never opened
//! here) is not in the results, and the title says so.

use std::collections::{HashMap, HashSet};

use crate::mail::types::{Envelope, Flags};
use crate::query::{Facts, Now, Place, Query, Verdict};
use crate::store::everywhere::Everywhere;
use crate::worker::FolderRef;

pub use crate::config::searches::{ALL_INBOXES, ALL_INBOXES_QUERY, SavedSearch};

/// A row of the results: which message of which folder of which account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultRow {
    pub account: usize,
    pub folder: FolderRef,
    pub env: Envelope,
}

/// A message as the results know it, across accounts and folders.
pub type RowKey = (usize, String, u32);

impl ResultRow {
    pub fn key(&self) -> RowKey {
        (self.account, self.folder.path.clone(), self.env.uid)
    }

    fn is(&self, key: &RowKey) -> bool {
        self.account == key.0 && self.env.uid == key.2 && self.folder.path == key.1
    }
}

/// One account's last answer and the questions about it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountPart {
    /// The question on its way, by request id.
    pub asking: Option<u64>,
    /// Its mail changed since that question was asked: ask again.
    pub stale: bool,
    pub answered: bool,
    pub searched: usize,
    pub not_stored: usize,
    pub cut: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Results {
    /// The title: a saved search's name, or the query as typed.
    pub name: String,
    pub query: Query,
    /// Relative dates count from when the view opened.
    pub now: Now,
    /// The accounts asked (those the query does not rule out).
    pub accounts: Vec<usize>,
    pub parts: HashMap<usize, AccountPart>,
    /// Every account's rows, merged: newest first.
    pub rows: Vec<ResultRow>,
    pub selected: usize,
    pub offset: usize,
    pub marked: HashSet<RowKey>,
    /// Rows taken out by a move or deletion from here, by (account, op),
    /// kept out of the answers until the worker says how it went.
    pub moving: HashMap<(usize, u64), Vec<ResultRow>>,
    /// Flags changed from here that the stores may not hold yet.
    pub flags: HashMap<RowKey, Flags>,
    /// The steps made here, newest last, each as the undo steps it left
    /// in its accounts: `u` in the results takes back the last one.
    pub undo: Vec<Vec<(usize, crate::state::Undo)>>,
    /// The view is in the list pane (else the account's folder is).
    pub shown: bool,
    /// The row opened in its folder from here: Esc in the reader comes
    /// back, and J/K step through the results.
    pub reading: Option<RowKey>,
    /// The row to open once its folder's rows arrive.
    pub opening: Option<RowKey>,
    /// The user moved the selection: from then on it stays on its
    /// message as rows come; before, on the newest row.
    pub moved: bool,
    /// What the move picker acts on, taken when it opened: the rows may
    /// change under it while it is open.
    pub move_targets: Option<(usize, Vec<RowKey>)>,
    /// Moves the worker has answered whose rows stay out until an answer
    /// asked after that comes (one asked before may still hold them).
    pub landed: Vec<(usize, u64)>,
    /// The folders each account's store holds, with their UIDVALIDITY:
    /// where new mail can be fetched for the view.
    pub stored: HashMap<(usize, String), u32>,
}

impl Results {
    pub fn new(name: String, query: Query, now: Now, accounts: Vec<usize>) -> Self {
        Results {
            name,
            query,
            now,
            accounts,
            parts: HashMap::new(),
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            marked: HashSet::new(),
            moving: HashMap::new(),
            flags: HashMap::new(),
            undo: Vec::new(),
            shown: true,
            reading: None,
            opening: None,
            moved: false,
            move_targets: None,
            landed: Vec::new(),
            stored: HashMap::new(),
        }
    }

    pub fn selected_row(&self) -> Option<&ResultRow> {
        self.rows.get(self.selected)
    }

    /// Whether any account has not answered yet.
    pub fn loading(&self) -> bool {
        self.accounts
            .iter()
            .any(|a| !self.parts.get(a).is_some_and(|p| p.answered))
    }

    /// The rows an action applies to: the marked ones, else the selected.
    pub fn targets(&self) -> Vec<ResultRow> {
        if self.marked.is_empty() {
            return self.selected_row().cloned().into_iter().collect();
        }
        self.rows
            .iter()
            .filter(|r| self.marked.contains(&r.key()))
            .cloned()
            .collect()
    }

    pub fn move_by(&mut self, delta: isize, rows: usize) {
        self.moved = true;
        if self.rows.is_empty() {
            return;
        }
        self.selected = self
            .selected
            .saturating_add_signed(delta)
            .min(self.rows.len() - 1);
        self.scroll_into_view(rows);
    }

    pub fn scroll_into_view(&mut self, rows: usize) {
        self.offset = super::list::offset_showing(self.selected, self.offset, rows);
    }

    /// The user's choice of row (a click, a jump to the next unread).
    pub fn select(&mut self, i: usize, rows: usize) {
        self.moved = true;
        self.selected = i.min(self.rows.len().saturating_sub(1));
        self.scroll_into_view(rows);
    }

    pub fn select_key(&mut self, key: &RowKey, rows: usize) -> bool {
        match self.rows.iter().position(|r| r.is(key)) {
            Some(i) => {
                self.selected = i;
                self.scroll_into_view(rows);
                true
            }
            None => false,
        }
    }

    pub fn toggle_mark(&mut self) {
        self.moved = true;
        if let Some(key) = self.selected_row().map(ResultRow::key)
            && !self.marked.remove(&key)
        {
            self.marked.insert(key);
        }
    }

    /// An account's answer: its rows replace what it gave before. The
    /// store's answer may hold more than the query asks; the matcher
    /// drops what surely does not match.
    pub fn answer(&mut self, account: usize, name: &str, found: Everywhere, rows: usize) {
        let keep = self.selected_row().map(ResultRow::key);
        self.stored.retain(|(a, _), _| *a != account);
        for (path, validity) in &found.validities {
            self.stored.insert((account, path.clone()), *validity);
        }
        let matcher = self.query.matcher(&self.now);
        let moving: HashSet<RowKey> = self
            .moving
            .iter()
            .filter(|((a, _), _)| *a == account)
            .flat_map(|(_, rows)| rows.iter().map(ResultRow::key))
            .collect();
        let mut fresh = Vec::new();
        for hits in found.folders {
            let place = Place {
                account: name,
                folder: &hits.path,
                delimiter: hits.path.contains('/').then_some('/'),
            };
            let folder = FolderRef {
                path: hits.path.clone(),
                uid_validity: hits.uid_validity,
            };
            for env in hits.rows {
                if matcher.eval(&Facts::envelope(&env).at(place)) == Verdict::No {
                    continue;
                }
                let row = ResultRow {
                    account,
                    folder: folder.clone(),
                    env,
                };
                let key = row.key();
                if moving.contains(&key) {
                    continue;
                }
                fresh.push(row);
            }
        }
        // A flag changed from here: the store's row says so once it has it.
        let mut fresh: Vec<ResultRow> = fresh
            .into_iter()
            .map(|mut r| {
                let key = r.key();
                if let Some(f) = self.flags.get(&key) {
                    if *f == r.env.flags {
                        self.flags.remove(&key);
                    } else {
                        r.env.flags = *f;
                    }
                }
                r
            })
            .collect();
        // The row being read stays while it is read, even if it no longer
        // matches (read under `is:unread`): J and K go on from it.
        if let Some(key) = &self.reading
            && key.0 == account
            && !fresh.iter().any(|r| r.is(key))
            && let Some(row) = self.rows.iter().find(|r| r.is(key))
        {
            fresh.push(row.clone());
        }
        self.rows.retain(|r| r.account != account);
        self.rows.append(&mut fresh);
        self.sort();
        let part = self.parts.entry(account).or_default();
        part.answered = true;
        part.searched = found.searched;
        part.not_stored = found.not_stored.len();
        part.cut = found.cut;
        let present: HashSet<RowKey> = self.rows.iter().map(ResultRow::key).collect();
        self.marked.retain(|k| present.contains(k));
        self.restore_selection(keep, rows);
    }

    /// Newest first by date (rows without one last), then by account,
    /// folder and UID so the order is the same every time.
    fn sort(&mut self) {
        self.rows.sort_by(|a, b| {
            b.env
                .date
                .unwrap_or(i64::MIN)
                .cmp(&a.env.date.unwrap_or(i64::MIN))
                .then(a.account.cmp(&b.account))
                .then_with(|| a.folder.path.cmp(&b.folder.path))
                .then(b.env.uid.cmp(&a.env.uid))
        });
    }

    fn restore_selection(&mut self, keep: Option<RowKey>, rows: usize) {
        if !self.moved {
            self.selected = 0;
            self.offset = 0;
            return;
        }
        if let Some(key) = keep
            && self.select_key(&key, rows)
        {
            return;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.scroll_into_view(rows);
    }

    /// Takes rows out ahead of a move or deletion by (account, op).
    pub fn take(&mut self, account: usize, op: u64, keys: &[RowKey], rows: usize) {
        let keep = self.selected;
        let on = self.selected_row().map(ResultRow::key);
        let (gone, stay): (Vec<ResultRow>, Vec<ResultRow>) = std::mem::take(&mut self.rows)
            .into_iter()
            .partition(|r| keys.iter().any(|k| r.is(k)));
        self.rows = stay;
        for r in &gone {
            self.marked.remove(&r.key());
        }
        self.moving.insert((account, op), gone);
        // The cursor stays on its message if it stays; else where it was.
        if let Some(key) = on
            && self.select_key(&key, rows)
        {
            return;
        }
        self.selected = keep.min(self.rows.len().saturating_sub(1));
        self.scroll_into_view(rows);
    }

    /// A move or deletion from here was refused: its rows come back.
    pub fn put_back(&mut self, account: usize, op: u64, rows: usize) -> bool {
        let Some(back) = self.moving.remove(&(account, op)) else {
            return false;
        };
        let keep = self.selected_row().map(ResultRow::key);
        self.rows.extend(back);
        self.sort();
        self.restore_selection(keep, rows);
        true
    }

    /// Sets a flag on rows here, remembering it until the store agrees.
    pub fn set_flag(&mut self, keys: &[RowKey], flag: crate::mail::types::FlagKind, on: bool) {
        for r in &mut self.rows {
            if keys.iter().any(|k| r.is(k)) {
                flag.set(&mut r.env.flags, on);
                self.flags.insert(r.key(), r.env.flags);
            }
        }
    }

    /// What the stores did not have, for the title: folders never stored
    /// and whether some folder had more matches than are shown.
    pub fn gaps(&self) -> (usize, usize, bool) {
        let mut searched = 0;
        let mut missing = 0;
        let mut cut = false;
        for p in self.parts.values() {
            searched += p.searched;
            missing += p.not_stored;
            cut |= p.cut;
        }
        (searched, missing, cut)
    }

    /// Unread rows, for the virtual folder's count.
    pub fn unread(&self) -> usize {
        self.rows.iter().filter(|r| !r.env.flags.seen).count()
    }
}

#[cfg(test)]
#[path = "results_tests.rs"]
mod tests;
