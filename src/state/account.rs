//! Per-account state: each account keeps its own folders, list, selection
//! and reader, so switching accounts is instant and loses nothing.

use super::list::MessageList;
use super::reader::Layout;
use crate::action::Command;
use crate::auth::service::{AuthCommand, TokenPhase, TokenStatus};
use crate::mail::message::MessageView;
use crate::mail::types::{Folder, FolderRole};
use crate::sanitize::Clean;
use crate::worker::{ConnState, WorkerCommand, WorkerEvent};

/// What the UI knows of an account from the config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    pub name: String,
    pub email: String,
    /// "IMAP", "Maildir", "OAuth2" … for the status bar.
    pub kind: &'static str,
    /// host:port or a directory.
    pub server: String,
    /// How it logs in, for the status bar's auth slot.
    pub auth: String,
    /// The OAuth tenant (or identity provider host); None without OAuth.
    pub tenant: Option<String>,
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
}

#[derive(Debug)]
pub struct AccountState {
    pub info: AccountInfo,
    pub name: Clean,
    pub conn: ConnState,
    pub folders: Vec<Folder>,
    /// Cursor in the folder pane.
    pub folder_cursor: usize,
    pub list: MessageList,
    pub reader: Reader,
    /// Token state from the account's token service (OAuth accounts).
    pub token: Option<TokenStatus>,
    /// The user closed the sign-in panel (Esc) until they press a.
    pub panel_dismissed: bool,
    /// Source of request ids for this account.
    next_req: u64,
}

impl AccountState {
    pub fn new(info: AccountInfo) -> Self {
        AccountState {
            name: Clean::line(&info.name),
            info,
            conn: ConnState::Idle,
            folders: Vec::new(),
            folder_cursor: 0,
            list: MessageList::default(),
            reader: Reader::default(),
            token: None,
            panel_dismissed: false,
            next_req: 0,
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

    pub fn busy(&self) -> bool {
        matches!(self.conn, ConnState::Connecting | ConnState::Reconnecting)
            || self
                .token
                .as_ref()
                .is_some_and(|t| matches!(t.phase, TokenPhase::Refreshing))
            || self.list.loading()
            || matches!(self.reader.content, ReaderContent::Loading)
    }

    fn next_req_id(&mut self) -> u64 {
        self.next_req += 1;
        self.next_req
    }

    pub fn open_folder(&mut self, index: usize, account: usize) -> Vec<Command> {
        let Some(folder) = self.folders.get(index).filter(|f| f.selectable) else {
            return Vec::new();
        };
        let path = folder.path.clone();
        self.folder_cursor = index;
        let req = self.next_req_id();
        self.list = MessageList {
            req,
            path: Some(path.clone()),
            opening: true,
            ..Default::default()
        };
        self.reader = Reader::default();
        vec![Command::Worker {
            account,
            command: WorkerCommand::OpenFolder { path, req },
        }]
    }

    /// Shows the selected message in the reader (fetching it if needed).
    pub fn preview(&mut self, account: usize) -> Vec<Command> {
        let Some(uid) = self.list.selected_envelope().map(|e| e.uid) else {
            return Vec::new();
        };
        if self.reader.uid == Some(uid) && !matches!(self.reader.content, ReaderContent::Failed(_))
        {
            return Vec::new();
        }
        let req = self.next_req_id();
        self.reader = Reader {
            req,
            uid: Some(uid),
            content: ReaderContent::Loading,
            ..Reader::default()
        };
        vec![Command::Worker {
            account,
            command: WorkerCommand::FetchMessage { uid, req },
        }]
    }

    /// Whether the sign-in panel belongs on screen for this account.
    pub fn wants_sign_in_panel(&self) -> bool {
        match self.token.as_ref().map(|t| &t.phase) {
            Some(TokenPhase::WaitingForCode(_) | TokenPhase::WaitingForBrowser(_)) => true,
            Some(TokenPhase::SignedOut | TokenPhase::SignInNeeded(_)) => !self.panel_dismissed,
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
            WorkerEvent::FolderOpened { path, req, exists } if req == self.list.req => {
                self.list = MessageList {
                    req,
                    path: Some(path),
                    exists,
                    remaining: exists,
                    ..Default::default()
                };
                self.reader = Reader::default();
                Vec::new()
            }
            WorkerEvent::Envelopes {
                req,
                envelopes,
                remaining,
            } if req == self.list.req => {
                let first = self.list.items.is_empty();
                self.list.items.extend(envelopes);
                self.list.remaining = remaining;
                self.list.opening = false;
                if first {
                    self.preview(account)
                } else {
                    Vec::new()
                }
            }
            WorkerEvent::FolderFailed { req, error } if req == self.list.req => {
                self.list.opening = false;
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
