//! Attachments from a real Dovecot through the whole pipeline the app
//! runs (state, store, account worker, file thread), without a terminal:
//! hostile names saved inside a temporary download dir and nowhere else,
//! a symlink planted in it not followed, a broken part saved as far as it
//! decodes, and an attached message opened in the reader and closed.

mod support;

use std::path::Path;
use std::time::Duration;

use mailtui::action::{Action, Command, StoreCommand, UiAction};
use mailtui::auth::{PasswordSource, Secret};
use mailtui::files::{FileEvent, FilesSettings, OpenedFiles};
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts, TlsMode};
use mailtui::mail::message::PartKind;
use mailtui::state::{AccountInfo, ReaderContent, State};
use mailtui::store::StoreHandle;
use mailtui::worker::{PartsRequest, WorkerCommand, WorkerEvent, WorkerHandle, WorkerOptions};
use support::dovecot::Dovecot;
use support::events::memory_store;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

const USER: &str = "erin@example.com";
const PASSWORD: &str = "pw-erin";

fn part(headers: &str, body: &str) -> String {
    format!("--m\r\n{headers}\r\n\r\n{body}\r\n")
}

/// One message with every kind of hostile attachment name, a part whose
/// base64 is broken, and an attached message with its own attachment.
fn hostile_message() -> Vec<u8> {
    let bin = "Content-Type: application/octet-stream";
    let att = |name: &str| format!("{bin}\r\nContent-Disposition: attachment; filename=\"{name}\"");
    let long = format!("{}.pdf", "A".repeat(300));
    let mut m = String::from(
        "From: Mallory <mallory@example.com>\r\nTo: erin@example.com\r\nSubject: Your files\r\n\
Date: Tue, 3 Nov 2026 10:00:00 +0000\r\nMessage-ID: <hostile@example.com>\r\n\
Content-Type: multipart/mixed; boundary=m\r\n\r\n",
    );
    m += &part(
        "Content-Type: text/plain",
        "Files attached. https://example.com/files",
    );
    m += &part(&att("../../.bashrc"), "echo pwned");
    m += &part(&att("CON"), "device");
    m += &part(&att(&long), "long");
    m += &part(&att("\x1b]0;pwned\x07evil\x1b[31m.txt"), "escapes");
    m += &part(
        &format!(
            "{bin}\r\nContent-Disposition: attachment; filename*=utf-8''invoice%E2%80%AEfdp.exe"
        ),
        "bidi",
    );
    m += &part(
        &format!(
            "{bin}\r\nContent-Disposition: attachment; filename*=utf-8''zero%E2%80%8Bwidth.txt"
        ),
        "zero-width",
    );
    m += &part(&att(""), "no name");
    m += &part(&att("...."), "dots");
    m += &part(
        &format!("{}\r\nContent-Transfer-Encoding: base64", att("broken.bin")),
        "SGVs\r\n!!! not base64 !!!\r\nbG8h",
    );
    m += &part(
        "Content-Type: message/rfc822",
        "From: Trent <trent@example.com>\r\nSubject: Inner report\r\n\
Content-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\ninner words\r\n\
--i\r\nContent-Type: text/csv; name=\"numbers.csv\"\r\n\r\nroom,area\r\nA,12\r\n--i--",
    );
    m += "--m--\r\n";
    m.into_bytes()
}

fn settings(d: &Dovecot) -> ImapSettings {
    ImapSettings {
        host: "127.0.0.1".into(),
        port: d.imaps_port,
        tls: TlsMode::Implicit,
        ca_file: Some(d.ca_file.clone()),
        username: USER.into(),
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            command: Duration::from_secs(5),
            transfer: Duration::from_secs(30),
            idle_slice: Duration::from_secs(5),
            poll: Duration::from_secs(2),
        },
    }
}

