//! The only contract between the UI and an account's background parts (its
//! worker and its store).

use crate::auth::service::TokenStatus;
use crate::mail::backend::FolderCount;
use crate::mail::message::MessageView;
use crate::mail::types::{Envelope, FlagKind, FlagUpdate, Folder};
use crate::sanitize::Clean;

/// A folder as a command addresses it: UIDs mean something only within
/// one UIDVALIDITY, so commands carry it and are dropped when it changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderRef {
    pub path: String,
    pub uid_validity: u32,
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
    },
    /// Set or clear a flag. Applied to that folder only, whatever is open
    /// by the time the server can be told.
    SetFlag {
        folder: FolderRef,
        uids: Vec<u32>,
        flag: FlagKind,
        on: bool,
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
    /// The folder matches the server as of `at` (unix seconds).
    Synced {
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
    /// From the account's token service (OAuth accounts only).
    Token(Box<TokenStatus>),
}
