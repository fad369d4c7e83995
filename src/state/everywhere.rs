//! The results view in the state: opening it (a query typed at `E`, a
//! saved search, All inboxes), asking the stores and keeping it live,
//! keys on its rows, and actions on them. An action goes to each row's
//! own account and folder, as it would from that folder, and its undo
//! step is that account's; `u` here takes back the last one made here.

use std::collections::BTreeMap;

use super::prompt::{Outcome, Prompt, PromptKind};
use super::results::{ALL_INBOXES, ALL_INBOXES_QUERY, ResultRow, Results, RowKey, SavedSearch};
use super::{Pane, State, Undo};
use crate::action::{Command, StoreCommand, UiAction};
use crate::mail::types::{FlagKind, FolderRole};
use crate::query::{Place, Query};
use crate::text::count as plural;
use crate::worker::{WorkerCommand, WorkerEvent};

impl State {
    pub fn results_shown(&self) -> bool {
        self.results.as_ref().is_some_and(|r| r.shown)
    }

    /// The virtual folders above every account's folder list: All
    /// inboxes (with more than one account), then the saved searches.
    pub fn virtual_folders(&self) -> Vec<SavedSearch> {
        let mut out = Vec::new();
        if self.all_inboxes
            && self.accounts.len() > 1
            && let Ok(query) = crate::query::parse(ALL_INBOXES_QUERY)
        {
            out.push(SavedSearch {
                name: ALL_INBOXES.to_string(),
                query,
                text: ALL_INBOXES_QUERY.to_string(),
            });
        }
        out.extend(self.searches.iter().cloned());
        out
    }

    /// Opens the `i`th virtual folder.
    pub(super) fn open_virtual(&mut self, i: usize) -> Vec<Command> {
        let Some(s) = self.virtual_folders().into_iter().nth(i) else {
            return Vec::new();
        };
        self.open_results(s.name, s.query)
    }

    /// `:saved NAME`: a saved search by its name, in any case.
    pub(super) fn open_saved_by_name(&mut self, name: &str) -> Vec<Command> {
        let found = self
            .virtual_folders()
            .iter()
            .position(|s| s.name.eq_ignore_ascii_case(name.trim()));
        match found {
            Some(i) => self.open_virtual(i),
            None => {
                self.notify(&format!("no saved search “{}”", name.trim()), true);
                Vec::new()
            }
        }
    }

    /// The results of a query over every folder of every account it does
    /// not rule out.
    pub fn open_results(&mut self, name: String, query: Query) -> Vec<Command> {
        let accounts: Vec<usize> = (0..self.accounts.len())
            .filter(|a| !self.result_folders(*a, &query).is_empty())
            .collect();
        if accounts.is_empty() {
            self.notify("no account has a folder this query can match", true);
            return Vec::new();
        }
        let mut results = Results::new(name, query, self.query_now(), accounts.clone());
        // Changes made in the results before can still be taken back.
        if let Some(old) = self.results.take() {
            results.undo = old.undo;
        }
        self.results = Some(results);
        self.focus = Pane::Messages;
        self.reader_full = false;
        accounts
            .into_iter()
            .flat_map(|a| self.ask_results(a))
            .collect()
    }

    /// The folders of an account a query may match, by its `folder:` and
    /// `account:` terms.
    fn result_folders(&self, account: usize, query: &Query) -> Vec<String> {
        let Some(acc) = self.accounts.get(account) else {
            return Vec::new();
        };
        acc.folders
            .iter()
            .filter(|f| f.selectable)
            .filter(|f| {
                query.could_match_in(Place {
                    account: &acc.info.name,
                    folder: &f.path,
                    delimiter: f.path.contains('/').then_some('/'),
                })
            })
            .map(|f| f.path.clone())
            .collect()
    }

    /// Asks an account's store again, unless a question is on its way
    /// (then once more after its answer).
    fn ask_results(&mut self, account: usize) -> Vec<Command> {
        let Some(r) = self.results.as_ref() else {
            return Vec::new();
        };
        let (query, now) = (r.query.clone(), r.now);
        if r.parts.get(&account).is_some_and(|p| p.asking.is_some()) {
            if let Some(p) = self
                .results
                .as_mut()
                .and_then(|r| r.parts.get_mut(&account))
            {
                p.stale = true;
            }
            return Vec::new();
        }
        let paths = self.result_folders(account, &query);
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        let req = acc.next_req_id();
        if let Some(r) = self.results.as_mut() {
            let p = r.parts.entry(account).or_default();
            p.asking = Some(req);
            p.stale = false;
        }
        vec![Command::Store {
            account,
            command: StoreCommand::Everywhere {
                paths,
                query,
                now,
                req,
            },
        }]
    }

