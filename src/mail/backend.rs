//! The interface every mailbox backend offers to the account worker.
//! Messages are addressed by UID within a folder's UIDVALIDITY; sequence
//! numbers never leave a backend.

use std::future::Future;
use std::time::Duration;

use super::partial::Fetched;
use super::types::{FlagKind, FlagUpdate, Folder, NewMessage};

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
    /// The server said something mailtui cannot read. The connection is
    /// dropped (its state is unknown) but this is not a network failure:
    /// trying the same step again would fail the same way.
    #[error("{0}")]
    Protocol(String),
}

impl MailError {
    /// Whether reconnecting later might fix it without the user.
    pub fn is_transient(&self) -> bool {
        matches!(self, MailError::Network(_))
    }

    /// Whether the session is unusable after this error.
    pub fn ends_session(&self) -> bool {
        matches!(self, MailError::Network(_) | MailError::Protocol(_))
    }
}

pub type MailResult<T> = Result<T, MailError>;

/// What the server offers that sync can use; decided from the advertised
/// capabilities only (a server may answer more than it advertises).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features {
    pub condstore: bool,
    pub qresync: bool,
    pub idle: bool,
    pub list_status: bool,
    /// UID MOVE (RFC 6851).
    pub moves: bool,
    /// UID EXPUNGE and COPYUID (RFC 4315).
    pub uidplus: bool,
}

/// What the store knew of a folder, offered to the server so it can send
/// only what changed since (QRESYNC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnownState {
    pub uid_validity: u32,
    pub highest_modseq: u64,
}

/// Changes the server reported against a [`KnownState`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub vanished: Vec<u32>,
    pub flags: Vec<FlagUpdate>,
}

/// A folder as SELECT left it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selected {
    pub exists: u32,
    pub uid_validity: u32,
    pub uid_next: Option<u32>,
    /// None without CONDSTORE, or when the folder has NOMODSEQ.
    pub highest_modseq: Option<u64>,
    /// The QRESYNC answer, when a [`KnownState`] was given and the server
    /// accepted it for this UIDVALIDITY.
    pub changes: Option<Changes>,
    pub read_only: bool,
}

/// Flags of a range of messages (and, with QRESYNC, what vanished there).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlagScan {
    pub flags: Vec<FlagUpdate>,
    pub vanished: Vec<u32>,
}

/// Something that happened to the selected folder without being asked:
/// seen while idle, or alongside the answer to another command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// The message count grew: fetch what is above the highest known UID.
    NewMail,
    Expunged(Vec<u32>),
    Flags(Vec<FlagUpdate>),
    /// The backend lost track of the folder (a count that does not add up,
    /// a sequence number it cannot map): reconcile it from scratch.
    Resync(String),
}

/// Changes taken from a backend, with the folder they belong to (None:
/// no folder was selected, so they belong nowhere).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Noticed {
    pub folder: Option<String>,
    pub changes: Vec<Change>,
}

/// Where moved messages landed, when the server says (COPYUID).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Moved {
    /// UIDVALIDITY of the target and (source UID, UID in the target) pairs.
    pub copyuid: Option<(u32, Vec<(u32, u32)>)>,
    /// Whether the messages left the source folder. Without MOVE or
    /// UIDPLUS they are only marked \Deleted: a plain EXPUNGE would also
    /// remove what other clients marked.
    pub removed: bool,
}

/// Message and unread counts of a folder that is not selected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderCount {
    pub path: String,
    pub total: u32,
    pub unseen: u32,
}

