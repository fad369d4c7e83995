//! Acting on mail from the list: marks, flags, delete / archive / move,
//! undo, search, threads, sort, and the prompts they use. Every change
//! shows at once; the worker tells the server, and a refusal puts the
//! rows back with the reason in the status bar.

use super::account::{AccountState, Restoring};
use super::list::{Search, SortOrder};
use super::prompt::{Outcome, Prompt, PromptKind};
use super::{Pane, State};
use crate::action::{Command, PromptKey, StoreCommand, UiAction};
use crate::mail::types::{Envelope, FlagKind, FolderRole};
use crate::sanitize::Clean;
use crate::text::count as plural;
use crate::worker::{FolderRef, WorkerCommand, WorkerEvent};

/// How long a notice stays in the status bar.
const NOTICE_SECS: i64 = 8;
/// Undo steps kept per account.
const UNDO_DEPTH: usize = 50;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub text: Clean,
    pub error: bool,
    /// Unix seconds after which it goes.
    pub until: i64,
}

/// One step `u` can take back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undo {
    /// A flag was set or cleared; `before` is each message's old state.
    Flag {
        folder: FolderRef,
        flag: FlagKind,
        before: Vec<(u32, bool)>,
    },
    /// Messages went to `to`; `landed` once the worker says where.
    Move {
        op: u64,
        from: FolderRef,
        to: String,
        count: usize,
        /// Of those, unread: their return is no new mail.
        unread: usize,
        landed: Option<Landed>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Landed {
    pub target: Option<FolderRef>,
    pub uids: Vec<u32>,
    /// The UID each of `uids` had where it came from.
    pub source_uids: Vec<u32>,
    pub message_ids: Vec<String>,
}

/// What setting or clearing a flag did, for the status line.
pub(super) fn flag_words(flag: FlagKind, on: bool) -> &'static str {
    match (flag, on) {
        (FlagKind::Seen, true) => "marked read",
        (FlagKind::Seen, false) => "marked unread",
        (_, true) => "flagged",
        (_, false) => "unflagged",
    }
}

impl State {
    pub(super) fn notify(&mut self, text: &str, error: bool) {
        self.notice = Some(Notice {
            text: Clean::line(text),
            error,
            until: self.now + NOTICE_SECS,
        });
    }

    /// Whether an action means anything now (a key may carry several).
    pub(super) fn applies(&self, a: UiAction) -> bool {
        if let Some(yes) = self.writing_applies(a) {
            return yes;
        }
        if let Some(yes) = self.pager_applies(a) {
            return yes;
        }
        let panel = self.account().is_some_and(|a| a.wants_sign_in_panel());
        match a {
            UiAction::Copy => panel,
            UiAction::GoToFolder => !panel && self.menu.is_none(),
            UiAction::CopyLink => self.menu.as_ref().is_some_and(|m| m.is_links()),
            // Space reads on in the reader (and pages help or a menu); in
            // the list it marks.
            UiAction::NextPage => {
                self.show_help || self.menu.is_some() || self.focus == Pane::Reader
            }
            _ => true,
        }
    }

