//! The message list of the open folder: filled from the store at once,
//! then kept in step with what the worker learns from the server. Rows are
//! newest first (by UID); the selection stays on its message while rows
//! come and go around it.

use std::collections::HashSet;

use crate::mail::types::{Envelope, FlagUpdate};
use crate::sanitize::Clean;

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
    pub selected: usize,
    /// First visible row.
    pub offset: usize,
    pub error: Option<Clean>,
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

    pub fn selected_envelope(&self) -> Option<&Envelope> {
        self.items.get(self.selected)
    }

    /// Moves the selection by `delta` rows (clamped) and keeps it visible
    /// in a window of `rows`.
    pub fn move_by(&mut self, delta: isize, rows: usize) {
        if self.items.is_empty() {
            return;
        }
        let last = self.items.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.scroll_into_view(rows);
    }

    pub fn scroll_into_view(&mut self, rows: usize) {
        let rows = rows.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
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
        if self.items.is_empty() {
            self.selected = 0;
            self.offset = 0;
            return;
        }
        let at = match was.map(|uid| self.position(uid)) {
            Some(Ok(i)) => i,
            Some(Err(i)) => i.min(self.items.len() - 1),
            None => 0,
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
        if descending && older {
            self.unread += envelopes.iter().filter(|e| !e.flags.seen).count();
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

    pub fn remove(&mut self, uids: &[u32]) {
        let gone: HashSet<u32> = uids.iter().copied().collect();
        self.keeping_selection(|l| l.items.retain(|e| !gone.contains(&e.uid)));
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
        self.unread = 0;
        self.selected = 0;
        self.offset = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::types::Flags;

    fn env(uid: u32) -> Envelope {
        Envelope {
            uid,
            date: None,
            from: Clean::line("x"),
            subject: Clean::line("s"),
            flags: Flags::default(),
            has_attachment: false,
            size: 0,
        }
    }

    fn list(n: u32) -> MessageList {
        let mut l = MessageList::default();
        l.add((1..=n).rev().map(env).collect());
        l
    }

    fn uids(l: &MessageList) -> Vec<u32> {
        l.items.iter().map(|e| e.uid).collect()
    }

    #[test]
    fn selection_is_clamped_and_kept_visible() {
        let mut l = list(50);
        l.move_by(-3, 10);
        assert_eq!((l.selected, l.offset), (0, 0));
        l.move_by(12, 10);
        assert_eq!((l.selected, l.offset), (12, 3));
        l.move_by(1000, 10);
        assert_eq!((l.selected, l.offset), (49, 40));
        l.move_by(-45, 10);
        assert_eq!((l.selected, l.offset), (4, 4));
        l.move_by(-100, 10);
        assert_eq!(l.selected_envelope().map(|e| e.uid), Some(50));
    }

    #[test]
    fn empty_list_does_nothing() {
        let mut l = MessageList::default();
        l.move_by(5, 10);
        assert_eq!((l.selected, l.offset), (0, 0));
        assert!(l.selected_envelope().is_none());
    }

    #[test]
    fn new_mail_shows_at_the_top_and_the_selection_stays_on_its_message() {
        let mut l = list(10);
        l.move_by(2, 5);
        assert_eq!(l.selected_envelope().map(|e| e.uid), Some(8));
        l.add(vec![env(12), env(11)]);
        assert_eq!(&uids(&l)[..3], [12, 11, 10]);
        assert_eq!(l.selected_envelope().map(|e| e.uid), Some(8));
        assert_eq!(l.offset, 0, "the top of the list stays in view");
        assert_eq!(l.unread, 12);
    }

    #[test]
    fn a_scrolled_view_does_not_jump_when_mail_arrives() {
        let mut l = list(100);
        l.move_by(60, 10);
        let (sel, off) = (l.selected, l.offset);
        l.add(vec![env(101), env(102)]);
        assert_eq!(l.selected, sel + 2);
        assert_eq!(l.offset, off + 2);
    }

    #[test]
    fn expunging_the_selected_row_selects_its_neighbour() {
        let mut l = list(5);
        l.move_by(1, 5);
        l.remove(&[4, 99]);
        assert_eq!(uids(&l), [5, 3, 2, 1]);
        assert_eq!(l.selected_envelope().map(|e| e.uid), Some(3));
        l.remove(&[1, 2, 3, 5]);
        assert!(l.items.is_empty());
        assert_eq!(l.selected, 0);
    }

    #[test]
    fn older_rows_and_duplicates_merge_in_order() {
        let mut l = list(3);
        l.add(vec![env(2), env(7), env(5)]);
        assert_eq!(uids(&l), [7, 5, 3, 2, 1]);
        l.add(vec![env(9)]);
        assert_eq!(uids(&l), [9, 7, 5, 3, 2, 1]);
        let mut replaced = env(5);
        replaced.flags.seen = true;
        l.add(vec![replaced]);
        assert!(
            l.items[2].flags.seen,
            "a known row is replaced by the new copy"
        );
        assert_eq!((l.items.len(), l.unread), (6, 5));
    }

    #[test]
    fn flag_updates_change_rows_and_the_unread_count() {
        let mut l = list(3);
        let seen = Flags {
            seen: true,
            ..Flags::default()
        };
        l.set_flags(&[
            FlagUpdate {
                uid: 2,
                flags: seen,
            },
            FlagUpdate {
                uid: 9,
                flags: seen,
            },
        ]);
        assert!(l.items[1].flags.seen);
        assert_eq!(l.unread, 2);
    }
}
