//! The only contract between the UI and an account worker.

use crate::auth::service::TokenStatus;
use crate::mail::message::MessageView;
use crate::mail::types::{Envelope, Folder};
use crate::sanitize::Clean;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkerCommand {
    /// Connect now (first start, or the user's retry after a failure).
    Connect,
    /// Select a folder and stream its envelopes, newest first. `req`
    /// identifies the request; results carry it back.
    OpenFolder {
        path: String,
        req: u64,
    },
    /// Fetch one message for the reader. Only the latest request is served.
    FetchMessage {
        uid: u32,
        req: u64,
    },
    /// Mark a message read or unread in the open folder.
    SetSeen {
        uid: u32,
        seen: bool,
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
    FolderOpened {
        path: String,
        req: u64,
        exists: u32,
    },
    /// A batch of envelopes; `remaining` is how many older ones are still to come.
    Envelopes {
        req: u64,
        envelopes: Vec<Envelope>,
        remaining: u32,
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
