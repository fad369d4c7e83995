//! Offline full-text search against a real Dovecot, in the full profile
//! and the Exchange-shaped one: messages read (their bodies kept and
//! indexed), then the server stopped; searches are answered from the
//! store's index, said to be the index's alone.

#[macro_use]
mod support;

use std::time::Duration;

use mailtui::auth::{PasswordSource, Secret};
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts, TlsMode};
use mailtui::worker::{FolderRef, WorkerCommand, WorkerEvent, WorkerOptions};
use support::dovecot::{Dovecot, Options};
use support::events::{Events, memory_store, open, start, until};

const USER: &str = "erin@example.com";
const PASSWORD: &str = "pw-erin";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Profile {
    Full,
    Exchange,
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

fn message(from: &str, subject: &str, kind: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: Erin <erin@example.com>\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: text/{kind}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// Searches through the worker: the UIDs found (sorted) and why the
/// server was not asked, if it was not.
async fn search(
    w: &mailtui::worker::WorkerHandle,
    rx: &mut Events,
    folder: &FolderRef,
    q: &str,
    req: u64,
) -> (Vec<u32>, Option<String>) {
    w.commands
        .send(WorkerCommand::Search {
            folder: folder.clone(),
            query: mailtui::query::parse(q).expect("a query"),
            now: mailtui::query::Now {
                unix: 1_800_000_000,
                utc_offset: 0,
            },
            req,
        })
        .unwrap();
    let ev = until(
        rx,
        30,
        |e| matches!(e, WorkerEvent::Found { req: r, .. } if *r == req),
    )
    .await;
    let Some(WorkerEvent::Found { uids, offline, .. }) = ev.last() else {
        panic!("{q:?}: {ev:#?}")
    };
    let mut uids = uids.clone();
    uids.sort_unstable();
    (uids, offline.as_ref().map(|c| c.as_str().to_string()))
}

async fn found_offline_from_kept_bodies(p: Profile) {
    let mut d = Dovecot::start_with(Options {
        exchange: p == Profile::Exchange,
        ..Options::default()
    });
    d.add_user(USER, PASSWORD);
    d.deliver(
        USER,
        "INBOX",
        &[
            (
                message(
                    "Jürgen Müller <jm@example.org>",
                    "Quarterly report",
                    "plain",
                    "The figures for the café branch are attached.",
                ),
                "",
            ),
            (
                message(
                    "Ann Lee <ann@corp.example.com>",
                    "Lunch",
                    "html",
                    "<p>Shall we meet at the <b>noodle</b> bar?</p>",
                ),
                "",
            ),
            (
                message("Bob <bob@x.test>", "Unread one", "plain", "never opened"),
                "",
            ),
        ],
    );
    let auth = ImapAuth::Password(PasswordSource::Plain(Secret::new(PASSWORD)));
    let (w, mut rx) = start(
        ImapBackend::new(settings(&d), auth),
        memory_store(),
        WorkerOptions::default(),
    );
    w.commands.send(WorkerCommand::Connect).unwrap();
    let (inbox, _) = open(&w, &mut rx, "INBOX", 1).await;
    // Read two of them: their bodies are kept, and indexed.
    for (uid, req) in [(1, 10), (2, 11)] {
        w.commands
            .send(WorkerCommand::FetchMessage {
                folder: inbox.clone(),
                uid,
                req,
                size: None,
            })
            .unwrap();
        until(
            &mut rx,
            30,
            |e| matches!(e, WorkerEvent::Message { req: r, .. } if *r == req),
        )
        .await;
    }
    // Online: the server's answer and the index's, merged.
    let (uids, offline) = search(&w, &mut rx, &inbox, "figures", 20).await;
    assert_eq!((uids, offline), (vec![1], None));
    let (uids, _) = search(&w, &mut rx, &inbox, "opened", 21).await;
    assert_eq!(uids, [3], "a body not kept is the server's to find");
    // Text Exchange's search cannot take (ASCII only): the index finds it.
    let (uids, offline) = search(&w, &mut rx, &inbox, "café", 22).await;
    assert_eq!(uids, [1], "{offline:?}");

    d.stop();
    let (uids, offline) = search(&w, &mut rx, &inbox, "figures", 30).await;
    assert_eq!(uids, [1]);
    let why = offline.expect("said to be the index's alone");
    assert!(!why.is_empty());
    for (req, q, want) in [
        (31, "noodle", vec![2]),
        (32, "jurgen", vec![1]),
        (33, "cafe", vec![1]),
        (34, "from:xample.org", vec![1]),
        (35, "to:erin@example", vec![1, 2]),
        (36, "subject:lunch", vec![2]),
        (37, "unread", vec![3]),
        (38, "opened", vec![]),
        (39, "noodle OR figures", vec![1, 2]),
        (40, "-noodle is:unread", vec![1, 3]),
    ] {
        let (uids, offline) = search(&w, &mut rx, &inbox, q, req).await;
        assert_eq!(uids, want, "{q:?}");
        assert!(offline.is_some(), "{q:?}: the server was not asked");
    }
}

fn with_attachment(subject: &str, text: &str) -> Vec<u8> {
    format!(
        "From: Dora <dora@example.net>\r\nTo: Erin <erin@example.com>\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n--b\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\nQVRUQUNITUVOVFBBWUxPQUQ=\r\n--b--\r\n"
    )
    .into_bytes()
}

/// A worker with `sync_bodies = "text"` and these caps, on INBOX, until
/// the sync says nothing is left; its store.
async fn synced(
    d: &Dovecot,
    account_max: u64,
) -> (
    mailtui::worker::WorkerHandle,
    Events,
    FolderRef,
    mailtui::store::StoreHandle,
) {
    let auth = ImapAuth::Password(PasswordSource::Plain(Secret::new(PASSWORD)));
    let store = memory_store();
    let (w, mut rx) = start(
        ImapBackend::new(settings(d), auth),
        store.clone(),
        WorkerOptions {
            sync_text: Some(mailtui::worker::TextSync {
                message_max: 1 << 20,
                account_max,
            }),
            ..Default::default()
        },
    );
    w.commands.send(WorkerCommand::Connect).unwrap();
    let (inbox, _) = open(&w, &mut rx, "INBOX", 1).await;
    until(&mut rx, 60, |e| {
        matches!(e, WorkerEvent::TextSync { left: 0 })
    })
    .await;
    (w, rx, inbox, store)
}

async fn text_is_synced_without_attachments_or_marking_read(p: Profile) {
    let mut d = Dovecot::start_with(Options {
        exchange: p == Profile::Exchange,
        ..Options::default()
    });
    d.add_user(USER, PASSWORD);
    d.deliver(
        USER,
        "INBOX",
        &[
            (with_attachment("one", "the aardvark report"), ""),
            (
                message("Bob <bob@x.test>", "two", "plain", "a bright zeppelin"),
                "",
            ),
            (with_attachment("three", "an orange kumquat"), ""),
        ],
    );
    // The account's cap reached after one message: only the newest.
    let (w, _rx, _inbox, store) = synced(&d, 1).await;
    let kept = store
        .call(|s| s.kept_bodies("INBOX", &[1, 2, 3]))
        .await
        .unwrap();
    assert_eq!(kept, [3], "newest first, then the cap");
    w.commands.send(WorkerCommand::Shutdown).unwrap();

    let (w, mut rx, inbox, store) = synced(&d, 1 << 30).await;
    let kept = store
        .call(|s| {
            (1..=3)
                .map(|u| s.kept("INBOX", u, 0).map(|k| k.raw))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap();
    for (i, raw) in kept.iter().enumerate() {
        let raw = raw
            .as_ref()
            .unwrap_or_else(|| panic!("message {} kept", i + 1));
        let text = String::from_utf8_lossy(raw);
        assert!(
            !text.contains("QVRUQUNITUVOVFBBWUxPQUQ"),
            "no attachment: {text}"
        );
    }
    assert_eq!(d.seen_count(USER, "INBOX"), 0, "nothing marked read");
    d.stop();
    for (req, q, want) in [
        (50, "aardvark", vec![1]),
        (51, "zeppelin", vec![2]),
        (52, "kumquat", vec![3]),
    ] {
        let (uids, offline) = search(&w, &mut rx, &inbox, q, req).await;
        assert_eq!(uids, want, "{q:?}");
        assert!(offline.is_some());
    }
}

both_profiles!(
    found_offline_from_kept_bodies,
    text_is_synced_without_attachments_or_marking_read
);