    fn list_action(&mut self, a: UiAction) -> Option<Vec<Command>> {
        let account = self.current;
        let rows = self.list_rows();
        let acc = self.accounts.get_mut(account)?;
        let cmds = match a {
            UiAction::Mark => {
                acc.list.toggle_mark();
                acc.list.move_by(1, rows);
                acc.preview(account)
            }
            UiAction::UnmarkAll => {
                self.unmark_all();
                Vec::new()
            }
            UiAction::MarkMatching => {
                self.prompt = Some(Prompt::marking());
                Vec::new()
            }
            UiAction::MarkThread => return Some(self.mark_thread()),
            UiAction::ToggleRead | UiAction::ToggleFlag => {
                let flag = if a == UiAction::ToggleRead {
                    FlagKind::Seen
                } else {
                    FlagKind::Flagged
                };
                let n = acc.list.targets().len();
                let (cmds, on) = acc.toggle_flag(account, flag);
                // Which way it went, for how many, and how to take it back.
                if n > 0 {
                    let what = flag_words(flag, on);
                    self.notify(&format!("{} {what} (u: undo)", plural(n, "message")), false);
                }
                cmds
            }
            UiAction::MarkFolderRead => {
                // The rows shown: under a limit, only those.
                let l = &acc.list;
                let unread: Vec<u32> = (0..l.len())
                    .filter_map(|i| l.row(i).map(|(e, _)| e))
                    .filter(|e| !e.flags.seen)
                    .map(|e| e.uid)
                    .collect();
                let n = unread.len();
                let cmds = acc.set_flag(account, unread, FlagKind::Seen, true);
                self.notify(
                    &format!("{} marked read (u: undo)", plural(n, "message")),
                    false,
                );
                cmds
            }
            UiAction::Delete => return Some(self.delete()),
            UiAction::Archive => return Some(self.move_to_role(FolderRole::Archive)),
            UiAction::Move => {
                let uids = acc.list.targets();
                if uids.is_empty() {
                    return Some(Vec::new());
                }
                let mut p = Prompt::new(PromptKind::MoveTo { uids });
                p.filter_folders(&acc.folders, acc.list.path.as_deref());
                self.prompt = Some(p);
                Vec::new()
            }
            UiAction::Undo => return Some(self.undo()),
            UiAction::Search => {
                self.prompt = Some(Prompt::new(PromptKind::Search));
                Vec::new()
            }
            UiAction::Limit => {
                self.prompt = Some(Prompt::new(PromptKind::Limit));
                Vec::new()
            }
            UiAction::NextMatch | UiAction::PrevMatch => {
                let found = acc
                    .list
                    .jump_to_match(a == UiAction::NextMatch, false, rows);
                if !found {
                    self.notify("no matches", false);
                    return Some(Vec::new());
                }
                acc.preview(account)
            }
            UiAction::Threads => {
                if acc.list.threads() {
                    acc.list.set_threads(None);
                    self.notify("threads off", false);
                    return Some(self.remember_view(Some(false)));
                }
                let Some(path) = acc.list.path.clone() else {
                    return Some(Vec::new());
                };
                let req = acc.next_req_id();
                acc.threads_req = req;
                self.notify("building threads…", false);
                let mut cmds = vec![Command::Store {
                    account,
                    command: StoreCommand::Threads { path, req },
                }];
                cmds.extend(self.remember_view(Some(true)));
                cmds
            }
            UiAction::Sort => {
                let order = SortOrder {
                    by: acc.list.sort.by.next(),
                    reverse: false,
                };
                return Some(self.set_sort_order(order));
            }
            UiAction::SortReverse => {
                let order = SortOrder {
                    reverse: !acc.list.sort.reverse,
                    ..acc.list.sort
                };
                return Some(self.set_sort_order(order));
            }
            UiAction::GoToFolder => {
                let mut p = Prompt::new(PromptKind::GoToFolder);
                p.filter_folders(&acc.folders, None);
                self.prompt = Some(p);
                Vec::new()
            }
            _ => return None,
        };
        Some(cmds)
    }

