//! [`MailBackend`] over one IMAP connection per account. The trait's
//! methods are listed here, each handing over to the inherent method of
//! the same name (Rust looks up inherent methods first) in the file for
//! its concern:
//!
//! - `session`: the plumbing every command goes through;
//! - `connection`: connect, login, what the server offers, disconnect;
//! - `folders`: the folder list, SELECT and EXAMINE, counts;
//! - `rows`: UIDs, list rows, new mail, flag changes;
//! - `reading`: messages and their parts;
//! - `changes`: flags, APPEND, moves, expunges;
//! - `search`: text and Message-ID searches;
//! - `watch`: IDLE or polling for changes.

mod changes;
mod connection;
mod folders;
mod reading;
mod rows;
mod search;
mod session;
mod watch;

use std::future::Future;
use std::time::Duration;

use async_imap::Session;
use tokio_rustls::TlsConnector;

use super::connect::Transport;
use super::listing::Listing;
use super::pipeline::Pipeline;
use super::tracker::Tracker;
use super::{ImapAuth, ImapSettings};
use crate::auth::Secret;
use crate::mail::backend::{
    Features, FlagScan, FolderCount, KnownState, MailBackend, MailResult, Moved, Noticed, Selected,
};
use crate::mail::partial::Fetched;
use crate::mail::types::{FlagKind, Folder, NewMessage};
use crate::query::{Now, Profile, Query};

/// Untagged responses one ordinary command may bring besides its answer.
const SPARE_RESPONSES: usize = 10_000;
/// How long a reachability probe (a bare TCP connect) may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// For answers whose size the client cannot know beforehand (a QRESYNC
/// SELECT, flags changed since a modseq, new mail).
const BIG_ANSWER: usize = 2_000_000;

pub struct ImapBackend {
    settings: ImapSettings,
    auth: ImapAuth,
    tls: Option<TlsConnector>,
    session: Option<Session<Transport>>,
    /// Kept after the first good login so a reconnect doesn't re-run
    /// password_command (which may prompt).
    password: Option<Secret>,
    /// When the bearer token this session logged in with expires, and its lifetime.
    token_expiry: Option<(i64, i64)>,
    features: Features,
    tracker: Tracker,
    /// IDLE failed to start once: poll for the rest of the run.
    idle_broken: bool,
    /// The server takes literals without a go-ahead.
    literal_plus: bool,
    /// How SEARCH criteria are written for this server.
    search_profile: Profile,
    /// The server searches US-ASCII text only: Microsoft's sign-in, or a
    /// `BADCHARSET` answer seen on this backend.
    search_ascii_only: bool,
    /// Set when this is a shared mailbox opened with another account's token.
    delegate: Option<super::shared::Delegate>,
    /// A list-row FETCH sent ahead of its turn.
    pipe: Pipeline,
    /// `UID SEARCH` slices of the selected folder so far.
    listing: Listing,
}

impl ImapBackend {
    pub fn new(settings: ImapSettings, auth: ImapAuth) -> Self {
        ImapBackend {
            settings,
            auth,
            tls: None,
            session: None,
            password: None,
            token_expiry: None,
            features: Features::default(),
            tracker: Tracker::default(),
            idle_broken: false,
            literal_plus: false,
            search_profile: Profile::Standard,
            search_ascii_only: false,
            delegate: None,
            pipe: Pipeline::default(),
            listing: Listing::default(),
        }
    }

    /// A shared mailbox (the login user) opened with `delegate`'s token:
    /// refusals then name the permission the delegate lacks.
    pub fn opened_by(mut self, delegate: super::shared::Delegate) -> Self {
        self.delegate = Some(delegate);
        self
    }
}

impl MailBackend for ImapBackend {
    async fn connect(&mut self) -> MailResult<()> {
        ImapBackend::connect(self).await
    }

    fn features(&self) -> Features {
        ImapBackend::features(self)
    }

    async fn list_folders(&mut self) -> MailResult<Vec<Folder>> {
        ImapBackend::list_folders(self).await
    }

