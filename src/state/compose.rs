//! Writing mail as the screen knows it: the one message being written, its
//! review screen, and the outbox. Plain data and plain functions of
//! (state, action) like the rest of `state/`; the editor, MIME building,
//! the outbox files and the senders are effects the app runs
//! ([`ComposeCommand`]), answered with [`ComposeEvent`]s.

use std::path::PathBuf;
use std::sync::Arc;

use crate::compose::{ComposeKind, Draft};
use crate::mail::message::MessageView;
use crate::worker::FolderRef;

/// A message on the server that a message being written refers to: the
/// one answered or forwarded (flagged once sent), or the draft it
/// continues (removed once sent or postponed again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub account: usize,
    pub folder: FolderRef,
    pub uid: u32,
}

/// What happens on the server after the message was accepted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Followups {
    pub answered: Option<Source>,
    pub forwarded: Option<Source>,
    /// The Sent folder to store a copy in (None where the server files it).
    pub save_sent: Option<String>,
    pub replaces_draft: Option<Source>,
    /// The server that took it files the Sent copy itself (Graph): no
    /// APPEND, whatever `save_sent` says.
    pub server_filed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the original's source (answer `req` of the store).
    Loading {
        req: u64,
    },
    /// The draft and its editor file are being made.
    Preparing,
    /// The editor runs.
    Editing,
    Review,
    /// Going into the outbox, or into Drafts.
    Working,
}

/// The message being written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Composing {
    pub id: u64,
    pub account: usize,
    pub kind: ComposeKind,
    pub phase: Phase,
    pub draft: Draft,
    /// The editor's file; kept until the message is in the outbox or in
    /// Drafts.
    pub file: Option<PathBuf>,
    pub source: Option<Source>,
    pub replaces: Option<Source>,
    /// What the review screen warns about before sending.
    pub warnings: Vec<String>,
    /// Something the user must know (the editor failed, a header did not
    /// parse): shown above the message.
    pub note: Option<String>,
    /// The highlighted attachment.
    pub cursor: usize,
    /// The message as its recipients will see it, while shown.
    pub preview: Option<Box<MessageView>>,
    /// Rows the preview is scrolled down.
    pub preview_scroll: usize,
    /// `q` (or Esc) was pressed once: the next one throws the message
    /// away.
    pub confirm_discard: bool,
    /// To or Cc changed on the review screen since the editor last ran.
    pub changed_here: bool,
    /// Sizes of the attachments, in the draft's order, where known.
    pub sizes: Vec<Option<u64>>,
    /// An invitation's answer: the comment typed for the organizer.
    pub comment: Option<String>,
}

impl Composing {
    /// A message just begun: nothing written yet.
    pub fn new(id: u64, account: usize, kind: ComposeKind, phase: Phase) -> Self {
        Composing {
            id,
            account,
            kind,
            phase,
            draft: Draft::default(),
            file: None,
            source: None,
            replaces: None,
            warnings: Vec::new(),
            note: None,
            cursor: 0,
            preview: None,
            preview_scroll: 0,
            confirm_discard: false,
            changed_here: false,
            sizes: Vec::new(),
            comment: None,
        }
    }
}

