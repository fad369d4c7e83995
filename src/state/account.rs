//! Per-account state: each account keeps its own folders, list, selection
//! and reader, so switching accounts is instant and loses nothing.

use std::collections::HashMap;

use super::list::MessageList;
use super::reader::Layout;
use crate::action::{Command, StoreCommand};
use crate::auth::service::{AuthCommand, TokenPhase, TokenStatus};
use crate::mail::message::MessageView;
use crate::mail::types::{FlagKind, Folder, FolderRole};
use crate::sanitize::Clean;
use crate::worker::{ConnState, FolderRef, WorkerCommand, WorkerEvent};

/// Where an account's mail is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKind {
    Imap,
    /// Local files: no connection to show.
    Maildir,
}

impl std::fmt::Display for ServerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ServerKind::Imap => "IMAP",
            ServerKind::Maildir => "Maildir",
        })
    }
}

/// What the UI knows of an account from the config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    pub name: String,
    pub email: String,
    pub kind: ServerKind,
    /// host:port or a directory.
    pub server: String,
    /// How it logs in, for the status bar's auth slot.
    pub auth: String,
    /// The OAuth tenant (or identity provider host); None without OAuth.
    pub tenant: Option<String>,
    /// Trash and Archive folders from the config, for servers whose
    /// folders say neither by SPECIAL-USE nor by a well-known name.
    pub trash: Option<String>,
    pub archive: Option<String>,
    /// Sent and Drafts folders from the config, likewise.
    pub sent: Option<String>,
    pub drafts: Option<String>,
    /// Whether a copy of sent mail is stored in Sent by mailtui (not where
    /// the server files it itself).
    pub appends_sent: bool,
}

#[derive(Debug, Default)]
pub enum ReaderContent {
    #[default]
    Empty,
    Loading,
    Loaded(Box<MessageView>),
    Failed(Clean),
}

#[derive(Debug, Default)]
pub struct Reader {
    pub req: u64,
    pub uid: Option<u32>,
    pub content: ReaderContent,
    /// Rows scrolled down.
    pub scroll: usize,
    /// The loaded message laid out for the pane (kept by `State::update`).
    pub layout: Layout,
    /// Section number of the part shown, when it is a part opened from
    /// the parts menu (an attached message, a text part); "" for the
    /// message itself. Parts of the shown message are numbered under it.
    pub base: String,
    /// What the pane is titled while a part is shown.
    pub title: Option<Clean>,
    /// What Esc goes back to from a part, innermost last.
    pub outer: Vec<OuterView>,
    /// The message was deleted on the server (by another device) while
    /// open: it stays on screen, marked, until the user moves on, and
    /// nothing acts on it or on whatever row took its place in the list.
    pub gone: bool,
    /// `/` in the reader: what it found in this message.
    pub find: Option<super::find::Find>,
}

/// See [`AccountState::reach`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    Online,
    /// A connection is being made: missing content may come any moment.
    Connecting,
    /// Waiting for the user to approve a sign-in.
    SigningIn,
    /// No sign-in: nothing loads until the user signs in.
    SignIn,
    /// Retrying, failed or not connecting: nothing loads for now.
    Offline,
}

/// A view left for a part opened inside it, restored as it was.
#[derive(Debug)]
pub struct OuterView {
    pub req: u64,
    pub content: ReaderContent,
    pub layout: Layout,
    pub scroll: usize,
    pub base: String,
    pub title: Option<Clean>,
}

