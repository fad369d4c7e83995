//! One setup for the state tests: accounts, folders, rows, and the
//! events that open INBOX the way the app does.

use super::*;
use crate::action::{Action, Command, StoreCommand};
use crate::mail::row_text::{BoxedClean, SharedClean};
use crate::mail::types::{Envelope, Flags, Folder, FolderRole};
use crate::sanitize::Clean;
use crate::state::AccountInfo;
use crate::worker::{WorkerCommand, WorkerEvent};

pub fn info(name: &str) -> AccountInfo {
    AccountInfo {
        name: name.into(),
        email: format!("{name}@example.com"),
        kind: crate::state::ServerKind::Imap,
        server: "imap.example.com:993".into(),
        auth: "password".into(),
        tenant: None,
        trash: None,
        archive: None,
        sent: None,
        drafts: None,
        appends_sent: true,
    }
}

pub fn folder(path: &str, role: FolderRole) -> Folder {
    Folder {
        path: path.into(),
        name: Clean::line(path),
        depth: 0,
        selectable: true,
        role,
    }
}

pub fn env(uid: u32, seen: bool) -> Envelope {
    Envelope {
        uid,
        date: Some(1_700_000_000 + uid as i64),
        from: SharedClean::line("Alice"),
        to: SharedClean::default(),
        subject: BoxedClean::line(&format!("message {uid}")),
        flags: Flags {
            seen,
            ..Flags::default()
        },
        has_attachment: false,
        size: 100,
    }
}

/// An OAuth account at Microsoft in `tenant`.
pub fn oauth_info(name: &str, tenant: &str) -> AccountInfo {
    AccountInfo {
        server: "outlook.office365.com:993".into(),
        auth: "OAuth2".into(),
        tenant: Some(tenant.into()),
        ..info(name)
    }
}

/// A local Maildir account.
pub fn maildir_info(name: &str, dir: &str) -> AccountInfo {
    AccountInfo {
        kind: crate::state::ServerKind::Maildir,
        server: dir.into(),
        auth: "local".into(),
        ..info(name)
    }
}

/// The one way state and view tests make a [`State`]: accounts, a clock,
/// the help text and a screen size.
pub struct StateBuilder {
    accounts: Vec<AccountInfo>,
    now: i64,
    help: bool,
    size: Option<(u16, u16)>,
}

impl Default for StateBuilder {
    fn default() -> Self {
        StateBuilder {
            accounts: Vec::new(),
            now: 1_700_000_000,
            help: false,
            size: None,
        }
    }
}

impl StateBuilder {
    pub fn account(mut self, info: AccountInfo) -> Self {
        self.accounts.push(info);
        self
    }

    pub fn now(mut self, now: i64) -> Self {
        self.now = now;
        self
    }

    /// The default keys' help text (for the help overlay).
    pub fn help(mut self) -> Self {
        self.help = true;
        self
    }

    pub fn size(mut self, width: u16, height: u16) -> Self {
        self.size = Some((width, height));
        self
    }

    pub fn build(self) -> State {
        let help = if self.help {
            crate::keymap::Keymap::new(&[])
                .map(|k| k.help())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let mut s = State::new(self.accounts, help, self.now, 0);
        if let Some((width, height)) = self.size {
            s.update(Action::Resize { width, height });
        }
        s
    }
}

/// Two IMAP accounts, "work" and "home".
pub fn state() -> State {
    StateBuilder::default()
        .account(info("work"))
        .account(info("home"))
        .build()
}

pub fn worker(s: &mut State, account: usize, event: WorkerEvent) -> Vec<Command> {
    s.update(Action::Worker { account, event })
}

/// Folders arrive, INBOX opens, first batch arrives and is previewed.
pub fn loaded(s: &mut State, account: usize, n: u32) -> u64 {
    let cmds = s.accounts[account].start(account);
    // Rows come from the server: the account is online.
    worker(
        s,
        account,
        WorkerEvent::Conn(crate::worker::ConnState::Connected),
    );
    let req = open_req(&cmds, "INBOX");
    worker(
        s,
        account,
        WorkerEvent::Folders(vec![
            folder("INBOX", FolderRole::Inbox),
            folder("Archive", FolderRole::Archive),
            folder("Deleted Items", FolderRole::Trash),
            folder("Projects/Apollo", FolderRole::Other),
        ]),
    );
    stored_none(s, account, req);
    selected(s, account, req, n);
    let batch: Vec<Envelope> = (1..=n).rev().map(|u| env(u, u % 2 == 0)).collect();
    worker(
        s,
        account,
        WorkerEvent::Inserted {
            req,
            envelopes: batch,
            remaining: 0,
        },
    );
    worker(
        s,
        account,
        WorkerEvent::Synced {
            req,
            at: 1_700_000_000,
        },
    );
    req
}

/// The request id of the folder opening among `cmds` (store and worker
/// are asked together).
pub fn open_req(cmds: &[Command], want: &str) -> u64 {
    let store = cmds.iter().find_map(|c| match c {
        Command::Store {
            command: StoreCommand::LoadFolder { path, req },
            ..
        } if path == want => Some(*req),
        _ => None,
    });
    let server = cmds.iter().find_map(|c| match c {
        Command::Worker {
            command: WorkerCommand::OpenFolder { path, req },
            ..
        } if path == want => Some(*req),
        _ => None,
    });
    assert_eq!(store, server, "{cmds:?}");
    store.unwrap_or_else(|| panic!("expected {want} opened, got {cmds:?}"))
}

pub fn stored_none(s: &mut State, account: usize, req: u64) {
    worker(
        s,
        account,
        WorkerEvent::Stored {
            req,
            uid_validity: 0,
            envelopes: vec![],
            done: true,
            synced_at: None,
        },
    );
}

pub fn selected(s: &mut State, account: usize, req: u64, exists: u32) -> Vec<Command> {
    worker(
        s,
        account,
        WorkerEvent::Selected {
            req,
            path: "INBOX".into(),
            uid_validity: 1,
            exists,
        },
    )
}

/// The UID a preview among `cmds` loads.
pub fn loads(cmds: &[Command]) -> Option<u32> {
    preview_uid(cmds).map(|(uid, _)| uid)
}

/// The UIDs `cmds` mark read.
pub fn marks_read(cmds: &[Command]) -> Vec<u32> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Worker {
                command:
                    WorkerCommand::SetFlag {
                        uids,
                        flag: crate::mail::types::FlagKind::Seen,
                        on: true,
                        ..
                    },
                ..
            } => Some(uids.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The UID a command asks the reader to show.
pub fn preview_uid(cmds: &[Command]) -> Option<(u32, u64)> {
    cmds.iter().find_map(|c| match c {
        Command::Store {
            command: StoreCommand::LoadMessage { uid, req, .. },
            ..
        } => Some((*uid, *req)),
        _ => None,
    })
}
