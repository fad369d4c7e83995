//! Results across folders and accounts against a real Dovecot, in the
//! full profile and the Exchange-shaped one: two accounts (two users),
//! each with its own worker and store, driven through the state as the
//! app drives it. All inboxes lists both INBOXes; a search everywhere
//! finds a message in a folder that is not open; flag, delete and undo
//! from the results reach the server in that message's own folder.

#[macro_use]
mod support;

use std::time::Duration;

use mailtui::action::{Action, Command, StoreCommand, UiAction};
use mailtui::auth::{PasswordSource, Secret};
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts, TlsMode};
use mailtui::state::{AccountInfo, Pane, State};
use mailtui::store::StoreHandle;
use mailtui::worker::{WorkerCommand, WorkerEvent, WorkerHandle, WorkerOptions};
use support::dovecot::{Dovecot, Options};
use support::events::memory_store;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

const USERS: [(&str, &str, &str); 2] = [
    ("erin", "erin@example.com", "pw-erin"),
    ("frank", "frank@example.com", "pw-frank"),
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Profile {
    Full,
    Exchange,
}

fn settings(d: &Dovecot, user: &str) -> ImapSettings {
    ImapSettings {
        host: "127.0.0.1".into(),
        port: d.imaps_port,
        tls: TlsMode::Implicit,
        ca_file: Some(d.ca_file.clone()),
        username: user.into(),
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            command: Duration::from_secs(5),
            transfer: Duration::from_secs(30),
            idle_slice: Duration::from_secs(5),
            poll: Duration::from_secs(2),
        },
    }
}

fn message(from: &str, subject: &str, date: &str) -> (Vec<u8>, &'static str) {
    (
        format!(
            "From: {from}\r\nTo: someone@example.com\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{}@test>\r\n\r\nbody of {subject}\r\n",
            subject.replace(' ', ".")
        )
        .into_bytes(),
        "",
    )
}

struct Bench {
    s: State,
    workers: Vec<WorkerHandle>,
    stores: Vec<StoreHandle>,
    tx: UnboundedSender<(usize, WorkerEvent)>,
    rx: UnboundedReceiver<(usize, WorkerEvent)>,
}

impl Bench {
    fn start(d: &Dovecot) -> Bench {
        if let Ok(f) = std::env::var("MAILTUI_TEST_LOG") {
            let file = std::fs::File::create(f).expect("log file");
            let _ = tracing_subscriber::fmt()
                .with_writer(std::sync::Mutex::new(file))
                .with_max_level(tracing::Level::DEBUG)
                .try_init();
        }
        let (tx, rx) = unbounded_channel();
        let mut workers = Vec::new();
        let mut stores = Vec::new();
        let mut infos = Vec::new();
        for (i, (name, user, password)) in USERS.iter().enumerate() {
            let store = memory_store();
            let backend = ImapBackend::new(
                settings(d, user),
                ImapAuth::Password(PasswordSource::Plain(Secret::new(*password))),
            );
            workers.push(mailtui::worker::spawn(
                i,
                (*name).into(),
                backend,
                store.clone(),
                WorkerOptions::default(),
                tx.clone(),
            ));
            stores.push(store);
            infos.push(AccountInfo {
                name: (*name).into(),
                email: (*user).into(),
                kind: mailtui::state::ServerKind::Imap,
                server: format!("127.0.0.1:{}", d.imaps_port),
                auth: "password".into(),
                tenant: None,
                trash: None,
                archive: None,
                sent: None,
                drafts: None,
                appends_sent: true,
            });
        }
        let s = State::new(infos, Vec::new(), 1_790_000_000, 0);
        let mut b = Bench {
            s,
            workers,
            stores,
            tx,
            rx,
        };
        let start = b.s.start();
        b.run(start);
        for w in &b.workers {
            w.commands
                .send(WorkerCommand::Connect)
                .expect("worker alive");
        }
        b
    }

    fn run(&mut self, commands: Vec<Command>) {
        for c in commands {
            match c {
                Command::Worker { account, command } => {
                    self.workers[account]
                        .commands
                        .send(command)
                        .expect("worker alive");
                }
                Command::Store { account, command } => {
                    let (store, tx) = (&self.stores[account], self.tx.clone());
                    let w = self.workers[account].commands.clone();
                    match command {
                        StoreCommand::LoadFolders => store.load_folders(account, tx),
                        StoreCommand::LoadFolder { path, req } => {
                            store.load_folder(account, path, req, tx)
                        }
                        StoreCommand::LoadMessage { folder, uid, req } => {
                            store.load_message(account, folder, uid, req, tx, w)
                        }
                        StoreCommand::LoadParts(r) => store.load_parts(account, r, tx, w),
                        StoreCommand::Everywhere {
                            paths,
                            query,
                            now,
                            req,
                        } => store.search_everywhere(account, paths, query, now, req, tx),
                        StoreCommand::Threads { .. } => {}
                    }
                }
                _ => {}
            }
        }
    }