    /// A store's answer to the results, taken whole (no copy of its rows);
    /// any other event is handed back.
    pub(super) fn results_found(
        &mut self,
        account: usize,
        event: WorkerEvent,
    ) -> Result<Vec<Command>, WorkerEvent> {
        let WorkerEvent::FoundEverywhere { req, found } = event else {
            return Err(event);
        };
        let rows = self.list_rows();
        let name = self
            .accounts
            .get(account)
            .map(|a| a.info.name.clone())
            .unwrap_or_default();
        let Some(r) = self.results.as_mut() else {
            return Ok(Vec::new());
        };
        let Some(p) = r.parts.get_mut(&account) else {
            return Ok(Vec::new());
        };
        if p.asking != Some(req) {
            return Ok(Vec::new());
        }
        p.asking = None;
        let again = p.stale;
        let first = !p.answered;
        r.answer(account, &name, *found, rows);
        if !again {
            // Asked after every move it had heard of had landed: the
            // store holds them where they went, so they need no hiding.
            let landed: Vec<(usize, u64)> = r
                .landed
                .iter()
                .copied()
                .filter(|l| l.0 == account)
                .collect();
            for l in landed {
                r.moving.remove(&l);
            }
            r.landed.retain(|l| l.0 != account);
        }
        let mut cmds = self.open_pending_result();
        if again {
            cmds.extend(self.ask_results(account));
        }
        if first {
            // An INBOX in view that its account does not have open may
            // have had mail since it was last open: fetched now.
            let inbox = self
                .accounts
                .get(account)
                .and_then(|a| a.folder_for(FolderRole::Inbox));
            if let Some(path) = inbox {
                cmds.extend(self.fetch_elsewhere(account, &path));
            }
        }
        Ok(cmds)
    }

    /// New mail of a folder in view that its account does not have open
    /// (so nothing keeps it current), into the store; the answer asks the
    /// store again. Nothing for a folder the store does not hold.
    fn fetch_elsewhere(&mut self, account: usize, path: &str) -> Vec<Command> {
        let validity = self
            .results
            .as_ref()
            .and_then(|r| r.stored.get(&(account, path.to_string())).copied());
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        let (Some(uid_validity), false) = (validity, acc.list.path.as_deref() == Some(path)) else {
            return Vec::new();
        };
        let op = acc.next_req_id();
        vec![Command::Worker {
            account,
            command: WorkerCommand::FetchNew {
                folder: crate::worker::FolderRef {
                    path: path.to_string(),
                    uid_validity,
                },
                op,
            },
        }]
    }

    /// Events that change what the results show: the store is asked again.
    pub(super) fn results_event(&mut self, account: usize, event: &WorkerEvent) -> Vec<Command> {
        let rows = self.list_rows();
        let open = self
            .accounts
            .get(account)
            .and_then(|a| a.list.path.clone())
            .unwrap_or_default();
        let Some(r) = self.results.as_mut() else {
            return Vec::new();
        };
        if !r.accounts.contains(&account) {
            return Vec::new();
        }
        match event {
            WorkerEvent::Failed { op, .. } => {
                if *op == 0 {
                    // A flag change refused: the store's flags are right.
                    r.flags.retain(|k, _| k.0 != account);
                } else {
                    r.put_back(account, *op, rows);
                }
                self.ask_results(account)
            }
            WorkerEvent::Moved { op, .. } | WorkerEvent::Done { op, .. } => {
                if r.moving.contains_key(&(account, *op)) {
                    r.landed.push((account, *op));
                }
                self.ask_results(account)
            }
            WorkerEvent::FlagsStored { path } => {
                // The store has the server's word now: nothing held.
                r.flags.retain(|k, _| !(k.0 == account && k.1 == *path));
                self.ask_results(account)
            }
            WorkerEvent::FlagsChanged { updates, .. } => {
                // Changed elsewhere (another device, the account's list).
                for u in updates {
                    r.flags.remove(&(account, open.clone(), u.uid));
                }
                self.ask_results(account)
            }
            WorkerEvent::FolderCounts(counts) => {
                // A folder in view that grew while not open: its new rows.
                let before = self
                    .accounts
                    .get(account)
                    .map(|a| a.counts.clone())
                    .unwrap_or_default();
                let grown: Vec<String> = counts
                    .iter()
                    .filter(|c| {
                        before
                            .get(&c.path)
                            .is_none_or(|(total, _)| c.total > *total)
                    })
                    .map(|c| c.path.clone())
                    .collect();
                grown
                    .iter()
                    .flat_map(|path| self.fetch_elsewhere(account, path))
                    .collect()
            }
            WorkerEvent::Inserted { .. }
            | WorkerEvent::Expunged { .. }
            | WorkerEvent::Synced { .. }
            | WorkerEvent::Folders(_) => self.ask_results(account),
            _ => Vec::new(),
        }
    }

