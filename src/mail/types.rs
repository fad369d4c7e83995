//! Plain data shared by the backends, the worker and the UI state.

use super::row_text::{BoxedClean, SharedClean};
use crate::sanitize::Clean;

/// A folder as listed by a backend. `path` is the backend's own name
/// (modified UTF-7 on IMAP) and is what commands use; `name` is the last
/// path component, decoded, for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Folder {
    pub path: String,
    pub name: Clean,
    pub depth: usize,
    pub selectable: bool,
    pub role: FolderRole,
}

/// Special-use role (RFC 6154), or guessed from the common names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FolderRole {
    Inbox,
    Drafts,
    Sent,
    Archive,
    Junk,
    Trash,
    Other,
}

impl FolderRole {
    /// Servers without SPECIAL-USE still use a handful of well-known names.
    pub fn guess(path: &str, name: &str) -> Self {
        if path.eq_ignore_ascii_case("INBOX") {
            return FolderRole::Inbox;
        }
        match name.to_lowercase().as_str() {
            "drafts" | "draft" | "entwürfe" => FolderRole::Drafts,
            "sent" | "sent items" | "sent mail" | "sent messages" | "gesendet" => FolderRole::Sent,
            "archive" | "archives" => FolderRole::Archive,
            "junk" | "junk email" | "junk e-mail" | "spam" => FolderRole::Junk,
            "trash" | "deleted items" | "deleted messages" | "bin" => FolderRole::Trash,
            _ => FolderRole::Other,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    pub seen: bool,
    pub flagged: bool,
    pub answered: bool,
    pub draft: bool,
    pub deleted: bool,
}

impl Flags {
    /// Compact form for the local store.
    pub fn bits(self) -> u8 {
        u8::from(self.seen)
            | u8::from(self.flagged) << 1
            | u8::from(self.answered) << 2
            | u8::from(self.draft) << 3
            | u8::from(self.deleted) << 4
    }

    pub fn from_bits(b: u8) -> Self {
        Flags {
            seen: b & 1 != 0,
            flagged: b & 2 != 0,
            answered: b & 4 != 0,
            draft: b & 8 != 0,
            deleted: b & 16 != 0,
        }
    }
}

/// One system flag, for commands that set or clear it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagKind {
    Seen,
    Flagged,
    Answered,
    Deleted,
    Draft,
    /// The `$Forwarded` keyword (not a system flag; the list does not show it).
    Forwarded,
}

impl FlagKind {
    pub fn imap(self) -> &'static str {
        match self {
            FlagKind::Seen => "\\Seen",
            FlagKind::Flagged => "\\Flagged",
            FlagKind::Answered => "\\Answered",
            FlagKind::Deleted => "\\Deleted",
            FlagKind::Draft => "\\Draft",
            FlagKind::Forwarded => "$Forwarded",
        }
    }

    pub fn set(self, flags: &mut Flags, on: bool) {
        match self {
            FlagKind::Seen => flags.seen = on,
            FlagKind::Flagged => flags.flagged = on,
            FlagKind::Answered => flags.answered = on,
            FlagKind::Deleted => flags.deleted = on,
            FlagKind::Draft => flags.draft = on,
            FlagKind::Forwarded => {}
        }
    }
}

/// The flags a message has now, as a server or another device left them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlagUpdate {
    pub uid: u32,
    pub flags: Flags,
}

/// Header fields the list does not show but the store keeps, for threads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadIds {
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    /// The References header as written (ids separated by spaces).
    pub references: Option<String>,
}

/// A message the client has not seen before: its list row and what the
/// store keeps besides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    pub envelope: Envelope,
    pub ids: ThreadIds,
    /// The first address of From, for the address book; None when From
    /// holds no address.
    pub sender: Option<Sender>,
}

/// An address and the display name given with it (empty when none), as a
/// header had them: not yet checked or lower-cased (the store does that).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sender {
    pub address: String,
    pub name: String,
}

/// One row of the message list: 80 bytes, and the subject's text (the
/// sender's and the recipients' are shared: outside Sent most rows are to
/// the same one or two names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// Stable id within the folder and its UIDVALIDITY (IMAP UID; Maildir
    /// files get one the first time they are seen).
    pub uid: u32,
    /// Unix seconds from the Date header, or the arrival time if that is
    /// missing or unreadable.
    pub date: Option<i64>,
    /// Shared between the rows of one sender.
    pub from: SharedClean,
    /// The To field's names (or addresses), shared like `from`: the list
    /// shows them in Sent and Drafts.
    pub to: SharedClean,
    pub subject: BoxedClean,
    pub flags: Flags,
    pub has_attachment: bool,
    pub size: u32,
}

impl FolderRole {
    fn rank(self) -> u8 {
        self as u8
    }
}

/// Inbox first, then the special folders, then the rest by name; children
/// right after their parent. `delimiter` separates levels in `path`.
pub fn sort_folders(folders: &mut [Folder], delimiter: char) {
    use std::collections::HashMap;
    let top_roles: HashMap<String, FolderRole> = folders
        .iter()
        .filter(|f| f.depth == 0)
        .map(|f| (f.path.clone(), f.role))
        .collect();
    folders.sort_by_cached_key(|f| {
        let top = f
            .path
            .split(delimiter)
            .next()
            .unwrap_or_default()
            .to_string();
        let role = top_roles.get(&top).copied().unwrap_or(FolderRole::Other);
        let components: Vec<String> = f.path.split(delimiter).map(str::to_lowercase).collect();
        (role.rank(), components)
    });
}
