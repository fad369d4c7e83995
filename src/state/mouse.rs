//! The mouse (off unless `[ui] mouse = true`): a click focuses the pane
//! under it and picks the row clicked (opening a folder, switching
//! account); the wheel scrolls the pane under the pointer.

use ratatui::layout::{Position, Rect};

use super::{Pane, State};
use crate::action::{Command, MouseInput, MouseKind};
use crate::layout::inner_height;

/// Rows one wheel step moves.
pub const WHEEL_ROWS: isize = 3;

/// First folder row on screen for a cursor: the views keep the cursor on
/// the last row once it passes the bottom.
pub fn folder_offset(cursor: usize, rows: usize) -> usize {
    cursor.saturating_sub(rows.saturating_sub(1))
}

impl State {
    fn pane_at(&self, column: u16, row: u16) -> Option<(Pane, Rect)> {
        let a = self.areas();
        let at = Position::new(column, row);
        [
            (Pane::Accounts, Some(a.accounts)),
            (Pane::Folders, Some(a.folders)),
            (Pane::Messages, Some(a.messages)),
            (Pane::Reader, Some(a.reader)),
            (Pane::Log, a.log),
        ]
        .into_iter()
        .find_map(|(p, r)| r.filter(|r| r.contains(at)).map(|r| (p, r)))
    }

    pub(super) fn on_mouse(&mut self, m: MouseInput) -> Vec<Command> {
        if self.show_help {
            self.show_help = false;
            return Vec::new();
        }
        // Prompts and menus are driven by keys; the mouse waits.
        if self.prompt.is_some() || self.menu.is_some() {
            return Vec::new();
        }
        if self.account().is_some_and(|a| a.wants_sign_in_panel()) {
            return Vec::new();
        }
        let Some((pane, area)) = self.pane_at(m.column, m.row) else {
            return Vec::new();
        };
        match m.kind {
            MouseKind::ScrollUp | MouseKind::ScrollDown => {
                let delta = if m.kind == MouseKind::ScrollUp {
                    -WHEEL_ROWS
                } else {
                    WHEEL_ROWS
                };
                if pane == Pane::Messages && self.results_shown() {
                    let rows = self.list_rows();
                    if let Some(r) = self.results.as_mut() {
                        r.move_by(delta, rows);
                    }
                    return Vec::new();
                }
                // The pane under the pointer scrolls; focus stays put.
                let focus = self.focus;
                self.focus = pane;
                let cmds = self.move_by(delta);
                self.focus = focus;
                cmds
            }
            MouseKind::Click => {
                self.focus = pane;
                // Rows start below the top border.
                let Some(line) = m
                    .row
                    .checked_sub(area.y + 1)
                    .map(usize::from)
                    .filter(|l| *l < inner_height(area))
                else {
                    return Vec::new();
                };
                self.click_row(pane, line, inner_height(area))
            }
        }
    }

