//! The live, cached mailbox against a real Dovecot over TLS, in two server
//! profiles: full Dovecot (CONDSTORE, QRESYNC, LIST-STATUS) and one that
//! advertises only what Exchange Online does. Changes come from a second
//! IMAP connection, as from another device.

#[macro_use]
mod support;

use std::time::Duration;

use mailtui::auth::{PasswordSource, Secret};
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts, TlsMode};
use mailtui::mail::MailBackend;
use mailtui::store::{self, Store, StoreHandle};
use mailtui::worker::{ConnState, WorkerCommand, WorkerEvent, WorkerOptions};
use support::dovecot::{Dovecot, Options};
use support::events::{Events, open, rows, start, until};
use support::fixtures;
use support::other::OtherDevice;
use support::proxy::MeddlingProxy;

const USER: &str = "carol@example.com";
const PASSWORD: &str = "s3cret";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Profile {
    Full,
    Exchange,
}

fn server(p: Profile) -> Dovecot {
    let d = Dovecot::start_with(Options {
        exchange: p == Profile::Exchange,
        ..Options::default()
    });
    d.add_user(USER, PASSWORD);
    d
}

/// Short liveness timings so a dead connection is noticed in seconds.
fn timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(5),
        command: Duration::from_secs(3),
        transfer: Duration::from_secs(30),
        idle_slice: Duration::from_secs(3),
        poll: Duration::from_secs(2),
    }
}

fn settings(d: &Dovecot) -> ImapSettings {
    ImapSettings {
        host: "127.0.0.1".into(),
        port: d.imaps_port,
        tls: TlsMode::Implicit,
        ca_file: Some(d.ca_file.clone()),
        username: USER.into(),
        timeouts: timeouts(),
    }
}

fn backend(d: &Dovecot) -> ImapBackend {
    ImapBackend::new(settings(d), auth())
}

fn auth() -> ImapAuth {
    ImapAuth::Password(PasswordSource::Plain(Secret::new(PASSWORD)))
}

fn file_store(dir: &std::path::Path) -> StoreHandle {
    let f = store::file_for(dir, "test");
    StoreHandle::spawn("test", move || Store::open(&f, "test", u64::MAX))
}

async fn other(d: &Dovecot) -> OtherDevice {
    OtherDevice::connect(d.imap_port, USER, PASSWORD).await
}

fn message(subject: &str) -> Vec<u8> {
    format!(
        "From: Dan <dan@example.com>\r\nSubject: {subject}\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\nHi.\r\n"
    )
    .into_bytes()
}

fn connected(w: &mailtui::worker::WorkerHandle) {
    w.commands
        .send(WorkerCommand::Connect)
        .expect("worker alive");
}

/// What the store holds for a folder, read through a second connection.
fn stored_uids(dir: &std::path::Path, path: &str) -> Vec<u32> {
    let mut s = Store::open(&store::file_for(dir, "test"), "check", u64::MAX);
    s.known(path).into_iter().map(|(u, _)| u).collect()
}

both_profiles!(
    features_come_from_what_the_server_advertises,
    new_mail_flags_and_expunges_from_another_device_show,
    a_recreated_folder_drops_its_stale_rows,
    a_restart_shows_stored_rows_first_and_fetches_only_changes,
    stored_folders_and_opened_messages_read_with_the_server_down,
    a_kick_while_idle_reconnects_without_a_request,
    a_silent_server_is_noticed_and_replaced,
    counts_of_other_folders_refresh,
);

async fn features_come_from_what_the_server_advertises(p: Profile) {
    let d = server(p);
    let mut b = backend(&d);
    b.connect().await.expect("connect");
    let f = b.features();
    let full = p == Profile::Full;
    assert_eq!(
        (f.condstore, f.qresync, f.list_status),
        (full, full, full),
        "{f:?}"
    );
    assert!(f.idle, "both profiles offer IDLE");
}

