//! Finding mail in the open folder with a query: `/` highlights the
//! matches as you type and asks the server on Enter; the limit shows only
//! the matches. A query that does not read yet keeps what is on screen and
//! shows why in the prompt. Rows the list cannot decide (a word may be in
//! the text) are the server's to decide; what the server finds is checked
//! against the rows, and a row the list rules out is dropped (Exchange's
//! SUBJECT finds more than it should).

use super::limit::{Limit, Where};
use super::prompt::{Outcome, Prompt, PromptKind};
use super::{Pane, State};
use crate::action::Command;
use crate::query::{Facts, Now, Verdict};
use crate::text::count as plural;
use crate::worker::WorkerCommand;

impl State {
    /// "Now" for a query: relative dates count from the last tick.
    pub(super) fn query_now(&self) -> Now {
        Now {
            unix: self.now,
            utc_offset: self.utc_offset,
        }
    }

    fn here(&self) -> Where {
        self.where_in(self.current)
    }

    pub(super) fn where_in(&self, account: usize) -> Where {
        let acc = self.accounts.get(account);
        Where {
            account: acc.map(|a| a.info.name.clone()).unwrap_or_default(),
            folder: acc.and_then(|a| a.list.path.clone()).unwrap_or_default(),
        }
    }

    /// Keys in the search or limit prompt.
    pub(super) fn on_query_prompt(&mut self, mut p: Prompt, outcome: Outcome) -> Vec<Command> {
        match (&p.kind, outcome) {
            (PromptKind::Search, Outcome::Edited) => {
                let cmds = self.search_edited(&mut p);
                self.prompt = Some(p);
                cmds
            }
            (PromptKind::Search, Outcome::Done) => self.search_done(p),
            (PromptKind::Search, Outcome::Cancelled) => {
                if let Some(acc) = self.accounts.get_mut(self.current) {
                    acc.list.search = None;
                }
                Vec::new()
            }
            (PromptKind::Limit, Outcome::Edited) => {
                // Checked as you type; applied on Enter (a limit redraws
                // the whole list).
                p.error = crate::query::parse(&p.text).err();
                self.prompt = Some(p);
                Vec::new()
            }
            (PromptKind::Limit, Outcome::Done) => self.limit_done(p),
            (_, Outcome::Cancelled) => Vec::new(),
            _ => {
                self.prompt = Some(p);
                Vec::new()
            }
        }
    }

    fn search_edited(&mut self, p: &mut Prompt) -> Vec<Command> {
        let (now, here, rows) = (self.query_now(), self.here(), self.list_rows());
        let account = self.current;
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        // Back to the text searched for (or a key that changed nothing):
        // its matches are there already.
        if acc.list.search.as_ref().is_some_and(|s| s.text == p.text) {
            p.error = None;
            return Vec::new();
        }
        p.error = acc.list.search_local(&p.text, &now, here.place()).err();
        if p.error.is_some() {
            return Vec::new();
        }
        acc.list.jump_to_match(true, true, rows);
        acc.preview(account)
    }