/// A mailbox backend, driven by one account worker. Every call is one
/// bounded exchange with the server, so the worker can serve the user
/// between calls.
pub trait MailBackend: Send + 'static {
    /// Connects and logs in. Called again after any transient failure.
    fn connect(&mut self) -> impl Future<Output = MailResult<()>> + Send;

    /// What the connected server offers.
    fn features(&self) -> Features;

    fn list_folders(&mut self) -> impl Future<Output = MailResult<Vec<Folder>>> + Send;

    /// Selects a folder; with `known` and QRESYNC, the answer carries what
    /// changed since.
    fn select(
        &mut self,
        path: &str,
        known: Option<KnownState>,
    ) -> impl Future<Output = MailResult<Selected>> + Send;

    /// Opens a folder read-only (EXAMINE): to look, not to change; it
    /// leaves the folder's \Recent marks alone.
    fn examine(&mut self, path: &str) -> impl Future<Output = MailResult<Selected>> + Send {
        self.select(path, None)
    }

    /// Every UID in the selected folder, ascending.
    fn all_uids(&mut self) -> impl Future<Output = MailResult<Vec<u32>>> + Send;

    /// List rows for these UIDs of the selected folder (any order; UIDs the
    /// server no longer has are simply missing).
    fn fetch_rows(
        &mut self,
        uids: &[u32],
    ) -> impl Future<Output = MailResult<Vec<NewMessage>>> + Send;

    /// [`fetch_rows`](Self::fetch_rows), with the request for `next` sent
    /// before this answer is read, so the server works on it meanwhile; the
    /// next call, with `next` as `uids`, returns those rows. Any other call
    /// first reads that one answer.
    fn fetch_rows_then(
        &mut self,
        uids: &[u32],
        next: Option<&[u32]>,
    ) -> impl Future<Output = MailResult<Vec<NewMessage>>> + Send {
        let _ = next;
        self.fetch_rows(uids)
    }

    /// One short exchange of listing every UID of the selected folder:
    /// call again while it answers None; then the whole list, ascending.
    fn list_uids_step(&mut self) -> impl Future<Output = MailResult<Option<Vec<u32>>>> + Send {
        async move { self.all_uids().await.map(Some) }
    }

    /// List rows of the newest `n` messages of the selected folder: the
    /// first screen of a folder never seen before, before its UIDs are
    /// listed.
    fn fetch_newest(
        &mut self,
        n: usize,
    ) -> impl Future<Output = MailResult<Vec<NewMessage>>> + Send {
        async move {
            let uids = self.all_uids().await?;
            let newest = &uids[uids.len().saturating_sub(n)..];
            self.fetch_rows(newest).await
        }
    }

    /// List rows of every message above `uid` (new mail).
    fn fetch_rows_above(
        &mut self,
        uid: u32,
    ) -> impl Future<Output = MailResult<Vec<NewMessage>>> + Send;

    /// Flags of the messages with UIDs in `lo..=hi`; with `changed_since`
    /// (CONDSTORE), only those changed since that modseq.
    fn fetch_flags(
        &mut self,
        lo: u32,
        hi: u32,
        changed_since: Option<u64>,
    ) -> impl Future<Output = MailResult<FlagScan>> + Send;

    /// The raw RFC 5322 bytes of one message, without marking it read.
    fn fetch_message(&mut self, uid: u32) -> impl Future<Output = MailResult<Vec<u8>>> + Send;

    /// A message for the reader: whole, or for a big one (`size` is what
    /// the list row says, when known) only its text parts, with the rest
    /// described (see [`crate::mail::partial`]). Local backends read the
    /// whole file.
    fn fetch_for_reading(
        &mut self,
        uid: u32,
        size: Option<u32>,
    ) -> impl Future<Output = MailResult<Fetched>> + Send {
        let _ = size;
        async move { self.fetch_message(uid).await.map(Fetched::whole) }
    }

    /// A message's text parts only, whatever its size (config
    /// `sync_bodies = "text"`): a stand-in as for a big message, never
    /// its attachments, never marking it read. Local backends read the
    /// whole file.
    fn fetch_text(&mut self, uid: u32) -> impl Future<Output = MailResult<Fetched>> + Send {
        async move { self.fetch_message(uid).await.map(Fetched::whole) }
    }

    /// One part of a message (an IMAP section such as "2.1") as an entity
    /// of its own: its MIME header, an empty line, its body as it is in
    /// the message (still transfer-encoded), so that it reads as a
    /// single-part message whose part "1" is the part. For big messages
    /// that [`fetch_for_reading`](Self::fetch_for_reading) fetched in part.
    fn fetch_part(
        &mut self,
        uid: u32,
        section: &str,
    ) -> impl Future<Output = MailResult<Vec<u8>>> + Send {
        let _ = (uid, section);
        async {
            Err(MailError::Command(
                "this mailbox has no parts to fetch".into(),
            ))
        }
    }

    /// Sets or clears one flag on these messages of the selected folder.
    fn store_flag(
        &mut self,
        uids: &[u32],
        flag: FlagKind,
        on: bool,
    ) -> impl Future<Output = MailResult<()>> + Send;

    /// Adds a message to a folder (a copy of sent mail, a draft) with
    /// these flags.
    fn append(
        &mut self,
        path: &str,
        bytes: &[u8],
        flags: &[FlagKind],
    ) -> impl Future<Output = MailResult<()>> + Send {
        let _ = (path, bytes, flags);
        async {
            Err(MailError::Command(
                "this account cannot store messages".into(),
            ))
        }
    }

    /// Moves messages of the selected folder to `to`: UID MOVE where
    /// offered, else UID COPY, STORE \Deleted and UID EXPUNGE of just
    /// these (never a plain EXPUNGE).
    fn move_messages(
        &mut self,
        uids: &[u32],
        to: &str,
    ) -> impl Future<Output = MailResult<Moved>> + Send;

    /// Removes messages for good (STORE \Deleted, UID EXPUNGE). Returns
    /// false when they could only be marked \Deleted (no UIDPLUS).
    fn expunge_messages(&mut self, uids: &[u32]) -> impl Future<Output = MailResult<bool>> + Send;

    /// UIDs of messages of the selected folder that may match `query`
    /// (relative dates from `now`): at least every match, maybe more, so
    /// the caller checks the answer against what it knows of each row.
    fn search(
        &mut self,
        query: &crate::query::Query,
        now: &crate::query::Now,
    ) -> impl Future<Output = MailResult<Vec<u32>>> + Send;

    /// UIDs of messages of the selected folder with these Message-IDs.
    fn find_message_ids(
        &mut self,
        ids: &[String],
    ) -> impl Future<Output = MailResult<Vec<u32>>> + Send;

    /// Waits up to `max` for the selected folder to change (IDLE, or a poll
    /// where the server has none), or until `stop` completes. What it saw
    /// is in [`take_changes`](Self::take_changes).
    fn watch(
        &mut self,
        max: Duration,
        stop: impl Future<Output = ()> + Send,
    ) -> impl Future<Output = MailResult<()>> + Send;

    /// Changes noticed since the last call, oldest first, and the folder
    /// they belong to: the one selected when the server reported them,
    /// which is not always the folder the user has open (an op may have
    /// selected another for a moment).
    fn take_changes(&mut self) -> Noticed;

    /// How many messages the selected folder holds, as the server last
    /// said; None where the backend cannot tell.
    fn message_count(&self) -> Option<u32> {
        None
    }

    /// Counts of folders other than the selected one.
    fn folder_counts(
        &mut self,
        paths: &[String],
    ) -> impl Future<Output = MailResult<Vec<FolderCount>>> + Send;

    /// Whether the server answers at all now (a TCP connect, no login):
    /// while waiting to retry, a server that comes back is noticed within
    /// seconds. False where that cannot be told cheaply.
    fn reachable(&self) -> impl Future<Output = bool> + Send {
        async { false }
    }

    /// Drops the connection (politely if it can).
    fn disconnect(&mut self) -> impl Future<Output = ()> + Send;

    /// When the current connection must be replaced because its
    /// credentials expire (unix seconds); None when they don't.
    fn reconnect_at(&self) -> Option<i64> {
        None
    }
}