#[derive(Debug)]
pub struct AccountState {
    pub info: AccountInfo,
    pub name: Clean,
    pub conn: ConnState,
    pub folders: Vec<Folder>,
    /// (messages, unread) by folder path, as last counted.
    pub counts: HashMap<String, (u32, u32)>,
    /// Cursor in the folder pane.
    pub folder_cursor: usize,
    pub list: MessageList,
    pub reader: Reader,
    /// Token state from the account's token service (OAuth accounts).
    pub token: Option<TokenStatus>,
    /// The user closed the sign-in panel (Esc) until they press a.
    pub panel_dismissed: bool,
    /// Why a sign-in was asked for while signed in (to send mail).
    pub sign_in_reason: Option<String>,
    /// The token service's count of ended sign-in flows when that
    /// sign-in was asked for: a higher count means it is over.
    pub sign_in_flows_before: u64,
    /// The scopes that sign-in asks for, when not the account's own.
    pub sign_in_scopes: Option<Vec<String>>,
    /// Source of request ids for this account.
    next_req: u64,
    /// What `u` undoes, newest last.
    pub undo: Vec<super::Undo>,
    /// Unread messages on their way back by undo: when they arrive they
    /// raise the unread count, but they are no new mail.
    pub expect_back: usize,
    /// Undos on their way, by op id.
    pub restoring: HashMap<u64, Restoring>,
    /// Rows taken out ahead of a move or deletion, put back if it fails.
    pub pending: HashMap<u64, Vec<crate::mail::types::Envelope>>,
    /// Parts asked for by request id: what to do with them when they come.
    pub part_requests: HashMap<u64, PartUse>,
    /// Request id of the server search and thread order last asked for.
    pub search_req: u64,
    /// The full-text index's background build, while it runs.
    pub indexing: Option<crate::store::IndexProgress>,
    pub threads_req: u64,
    /// A mark by query or thread waiting on the server or the store.
    pub marking: Option<super::marking::Marking>,
    /// INBOX's unread count as last seen, once it is known for sure (after
    /// its first reconcile, or from the server's count).
    pub inbox_unread: Option<u32>,
    /// When the next connection attempt is due (unix seconds), while the
    /// worker waits to retry: the screen counts down to it.
    pub retry_at: Option<i64>,
    /// Each folder's remembered order and threads, restored on opening it.
    pub views: super::sort::AccountViews,
    /// A folder of this account matched the server in this run: counts
    /// from now on are the server's, not the store's from the last run.
    pub server_synced: bool,
    /// New-mail alerts may go out: the INBOX count was taken once after
    /// the first sync, so mail that came while mailtui was not running
    /// rings nothing.
    pub alerts_armed: bool,
}

impl AccountState {
    pub fn new(info: AccountInfo) -> Self {
        AccountState {
            name: Clean::line(&info.name),
            info,
            conn: ConnState::Idle,
            retry_at: None,
            restoring: HashMap::new(),
            expect_back: 0,
            folders: Vec::new(),
            counts: HashMap::new(),
            folder_cursor: 0,
            list: MessageList::default(),
            reader: Reader::default(),
            token: None,
            panel_dismissed: false,
            sign_in_reason: None,
            sign_in_flows_before: 0,
            sign_in_scopes: None,
            next_req: 0,
            undo: Vec::new(),
            pending: HashMap::new(),
            part_requests: HashMap::new(),
            search_req: 0,
            indexing: None,
            threads_req: 0,
            marking: None,
            inbox_unread: None,
            views: Default::default(),
            server_synced: false,
            alerts_armed: false,
        }
    }

    /// Display name of the open folder.
    pub fn open_folder_name(&self) -> Option<String> {
        let path = self.list.path.as_ref()?;
        let name = self
            .folders
            .iter()
            .find(|f| &f.path == path)
            .map(|f| f.name.to_string());
        Some(name.unwrap_or_else(|| path.clone()))
    }

    /// The open folder holds mail the user sent or is writing (Sent or
    /// Drafts, by the server's special use, a well-known name, or the
    /// config): the list's `correspondent` is the recipient there.
    pub fn open_folder_is_outgoing(&self) -> bool {
        self.list
            .path
            .as_deref()
            .is_some_and(|p| self.folder_is_outgoing(p))
    }

    /// Whether a folder holds mail the user sent or is writing.
    pub fn folder_is_outgoing(&self, path: &str) -> bool {
        [FolderRole::Sent, FolderRole::Drafts]
            .into_iter()
            .any(|role| {
                self.folders
                    .iter()
                    .any(|f| f.path == path && f.role == role)
                    || self.folder_for(role).as_deref() == Some(path)
                    || FolderRole::guess(path, path.rsplit(['/', '.']).next().unwrap_or(path))
                        == role
            })
    }

    /// Whether something is loading right now, so a spinner is honest:
    /// nothing loads while the account cannot reach its server.
    pub fn busy(&self) -> bool {
        let signed_in = !self.sign_in_failed();
        (signed_in && matches!(self.conn, ConnState::Connecting | ConnState::Reconnecting))
            || self
                .token
                .as_ref()
                .is_some_and(|t| matches!(t.phase, TokenPhase::Refreshing))
            || (self.online() && self.list.loading())
            || (self.online() && matches!(self.reader.content, ReaderContent::Loading))
    }

