//! The review screen of a message being written: its keys, the preview,
//! sending it or postponing it to Drafts; the To/Cc and attach prompts
//! it opens.

use std::sync::Arc;

use super::WritingOp;
use crate::action::{Command, UiAction};
use crate::compose::ComposeKind;
use crate::mail::types::{FlagKind, FolderRole};
use crate::state::State;
use crate::state::compose::{ComposeCommand, Followups, Phase};
use crate::state::prompt::{MAX_SUGGESTIONS, Prompt, PromptKind};
use crate::state::reader::{Doc, Row, wrap};
use crate::worker::WorkerCommand;

/// The preview of a message being written, laid out like the reader.
pub struct PreviewLayout {
    pub doc: Doc,
    pub rows: Vec<Row>,
    /// Rows on screen.
    pub visible: usize,
}

impl State {
    /// The preview as the screen lays it out: the reader's document of
    /// the message, its rows at the screen's width, and how many fit.
    pub fn preview_layout(&self) -> Option<PreviewLayout> {
        let view = self.composing.as_ref()?.preview.as_ref()?;
        let status = self.areas().status.height;
        let doc = Doc::message(view, self.utc_offset);
        let rows = wrap(&doc, usize::from(self.width.saturating_sub(2)));
        let visible = usize::from(self.height.saturating_sub(status).saturating_sub(2));
        Some(PreviewLayout { doc, rows, visible })
    }

    fn scroll_preview(&mut self, a: UiAction) {
        let Some(l) = self.preview_layout() else {
            return;
        };
        let max = l.rows.len().saturating_sub(l.visible);
        let page = l.visible.saturating_sub(1).max(1) as isize;
        let delta = match a {
            UiAction::Up => -1,
            UiAction::Down => 1,
            UiAction::PageUp => -page,
            UiAction::PageDown | UiAction::NextPage => page,
            UiAction::Top => isize::MIN / 2,
            _ => isize::MAX / 2,
        };
        if let Some(c) = self.composing.as_mut() {
            c.preview_scroll = c
                .preview_scroll
                .min(max)
                .saturating_add_signed(delta)
                .min(max);
        }
    }

