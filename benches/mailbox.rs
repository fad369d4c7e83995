//! Big-mailbox figures on real parts: private Dovecots (full, and
//! Exchange-shaped) with 100,000 messages on loopback TLS, the real binary
//! in tmux, and the worker and store in process. Prints medians; asserts
//! nothing (speed is measured here, not in the tests).
//! Run: `cargo bench --bench mailbox` (MAILTUI_BENCH_MESSAGES to change
//! the size; MAILTUI_BENCH_ONLY=process for the real binary's figures only,
//! MAILTUI_BENCH_ONLY=store for the store's writes only;
//! MAILTUI_BENCH_ONLY=ui for the list's figures only (search, limit, frames);
//! MAILTUI_BENCH_ONLY=fts for the full-text index's figures (mailbox/fts.rs);
//! MAILTUI_BENCH_ONLY=startup for the start-up figures and timeline, with
//! MAILTUI_BENCH_BASE_BIN=another build's binary to compare in turns).

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "mailbox/fts.rs"]
mod fts;

use std::path::Path;
use std::time::{Duration, Instant};

use mailtui::action::{Action, UiAction};
use mailtui::auth::{PasswordSource, Secret};
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts, TlsMode};
use mailtui::mail::MailBackend;
use mailtui::state::{AccountInfo, State};
use mailtui::store::{self, Store, StoreHandle};
use mailtui::worker::{WorkerCommand, WorkerEvent, WorkerHandle, WorkerOptions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::dovecot::{Dovecot, Options};
use support::events::{Events, start};
use support::other::OtherDevice;
use support::tmux::Tmux;

const USER: &str = "bench@example.com";
const BIN: &str = env!("CARGO_BIN_EXE_mailtui");

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn show(what: &str, v: Vec<Duration>) -> Duration {
    let n = v.len();
    let (lo, hi) = (
        v.iter().min().copied().unwrap_or_default(),
        v.iter().max().copied().unwrap_or_default(),
    );
    let m = median(v);
    println!("{what}: median {m:.1?} (min {lo:.1?}, max {hi:.1?}, n={n})");
    m
}

fn settings(d: &Dovecot) -> ImapSettings {
    ImapSettings {
        host: "127.0.0.1".into(),
        port: d.imaps_port,
        tls: TlsMode::Implicit,
        ca_file: Some(d.ca_file.clone()),
        username: USER.into(),
        timeouts: Timeouts::default(),
    }
}

fn backend(d: &Dovecot) -> ImapBackend {
    ImapBackend::new(
        settings(d),
        ImapAuth::Password(PasswordSource::Plain(Secret::new("pw"))),
    )
}

fn file_store(dir: &Path) -> StoreHandle {
    let f = store::file_for(dir, "bench");
    StoreHandle::spawn("bench", move || Store::open(&f, "bench", u64::MAX))
}

fn server(n: u32, exchange: bool) -> Dovecot {
    let d = Dovecot::start_with(Options {
        exchange,
        big_folders: true,
        ..Options::default()
    });
    d.add_user(USER, "pw");
    let t = Instant::now();
    let batch = 5_000;
    for start in (1..=n).step_by(batch) {
        let msgs: Vec<(Vec<u8>, &str)> = (start..(start + batch as u32).min(n + 1))
            .map(|i| (support::fixtures::simple(i as usize), "S"))
            .collect();
        d.deliver(USER, "INBOX", &msgs);
    }
    d.deliver(USER, "Archive", &support::fixtures::bulk(10, ""));
    println!("setup: {n} messages written in {:.1?}", t.elapsed());
    d
}

/// Asks the worker to open a folder (the screen's request id `req`).
fn open(w: &WorkerHandle, path: &str, req: u64) {
    w.commands
        .send(WorkerCommand::OpenFolder {
            path: path.into(),
            req,
        })
        .expect("the worker takes commands");
}

/// Waits for an event; returns when it came. A closed channel never
/// answers (the other branch of a select wins).
async fn wait(rx: &mut Events, what: impl Fn(&WorkerEvent) -> bool) -> Instant {
    loop {
        match tokio::time::timeout(Duration::from_secs(600), rx.recv()).await {
            Ok(Some((_, e))) if what(&e) => return Instant::now(),
            Ok(Some(_)) => {}
            Ok(None) => std::future::pending::<()>().await,
            Err(_) => panic!("no such event within 600 s"),
        }
    }
}

fn is_synced(e: &WorkerEvent) -> bool {
    matches!(e, WorkerEvent::Synced { .. })
}

fn has_rows(e: &WorkerEvent) -> bool {
    matches!(e, WorkerEvent::Inserted { envelopes, .. } | WorkerEvent::Stored { envelopes, .. } if !envelopes.is_empty())
}

/// Opens INBOX the way the app does (store and worker asked together):
/// time to the first rows and to a finished reconcile.
async fn open_inbox(d: &Dovecot, cache: &Path) -> (Duration, Duration) {
    let store = file_store(cache);
    let t = Instant::now();
    let (w, mut rx) = start(backend(d), store.clone(), WorkerOptions::default());
    let (tx, mut ui) = tokio::sync::mpsc::unbounded_channel();
    store.load_folder(0, "INBOX".into(), 1, tx);
    w.commands.send(WorkerCommand::Connect).unwrap();
    open(&w, "INBOX", 1);
    // The first rows come from the store when it has them, else the server.
    let first = tokio::select! {
        at = wait(&mut ui, has_rows) => at,
        at = wait(&mut rx, has_rows) => at,
    };
    let synced = wait(&mut rx, is_synced).await;
    w.commands.send(WorkerCommand::Shutdown).unwrap();
    let _ = w.join.await;
    drop(store);
    // Let the store thread finish its writes before the next run reads.
    tokio::time::sleep(Duration::from_millis(500)).await;
    (first - t, synced - t)
}

async fn profile(name: &str, d: &Dovecot, n: u32) {
    println!("\n== {name} ==");
    // A minimal client: TLS + login + SELECT + one screen of rows.
    let minimal = minimal_first_screen(d, 5).await;
    show(
        "minimal client: connect + login + SELECT + 100 rows",
        minimal,
    );

    // The server's text search over the whole folder (body text).
    let mut b = backend(d);
    b.connect().await.expect("connect");
    b.select("INBOX", None).await.expect("select");
    let mut searched = Vec::new();
    for i in 0..3 {
        let t = Instant::now();
        let query =
            mailtui::query::parse(&format!("\"Body of message {}\"", 4242 + i)).expect("a query");
        let now = mailtui::query::Now {
            unix: 1_800_000_000,
            utc_offset: 0,
        };
        let found = b.search(&query, &now).await.expect("search");
        searched.push(t.elapsed());
        assert!(!found.is_empty() || n < 4242);
    }
    show(
        "server text search (UID SEARCH TEXT) over the folder",
        searched,
    );
    b.disconnect().await;

    let cache = tempfile::tempdir().expect("tmp");
    let mut cold_first = Vec::new();
    let mut cold_full = Vec::new();
    for i in 0..3 {
        let dir = cache.path().join(format!("cold{i}"));
        let (f, s) = open_inbox(d, &dir).await;
        cold_first.push(f);
        cold_full.push(s);
    }
    show("empty store: first rows", cold_first);
    show(
        &format!("empty store: all {n} rows, folder up to date"),
        cold_full,
    );

    let warm = cache.path().join("cold0");
    let mut warm_first = Vec::new();
    let mut warm_sync = Vec::new();
    for _ in 0..5 {
        let (f, s) = open_inbox(d, &warm).await;
        warm_first.push(f);
        warm_sync.push(s);
    }
    show("warm store: first rows (from the store)", warm_first);
    show("warm store: reconcile, nothing changed", warm_sync);

    let mut changed = Vec::new();
    for round in 0..3 {
        let mut phone = OtherDevice::connect(d.imap_port, USER, "pw").await;
        for i in 0..100 {
            let m =
                format!("From: x@example.com\r\nSubject: round {round} new {i}\r\n\r\nbody\r\n");
            phone.append("INBOX", m.as_bytes()).await;
        }
        phone.select("INBOX").await;
        let sign = if round % 2 == 0 { '-' } else { '+' };
        phone
            .store("1:1000", &format!("{sign}FLAGS.SILENT (\\Seen)"))
            .await;
        let (_, s) = open_inbox(d, &warm).await;
        changed.push(s);
    }
    show(
        "warm store: reconcile 100 new + 1,000 flag changes",
        changed,
    );

    // New mail on screen after delivery, with the folder open and idle;
    // and switching folders on that connection.
    let store = file_store(&warm);
    let (w, mut rx) = start(backend(d), store.clone(), WorkerOptions::default());
    w.commands.send(WorkerCommand::Connect).unwrap();
    open(&w, "INBOX", 1);
    wait(&mut rx, is_synced).await;
    let mut latency = Vec::new();
    for i in 0..5 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let t = Instant::now();
        d.save(
            USER,
            "INBOX",
            format!("Subject: live {i}\r\n\r\nx\r\n").as_bytes(),
        );
        let at = wait(
            &mut rx,
            |e| matches!(e, WorkerEvent::Inserted { envelopes, .. } if !envelopes.is_empty()),
        )
        .await;
        latency.push(at - t);
    }
    show("new mail delivered -> row in the list", latency);
    let mut to_inbox = Vec::new();
    let mut to_inbox_synced = Vec::new();
    let mut req = 10;
    for _ in 0..5 {
        for path in ["Archive", "INBOX"] {
            req += 1;
            let t = Instant::now();
            let (tx, mut ui) = tokio::sync::mpsc::unbounded_channel();
            store.load_folder(0, path.into(), req, tx);
            open(&w, path, req);
            // Rows from the store, or (first visit) from the server.
            let done =
                |e: &WorkerEvent| matches!(e, WorkerEvent::Synced { req: r, .. } if *r == req);
            let (mut first, mut synced) = (None, None);
            while synced.is_none() {
                tokio::select! {
                    Some((_, e)) = ui.recv() => if has_rows(&e) {
                        first.get_or_insert(Instant::now());
                    },
                    Some((_, e)) = rx.recv() => {
                        if has_rows(&e) || done(&e) {
                            first.get_or_insert(Instant::now());
                        }
                        if done(&e) {
                            synced = Some(Instant::now());
                        }
                    }
                }
            }
            let (first, synced) = (first.unwrap_or(t), synced.unwrap_or(t));
            if path == "INBOX" {
                to_inbox.push(first - t);
                to_inbox_synced.push(synced - t);
            }
        }
    }
    show(
        &format!("folder switch back to the {n}-message INBOX: first rows"),
        to_inbox,
    );
    show("folder switch back to INBOX: up to date", to_inbox_synced);
    w.commands.send(WorkerCommand::Shutdown).unwrap();
}

