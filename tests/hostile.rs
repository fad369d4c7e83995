//! mailtui against a hostile IMAP server (tests/support/fake_imap.rs):
//! long and endless lines, answers too big to buffer, a server that
//! trickles. Each names the limit it checks.

mod support;

use std::time::{Duration, Instant};

use async_imap::imap_proto::{MailboxDatum, Response};
use mailtui::auth::{PasswordSource, Secret};
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts};
use mailtui::mail::backend::KnownState;
use mailtui::mail::{MailBackend, MailError};
use mailtui::worker::{ConnState, WorkerCommand, WorkerEvent, WorkerOptions};
use support::fake_imap::{
    FakeImap, Flow, Folder, flag_storm, junk_lines, many_folders, search_line,
};
use support::{bin, events};

fn settings(port: u16) -> ImapSettings {
    support::fake_imap::settings_at(
        port,
        Timeouts {
            connect: Duration::from_secs(5),
            command: Duration::from_secs(10),
            transfer: Duration::from_secs(30),
            ..Timeouts::default()
        },
    )
}

fn backend(fake: &FakeImap) -> ImapBackend {
    backend_at(fake.port)
}

fn backend_at(port: u16) -> ImapBackend {
    ImapBackend::new(
        settings(port),
        ImapAuth::Password(PasswordSource::Plain(Secret::new("pw"))),
    )
}

#[tokio::test]
async fn the_fake_server_serves_a_well_behaved_session() {
    let fake = FakeImap::builder()
        .folders(vec![
            Folder::new("INBOX", 7, 1..=20),
            Folder::new("Archive", 3, [5, 9]),
        ])
        .start();
    let mut b = backend(&fake);
    b.connect().await.expect("login");
    let folders = b.list_folders().await.expect("list");
    assert_eq!(folders.len(), 2, "{folders:?}");
    let sel = b.select("INBOX", None).await.expect("select");
    assert_eq!(sel.uid_validity, 7);
    let uids = b.all_uids().await.expect("search");
    assert_eq!(uids, (1..=20).collect::<Vec<u32>>());
    let rows = b.fetch_rows(&uids[..5]).await.expect("fetch");
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0].envelope.subject.as_str(), "Message 1");
    let body = b.fetch_message(3).await.expect("body");
    assert!(String::from_utf8_lossy(&body).contains("Body of message 3"));
    assert_eq!(fake.stats().logins(), 1);
    assert_eq!(fake.stats().selects(), 1);
    assert!(fake.stats().bytes_sent() > 500);
}

#[tokio::test]
async fn the_fake_servers_mailbox_can_change_mid_session() {
    let fake = FakeImap::start();
    let mut b = backend(&fake);
    b.connect().await.unwrap();
    assert_eq!(b.select("INBOX", None).await.unwrap().uid_validity, 1);
    {
        let mut world = fake.world();
        let inbox = world.folder_mut("INBOX");
        inbox.uidvalidity = 9;
        inbox.uids.truncate(1);
    }
    let sel = b.select("INBOX", None).await.unwrap();
    assert_eq!((sel.uid_validity, sel.exists), (9, 1));
    b.disconnect().await;
    b.connect().await.unwrap();
    assert_eq!(fake.stats().logins(), 2);
    assert_eq!(fake.stats().most_logins_within(Duration::from_secs(600)), 2);
    assert_eq!(fake.stats().selects(), 2);
    assert!(
        fake.stats()
            .wait_until(Duration::from_secs(10), |s| s.closed_sessions() == 1)
    );
}

#[tokio::test]
async fn a_script_can_end_the_session_at_idle() {
    let fake = FakeImap::builder()
        .on("IDLE", |c, _| {
            c.line("+ idling")?;
            c.line("* BYE going away")?;
            Ok(Flow::Close)
        })
        .start();
    let stats_wait = Duration::from_secs(10);
    let mut s = std::net::TcpStream::connect(("127.0.0.1", fake.port)).unwrap();
    use std::io::{BufRead, BufReader, Write};
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert!(line.starts_with("* OK"), "{line}");
    s.write_all(b"a1 LOGIN u p\r\na2 SELECT INBOX\r\na3 IDLE\r\n")
        .unwrap();
    let mut all = String::new();
    while r.read_line(&mut line).unwrap() > 0 {
        all.push_str(&line);
        line.clear();
    }
    assert!(all.contains("* BYE going away"), "{all}");
    assert!(
        fake.stats()
            .wait_until(stats_wait, |s| s.closed_sessions() == 1)
    );
    assert_eq!(fake.stats().count("IDLE"), 1);
}