    /// An account's folders came (after the view opened, for one that had
    /// none yet): it is asked too, if the query can match there.
    pub(super) fn results_join(&mut self, account: usize) -> Vec<Command> {
        let Some(r) = self.results.as_ref() else {
            return Vec::new();
        };
        if r.accounts.contains(&account) || self.result_folders(account, &r.query).is_empty() {
            return Vec::new();
        }
        if let Some(r) = self.results.as_mut() {
            r.accounts.push(account);
        }
        self.ask_results(account)
    }

    /// `E`: a prompt for a query over all folders of all accounts.
    pub(super) fn open_everywhere_prompt(&mut self) {
        self.prompt = Some(Prompt::new(PromptKind::Everywhere));
    }

    pub(super) fn on_everywhere_prompt(&mut self, mut p: Prompt, outcome: Outcome) -> Vec<Command> {
        match outcome {
            Outcome::Done => match crate::query::parse(&p.text) {
                Ok(q) => {
                    let name = p.text.trim().to_string();
                    let name = if name.is_empty() {
                        "everything".to_string()
                    } else {
                        name
                    };
                    self.open_results(name, q)
                }
                Err(e) => {
                    p.error = Some(e);
                    self.prompt = Some(p);
                    Vec::new()
                }
            },
            Outcome::Cancelled => Vec::new(),
            _ => {
                p.error = crate::query::parse(&p.text).err();
                self.prompt = Some(p);
                Vec::new()
            }
        }
    }

    /// Keys while the results are shown; None for those they leave to the
    /// rest (panes, accounts, help, quit, writing new mail). A key that acts
    /// on messages acts on the results' rows whichever pane has the focus
    /// (the account's own list is hidden behind them); one that needs an
    /// open message says to open one.
    pub(super) fn on_results_key(&mut self, a: UiAction) -> Option<Vec<Command>> {
        if self.prompt.is_some()
            || !self.results_shown()
            || self.reviewing()
            || self.show_outbox
            || self.menu.is_some()
        {
            return None;
        }
        if needs_open_message(a) {
            self.notify("open a message first (Enter)", false);
            return Some(Vec::new());
        }
        let rows = self.list_rows();
        let page = self.page() as isize;
        let on_list = self.focus == Pane::Messages;
        let r = self.results.as_mut()?;
        let cmds = match a {
            UiAction::Up if on_list => step(r, -1, rows),
            UiAction::Down if on_list => step(r, 1, rows),
            UiAction::PageUp if on_list => step(r, -page, rows),
            UiAction::PageDown if on_list => step(r, page, rows),
            UiAction::Top if on_list => step(r, isize::MIN / 2, rows),
            UiAction::Bottom if on_list => step(r, isize::MAX / 2, rows),
            UiAction::Open if on_list => self.open_result(),
            UiAction::Back if on_list => {
                self.results = None;
                self.notify("back to the folder", false);
                Vec::new()
            }
            UiAction::NextPage if on_list => {
                r.toggle_mark();
                r.move_by(1, rows);
                Vec::new()
            }
            UiAction::Mark => {
                r.toggle_mark();
                r.move_by(1, rows);
                Vec::new()
            }
            UiAction::UnmarkAll => {
                let n = r.marked.len();
                r.marked.clear();
                self.notify(&format!("{} unmarked", plural(n, "message")), false);
                Vec::new()
            }
            UiAction::ToggleRead => self.results_toggle(FlagKind::Seen),
            UiAction::ToggleFlag => self.results_toggle(FlagKind::Flagged),
            UiAction::Delete => self.results_move_to_role(FolderRole::Trash),
            UiAction::Archive => self.results_move_to_role(FolderRole::Archive),
            UiAction::Move => self.results_move_prompt(),
            UiAction::Undo => self.results_undo(),
            UiAction::SearchEverywhere => {
                self.open_everywhere_prompt();
                Vec::new()
            }
            UiAction::Search
            | UiAction::Limit
            | UiAction::MarkMatching
            | UiAction::MarkThread
            | UiAction::MarkFolderRead
            | UiAction::Threads
            | UiAction::Sort
            | UiAction::SortReverse
            | UiAction::NextMatch
            | UiAction::PrevMatch => {
                self.notify(
                    "in results: E searches again; Esc goes back to the folder",
                    false,
                );
                Vec::new()
            }
            _ => return None,
        };
        Some(cmds)
    }