/// The list query with and without BODYSTRUCTURE, on a server that never
/// saw the folder, through a raw session.
async fn list_query_cost(d: &Dovecot, label: &str) {
    let old = "(UID FLAGS RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT)])";
    let new = "(UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE)])";
    for (what, q) in [("with BODYSTRUCTURE", old), ("header fields only", new)] {
        let mut phone = OtherDevice::connect(d.imap_port, USER, "pw").await;
        phone.select("INBOX").await;
        let t = Instant::now();
        let n = phone.fetch_count("1:*", q).await;
        println!(
            "{label}: FETCH 1:* {what}: {:.1?} ({n} responses)",
            t.elapsed()
        );
    }
}

fn config(dir: &Path, d: &Dovecot) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[[accounts]]\nname = \"bench\"\nemail = \"{USER}\"\nprovider = \"generic\"\n\
             imap = {{ host = \"127.0.0.1\", port = {}, tls = \"implicit\" }}\n\
             ca_file = \"{}\"\nauth = {{ method = \"password\", password = \"pw\" }}\n",
            d.imaps_port,
            d.ca_file.display()
        ),
    )
    .expect("config");
    path
}

/// The real binary: process start to the newest message on screen, and
/// resident memory once every row is loaded.
fn process_level(d: &Dovecot, n: u32) {
    println!("\n== the binary in tmux (full profile) ==");
    let newest = format!("Message number {n}");
    let all = format!(
        "Inbox · {} ",
        mailtui::text::format::thousands(u64::from(n))
    );
    // What tmux and the screen polling cost alone: a program that prints
    // the same line at once. The in-process minimal client has neither.
    let mut baseline = Vec::new();
    for _ in 0..5 {
        let home = tempfile::tempdir().expect("tmp");
        let script = format!("printf '%s\\n' '{newest}'; sleep 30");
        let t = Instant::now();
        let tm = Tmux::start(home.path(), 120, 40, "sh", &["-c", &script]);
        while !tm.screen().contains(&newest) {
            assert!(t.elapsed() < Duration::from_secs(10), "no baseline line");
            std::thread::sleep(Duration::from_millis(2));
        }
        baseline.push(t.elapsed());
    }
    show(
        "tmux start -> a printed line on screen (baseline)",
        baseline,
    );
    // MAILTUI_BENCH_BINS=a:b compares builds in the same run, rounds
    // interleaved (machines drift; a ratio in one run is what counts).
    let bins: Vec<String> = std::env::var("MAILTUI_BENCH_BINS")
        .map(|v| v.split(':').map(str::to_string).collect())
        .unwrap_or_else(|_| vec![BIN.to_string()]);
    // Start to newest row (empty store, warm store), resident MB once all
    // rows are in (same), and start to all rows in on an empty store.
    type Figures = (
        Vec<Duration>,
        Vec<Duration>,
        Vec<(u64, u64)>,
        Vec<(u64, u64)>,
        Vec<Duration>,
    );
    let mut figures: Vec<Figures> = vec![Default::default(); bins.len()];
    let mut alpine = Vec::new();
    // A full load of a million rows takes more than a test's 15 s.
    let big = Duration::from_secs(15 + u64::from(n) / 2_000);
    let runs: usize = std::env::var("MAILTUI_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    for _ in 0..runs {
        for (bin, (cold, warm, rss_cold, rss_warm, loaded)) in bins.iter().zip(figures.iter_mut()) {
            let home = tempfile::tempdir().expect("tmp");
            let cfg = config(home.path(), d);
            for (empty, times, rss) in [
                (true, &mut *cold, &mut *rss_cold),
                (false, &mut *warm, &mut *rss_warm),
            ] {
                let t = Instant::now();
                let tm = Tmux::start(
                    home.path(),
                    120,
                    40,
                    bin,
                    &["--config", cfg.to_str().unwrap_or("")],
                );
                loop {
                    if tm.screen().contains(&newest) {
                        break;
                    }
                    assert!(
                        t.elapsed() < Duration::from_secs(120),
                        "no first screen:\n{}",
                        tm.screen()
                    );
                    std::thread::sleep(Duration::from_millis(2));
                }
                times.push(t.elapsed());
                // Every row loaded and the folder up to date.
                tm.wait_until_within("all rows", big, |s| {
                    s.contains(&all) && !s.contains("syncing")
                });
                if empty {
                    loaded.push(t.elapsed());
                }
                let pid = tm.query("#{pane_pid}");
                if let (Some(kb), Some(peak)) = (
                    child_rss_kb(pid.trim()),
                    child_status_kb(pid.trim(), "VmHWM:"),
                ) {
                    rss.push((kb / 1024, peak / 1024));
                }
                tm.send(&["q"]);
                tm.wait_exit();
            }
        }
        if std::env::var("MAILTUI_BENCH_ALPINE").is_ok() {
            alpine.push(alpine_first_screen(d, n));
        }
    }
    for (bin, (cold, warm, rss_cold, rss_warm, loaded)) in bins.iter().zip(figures) {
        println!("-- {bin}");
        show(
            "process start -> newest message on screen, empty store",
            cold,
        );
        show(
            "process start -> newest message on screen, warm store",
            warm,
        );
        show(
            &format!("process start -> all {n} rows listed, empty store"),
            loaded,
        );
        println!(
            "resident memory with all {n} rows loaded (now, peak): {rss_cold:?} MB from the server, {rss_warm:?} MB from the store (each run)"
        );
    }
    if !alpine.is_empty() {
        show(
            "Alpine: process start -> newest message on screen (password typed at its prompt)",
            alpine,
        );
    }
}

