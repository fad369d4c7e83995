//! Keys and events of writing mail: reply, reply-all, forward, new, edit
//! as new; the editor's and the sender's events; what happens after the
//! server accepted a message (flags, the Sent copy, the replaced draft).
//! Below: the review screen (`review.rs`), the outbox list (`outbox.rs`),
//! and the sign-in that sending may still need (`approval.rs`).

use std::sync::Arc;

use super::compose::{ComposeCommand, ComposeEvent, Composing, Followups, Phase, RowState, Source};
use super::prompt::{MAX_SUGGESTIONS, Prompt, PromptKind};
use super::{Pane, State};
use crate::action::{Command, StoreCommand, UiAction};
use crate::compose::{ComposeKind, Draft};
use crate::mail::types::{FlagKind, FolderRole};
use crate::worker::{PartsRequest, WorkerCommand, WorkerEvent};

mod approval;
mod outbox;
mod review;

pub use outbox::row_state_word;
pub use review::PreviewLayout;

/// The section that stands for a whole message in a parts request.
pub const WHOLE_MESSAGE: &str = "";

/// A worker op started for a message written here, by op id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WritingOp {
    /// Storing the message being written in Drafts.
    Postpone { id: u64 },
    /// Storing the copy of a sent entry in Sent.
    SentCopy { entry: String },
}

impl State {
    /// Whether the review screen is up.
    pub fn reviewing(&self) -> bool {
        self.composing
            .as_ref()
            .is_some_and(|c| matches!(c.phase, Phase::Review | Phase::Working))
    }

    /// Whether keys go to the review screen or the outbox list.
    pub(super) fn writing_applies(&self, a: UiAction) -> Option<bool> {
        let review = matches!(
            a,
            UiAction::SendMessage
                | UiAction::EditMessage
                | UiAction::AttachFile
                | UiAction::DetachFile
                | UiAction::Postpone
                | UiAction::Preview
                | UiAction::EditTo
                | UiAction::EditCc
        );
        if review {
            return Some(self.reviewing());
        }
        if self.reviewing() {
            // Only the review's own keys and a few that move or help; the
            // keys that start a message say why they do not.
            return Some(matches!(
                a,
                UiAction::Reply
                    | UiAction::AnswerInvitation
                    | UiAction::ReplyAll
                    | UiAction::Forward
                    | UiAction::ForwardOther
                    | UiAction::Compose
                    | UiAction::EditAsNew
                    | UiAction::Quit
                    | UiAction::Back
                    | UiAction::Up
                    | UiAction::Down
                    | UiAction::PageUp
                    | UiAction::PageDown
                    | UiAction::NextPage
                    | UiAction::Top
                    | UiAction::Bottom
                    | UiAction::Help
                    | UiAction::ToggleLog
            ));
        }
        if self.show_outbox {
            return Some(matches!(
                a,
                UiAction::Retry
                    | UiAction::Delete
                    | UiAction::EditAsNew
                    | UiAction::Up
                    | UiAction::Down
                    | UiAction::Back
                    | UiAction::Outbox
                    | UiAction::Quit
                    | UiAction::Help
            ));
        }
        None
    }

    /// Keys for writing mail; None when the key is not about that.
    pub(super) fn on_writing_key(&mut self, a: UiAction) -> Option<Vec<Command>> {
        if self.reviewing() {
            return Some(self.on_review_key(a));
        }
        if self.show_outbox {
            return Some(self.on_outbox_key(a));
        }
        let forward_attached = self.forward_as_attachment;
        let kind = match a {
            UiAction::Reply => ComposeKind::Reply,
            UiAction::ReplyAll => ComposeKind::ReplyAll,
            UiAction::Forward => ComposeKind::Forward {
                as_attachment: forward_attached,
            },
            UiAction::ForwardOther => ComposeKind::Forward {
                as_attachment: !forward_attached,
            },
            UiAction::Compose => ComposeKind::New,
            UiAction::EditAsNew => ComposeKind::EditAsNew,
            UiAction::Outbox => {
                self.show_outbox = true;
                self.outbox_cursor = 0;
                return Some(Vec::new());
            }
            UiAction::AnswerInvitation => return Some(self.ask_answer()),
            _ => return None,
        };
        Some(self.start_writing(kind))
    }

