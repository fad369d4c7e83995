//! The menus over the reader: the parts of the message (neomutt's
//! attachment menu) and its links (urlscan). Keys keep their bindings
//! here (j/k move, Enter opens, Esc closes); the menu's own actions are
//! `s` save, `S` save all, `o` open with the configured command, `y`
//! copy a link, and 1–9 jump to an entry.

use crate::mail::links::Link;
use crate::mail::message::PartEntry;
use crate::worker::FolderRef;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MenuKind {
    Parts(Vec<PartEntry>),
    Links(Vec<Link>),
}

/// The message a menu acts on, fixed when it opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub account: usize,
    pub folder: FolderRef,
    pub uid: u32,
    /// Section number of the shown part ("" for the message itself): the
    /// entries' numbers are under it.
    pub base: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Menu {
    pub kind: MenuKind,
    pub cursor: usize,
    pub target: Target,
}

impl Menu {
    pub fn len(&self) -> usize {
        match &self.kind {
            MenuKind::Parts(p) => p.len(),
            MenuKind::Links(l) => l.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Moves the highlight, staying on the entries.
    pub fn move_by(&mut self, delta: isize) {
        self.cursor = self
            .cursor
            .saturating_add_signed(delta)
            .min(self.len().saturating_sub(1));
    }

    /// Highlights entry `i` (0-based) if there is one.
    pub fn pick(&mut self, i: usize) {
        if i < self.len() {
            self.cursor = i;
        }
    }

    pub fn part(&self) -> Option<&PartEntry> {
        match &self.kind {
            MenuKind::Parts(p) => p.get(self.cursor),
            MenuKind::Links(_) => None,
        }
    }

    pub fn link(&self) -> Option<&Link> {
        match &self.kind {
            MenuKind::Links(l) => l.get(self.cursor),
            MenuKind::Parts(_) => None,
        }
    }

    pub fn is_links(&self) -> bool {
        matches!(self.kind, MenuKind::Links(_))
    }
}

/// The attachments "save all" saves: every part marked as one, except
/// those inside an attached message that is itself saved (as a .eml that
/// holds them).
pub fn attachments(parts: &[PartEntry]) -> Vec<&PartEntry> {
    let messages: Vec<&str> = parts
        .iter()
        .filter(|p| p.kind == crate::mail::message::PartKind::Message)
        .map(|p| p.section.as_str())
        .collect();
    parts
        .iter()
        .filter(|p| p.attachment)
        .filter(|p| {
            !messages.iter().any(|m| {
                p.section
                    .strip_prefix(m)
                    .is_some_and(|rest| rest.starts_with('.'))
            })
        })
        .collect()
}