/// Alpine on the same folder over TLS: start to the newest subject on
/// screen; the password is typed as soon as it asks.
fn alpine_first_screen(d: &Dovecot, n: u32) -> Duration {
    let home = tempfile::tempdir().expect("tmp");
    let folder = format!(
        "{{127.0.0.1:{}/ssl/novalidate-cert/user={USER}}}INBOX",
        d.imaps_port
    );
    // Without it a first start says it creates it and sleeps 4 s.
    std::fs::create_dir(home.path().join("mail")).expect("mail dir");
    let pinerc = home.path().join("pinerc");
    std::fs::write(
        &pinerc,
        // A complete setup: Alpine pauses 3 s on each warning about a
        // missing domain, and c-client tries rsh/ssh before TCP.
        format!(
            "inbox-path={folder}\nlast-version-used=2.26\nuser-domain=example.com\n\
             personal-name=Bench\nsmtp-server=127.0.0.1\nrsh-open-timeout=0\n\
             ssh-open-timeout=0\nfeature-list=quit-without-confirm\n"
        ),
    )
    .expect("pinerc");
    let subject = format!("Message number {n}");
    let t = Instant::now();
    let tm = Tmux::start(
        home.path(),
        120,
        40,
        "alpine",
        &["-p", pinerc.to_str().unwrap_or(""), "-i"],
    );
    let (mut typed, mut greeted, mut kept) = (false, false, false);
    loop {
        let screen = tm.screen();
        if screen.contains(&subject) {
            break;
        }
        // A first start greets; its key goes as soon as it shows.
        if !greeted && screen.contains("Exit this greeting") {
            tm.send(&["E"]);
            greeted = true;
        }
        if !kept && screen.contains("Preserve password on DISK") {
            tm.send(&["N"]);
            kept = true;
        }
        if !typed && screen.to_uppercase().contains("PASSWORD") {
            tm.send_raw("pw");
            tm.send(&["Enter"]);
            typed = true;
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "Alpine showed no first screen:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let took = t.elapsed();
    tm.kill_session();
    took
}

/// VmRSS of the mailtui process under the pane's shell.
fn child_rss_kb(shell_pid: &str) -> Option<u64> {
    child_status_kb(shell_pid, "VmRSS:")
}

/// A `/proc/<pid>/status` figure in kB (VmRSS, VmHWM = peak resident) of
/// the program under the pane's shell.
fn child_status_kb(shell_pid: &str, field: &str) -> Option<u64> {
    let children =
        std::fs::read_to_string(format!("/proc/{shell_pid}/task/{shell_pid}/children")).ok()?;
    let pid = children.split_whitespace().next()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Drawing and moving with the whole folder listed.
async fn ui_figures(d: &Dovecot, n: u32) {
    println!("\n== the list, in process ==");
    let mut b = backend(d);
    b.connect().await.expect("connect");
    b.select("INBOX", None).await.expect("select");
    let uids = b.all_uids().await.expect("uids");
    let mut envelopes = Vec::new();
    for chunk in uids.chunks(5000) {
        envelopes.extend(
            b.fetch_rows(chunk)
                .await
                .expect("rows")
                .into_iter()
                .map(|r| r.envelope),
        );
    }
    envelopes.sort_by_key(|e| std::cmp::Reverse(e.uid));
    let heap: usize = envelopes
        .iter()
        .map(|e| e.from.as_str().len() + e.subject.as_str().len())
        .sum();
    println!(
        "one row: {} bytes inline + {} bytes of text on average",
        std::mem::size_of::<mailtui::mail::types::Envelope>(),
        heap / envelopes.len().max(1)
    );
    let info = AccountInfo {
        name: "bench".into(),
        email: USER.into(),
        kind: mailtui::state::ServerKind::Imap,
        server: "127.0.0.1".into(),
        auth: "password".into(),
        tenant: None,
        trash: None,
        archive: None,
        sent: None,
        drafts: None,
        appends_sent: true,
    };
    let mut state = State::new(vec![info], Vec::new(), 1_793_711_100, 0);
    state.update(Action::Resize {
        width: 120,
        height: 40,
    });
    let cmds = state.start();
    let req = cmds
        .iter()
        .find_map(|c| match c {
            mailtui::action::Command::Worker {
                command: WorkerCommand::OpenFolder { req, .. },
                ..
            } => Some(*req),
            _ => None,
        })
        .expect("inbox opens");
    state.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Selected {
            path: "INBOX".into(),
            req,
            uid_validity: 1,
            exists: n,
        },
    });
    let t = Instant::now();
    state.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Inserted {
            req,
            envelopes,
            remaining: 0,
        },
    });
    println!("insert {n} rows into the list: {:.1?}", t.elapsed());
    // Search as you type: each key filters every stored row.
    let query_now = mailtui::query::Now {
        unix: 1_800_000_000,
        utc_offset: 0,
    };
    let here = mailtui::query::Place {
        account: "bench",
        folder: "INBOX",
        delimiter: None,
    };
    let mut typed = Vec::new();
    for text in [
        "n",
        "nu",
        "num",
        "numb",
        "number 4",
        "number 42",
        "number 4242",
    ] {
        let t = Instant::now();
        if let Some(acc) = state.accounts.get_mut(0) {
            let _ = acc.list.search_local(text, &query_now, here);
        }
        typed.push(t.elapsed());
    }
    show(
        &format!("search as you type over {n} rows (per key)"),
        typed,
    );
    // The limit view: which rows match, in display order; each query put
    // on, then taken off, 7 times.
    for text in [
        "is:unread",
        "from:sender subject:4242",
        "-is:flagged",
        "number OR larger:1k",
    ] {
        let mut on = Vec::new();
        let mut off = Vec::new();
        for _ in 0..7 {
            let query = mailtui::query::parse(text).expect("a query");
            let t = Instant::now();
            if let Some(acc) = state.accounts.get_mut(0) {
                let at = mailtui::state::limit::Where {
                    account: "bench".into(),
                    folder: "INBOX".into(),
                };
                let limit = mailtui::state::limit::Limit::new(text, query, query_now, at);
                acc.list.set_limit(Some(limit), 30);
            }
            on.push(t.elapsed());
            let t = Instant::now();
            if let Some(acc) = state.accounts.get_mut(0) {
                acc.list.set_limit(None, 30);
            }
            off.push(t.elapsed());
        }
        show(&format!("limit \"{text}\" over {n} rows (apply)"), on);
        show(&format!("limit \"{text}\" taken off"), off);
    }
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut frames = Vec::new();
    for i in 0..200 {
        let t = Instant::now();
        state.update(Action::Ui(if i % 2 == 0 {
            UiAction::PageDown
        } else {
            UiAction::Down
        }));
        terminal
            .draw(|f| mailtui::ui::draw(&state, &Default::default(), f))
            .expect("draw");
        frames.push(t.elapsed());
    }
    show(
        &format!("key -> 120x40 frame with {n} messages listed"),
        frames,
    );
}