/// A message in the outbox as the screen shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxRow {
    pub entry: String,
    pub account: usize,
    pub subject: String,
    pub recipients: String,
    pub created: i64,
    pub state: RowState,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowState {
    Queued,
    /// A step of sending ("connecting", "sending 3.2 MB"…).
    Sending(String),
    /// mailtui stopped while sending it: the server may have it. Sent
    /// again only when the user says so.
    Uncertain,
    Failed(String),
    /// The server took it; what is left is the Sent copy and the flags.
    Accepted,
    /// A message left in the editor's file by an earlier run (quit or
    /// killed while writing it); `entry` is the file.
    Unfinished,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ComposeCommand {
    /// Make the draft (from the original's source, if any) and its editor
    /// file; answered with `Ready` or `Failed`.
    Prepare {
        id: u64,
        account: usize,
        kind: ComposeKind,
        original: Option<Arc<Vec<u8>>>,
        /// For an invitation's answer: the comment for the organizer.
        comment: Option<String>,
    },
    /// Suspend the screen and run the editor on the file; answered with
    /// `Edited`.
    Edit {
        id: u64,
        file: PathBuf,
        draft: Box<Draft>,
        /// The draft changed on the review screen (To, Cc): the file is
        /// written from it first.
        rewrite: bool,
    },
    /// Build the message, put it in the outbox, send it; answered with
    /// `Queued` (the editor file then goes) or `Failed`.
    Send {
        id: u64,
        account: usize,
        draft: Box<Draft>,
        file: Option<PathBuf>,
        after: Followups,
    },
    /// Build the message with its Bcc for Drafts; answered with `Built`.
    BuildDraft {
        id: u64,
        account: usize,
        draft: Box<Draft>,
    },
    /// The message as sent, parsed like received mail; answered with
    /// `Preview`.
    Preview { id: u64, draft: Box<Draft> },
    /// Check a file to attach; answered with `Attached` or `Failed`.
    Attach { id: u64, path: String },
    /// Complete a path typed in the attach prompt; answered with
    /// `Completed`.
    Complete { id: u64, text: String },
    /// Remove the editor's file (the message went to Drafts, or the user
    /// threw it away).
    Discard { file: PathBuf },
    /// Send an outbox entry again (a failed one, or an uncertain one the
    /// user said yes to).
    Retry { entry: String },
    /// Take an entry out of the outbox, unsent.
    Remove { entry: String },
    /// The account's address book, for completing To and Cc; answered
    /// with `Contacts`.
    Contacts { account: usize },
    /// Ask `address_book_command` about what is typed; answered with
    /// `Suggestions`.
    Lookup { query: String },
    /// Take a message not sent back into the editor: its draft and file
    /// are made from the outbox entry, which then goes; answered with
    /// `Ready`.
    Reedit {
        id: u64,
        account: usize,
        entry: String,
    },
    /// Continue a message an earlier run left in its editor file;
    /// answered with `Ready`.
    Reopen {
        id: u64,
        account: usize,
        file: PathBuf,
    },
    /// The server has the message and its follow-ups are done.
    Finished { entry: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ComposeEvent {
    Ready {
        id: u64,
        draft: Box<Draft>,
        file: PathBuf,
        /// Sizes of the draft's attachments, where known.
        sizes: Vec<Option<u64>>,
    },
    /// The editor ended: the draft as the file now says, or why not.
    Edited {
        id: u64,
        result: Result<Box<Draft>, String>,
        /// The editor failed or was killed (the file is kept).
        note: Option<String>,
        sizes: Vec<Option<u64>>,
    },
    Failed {
        id: u64,
        error: String,
    },
    /// In the outbox as `entry`; the message being written is done.
    Queued {
        id: u64,
        entry: String,
    },
    /// The draft's bytes, for Drafts.
    Built {
        id: u64,
        bytes: Arc<Vec<u8>>,
        message_id: String,
    },
    Preview {
        id: u64,
        view: Box<MessageView>,
    },
    Attached {
        id: u64,
        path: PathBuf,
        name: String,
        mime: String,
        size: u64,
    },
    Completed {
        id: u64,
        text: String,
        /// Other names that fit, when the completion stopped short.
        choices: Vec<String>,
    },
    /// The outbox as it is now.
    Outbox(Vec<OutboxRow>),
    Contacts {
        account: usize,
        contacts: Arc<Vec<crate::store::addresses::Contact>>,
    },
    /// The address book command's answer for `query` (or why it failed).
    Suggestions {
        query: String,
        found: Vec<crate::addresses::Candidate>,
        problem: Option<String>,
    },
    /// The largest message the account's SMTP server takes (EHLO SIZE).
    ServerSize {
        account: usize,
        size: Option<u64>,
    },
    /// A step of sending an entry.
    Progress {
        entry: String,
        step: String,
    },
    /// The server accepted the entry (250 after DATA).
    Sent {
        entry: String,
        account: usize,
        after: Followups,
        bytes: Arc<Vec<u8>>,
        message_id: String,
        /// The server's words, for the log.
        reply: String,
    },
    SendFailed {
        entry: String,
        account: usize,
        sentence: String,
        /// The server turned the sign-in down: new tokens may help.
        sign_in: bool,
        /// Sending this way needs the user's approval of these scopes
        /// (Microsoft Graph's Mail.Send): a sign-in for them alone.
        approve: Option<Vec<String>>,
    },
    /// How the account sends changed (SMTP off, Graph from now on).
    SendingNote {
        account: usize,
        text: String,
    },
}