    /// `i` on a message carrying an invitation: which answer, then a
    /// comment; whatever cannot be answered is said.
    fn ask_answer(&mut self) -> Vec<Command> {
        use crate::calendar::{CalendarPart, Method};
        let Some(acc) = self.accounts.get(self.current) else {
            return Vec::new();
        };
        let selected = acc.list.selected_envelope().map(|e| e.uid);
        let shown = match &acc.reader.content {
            super::ReaderContent::Loaded(v)
                if acc.reader.uid == selected && acc.reader.base.is_empty() =>
            {
                Some(v)
            }
            _ => None,
        };
        let why = match shown.and_then(|v| v.calendar.as_ref()) {
            None if shown.is_none() => "open the invitation first",
            None => "this message carries no meeting invitation",
            Some(CalendarPart::NotRead(_)) => "the invitation cannot be read (see the message)",
            Some(CalendarPart::Invitation(i)) if i.cancelled || i.method == Method::Cancel => {
                "this is a cancellation: there is nothing to answer"
            }
            Some(CalendarPart::Invitation(i)) if i.method == Method::Reply => {
                "this is an answer to an invitation, not an invitation"
            }
            Some(CalendarPart::Invitation(i)) if i.method == Method::Counter => {
                "this is a counter-proposal: answer it in your calendar"
            }
            Some(CalendarPart::Invitation(_)) => {
                self.prompt = Some(Prompt::new(PromptKind::InvitationAnswer));
                return Vec::new();
            }
        };
        self.notify(why, false);
        Vec::new()
    }

    /// The answer chosen: the invitation is read again from the server
    /// and the answer made from it, to review before it goes.
    pub(super) fn answer_invitation(
        &mut self,
        answer: crate::calendar::Answer,
        comment: Option<String>,
    ) -> Vec<Command> {
        let cmds = self.start_writing(ComposeKind::Answer(answer));
        if let Some(c) = self.composing.as_mut()
            && c.kind == ComposeKind::Answer(answer)
        {
            c.comment = comment;
        }
        cmds
    }

    fn start_writing(&mut self, kind: ComposeKind) -> Vec<Command> {
        // Nothing is written while the original is read (offline, that
        // waits for the connection): another key starts over rather than
        // being refused until then.
        if self
            .composing
            .as_ref()
            .is_some_and(|c| matches!(c.phase, Phase::Loading { .. }))
        {
            self.composing = None;
        }
        if let Some(c) = &self.composing {
            let what = match c.phase {
                Phase::Editing => "the editor is still open",
                _ => "a message is being written",
            };
            self.notify(&format!("{what}: finish it first"), false);
            return Vec::new();
        }
        let account = self.current;
        self.next_compose += 1;
        let id = self.next_compose;
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        let new = |phase| Composing::new(id, account, kind, phase);
        if kind == ComposeKind::New {
            self.composing = Some(new(Phase::Preparing));
            return vec![Command::Compose(ComposeCommand::Prepare {
                id,
                account,
                kind,
                original: None,
                comment: None,
            })];
        }
        let (Some(folder), Some(uid)) = (
            acc.folder_ref(),
            acc.list.selected_envelope().map(|e| e.uid),
        ) else {
            let what = match kind {
                ComposeKind::Reply | ComposeKind::ReplyAll => "reply to",
                ComposeKind::Forward { .. } => "forward",
                _ => "edit",
            };
            self.notify(&format!("no message selected to {what}"), false);
            return Vec::new();
        };
        let in_drafts =
            acc.list.path.is_some() && acc.list.path == acc.folder_for(FolderRole::Drafts);
        let kind = if kind == ComposeKind::EditAsNew && in_drafts {
            ComposeKind::Recall
        } else {
            kind
        };
        let source = Source {
            account,
            folder: folder.clone(),
            uid,
        };
        let req = acc.next_req_id();
        let mut c = new(Phase::Loading { req });
        c.kind = kind;
        if kind == ComposeKind::Recall {
            c.replaces = Some(source);
        } else {
            c.source = Some(source);
        }
        self.composing = Some(c);
        vec![Command::Store {
            account,
            command: StoreCommand::LoadParts(PartsRequest {
                folder,
                uid,
                sections: vec![WHOLE_MESSAGE.to_string()],
                req,
                view: false,
            }),
        }]
    }