    /// Opens the selected row in its folder, in the full-screen reader:
    /// Esc comes back here, J and K go on through the results.
    pub(super) fn open_result(&mut self) -> Vec<Command> {
        let Some(r) = self.results.as_mut() else {
            return Vec::new();
        };
        let Some(row) = r.selected_row().cloned() else {
            return Vec::new();
        };
        let key = row.key();
        r.reading = Some(key.clone());
        r.shown = false;
        // New rows must not shift what J and K go on from.
        r.moved = true;
        let account = row.account;
        self.switch_account(account);
        self.focus = Pane::Reader;
        self.reader_full = true;
        let rows = self.list_rows();
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        if acc.list.path.as_deref() == Some(row.folder.path.as_str())
            && acc.list.select_uid(row.env.uid, rows)
        {
            let mut cmds = acc.preview(account);
            cmds.extend(acc.mark_selected_read(account));
            self.read_in_results(&key);
            return cmds;
        }
        if let Some(r) = self.results.as_mut() {
            r.opening = Some(key);
        }
        let Some(i) = acc.folders.iter().position(|f| f.path == row.folder.path) else {
            return Vec::new();
        };
        let mut cmds = acc.open_folder(i, account);
        acc.list.select_on_arrival = Some(row.env.uid);
        cmds.extend(self.open_pending_result());
        cmds
    }

    /// The row being opened, once its folder's rows hold it: selected,
    /// shown and marked read.
    pub(super) fn open_pending_result(&mut self) -> Vec<Command> {
        let rows = self.list_rows();
        let Some(key) = self.results.as_ref().and_then(|r| r.opening.clone()) else {
            return Vec::new();
        };
        let (account, path, uid) = key;
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        if acc.list.path.as_deref() != Some(path.as_str()) || acc.list.envelope(uid).is_none() {
            return Vec::new();
        }
        if let Some(r) = self.results.as_mut() {
            r.opening = None;
        }
        acc.list.select_on_arrival = None;
        acc.list.select_uid(uid, rows);
        let mut cmds = acc.preview(account);
        cmds.extend(acc.mark_selected_read(account));
        self.read_in_results(&(account, path, uid));
        cmds
    }

    /// A row opened from the results is read there too, until its store
    /// says so.
    fn read_in_results(&mut self, key: &RowKey) {
        if let Some(r) = self.results.as_mut() {
            r.set_flag(std::slice::from_ref(key), FlagKind::Seen, true);
        }
    }