/// A minimal client through mailtui's backend: TLS + login + SELECT + the
/// newest 100 rows, `runs` times.
async fn minimal_first_screen(d: &Dovecot, runs: usize) -> Vec<Duration> {
    let mut minimal = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let mut b = backend(d);
        b.connect().await.expect("connect");
        let st = b.select("INBOX", None).await.expect("select");
        let newest: Vec<u32> = (st.exists.saturating_sub(99)..=st.exists).collect();
        b.fetch_rows(&newest).await.expect("fetch");
        minimal.push(t.elapsed());
        b.disconnect().await;
    }
    minimal
}

/// A minimal client's whole-folder fetch over TLS: one `FETCH 1:*` of
/// what a list row needs (or ENVELOPE), answers counted as they stream.
async fn minimal_full_fetch(d: &Dovecot, query: &str) -> (Duration, usize) {
    use futures::TryStreamExt;
    let t = Instant::now();
    let mut session = minimal_session(d).await;
    let n = session
        .fetch("1:*", query)
        .await
        .expect("fetch")
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await
        .expect("fetch answer");
    let took = t.elapsed();
    let _ = session.logout().await;
    (took, n)
}

/// Every row of an empty store: the worker's full load against a minimal
/// client's single FETCH, in the same run.
async fn full_load(d: &Dovecot, n: u32, runs: usize) {
    println!("\n== full load, empty store ==");
    let rows = format!(
        "(UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS ({})])",
        mailtui::mail::list_row::LIST_HEADERS
    );
    let mut env = Vec::new();
    let mut row = Vec::new();
    let mut ours = Vec::new();
    for i in 0..runs {
        let (t, c) = minimal_full_fetch(d, "(UID FLAGS ENVELOPE)").await;
        assert_eq!(c as u32, n, "ENVELOPE answers");
        env.push(t);
        let (t, c) = minimal_full_fetch(d, &rows).await;
        assert_eq!(c as u32, n, "row answers");
        row.push(t);
        let cache = tempfile::tempdir().expect("tmp");
        let (_, all) = open_inbox(d, &cache.path().join(format!("load{i}"))).await;
        ours.push(all);
    }
    let e = show(
        "minimal client over TLS: FETCH 1:* (UID FLAGS ENVELOPE)",
        env,
    );
    let r = show(
        "minimal client over TLS: FETCH 1:* with the list's header fields",
        row,
    );
    let o = show(
        &format!("mailtui's worker: all {n} rows, empty store"),
        ours,
    );
    println!(
        "ratio: {:.2}x the ENVELOPE fetch, {:.2}x the header-field fetch",
        o.as_secs_f64() / e.as_secs_f64(),
        o.as_secs_f64() / r.as_secs_f64()
    );
}

