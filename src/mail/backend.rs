//! The interface every mailbox backend offers to the account worker.

use std::future::Future;
use std::ops::RangeInclusive;

use super::types::{Envelope, Folder};

/// What went wrong, sorted by what the worker should do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The connection is gone or never came up; retry with backoff.
    #[error("{0}")]
    Network(String),
    /// The server refused the credentials; retrying the same ones won't help.
    #[error("{0}")]
    Auth(String),
    /// Certificate or handshake trouble; retrying won't help.
    #[error("{0}")]
    Tls(String),
    /// Settings that cannot work (missing password, bad CA file …).
    #[error("{0}")]
    Config(String),
    /// No usable OAuth tokens: the user has to sign in.
    #[error("{0}")]
    SignIn(String),
    /// The server answered NO/BAD to one command; the connection is fine.
    #[error("{0}")]
    Command(String),
}

impl MailError {
    /// Whether reconnecting later might fix it without the user.
    pub fn is_transient(&self) -> bool {
        matches!(self, MailError::Network(_))
    }
}

pub type MailResult<T> = Result<T, MailError>;

/// Opened folder: message count and the id that tells whether cached UIDs
/// are still valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FolderStatus {
    pub exists: u32,
    pub uid_validity: Option<u32>,
}

/// A mailbox backend. Messages are addressed by sequence position
/// (1 = oldest) for windowed loading, and by UID for single messages.
pub trait MailBackend: Send + 'static {
    /// Connects and logs in. Called again after any transient failure.
    fn connect(&mut self) -> impl Future<Output = MailResult<()>> + Send;

    fn list_folders(&mut self) -> impl Future<Output = MailResult<Vec<Folder>>> + Send;

    fn open_folder(&mut self, path: &str) -> impl Future<Output = MailResult<FolderStatus>> + Send;

    /// Envelopes of the messages at these sequence positions of the open
    /// folder, in any order.
    fn fetch_envelopes(
        &mut self,
        seqs: RangeInclusive<u32>,
    ) -> impl Future<Output = MailResult<Vec<Envelope>>> + Send;

    /// The raw RFC 5322 bytes of one message, without marking it read.
    fn fetch_message(&mut self, uid: u32) -> impl Future<Output = MailResult<Vec<u8>>> + Send;

    /// Sets or clears the \Seen flag.
    fn set_seen(&mut self, uid: u32, seen: bool) -> impl Future<Output = MailResult<()>> + Send;

    /// Drops the connection (politely if it can).
    fn disconnect(&mut self) -> impl Future<Output = ()> + Send;

    /// When the current connection must be replaced because its
    /// credentials expire (unix seconds); None when they don't.
    fn reconnect_at(&self) -> Option<i64> {
        None
    }
}