    fn click_row(&mut self, pane: Pane, line: usize, rows: usize) -> Vec<Command> {
        let current = self.current;
        match pane {
            Pane::Accounts => {
                if line < self.accounts.len() {
                    self.switch_account(line);
                }
                Vec::new()
            }
            Pane::Folders => {
                // Saved searches and a rule above the folders, scrolled
                // with them as one list.
                let v = self.virtual_folders().len();
                let above = if v > 0 { v + 1 } else { 0 };
                let Some(acc) = self.accounts.get_mut(current) else {
                    return Vec::new();
                };
                let cursor = self.on_virtual.unwrap_or(above + acc.folder_cursor);
                let at = folder_offset(cursor, rows) + line;
                if at < v {
                    self.on_virtual = Some(at);
                    return self.open_virtual(at);
                }
                let Some(i) = at.checked_sub(above) else {
                    return Vec::new();
                };
                if i >= acc.folders.len() {
                    return Vec::new();
                }
                acc.folder_cursor = i;
                self.on_virtual = None;
                let cmds = acc.open_folder(i, current);
                if !cmds.is_empty() {
                    self.focus = Pane::Messages;
                    self.results = None;
                }
                cmds
            }
            Pane::Messages if self.results_shown() => {
                let list_rows = self.list_rows();
                if let Some(r) = self.results.as_mut() {
                    let i = r.offset + line;
                    if i < r.rows.len() {
                        r.select(i, list_rows);
                    }
                }
                Vec::new()
            }
            Pane::Messages => {
                let list_rows = self.list_rows();
                let Some(acc) = self.accounts.get_mut(current) else {
                    return Vec::new();
                };
                let i = acc.list.offset + line;
                if i >= acc.list.len() {
                    return Vec::new();
                }
                let delta = i as isize - acc.list.selected as isize;
                acc.list.move_by(delta, list_rows);
                acc.preview(current)
            }
            Pane::Reader | Pane::Log => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Action;
    use crate::state::test_kit::*;

    fn at(s: &mut State, kind: MouseKind, pane: Rect, line: u16) -> Vec<Command> {
        s.update(Action::Mouse(MouseInput {
            kind,
            column: pane.x + 2,
            row: pane.y + 1 + line,
        }))
    }

    fn sized() -> State {
        let mut s = state();
        s.update(Action::Resize {
            width: 120,
            height: 40,
        });
        loaded(&mut s, 0, 30);
        s
    }

    #[test]
    fn a_click_focuses_the_pane_and_picks_the_row() {
        let mut s = sized();
        let a = s.areas();
        // The fourth row of the list: newest first, so message 27.
        let cmds = at(&mut s, MouseKind::Click, a.messages, 3);
        assert_eq!(s.focus, Pane::Messages);
        assert_eq!(
            s.accounts[0].list.selected_envelope().map(|e| e.uid),
            Some(27)
        );
        assert!(!cmds.is_empty(), "the message is previewed");
        // A folder opens on click: below All inboxes and a rule.
        let cmds = at(&mut s, MouseKind::Click, a.folders, 3);
        assert_eq!(s.accounts[0].folder_cursor, 1);
        open_req(&cmds, "Archive");
        // The rule opens nothing; All inboxes asks both stores.
        assert!(at(&mut s, MouseKind::Click, a.folders, 1).is_empty());
        let cmds = at(&mut s, MouseKind::Click, a.folders, 0);
        assert!(s.results_shown(), "{cmds:?}");
        s.results = None;
        // The second account.
        at(&mut s, MouseKind::Click, a.accounts, 1);
        assert_eq!((s.current, s.focus), (1, Pane::Accounts));
        // Below the last row, or on a border: nothing picked.
        s.current = 0;
        let before = s.accounts[0].folder_cursor;
        at(&mut s, MouseKind::Click, a.folders, 30);
        assert_eq!(s.accounts[0].folder_cursor, before);
    }

    #[test]
    fn the_wheel_scrolls_the_pane_under_the_pointer_without_focusing_it() {
        let mut s = sized();
        s.focus = Pane::Folders;
        let a = s.areas();
        at(&mut s, MouseKind::ScrollDown, a.messages, 0);
        assert_eq!(s.focus, Pane::Folders);
        assert_eq!(s.accounts[0].list.selected, WHEEL_ROWS as usize);
        at(&mut s, MouseKind::ScrollUp, a.messages, 0);
        assert_eq!(s.accounts[0].list.selected, 0);
    }

    #[test]
    fn overlays_take_the_click() {
        let mut s = sized();
        let a = s.areas();
        s.show_help = true;
        at(&mut s, MouseKind::Click, a.messages, 3);
        assert!(!s.show_help);
        assert_eq!(s.accounts[0].list.selected, 0, "the click only closed help");
        s.update(Action::Ui(crate::action::UiAction::Search));
        assert!(s.prompt.is_some());
        at(&mut s, MouseKind::Click, a.messages, 3);
        assert_eq!(s.accounts[0].list.selected, 0, "a prompt is typed into");
    }
}