    fn search_done(&mut self, p: Prompt) -> Vec<Command> {
        let account = self.current;
        if p.error.is_some() {
            // Enter on a query that does not read: it stays, with why.
            self.prompt = Some(p);
            return Vec::new();
        }
        let now = self.query_now();
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        let Some(folder) = acc.folder_ref() else {
            return Vec::new();
        };
        let Some((query, n, undecided)) = acc
            .list
            .search
            .as_ref()
            .filter(|_| !p.text.trim().is_empty())
            .and_then(|s| Some((s.query.clone()?, s.matches.len(), s.undecided)))
        else {
            acc.list.search = None;
            return Vec::new();
        };
        self.focus = Pane::Messages;
        // Every row decided, all rows here: the server has nothing to add.
        if undecided == 0 && !acc.list.loading() {
            self.notify(&plural(n, "match"), false);
            return Vec::new();
        }
        let req = acc.next_req_id();
        acc.search_req = req;
        if let Some(s) = &mut acc.list.search {
            s.asked_server = true;
        }
        self.notify(
            &format!("{} here; asking the server…", plural(n, "match")),
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

    /// The server's answer to a search: its rows the list cannot rule
    /// out become matches. The note to show.
    pub(super) fn search_found(
        &mut self,
        account: usize,
        uids: &[u32],
        offline: Option<&crate::sanitize::Clean>,
    ) -> Option<String> {
        let place_owner = self.where_in(account);
        let now = self.query_now();
        let acc = self.accounts.get_mut(account)?;
        let l = &mut acc.list;
        let s = l.search.as_mut()?;
        let before = s.matches.len();
        let m = s.query.as_ref().map(|q| q.matcher(&now));
        for u in uids {
            let Ok(i) = l.items.binary_search_by(|e| u.cmp(&e.uid)) else {
                continue;
            };
            let ruled_out = m.as_ref().is_some_and(|m| {
                m.eval(&Facts::envelope(&l.items[i]).at(place_owner.place())) == Verdict::No
            });
            if !ruled_out {
                s.matches.insert(*u);
            }
        }
        let more = s.matches.len() - before;
        let n = plural(s.matches.len(), "match");
        Some(match offline {
            // The index and the server both search the text now.
            None => format!("{n}, {more} of them found in the text"),
            Some(why) => {
                format!("{n}, {more} of them from the local index (the server: {why})")
            }
        })
    }

    fn limit_done(&mut self, p: Prompt) -> Vec<Command> {
        let (now, here) = (self.query_now(), self.here());
        let rows = self.list_rows();
        let account = self.current;
        let query = match crate::query::parse(&p.text) {
            Ok(q) => q,
            Err(e) => {
                let mut p = p;
                p.error = Some(e);
                self.prompt = Some(p);
                return Vec::new();
            }
        };
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        self.focus = Pane::Messages;
        if query.is_empty() {
            let was = acc.list.limit.is_some();
            acc.list.set_limit(None, rows);
            let mut cmds = acc.preview(account);
            if was {
                let all = plural(acc.list.len(), "message");
                self.notify(&format!("limit off: all {all}"), false);
            }
            cmds.extend(self.limit_follow_up(account));
            return cmds;
        }
        acc.list
            .set_limit(Some(Limit::new(&p.text, query, now, here)), rows);
        let shown = acc.list.len();
        if shown == 0 {
            // The message in the reader is not among those shown: it goes,
            // as it would with any other row.
            acc.reader = super::account::Reader::default();
        }
        let mut cmds = acc.preview(account);
        let asking = acc
            .list
            .limit
            .as_ref()
            .is_some_and(|l| !l.pending.is_empty());
        let note = if asking {
            format!("{shown} shown; asking the server about the rest…")
        } else {
            format!("{} (Esc: all)", plural(shown, "message"))
        };
        self.notify(&note, false);
        cmds.extend(self.limit_follow_up(account));
        cmds
    }

    /// Esc on the list with a limit on takes it off.
    pub(super) fn end_limit(&mut self) -> bool {
        let account = self.current;
        let rows = self.list_rows();
        let Some(acc) = self.accounts.get_mut(account) else {
            return false;
        };
        if acc.list.limit.is_none() {
            return false;
        }
        acc.list.set_limit(None, rows);
        let all = plural(acc.list.len(), "message");
        self.notify(&format!("limit off: all {all}"), false);
        true
    }

    /// Asks the server about rows the limit cannot decide, when some wait
    /// and no answer is on its way (after the limit is applied, and as
    /// rows come in).
    pub(super) fn limit_follow_up(&mut self, account: usize) -> Vec<Command> {
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        let Some(folder) = acc.folder_ref() else {
            return Vec::new();
        };
        let waiting = acc
            .list
            .limit
            .as_ref()
            .is_some_and(|l| l.asking.is_none() && !l.pending.is_empty());
        if !waiting {
            return Vec::new();
        }
        let req = acc.next_req_id();
        let newest = acc.list.items.first().map_or(0, |e| e.uid);
        let Some(l) = acc.list.limit.as_mut() else {
            return Vec::new();
        };
        if !l.ask(req, newest) {
            return Vec::new();
        }
        vec![Command::Worker {
            account,
            command: WorkerCommand::Search {
                folder,
                query: l.query.clone(),
                now: l.now(),
                req,
            },
        }]
    }

    /// The server's answer to a limit's search; the note to show.
    pub(super) fn limit_found(
        &mut self,
        account: usize,
        req: u64,
        uids: &[u32],
        offline: Option<&crate::sanitize::Clean>,
    ) -> Option<String> {
        let acc = self.accounts.get_mut(account)?;
        let more = acc.list.limit_found(req, uids)?;
        let shown = plural(acc.list.len(), "message");
        Some(match offline {
            None => format!("{shown} shown, {more} of them found by the server"),
            Some(why) => {
                format!("{shown} shown, {more} of them from the local index (the server: {why})")
            }
        })
    }
}

#[cfg(test)]
#[path = "finding_tests.rs"]
mod tests;
