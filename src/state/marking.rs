//! Marks beyond one at a time: take them all off, mark what a query
//! matches (NeoMutt's tag-pattern), mark a thread. Only rows on show are
//! marked: under a limit an action never reaches what is hidden. Rows the
//! list cannot decide for a query are the server's, as for a limit; the
//! thread of a message comes from the store when the thread view is off.

use std::collections::HashSet;

use super::list::MessageList;
use super::prompt::{Outcome, Prompt, PromptKind};
use super::{Pane, State};
use crate::action::{Command, StoreCommand};
use crate::query::{Facts, Now, Query, Verdict};
use crate::text::count as plural;
use crate::worker::WorkerCommand;

/// A mark waiting on the server or the store, for the folder at `path`
/// (an answer for a folder left since is dropped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Marking {
    /// Rows the list could not decide, asked of the server with `req`.
    Query {
        req: u64,
        path: String,
        query: Query,
        now: Now,
        undecided: HashSet<u32>,
    },
    /// Thread order asked of the store with `req`, to mark the thread of `uid`.
    Thread { req: u64, path: String, uid: u32 },
}

impl MessageList {
    /// Whether a message is one of the rows shown (a limit hides some).
    pub fn is_shown(&self, uid: u32) -> bool {
        match &self.limit {
            Some(l) => l.keep.contains(&uid),
            None => self.envelope(uid).is_some(),
        }
    }

    /// Marked messages outside the `rows` on screen from the top row.
    pub fn marked_off_screen(&self, rows: usize) -> usize {
        let end = (self.offset + rows).min(self.len());
        let on_screen = (self.offset..end)
            .filter_map(|i| self.row(i))
            .filter(|(e, _)| self.marked.contains(&e.uid))
            .count();
        self.marked.len().saturating_sub(on_screen)
    }

    /// Marks the thread of `uid` in `order` (thread order with depths), or
    /// unmarks it when all of its shown messages are marked already. How
    /// many changed and whether they were marked.
    pub(super) fn mark_thread_in(&mut self, order: &[(u32, u8)], uid: u32) -> (usize, bool) {
        let Some(at) = order.iter().position(|(u, _)| *u == uid) else {
            return (0, false);
        };
        let start = order[..=at].iter().rposition(|(_, d)| *d == 0).unwrap_or(0);
        let end = order[at + 1..]
            .iter()
            .position(|(_, d)| *d == 0)
            .map_or(order.len(), |n| at + 1 + n);
        let thread: Vec<u32> = order[start..end]
            .iter()
            .map(|(u, _)| *u)
            .filter(|u| self.is_shown(*u))
            .collect();
        let all_marked = thread.iter().all(|u| self.marked.contains(u));
        if all_marked {
            for u in &thread {
                self.marked.remove(u);
            }
        } else {
            self.marked.extend(thread.iter().copied());
        }
        (thread.len(), !all_marked)
    }
}

impl State {
    pub(super) fn unmark_all(&mut self) {
        let Some(acc) = self.accounts.get_mut(self.current) else {
            return;
        };
        acc.marking = None;
        let n = acc.list.marked.len();
        acc.list.marked.clear();
        let note = if n == 0 {
            "nothing was marked".to_string()
        } else {
            format!("{} unmarked", plural(n, "message"))
        };
        self.notify(&note, false);
    }

    /// Keys in the mark-by-query prompt.
    pub(super) fn on_mark_prompt(&mut self, mut p: Prompt, outcome: Outcome) -> Vec<Command> {
        match outcome {
            Outcome::Done => self.mark_matching(p),
            Outcome::Cancelled => Vec::new(),
            _ => {
                p.error = crate::query::parse(&p.text).err();
                self.prompt = Some(p);
                Vec::new()
            }
        }
    }