/// A minimal client's session over TLS, logged in, INBOX selected.
async fn minimal_session(
    d: &Dovecot,
) -> async_imap::Session<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    use rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls;
    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(&d.ca_file).expect("ca");
    for c in rustls::pki_types::CertificateDer::pem_slice_iter(&pem) {
        roots.add(c.expect("ca pem")).expect("ca add");
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("tls versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", d.imaps_port))
        .await
        .expect("tcp");
    let tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
        .connect("localhost".try_into().expect("name"), tcp)
        .await
        .expect("tls");
    let mut client = async_imap::Client::new(tls);
    client.read_response().await.expect("greeting");
    let mut session = client
        .login(USER, "pw")
        .await
        .map_err(|e| e.0)
        .expect("login");
    session.select("INBOX").await.expect("select");
    session
}

/// The whole UID list: one `UID SEARCH ALL` as a minimal client reads it,
/// and mailtui's slices.
async fn uid_list(d: &Dovecot, n: u32) {
    let mut session = minimal_session(d).await;
    let t = Instant::now();
    let all = session.uid_search("ALL").await.expect("search");
    show(
        &format!(
            "minimal client: UID SEARCH ALL, one answer ({} UIDs)",
            all.len()
        ),
        vec![t.elapsed()],
    );
    let _ = session.logout().await;
    let mut b = backend(d);
    b.connect().await.expect("connect");
    b.select("INBOX", None).await.expect("select");
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let uids = b.all_uids().await.expect("uids");
        times.push(t.elapsed());
        assert_eq!(uids.len() as u32, n, "listed UIDs");
    }
    show("mailtui: every UID listed, in slices", times);
    b.disconnect().await;
}