    /// The original's source for a reply or forward, and the answers to
    /// this module's worker ops. Err gives the event back.
    pub(super) fn on_writing_worker_event(
        &mut self,
        account: usize,
        event: WorkerEvent,
    ) -> Result<Vec<Command>, WorkerEvent> {
        let loading = self.composing.as_ref().and_then(|c| match c.phase {
            Phase::Loading { req } if c.account == account => Some((c.id, req, c.kind)),
            _ => None,
        });
        match event {
            WorkerEvent::Parts { req, mut parts } if loading.is_some_and(|l| l.1 == req) => {
                let Some((id, _, kind)) = loading else {
                    return Ok(Vec::new());
                };
                let Some(part) = parts.pop() else {
                    self.composing = None;
                    self.notify("the message could not be read", true);
                    return Ok(Vec::new());
                };
                let mut comment = None;
                if let Some(c) = &mut self.composing {
                    c.phase = Phase::Preparing;
                    comment = c.comment.clone();
                }
                Ok(vec![Command::Compose(ComposeCommand::Prepare {
                    id,
                    account,
                    kind,
                    original: Some(Arc::new(part.bytes)),
                    comment,
                })])
            }
            WorkerEvent::PartsFailed { req, error } if loading.is_some_and(|l| l.1 == req) => {
                self.composing = None;
                self.notify(&format!("the message could not be read: {error}"), true);
                Ok(Vec::new())
            }
            WorkerEvent::Done { op, .. } if self.writing_ops.contains_key(&(account, op)) => {
                Ok(self.writing_op_done(account, op, None))
            }
            WorkerEvent::Failed { op, error } if self.writing_ops.contains_key(&(account, op)) => {
                Ok(self.writing_op_done(account, op, Some(error.to_string())))
            }
            other => Err(other),
        }
    }

    fn writing_op_done(&mut self, account: usize, op: u64, error: Option<String>) -> Vec<Command> {
        let Some(what) = self.writing_ops.remove(&(account, op)) else {
            return Vec::new();
        };
        match (what, error) {
            (WritingOp::Postpone { id }, None) => {
                let Some(c) = self.composing.take_if(|c| c.id == id) else {
                    return Vec::new();
                };
                self.notify("postponed: the message is in Drafts", false);
                let mut cmds: Vec<Command> = c
                    .file
                    .map(|file| Command::Compose(ComposeCommand::Discard { file }))
                    .into_iter()
                    .collect();
                cmds.extend(c.replaces.and_then(|r| self.remove_draft(r)));
                cmds
            }
            (WritingOp::Postpone { id }, Some(e)) => {
                if let Some(c) = self.composing.as_mut().filter(|c| c.id == id) {
                    c.phase = Phase::Review;
                }
                self.notify(
                    &format!("not postponed: {e} (another folder: drafts = \"…\" in the config)"),
                    true,
                );
                Vec::new()
            }
            (WritingOp::SentCopy { entry }, e) => {
                if let Some(e) = e {
                    self.notify(
                        &format!(
                            "sent; but the copy in Sent failed: {e} (another folder: sent = \"…\")"
                        ),
                        true,
                    );
                }
                vec![Command::Compose(ComposeCommand::Finished { entry })]
            }
        }
    }

    /// A draft that was continued goes once its successor is safe.
    fn remove_draft(&mut self, r: Source) -> Option<Command> {
        let acc = self.accounts.get_mut(r.account)?;
        let op = acc.next_req_id();
        if acc.folder_ref().as_ref() == Some(&r.folder) {
            acc.list.remove(&[r.uid]);
        }
        Some(Command::Worker {
            account: r.account,
            command: WorkerCommand::Expunge {
                folder: r.folder,
                uids: vec![r.uid],
                op,
            },
        })
    }

