//! The reader as a pager: full screen and back, the side panes out of the
//! way, the next or previous (unread) message from the reader, and how the
//! message reads (all headers or the main ones, long quotes folded).

use super::account::ReaderContent;
use super::{Pane, State};
use crate::action::{Command, UiAction};
use crate::config::SidePanes;
use crate::layout::Shape;

/// Below this many columns `side_panes = "auto"` leaves the accounts and
/// folders out: at 80 columns they would take a fifth of the width.
pub const AUTO_SIDES_MIN_WIDTH: u16 = 100;

impl State {
    /// Which panes are on screen. The side panes show while one of them
    /// has the focus, whatever the setting, so Esc from the list still
    /// reaches the folders.
    pub fn shape(&self) -> Shape {
        let sides = matches!(self.focus, Pane::Accounts | Pane::Folders) || self.sides_wanted();
        Shape {
            sides,
            reader_only: self.reader_full && self.focus == Pane::Reader,
            list_only: self.results_shown(),
        }
    }

    /// The side panes by the setting (or the key), focus aside.
    fn sides_wanted(&self) -> bool {
        match self.side_panes {
            SidePanes::Show => true,
            SidePanes::Hide => false,
            SidePanes::Auto => self.width >= AUTO_SIDES_MIN_WIDTH,
        }
    }

    /// Whether the reader has the keys: focused (or full screen) with a
    /// message in it.
    pub(super) fn reading_message(&self) -> bool {
        self.focus == Pane::Reader
            && self
                .account()
                .is_some_and(|a| matches!(a.reader.content, ReaderContent::Loaded(_)))
    }

    /// The reader's search, while the reader shows a message and has the
    /// focus.
    pub fn finding(&self) -> Option<&super::find::Find> {
        if !self.reading_message() {
            return None;
        }
        self.account()?.reader.find.as_ref()
    }

    /// The pager's keys; None for the others. Runs before the list's.
    pub(super) fn on_pager_key(&mut self, a: UiAction) -> Option<Vec<Command>> {
        let cmds = match a {
            UiAction::ToggleFullScreen => self.toggle_full_screen(),
            // Enter again on the message: full screen (and back).
            UiAction::Open if self.focus == Pane::Reader => self.toggle_full_screen(),
            UiAction::ToggleSidePanes => {
                let show = !self.sides_wanted();
                self.side_panes = if show {
                    SidePanes::Show
                } else {
                    SidePanes::Hide
                };
                if !show && matches!(self.focus, Pane::Accounts | Pane::Folders) {
                    self.focus = Pane::Messages;
                }
                self.notify(
                    if show {
                        "accounts and folders shown"
                    } else {
                        "accounts and folders hidden (B shows them)"
                    },
                    false,
                );
                Vec::new()
            }
            UiAction::NextMessage => self.step_message(1),
            UiAction::PrevMessage => self.step_message(-1),
            UiAction::NextUnread => self.step_unread(true),
            UiAction::PrevUnread => self.step_unread(false),
            UiAction::ToggleHeaders => {
                self.all_headers = !self.all_headers;
                self.notify(
                    if self.all_headers {
                        "all headers"
                    } else {
                        "main headers (H shows all)"
                    },
                    false,
                );
                Vec::new()
            }
            UiAction::ToggleQuotes => {
                self.fold_quotes = !self.fold_quotes;
                self.notify(
                    if self.fold_quotes {
                        "long quotes folded"
                    } else {
                        "quotes shown in full"
                    },
                    false,
                );
                Vec::new()
            }
            UiAction::FindInMessage | UiAction::FindNext | UiAction::FindPrev => {
                self.on_find_key(a)
            }
            UiAction::Back if self.focus == Pane::Reader && self.end_find() => Vec::new(),
            _ => return None,
        };
        Some(cmds)
    }

    fn toggle_full_screen(&mut self) -> Vec<Command> {
        if self.reader_full && self.focus == Pane::Reader {
            self.reader_full = false;
            return Vec::new();
        }
        let mut cmds = Vec::new();
        if self.focus != Pane::Reader {
            let current = self.current;
            let Some(acc) = self.accounts.get_mut(current) else {
                return cmds;
            };
            if acc.list.selected_envelope().is_none()
                && matches!(acc.reader.content, ReaderContent::Empty)
            {
                self.notify("no message to read", false);
                return cmds;
            }
            // As Enter does: the selected message, read.
            cmds = acc.preview(current);
            cmds.extend(acc.mark_selected_read(current));
            self.focus = Pane::Reader;
        }
        self.reader_full = true;
        cmds
    }

    /// `J` / `K`: the next or previous message in the list, opened; read
    /// when the reader has the focus (as Space does at the end).
    fn step_message(&mut self, delta: isize) -> Vec<Command> {
        let rows = self.list_rows();
        let current = self.current;
        let Some(acc) = self.accounts.get_mut(current) else {
            return Vec::new();
        };
        let before = acc.list.selected;
        let gone = acc.reader.gone;
        acc.list.move_by(acc.steps_from_reader(delta), rows);
        if acc.list.selected == before && !gone {
            let edge = if delta > 0 { "last" } else { "first" };
            self.notify(&format!("this is the {edge} message"), false);
            return Vec::new();
        }
        self.open_stepped(gone)
    }

    /// The next (or previous) unread message in the list's order.
    fn step_unread(&mut self, forward: bool) -> Vec<Command> {
        let rows = self.list_rows();
        let current = self.current;
        let Some(acc) = self.accounts.get_mut(current) else {
            return Vec::new();
        };
        let list = &acc.list;
        let from = list.selected;
        let unread = |i: usize| list.row(i).is_some_and(|(e, _)| !e.flags.seen);
        // After a message deleted elsewhere, the row under the cursor is
        // already the next one.
        let found = if forward {
            let start = if acc.reader.gone { from } else { from + 1 };
            (start..list.len()).find(|&i| unread(i))
        } else {
            (0..from).rev().find(|&i| unread(i))
        };
        let Some(i) = found else {
            let which = if forward { "after" } else { "before" };
            self.notify(&format!("no unread message {which} this one"), false);
            return Vec::new();
        };
        let gone = acc.reader.gone;
        acc.list.move_by(i as isize - from as isize, rows);
        self.open_stepped(gone)
    }

    /// Shows the message the list moved to; in the reader it is read.
    fn open_stepped(&mut self, was_gone: bool) -> Vec<Command> {
        let current = self.current;
        let reading = self.focus == Pane::Reader;
        let Some(acc) = self.accounts.get_mut(current) else {
            return Vec::new();
        };
        let mut cmds = acc.preview(current);
        if reading {
            cmds.extend(acc.mark_selected_read(current));
        }
        if was_gone {
            self.clear_gone_notice();
        }
        cmds
    }

    /// Whether one of the pager's keys means something now (a key may
    /// carry several actions).
    pub(super) fn pager_applies(&self, a: UiAction) -> Option<bool> {
        match a {
            UiAction::FindInMessage => Some(self.reading_message()),
            UiAction::FindNext | UiAction::FindPrev => Some(
                self.focus == Pane::Reader
                    && self.account().is_some_and(|acc| acc.reader.find.is_some()),
            ),
            _ => None,
        }
    }
}

#[cfg(test)]
#[path = "pager_tests.rs"]
mod tests;