async fn new_mail_flags_and_expunges_from_another_device_show(p: Profile) {
    let d = server(p);
    d.deliver(USER, "INBOX", &fixtures::bulk(20, ""));
    let cache = tempfile::tempdir().unwrap();
    let (w, mut rx) = start(
        backend(&d),
        file_store(cache.path()),
        WorkerOptions::default(),
    );
    connected(&w);
    let (_, ev) = open(&w, &mut rx, "INBOX", 1).await;
    assert_eq!(rows(&ev).len(), 20);

    let mut phone = other(&d).await;
    phone.append("INBOX", &message("Sent from my phone")).await;
    let ev = until(
        &mut rx,
        10,
        |e| matches!(e, WorkerEvent::Inserted { envelopes, .. } if !envelopes.is_empty()),
    )
    .await;
    let Some(WorkerEvent::Inserted { envelopes, .. }) = ev.last() else {
        unreachable!()
    };
    assert_eq!(envelopes[0].subject.as_str(), "Sent from my phone");
    assert_eq!(envelopes[0].uid, 21);

    phone.select("INBOX").await;
    phone.store("3", "+FLAGS (\\Flagged \\Seen)").await;
    let ev = until(&mut rx, 10, |e| {
        matches!(e, WorkerEvent::FlagsChanged { .. })
    })
    .await;
    let Some(WorkerEvent::FlagsChanged { updates, .. }) = ev.last() else {
        unreachable!()
    };
    assert_eq!(updates.len(), 1);
    assert!(updates[0].uid == 3 && updates[0].flags.flagged && updates[0].flags.seen);

    phone.expunge("5:6").await;
    let mut gone: Vec<u32> = Vec::new();
    while gone.len() < 2 {
        let ev = until(&mut rx, 10, |e| matches!(e, WorkerEvent::Expunged { .. })).await;
        if let Some(WorkerEvent::Expunged { uids, .. }) = ev.last() {
            gone.extend(uids.iter().copied());
        }
    }
    gone.sort_unstable();
    assert_eq!(gone, [5, 6]);

    // The store followed every change.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let uids = stored_uids(cache.path(), "INBOX");
    assert_eq!(uids.len(), 19);
    assert!(uids.contains(&21) && !uids.contains(&5) && !uids.contains(&6));
    let mut s = Store::open(&store::file_for(cache.path(), "test"), "check", u64::MAX);
    let flags = s
        .known("INBOX")
        .into_iter()
        .find(|(u, _)| *u == 3)
        .map(|(_, f)| f);
    assert!(flags.is_some_and(|f| f.flagged && f.seen), "{flags:?}");
}