/// The server's idea of a folder's state, for a QRESYNC SELECT.
fn known() -> KnownState {
    KnownState {
        uid_validity: 1,
        highest_modseq: 5,
    }
}

/// A SELECT answer's head for a folder of `exists` messages, without
/// the tagged line.
fn select_head(exists: u32) -> Vec<u8> {
    format!(
        "* {exists} EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT {}] ok\r\n\
         * OK [HIGHESTMODSEQ 900000] ok\r\n",
        exists + 1
    )
    .into_bytes()
}

const QRESYNC_CAPS: &str = "IMAP4rev1 IDLE ENABLE CONDSTORE QRESYNC UIDPLUS LITERAL+";

/// Plain tokio TCP to the fake, logged in: async-imap's reader with
/// nothing of mailtui's on top, to count its work.
async fn raw_session(port: u16) -> async_imap::Session<tokio::net::TcpStream> {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.unwrap().expect("greeting");
    client.login("u", "p").await.map_err(|(e, _)| e).unwrap()
}

/// A `UID SEARCH` of 800,000 UIDs (6.3 MB on one line) arrives in many
/// reads; the parser runs once on it, not once per read.
#[tokio::test]
async fn a_long_line_is_parsed_once_however_many_reads_it_takes() {
    let uids: Vec<u32> = (1..=800_000).collect();
    let line = search_line(&uids);
    let size = line.len();
    let fake = FakeImap::builder()
        .on("UID SEARCH", move |c, cmd| {
            c.send(&line)?;
            c.ok(cmd)?;
            Ok(Flow::Handled)
        })
        .start();
    let mut s = raw_session(fake.port).await;
    let before = s.decode_stats();
    let id = s.run_command("UID SEARCH ALL").await.unwrap();
    let mut found = 0;
    // A hang guard only: the work is counted below, not timed.
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let r = s.read_response().await.unwrap().expect("a response");
            match r.parsed() {
                Response::MailboxData(MailboxDatum::Search(u)) => found += u.len(),
                Response::Done { tag, .. } if tag == &id => break,
                _ => {}
            }
        }
    })
    .await
    .expect("the answer within 60 s");
    let after = s.decode_stats();
    assert_eq!(found, 800_000);
    let parses = after.parses - before.parses;
    let parsed = after.parsed_bytes - before.parsed_bytes;
    assert_eq!(parses, 2, "one parse per response: {after:?}");
    assert!(
        parsed < size as u64 + 100,
        "each byte parsed once: {parsed} bytes parsed for a {size}-byte answer"
    );
}

/// The same through mailtui, timed only as a hang guard: 800,000 UIDs of
/// `UID SEARCH ALL` (what every open of a big Exchange folder runs).
#[tokio::test]
async fn a_folder_of_800000_messages_lists_its_uids() {
    let fake = FakeImap::builder()
        .folders(vec![Folder::new("INBOX", 1, 1..=800_000)])
        .start();
    let mut b = backend(&fake);
    b.connect().await.unwrap();
    b.select("INBOX", None).await.unwrap();
    let started = Instant::now();
    let uids = tokio::time::timeout(Duration::from_secs(60), b.all_uids())
        .await
        .expect("within 60 s")
        .unwrap();
    assert_eq!(uids.len(), 800_000);
    eprintln!("UID SEARCH of 800,000: {:?}", started.elapsed());
}

/// A line with no end is refused once it passes MAX_LINE (32 MiB), with
/// the limit in the error; the connection is dropped, not kept reading.
#[tokio::test]
async fn a_line_with_no_end_is_refused_past_the_cap() {
    let fake = FakeImap::builder()
        .on("UID SEARCH", |c, _| {
            c.send(b"* SEARCH")?;
            // 48 MiB, past the cap; the client closes before the end.
            c.endless(b" 1234567", 48 << 20)?;
            Ok(Flow::Close)
        })
        .start();
    let mut b = backend(&fake);
    b.connect().await.unwrap();
    b.select("INBOX", None).await.unwrap();
    let e = tokio::time::timeout(Duration::from_secs(60), b.all_uids())
        .await
        .expect("refused within 60 s")
        .unwrap_err();
    assert!(matches!(e, MailError::Protocol(_)), "{e:?}");
    assert!(e.to_string().contains("longer than 32 MiB"), "{e}");
    assert!(
        fake.stats().bytes_sent() < (32 << 20) + (8 << 20),
        "stopped reading near the cap: {} bytes sent",
        fake.stats().bytes_sent()
    );
}

