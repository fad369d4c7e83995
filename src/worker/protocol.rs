//! The only contract between the UI and an account's background parts (its
//! worker and its store).

use crate::auth::service::TokenStatus;
use crate::mail::backend::FolderCount;
use crate::mail::message::MessageView;
use crate::mail::mime::parts::PartBytes;
use crate::mail::types::{Envelope, FlagKind, FlagUpdate, Folder};
use crate::sanitize::Clean;

/// A folder as a command addresses it: UIDs mean something only within
/// one UIDVALIDITY, so commands carry it and are dropped when it changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderRef {
    pub path: String,
    pub uid_validity: u32,
}

/// Parts of one message, by IMAP section number. Answered with
/// [`WorkerEvent::Parts`], or with `view`, the one part as the reader
/// shows it ([`WorkerEvent::Message`]); [`WorkerEvent::PartsFailed`] when
/// it cannot be had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartsRequest {
    pub folder: FolderRef,
    pub uid: u32,
    pub sections: Vec<String>,
    pub req: u64,
    pub view: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkerCommand {
    /// Connect now (first start, or the user's retry after a failure).
    Connect,
    /// Select a folder and bring it up to date, then keep it live. `req`
    /// identifies this opening; every event about it carries it back.
    OpenFolder {
        path: String,
        req: u64,
    },
    /// Fetch one message for the reader. Only the latest request is served.
    FetchMessage {
        folder: FolderRef,
        uid: u32,
        req: u64,
        /// The list row's size, when known: a big message is fetched in
        /// parts (without it, the server is asked first).
        size: Option<u32>,
    },
    /// Parts of a message (see [`PartsRequest`]): the whole message is
    /// fetched today; this is where fetching one section would go.
    FetchParts(PartsRequest),
    /// Set or clear a flag. Applied to that folder only, whatever is open
    /// by the time the server can be told.
    SetFlag {
        folder: FolderRef,
        uids: Vec<u32>,
        flag: FlagKind,
        on: bool,
    },
    /// Move messages to the folder `to`. With no `uids`, the messages are
    /// found by `message_ids` (undoing a move the server gave no COPYUID
    /// for). `op` identifies the answer.
    Move {
        folder: FolderRef,
        uids: Vec<u32>,
        message_ids: Vec<String>,
        to: String,
        op: u64,
    },
    /// Remove messages for good.
    Expunge {
        folder: FolderRef,
        uids: Vec<u32>,
        op: u64,
    },
    /// Store a message in a folder (a copy of sent mail, a draft). With a
    /// `message_id`, nothing is stored when the folder already holds a
    /// message with it (a retry after a lost answer). Answered with
    /// `Done` or `Failed`.
    Append {
        folder: String,
        bytes: std::sync::Arc<Vec<u8>>,
        flags: Vec<FlagKind>,
        message_id: Option<String>,
        op: u64,
    },
    /// Ask the server which messages of the open folder may match the
    /// query (relative dates from `now`); answered with `Found`.
    Search {
        folder: FolderRef,
        query: crate::query::Query,
        now: crate::query::Now,
        req: u64,
    },
    /// New rows of a folder that is not open, above what the store holds
    /// of it, into the store (a results view shows it); answered with
    /// `Done` (or `Failed`). Nothing for the open folder, which is live.
    FetchNew {
        folder: FolderRef,
        op: u64,
    },
    /// Drop a move or deletion that has not been sent yet (undone while
    /// offline); one already sent is answered as usual.
    Cancel {
        op: u64,
    },
    Shutdown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnState {
    /// Not asked to connect yet.
    Idle,
    Connecting,
    /// Connecting again after a drop or because the token is about to expire.
    Reconnecting,
    Connected,
    /// A transient failure; the worker retries by itself.
    Retrying {
        attempt: u32,
        error: Clean,
        retry_in_secs: u64,
    },
    /// Needs the user (bad password, TLS refused, bad settings).
    Failed(Clean),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkerEvent {
    Conn(ConnState),
    Folders(Vec<Folder>),
    /// Message and unread counts (other folders: from the server; the open
    /// one: from what is known).
    FolderCounts(Vec<FolderCount>),
    /// Rows the store holds for a folder being opened, newest first, in
    /// pages; `done` on the last. `synced_at` says how old they are.
    Stored {
        req: u64,
        uid_validity: u32,
        envelopes: Vec<Envelope>,
        done: bool,
        synced_at: Option<i64>,
    },
    /// The server selected the folder. Rows of another UIDVALIDITY are
    /// stale and go.
    Selected {
        req: u64,
        path: String,
        uid_validity: u32,
        exists: u32,
    },
    /// Messages new to the client, newest first; `remaining` more are
    /// still being fetched.
    Inserted {
        req: u64,
        envelopes: Vec<Envelope>,
        remaining: u32,
    },
    Expunged {
        req: u64,
        uids: Vec<u32>,
    },
    FlagsChanged {
        req: u64,
        updates: Vec<FlagUpdate>,
    },
    /// Rows the worker put in the store outside a sync of that folder (new
    /// mail fetched for a results view, rows copied by a move): a list
    /// with the folder open shows them, whether or not it read the store
    /// before they were written.
    RowsAdded {
        path: String,
        uid_validity: u32,
        envelopes: Vec<Envelope>,
    },
    /// A flag change the server took is in the store (the folder is not
    /// always the open one): what reads the store may ask again.
    FlagsStored {
        path: String,
    },
    /// The folder matches the server as of `at` (unix seconds).
    Synced {
        req: u64,
        at: i64,
    },
    /// The open folder, live, was still current at `at`: the server
    /// answered a watch round (IDLE or a poll) with the session alive.
    Fresh {
        req: u64,
        at: i64,
    },
    FolderFailed {
        req: u64,
        error: Clean,
    },
    Message {
        req: u64,
        message: Box<MessageView>,
    },
    MessageFailed {
        req: u64,
        error: Clean,
    },
    /// The parts asked for, decoded, in the order asked.
    Parts {
        req: u64,
        parts: Vec<PartBytes>,
    },
    PartsFailed {
        req: u64,
        error: Clean,
    },
    /// From the account's token service (OAuth accounts only).
    Token(Box<TokenStatus>),
    /// Messages were moved; where they are now, for undo.
    Moved {
        op: u64,
        /// The target as it now holds them, when the server said (COPYUID).
        target: Option<FolderRef>,
        target_uids: Vec<u32>,
        /// The source UIDs of `target_uids`, pair by pair.
        source_uids: Vec<u32>,
        message_ids: Vec<String>,
        /// False when they could only be marked deleted in the source.
        removed: bool,
    },
    /// An action finished; `note` says anything the user should know.
    Done {
        op: u64,
        note: Option<Clean>,
    },
    /// An action the server refused or that could not be done; the UI
    /// puts back what it changed ahead of time. `op` 0: a flag change.
    Failed {
        op: u64,
        error: Clean,
    },
    /// UIDs found for a search: the server's answer merged with the
    /// local index's; `offline` says why the server was not asked when
    /// these are the index's alone.
    Found {
        req: u64,
        uids: Vec<u32>,
        offline: Option<Clean>,
    },
    /// The full-text index's background build, as it goes.
    Indexing(crate::store::IndexProgress),
    /// `sync_bodies = "text"`: messages of the open folder whose text is
    /// still to be fetched (0: all there, or the account's cap reached).
    TextSync {
        left: usize,
    },
    /// A search across folders: what the store holds
    /// ([`crate::action::StoreCommand::Everywhere`]).
    FoundEverywhere {
        req: u64,
        found: Box<crate::store::everywhere::Everywhere>,
    },
    /// A folder's messages in thread order, with each one's depth.
    Threads {
        req: u64,
        rows: Vec<(u32, u8)>,
    },
}