/// The app without a terminal: state, store, worker and file thread,
/// commands carried out the way app.rs carries them out.
struct Bench {
    s: State,
    worker: WorkerHandle,
    store: StoreHandle,
    tx: UnboundedSender<(usize, WorkerEvent)>,
    rx: UnboundedReceiver<(usize, WorkerEvent)>,
    files_tx: UnboundedSender<FileEvent>,
    files_rx: UnboundedReceiver<FileEvent>,
    opened: OpenedFiles,
}

impl Bench {
    fn start(d: &Dovecot, download_dir: &Path) -> Bench {
        let store = memory_store();
        let (tx, rx) = unbounded_channel();
        let backend = ImapBackend::new(
            settings(d),
            ImapAuth::Password(PasswordSource::Plain(Secret::new(PASSWORD))),
        );
        let worker = mailtui::worker::spawn(
            0,
            "erin".into(),
            backend,
            store.clone(),
            WorkerOptions::default(),
            tx.clone(),
        );
        let info = AccountInfo {
            name: "erin".into(),
            email: USER.into(),
            kind: mailtui::state::ServerKind::Imap,
            server: format!("127.0.0.1:{}", d.imaps_port),
            auth: "password".into(),
            tenant: None,
            trash: None,
            archive: None,
            sent: None,
            drafts: None,
            appends_sent: true,
        };
        let mut s = State::new(vec![info], Vec::new(), 1_790_000_000, 0);
        s.files = FilesSettings {
            download_dir: download_dir.to_path_buf(),
            open_command: None,
        };
        let (files_tx, files_rx) = unbounded_channel();
        let mut b = Bench {
            s,
            worker,
            store,
            tx,
            rx,
            files_tx,
            files_rx,
            opened: OpenedFiles::default(),
        };
        let start = b.s.start();
        b.run(start);
        b.run(vec![Command::Worker {
            account: 0,
            command: WorkerCommand::Connect,
        }]);
        b
    }

    fn run(&mut self, commands: Vec<Command>) {
        for c in commands {
            match c {
                Command::Worker { command, .. } => {
                    self.worker.commands.send(command).expect("worker alive")
                }
                Command::Store { command, .. } => {
                    let (tx, w) = (self.tx.clone(), self.worker.commands.clone());
                    match command {
                        StoreCommand::LoadFolders => self.store.load_folders(0, tx),
                        StoreCommand::LoadFolder { path, req } => {
                            self.store.load_folder(0, path, req, tx)
                        }
                        StoreCommand::LoadMessage { folder, uid, req } => {
                            self.store.load_message(0, folder, uid, req, tx, w)
                        }
                        StoreCommand::LoadParts(r) => self.store.load_parts(0, r, tx, w),
                        StoreCommand::Threads { .. } | StoreCommand::Everywhere { .. } => {}
                    }
                }
                // On this thread: the test waits for it anyway.
                Command::Files(f) => {
                    mailtui::files::run(f, &self.files_tx, &self.opened);
                    while let Ok(ev) = self.files_rx.try_recv() {
                        let more = self.s.update(Action::Files(ev));
                        self.run(more);
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

    /// Feeds events to the state until `done` holds.
    async fn until(&mut self, what: &str, done: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !done(&self.s) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some((account, event))) => {
                    let cmds = self.s.update(Action::Worker { account, event });
                    self.run(cmds);
                }
                _ => panic!(
                    "waited 30s for {what}; notice: {:?}",
                    self.s.notice.as_ref().map(|n| n.text.to_string())
                ),
            }
        }
    }

    fn notice(&self) -> String {
        self.s
            .notice
            .as_ref()
            .map(|n| n.text.to_string())
            .unwrap_or_default()
    }

    fn subject(&self) -> Option<String> {
        match &self.s.accounts[0].reader.content {
            ReaderContent::Loaded(m) => m
                .headers
                .iter()
                .find(|(n, _)| *n == "Subject")
                .map(|(_, v)| v.to_string()),
            _ => None,
        }
    }
}

/// Every path under `root`, relative to it.
fn all_paths(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() && !p.is_symlink() {
                stack.push(p.clone());
            }
            out.push(
                p.strip_prefix(root)
                    .expect("under root")
                    .display()
                    .to_string(),
            );
        }
    }
    out.sort();
    out
}