/// A status line whose text ends like a literal (`* OK text {5}`) is a
/// whole response: the reader does not wait for five more bytes.
#[tokio::test]
async fn text_that_ends_like_a_literal_is_not_awaited() {
    let fake = FakeImap::builder()
        .on("GREETING", |c, _| {
            c.line("* OK ready {5}")?;
            Ok(Flow::Handled)
        })
        .on("NOOP", |c, cmd| {
            c.line(&format!("{} OK done {{12}}", cmd.tag))?;
            Ok(Flow::Handled)
        })
        .start();
    let mut b = backend(&fake);
    tokio::time::timeout(Duration::from_secs(20), async {
        b.connect().await.unwrap();
        b.select("INBOX", None).await.unwrap();
    })
    .await
    .expect("no wait for a literal");
}

/// A LIST of 100,003 folders passes the 100,000 responses mailtui takes:
/// the list fails with a clear error (which the worker shows) instead of
/// ending the session and trying again for good, and the session goes on.
#[tokio::test]
async fn a_list_of_100003_folders_ends_with_a_clear_error() {
    let fake = FakeImap::builder()
        .on("LIST", |c, cmd| {
            c.send(&many_folders(100_003))?;
            c.ok(cmd)?;
            Ok(Flow::Handled)
        })
        .start();
    let mut b = backend(&fake);
    b.connect().await.unwrap();
    let e = tokio::time::timeout(Duration::from_secs(60), b.list_folders())
        .await
        .expect("an answer within 60 s")
        .unwrap_err();
    assert!(matches!(e, MailError::Command(_)), "{e:?}");
    assert!(e.to_string().contains("more than 100000 responses"), "{e}");
    // The rest was read: the same session answers the next command.
    b.select("INBOX", None).await.unwrap();
    assert_eq!(fake.stats().sessions(), 1);
}

/// Read as it arrives, the list costs what its folders do, not what its
/// parsed lines would (406 MB held whole before).
#[test]
fn a_list_of_100003_folders_stays_within_memory() {
    let fake = FakeImap::builder()
        .on("LIST", |c, cmd| {
            c.send(&many_folders(100_003))?;
            c.ok(cmd)?;
            Ok(Flow::Handled)
        })
        .start();
    let out = run_child("child_many_folders", fake.port);
    assert!(out.contains("too big"), "{out}");
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "run in a process of its own by a_list_of_100003_folders_stays_within_memory"]
async fn child_many_folders() {
    let Some(port) = child_port() else { return };
    let mut b = backend_at(port);
    b.connect().await.unwrap();
    let (_, before) = memory();
    let e = b.list_folders().await.unwrap_err();
    let (peak, after) = memory();
    println!(
        "many folders: {e}; RSS before {} MB, peak {} MB, after {} MB",
        before >> 10,
        peak >> 10,
        after >> 10
    );
    assert!(
        peak < before + (64 << 10),
        "peak {peak} KiB from {before} KiB"
    );
}