/// Opens INBOX on an empty store and waits for everything: the worker's
/// Synced, then the store's last write; the store's bytes per row.
async fn load_to_store(d: &Dovecot, cache: &Path, n: u32) {
    let store = file_store(cache);
    let t = Instant::now();
    let (w, mut rx) = start(backend(d), store.clone(), WorkerOptions::default());
    w.commands.send(WorkerCommand::Connect).unwrap();
    open(&w, "INBOX", 1);
    let synced = wait(&mut rx, is_synced).await - t;
    let rows = store
        .call(|s| s.known("INBOX").len())
        .await
        .unwrap_or_default();
    let stored = t.elapsed();
    store.call(Store::checkpoint).await;
    w.commands.send(WorkerCommand::Shutdown).unwrap();
    let _ = w.join.await;
    drop(store);
    let file = store::file_for(cache, "bench");
    let bytes: u64 = ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", file.display())).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "worker: all {n} rows, folder up to date: {synced:.1?}; in the store: {stored:.1?} ({rows} rows)"
    );
    println!(
        "store: {:.1} MB, {} bytes per message",
        bytes as f64 / 1e6,
        bytes / u64::from(rows.max(1) as u32)
    );
}

/// A switch to a small folder while the big one loads on an empty store:
/// right after its first screen (the UID list under way), and once rows
/// are streaming. Time from the switch to the other folder's first rows.
async fn switch_during_load(d: &Dovecot, cache: &Path) {
    for (what, inserts) in [("while the UIDs are listed", 1), ("while rows load", 3)] {
        let store = file_store(&cache.join(format!("switch{inserts}")));
        let (w, mut rx) = start(backend(d), store.clone(), WorkerOptions::default());
        w.commands.send(WorkerCommand::Connect).unwrap();
        open(&w, "INBOX", 1);
        for _ in 0..inserts {
            wait(&mut rx, has_rows).await;
        }
        let t = Instant::now();
        open(&w, "Archive", 2);
        let first = wait(&mut rx, |e| {
            matches!(e, WorkerEvent::Inserted { req: 2, envelopes, .. } if !envelopes.is_empty())
        })
        .await;
        show(
            &format!("switch to a 10-message folder {what}: its first rows"),
            vec![first - t],
        );
        w.commands.send(WorkerCommand::Shutdown).unwrap();
        let _ = w.join.await;
    }
}

/// MAILTUI_BENCH_ONLY=huge: the figures of a folder of a million messages
/// (MAILTUI_BENCH_MESSAGES), one run each.
async fn huge(d: &Dovecot, n: u32) {
    println!("\n== one big folder ({n} messages), one run each ==");
    let rows = format!(
        "(UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS ({})])",
        mailtui::mail::list_row::LIST_HEADERS
    );
    let (t, c) = minimal_full_fetch(d, &rows).await;
    assert_eq!(c as u32, n, "row answers");
    show(
        "minimal client over TLS: FETCH 1:* with the list's header fields",
        vec![t],
    );
    uid_list(d, n).await;
    let cache = tempfile::tempdir().expect("tmp");
    load_to_store(d, &cache.path().join("load"), n).await;
    switch_during_load(d, cache.path()).await;
}