    /// Handles the actions on mail; None for the other actions.
    pub(super) fn on_mail_key(&mut self, a: UiAction) -> Option<Vec<Command>> {
        let on_mail = matches!(
            a,
            UiAction::Mark
                | UiAction::UnmarkAll
                | UiAction::MarkMatching
                | UiAction::MarkThread
                | UiAction::ToggleRead
                | UiAction::ToggleFlag
                | UiAction::MarkFolderRead
                | UiAction::Delete
                | UiAction::Archive
                | UiAction::Move
                | UiAction::Undo
                | UiAction::Search
                | UiAction::Limit
                | UiAction::NextMatch
                | UiAction::PrevMatch
                | UiAction::Threads
                | UiAction::Sort
                | UiAction::SortReverse
                | UiAction::GoToFolder
        );
        if !on_mail {
            return None;
        }
        let acts_on_messages = matches!(
            a,
            UiAction::Mark
                | UiAction::ToggleRead
                | UiAction::ToggleFlag
                | UiAction::Delete
                | UiAction::Archive
                | UiAction::Move
        );
        if acts_on_messages && self.account().is_some_and(|acc| acc.reader.gone) {
            // The list's cursor already sits on another message, while the
            // reader still shows the deleted one: act on neither.
            self.notify(
                "this message was deleted on the server; move to another message first",
                true,
            );
            return Some(Vec::new());
        }
        let cmds = self.list_action(a).unwrap_or_default();
        if matches!(a, UiAction::NextMatch | UiAction::PrevMatch) && self.focus != Pane::Reader {
            self.focus = Pane::Messages;
        }
        Some(cmds)
    }

    fn delete(&mut self) -> Vec<Command> {
        let Some(acc) = self.account() else {
            return Vec::new();
        };
        let uids = acc.list.targets();
        if uids.is_empty() {
            return Vec::new();
        }
        let here = acc.list.path.as_deref();
        let in_trash =
            here.is_some_and(|p| Some(p) == acc.folder_for(FolderRole::Trash).as_deref());
        if in_trash {
            self.prompt = Some(Prompt::new(PromptKind::ConfirmExpunge { uids }));
            return Vec::new();
        }
        self.move_to_role(FolderRole::Trash)
    }

    fn move_to_role(&mut self, role: FolderRole) -> Vec<Command> {
        let Some(acc) = self.account() else {
            return Vec::new();
        };
        let (name, key) = match role {
            FolderRole::Trash => ("Trash", "trash"),
            _ => ("Archive", "archive"),
        };
        let Some(to) = acc.folder_for(role) else {
            self.notify(
                &format!("no {name} folder found: set {key} = \"folder name\" for this account in the config"),
                true,
            );
            return Vec::new();
        };
        if acc.list.path.as_deref() == Some(to.as_str()) {
            self.notify(&format!("these are in {name} already"), false);
            return Vec::new();
        }
        let uids = acc.list.targets();
        self.move_to(uids, to)
    }

    pub(super) fn move_to(&mut self, uids: Vec<u32>, to: String) -> Vec<Command> {
        let account = self.current;
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        let Some(folder) = acc.folder_ref() else {
            return Vec::new();
        };
        if uids.is_empty() {
            return Vec::new();
        }
        let op = acc.next_req_id();
        let taken = acc.list.remove(&uids);
        let count = taken.len();
        let unread = taken.iter().filter(|e| !e.flags.seen).count();
        acc.pending.insert(op, taken);
        acc.list.marked.clear();
        acc.push_undo(Undo::Move {
            op,
            from: folder.clone(),
            to: to.clone(),
            count,
            unread,
            landed: None,
        });
        let online = acc.online();
        let name = acc.folder_name(&to);
        let mut cmds = vec![Command::Worker {
            account,
            command: WorkerCommand::Move {
                folder,
                uids,
                message_ids: Vec::new(),
                to,
                op,
            },
        }];
        cmds.extend(acc.preview(account));
        let text = if online {
            format!("{} moved to {name} (u: undo)", plural(count, "message"))
        } else {
            format!(
                "{} will move to {name} once online (u: undo)",
                plural(count, "message")
            )
        };
        self.notify(&text, false);
        cmds
    }

    fn undo(&mut self) -> Vec<Command> {
        self.undo_in(self.current)
    }

