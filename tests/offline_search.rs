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

both_profiles!(found_offline_from_kept_bodies);