    fn key(&mut self, a: UiAction) {
        let cmds = self.s.update(Action::Ui(a));
        self.run(cmds);
    }

    fn line(&mut self, line: &str) {
        let cmds = self.s.run_line(line);
        self.run(cmds);
    }

    /// Feeds events to the state until `done` holds.
    async fn until(&mut self, what: &str, done: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !done(&self.s) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some((account, event))) => {
                    tracing::debug!(
                        "ui event {account}: {}",
                        format!("{event:?}").chars().take(300).collect::<String>()
                    );
                    let cmds = self.s.update(Action::Worker { account, event });
                    tracing::debug!(
                        "ui commands: {}",
                        format!("{cmds:?}").chars().take(300).collect::<String>()
                    );
                    self.run(cmds);
                }
                _ => panic!(
                    "waited 30s for {what}; notice: {:?}; lists: {:?}",
                    self.s.notice.as_ref().map(|n| n.text.to_string()),
                    self.s
                        .accounts
                        .iter()
                        .map(|a| {
                            let l = &a.list;
                            let rows: Vec<(u32, String)> = l
                                .items
                                .iter()
                                .map(|e| (e.uid, e.subject.to_string()))
                                .collect();
                            (l.path.clone(), l.syncing, l.synced_at, l.remaining, rows)
                        })
                        .collect::<Vec<_>>()
                ),
            }
        }
    }

    /// Keeps the state fed until the server says so too.
    async fn until_server(&mut self, what: &str, done: impl Fn() -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !done() {
            let wait = tokio::time::Instant::now() + Duration::from_millis(100);
            if let Ok(Some((account, event))) = tokio::time::timeout_at(wait, self.rx.recv()).await
            {
                let cmds = self.s.update(Action::Worker { account, event });
                self.run(cmds);
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "waited 30s for the server: {what}"
            );
        }
    }

    /// (account, subject) of the rows shown, in order.
    fn rows(&self) -> Vec<(usize, String)> {
        self.s
            .results
            .as_ref()
            .map(|r| {
                r.rows
                    .iter()
                    .map(|x| (x.account, x.env.subject.to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Every account asked has answered, and nothing more is on its way.
fn answered(s: &State) -> bool {
    s.results
        .as_ref()
        .is_some_and(|r| !r.loading() && r.parts.values().all(|p| p.asking.is_none()))
}

/// How many messages a folder holds on the server, by doveadm.
fn count(d: &Dovecot, user: &str, folder: &str) -> usize {
    d.doveadm(&["search", "-u", user, "mailbox", folder, "ALL"])
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
}

fn flagged(d: &Dovecot, user: &str, folder: &str) -> bool {
    d.doveadm(&["fetch", "-u", user, "flags", "mailbox", folder, "ALL"])
        .contains("\\Flagged")
}

async fn actions_from_the_results_reach_each_rows_own_folder(p: Profile) {
    let d = Dovecot::start_with(Options {
        exchange: p == Profile::Exchange,
        ..Options::default()
    });
    let (erin, frank) = (USERS[0].1, USERS[1].1);
    for (_, user, password) in USERS {
        d.add_user(user, password);
        d.folder_dir(user, "Deleted Items");
    }
    d.deliver(
        erin,
        "INBOX",
        &[
            message(
                "Ann <ann@x.test>",
                "Erin one",
                "Mon, 02 Nov 2026 09:00:00 +0000",
            ),
            message(
                "Bob <bob@x.test>",
                "Erin two",
                "Wed, 04 Nov 2026 09:00:00 +0000",
            ),
        ],
    );
    d.deliver(
        erin,
        "Projects",
        &[message(
            "Cy <cy@x.test>",
            "Apollo budget",
            "Tue, 03 Nov 2026 09:00:00 +0000",
        )],
    );
    d.deliver(
        frank,
        "INBOX",
        &[message(
            "Dee <dee@x.test>",
            "Frank one",
            "Thu, 05 Nov 2026 09:00:00 +0000",
        )],
    );
    let mut b = Bench::start(&d);
    b.until("both INBOXes synced", |s| {
        s.accounts.iter().all(|a| a.list.synced_at.is_some())
    })
    .await;
    // Erin's Projects is stored once opened; then INBOX is open again.
    b.line("go_to_folder Projects");
    b.until("Projects synced", |s| {
        s.accounts[0].list.path.as_deref() == Some("Projects")
            && s.accounts[0].list.synced_at.is_some()
    })
    .await;
    b.line("go_to_folder INBOX");
    b.until("INBOX again", |s| {
        s.accounts[0].list.path.as_deref() == Some("INBOX")
            && s.accounts[0].list.synced_at.is_some()
    })
    .await;

    // All inboxes: both accounts, newest first; Projects is not an inbox.
    b.line("saved All inboxes");
    b.until("All inboxes answered", answered).await;
    assert_eq!(
        b.rows(),
        [
            (1, "Frank one".to_string()),
            (0, "Erin two".to_string()),
            (0, "Erin one".to_string())
        ]
    );
    // Live: new mail at Frank's shows without asking.
    d.deliver(
        frank,
        "INBOX",
        &[message(
            "Eve <eve@x.test>",
            "Frank two",
            "Fri, 06 Nov 2026 09:00:00 +0000",
        )],
    );
    b.until("new mail in the results", |s| {
        s.results
            .as_ref()
            .is_some_and(|r| r.rows.iter().any(|x| x.env.subject.as_str() == "Frank two"))
    })
    .await;

    // Everywhere: the message in Erin's Projects, which is not open.
    b.line("search_everywhere apollo");
    b.until("the search answered", answered).await;
    assert_eq!(b.rows(), [(0, "Apollo budget".to_string())]);
    assert_eq!(b.s.focus, Pane::Messages);

    b.key(UiAction::ToggleFlag);
    b.until_server("flagged in Projects", || flagged(&d, erin, "Projects"))
        .await;
    assert!(!flagged(&d, erin, "INBOX"), "the open folder is untouched");

    b.key(UiAction::Delete);
    assert!(b.rows().is_empty(), "gone from the results at once");
    b.until_server("moved to Trash", || {
        count(&d, erin, "Projects") == 0 && count(&d, erin, "Deleted Items") == 1
    })
    .await;
    b.until("the move confirmed", |s| {
        s.results.as_ref().is_some_and(|r| r.moving.is_empty())
    })
    .await;
    b.until("asked again", answered).await;
    assert!(b.rows().is_empty(), "the store agrees: {:?}", b.rows());
    assert_eq!(count(&d, erin, "INBOX"), 2);

    // Undo: back in Projects on the server.
    b.key(UiAction::Undo);
    b.until_server("back in Projects", || {
        count(&d, erin, "Projects") == 1 && count(&d, erin, "Deleted Items") == 0
    })
    .await;
    b.until("the undo confirmed", |s| s.accounts[0].restoring.is_empty())
        .await;
    b.until("asked again", answered).await;
    assert_eq!(
        b.rows(),
        [(0, "Apollo budget".to_string())],
        "shown again where it went back to"
    );

    // New mail in Projects that the store has not seen (Dovecot gives it
    // its UID now), then a move into Projects from the results: the moved
    // row is copied into the store above it; opening Projects shows both.
    d.deliver(
        erin,
        "Projects",
        &[message(
            "Fay <fay@x.test>",
            "Projects news",
            "Sat, 07 Nov 2026 09:00:00 +0000",
        )],
    );
    assert_eq!(count(&d, erin, "Projects"), 2);
    b.line("search_everywhere from:bob");
    b.until("the search answered", answered).await;
    assert_eq!(b.rows(), [(0, "Erin two".to_string())]);
    b.key(UiAction::Move);
    for c in "Projects".chars() {
        let cmds =
            b.s.update(Action::Prompt(mailtui::action::PromptKey::Char(c)));
        b.run(cmds);
    }
    let cmds =
        b.s.update(Action::Prompt(mailtui::action::PromptKey::Enter));
    b.run(cmds);
    b.until_server("moved to Projects", || count(&d, erin, "Projects") == 3)
        .await;
    b.until("the move confirmed", |s| {
        s.results.as_ref().is_some_and(|r| r.moving.is_empty())
    })
    .await;
    b.key(UiAction::Back);
    b.line("go_to_folder Projects");
    b.until("Projects with all three", |s| {
        let l = &s.accounts[0].list;
        l.path.as_deref() == Some("Projects") && l.items.len() == 3
    })
    .await;
    let mut subjects: Vec<String> = b.s.accounts[0]
        .list
        .items
        .iter()
        .map(|e| e.subject.to_string())
        .collect();
    subjects.sort();
    assert_eq!(subjects, ["Apollo budget", "Erin two", "Projects news"]);

    // Mail to Erin's INBOX while Erin has Projects open: nothing keeps
    // INBOX current, so All inboxes fetches its new rows when it opens.
    d.deliver(
        erin,
        "INBOX",
        &[message(
            "Gil <gil@x.test>",
            "Erin late",
            "Sun, 08 Nov 2026 09:00:00 +0000",
        )],
    );
    b.line("saved All inboxes");
    b.until("the late one in All inboxes", |s| {
        s.results.as_ref().is_some_and(|r| {
            r.rows
                .first()
                .is_some_and(|x| x.env.subject.as_str() == "Erin late")
        })
    })
    .await;
    assert_eq!(b.s.accounts[0].list.path.as_deref(), Some("Projects"));
    for w in &b.workers {
        let _ = w.commands.send(WorkerCommand::Shutdown);
    }
}

both_profiles!(actions_from_the_results_reach_each_rows_own_folder);