/// The store alone: `n` list rows written in the worker's batches, with
/// the senders of the fixtures (17) and with a new sender on every row
/// (the address book's worst case).
fn store_inserts(n: u32) {
    println!("\n== the store, in process ==");
    for (what, distinct) in [("17 senders", false), ("a new sender on every row", true)] {
        let rows: Vec<_> = (1..=n)
            .map(|i| {
                let raw = if distinct {
                    format!("From: Person {i} <p{i}@example.com>\r\nSubject: s {i}\r\n\r\n")
                        .into_bytes()
                } else {
                    support::fixtures::simple(i as usize)
                };
                let meta = mailtui::mail::envelope::EnvelopeMeta {
                    uid: i,
                    ..Default::default()
                };
                mailtui::mail::list_row::from_headers(&raw, meta)
            })
            .collect();
        let mut times = Vec::new();
        for _ in 0..5 {
            let dir = tempfile::tempdir().expect("tmp");
            let mut s = Store::open(&store::file_for(dir.path(), "bench"), "bench", u64::MAX);
            let t = Instant::now();
            for batch in rows.chunks(mailtui::worker::BATCH) {
                s.insert("INBOX", batch);
            }
            times.push(t.elapsed());
        }
        show(
            &format!("store: insert {n} rows in batches ({what})"),
            times,
        );
    }
}

