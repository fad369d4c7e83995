//! The message list of the open folder: a window that fills in newest
//! first while the worker streams older envelopes.

use crate::mail::types::Envelope;
use crate::sanitize::Clean;

#[derive(Debug, Default)]
pub struct MessageList {
    /// Request id of the folder open this list belongs to.
    pub req: u64,
    /// Folder path as the backend names it; None before any folder is open.
    pub path: Option<String>,
    /// Messages in the folder (from SELECT).
    pub exists: u32,
    /// Loaded envelopes, newest first.
    pub items: Vec<Envelope>,
    /// Older envelopes not loaded yet.
    pub remaining: u32,
    /// Waiting for SELECT.
    pub opening: bool,
    pub selected: usize,
    /// First visible row.
    pub offset: usize,
    pub error: Option<Clean>,
}

impl MessageList {
    pub fn loading(&self) -> bool {
        self.opening || self.remaining > 0
    }

    pub fn selected_envelope(&self) -> Option<&Envelope> {
        self.items.get(self.selected)
    }

    /// Moves the selection by `delta` rows (clamped) and keeps it visible
    /// in a window of `rows`.
    pub fn move_by(&mut self, delta: isize, rows: usize) {
        if self.items.is_empty() {
            return;
        }
        let last = self.items.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.scroll_into_view(rows);
    }

    pub fn scroll_into_view(&mut self, rows: usize) {
        let rows = rows.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::types::Flags;

    fn list(n: u32) -> MessageList {
        MessageList {
            items: (1..=n)
                .rev()
                .map(|uid| Envelope {
                    uid,
                    date: None,
                    from: Clean::line("x"),
                    subject: Clean::line("s"),
                    flags: Flags::default(),
                    has_attachment: false,
                    size: 0,
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn selection_is_clamped_and_kept_visible() {
        let mut l = list(50);
        l.move_by(-3, 10);
        assert_eq!((l.selected, l.offset), (0, 0));
        l.move_by(12, 10);
        assert_eq!((l.selected, l.offset), (12, 3));
        l.move_by(1000, 10);
        assert_eq!((l.selected, l.offset), (49, 40));
        l.move_by(-45, 10);
        assert_eq!((l.selected, l.offset), (4, 4));
        l.move_by(-100, 10);
        assert_eq!(l.selected_envelope().map(|e| e.uid), Some(50));
    }

    #[test]
    fn empty_list_does_nothing() {
        let mut l = MessageList::default();
        l.move_by(5, 10);
        assert_eq!((l.selected, l.offset), (0, 0));
        assert!(l.selected_envelope().is_none());
    }
}