    /// Whether the account has a working connection (or needs none): what
    /// is missing can load now.
    pub fn online(&self) -> bool {
        matches!(self.conn, ConnState::Connected) && !self.sign_in_failed()
            || self.info.kind == super::ServerKind::Maildir
    }

    /// The sign-in is gone or was never made: nothing connects until the
    /// user signs in.
    pub fn sign_in_failed(&self) -> bool {
        self.token
            .as_ref()
            .is_some_and(|t| matches!(t.phase, TokenPhase::SignInNeeded(_) | TokenPhase::SignedOut))
    }

    /// How far the account is from its server, for what an empty pane
    /// says: only the first shows a spinner for missing content.
    pub fn reach(&self) -> Reach {
        if self.online() {
            return Reach::Online;
        }
        if let Some(t) = &self.token {
            match t.phase {
                TokenPhase::SignedOut | TokenPhase::SignInNeeded(_) => return Reach::SignIn,
                TokenPhase::WaitingForCode(_) | TokenPhase::WaitingForBrowser(_) => {
                    return Reach::SigningIn;
                }
                TokenPhase::SignedIn | TokenPhase::Refreshing => {}
            }
        }
        match self.conn {
            ConnState::Connecting | ConnState::Reconnecting => Reach::Connecting,
            ConnState::Idle if self.token.is_none() => Reach::Connecting,
            _ => Reach::Offline,
        }
    }

    /// A move of `delta` rows in the list, counted from the message on
    /// screen: when that one was deleted on the server, the cursor already
    /// sits on the row that took its place, which is the first step down.
    pub fn steps_from_reader(&self, delta: isize) -> isize {
        if self.reader.gone && delta > 0 {
            delta - 1
        } else {
            delta
        }
    }

    /// Seconds until the next connection attempt, while one is scheduled.
    pub fn retry_in(&self, now: i64) -> Option<i64> {
        match self.conn {
            ConnState::Retrying { .. } => self.retry_at.map(|at| (at - now).max(0)),
            _ => None,
        }
    }

    pub fn next_req_id(&mut self) -> u64 {
        self.next_req += 1;
        self.next_req
    }

    /// What the account does first: its folder list and INBOX from the
    /// store, and INBOX from the server (every IMAP account has one), so
    /// the first screen never waits for the folder list.
    pub fn start(&mut self, account: usize) -> Vec<Command> {
        let mut cmds = vec![Command::Store {
            account,
            command: StoreCommand::LoadFolders,
        }];
        if self.list.path.is_none() {
            cmds.extend(self.open_path("INBOX".into(), account));
        }
        cmds
    }

    pub fn open_folder(&mut self, index: usize, account: usize) -> Vec<Command> {
        let Some(folder) = self.folders.get(index).filter(|f| f.selectable) else {
            return Vec::new();
        };
        let path = folder.path.clone();
        self.folder_cursor = index;
        self.open_path(path, account)
    }

    fn open_path(&mut self, path: String, account: usize) -> Vec<Command> {
        let req = self.next_req_id();
        self.list = MessageList::opening(req, path.clone());
        self.reader = Reader::default();
        // A mark asked for in the folder as it was applies to nothing now.
        self.marking = None;
        let view = self.views.get(&path).copied().unwrap_or_default();
        self.list.sort = view.sort;
        let mut cmds = vec![
            Command::Store {
                account,
                command: StoreCommand::LoadFolder {
                    path: path.clone(),
                    req,
                },
            },
            Command::Worker {
                account,
                command: WorkerCommand::OpenFolder {
                    path: path.clone(),
                    req,
                },
            },
        ];
        if view.threads {
            // After the rows: the store answers in order.
            let req = self.next_req_id();
            self.threads_req = req;
            cmds.push(Command::Store {
                account,
                command: StoreCommand::Threads { path, req },
            });
        }
        cmds
    }

    /// The open folder as commands address it; None until its UIDVALIDITY
    /// is known.
    pub fn folder_ref(&self) -> Option<FolderRef> {
        Some(FolderRef {
            path: self.list.path.clone()?,
            uid_validity: Some(self.list.uid_validity).filter(|v| *v != 0)?,
        })
    }

    /// Shows the selected message in the reader (from the store, or
    /// fetched if it is not kept).
    pub fn preview(&mut self, account: usize) -> Vec<Command> {
        let Some(uid) = self.list.selected_envelope().map(|e| e.uid) else {
            return Vec::new();
        };
        if self.reader.uid == Some(uid) && !matches!(self.reader.content, ReaderContent::Failed(_))
        {
            return Vec::new();
        }
        let Some(folder) = self.folder_ref() else {
            return Vec::new();
        };
        let req = self.next_req_id();
        self.reader = Reader {
            req,
            uid: Some(uid),
            content: ReaderContent::Loading,
            ..Reader::default()
        };
        vec![Command::Store {
            account,
            command: StoreCommand::LoadMessage { folder, uid, req },
        }]
    }