/// The start-up figures: process start to the newest message on screen,
/// empty store and warm, for this build and (MAILTUI_BENCH_BASE_BIN)
/// another build run in turns with it, so both see the same load; the
/// minimal client and the warm folder switch in process; and the timeline
/// this build logs (`mailtui::startup`), medians per step.
async fn startup_figures(d: &Dovecot, n: u32) {
    let runs: usize = std::env::var("MAILTUI_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    println!("\n== start-up ({runs} runs) ==");
    let mut bins = vec![("this build", BIN.to_string())];
    if let Ok(base) = std::env::var("MAILTUI_BENCH_BASE_BIN") {
        bins.push(("base build", base));
    }
    let mut cold = vec![Vec::new(); bins.len()];
    let mut warm = vec![Vec::new(); bins.len()];
    for _ in 0..runs {
        for (i, (_, bin)) in bins.iter().enumerate() {
            let home = tempfile::tempdir().expect("tmp");
            let cfg = config(home.path(), d);
            cold[i].push(to_newest(bin, home.path(), &cfg, n, &[]));
            warm[i].push(to_newest(bin, home.path(), &cfg, n, &[]));
        }
    }
    for (i, (name, _)) in bins.iter().enumerate() {
        show(
            &format!("{name}: process start -> newest message on screen, empty store"),
            std::mem::take(&mut cold[i]),
        );
        show(
            &format!("{name}: process start -> newest message on screen, warm store"),
            std::mem::take(&mut warm[i]),
        );
    }
    let minimal = minimal_first_screen(d, runs).await;
    show(
        "minimal client in process: connect + login + SELECT + 100 rows",
        minimal,
    );
    warm_switch(d, n, runs).await;
    // The timeline, with the log on (not in the timed runs above).
    let env = [("MAILTUI_LOG", "warn,mailtui=info,mailtui::startup=debug")];
    for pass in ["empty store", "warm store"] {
        let mut steps: Vec<(String, Vec<f64>, Vec<f64>)> = Vec::new();
        for _ in 0..runs.min(5) {
            let home = tempfile::tempdir().expect("tmp");
            let cfg = config(home.path(), d);
            if pass == "warm store" {
                to_newest(BIN, home.path(), &cfg, n, &[]);
            }
            let log = home.path().join("state/mailtui/mailtui.log");
            let _ = std::fs::remove_file(&log);
            to_newest(BIN, home.path(), &cfg, n, &env);
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            for (name, start, end) in timeline(&text) {
                match steps.iter_mut().find(|s| s.0 == name) {
                    Some(s) => {
                        s.1.push(start);
                        s.2.push(end);
                    }
                    None => steps.push((name, vec![start], vec![end])),
                }
            }
        }
        let mid = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let mut rows: Vec<(f64, f64, String, usize)> = steps
            .into_iter()
            .map(|(name, mut s, mut e)| (mid(&mut s), mid(&mut e), name, s.len()))
            .collect();
        rows.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        println!("timeline, {pass} (ms since main, medians):");
        for (start, end, name, seen) in rows {
            if start == end {
                println!("  {start:7.1}          {name} (n={seen})");
            } else {
                println!("  {start:7.1} - {end:7.1}  {name} (n={seen})");
            }
        }
    }
}

/// One run of a binary in tmux: the time to the newest message on screen;
/// then it waits for every row and quits (so the store is whole).
fn to_newest(bin: &str, home: &Path, cfg: &Path, n: u32, env: &[(&str, &str)]) -> Duration {
    let newest = format!("Message number {n}");
    let all = format!(
        "Inbox · {} ",
        mailtui::text::format::thousands(u64::from(n))
    );
    let t = Instant::now();
    let tm = Tmux::start_env(
        home,
        120,
        40,
        env,
        bin,
        &["--config", cfg.to_str().unwrap_or("")],
    );
    while !tm.screen().contains(&newest) {
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "no first screen:\n{}",
            tm.screen()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let took = t.elapsed();
    tm.wait_until("all rows", |s| s.contains(&all) && !s.contains("syncing"));
    tm.send(&["q"]);
    tm.wait_exit();
    took
}

/// `(step, start, end)` from the log's `mailtui::startup` lines.
fn timeline(log: &str) -> Vec<(String, f64, f64)> {
    let field = |line: &str, key: &str| -> Option<String> {
        let at = line.find(&format!(" {key}="))? + key.len() + 2;
        let rest = &line[at..];
        Some(match rest.strip_prefix('"') {
            Some(q) => q.split('"').next()?.to_string(),
            None => rest.split_whitespace().next()?.to_string(),
        })
    };
    log.lines()
        .filter(|l| l.contains("mailtui::startup"))
        .filter_map(|l| {
            let name = field(l, "step")?;
            let (s, e) = match field(l, "at_ms") {
                Some(at) => (at.clone(), at),
                None => (field(l, "start_ms")?, field(l, "end_ms")?),
            };
            Some((name, s.parse().ok()?, e.parse().ok()?))
        })
        .collect()
}

/// Switching back to the big INBOX with a warm store, as the app does
/// (store and worker asked together): time to its first rows.
async fn warm_switch(d: &Dovecot, n: u32, runs: usize) {
    let cache = tempfile::tempdir().expect("tmp");
    open_inbox(d, cache.path()).await;
    let store = file_store(cache.path());
    let (w, mut rx) = start(backend(d), store.clone(), WorkerOptions::default());
    w.commands.send(WorkerCommand::Connect).unwrap();
    open(&w, "INBOX", 1);
    wait(&mut rx, is_synced).await;
    let mut to_inbox = Vec::new();
    let mut req = 10;
    for _ in 0..runs {
        for path in ["Archive", "INBOX"] {
            req += 1;
            let t = Instant::now();
            let (tx, mut ui) = tokio::sync::mpsc::unbounded_channel();
            store.load_folder(0, path.into(), req, tx);
            open(&w, path, req);
            let first = tokio::select! {
                at = wait(&mut ui, has_rows) => at,
                at = wait(&mut rx, has_rows) => at,
            };
            if path == "INBOX" {
                to_inbox.push(first - t);
            }
            // The next switch starts from a folder up to date.
            let done =
                move |e: &WorkerEvent| matches!(e, WorkerEvent::Synced { req: r, .. } if *r == req);
            wait(&mut rx, done).await;
        }
    }
    show(
        &format!("warm folder switch back to the {n}-message INBOX: first rows"),
        to_inbox,
    );
    w.commands.send(WorkerCommand::Shutdown).unwrap();
}

fn main() {
    let n: u32 = std::env::var("MAILTUI_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    // MAILTUI_BENCH_ONLY=store: only the store's write figures.
    if std::env::var("MAILTUI_BENCH_ONLY").as_deref() == Ok("store") {
        store_inserts(n);
        return;
    }
    if std::env::var("MAILTUI_BENCH_ONLY").as_deref() == Ok("fts") {
        fts::figures(n);
        return;
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    // MAILTUI_BENCH_ONLY=load: the full load against a minimal client.
    if std::env::var("MAILTUI_BENCH_ONLY").as_deref() == Ok("load") {
        let exchange = std::env::var("MAILTUI_BENCH_EXCHANGE").is_ok();
        let d = server(n, exchange);
        d.index(USER);
        rt.block_on(full_load(&d, n, 3));
        return;
    }
    // MAILTUI_BENCH_ONLY=startup: start-up figures and the timeline.
    if std::env::var("MAILTUI_BENCH_ONLY").as_deref() == Ok("startup") {
        let d = server(n, false);
        d.index(USER);
        rt.block_on(startup_figures(&d, n));
        return;
    }
    // MAILTUI_BENCH_ONLY=huge: the 1M-message figures (any size works).
    if std::env::var("MAILTUI_BENCH_ONLY").as_deref() == Ok("huge") {
        let d = server(n, std::env::var("MAILTUI_BENCH_EXCHANGE").is_ok());
        d.index(USER);
        return rt.block_on(huge(&d, n));
    }
    // MAILTUI_BENCH_ONLY=ui: the list's figures only (search, limit, frames).
    if std::env::var("MAILTUI_BENCH_ONLY").as_deref() == Ok("ui") {
        let full = server(n, false);
        full.index(USER);
        rt.block_on(ui_figures(&full, n));
        return;
    }
    // MAILTUI_BENCH_ONLY=process: only the real binary's figures.
    if std::env::var("MAILTUI_BENCH_ONLY").as_deref() == Ok("process") {
        let full = server(n, false);
        full.index(USER);
        process_level(&full, n);
        return;
    }
    let full = server(n, false);
    let exchange = server(n, true);
    rt.block_on(async {
        // Servers that never saw the folder: what listing costs them.
        list_query_cost(&exchange, "never-seen folder").await;
        let cache = tempfile::tempdir().expect("tmp");
        let (first, all) = open_inbox(&full, cache.path()).await;
        println!(
            "first full sync on a server that never saw the folder: first rows {first:.1?}, all {n} {all:.1?}"
        );
        list_query_cost(&exchange, "after one pass").await;
    });
    full.index(USER);
    exchange.index(USER);
    // Before the profiles below add mail (the newest message changes).
    process_level(&full, n);
    rt.block_on(async {
        profile("full Dovecot (CONDSTORE, QRESYNC)", &full, n).await;
        profile("Exchange-shaped (no CONDSTORE/QRESYNC)", &exchange, n).await;
        ui_figures(&full, n).await;
    });
    store_inserts(n);
}
