//! Sending mail: the outbox on disk and the SMTP sender that empties it.
//! A backend like `imap`: never imports anything of the terminal, every
//! network step under a timeout, results as [`SendEvent`]s.
//!
//! The order that keeps mail from being lost or sent twice: the message
//! is in the outbox before any network step; the entry says `Sending`
//! (on disk) before connecting and `Accepted` (on disk, synced) the
//! moment the server took DATA, before anything else happens.

mod error;
mod graph;
mod outbox;
mod outbox_files;
mod replies;
mod smtp;
mod task;

use std::path::PathBuf;
use std::time::Duration;

pub use error::{SendError, SendErrorKind};
pub use graph::{GraphSettings, MAX_GRAPH_MIME, graph_error};
pub use outbox::{AfterSend, EntryId, EntryMeta, EntryState, MAX_MESSAGE_BYTES, NewEntry, Outbox};
pub use replies::{Stage, decode_reply};
pub use smtp::probe_size;
pub use task::spawn;
pub use task::{GraphRoute, SmtpOff};

/// The reply recorded for a message Microsoft Graph took; Graph files
/// the Sent copy itself, so a restart that finds it must not APPEND one.
pub const GRAPH_ACCEPTED: &str = "202 Accepted by Microsoft Graph";

/// Whether the server that took a message (by its recorded reply) files
/// the Sent copy itself.
pub fn sent_filed_by(reply: &str) -> bool {
    reply == GRAPH_ACCEPTED
}

use crate::auth::PasswordSource;
use crate::auth::service::TokenHandle;
use crate::imap::TlsMode;

/// Where an account's mail is submitted.
#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub ca_file: Option<PathBuf>,
    /// The limit for each step (connect, greeting, STARTTLS, AUTH, each
    /// command, the answer after DATA). The transfer itself gets this plus
    /// time for the size at [`MIN_TRANSFER_RATE`].
    pub timeout: Duration,
}

/// The slowest upload a transfer is given time for: a 35 MB message at
/// 64 KiB/s needs about 9 minutes.
pub const MIN_TRANSFER_RATE: u64 = 64 * 1024;

/// How the sender signs in.
#[derive(Clone, Debug)]
pub enum SmtpAuth {
    /// AUTH PLAIN or LOGIN (whichever the server offers; Exchange: LOGIN).
    Password {
        user: String,
        password: PasswordSource,
    },
    /// AUTH XOAUTH2 with a fresh access token per send.
    Bearer { user: String, tokens: TokenHandle },
    /// No AUTH: loopback test servers only.
    None,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendCommand {
    /// Send this entry (queued, failed, or uncertain with the user's yes).
    Send { id: EntryId },
    /// Stop after the current step; an entry interrupted before DATA is
    /// marked failed, one interrupted during the transfer stays uncertain.
    Shutdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendStep {
    /// TCP, greeting and EHLO (with implicit TLS, the handshake too).
    Connecting,
    /// STARTTLS.
    Securing,
    Authenticating,
    Transferring,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SendEvent {
    Step {
        id: EntryId,
        step: SendStep,
    },
    /// The server took the message (already recorded in the outbox).
    Accepted {
        id: EntryId,
        reply: String,
        /// The server files the Sent copy itself (Graph).
        sent_filed: bool,
    },
    /// Something the user should know about how the account sends now
    /// (SMTP found off, Graph used instead).
    Note {
        text: String,
    },
    /// Not sent (recorded in the outbox unless the entry was not this
    /// sender's to touch).
    Failed {
        id: EntryId,
        error: SendError,
    },
    /// The server's SIZE limit as its EHLO said, after each EHLO.
    ServerSize {
        size: Option<u64>,
    },
}
