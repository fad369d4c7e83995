//! Big-mailbox figures on real parts: a private Dovecot with 100,000
//! messages on loopback TLS. Prints medians; asserts nothing (speed is
//! measured here, not in the tests). Run: `cargo bench --bench mailbox`
//! (MAILTUI_BENCH_MESSAGES to change the size).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use mailtui::action::Action;
use mailtui::auth::{PasswordSource, Secret};
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts, TlsMode};
use mailtui::mail::MailBackend;
use mailtui::state::{AccountInfo, State};
use mailtui::worker::{self, WorkerCommand, WorkerEvent};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::dovecot::Dovecot;

const USER: &str = "bench@example.com";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn backend(d: &Dovecot) -> ImapBackend {
    let settings = ImapSettings {
        host: "127.0.0.1".into(),
        port: d.imaps_port,
        tls: TlsMode::Implicit,
        ca_file: Some(d.ca_file.clone()),
        username: USER.into(),
        timeouts: Timeouts::default(),
    };
    ImapBackend::new(
        settings,
        ImapAuth::Password(PasswordSource::Plain(Secret::new("pw"))),
    )
}

fn main() {
    let n: u32 = std::env::var("MAILTUI_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let d = Dovecot::start();
    d.add_user(USER, "pw");
    let t = Instant::now();
    let batch = 5_000;
    for start in (1..=n).step_by(batch) {
        let msgs: Vec<(Vec<u8>, &str)> = (start..(start + batch as u32).min(n + 1))
            .map(|i| (support::fixtures::simple(i as usize), "S"))
            .collect();
        d.deliver(USER, "INBOX", &msgs);
    }
    d.index(USER);
    println!(
        "setup: {n} messages written and indexed in {:.1?}",
        t.elapsed()
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");

    // Connect + SELECT + first screen (100 newest envelopes), five times.
    let mut first = Vec::new();
    let mut select = Vec::new();
    for _ in 0..5 {
        rt.block_on(async {
            let mut b = backend(&d);
            b.connect().await.expect("connect");
            let t = Instant::now();
            let st = b.open_folder("INBOX").await.expect("select");
            select.push(t.elapsed());
            let envs = b
                .fetch_envelopes(st.exists - 99..=st.exists)
                .await
                .expect("fetch");
            assert_eq!(envs.len(), 100);
            first.push(t.elapsed());
            b.disconnect().await;
        });
    }
    println!("SELECT INBOX: median {:.1?}", median(select));
    println!(
        "SELECT + first screen (100 envelopes): median {:.1?}",
        median(first)
    );

    // The whole folder through the worker, as the app loads it.
    let mut full = Vec::new();
    let mut first_event = Vec::new();
    for _ in 0..3 {
        rt.block_on(async {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let w = worker::spawn(0, "bench".into(), backend(&d), tx);
            w.commands.send(WorkerCommand::Connect).unwrap();
            w.commands
                .send(WorkerCommand::OpenFolder {
                    path: "INBOX".into(),
                    req: 1,
                })
                .unwrap();
            let t = Instant::now();
            let mut loaded = 0usize;
            while let Some((_, ev)) = rx.recv().await {
                if let WorkerEvent::Envelopes {
                    envelopes,
                    remaining,
                    ..
                } = ev
                {
                    if loaded == 0 {
                        first_event.push(t.elapsed());
                    }
                    loaded += envelopes.len();
                    if remaining == 0 {
                        break;
                    }
                }
            }
            assert_eq!(loaded, n as usize);
            full.push(t.elapsed());
            w.commands.send(WorkerCommand::Shutdown).unwrap();
        });
    }
    println!(
        "worker: connect + first rows on screen: median {:.1?}",
        median(first_event)
    );
    println!(
        "worker: all {n} envelopes loaded: median {:.1?}",
        median(full)
    );

    // Drawing a frame with the whole folder in the list.
    let envelopes = rt.block_on(async {
        let mut b = backend(&d);
        b.connect().await.expect("connect");
        b.open_folder("INBOX").await.expect("select");
        let mut all = b.fetch_envelopes(1..=n).await.expect("fetch all");
        all.sort_by_key(|e| std::cmp::Reverse(e.uid));
        all
    });
    let info = AccountInfo {
        name: "bench".into(),
        email: USER.into(),
        kind: "IMAP",
        server: "127.0.0.1".into(),
        auth: "password".into(),
        tenant: None,
    };
    let mut state = State::new(vec![info], Vec::new(), 1_793_711_100, 0);
    state.update(Action::Resize {
        width: 120,
        height: 40,
    });
    let cmds = state.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Folders(vec![mailtui::mail::types::Folder {
            path: "INBOX".into(),
            name: mailtui::sanitize::Clean::line("Inbox"),
            depth: 0,
            selectable: true,
            role: mailtui::mail::types::FolderRole::Inbox,
        }]),
    });
    let Some(mailtui::action::Command::Worker {
        command: WorkerCommand::OpenFolder { req, .. },
        ..
    }) = cmds.first()
    else {
        panic!("inbox did not open")
    };
    let req = *req;
    state.update(Action::Worker {
        account: 0,
        event: WorkerEvent::FolderOpened {
            path: "INBOX".into(),
            req,
            exists: n,
        },
    });
    state.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Envelopes {
            req,
            envelopes,
            remaining: 0,
        },
    });
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut frames = Vec::new();
    for i in 0..200 {
        state.update(Action::Ui(if i % 2 == 0 {
            mailtui::action::UiAction::PageDown
        } else {
            mailtui::action::UiAction::Down
        }));
        let t = Instant::now();
        terminal
            .draw(|f| mailtui::ui::draw(&state, f))
            .expect("draw");
        frames.push(t.elapsed());
    }
    println!(
        "draw one 120x40 frame with {n} messages listed: median {:.2?}",
        median(frames)
    );
}