async fn a_recreated_folder_drops_its_stale_rows(p: Profile) {
    let d = server(p);
    d.deliver(USER, "Work", &fixtures::bulk(5, ""));
    let cache = tempfile::tempdir().unwrap();
    let store = file_store(cache.path());
    let (w, mut rx) = start(backend(&d), store.clone(), WorkerOptions::default());
    connected(&w);
    let (work, _) = open(&w, &mut rx, "Work", 1).await;
    open(&w, &mut rx, "INBOX", 2).await;

    // Another device deletes the folder and makes a new one of that name.
    let mut phone = other(&d).await;
    phone.delete("Work").await;
    phone.create("Work").await;
    phone.append("Work", &message("Only one now")).await;
    phone.append("Work", &message("And two")).await;
    let new_validity = phone.uid_validity("Work").await;
    assert_ne!(new_validity, work.uid_validity);

    // Reopened: the stored rows come first (as they were), then the
    // server's answer replaces them.
    let (tx, mut ui) = tokio::sync::mpsc::unbounded_channel();
    store.load_folder(0, "Work".into(), 3, tx);
    let ev = until(&mut ui, 10, |e| {
        matches!(e, WorkerEvent::Stored { done: true, .. })
    })
    .await;
    assert_eq!(rows(&ev).len(), 5);
    assert!(ev.iter().all(|e| matches!(e, WorkerEvent::Stored { uid_validity, .. } if *uid_validity == work.uid_validity)));
    let (now, ev) = open(&w, &mut rx, "Work", 3).await;
    assert_eq!(now.uid_validity, new_validity);
    let after: Vec<String> = ev
        .iter()
        .filter_map(|e| match e {
            WorkerEvent::Inserted { envelopes, .. } => {
                Some(envelopes.iter().map(|e| e.subject.to_string()))
            }
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(after, ["And two", "Only one now"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        stored_uids(cache.path(), "Work"),
        [1, 2],
        "stale rows are gone from the store"
    );
}

async fn a_restart_shows_stored_rows_first_and_fetches_only_changes(p: Profile) {
    let d = server(p);
    d.deliver(USER, "INBOX", &fixtures::bulk(300, ""));
    let cache = tempfile::tempdir().unwrap();
    {
        let (w, mut rx) = start(
            backend(&d),
            file_store(cache.path()),
            WorkerOptions::default(),
        );
        connected(&w);
        open(&w, &mut rx, "INBOX", 1).await;
        w.commands.send(WorkerCommand::Shutdown).unwrap();
        w.join.await.unwrap();
    }
    // While mailtui is closed: new mail, flags and expunges elsewhere.
    let mut phone = other(&d).await;
    for i in 0..3 {
        phone
            .append("INBOX", &message(&format!("While away {i}")))
            .await;
    }
    phone.select("INBOX").await;
    phone.store("10:11", "+FLAGS (\\Seen)").await;
    phone.expunge("20").await;

    let store = file_store(cache.path());
    let (w, mut rx) = start(backend(&d), store.clone(), WorkerOptions::default());
    let (tx, mut ui) = tokio::sync::mpsc::unbounded_channel();
    // As the app does: the store answers at once, the worker reconciles.
    store.load_folder(0, "INBOX".into(), 5, tx);
    let ev = until(&mut ui, 10, |e| {
        matches!(e, WorkerEvent::Stored { done: true, .. })
    })
    .await;
    assert_eq!(
        rows(&ev).len(),
        300,
        "all stored rows, before any connection"
    );
    connected(&w);
    let (_, ev) = open(&w, &mut rx, "INBOX", 5).await;
    let inserted: usize = ev
        .iter()
        .map(|e| match e {
            WorkerEvent::Inserted { envelopes, .. } => envelopes.len(),
            _ => 0,
        })
        .sum();
    assert_eq!(inserted, 3, "only the new messages are fetched: {ev:#?}");
    let expunged: Vec<u32> = ev
        .iter()
        .flat_map(|e| match e {
            WorkerEvent::Expunged { uids, .. } => uids.clone(),
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(expunged, [20]);
    let mut seen: Vec<u32> = ev
        .iter()
        .flat_map(|e| match e {
            WorkerEvent::FlagsChanged { updates, .. } => updates
                .iter()
                .filter(|u| u.flags.seen)
                .map(|u| u.uid)
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, [10, 11]);
}

async fn stored_folders_and_opened_messages_read_with_the_server_down(p: Profile) {
    let mut d = server(p);
    d.deliver(USER, "INBOX", &fixtures::bulk(30, ""));
    d.deliver(USER, "Archive", &fixtures::bulk(2, ""));
    let cache = tempfile::tempdir().unwrap();
    let inbox = {
        let (w, mut rx) = start(
            backend(&d),
            file_store(cache.path()),
            WorkerOptions::default(),
        );
        connected(&w);
        let (inbox, _) = open(&w, &mut rx, "INBOX", 1).await;
        w.commands
            .send(WorkerCommand::FetchMessage {
                folder: inbox.clone(),
                uid: 30,
                req: 2,
                size: None,
            })
            .unwrap();
        until(&mut rx, 10, |e| matches!(e, WorkerEvent::Message { .. })).await;
        w.commands.send(WorkerCommand::Shutdown).unwrap();
        w.join.await.unwrap();
        inbox
    };
    d.stop();

    let store = file_store(cache.path());
    let (w, mut rx) = start(backend(&d), store.clone(), WorkerOptions::default());
    connected(&w);
    until(&mut rx, 10, |e| {
        matches!(e, WorkerEvent::Conn(ConnState::Retrying { .. }))
    })
    .await;
    let (tx, mut ui) = tokio::sync::mpsc::unbounded_channel();
    store.load_folders(0, tx.clone());
    let ev = until(&mut ui, 10, |e| matches!(e, WorkerEvent::Folders(_))).await;
    let Some(WorkerEvent::Folders(folders)) = ev.last() else {
        unreachable!()
    };
    let names: Vec<&str> = folders.iter().map(|f| f.path.as_str()).collect();
    assert!(
        names.contains(&"INBOX") && names.contains(&"Archive"),
        "{names:?}"
    );
    store.load_folder(0, "INBOX".into(), 7, tx.clone());
    let ev = until(&mut ui, 10, |e| {
        matches!(e, WorkerEvent::Stored { done: true, .. })
    })
    .await;
    assert_eq!(rows(&ev).len(), 30);
    let synced = ev.iter().find_map(|e| match e {
        WorkerEvent::Stored { synced_at, .. } => *synced_at,
        _ => None,
    });
    assert!(synced.is_some(), "the rows say how old they are");
    store.load_message(0, inbox, 30, 8, tx, w.commands.clone());
    let ev = until(&mut ui, 10, |e| matches!(e, WorkerEvent::Message { .. })).await;
    let Some(WorkerEvent::Message { req: 8, message }) = ev.last() else {
        panic!("{ev:#?}")
    };
    assert!(message.body.as_str().contains("Body of message 30"));
}

async fn a_kick_while_idle_reconnects_without_a_request(p: Profile) {
    let d = server(p);
    d.deliver(USER, "INBOX", &fixtures::bulk(5, ""));
    let (w, mut rx) = start(
        backend(&d),
        support::events::memory_store(),
        WorkerOptions::default(),
    );
    connected(&w);
    open(&w, &mut rx, "INBOX", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    d.kick(USER);
    let ev = until(&mut rx, 10, |e| {
        matches!(e, WorkerEvent::Conn(ConnState::Connected))
    })
    .await;
    assert!(
        ev.contains(&WorkerEvent::Conn(ConnState::Reconnecting)),
        "the end of the session was noticed while idle: {ev:#?}"
    );
    // And the folder is live again on the new session.
    until(&mut rx, 10, |e| matches!(e, WorkerEvent::Selected { .. })).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    d.save(USER, "INBOX", &message("After the kick"));
    let ev = until(
        &mut rx,
        10,
        |e| matches!(e, WorkerEvent::Inserted { envelopes, .. } if !envelopes.is_empty()),
    )
    .await;
    assert!(format!("{ev:?}").contains("After the kick"));
}

async fn a_silent_server_is_noticed_and_replaced(p: Profile) {
    let d = server(p);
    d.deliver(USER, "INBOX", &fixtures::bulk(5, ""));
    let proxy = MeddlingProxy::start(d.imap_port).await;
    let s = ImapSettings {
        port: proxy.port,
        tls: TlsMode::None,
        ca_file: None,
        ..settings(&d)
    };
    let (w, mut rx) = start(
        ImapBackend::new(s, auth()),
        support::events::memory_store(),
        WorkerOptions::default(),
    );
    connected(&w);
    open(&w, &mut rx, "INBOX", 1).await;
    proxy.stall();
    let started = std::time::Instant::now();
    let ev = until(&mut rx, 20, |e| {
        matches!(e, WorkerEvent::Conn(ConnState::Connected))
    })
    .await;
    assert!(
        ev.contains(&WorkerEvent::Conn(ConnState::Reconnecting)),
        "{ev:#?}"
    );
    eprintln!("silent server replaced after {:?}", started.elapsed());
    assert!(proxy.sessions() >= 2, "a new session was opened");
}

async fn counts_of_other_folders_refresh(p: Profile) {
    let d = server(p);
    d.deliver(USER, "INBOX", &fixtures::bulk(3, ""));
    d.deliver(USER, "Archive", &fixtures::bulk(4, "S"));
    let options = WorkerOptions {
        counts_every: Duration::from_secs(1),
        ..WorkerOptions::default()
    };
    let (w, mut rx) = start(backend(&d), support::events::memory_store(), options);
    connected(&w);
    open(&w, &mut rx, "INBOX", 1).await;
    let count = |ev: &[WorkerEvent], path: &str| {
        ev.iter().rev().find_map(|e| match e {
            WorkerEvent::FolderCounts(c) => c
                .iter()
                .find(|c| c.path == path)
                .map(|c| (c.total, c.unseen)),
            _ => None,
        })
    };
    let ev = until(
        &mut rx,
        10,
        |e| matches!(e, WorkerEvent::FolderCounts(c) if c.iter().any(|c| c.path == "Archive")),
    )
    .await;
    assert_eq!(count(&ev, "Archive"), Some((4, 0)));
    let mut phone = other(&d).await;
    phone.append("Archive", &message("unread in archive")).await;
    let ev = until(&mut rx, 10, |e| {
        matches!(e, WorkerEvent::FolderCounts(c) if c.iter().any(|c| c.path == "Archive" && c.unseen == 1))
    })
    .await;
    assert_eq!(count(&ev, "Archive"), Some((5, 1)));
}

/// A server whose IDLE never answers `+`: mailtui notices, polls instead,
/// and still sees new mail.
#[tokio::test]
async fn an_idle_that_never_starts_falls_back_to_polling() {
    let d = server(Profile::Full);
    d.deliver(USER, "INBOX", &fixtures::bulk(3, ""));
    let proxy = MeddlingProxy::start(d.imap_port).await;
    proxy.drop_idle_continuation(true);
    let s = ImapSettings {
        port: proxy.port,
        tls: TlsMode::None,
        ca_file: None,
        ..settings(&d)
    };
    let (w, mut rx) = start(
        ImapBackend::new(s, auth()),
        support::events::memory_store(),
        WorkerOptions::default(),
    );
    connected(&w);
    open(&w, &mut rx, "INBOX", 1).await;
    // The IDLE attempt times out and the session is replaced once.
    until(&mut rx, 15, |e| {
        matches!(e, WorkerEvent::Conn(ConnState::Connected))
    })
    .await;
    d.save(USER, "INBOX", &message("Found by polling"));
    let ev = until(
        &mut rx,
        15,
        |e| matches!(e, WorkerEvent::Inserted { envelopes, .. } if !envelopes.is_empty()),
    )
    .await;
    assert!(format!("{ev:?}").contains("Found by polling"));
    let reconnects = ev
        .iter()
        .filter(|e| matches!(e, WorkerEvent::Conn(ConnState::Reconnecting)))
        .count();
    assert_eq!(reconnects, 0, "no reconnect loop once polling: {ev:#?}");
}

/// A server that says the folder shrank without expunging anything:
/// mailtui reconciles from scratch and ends up matching the server.
#[tokio::test]
async fn a_count_that_goes_down_without_expunges_is_reconciled() {
    let d = server(Profile::Exchange);
    d.deliver(USER, "INBOX", &fixtures::bulk(6, ""));
    let proxy = MeddlingProxy::start(d.imap_port).await;
    let s = ImapSettings {
        port: proxy.port,
        tls: TlsMode::None,
        ca_file: None,
        ..settings(&d)
    };
    let cache = tempfile::tempdir().unwrap();
    let (w, mut rx) = start(
        ImapBackend::new(s, auth()),
        file_store(cache.path()),
        WorkerOptions::default(),
    );
    connected(&w);
    open(&w, &mut rx, "INBOX", 1).await;
    proxy.inject_after_idle(Some(b"* 2 EXISTS\r\n"));
    // The bogus count forces a fresh select and reconcile, which finds
    // all six messages still there.
    let ev = until(&mut rx, 15, |e| matches!(e, WorkerEvent::Selected { .. })).await;
    proxy.inject_after_idle(None);
    assert!(
        !ev.iter().any(|e| matches!(e, WorkerEvent::Expunged { .. })),
        "nothing was expunged: {ev:#?}"
    );
    drain(&mut rx).await;
    assert_eq!(stored_uids(cache.path(), "INBOX"), [1, 2, 3, 4, 5, 6]);
}

async fn drain(rx: &mut Events) {
    while tokio::time::timeout(Duration::from_millis(500), rx.recv())
        .await
        .is_ok_and(|e| e.is_some())
    {}
}

/// `prefetch = N` keeps the newest bodies for reading offline.
#[tokio::test]
async fn the_newest_bodies_are_fetched_ahead_when_asked() {
    let d = server(Profile::Full);
    d.deliver(USER, "INBOX", &fixtures::bulk(12, ""));
    let cache = tempfile::tempdir().unwrap();
    let options = WorkerOptions {
        prefetch: 5,
        ..WorkerOptions::default()
    };
    let (w, mut rx) = start(backend(&d), file_store(cache.path()), options);
    connected(&w);
    open(&w, &mut rx, "INBOX", 1).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let all: Vec<u32> = (1..=12).collect();
    loop {
        let mut s = Store::open(&store::file_for(cache.path(), "test"), "check", u64::MAX);
        let kept = s.kept_bodies("INBOX", &all);
        if kept == [8, 9, 10, 11, 12] {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "kept {kept:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Nothing was marked read by fetching ahead.
    assert_eq!(d.seen_count(USER, "INBOX"), 0);
}

/// One answer the parser cannot read must not become a reconnect storm:
/// the step is tried once more on a new session, then reported as that
/// message's error, and the account carries on.
#[tokio::test]
async fn an_unreadable_answer_is_retried_once_then_reported() {
    let d = server(Profile::Full);
    d.deliver(USER, "INBOX", &fixtures::bulk(30, ""));
    let proxy = MeddlingProxy::start(d.imap_port).await;
    let s = ImapSettings {
        port: proxy.port,
        tls: TlsMode::None,
        ca_file: None,
        ..settings(&d)
    };
    let (w, mut rx) = start(
        ImapBackend::new(s, auth()),
        support::events::memory_store(),
        WorkerOptions::default(),
    );
    connected(&w);
    let (inbox, _) = open(&w, &mut rx, "INBOX", 1).await;
    proxy.replace(b"FETCH (UID 30 BODY[]", b"FETCH )UID 30 BODY[]");
    let before = proxy.sessions();
    w.commands
        .send(WorkerCommand::FetchMessage {
            folder: inbox.clone(),
            uid: 30,
            req: 2,
            size: None,
        })
        .unwrap();
    let ev = until(&mut rx, 20, |e| {
        matches!(
            e,
            WorkerEvent::MessageFailed { .. } | WorkerEvent::Message { .. }
        )
    })
    .await;
    let Some(WorkerEvent::MessageFailed { req: 2, error }) = ev.last() else {
        panic!("{ev:#?}")
    };
    assert!(error.as_str().contains("cannot read"), "{error}");
    // One sentence: the command and the offending text, no byte dump.
    assert!(error.as_str().contains("fetch message"), "{error}");
    assert!(error.as_str().contains("FETCH )UID 30 BODY[] {"), "{error}");
    assert!(!error.as_str().contains("[42, 32"), "{error}");
    assert!(!error.as_str().contains("Error {"), "{error}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let sessions = proxy.sessions() - before;
    assert!((1..=2).contains(&sessions), "{sessions} new sessions");
    // Other messages still open.
    w.commands
        .send(WorkerCommand::FetchMessage {
            folder: inbox,
            uid: 29,
            req: 3,
            size: None,
        })
        .unwrap();
    let ev = until(&mut rx, 10, |e| matches!(e, WorkerEvent::Message { .. })).await;
    assert!(matches!(
        ev.last(),
        Some(WorkerEvent::Message { req: 3, .. })
    ));
}

/// A server that sends a BODYSTRUCTURE nested 20,000 deep, or announces a
/// 530 MB literal: refused on the raw bytes (no stack overflow, nothing
/// buffered), the session replaced, the account carries on.
#[tokio::test]
async fn hostile_responses_are_refused_before_parsing() {
    let d = server(Profile::Full);
    d.deliver(USER, "INBOX", &fixtures::bulk(3, ""));
    let proxy = MeddlingProxy::start(d.imap_port).await;
    let s = ImapSettings {
        port: proxy.port,
        tls: TlsMode::None,
        ca_file: None,
        ..settings(&d)
    };
    let (w, mut rx) = start(
        ImapBackend::new(s, auth()),
        support::events::memory_store(),
        WorkerOptions::default(),
    );
    connected(&w);
    open(&w, &mut rx, "INBOX", 1).await;
    let deep = format!("* 1 FETCH (UID 1 BODYSTRUCTURE {}\r\n", "(".repeat(20_000));
    let huge = b"* 1 FETCH (UID 1 BODY[] {530000000}\r\n".to_vec();
    for line in [deep.into_bytes(), huge] {
        proxy.inject_after_idle(Some(&line));
        let ev = until(&mut rx, 20, |e| {
            matches!(e, WorkerEvent::Conn(ConnState::Reconnecting))
        })
        .await;
        proxy.inject_after_idle(None);
        assert!(!ev.is_empty());
        until(&mut rx, 20, |e| {
            matches!(e, WorkerEvent::Conn(ConnState::Connected))
        })
        .await;
        until(&mut rx, 20, |e| matches!(e, WorkerEvent::Synced { .. })).await;
    }
    // Still reading mail.
    d.save(USER, "INBOX", &message("still here"));
    let ev = until(
        &mut rx,
        10,
        |e| matches!(e, WorkerEvent::Inserted { envelopes, .. } if !envelopes.is_empty()),
    )
    .await;
    assert!(format!("{ev:?}").contains("still here"));
}