fn server() -> Dovecot {
    let d = Dovecot::start();
    d.add_user(USER, PASSWORD);
    d.deliver(USER, "INBOX", &[(hostile_message(), "")]);
    d
}

#[tokio::test]
async fn hostile_attachment_names_are_saved_inside_the_download_dir() {
    let d = server();
    let root = tempfile::tempdir().expect("temp dir");
    // Missing: saving creates it.
    let downloads = root.path().join("home/Downloads");
    let mut b = Bench::start(&d, &downloads);
    b.until("the message in the reader", |s| {
        matches!(s.accounts[0].reader.content, ReaderContent::Loaded(_))
    })
    .await;
    assert_eq!(b.subject().as_deref(), Some("Your files"));

    b.key(UiAction::SaveAll);
    assert_eq!(b.notice(), "saving 10 attachments…");
    b.until("the save", |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.as_str().starts_with("saved"))
    })
    .await;
    let said = b.notice();
    assert!(
        said.starts_with(&format!("saved 10 files in {}", downloads.display()))
            && said.contains("broken.bin: damaged transfer encoding"),
        "{said}"
    );
    let long = format!("{}.pdf", "A".repeat(196));
    let mut expect = vec![
        "bashrc".to_string(),
        "_CON".into(),
        long.clone(),
        "evil.txt".into(),
        "invoicefdp.exe".into(),
        "zerowidth.txt".into(),
        "attachment.bin".into(),
        "attachment (1).bin".into(),
        "broken.bin".into(),
        "Inner report.eml".into(),
    ];
    expect.sort();
    let in_dir = |p: &str| format!("home/Downloads/{p}");
    let mut want: Vec<String> = expect.iter().map(|n| in_dir(n)).collect();
    want.extend(["home".to_string(), "home/Downloads".to_string()]);
    want.sort();
    assert_eq!(all_paths(root.path()), want, "nothing outside the dir");
    let read = |n: &str| std::fs::read(downloads.join(n)).expect("saved file");
    assert_eq!(read("bashrc"), b"echo pwned");
    assert_eq!(read(&long), b"long");
    assert!(read("broken.bin").starts_with(b"Hel"));
    assert!(read("Inner report.eml").starts_with(b"From: Trent"));

    // Again, with a symlink planted at the next name: never followed,
    // nothing overwritten.
    let outside = root.path().join("outside-target");
    std::os::unix::fs::symlink(&outside, downloads.join("bashrc (1)")).expect("symlink");
    b.key(UiAction::SaveAll);
    b.until("the second save", |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.as_str().starts_with("saved"))
    })
    .await;
    assert!(!outside.exists(), "written through the symlink");
    assert_eq!(read("bashrc (2)"), b"echo pwned");
    assert_eq!(read("bashrc"), b"echo pwned");
    assert_eq!(read("_CON (1)"), b"device");
    let files = all_paths(&downloads);
    assert_eq!(files.len(), 21, "{files:?}");
    assert!(
        all_paths(root.path())
            .iter()
            .all(|p| p == "home" || p.starts_with("home/Downloads")),
        "nothing outside the dir"
    );
}

