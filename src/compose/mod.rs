//! Writing mail without a screen: a key press (reply, forward, new …)
//! becomes a [`Draft`]; the draft becomes the text file the user's editor
//! opens and comes back from it; [`warnings`] says what looks wrong before
//! sending; [`build`] turns it into the MIME bytes every transport and the
//! IMAP APPEND share. No terminal, network or clock here: time comes in as
//! arguments.

mod address;
mod attach;
mod build;
mod editor;
mod flowed;
mod forward;
mod invitation;
mod original;
mod quote;
mod reply;
mod start;
mod subject;
mod thread;
mod warn;

use std::path::PathBuf;
use std::sync::Arc;

pub use address::{
    Address, BadAddress, format_address, format_list, parse_addresses, parse_lenient,
};
pub use attach::{
    AttachmentError, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, MAX_TOTAL_ATTACHMENT_BYTES, check_file,
};
pub use build::{BuildError, BuildOptions, Built, build};
pub use editor::{EditorError, EditorErrorKind, MAX_EDITOR_HEADERS, from_editor, to_editor};
pub use flowed::{to_flowed, unflow};
pub use invitation::answer_draft;
pub use start::start;
pub use subject::{forward_subject, reply_subject, strip_prefixes};
pub use thread::{MAX_REFERENCES, MAX_REFERENCES_CHARS, references_for};
pub use warn::{Warning, warnings};

/// What the user asked to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComposeKind {
    New,
    Reply,
    ReplyAll,
    Forward {
        as_attachment: bool,
    },
    /// The given message as a new one (resend, "edit as new").
    EditAsNew,
    /// Continue a draft from the Drafts folder.
    Recall,
    /// Answer the meeting invitation the message carries.
    Answer(crate::calendar::Answer),
}

/// Who writes: the account's address, its display name and the other
/// addresses that reach the same person (an alias may be `*@domain`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    pub name: Option<String>,
    pub email: String,
    pub aliases: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComposeSettings {
    /// Line above the quote: `{date}`, `{name}` and `{email}` of the
    /// original's sender are filled in.
    pub attribution: String,
    /// The signature text (already read from its file); put below `-- `.
    pub signature: Option<String>,
    /// Send text as format=flowed (RFC 3676).
    pub format_flowed: bool,
}

pub const DEFAULT_ATTRIBUTION: &str = "On {date}, {name} wrote:";

impl Default for ComposeSettings {
    fn default() -> Self {
        ComposeSettings {
            attribution: DEFAULT_ATTRIBUTION.to_string(),
            signature: None,
            format_flowed: false,
        }
    }
}

/// A message being written. Header values are as the user sees and writes
/// them: decoded, addresses comma-separated. Message ids are kept without
/// angle brackets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Draft {
    pub from: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    /// Other headers the user added in the editor (or a recalled draft had).
    pub extra: Vec<(String, String)>,
    pub body: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub attachments: Vec<DraftAttachment>,
    /// An answer to a meeting invitation: the iCalendar text of its
    /// METHOD:REPLY, sent beside the text as its alternative.
    pub calendar: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftAttachment {
    pub name: String,
    /// "type/subtype"; empty means guessed from the name when built.
    pub mime: String,
    pub source: AttachmentSource,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttachmentSource {
    /// Read when the message is built (checked then: exists, a regular
    /// file, within [`MAX_ATTACHMENT_BYTES`]).
    File(PathBuf),
    Bytes(Arc<Vec<u8>>),
}

impl DraftAttachment {
    /// A file the user attaches: named after the file, typed by its name.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string_lossy().into_owned());
        DraftAttachment {
            mime: guess_mime(&name),
            name,
            source: AttachmentSource::File(path),
        }
    }

    /// Size in bytes when known without reading (a file's from metadata).
    pub fn size(&self) -> Option<u64> {
        match &self.source {
            AttachmentSource::Bytes(b) => Some(b.len() as u64),
            AttachmentSource::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
        }
    }
}

/// The type mime_guess gives for a file name, else application/octet-stream.
pub fn guess_mime(name: &str) -> String {
    mime_guess::from_path(name)
        .first_raw()
        .unwrap_or("application/octet-stream")
        .to_string()
}

#[cfg(test)]
mod build_tests;
#[cfg(test)]
mod editor_tests;
#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod reply_tests;