    /// Keys in the reader while it shows a row opened from the results.
    pub(super) fn on_result_reader_key(&mut self, a: UiAction) -> Option<Vec<Command>> {
        if self.focus != Pane::Reader || self.prompt.is_some() || self.menu.is_some() {
            return None;
        }
        self.results.as_ref()?.reading.as_ref()?;
        if self.account().is_some_and(|acc| acc.reader.find.is_some()) {
            return None;
        }
        let rows = self.list_rows();
        let r = self.results.as_mut()?;
        match a {
            UiAction::Back => {
                r.reading = None;
                r.opening = None;
                r.shown = true;
                self.reader_full = false;
                self.focus = Pane::Messages;
                // What was read or changed in the folders meanwhile.
                let accounts = r.accounts.clone();
                Some(
                    accounts
                        .into_iter()
                        .flat_map(|a| self.ask_results(a))
                        .collect(),
                )
            }
            UiAction::NextMessage | UiAction::PrevMessage => {
                let delta = if a == UiAction::NextMessage { 1 } else { -1 };
                let before = r.selected;
                r.move_by(delta, rows);
                if r.selected == before {
                    self.notify("no more results", false);
                    return Some(Vec::new());
                }
                Some(self.open_result())
            }
            UiAction::NextUnread | UiAction::PrevUnread => {
                let forward = a == UiAction::NextUnread;
                let from = r.selected;
                let found = if forward {
                    (from + 1..r.rows.len()).find(|i| !r.rows[*i].env.flags.seen)
                } else {
                    (0..from).rev().find(|i| !r.rows[*i].env.flags.seen)
                };
                match found {
                    Some(i) => {
                        r.select(i, rows);
                        Some(self.open_result())
                    }
                    None => {
                        self.notify("no more unread results", false);
                        Some(Vec::new())
                    }
                }
            }
            _ => None,
        }
    }

    /// The targets by account and folder, in a steady order.
    fn grouped(rows: &[ResultRow]) -> BTreeMap<(usize, String), Vec<&ResultRow>> {
        let mut out: BTreeMap<(usize, String), Vec<&ResultRow>> = BTreeMap::new();
        for r in rows {
            out.entry((r.account, r.folder.path.clone()))
                .or_default()
                .push(r);
        }
        out
    }

    /// Sets a flag on the targets unless all have it, then clears it.
    fn results_toggle(&mut self, flag: FlagKind) -> Vec<Command> {
        let Some(r) = self.results.as_mut() else {
            return Vec::new();
        };
        let targets = r.targets();
        if targets.is_empty() {
            return Vec::new();
        }
        let has = |row: &ResultRow| {
            let mut probe = row.env.flags;
            flag.set(&mut probe, true);
            probe == row.env.flags
        };
        let on = !targets.iter().all(has);
        let keys: Vec<RowKey> = targets.iter().map(ResultRow::key).collect();
        r.set_flag(&keys, flag, on);
        let mut cmds = Vec::new();
        let mut steps = Vec::new();
        for ((account, _), group) in Self::grouped(&targets) {
            let folder = group[0].folder.clone();
            let uids: Vec<u32> = group.iter().map(|r| r.env.uid).collect();
            let before: Vec<(u32, bool)> = group.iter().map(|r| (r.env.uid, has(r))).collect();
            let Some(acc) = self.accounts.get_mut(account) else {
                continue;
            };
            // The same messages in the account's open folder show it too.
            if acc.list.path.as_deref() == Some(folder.path.as_str()) {
                for uid in &uids {
                    if let Some(e) = acc.list.envelope_mut(*uid) {
                        flag.set(&mut e.flags, on);
                    }
                }
                acc.list.set_flags(&[]);
            }
            let step = Undo::Flag {
                folder: folder.clone(),
                flag,
                before,
            };
            acc.push_undo(step.clone());
            steps.push((account, step));
            cmds.push(Command::Worker {
                account,
                command: WorkerCommand::SetFlag {
                    folder,
                    uids,
                    flag,
                    on,
                },
            });
        }
        if let Some(r) = self.results.as_mut() {
            r.undo.push(steps);
        }
        let what = super::mail_actions::flag_words(flag, on);
        self.notify(
            &format!("{} {what} (u: undo)", plural(targets.len(), "message")),
            false,
        );
        cmds
    }