    /// Marks the selected message read (the list changes now; the worker
    /// tells the server).
    pub fn mark_selected_read(&mut self, account: usize) -> Vec<Command> {
        let Some(folder) = self.folder_ref() else {
            return Vec::new();
        };
        // The selection is a display row; in a sorted, threaded or searched
        // view that is not the same index in `items`.
        let Some(uid) = self.list.selected_envelope().map(|e| e.uid) else {
            return Vec::new();
        };
        let Some(env) = self.list.envelope_mut(uid) else {
            return Vec::new();
        };
        if env.flags.seen {
            return Vec::new();
        }
        env.flags.seen = true;
        self.list.unread = self.list.unread.saturating_sub(1);
        vec![Command::Worker {
            account,
            command: WorkerCommand::SetFlag {
                folder,
                uids: vec![uid],
                flag: FlagKind::Seen,
                on: true,
            },
        }]
    }

    /// Whether the sign-in panel belongs on screen for this account.
    pub fn wants_sign_in_panel(&self) -> bool {
        match self.token.as_ref().map(|t| &t.phase) {
            Some(TokenPhase::WaitingForCode(_) | TokenPhase::WaitingForBrowser(_)) => true,
            Some(TokenPhase::SignedOut | TokenPhase::SignInNeeded(_)) => !self.panel_dismissed,
            // Only an admin can approve: the link stays until dismissed.
            _ if self
                .token
                .as_ref()
                .is_some_and(|t| t.admin_consent.is_some()) =>
            {
                !self.panel_dismissed
            }
            _ => false,
        }
    }

    /// Token statuses drive the connection: tokens arriving connect the
    /// account; the first status of a never-signed-in current account
    /// starts a sign-in right away.
    fn apply_token(
        &mut self,
        status: TokenStatus,
        account: usize,
        is_current: bool,
    ) -> Vec<Command> {
        let had_tokens = self
            .token
            .as_ref()
            .is_some_and(|t| matches!(t.phase, TokenPhase::SignedIn | TokenPhase::Refreshing));
        let first = self.token.is_none();
        let mut cmds = Vec::new();
        match &status.phase {
            TokenPhase::SignedIn if !had_tokens => {
                self.panel_dismissed = false;
                cmds.push(Command::Worker {
                    account,
                    command: WorkerCommand::Connect,
                });
            }
            TokenPhase::SignedOut if first && is_current => {
                cmds.push(Command::Auth {
                    account,
                    command: AuthCommand::SignIn,
                });
            }
            TokenPhase::SignInNeeded(_) if had_tokens => self.panel_dismissed = false,
            _ => {}
        }
        let admin_before = self.token.as_ref().and_then(|t| t.admin_consent.as_ref());
        if status.admin_consent.is_some() && admin_before != status.admin_consent.as_ref() {
            self.panel_dismissed = false;
        }
        self.token = Some(status);
        cmds
    }

