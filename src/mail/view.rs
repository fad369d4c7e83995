//! What the reader shows of one message: its header lines, body text,
//! attachments, attached messages and parts. Plain data, below the MIME
//! code that fills it in and the reader that shows it.

use crate::sanitize::Clean;

/// Where the body text came from, so the reader can say so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodySource {
    Plain,
    /// Converted from HTML because the message had no text/plain part.
    Html,
    /// Not parsed (a limit was met); the raw source is shown.
    Raw,
    /// No text part at all.
    None,
}

/// How a run of body text is shown: a set of marks the reader maps to the
/// theme (HTML's bold, italics, headings, links). Plain data: no terminal
/// styles here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TextStyle(u8);

impl TextStyle {
    pub const STRONG: TextStyle = TextStyle(1);
    pub const EMPHASIS: TextStyle = TextStyle(1 << 1);
    pub const HEADING: TextStyle = TextStyle(1 << 2);
    pub const LINK: TextStyle = TextStyle(1 << 3);
    /// The "[3]" after a link: its number in the links menu.
    pub const LINK_NUMBER: TextStyle = TextStyle(1 << 4);
    pub const CODE: TextStyle = TextStyle(1 << 5);
    pub const STRIKE: TextStyle = TextStyle(1 << 6);

    pub fn contains(self, other: TextStyle) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    pub fn with(self, other: TextStyle) -> TextStyle {
        TextStyle(self.0 | other.0)
    }

    pub fn is_plain(self) -> bool {
        self.0 == 0
    }
}

/// A styled run of a body's text: a byte range of it, in order, not
/// overlapping the next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StyleRun {
    pub start: usize,
    pub end: usize,
    pub style: TextStyle,
    /// For a link, where it goes (as written: the links menu cleans it).
    pub target: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub name: Clean,
    pub mime: Clean,
    /// Decoded size in bytes (for a part left out of a big message, its
    /// size in the message).
    pub size: usize,
    /// A part of a big message that was not fetched: its IMAP section, to
    /// fetch it when it is saved or opened.
    pub remote: Option<String>,
}

/// A message attached to the one shown (a forward, a digest entry, the
/// returned message of a bounce), shown after the main text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NestedMessage {
    /// 1 for a message attached to the main one, 2 for one attached to
    /// that, and so on.
    pub level: usize,
    pub headers: Vec<(&'static str, Clean)>,
    pub date: Option<i64>,
    /// The Date field's offset from UTC in seconds, as the sender wrote it.
    pub date_zone: Option<i32>,
    pub body: Clean,
    /// Styled runs of `body` (HTML laid out with its styles).
    pub body_styles: Vec<StyleRun>,
    pub source: BodySource,
    pub attachments: Vec<Attachment>,
    /// Repeated From/Subject/Date fields in this message.
    pub warnings: Vec<Clean>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageView {
    pub uid: u32,
    /// ("From", "Jürgen <j@x>") … in display order; absent headers left out.
    pub headers: Vec<(&'static str, Clean)>,
    pub date: Option<i64>,
    /// The Date field's offset from UTC in seconds, as the sender wrote it.
    pub date_zone: Option<i32>,
    /// The main text (attached messages are in `nested`).
    pub body: Clean,
    /// Styled runs of `body` (HTML laid out with its styles).
    pub body_styles: Vec<StyleRun>,
    pub source: BodySource,
    pub attachments: Vec<Attachment>,
    /// What was left out and why (a limit met, HTML shown without layout).
    pub notes: Vec<Clean>,
    /// Signs of forgery the reader should see (two From fields …).
    pub warnings: Vec<Clean>,
    /// Attached messages in the order they appear, nested ones flattened.
    pub nested: Vec<NestedMessage>,
    /// The source as received, cut at [`crate::mail::mime::limits::MAX_RAW_BYTES`].
    pub raw: Clean,
    /// The same source as bytes, untouched (tabs, CRs), for `|`: a patch
    /// piped to `git am` must arrive as sent. Empty when the whole source
    /// is not here (a stand-in without the attachments, or past
    /// [`crate::mail::mime::limits::MAX_RAW_BYTES`]): a cut source is never
    /// piped as if it were the message. Shared, so a clone is cheap.
    pub raw_bytes: std::sync::Arc<[u8]>,
    /// The link targets of the HTML parts shown, whole, in order (the
    /// main text's, then attached messages'); a text part's links are
    /// found in its text.
    pub html_links: Vec<crate::mail::links::Link>,
    /// Every part, numbered for the parts menu (attachments to save, text
    /// and attached messages to open).
    pub parts: Vec<PartEntry>,
    /// The meeting invitation the message carries (its calendar part).
    pub calendar: Option<crate::calendar::CalendarPart>,
}

/// What a part holds, which decides what Enter does with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartKind {
    /// Text shown as it is (text/plain and its kin).
    Text,
    Html,
    /// An attached message (message/rfc822).
    Message,
    /// Anything else: saved or opened with the configured command.
    Other,
}

impl PartKind {
    /// Whether the reader can show it (Enter opens it there).
    pub fn viewable(self) -> bool {
        !matches!(self, PartKind::Other)
    }
}

/// One entry of the parts menu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartEntry {
    /// IMAP section number, relative to the message the list belongs to.
    pub section: String,
    /// Nesting: 0 for the only part of a single-part message, 1 for the
    /// parts of a multipart message, one more per level inside.
    pub depth: usize,
    pub kind: PartKind,
    /// What the menu shows: the file name, else the subject of an
    /// attached message, else nothing (the type says it).
    pub label: Clean,
    /// The name as the sender wrote it, for saving: never shown, only
    /// ever passed through [`crate::files::names::safe_name`].
    pub file_name: Option<String>,
    pub mime: Clean,
    /// Decoded size in bytes (an estimate for base64).
    pub size: usize,
    /// An attachment rather than the text of the message: what "save
    /// all" saves.
    pub attachment: bool,
}