    fn results_move_to_role(&mut self, role: FolderRole) -> Vec<Command> {
        let Some(r) = self.results.as_ref() else {
            return Vec::new();
        };
        let targets = r.targets();
        let mut cmds = Vec::new();
        let mut moved = 0;
        let mut skipped = Vec::new();
        for ((account, path), group) in Self::grouped(&targets) {
            let Some(acc) = self.accounts.get(account) else {
                continue;
            };
            let Some(to) = acc.folder_for(role) else {
                skipped.push(format!("{} has no {role:?} folder", acc.info.name));
                continue;
            };
            if to == path {
                // Deleting from Trash for good is done from the folder.
                skipped.push(format!("already in {}", acc.folder_name(&to)));
                continue;
            }
            let group: Vec<ResultRow> = group.into_iter().cloned().collect();
            cmds.extend(self.results_move_group(account, &group, to, moved > 0));
            moved += group.len();
        }
        let mut text = if moved > 0 {
            let verb = match role {
                FolderRole::Trash => "deleted",
                _ => "archived",
            };
            format!("{} {verb} (u: undo)", plural(moved, "message"))
        } else {
            String::new()
        };
        if !skipped.is_empty() {
            skipped.dedup();
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&skipped.join("; "));
        }
        if !text.is_empty() {
            self.notify(&text, moved == 0);
        }
        cmds
    }

    /// `m`: the move picker, for rows of one account (folders are an
    /// account's own).
    fn results_move_prompt(&mut self) -> Vec<Command> {
        if !self.results_move_prompt_for() {
            return Vec::new();
        }
        let Some(acc) = self.account() else {
            return Vec::new();
        };
        // The picker's title counts these; what moves is `move_targets`.
        let uids = self
            .results
            .as_ref()
            .and_then(|r| r.move_targets.as_ref())
            .map(|(_, keys)| keys.iter().map(|k| k.2).collect())
            .unwrap_or_default();
        let mut p = Prompt::new(PromptKind::MoveTo { uids });
        p.filter_folders(&acc.folders, None);
        self.prompt = Some(p);
        Vec::new()
    }

    /// Takes the rows to move (all of one account, made the current one
    /// so folders are named in it); false, said why, when there are none
    /// or they are in several accounts.
    pub(super) fn results_move_prompt_for(&mut self) -> bool {
        let Some(r) = self.results.as_mut() else {
            return false;
        };
        let targets = r.targets();
        let Some(first) = targets.first() else {
            self.notify("no message to move", true);
            return false;
        };
        let account = first.account;
        if targets.iter().any(|t| t.account != account) {
            self.notify(
                "these are in several accounts: move them one account at a time",
                true,
            );
            return false;
        }
        r.move_targets = Some((account, targets.iter().map(ResultRow::key).collect()));
        self.switch_account(account);
        true
    }

    /// The move picker's choice, for the rows taken when it opened (those
    /// still there).
    pub(super) fn results_move(&mut self, to: String) -> Vec<Command> {
        let Some(r) = self.results.as_mut() else {
            return Vec::new();
        };
        let Some((account, keys)) = r.move_targets.take() else {
            return Vec::new();
        };
        let targets: Vec<ResultRow> = r
            .rows
            .iter()
            .filter(|row| row.account == account && keys.contains(&row.key()))
            .cloned()
            .collect();
        let mut cmds = Vec::new();
        let mut moved = 0;
        for ((account, path), group) in Self::grouped(&targets) {
            if path == to {
                continue;
            }
            let group: Vec<ResultRow> = group.into_iter().cloned().collect();
            cmds.extend(self.results_move_group(account, &group, to.clone(), moved > 0));
            moved += group.len();
        }
        let name = self
            .accounts
            .get(account)
            .map(|a| a.folder_name(&to))
            .unwrap_or(to);
        if moved == 0 {
            self.notify(&format!("nothing to move to {name}"), false);
            return cmds;
        }
        self.notify(
            &format!("{} moved to {name} (u: undo)", plural(moved, "message")),
            false,
        );
        cmds
    }

    /// Moves rows of one folder of one account; its undo step is the
    /// account's.
    /// `grouped`: part of the same action as the step before.
    fn results_move_group(
        &mut self,
        account: usize,
        group: &[ResultRow],
        to: String,
        grouped: bool,
    ) -> Vec<Command> {
        let rows = self.list_rows();
        let Some(first) = group.first() else {
            return Vec::new();
        };
        let folder = first.folder.clone();
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        let op = acc.next_req_id();
        let uids: Vec<u32> = group.iter().map(|r| r.env.uid).collect();
        // The account's open folder loses them now too; a refusal puts
        // them back there as from its own list. Kept as pending either way,
        // so an undo while offline takes it back before it is sent.
        let taken = if acc.list.path.as_deref() == Some(folder.path.as_str()) {
            acc.list.remove(&uids)
        } else {
            Vec::new()
        };
        acc.pending.insert(op, taken);
        let step = Undo::Move {
            op,
            from: folder.clone(),
            to: to.clone(),
            count: group.len(),
            unread: group.iter().filter(|r| !r.env.flags.seen).count(),
            landed: None,
        };
        acc.push_undo(step.clone());
        let keys: Vec<RowKey> = group.iter().map(ResultRow::key).collect();
        if let Some(r) = self.results.as_mut() {
            r.take(account, op, &keys, rows);
            match r.undo.last_mut() {
                Some(last) if grouped => last.push((account, step)),
                _ => r.undo.push(vec![(account, step)]),
            }
        }
        vec![Command::Worker {
            account,
            command: WorkerCommand::Move {
                folder,
                uids,
                message_ids: Vec::new(),
                to,
                op,
            },
        }]
    }

    /// `u` in the results: the last action made here, in each account it
    /// touched; an account whose last step is no longer this one (it
    /// failed, or something was done there since) is left alone.
    fn results_undo(&mut self) -> Vec<Command> {
        let Some(steps) = self.results.as_ref().and_then(|r| r.undo.last().cloned()) else {
            self.notify("nothing to undo here", false);
            return Vec::new();
        };
        // A move the server has not answered yet, online: kept for another
        // try, as in a folder.
        let in_flight = steps.iter().any(|(account, step)| {
            let Undo::Move { op, .. } = step else {
                return false;
            };
            self.accounts.get(*account).is_some_and(|acc| {
                acc.online()
                    && acc
                        .undo
                        .iter()
                        .any(|u| matches!(u, Undo::Move { op: o, landed: None, .. } if o == op))
            })
        });
        if in_flight {
            self.notify(
                "the move is still being done; undo again in a moment",
                false,
            );
            return Vec::new();
        }
        if let Some(r) = self.results.as_mut() {
            r.undo.pop();
        }
        let mut cmds = Vec::new();
        let mut undone = 0;
        for (account, step) in steps.into_iter().rev() {
            let on_top = self
                .accounts
                .get(account)
                .and_then(|a| a.undo.last())
                .is_some_and(|top| same_step(top, &step));
            if !on_top {
                continue;
            }
            undone += 1;
            if let (
                Undo::Flag {
                    folder,
                    flag,
                    before,
                },
                Some(r),
            ) = (&step, self.results.as_mut())
            {
                // Shown as they were at once, and held until the store agrees.
                for (uid, was) in before {
                    let key = (account, folder.path.clone(), *uid);
                    r.set_flag(std::slice::from_ref(&key), *flag, *was);
                }
            }
            let back = self.undo_in(account);
            let rows = self.list_rows();
            if let Undo::Move { op, .. } = step
                && back.iter().any(|c| {
                    matches!(c, Command::Worker { command: WorkerCommand::Cancel { op: o }, .. } if *o == op)
                })
                && let Some(r) = self.results.as_mut()
            {
                // Taken back before it reached the server.
                r.put_back(account, op, rows);
            }
            cmds.extend(back);
            // The rows come back with the store's next answer.
            cmds.extend(self.ask_results(account));
        }
        if undone == 0 {
            self.notify("nothing to undo: that change did not go through", false);
        }
        cmds
    }
}

