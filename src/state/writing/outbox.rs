//! The outbox list: its keys (send again, delete, continue writing), what
//! each row says, and the status bar's count of unsent messages.

use crate::action::{Command, UiAction};
use crate::compose::ComposeKind;
use crate::state::State;
use crate::state::compose::{ComposeCommand, Composing, OutboxRow, Phase, RowState};
use crate::text::count;

impl State {
    pub(super) fn on_outbox_key(&mut self, a: UiAction) -> Vec<Command> {
        // A yes counts only as the same key on the same entry.
        let confirm = self
            .outbox_confirm
            .take()
            .filter(|(key, _)| *key == a)
            .map(|(_, entry)| entry);
        let row = self.outbox.get(self.outbox_cursor).cloned();
        match a {
            UiAction::Up => {
                self.outbox_cursor = self.outbox_cursor.saturating_sub(1);
                Vec::new()
            }
            UiAction::Down => {
                self.outbox_cursor =
                    (self.outbox_cursor + 1).min(self.outbox.len().saturating_sub(1));
                Vec::new()
            }
            UiAction::EditAsNew => {
                let Some(r) = row else { return Vec::new() };
                match r.state {
                    RowState::Sending(_) | RowState::Accepted => {
                        self.notify("this one is on its way", false);
                        Vec::new()
                    }
                    _ => {
                        self.show_outbox = false;
                        self.reopen(r)
                    }
                }
            }
            UiAction::Retry => {
                let Some(r) = row else { return Vec::new() };
                match r.state {
                    RowState::Unfinished => {
                        self.notify("not written to the end: e continues it", false);
                        Vec::new()
                    }
                    RowState::Sending(_) | RowState::Accepted => {
                        self.notify("this one is on its way", false);
                        Vec::new()
                    }
                    RowState::Uncertain if confirm.as_deref() != Some(r.entry.as_str()) => {
                        self.outbox_confirm = Some((a, r.entry));
                        self.notify(
                            "the server may have this one already: a again sends it anyway",
                            false,
                        );
                        Vec::new()
                    }
                    _ => {
                        self.notify("sending again…", false);
                        vec![Command::Compose(ComposeCommand::Retry { entry: r.entry })]
                    }
                }
            }
            UiAction::Delete => {
                let Some(r) = row else { return Vec::new() };
                if matches!(r.state, RowState::Sending(_) | RowState::Accepted) {
                    self.notify("this one is on its way", false);
                    return Vec::new();
                }
                if confirm.as_deref() != Some(r.entry.as_str()) {
                    self.outbox_confirm = Some((a, r.entry));
                    self.notify("d again deletes this unsent message", false);
                    return Vec::new();
                }
                self.notify("deleted from the outbox", false);
                if r.state == RowState::Unfinished {
                    self.outbox.retain(|x| x.entry != r.entry);
                    let file = std::path::PathBuf::from(r.entry);
                    return vec![Command::Compose(ComposeCommand::Discard { file })];
                }
                vec![Command::Compose(ComposeCommand::Remove { entry: r.entry })]
            }
            UiAction::Back | UiAction::Outbox | UiAction::Quit => {
                self.show_outbox = false;
                Vec::new()
            }
            UiAction::Help => {
                self.open_help();
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// An earlier run's unfinished message, or one not sent, back in the
    /// editor.
    fn reopen(&mut self, r: OutboxRow) -> Vec<Command> {
        if self.composing.is_some() {
            self.notify("a message is being written: finish it first", false);
            return Vec::new();
        }
        let account = if r.account < self.accounts.len() {
            r.account
        } else {
            self.current
        };
        self.next_compose += 1;
        let id = self.next_compose;
        self.outbox.retain(|x| x.entry != r.entry);
        self.composing = Some(Composing::new(
            id,
            account,
            ComposeKind::New,
            Phase::Preparing,
        ));
        let cmd = match r.state {
            RowState::Unfinished => ComposeCommand::Reopen {
                id,
                account,
                file: std::path::PathBuf::from(r.entry),
            },
            _ => ComposeCommand::Reedit {
                id,
                account,
                entry: r.entry,
            },
        };
        vec![Command::Compose(cmd)]
    }

    /// Unsent messages, for the status bar ("2 unsent").
    pub fn unsent(&self) -> Option<String> {
        let on_its_way = |s: &RowState| matches!(s, RowState::Queued | RowState::Sending(_));
        let failed = self
            .outbox
            .iter()
            .filter(|r| !on_its_way(&r.state) && r.state != RowState::Accepted)
            .count();
        let sending = self.outbox.iter().filter(|r| on_its_way(&r.state)).count();
        match (failed, sending) {
            (0, 0) => None,
            (0, n) => Some(format!("sending {}", count(n, "message"))),
            (n, _) => Some(format!("{n} unsent")),
        }
    }
}

/// One word for a row's state, as the outbox list says it.
pub fn row_state_word(s: &RowState) -> &'static str {
    match s {
        RowState::Queued => "waiting",
        RowState::Sending(_) => "sending",
        RowState::Uncertain => "uncertain",
        RowState::Failed(_) => "failed",
        RowState::Accepted => "sent",
        RowState::Unfinished => "unfinished",
    }
}

impl OutboxRow {
    /// What the list says about it.
    pub fn describe(&self) -> String {
        match &self.state {
            RowState::Sending(step) => step.clone(),
            RowState::Failed(why) => why.clone(),
            RowState::Uncertain => {
                "mailtui stopped while sending this; the server may have it".into()
            }
            RowState::Unfinished => "not finished when mailtui stopped: e continues it".into(),
            other => row_state_word(other).into(),
        }
    }
}