    pub(super) fn on_compose_event(&mut self, event: ComposeEvent) -> Vec<Command> {
        let current = |c: &Option<Composing>, id: u64| c.as_ref().is_some_and(|c| c.id == id);
        match event {
            ComposeEvent::Ready {
                id,
                draft,
                file,
                sizes,
            } if current(&self.composing, id) => {
                let Some(c) = self.composing.as_mut() else {
                    return Vec::new();
                };
                c.draft = *draft.clone();
                c.sizes = sizes;
                c.file = Some(file.clone());
                if matches!(c.kind, ComposeKind::Answer(_)) {
                    // Written by mailtui: straight to the review (e edits).
                    c.phase = Phase::Review;
                    self.focus = Pane::Messages;
                    return Vec::new();
                }
                c.phase = Phase::Editing;
                vec![Command::Compose(ComposeCommand::Edit {
                    id,
                    file,
                    draft,
                    rewrite: false,
                })]
            }
            ComposeEvent::Edited {
                id,
                result,
                note,
                sizes,
            } if current(&self.composing, id) => self.edited(result, note, sizes),
            ComposeEvent::Failed { id, error } if current(&self.composing, id) => {
                let keep = self
                    .composing
                    .as_ref()
                    .is_some_and(|c| matches!(c.phase, Phase::Working | Phase::Review));
                if keep {
                    if let Some(c) = self.composing.as_mut() {
                        c.phase = Phase::Review;
                    }
                } else {
                    self.composing = None;
                }
                self.notify(&error, true);
                Vec::new()
            }
            ComposeEvent::Queued { id, .. } if current(&self.composing, id) => {
                let subject = self
                    .composing
                    .take()
                    .map(|c| c.draft.subject)
                    .unwrap_or_default();
                self.notify(&format!("sending \"{subject}\"…"), false);
                Vec::new()
            }
            ComposeEvent::Built {
                id,
                bytes,
                message_id,
            } if current(&self.composing, id) => self.store_draft(id, bytes, message_id),
            ComposeEvent::Preview { id, view } if current(&self.composing, id) => {
                if let Some(c) = self.composing.as_mut() {
                    c.preview = Some(view);
                    c.preview_scroll = 0;
                }
                Vec::new()
            }
            ComposeEvent::Attached {
                id,
                path,
                name,
                mime,
                size,
            } if current(&self.composing, id) => {
                if let Some(c) = self.composing.as_mut() {
                    c.draft.attachments.push(crate::compose::DraftAttachment {
                        name: name.clone(),
                        mime,
                        source: crate::compose::AttachmentSource::File(path),
                    });
                    c.sizes.push(Some(size));
                    c.cursor = c.draft.attachments.len() - 1;
                }
                self.recheck();
                self.notify(&format!("attached {name}"), false);
                Vec::new()
            }
            ComposeEvent::Completed { text, choices, .. } => {
                if let Some(p) = self
                    .prompt
                    .as_mut()
                    .filter(|p| matches!(p.kind, PromptKind::AttachPath))
                {
                    p.text = text;
                }
                if choices.len() > 1 {
                    let shown: Vec<&str> = choices.iter().take(8).map(String::as_str).collect();
                    let more = if choices.len() > 8 { " …" } else { "" };
                    self.notify(&format!("{}{more}", shown.join("  ")), false);
                }
                Vec::new()
            }
            ComposeEvent::Contacts { account, contacts } => {
                self.contacts = Some((account, contacts));
                self.suggest();
                Vec::new()
            }
            ComposeEvent::Suggestions {
                query,
                found,
                problem,
            } => {
                if let Some(p) = problem {
                    self.notify(&p, true);
                }
                let now = self.now;
                let book = self.contacts.as_ref().map(|(_, c)| c.clone());
                if let Some(p) = self
                    .prompt
                    .as_mut()
                    .filter(|p| matches!(p.kind, PromptKind::Recipients { .. }))
                {
                    let token = crate::addresses::complete::token_at(&p.text, p.text.len());
                    if token.query == query {
                        let stored = book
                            .map(|b| {
                                crate::addresses::rank::search(&b, &query, now, MAX_SUGGESTIONS)
                            })
                            .unwrap_or_default();
                        p.suggestions = crate::addresses::merge(stored, found, MAX_SUGGESTIONS);
                        p.cursor = 0;
                        if p.suggestions.is_empty() {
                            self.notify(&format!("no address found for \"{query}\""), false);
                        }
                    }
                }
                Vec::new()
            }
            ComposeEvent::ServerSize { account, size } => {
                match size {
                    Some(n) => self.server_sizes.insert(account, n),
                    None => self.server_sizes.remove(&account),
                };
                self.recheck();
                Vec::new()
            }
            ComposeEvent::SendingNote { account: _, text } => {
                self.notify(&text, false);
                Vec::new()
            }
            ComposeEvent::Outbox(rows) => {
                self.outbox = rows;
                self.outbox_cursor = self.outbox_cursor.min(self.outbox.len().saturating_sub(1));
                Vec::new()
            }
            ComposeEvent::Progress { entry, step } => {
                if let Some(r) = self.outbox.iter_mut().find(|r| r.entry == entry) {
                    r.state = RowState::Sending(step);
                }
                Vec::new()
            }
            ComposeEvent::Sent {
                entry,
                account,
                after,
                bytes,
                message_id,
                reply: _,
            } => self.sent(entry, account, after, bytes, message_id),
            ComposeEvent::SendFailed {
                entry,
                account,
                sentence,
                sign_in,
                approve,
            } => {
                if let Some(r) = self.outbox.iter_mut().find(|r| r.entry == entry) {
                    r.state = RowState::Failed(sentence.clone());
                }
                if approve.is_some() && self.approved_entries.contains(&entry) {
                    self.notify(
                        &format!(
                            "not sent: still refused after your approval ({sentence}); ask an admin (Q: outbox)"
                        ),
                        true,
                    );
                    return Vec::new();
                }
                if let Some(scopes) = approve
                    && let Some(cmds) = self.approve_to_send(account, &entry, scopes)
                {
                    return cmds;
                }
                if sign_in && let Some(cmds) = self.sign_in_to_send(account, &entry) {
                    return cmds;
                }
                // The outbox has the reason whole when the bar cuts it.
                self.notify(&format!("not sent: {sentence} (Q: outbox)"), true);
                Vec::new()
            }
            // About a message no longer being written.
            _ => Vec::new(),
        }
    }