    pub(super) fn on_review_key(&mut self, a: UiAction) -> Vec<Command> {
        let moving = matches!(
            a,
            UiAction::Up
                | UiAction::Down
                | UiAction::PageUp
                | UiAction::PageDown
                | UiAction::NextPage
                | UiAction::Top
                | UiAction::Bottom
        );
        if let Some(c) = self
            .composing
            .as_mut()
            .filter(|c| moving && c.preview.is_some())
        {
            c.confirm_discard = false;
            self.scroll_preview(a);
            return Vec::new();
        }
        let Some(c) = self.composing.as_mut() else {
            return Vec::new();
        };
        let confirm = std::mem::take(&mut c.confirm_discard);
        if c.phase == Phase::Working {
            self.notify("busy with this message…", false);
            return Vec::new();
        }
        let id = c.id;
        match a {
            UiAction::SendMessage => self.send_reviewed(),
            UiAction::EditMessage => {
                let Some(file) = c.file.clone() else {
                    return Vec::new();
                };
                c.phase = Phase::Editing;
                c.preview = None;
                let rewrite = std::mem::take(&mut c.changed_here);
                vec![Command::Compose(ComposeCommand::Edit {
                    id,
                    file,
                    draft: Box::new(c.draft.clone()),
                    rewrite,
                })]
            }
            UiAction::AttachFile => {
                self.prompt = Some(Prompt::new(PromptKind::AttachPath));
                Vec::new()
            }
            // The file holds text that did not parse: changing the draft
            // here would write over it.
            UiAction::EditTo | UiAction::EditCc
                if c.note.is_some()
                    && c.warnings.iter().any(|w| w.starts_with("fix the message")) =>
            {
                self.notify("fix the message in the editor first (e)", false);
                Vec::new()
            }
            UiAction::EditTo | UiAction::EditCc => {
                let cc = a == UiAction::EditCc;
                let mut p = Prompt::new(PromptKind::Recipients { cc });
                let field = if cc { &c.draft.cc } else { &c.draft.to };
                p.text = field.trim_end().to_string();
                if !p.text.is_empty() && !p.text.ends_with(',') {
                    p.text.push_str(", ");
                }
                let account = c.account;
                self.prompt = Some(p);
                if self.contacts.as_ref().is_some_and(|(a, _)| *a == account) {
                    self.suggest();
                    return Vec::new();
                }
                vec![Command::Compose(ComposeCommand::Contacts { account })]
            }
            UiAction::DetachFile => {
                if c.cursor < c.draft.attachments.len() {
                    let gone = c.draft.attachments.remove(c.cursor);
                    if c.cursor < c.sizes.len() {
                        c.sizes.remove(c.cursor);
                    }
                    c.cursor = c.cursor.min(c.draft.attachments.len().saturating_sub(1));
                    self.recheck();
                    self.notify(&format!("removed {}", gone.name), false);
                } else {
                    self.notify("no attachment to remove", false);
                }
                Vec::new()
            }
            UiAction::Postpone => {
                c.phase = Phase::Working;
                vec![Command::Compose(ComposeCommand::BuildDraft {
                    id,
                    account: c.account,
                    draft: Box::new(c.draft.clone()),
                })]
            }
            UiAction::Preview => {
                if c.preview.take().is_some() {
                    return Vec::new();
                }
                vec![Command::Compose(ComposeCommand::Preview {
                    id,
                    draft: Box::new(c.draft.clone()),
                })]
            }
            UiAction::Up => {
                c.cursor = c.cursor.saturating_sub(1);
                Vec::new()
            }
            UiAction::Down => {
                c.cursor = (c.cursor + 1).min(c.draft.attachments.len().saturating_sub(1));
                Vec::new()
            }
            UiAction::Top => {
                c.cursor = 0;
                Vec::new()
            }
            UiAction::Bottom => {
                c.cursor = c.draft.attachments.len().saturating_sub(1);
                Vec::new()
            }
            UiAction::Back if c.preview.is_some() => {
                c.preview = None;
                Vec::new()
            }
            UiAction::Quit | UiAction::Back if confirm => {
                let file = c.file.clone();
                self.composing = None;
                self.notify("message thrown away", false);
                file.map(|file| Command::Compose(ComposeCommand::Discard { file }))
                    .into_iter()
                    .collect()
            }
            UiAction::Quit | UiAction::Back => {
                c.confirm_discard = true;
                self.notify("not sent: q again throws it away, p postpones it", false);
                Vec::new()
            }
            UiAction::Help => {
                self.open_help();
                Vec::new()
            }
            UiAction::ToggleLog => {
                self.show_log = !self.show_log;
                Vec::new()
            }
            UiAction::Reply
            | UiAction::ReplyAll
            | UiAction::Forward
            | UiAction::ForwardOther
            | UiAction::Compose
            | UiAction::EditAsNew => {
                self.notify("a message is being written: finish it first", false);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn send_reviewed(&mut self) -> Vec<Command> {
        let Some(c) = self.composing.as_ref() else {
            return Vec::new();
        };
        if c.note.is_some() && c.warnings.iter().any(|w| w.starts_with("fix the message")) {
            self.notify("the message has a mistake: e to fix it in the editor", true);
            return Vec::new();
        }
        let acc = self.accounts.get(c.account);
        let save_sent = acc
            .filter(|a| a.info.appends_sent)
            .and_then(|a| a.folder_for(FolderRole::Sent));
        let after = Followups {
            answered: c.source.clone().filter(|_| {
                matches!(
                    c.kind,
                    ComposeKind::Reply | ComposeKind::ReplyAll | ComposeKind::Answer(_)
                )
            }),
            forwarded: c
                .source
                .clone()
                .filter(|_| matches!(c.kind, ComposeKind::Forward { .. })),
            save_sent,
            replaces_draft: c.replaces.clone(),
            server_filed: false,
        };
        let cmd = ComposeCommand::Send {
            id: c.id,
            account: c.account,
            draft: Box::new(c.draft.clone()),
            file: c.file.clone(),
            after,
        };
        if let Some(c) = self.composing.as_mut() {
            c.phase = Phase::Working;
        }
        vec![Command::Compose(cmd)]
    }

    pub(super) fn store_draft(
        &mut self,
        id: u64,
        bytes: Arc<Vec<u8>>,
        message_id: String,
    ) -> Vec<Command> {
        let Some(c) = self.composing.as_mut() else {
            return Vec::new();
        };
        let account = c.account;
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        let Some(folder) = acc.folder_for(FolderRole::Drafts) else {
            c.phase = Phase::Review;
            self.notify(
                "no Drafts folder found: set drafts = \"folder name\" for this account",
                true,
            );
            return Vec::new();
        };
        let op = acc.next_req_id();
        self.writing_ops
            .insert((account, op), WritingOp::Postpone { id });
        vec![Command::Worker {
            account,
            command: WorkerCommand::Append {
                folder,
                bytes,
                flags: vec![FlagKind::Seen, FlagKind::Draft],
                message_id: Some(message_id),
                op,
            },
        }]
    }

    /// Suggestions for the address being typed in the recipients prompt,
    /// from the account's address book.
    pub(in crate::state) fn suggest(&mut self) {
        let now = self.now;
        let book = self.contacts.as_ref().map(|(_, c)| c.clone());
        let Some(p) = self
            .prompt
            .as_mut()
            .filter(|p| matches!(p.kind, PromptKind::Recipients { .. }))
        else {
            return;
        };
        let token = crate::addresses::complete::token_at(&p.text, p.text.len());
        p.suggestions = match (book, token.query.is_empty()) {
            (Some(b), false) => {
                crate::addresses::rank::search(&b, &token.query, now, MAX_SUGGESTIONS)
            }
            _ => Vec::new(),
        };
        p.cursor = 0;
    }

    /// Enter in the recipients prompt: the highlighted address goes in
    /// (and the prompt stays for the next); with nothing being typed, the
    /// field is set.
    pub(in crate::state) fn on_recipients_enter(&mut self, mut p: Prompt) -> Vec<Command> {
        let PromptKind::Recipients { cc } = p.kind else {
            return Vec::new();
        };
        let token = crate::addresses::complete::token_at(&p.text, p.text.len());
        if !token.query.is_empty()
            && let Some(choice) = p.suggestions.get(p.cursor).cloned()
        {
            let (text, _) = crate::addresses::complete::choose(&p.text, p.text.len(), &choice);
            p.text = text;
            p.suggestions.clear();
            p.cursor = 0;
            self.prompt = Some(p);
            return Vec::new();
        }
        let value = p.text.trim().trim_end_matches(',').trim().to_string();
        if let Some(c) = self.composing.as_mut() {
            let field = if cc { &mut c.draft.cc } else { &mut c.draft.to };
            if *field != value {
                *field = value;
                c.changed_here = true;
            }
        }
        self.recheck();
        Vec::new()
    }

    /// The attach prompt's Enter and Tab.
    pub(in crate::state) fn on_attach_prompt(
        &mut self,
        text: String,
        complete: bool,
    ) -> Vec<Command> {
        let Some(c) = self.composing.as_ref() else {
            return Vec::new();
        };
        let id = c.id;
        if complete {
            return vec![Command::Compose(ComposeCommand::Complete { id, text })];
        }
        if text.trim().is_empty() {
            return Vec::new();
        }
        vec![Command::Compose(ComposeCommand::Attach { id, path: text })]
    }
}