/// The same undo step, also after a move's landing place was filled in.
fn same_step(a: &Undo, b: &Undo) -> bool {
    match (a, b) {
        (Undo::Move { op: x, .. }, Undo::Move { op: y, .. }) => x == y,
        _ => a == b,
    }
}

/// Actions on the message in the reader, which the results do not show.
fn needs_open_message(a: UiAction) -> bool {
    matches!(
        a,
        UiAction::Reply
            | UiAction::ReplyAll
            | UiAction::Forward
            | UiAction::ForwardOther
            | UiAction::EditAsNew
            | UiAction::AnswerInvitation
            | UiAction::Pipe
            | UiAction::ToggleRaw
            | UiAction::Parts
            | UiAction::Links
            | UiAction::SavePart
            | UiAction::SaveAll
            | UiAction::OpenWith
            | UiAction::CopyLink
            | UiAction::NextMessage
            | UiAction::PrevMessage
            | UiAction::NextUnread
            | UiAction::PrevUnread
            | UiAction::ToggleFullScreen
            | UiAction::ToggleHeaders
            | UiAction::ToggleQuotes
            | UiAction::FindInMessage
            | UiAction::FindNext
            | UiAction::FindPrev
    )
}

fn step(r: &mut Results, delta: isize, rows: usize) -> Vec<Command> {
    r.move_by(delta, rows);
    Vec::new()
}

#[cfg(test)]
#[path = "everywhere_tests.rs"]
mod tests;
