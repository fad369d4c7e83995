//! Keys that read on rather than act on mail: Space in the reader, keys
//! while the help is up, and a plain key that does nothing.

use super::State;
use super::account::ReaderContent;
use super::help::HelpLayout;
use crate::action::{Command, UiAction};

impl State {
    /// Space in the reader (NeoMutt's next-page): a page down, and at the
    /// end of the message the next one, opened and read. Never marks.
    pub(super) fn next_page(&mut self) -> Vec<Command> {
        let max = self.reader_max_scroll();
        let page = self.page();
        let rows = self.list_rows();
        let current = self.current;
        let Some(acc) = self.accounts.get_mut(current) else {
            return Vec::new();
        };
        let r = &mut acc.reader;
        match r.content {
            // Not read yet: never skip past it.
            ReaderContent::Loading => return Vec::new(),
            _ if r.scroll < max => {
                r.scroll = (r.scroll + page).min(max);
                return Vec::new();
            }
            _ => {}
        }
        if !r.outer.is_empty() {
            self.notify("end of this part (Esc: back to the message)", false);
            return Vec::new();
        }
        let before = acc.list.selected;
        let gone = acc.reader.gone;
        // After a message deleted elsewhere, the next one is the row that
        // took its place, already under the cursor.
        acc.list.move_by(acc.steps_from_reader(1), rows);
        if acc.list.selected == before && !gone {
            self.notify("this is the last message", false);
            return Vec::new();
        }
        let mut cmds = acc.preview(current);
        cmds.extend(acc.mark_selected_read(current));
        if gone {
            self.clear_gone_notice();
        }
        cmds
    }

    /// The help overlay's geometry: over everything but the status bar,
    /// which stays in view.
    pub fn help_layout(&self) -> HelpLayout {
        let status = self.areas().status.height;
        HelpLayout::new(&self.help, self.width, self.height.saturating_sub(status))
    }

    /// While the help is up: the moving keys scroll it, quit quits, any
    /// other key closes it.
    pub(super) fn on_help_key(&mut self, a: UiAction) -> Vec<Command> {
        let layout = self.help_layout();
        let page = layout.visible.saturating_sub(1).max(1) as isize;
        let delta = match a {
            UiAction::Up => -1,
            UiAction::Down => 1,
            UiAction::PageUp => -page,
            UiAction::PageDown | UiAction::NextPage => page,
            UiAction::Top => isize::MIN / 2,
            UiAction::Bottom => isize::MAX / 2,
            UiAction::Quit => {
                self.show_help = false;
                self.quitting = true;
                return vec![Command::Quit];
            }
            _ => {
                self.show_help = false;
                return Vec::new();
            }
        };
        self.help_scroll = self
            .help_scroll
            .saturating_add_signed(delta)
            .min(layout.max_scroll());
        Vec::new()
    }

    pub(super) fn open_help(&mut self) {
        self.show_help = true;
        self.help_scroll = 0;
    }

    /// A plain key bound to nothing: say so, and where the keys are.
    /// (While the help is up it only closes it.)
    pub(super) fn not_bound(&mut self, key: &str) {
        if self.show_help {
            self.show_help = false;
            return;
        }
        if self.typing() {
            return;
        }
        let help = self
            .help
            .iter()
            .find(|e| e.name == "help")
            .and_then(|e| e.keys.split(' ').next());
        let text = match help {
            Some(h) => format!("`{key}` is not bound — {h} for help"),
            None => format!("`{key}` is not bound"),
        };
        self.notify(&text, false);
    }
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