/// The worker over the same server: the folder pane gets an error, not
/// "loading…" for good.
#[tokio::test]
async fn the_worker_reports_a_folder_list_too_big() {
    let fake = FakeImap::builder()
        .on("LIST", |c, cmd| {
            c.send(&many_folders(100_003))?;
            c.ok(cmd)?;
            Ok(Flow::Handled)
        })
        .start();
    let (w, mut rx) = events::start(
        backend(&fake),
        events::memory_store(),
        WorkerOptions::default(),
    );
    w.commands
        .send(WorkerCommand::Connect)
        .expect("worker alive");
    let seen = events::until(&mut rx, 60, |e| {
        matches!(
            e,
            WorkerEvent::Conn(ConnState::Failed(_)) | WorkerEvent::Folders(_)
        )
    })
    .await;
    match seen.last() {
        Some(WorkerEvent::Conn(ConnState::Failed(why))) => {
            assert!(why.as_str().contains("too big"), "{why}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.stats().count("LIST"), 1, "no retry loop");
}

/// After login, CAPABILITY's answer comes one byte a second.
fn trickling_server() -> FakeImap {
    FakeImap::builder()
        .on("CAPABILITY", |c, cmd| {
            if !c.logged_in {
                return Ok(Flow::Default);
            }
            c.trickle(
                format!("* CAPABILITY {QRESYNC_CAPS}\r\n{} OK done\r\n", cmd.tag).as_bytes(),
                Duration::from_secs(1),
            )?;
            Ok(Flow::Handled)
        })
        .start()
}

/// A server that trickles a byte a second after login is never silent;
/// the whole-answer limit (the command timeout for CAPABILITY) ends it.
#[tokio::test]
async fn a_trickling_server_fails_the_step_within_its_limit() {
    let fake = trickling_server();
    let mut s = settings(fake.port);
    s.timeouts.command = Duration::from_secs(3);
    let mut b = ImapBackend::new(
        s,
        ImapAuth::Password(PasswordSource::Plain(Secret::new("pw"))),
    );
    let started = Instant::now();
    let e = tokio::time::timeout(Duration::from_secs(30), b.connect())
        .await
        .expect("ended by its own limit")
        .unwrap_err();
    assert!(e.to_string().contains("within 3s"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// The account worker on that server: "retrying" with the reason, not
/// "connecting…" for good.
#[tokio::test]
async fn the_worker_retries_a_trickling_server_with_the_reason() {
    let fake = trickling_server();
    let mut s = settings(fake.port);
    s.timeouts.command = Duration::from_secs(2);
    let b = ImapBackend::new(
        s,
        ImapAuth::Password(PasswordSource::Plain(Secret::new("pw"))),
    );
    let (w, mut rx) = events::start(b, events::memory_store(), WorkerOptions::default());
    w.commands
        .send(WorkerCommand::Connect)
        .expect("worker alive");
    let seen = events::until(&mut rx, 30, |e| {
        matches!(
            e,
            WorkerEvent::Conn(
                ConnState::Retrying { .. } | ConnState::Failed(_) | ConnState::Connected
            )
        )
    })
    .await;
    match seen.last() {
        Some(WorkerEvent::Conn(ConnState::Retrying { error, .. })) => {
            assert!(error.as_str().contains("within 2s"), "{error}")
        }
        other => panic!("{other:?}"),
    }
}

/// The same against `mailtui doctor`, text and --json: it finishes with
/// the step and the limit named (the default command timeout, 15 s).
#[test]
fn doctor_finishes_against_a_trickling_server() {
    let fake = trickling_server();
    let config = fake.account_toml("slow");
    let runs: Vec<_> = [&[][..], &["--json"][..]]
        .into_iter()
        .map(|args| {
            let config = config.clone();
            std::thread::spawn(move || {
                let home = tempfile::tempdir().unwrap();
                let cfg = home.path().join("config.toml");
                std::fs::write(&cfg, config).unwrap();
                let c = cfg.to_str().unwrap();
                let mut all = vec!["--config", c, "doctor"];
                all.extend_from_slice(args);
                let started = Instant::now();
                let o = bin::run(home.path(), &all);
                (o, started.elapsed())
            })
        })
        .collect();
    for (i, r) in runs.into_iter().enumerate() {
        let (o, took) = r.join().unwrap();
        let (out, err) = bin::text(&o);
        assert_ne!(o.status.code(), Some(0), "{out}\n{err}");
        assert!(took < Duration::from_secs(60), "took {took:?}");
        if i == 0 {
            let line = out
                .lines()
                .find(|l| l.contains('✗'))
                .unwrap_or_else(|| panic!("a failed step in {out}"));
            assert!(line.contains("features"), "{out}");
            assert!(
                out.contains("capabilities: no complete answer within 15s"),
                "{out}"
            );
        } else {
            let v: serde_json::Value = serde_json::from_str(&out).expect("JSON on stdout");
            let text = v.to_string();
            assert!(text.contains("\"ok\":false"), "{text}");
            assert!(text.contains("no complete answer within 15s"), "{text}");
        }
    }
}

/// Peak and current resident memory of this process in KiB (VmHWM, VmRSS).
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} in /proc/self/status"))
    };
    (field("VmHWM:"), field("VmRSS:"))
}

const CHILD_PORT: &str = "MAILTUI_HOSTILE_PORT";

/// Runs the ignored test `name` of this binary alone in a process of its
/// own, so the memory it measures is its own; it talks to `port`.
fn run_child(name: &str, port: u16) -> String {
    let o = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--ignored",
            "--exact",
            name,
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_PORT, port.to_string())
        .output()
        .expect("run the child test");
    let (out, err) = bin::text(&o);
    assert!(o.status.success(), "{name} failed:\n{out}\n{err}");
    assert!(out.contains("1 passed"), "{name} did not run:\n{out}");
    for l in out.lines().filter(|l| l.contains("RSS")) {
        eprintln!("{l}");
    }
    out
}

/// The fake server's port, when run by the parent test (alone, e.g.
/// with `--include-ignored`, a child test has nothing to measure).
fn child_port() -> Option<u16> {
    std::env::var(CHILD_PORT).ok().and_then(|p| p.parse().ok())
}

/// A QRESYNC SELECT whose answer holds 100,000 changed flags (every flag
/// of a big folder changed on another device): one legitimate answer.
fn flag_storm_server() -> FakeImap {
    FakeImap::builder()
        .capabilities(QRESYNC_CAPS)
        .on("SELECT", |c, cmd| {
            c.send(&select_head(100_000))?;
            c.send(&flag_storm(100_000))?;
            c.line(&format!("{} OK [READ-WRITE] selected", cmd.tag))?;
            Ok(Flow::Handled)
        })
        .start()
}

/// Memory stays near the answer's own size while it is read (it is read
/// as it arrives, not held whole) and goes back after.
#[test]
fn a_flag_storm_select_stays_within_memory() {
    let fake = flag_storm_server();
    let out = run_child("child_flag_storm", fake.port);
    assert!(out.contains("100000 changes"), "{out}");
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "run in a process of its own by a_flag_storm_select_stays_within_memory"]
async fn child_flag_storm() {
    let Some(port) = child_port() else { return };
    let mut b = backend_at(port);
    b.connect().await.unwrap();
    let (_, before) = memory();
    let sel = b.select("INBOX", Some(known())).await.unwrap();
    let changes = sel.changes.as_ref().map_or(0, |c| c.flags.len());
    let (peak, _) = memory();
    drop(sel);
    let (_, after) = memory();
    println!(
        "flag storm: {changes} changes; RSS before {} MB, peak {} MB, after {} MB",
        before >> 10,
        peak >> 10,
        after >> 10
    );
    assert_eq!(changes, 100_000);
    // Held whole, as before, this answer took 600 MB.
    assert!(
        peak < before + (24 << 10),
        "peak {peak} KiB from {before} KiB"
    );
    assert!(
        after < before + (8 << 10),
        "after {after} KiB from {before} KiB"
    );
}

/// 500,000 junk lines in a SELECT answer: read and dropped as they come.
#[test]
fn junk_in_a_select_answer_is_not_kept() {
    let fake = FakeImap::builder()
        .on("SELECT", |c, cmd| {
            c.send(&select_head(3))?;
            c.send(&junk_lines(500_000))?;
            c.line(&format!("{} OK [READ-WRITE] selected", cmd.tag))?;
            Ok(Flow::Handled)
        })
        .start();
    let out = run_child("child_junk_select", fake.port);
    assert!(out.contains("junk select: 3 messages"), "{out}");
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "run in a process of its own by junk_in_a_select_answer_is_not_kept"]
async fn child_junk_select() {
    let Some(port) = child_port() else { return };
    let mut b = backend_at(port);
    b.connect().await.unwrap();
    let (_, before) = memory();
    let sel = b.select("INBOX", None).await.unwrap();
    let (peak, after) = memory();
    println!(
        "junk select: {} messages; RSS before {} MB, peak {} MB, after {} MB",
        sel.exists,
        before >> 10,
        peak >> 10,
        after >> 10
    );
    assert!(
        peak < before + (12 << 10),
        "peak {peak} KiB from {before} KiB"
    );
}