    /// Takes back an account's last step, whichever account is shown.
    pub(super) fn undo_in(&mut self, account: usize) -> Vec<Command> {
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        let Some(step) = acc.undo.pop() else {
            self.notify("nothing to undo", false);
            return Vec::new();
        };
        match step {
            Undo::Flag {
                folder,
                flag,
                before,
            } => {
                let mut cmds = Vec::new();
                for on in [true, false] {
                    let uids: Vec<u32> = before
                        .iter()
                        .filter(|(_, was)| *was == on)
                        .map(|(u, _)| *u)
                        .collect();
                    if uids.is_empty() {
                        continue;
                    }
                    if acc.list.path.as_deref() == Some(folder.path.as_str()) {
                        for uid in &uids {
                            if let Some(e) = acc.list.envelope_mut(*uid) {
                                flag.set(&mut e.flags, on);
                            }
                        }
                    }
                    cmds.push(Command::Worker {
                        account,
                        command: WorkerCommand::SetFlag {
                            folder: folder.clone(),
                            uids,
                            flag,
                            on,
                        },
                    });
                }
                acc.list.set_flags(&[]);
                self.notify("flags put back", false);
                cmds
            }
            Undo::Move {
                op, landed: None, ..
            } if !acc.online() && acc.pending.contains_key(&op) => {
                // Not sent yet, and nothing will be sent while offline:
                // take it back here and drop it from the worker's queue.
                if let Some(rows) = acc.pending.remove(&op) {
                    acc.list.add(rows);
                }
                self.notify("undone before it reached the server", false);
                vec![Command::Worker {
                    account,
                    command: WorkerCommand::Cancel { op },
                }]
            }
            Undo::Move {
                op,
                from,
                to,
                count,
                unread,
                landed: None,
            } => {
                // Still on its way: keep it for another try.
                acc.undo.push(Undo::Move {
                    op,
                    from,
                    to,
                    count,
                    unread,
                    landed: None,
                });
                self.notify(
                    "the move is still being done; undo again in a moment",
                    false,
                );
                Vec::new()
            }
            Undo::Move {
                from,
                to,
                count,
                unread,
                landed: Some(l),
                ..
            } => {
                let folder = l.target.clone().unwrap_or(FolderRef {
                    path: to.clone(),
                    uid_validity: 0,
                });
                let uids = if l.target.is_some() {
                    l.uids
                } else {
                    Vec::new()
                };
                if uids.is_empty() && l.message_ids.is_empty() {
                    self.notify(
                        "cannot undo: the server did not say where the messages went",
                        true,
                    );
                    return Vec::new();
                }
                let op = acc.next_req_id();
                let name = acc.folder_name(&from.path);
                acc.restoring.insert(
                    op,
                    Restoring {
                        path: from.path.clone(),
                        was: uids
                            .iter()
                            .copied()
                            .zip(l.source_uids.iter().copied())
                            .collect(),
                        count,
                        unread,
                    },
                );
                acc.expect_back += unread;
                self.notify(
                    &format!("{} going back to {name}", plural(count, "message")),
                    false,
                );
                vec![Command::Worker {
                    account,
                    command: WorkerCommand::Move {
                        folder,
                        uids,
                        message_ids: l.message_ids,
                        to: from.path,
                        op,
                    },
                }]
            }
        }
    }