#[tokio::test]
async fn an_attached_message_opens_in_the_reader_and_closes_again() {
    let d = server();
    let root = tempfile::tempdir().expect("temp dir");
    let downloads = root.path().join("dl");
    let mut b = Bench::start(&d, &downloads);
    b.until("the message in the reader", |s| {
        matches!(s.accounts[0].reader.content, ReaderContent::Loaded(_))
    })
    .await;
    b.key(UiAction::Parts);
    for _ in 0..20 {
        let on_message =
            b.s.menu
                .as_ref()
                .and_then(|m| m.part())
                .is_some_and(|p| p.kind == PartKind::Message);
        if on_message {
            break;
        }
        b.key(UiAction::Down);
    }
    let section =
        b.s.menu
            .as_ref()
            .and_then(|m| m.part())
            .map(|p| p.section.clone());
    assert_eq!(section.as_deref(), Some("11"));
    b.key(UiAction::Open);
    b.until("the attached message", |s| {
        matches!(s.accounts[0].reader.content, ReaderContent::Loaded(_))
    })
    .await;
    assert_eq!(b.subject().as_deref(), Some("Inner report"));
    assert_eq!(b.s.accounts[0].reader.outer.len(), 1);

    // Its attachment, by its number under the attached message.
    b.key(UiAction::Parts);
    b.key(UiAction::Bottom);
    b.key(UiAction::SavePart);
    b.until("the save", |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.as_str().starts_with("saved"))
    })
    .await;
    assert_eq!(
        std::fs::read(downloads.join("numbers.csv")).expect("saved"),
        b"room,area\r\nA,12"
    );
    b.key(UiAction::Back);
    assert!(b.s.menu.is_none());
    b.key(UiAction::Back);
    assert_eq!(b.subject().as_deref(), Some("Your files"));
    assert!(b.s.accounts[0].reader.outer.is_empty());
    assert_eq!(all_paths(root.path()), ["dl", "dl/numbers.csv"]);
}

/// A kept body answers parts requests without the worker.
#[tokio::test]
async fn parts_of_a_kept_body_come_from_the_store() {
    let d = server();
    let root = tempfile::tempdir().expect("temp dir");
    let mut b = Bench::start(&d, root.path());
    // The store answers from a kept body only once it knows the folder's
    // UIDVALIDITY, which it learns when the sync commits: wait for both
    // events. The worker queued the body's write before sending the
    // message, and the commit before Synced; the store runs jobs in order,
    // so a job sent now runs after both.
    b.until("the message in the reader and the folder synced", |s| {
        matches!(s.accounts[0].reader.content, ReaderContent::Loaded(_))
            && s.accounts[0].list.synced_at.is_some()
    })
    .await;
    let folder = b.s.accounts[0].folder_ref().expect("folder known");
    let uid = b.s.accounts[0].reader.uid.expect("a message");
    let (tx, mut rx) = unbounded_channel();
    let (wtx, mut wrx) = unbounded_channel();
    b.store.load_parts(
        0,
        PartsRequest {
            folder,
            uid,
            sections: vec!["2".into(), "10".into()],
            req: 99,
            view: false,
        },
        tx,
        wtx,
    );
    let (_, ev) = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("an answer")
        .expect("channel open");
    let WorkerEvent::Parts { req: 99, parts } = ev else {
        panic!("{ev:?}")
    };
    assert_eq!(parts[0].bytes, b"echo pwned");
    assert_eq!(parts[0].file_name.as_deref(), Some("../../.bashrc"));
    assert!(parts[1].damaged);
    assert!(wrx.try_recv().is_err(), "the worker was not asked");

    // The worker's way (the body fetched from the server), for a view.
    let folder = b.s.accounts[0].folder_ref().expect("folder known");
    b.worker
        .commands
        .send(WorkerCommand::FetchParts(PartsRequest {
            folder,
            uid,
            sections: vec!["11".into()],
            req: 100,
            view: true,
        }))
        .expect("worker alive");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let view = loop {
        match tokio::time::timeout_at(deadline, b.rx.recv()).await {
            Ok(Some((_, WorkerEvent::Message { req: 100, message }))) => break message,
            Ok(Some((_, WorkerEvent::PartsFailed { req: 100, error }))) => panic!("{error}"),
            Ok(Some(_)) => {}
            _ => panic!("no answer from the worker"),
        }
    };
    assert_eq!(view.headers[1].1.as_str(), "Inner report");
    assert!(view.body.as_str().contains("inner words"));
}