    async fn select(&mut self, path: &str, known: Option<KnownState>) -> MailResult<Selected> {
        ImapBackend::select(self, path, known).await
    }

    async fn examine(&mut self, path: &str) -> MailResult<Selected> {
        ImapBackend::examine(self, path).await
    }

    async fn all_uids(&mut self) -> MailResult<Vec<u32>> {
        ImapBackend::all_uids(self).await
    }

    async fn list_uids_step(&mut self) -> MailResult<Option<Vec<u32>>> {
        ImapBackend::list_uids_step(self).await
    }

    async fn fetch_rows(&mut self, uids: &[u32]) -> MailResult<Vec<NewMessage>> {
        ImapBackend::fetch_rows(self, uids).await
    }

    async fn fetch_rows_then(
        &mut self,
        uids: &[u32],
        next: Option<&[u32]>,
    ) -> MailResult<Vec<NewMessage>> {
        ImapBackend::fetch_rows_then(self, uids, next).await
    }

    async fn fetch_newest(&mut self, n: usize) -> MailResult<Vec<NewMessage>> {
        ImapBackend::fetch_newest(self, n).await
    }

    async fn fetch_rows_above(&mut self, uid: u32) -> MailResult<Vec<NewMessage>> {
        ImapBackend::fetch_rows_above(self, uid).await
    }

    async fn fetch_flags(
        &mut self,
        lo: u32,
        hi: u32,
        changed_since: Option<u64>,
    ) -> MailResult<FlagScan> {
        ImapBackend::fetch_flags(self, lo, hi, changed_since).await
    }

    async fn fetch_message(&mut self, uid: u32) -> MailResult<Vec<u8>> {
        ImapBackend::fetch_message(self, uid).await
    }

    async fn fetch_for_reading(&mut self, uid: u32, size: Option<u32>) -> MailResult<Fetched> {
        ImapBackend::fetch_for_reading(self, uid, size).await
    }

    async fn fetch_text(&mut self, uid: u32) -> MailResult<Fetched> {
        ImapBackend::fetch_structured(self, uid, true).await
    }

    async fn fetch_part(&mut self, uid: u32, section: &str) -> MailResult<Vec<u8>> {
        ImapBackend::fetch_part(self, uid, section).await
    }

    async fn store_flag(&mut self, uids: &[u32], flag: FlagKind, on: bool) -> MailResult<()> {
        ImapBackend::store_flag(self, uids, flag, on).await
    }

    async fn append(&mut self, path: &str, bytes: &[u8], flags: &[FlagKind]) -> MailResult<()> {
        ImapBackend::append(self, path, bytes, flags).await
    }

    async fn move_messages(&mut self, uids: &[u32], to: &str) -> MailResult<Moved> {
        ImapBackend::move_messages(self, uids, to).await
    }

    async fn expunge_messages(&mut self, uids: &[u32]) -> MailResult<bool> {
        ImapBackend::expunge_messages(self, uids).await
    }

    async fn search(&mut self, query: &Query, now: &Now) -> MailResult<Vec<u32>> {
        ImapBackend::search(self, query, now).await
    }

    async fn find_message_ids(&mut self, ids: &[String]) -> MailResult<Vec<u32>> {
        ImapBackend::find_message_ids(self, ids).await
    }

    async fn watch(
        &mut self,
        max: Duration,
        stop: impl Future<Output = ()> + Send,
    ) -> MailResult<()> {
        ImapBackend::watch(self, max, stop).await
    }

    fn take_changes(&mut self) -> Noticed {
        self.tracker.take()
    }

    fn message_count(&self) -> Option<u32> {
        self.tracker.folder().map(|_| self.tracker.exists())
    }

    async fn folder_counts(&mut self, paths: &[String]) -> MailResult<Vec<FolderCount>> {
        ImapBackend::folder_counts(self, paths).await
    }

    async fn reachable(&self) -> bool {
        ImapBackend::reachable(self).await
    }

    async fn disconnect(&mut self) {
        ImapBackend::disconnect(self).await
    }

    fn reconnect_at(&self) -> Option<i64> {
        ImapBackend::reconnect_at(self)
    }
}