    /// Keys typed while a prompt is open.
    pub(super) fn on_prompt(&mut self, key: PromptKey) -> Vec<Command> {
        let account = self.current;
        let Some(mut p) = self.prompt.take() else {
            return Vec::new();
        };
        if matches!(p.kind, PromptKind::Command | PromptKind::Pipe { .. }) {
            return self.on_command_key(p, key);
        }
        let outcome = p.key(key);
        if p.kind == PromptKind::FindInMessage {
            return self.on_find_prompt(p, outcome);
        }
        let in_results = self.results_shown();
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        match (&p.kind, outcome) {
            (PromptKind::Search | PromptKind::Limit, outcome) => self.on_query_prompt(p, outcome),
            (PromptKind::MarkMatching, outcome) => self.on_mark_prompt(p, outcome),
            (PromptKind::Everywhere, outcome) => self.on_everywhere_prompt(p, outcome),
            (PromptKind::AttachPath, Outcome::Done) => self.on_attach_prompt(p.text, false),
            (PromptKind::Recipients { .. }, Outcome::Done) => self.on_recipients_enter(p),
            (PromptKind::Recipients { .. }, Outcome::Edited) => {
                self.prompt = Some(p);
                self.suggest();
                Vec::new()
            }
            (PromptKind::Recipients { .. }, Outcome::Complete) => {
                let query = crate::addresses::complete::token_at(&p.text, p.text.len()).query;
                self.prompt = Some(p);
                if query.is_empty() {
                    return Vec::new();
                }
                vec![Command::Compose(
                    crate::state::compose::ComposeCommand::Lookup { query },
                )]
            }
            (_, Outcome::Moved) => {
                self.prompt = Some(p);
                Vec::new()
            }
            (PromptKind::AttachPath, Outcome::Complete) => {
                let text = p.text.clone();
                self.prompt = Some(p);
                self.on_attach_prompt(text, true)
            }
            (PromptKind::AttachPath, Outcome::Edited) => {
                self.prompt = Some(p);
                Vec::new()
            }
            (_, Outcome::Complete) => {
                self.prompt = Some(p);
                Vec::new()
            }
            (PromptKind::GoToFolder | PromptKind::MoveTo { .. }, Outcome::Edited) => {
                let exclude = match p.kind {
                    // From the results, the rows may be in any folder.
                    PromptKind::MoveTo { .. } if in_results => None,
                    PromptKind::MoveTo { .. } => acc.list.path.clone(),
                    _ => None,
                };
                p.filter_folders(&acc.folders, exclude.as_deref());
                self.prompt = Some(p);
                Vec::new()
            }
            (PromptKind::GoToFolder, Outcome::Done) => match p.chosen() {
                Some(i) => {
                    self.focus = Pane::Messages;
                    self.results = None;
                    acc.open_folder(i, account)
                }
                None => Vec::new(),
            },
            (PromptKind::MoveTo { uids }, Outcome::Done) => {
                let Some(to) = p
                    .chosen()
                    .and_then(|i| acc.folders.get(i))
                    .map(|f| f.path.clone())
                else {
                    return Vec::new();
                };
                if self.results_shown() {
                    return self.results_move(to);
                }
                let uids = uids.clone();
                self.move_to(uids, to)
            }
            (PromptKind::ConfirmExpunge { uids }, Outcome::Done) => {
                let Some(folder) = acc.folder_ref() else {
                    return Vec::new();
                };
                let uids = uids.clone();
                let op = acc.next_req_id();
                let taken = acc.list.remove(&uids);
                let n = taken.len();
                acc.pending.insert(op, taken);
                acc.list.marked.clear();
                let mut cmds = vec![Command::Worker {
                    account,
                    command: WorkerCommand::Expunge { folder, uids, op },
                }];
                cmds.extend(acc.preview(account));
                self.notify(
                    &format!(
                        "{} deleted for good (this cannot be undone)",
                        plural(n, "message")
                    ),
                    false,
                );
                cmds
            }
            (PromptKind::ConfirmExpunge { .. }, _) => {
                self.notify("kept", false);
                Vec::new()
            }
            (PromptKind::InvitationAnswer, Outcome::Done) => {
                use crate::calendar::Answer;
                let answer = match p.text.as_str() {
                    "a" => Answer::Accepted,
                    "t" => Answer::Tentative,
                    _ => Answer::Declined,
                };
                self.prompt = Some(Prompt::new(PromptKind::InvitationComment { answer }));
                Vec::new()
            }
            (PromptKind::InvitationComment { answer }, Outcome::Done) => {
                let comment = Some(p.text.trim().to_string()).filter(|c| !c.is_empty());
                self.answer_invitation(*answer, comment)
            }
            // Handled above.
            (PromptKind::FindInMessage, _) => Vec::new(),
            (PromptKind::InvitationComment { .. }, Outcome::Edited) => {
                self.prompt = Some(p);
                Vec::new()
            }
            (PromptKind::InvitationAnswer, _) => Vec::new(),
            // Handled by on_command_key above.
            (PromptKind::Command | PromptKind::Pipe { .. }, _) => Vec::new(),
            (_, Outcome::Cancelled) => Vec::new(),
        }
    }