    fn mark_matching(&mut self, mut p: Prompt) -> Vec<Command> {
        let query = match crate::query::parse(&p.text) {
            Ok(q) if !q.is_empty() => q,
            Ok(_) => return Vec::new(),
            Err(e) => {
                p.error = Some(e);
                self.prompt = Some(p);
                return Vec::new();
            }
        };
        let now = self.query_now();
        let here = self.where_in(self.current);
        let account = self.current;
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        self.focus = Pane::Messages;
        let m = query.matcher(&now);
        let l = &mut acc.list;
        let mut undecided = HashSet::new();
        let before = l.marked.len();
        for i in 0..l.len() {
            let Some((e, _)) = l.row(i) else { continue };
            match m.eval(&Facts::envelope(e).at(here.place())) {
                Verdict::Yes => {
                    let uid = e.uid;
                    l.marked.insert(uid);
                }
                Verdict::Unknown => {
                    undecided.insert(e.uid);
                }
                Verdict::No => {}
            }
        }
        let added = l.marked.len() - before;
        let total = l.marked.len();
        let folder = acc.folder_ref();
        let so_far = if added == total {
            format!("{} marked", plural(added, "message"))
        } else {
            format!("{added} more marked, {total} in all")
        };
        let (Some(folder), false) = (folder, undecided.is_empty()) else {
            self.notify(&so_far, false);
            return Vec::new();
        };
        let req = acc.next_req_id();
        acc.marking = Some(Marking::Query {
            req,
            path: folder.path.clone(),
            query: query.clone(),
            now,
            undecided,
        });
        self.notify(
            &format!("{so_far}; asking the server about the text…"),
            false,
        );
        vec![Command::Worker {
            account,
            command: WorkerCommand::Search {
                folder,
                query,
                now,
                req,
            },
        }]
    }

    /// The server's answer for a mark by query: the rows it found that the
    /// list could not decide are marked. None when the answer is not one.
    pub(super) fn marking_found(
        &mut self,
        account: usize,
        req: u64,
        uids: &[u32],
    ) -> Option<String> {
        let here = self.where_in(account);
        let acc = self.accounts.get_mut(account)?;
        let Some(Marking::Query {
            path,
            query,
            now,
            undecided,
            ..
        }) = acc
            .marking
            .take_if(|m| matches!(m, Marking::Query { req: r, .. } if *r == req))
        else {
            return None;
        };
        let l = &mut acc.list;
        if l.path.as_deref() != Some(path.as_str()) {
            return Some(String::new());
        }
        let m = query.matcher(&now);
        let mut added = 0;
        for u in uids.iter().filter(|u| undecided.contains(u)) {
            // Exchange finds more than it should: a row the list rules
            // out stays unmarked, and a row gone or hidden since is left.
            let ok = l.is_shown(*u)
                && l.envelope(*u)
                    .is_some_and(|e| m.eval(&Facts::envelope(e).at(here.place())) != Verdict::No);
            if ok && l.marked.insert(*u) {
                added += 1;
            }
        }
        Some(format!(
            "{added} more marked by the text search, {} in all",
            l.marked.len()
        ))
    }

    pub(super) fn mark_thread(&mut self) -> Vec<Command> {
        let account = self.current;
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        let Some(uid) = acc.list.selected_envelope().map(|e| e.uid) else {
            return Vec::new();
        };
        let threads = acc.list.view.as_ref().filter(|v| v.threads);
        if let Some(order) = threads.map(|v| v.rows.clone()) {
            let (n, on) = acc.list.mark_thread_in(&order, uid);
            self.notify(&thread_note(n, on), false);
            return Vec::new();
        }
        let Some(path) = acc.list.path.clone() else {
            return Vec::new();
        };
        let req = acc.next_req_id();
        acc.marking = Some(Marking::Thread {
            req,
            path: path.clone(),
            uid,
        });
        vec![Command::Store {
            account,
            command: StoreCommand::Threads { path, req },
        }]
    }

    /// Thread order from the store for a mark: the note to show, None when
    /// the order was asked for something else.
    pub(super) fn marking_threads(
        &mut self,
        account: usize,
        req: u64,
        rows: &[(u32, u8)],
    ) -> Option<String> {
        let acc = self.accounts.get_mut(account)?;
        let Some(Marking::Thread { path, uid, .. }) = acc
            .marking
            .take_if(|m| matches!(m, Marking::Thread { req: r, .. } if *r == req))
        else {
            return None;
        };
        if acc.list.path.as_deref() != Some(path.as_str()) {
            return Some(String::new());
        }
        let (n, on) = acc.list.mark_thread_in(rows, uid);
        Some(thread_note(n, on))
    }
}

fn thread_note(n: usize, on: bool) -> String {
    let what = if on { "marked" } else { "unmarked" };
    format!("thread: {} {what}", plural(n, "message"))
}

impl Prompt {
    pub fn marking() -> Self {
        Prompt::new(PromptKind::MarkMatching)
    }
}

#[cfg(test)]
#[path = "marking_tests.rs"]
mod tests;