    fn edited(
        &mut self,
        result: Result<Box<Draft>, String>,
        note: Option<String>,
        sizes: Vec<Option<u64>>,
    ) -> Vec<Command> {
        let Some(c) = self.composing.as_mut() else {
            return Vec::new();
        };
        match result {
            Ok(draft) => {
                c.draft = *draft;
                c.sizes = sizes;
                c.note = note;
                c.phase = Phase::Review;
                c.preview = None;
                c.cursor = c.cursor.min(c.draft.attachments.len().saturating_sub(1));
                self.focus = Pane::Messages;
                self.recheck();
                Vec::new()
            }
            // Nothing written: nothing to keep.
            Err(e)
                if c.kind == ComposeKind::New
                    && note.is_none()
                    && e.to_lowercase().contains("nothing was written") =>
            {
                let file = c.file.take();
                self.composing = None;
                self.notify(&format!("{e}: no message"), false);
                file.map(|file| Command::Compose(ComposeCommand::Discard { file }))
                    .into_iter()
                    .collect()
            }
            Err(e) => {
                // The text stays in the file; the review says what is wrong.
                c.note = Some(match note {
                    Some(n) => format!("{n}; {e}"),
                    None => e,
                });
                c.phase = Phase::Review;
                c.warnings = vec!["fix the message in the editor (e) before sending".into()];
                Vec::new()
            }
        }
    }

    /// The review's warnings, again after a change.
    fn recheck(&mut self) {
        let Some(c) = self.composing.as_mut() else {
            return;
        };
        let size: u64 =
            c.draft.body.len() as u64 + c.sizes.iter().map(|s| s.unwrap_or(0) * 4 / 3).sum::<u64>();
        let limit = self.server_sizes.get(&c.account).copied();
        c.warnings = crate::compose::warnings(&c.draft, Some(size), limit)
            .iter()
            .map(ToString::to_string)
            .collect();
        if c.kind != ComposeKind::Recall
            && let Some(acc) = self.accounts.get(c.account)
            && acc.info.appends_sent
            && acc.folder_for(FolderRole::Sent).is_none()
        {
            c.warnings
                .push("no Sent folder found: no copy will be kept (set sent = \"…\")".into());
        }
    }