    /// Esc with a search active ends it before anything else.
    pub(super) fn end_search(&mut self) -> bool {
        let Some(acc) = self.accounts.get_mut(self.current) else {
            return false;
        };
        acc.list.search.take().is_some()
    }

    /// Answers about actions on mail, for any account.
    pub(super) fn on_action_event(&mut self, account: usize, event: &WorkerEvent) -> Vec<Command> {
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        let mut note: Option<(String, bool)> = None;
        let cmds = match event {
            WorkerEvent::Moved {
                op,
                target,
                target_uids,
                source_uids,
                message_ids,
                removed,
            } => {
                if let Some(r) = acc.restoring.remove(op) {
                    // An undo landed: back in place, and said so.
                    if acc.list.path.as_deref() == Some(r.path.as_str()) {
                        let placed: Vec<(u32, u32)> = source_uids
                            .iter()
                            .zip(target_uids)
                            .filter_map(|(src, dst)| Some((*dst, *r.was.get(src)?)))
                            .collect();
                        // The cursor goes to the newest one back, as it comes.
                        acc.list.select_on_arrival = placed
                            .iter()
                            .max_by_key(|(_, was)| *was)
                            .map(|(new, _)| *new);
                        acc.list.place(placed);
                    }
                    let name = acc.folder_name(&r.path);
                    note = Some((
                        format!("{} restored to {name}", plural(r.count, "message")),
                        false,
                    ));
                }
                let taken = acc.pending.remove(op).unwrap_or_default();
                if !removed {
                    // Only marked deleted: they are still in this folder.
                    let back: Vec<Envelope> = taken
                        .into_iter()
                        .map(|mut e| {
                            e.flags.deleted = true;
                            e
                        })
                        .collect();
                    acc.list.add(back);
                    note = Some((
                        "copied; the originals are only marked deleted (the server has no UIDPLUS)"
                            .into(),
                        false,
                    ));
                }
                for step in acc.undo.iter_mut() {
                    if let Undo::Move { op: o, landed, .. } = step
                        && o == op
                    {
                        *landed = Some(Landed {
                            target: target.clone(),
                            uids: target_uids.clone(),
                            source_uids: source_uids.clone(),
                            message_ids: message_ids.clone(),
                        });
                    }
                }
                Vec::new()
            }
            WorkerEvent::Done { op, note: n } => {
                acc.pending.remove(op);
                // A move that found nothing to move: no undo, no "restored".
                if let Some(r) = acc.restoring.remove(op) {
                    acc.expect_back = acc.expect_back.saturating_sub(r.unread);
                }
                acc.undo
                    .retain(|u| !matches!(u, Undo::Move { op: o, .. } if o == op));
                note = n.as_ref().map(|n| (n.to_string(), false));
                Vec::new()
            }
            WorkerEvent::Failed { op, error } => {
                if let Some(r) = acc.restoring.remove(op) {
                    acc.expect_back = acc.expect_back.saturating_sub(r.unread);
                }
                if let Some(rows) = acc.pending.remove(op) {
                    acc.list.add(rows);
                }
                acc.undo
                    .retain(|u| !matches!(u, Undo::Move { op: o, .. } if o == op));
                note = Some((error.to_string(), true));
                if account == self.current {
                    acc.preview(account)
                } else {
                    Vec::new()
                }
            }
            WorkerEvent::Found { req, uids, offline } if *req == acc.search_req => {
                note = self
                    .search_found(account, uids, offline.as_ref())
                    .map(|n| (n, false));
                Vec::new()
            }
            WorkerEvent::Found { req, uids, offline } => {
                note = self
                    .marking_found(account, *req, uids)
                    .or_else(|| self.limit_found(account, *req, uids, offline.as_ref()))
                    .filter(|n| !n.is_empty())
                    .map(|n| (n, false));
                Vec::new()
            }
            WorkerEvent::Indexing(p) => {
                acc.indexing = (p.done < p.total).then_some(*p);
                Vec::new()
            }
            WorkerEvent::Threads { req, rows } if *req == acc.threads_req => {
                acc.list.set_threads(Some(rows.clone()));
                note = Some(("threads (T: off)".into(), false));
                Vec::new()
            }
            WorkerEvent::Threads { req, rows } => {
                note = self
                    .marking_threads(account, *req, rows)
                    .filter(|n| !n.is_empty())
                    .map(|n| (n, false));
                Vec::new()
            }
            _ => Vec::new(),
        };
        if let Some((text, error)) = note
            && (account == self.current || self.results_shown())
        {
            self.notify(&text, error);
        }
        cmds
    }
}