    pub fn apply(&mut self, event: WorkerEvent, account: usize, is_current: bool) -> Vec<Command> {
        match event {
            WorkerEvent::Token(status) => self.apply_token(*status, account, is_current),
            WorkerEvent::Conn(c) => {
                self.conn = c;
                Vec::new()
            }
            WorkerEvent::Folders(folders) => {
                let cursor_path = self.folders.get(self.folder_cursor).map(|f| f.path.clone());
                self.folders = folders;
                self.folder_cursor = cursor_path
                    .and_then(|p| self.folders.iter().position(|f| f.path == p))
                    .unwrap_or(0);
                if self.list.path.is_none() {
                    let first = self
                        .folders
                        .iter()
                        .position(|f| f.role == FolderRole::Inbox && f.selectable)
                        .or_else(|| self.folders.iter().position(|f| f.selectable));
                    if let Some(i) = first {
                        return self.open_folder(i, account);
                    }
                }
                Vec::new()
            }
            WorkerEvent::FolderCounts(counts) => {
                for c in counts {
                    self.counts.insert(c.path, (c.total, c.unseen));
                }
                Vec::new()
            }
            WorkerEvent::Stored {
                req,
                uid_validity,
                envelopes,
                done,
                synced_at,
            } if req == self.list.req => {
                self.list.stored_done |= done;
                if envelopes.is_empty() {
                    return Vec::new();
                }
                // The server may have answered first, with another UIDVALIDITY.
                if self.list.uid_validity != 0 && uid_validity != self.list.uid_validity {
                    return Vec::new();
                }
                let first = self.list.items.is_empty();
                self.list.uid_validity = uid_validity;
                self.list.add(envelopes);
                self.list.synced_at = self.list.synced_at.or(synced_at);
                if !self.list.items.is_empty() {
                    self.list.opening = false;
                }
                if first {
                    self.preview(account)
                } else {
                    Vec::new()
                }
            }
            WorkerEvent::Selected {
                req,
                uid_validity,
                exists,
                ..
            } if req == self.list.req => {
                if self.list.uid_validity != uid_validity {
                    // Rows of another UIDVALIDITY mean other messages now.
                    self.list.clear();
                    self.reader = Reader::default();
                }
                self.list.uid_validity = uid_validity;
                self.list.exists = exists;
                self.list.syncing = true;
                self.list.error = None;
                if self.list.items.is_empty() && self.reader.uid.is_none() {
                    return Vec::new();
                }
                // Rows from the store can be opened now that the folder is known.
                if matches!(self.reader.content, ReaderContent::Empty) {
                    return self.preview(account);
                }
                Vec::new()
            }
            WorkerEvent::Inserted {
                req,
                envelopes,
                remaining,
            } if req == self.list.req => {
                let first = self.list.items.is_empty() && !envelopes.is_empty();
                self.list.add(envelopes);
                self.list.remaining = remaining;
                self.list.opening = false;
                if first {
                    self.preview(account)
                } else {
                    Vec::new()
                }
            }
            WorkerEvent::RowsAdded {
                path,
                uid_validity,
                envelopes,
            } if self.list.path.as_deref() == Some(path.as_str())
                && (self.list.uid_validity == uid_validity || self.list.uid_validity == 0) =>
            {
                // Written to the store beside this list's own reading of
                // it: the ones it has not got yet.
                let mut fresh: Vec<_> = envelopes
                    .into_iter()
                    .filter(|e| self.list.envelope(e.uid).is_none())
                    .collect();
                fresh.sort_unstable_by_key(|e| std::cmp::Reverse(e.uid));
                self.list.uid_validity = uid_validity;
                self.list.add(fresh);
                Vec::new()
            }
            WorkerEvent::Expunged { req, uids } if req == self.list.req => {
                let reading = self.reader.uid;
                self.list.remove(&uids);
                if reading.is_some_and(|u| uids.contains(&u)) {
                    // Never swap the open message for another under the
                    // user's hands: keep it, marked, until they move.
                    self.reader.gone = true;
                }
                Vec::new()
            }
            WorkerEvent::FlagsChanged { req, updates } if req == self.list.req => {
                self.list.set_flags(&updates);
                Vec::new()
            }
            WorkerEvent::Synced { req, at } if req == self.list.req => {
                self.server_synced = true;
                self.list.syncing = false;
                self.list.opening = false;
                self.list.remaining = 0;
                self.list.synced_at = Some(at);
                Vec::new()
            }
            WorkerEvent::Fresh { req, at } if req == self.list.req => {
                self.list.synced_at = Some(at);
                Vec::new()
            }
            WorkerEvent::FolderFailed { req, error } if req == self.list.req => {
                self.list.opening = false;
                self.list.syncing = false;
                self.list.remaining = 0;
                self.list.error = Some(error);
                Vec::new()
            }
            WorkerEvent::Message { req, message } if req == self.reader.req => {
                self.reader.content = ReaderContent::Loaded(message);
                self.reader.layout = Layout::default();
                self.reader.scroll = 0;
                Vec::new()
            }
            WorkerEvent::MessageFailed { req, error } if req == self.reader.req => {
                self.reader.content = ReaderContent::Failed(error);
                Vec::new()
            }
            // Results of requests the user has moved on from.
            _ => Vec::new(),
        }
    }
}

/// An undo on its way: where the messages go back to, and the UID each
/// had there, by its UID where it is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restoring {
    pub path: String,
    pub was: std::collections::HashMap<u32, u32>,
    pub count: usize,
    pub unread: usize,
}

/// What parts were asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartUse {
    Save,
    Open,
}