    /// The server took the message: flags on the original, the Sent copy,
    /// the continued draft removed; the outbox entry goes once those are
    /// asked for.
    fn sent(
        &mut self,
        entry: String,
        account: usize,
        after: Followups,
        bytes: Arc<Vec<u8>>,
        message_id: String,
    ) -> Vec<Command> {
        // Before the account's folders are known there is no telling
        // where Sent is: all of it waits for the folder list.
        if after.save_sent.is_none()
            && !after.server_filed
            && let Some(acc) = self.accounts.get(account)
            && acc.info.appends_sent
            && acc.folders.is_empty()
        {
            self.sent_waiting.push(ComposeEvent::Sent {
                entry,
                account,
                after,
                bytes,
                message_id,
                reply: String::new(),
            });
            return Vec::new();
        }
        let mut cmds = Vec::new();
        let to = self
            .outbox
            .iter()
            .find(|r| r.entry == entry)
            .map(|r| r.recipients.clone())
            .unwrap_or_default();
        if let Some(r) = self.outbox.iter_mut().find(|r| r.entry == entry) {
            r.state = RowState::Accepted;
        }
        for (source, flag) in [
            (after.answered, FlagKind::Answered),
            (after.forwarded, FlagKind::Forwarded),
        ] {
            let Some(s) = source else { continue };
            if let Some(acc) = self.accounts.get_mut(s.account)
                && acc.folder_ref().as_ref() == Some(&s.folder)
                && let Some(e) = acc.list.envelope_mut(s.uid)
            {
                flag.set(&mut e.flags, true);
            }
            cmds.push(Command::Worker {
                account: s.account,
                command: WorkerCommand::SetFlag {
                    folder: s.folder,
                    uids: vec![s.uid],
                    flag,
                    on: true,
                },
            });
        }
        cmds.extend(after.replaces_draft.and_then(|r| self.remove_draft(r)));
        let sent_to = if to.is_empty() {
            String::new()
        } else {
            format!(" to {to}")
        };
        self.notify(&format!("sent{sent_to}"), false);
        // The folder as known now: at send time the folder list may not
        // have come yet (a message sent at once after start).
        let save_sent = after.save_sent.filter(|_| !after.server_filed).or_else(|| {
            if after.server_filed {
                return None;
            }
            let acc = self.accounts.get(account)?;
            acc.info
                .appends_sent
                .then(|| acc.folder_for(FolderRole::Sent))
                .flatten()
        });
        match (save_sent, self.accounts.get_mut(account)) {
            (Some(folder), Some(acc)) => {
                let op = acc.next_req_id();
                self.writing_ops.insert(
                    (account, op),
                    WritingOp::SentCopy {
                        entry: entry.clone(),
                    },
                );
                cmds.push(Command::Worker {
                    account,
                    command: WorkerCommand::Append {
                        folder,
                        bytes,
                        flags: vec![FlagKind::Seen],
                        message_id: Some(message_id),
                        op,
                    },
                });
            }
            _ => cmds.push(Command::Compose(ComposeCommand::Finished { entry })),
        }
        cmds
    }

    /// Sent messages that waited for their account's folder list.
    pub(super) fn folders_known(&mut self, account: usize) -> Vec<Command> {
        let known = self
            .accounts
            .get(account)
            .is_some_and(|a| !a.folders.is_empty());
        if !known || self.sent_waiting.is_empty() {
            return Vec::new();
        }
        let (now, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.sent_waiting)
            .into_iter()
            .partition(|e| matches!(e, ComposeEvent::Sent { account: a, .. } if *a == account));
        self.sent_waiting = later;
        now.into_iter()
            .flat_map(|e| self.on_compose_event(e))
            .collect()
    }
}

#[cfg(test)]
#[path = "writing_tests.rs"]
mod tests;