impl AccountState {
    pub(super) fn push_undo(&mut self, step: Undo) {
        if self.undo.len() == UNDO_DEPTH {
            self.undo.remove(0);
        }
        self.undo.push(step);
    }

    /// The folder with this role: from the server (SPECIAL-USE or a
    /// well-known name), else from the config.
    pub fn folder_for(&self, role: FolderRole) -> Option<String> {
        self.folders
            .iter()
            .find(|f| f.role == role && f.selectable)
            .map(|f| f.path.clone())
            .or_else(|| match role {
                FolderRole::Trash => self.info.trash.clone(),
                FolderRole::Archive => self.info.archive.clone(),
                FolderRole::Sent => self.info.sent.clone(),
                FolderRole::Drafts => self.info.drafts.clone(),
                _ => None,
            })
    }

    pub fn folder_name(&self, path: &str) -> String {
        self.folders
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.name.to_string())
            .unwrap_or_else(|| path.to_string())
    }

    fn set_flag(
        &mut self,
        account: usize,
        uids: Vec<u32>,
        flag: FlagKind,
        on: bool,
    ) -> Vec<Command> {
        let Some(folder) = self.folder_ref() else {
            return Vec::new();
        };
        if uids.is_empty() {
            return Vec::new();
        }
        let mut before = Vec::new();
        for uid in &uids {
            if let Some(e) = self.list.envelope_mut(*uid) {
                let mut f = e.flags;
                let was = {
                    let mut probe = f;
                    flag.set(&mut probe, true);
                    probe == f
                };
                before.push((*uid, was));
                flag.set(&mut f, on);
                e.flags = f;
            }
        }
        self.list.set_flags(&[]);
        self.push_undo(Undo::Flag {
            folder: folder.clone(),
            flag,
            before,
        });
        vec![Command::Worker {
            account,
            command: WorkerCommand::SetFlag {
                folder,
                uids,
                flag,
                on,
            },
        }]
    }

    /// Sets the flag on all targets unless all have it, then clears it;
    /// says which it did.
    fn toggle_flag(&mut self, account: usize, flag: FlagKind) -> (Vec<Command>, bool) {
        let uids = self.list.targets();
        let all_set = uids.iter().all(|u| {
            self.list.envelope(*u).is_some_and(|e| match flag {
                FlagKind::Seen => e.flags.seen,
                FlagKind::Flagged => e.flags.flagged,
                FlagKind::Answered => e.flags.answered,
                FlagKind::Deleted => e.flags.deleted,
                FlagKind::Draft => e.flags.draft,
                FlagKind::Forwarded => false,
            })
        });
        let cmds = self.set_flag(account, uids, flag, !all_set);
        self.list.marked.clear();
        (cmds, !all_set)
    }
}

impl Search {
    pub fn count(&self) -> usize {
        self.matches.len()
    }
}

#[cfg(test)]
#[path = "mail_actions_tests.rs"]
mod tests;
