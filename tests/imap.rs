//! The IMAP backend and the account worker against a real Dovecot over
//! real TLS on loopback.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use mailtui::auth::{PasswordSource, Secret};
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts, TlsMode};
use mailtui::mail::message::{self, BodySource};
use mailtui::mail::types::{Envelope, FlagKind};
use mailtui::mail::{MailBackend, MailError};
use mailtui::worker::{ConnState, PartsRequest, WorkerCommand, WorkerEvent, WorkerOptions};
use support::dovecot::{Dovecot, Options};
use support::events::{inbox_loaded, memory_store, open, start, until};
use support::fixtures;

const USER: &str = "bob@example.com";
const PASSWORD: &str = "correct horse \"battery\" staple";

fn settings(d: &Dovecot, tls: TlsMode) -> ImapSettings {
    let port = if tls == TlsMode::Implicit {
        d.imaps_port
    } else {
        d.imap_port
    };
    ImapSettings {
        host: "127.0.0.1".into(),
        port,
        tls,
        ca_file: Some(d.ca_file.clone()),
        username: USER.into(),
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            command: Duration::from_secs(10),
            transfer: Duration::from_secs(30),
            ..Timeouts::default()
        },
    }
}

fn password(p: &str) -> ImapAuth {
    ImapAuth::Password(PasswordSource::Plain(Secret::new(p)))
}

/// A backend logging in with the right password.
fn backend(d: &Dovecot, tls: TlsMode) -> ImapBackend {
    ImapBackend::new(settings(d, tls), password(PASSWORD))
}

/// Selects `path` and lists every message, oldest first.
async fn rows(b: &mut ImapBackend, path: &str) -> Vec<Envelope> {
    b.select(path, None).await.unwrap();
    let uids = b.all_uids().await.unwrap();
    let mut rows: Vec<Envelope> = b
        .fetch_rows(&uids)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.envelope)
        .collect();
    rows.sort_by_key(|e| e.uid);
    rows
}

fn server() -> Dovecot {
    let d = Dovecot::start();
    d.add_user(USER, PASSWORD);
    d
}

#[tokio::test]
async fn implicit_tls_lists_nested_and_non_ascii_folders() {
    let d = server();
    for f in [
        "Sent Items",
        "Projects",
        "Projects/Apollo",
        "Entwürfe",
        "Отправленные",
    ] {
        d.folder_dir(USER, f);
    }
    let mut b = backend(&d, TlsMode::Implicit);
    b.connect().await.expect("login over implicit TLS");
    let folders = b.list_folders().await.expect("LIST");
    let shown: Vec<(String, String, usize)> = folders
        .iter()
        .map(|f| (f.path.clone(), f.name.to_string(), f.depth))
        .collect();
    let expect = |path: &str, name: &str, depth: usize| {
        assert!(
            shown.contains(&(path.to_string(), name.to_string(), depth)),
            "{path} / {name} missing in {shown:?}"
        );
    };
    expect("INBOX", "Inbox", 0);
    expect("Projects/Apollo", "Apollo", 1);
    expect("Entw&APw-rfe", "Entwürfe", 0);
    expect("&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-", "Отправленные", 0);
    assert_eq!(folders[0].path, "INBOX", "inbox first");
    let sent = folders.iter().position(|f| f.path == "Sent Items").unwrap();
    let apollo = folders
        .iter()
        .position(|f| f.path == "Projects/Apollo")
        .unwrap();
    let projects = folders.iter().position(|f| f.path == "Projects").unwrap();
    assert!(sent < projects, "special folders before others: {shown:?}");
    assert_eq!(apollo, projects + 1, "child right after parent: {shown:?}");
    // A non-ASCII folder opens by its wire name.
    assert_eq!(b.select("Entw&APw-rfe", None).await.unwrap().exists, 0);
}

#[tokio::test]
async fn starttls_and_loopback_plaintext_both_work() {
    let d = server();
    d.deliver(USER, "INBOX", &[(fixtures::PLAIN.as_bytes().to_vec(), "")]);
    for mode in [TlsMode::Starttls, TlsMode::None] {
        let mut b = backend(&d, mode);
        b.connect()
            .await
            .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        let env = rows(&mut b, "INBOX").await;
        assert_eq!(env.len(), 1, "{mode:?}");
        assert_eq!(env[0].subject.as_str(), "Plain hello", "{mode:?}");
        b.disconnect().await;
    }
}

#[tokio::test]
async fn reads_every_mime_shape() {
    let d = server();
    let msgs: Vec<(Vec<u8>, &str)> = vec![
        (fixtures::PLAIN.into(), ""),
        (fixtures::HTML_ONLY.into(), ""),
        (fixtures::ALTERNATIVE.into(), "S"),
        (fixtures::ATTACHMENT.into(), "F"),
        (fixtures::LATIN1.to_vec(), ""),
        (fixtures::japanese(), ""),
        (fixtures::BROKEN.into(), ""),
        (fixtures::HOSTILE.into(), ""),
    ];
    d.deliver(USER, "INBOX", &msgs);
    let mut b = backend(&d, TlsMode::Implicit);
    b.connect().await.unwrap();
    let envs = rows(&mut b, "INBOX").await;
    assert_eq!(envs.len(), 8);
    let subjects: Vec<&str> = envs.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "Plain hello",
            "HTML only",
            "Alternative",
            "With attachment",
            "Grüße aus Köln",
            "日本語",
            "Broken MIME",
            "pwned"
        ]
    );
    assert_eq!(envs[4].from.as_str(), "Jürgen");
    assert_eq!(envs[7].from.as_str(), "Evil");
    assert!(envs[2].flags.seen && !envs[0].flags.seen);
    assert!(envs[3].flags.flagged && envs[3].has_attachment);
    assert!(!envs[0].has_attachment && !envs[2].has_attachment);
    assert!(envs[0].date.is_some() && envs[0].size > 0);

    let read =
        async |b: &mut ImapBackend, uid| message::parse(uid, &b.fetch_message(uid).await.unwrap());
    let m = read(&mut b, envs[0].uid).await;
    assert_eq!(m.source, BodySource::Plain);
    assert!(m.body.as_str().contains("plain text here"));
    let m = read(&mut b, envs[1].uid).await;
    assert_eq!(m.source, BodySource::Html);
    assert!(m.body.as_str().contains("Big news") && !m.body.as_str().contains("x()"));
    let m = read(&mut b, envs[2].uid).await;
    assert!(m.body.as_str().contains("The plain part.") && !m.body.as_str().contains("HTML"));
    let m = read(&mut b, envs[3].uid).await;
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].name.as_str(), "report.pdf");
    assert!(m.attachments[0].size > 20);
    let m = read(&mut b, envs[4].uid).await;
    assert!(m.body.as_str().contains("Schöne Grüße!"));
    let m = read(&mut b, envs[5].uid).await;
    assert!(m.body.as_str().contains("日本語"));
    let m = read(&mut b, envs[6].uid).await;
    assert!(!m.headers.is_empty(), "broken MIME still shows its headers");
    let m = read(&mut b, envs[7].uid).await;
    assert!(!m.body.as_str().contains('\x1b') && m.body.as_str().contains("line two"));

    // Reading did not mark anything read (PEEK); store_flag does, on the server.
    assert_eq!(d.seen_count(USER, "INBOX"), 1);
    b.store_flag(&[envs[0].uid], FlagKind::Seen, true)
        .await
        .unwrap();
    let again = b.fetch_flags(envs[0].uid, envs[0].uid, None).await.unwrap();
    assert!(again.flags[0].flags.seen);
    assert_eq!(d.seen_count(USER, "INBOX"), 2);
}

#[tokio::test]
async fn wrong_password_is_a_clear_auth_error() {
    let d = server();
    let e = ImapBackend::new(settings(&d, TlsMode::Implicit), password("wrong"))
        .connect()
        .await
        .unwrap_err();
    let MailError::Auth(msg) = &e else {
        panic!("expected an auth error, got {e:?}")
    };
    assert!(msg.contains(USER) && msg.contains("refused"), "{msg}");
    assert!(
        !msg.contains("wrong"),
        "the password must not appear: {msg}"
    );
    assert!(!e.is_transient());
}

#[tokio::test]
async fn untrusted_ca_is_refused() {
    let d = server();
    let other = support::certs::TestCa::new("other");
    let dir = tempfile::tempdir().unwrap();
    let other_ca = dir.path().join("other-ca.pem");
    std::fs::write(&other_ca, other.ca_pem).unwrap();
    let mut s = settings(&d, TlsMode::Implicit);
    s.ca_file = Some(other_ca);
    let e = ImapBackend::new(s.clone(), password(PASSWORD))
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, MailError::Tls(m) if m.contains("not signed by a trusted CA")),
        "{e:?}"
    );
    // Same through STARTTLS.
    s.tls = TlsMode::Starttls;
    s.port = d.imap_port;
    let e = ImapBackend::new(s, password(PASSWORD))
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, MailError::Tls(m) if m.contains("not signed by a trusted CA")),
        "{e:?}"
    );
}

#[tokio::test]
async fn missing_starttls_stops_without_plaintext_fallback() {
    let d = Dovecot::start_with(Options {
        tls: false,
        ..Default::default()
    });
    d.add_user(USER, PASSWORD);
    let mut s = settings(&d, TlsMode::Starttls);
    s.port = d.imap_port;
    let e = ImapBackend::new(s, password(PASSWORD))
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, MailError::Tls(m) if m.contains("refused STARTTLS") && m.contains("not continuing")),
        "{e:?}"
    );
    assert!(
        !d.log().contains("Login: user=<bob"),
        "no login may happen in plaintext:\n{}",
        d.log()
    );
}

#[tokio::test]
async fn bad_ca_file_is_a_config_error() {
    let d = server();
    let mut s = settings(&d, TlsMode::Implicit);
    s.ca_file = Some(PathBuf::from("/nonexistent/ca.pem"));
    let e = ImapBackend::new(s, password(PASSWORD))
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, MailError::Config(m) if m.contains("/nonexistent/ca.pem")),
        "{e:?}"
    );
}

#[tokio::test]
async fn worker_streams_a_big_folder_newest_first() {
    let d = server();
    let msgs = fixtures::bulk(3000, "S");
    d.deliver(USER, "INBOX", &msgs);
    d.index(USER);
    let (w, mut rx) = start(
        backend(&d, TlsMode::Implicit),
        memory_store(),
        WorkerOptions::default(),
    );
    w.commands.send(WorkerCommand::Connect).unwrap();
    let (inbox, events) = open(&w, &mut rx, "INBOX", 7).await;
    let mut batches = Vec::new();
    for e in events {
        match e {
            WorkerEvent::Selected { exists, req, .. } => assert_eq!((exists, req), (3000, 7)),
            WorkerEvent::Inserted {
                envelopes,
                remaining,
                req,
            } => {
                assert_eq!(req, 7);
                batches.push((envelopes, remaining));
            }
            _ => {}
        }
    }
    // The first screen comes alone and holds the newest messages.
    let (first, remaining) = &batches[0];
    assert_eq!(first.len(), 100);
    assert_eq!(*remaining, 2900);
    assert_eq!(first[0].subject.as_str(), "Message number 3000");
    let all: Vec<u32> = batches
        .iter()
        .flat_map(|(b, _)| b.iter().map(|e| e.uid))
        .collect();
    assert_eq!(all.len(), 3000);
    assert!(
        all.windows(2).all(|p| p[0] > p[1]),
        "newest first, no duplicates"
    );

    // A body request while nothing else is queued comes straight back.
    w.commands
        .send(WorkerCommand::FetchMessage {
            folder: inbox,
            uid: all[10],
            req: 8,
            size: None,
        })
        .unwrap();
    let ev = until(&mut rx, 10, |e| matches!(e, WorkerEvent::Message { .. })).await;
    let Some(WorkerEvent::Message { req: 8, message }) = ev.last() else {
        panic!("{ev:?}")
    };
    assert!(message.body.as_str().contains("Body of message 2990"));
    w.commands.send(WorkerCommand::Shutdown).unwrap();
    w.join.await.unwrap();
}

#[tokio::test]
async fn body_requests_are_coalesced_to_the_latest() {
    let d = server();
    let msgs = fixtures::bulk(50, "");
    d.deliver(USER, "INBOX", &msgs);
    let (w, mut rx, inbox) = inbox_loaded(backend(&d, TlsMode::Implicit)).await;
    // Ten quick moves of the selection: only the last is fetched.
    for uid in 1..=10 {
        w.commands
            .send(WorkerCommand::FetchMessage {
                folder: inbox.clone(),
                uid,
                req: 100 + uid as u64,
                size: None,
            })
            .unwrap();
    }
    let ev = until(&mut rx, 10, |e| matches!(e, WorkerEvent::Message { .. })).await;
    let msgs: Vec<u64> = ev
        .iter()
        .filter_map(|e| match e {
            WorkerEvent::Message { req, .. } => Some(*req),
            _ => None,
        })
        .collect();
    assert_eq!(msgs, [110]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Ok((_, e)) = rx.try_recv() {
        assert!(
            !matches!(e, WorkerEvent::Message { .. }),
            "no further bodies were fetched"
        );
    }
}

#[tokio::test]
async fn a_body_asked_for_in_another_folder_is_not_served_from_this_one() {
    let d = server();
    d.deliver(USER, "INBOX", &fixtures::bulk(3, ""));
    d.deliver(USER, "Archive", &fixtures::bulk(3, ""));
    let (w, mut rx, inbox) = inbox_loaded(backend(&d, TlsMode::Implicit)).await;
    // The user opens Archive, then a body request for INBOX arrives late.
    open(&w, &mut rx, "Archive", 2).await;
    w.commands
        .send(WorkerCommand::FetchMessage {
            folder: inbox,
            uid: 1,
            req: 9,
            size: None,
        })
        .unwrap();
    let ev = until(&mut rx, 10, |e| {
        matches!(
            e,
            WorkerEvent::MessageFailed { .. } | WorkerEvent::Message { .. }
        )
    })
    .await;
    assert!(
        matches!(ev.last(), Some(WorkerEvent::MessageFailed { req: 9, .. })),
        "{ev:#?}"
    );
}

#[tokio::test]
async fn wrong_password_in_the_worker_fails_without_retrying() {
    let d = server();
    let (w, mut rx) = start(
        ImapBackend::new(settings(&d, TlsMode::Implicit), password("nope")),
        memory_store(),
        WorkerOptions::default(),
    );
    w.commands.send(WorkerCommand::Connect).unwrap();
    let ev = until(&mut rx, 10, |e| {
        matches!(e, WorkerEvent::Conn(ConnState::Failed(_)))
    })
    .await;
    let Some(WorkerEvent::Conn(ConnState::Failed(msg))) = ev.last() else {
        unreachable!()
    };
    assert!(msg.as_str().contains("refused"), "{msg}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        rx.try_recv().is_err(),
        "no automatic retry after a refused login"
    );
}

#[tokio::test]
async fn unreachable_server_retries_with_backoff() {
    let port = support::free_port();
    let s = ImapSettings {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::Implicit,
        ca_file: None,
        username: USER.into(),
        timeouts: Timeouts::default(),
    };
    let (w, mut rx) = start(
        ImapBackend::new(s, password("x")),
        memory_store(),
        WorkerOptions::default(),
    );
    w.commands.send(WorkerCommand::Connect).unwrap();
    let ev = until(&mut rx, 10, |e| {
        matches!(e, WorkerEvent::Conn(ConnState::Retrying { attempt: 2, .. }))
    })
    .await;
    let retries: Vec<(u32, u64)> = ev
        .iter()
        .filter_map(|e| match e {
            WorkerEvent::Conn(ConnState::Retrying {
                attempt,
                retry_in_secs,
                error,
            }) => {
                assert!(error.as_str().contains("cannot connect"), "{error}");
                Some((*attempt, *retry_in_secs))
            }
            _ => None,
        })
        .collect();
    assert_eq!(retries, [(1, 1), (2, 2)]);
}

#[tokio::test]
async fn server_stopped_mid_session_reconnects_and_carries_on() {
    let mut d = server();
    let msgs = fixtures::bulk(300, "");
    d.deliver(USER, "INBOX", &msgs);
    let (w, mut rx, inbox) = inbox_loaded(backend(&d, TlsMode::Implicit)).await;

    d.stop();
    // Noticed while idle, without any request: the worker starts retrying.
    until(&mut rx, 10, |e| {
        matches!(e, WorkerEvent::Conn(ConnState::Retrying { .. }))
    })
    .await;
    w.commands
        .send(WorkerCommand::FetchMessage {
            folder: inbox.clone(),
            uid: 300,
            req: 2,
            size: None,
        })
        .unwrap();
    d.restart();
    // It reconnects by itself, re-selects INBOX and serves the pending request.
    let ev = until(&mut rx, 20, |e| matches!(e, WorkerEvent::Message { .. })).await;
    assert!(
        ev.contains(&WorkerEvent::Conn(ConnState::Connected)),
        "{ev:#?}"
    );
    let Some(WorkerEvent::Message { req: 2, message }) = ev.last() else {
        panic!("{ev:#?}")
    };
    assert!(message.body.as_str().contains("Body of message 300"));
    assert!(
        !ev.iter().any(|e| matches!(e, WorkerEvent::Inserted { envelopes, .. } if !envelopes.is_empty())
            || matches!(e, WorkerEvent::Selected { uid_validity, .. } if *uid_validity != inbox.uid_validity)),
        "an unchanged folder is resumed, not reloaded: {ev:#?}"
    );
}

/// A message of 40,000 nested message/rfc822 parts used to abort the whole
/// process when it was listed and previewed; over IMAP it now opens.
#[tokio::test]
async fn a_deeply_nested_message_lists_and_opens() {
    let d = server();
    d.deliver(
        USER,
        "INBOX",
        &[(fixtures::nested_messages(), ""), (fixtures::simple(2), "")],
    );
    let (w, mut rx, inbox) = inbox_loaded(backend(&d, TlsMode::Implicit)).await;
    w.commands
        .send(WorkerCommand::FetchMessage {
            folder: inbox,
            uid: 1,
            req: 5,
            size: None,
        })
        .unwrap();
    let ev = until(&mut rx, 30, |e| matches!(e, WorkerEvent::Message { .. })).await;
    let Some(WorkerEvent::Message { req: 5, message }) = ev.last() else {
        panic!("{ev:#?}")
    };
    assert!(
        message
            .headers
            .iter()
            .any(|(n, v)| *n == "Subject" && v.as_str() == "nested"),
        "{:?}",
        message.headers
    );
    assert!(
        !message.notes.is_empty(),
        "the reader says what it left out"
    );
}

/// A 9 MB message is not fetched whole: the reader gets its text (the
/// first megabyte of it) and its parts listed; the attachment comes only
/// when asked for, byte for byte. A small message is still one fetch.
#[tokio::test]
async fn a_big_message_is_fetched_by_its_text_parts() {
    let d = server();
    let (big, data) = fixtures::big_with_attachment();
    d.deliver(
        USER,
        "INBOX",
        &[(big.clone(), ""), (fixtures::simple(2), "")],
    );
    let mut b = backend(&d, TlsMode::Implicit);
    b.connect().await.unwrap();
    b.select("INBOX", None).await.unwrap();

    let whole = b.fetch_for_reading(2, None).await.unwrap();
    assert!(!whole.partial, "a small message is fetched whole");

    let f = b.fetch_for_reading(1, None).await.unwrap();
    assert!(f.partial);
    assert!(
        f.raw.len() < 2 << 20,
        "{} bytes fetched of {}",
        f.raw.len(),
        big.len()
    );
    let v = message::parse_as(1, &f.raw, true);
    let body = v.body.as_str();
    assert!(body.starts_with("Start of the report.\nline 0 of the report, Grüße"));
    assert!(body.contains("line 1000 of the report") && !body.contains("html version"));
    assert!(!body.contains("line 99999"), "the text part is cut");
    let notes: Vec<&str> = v.notes.iter().map(|n| n.as_str()).collect();
    assert!(
        notes[0].contains("only its text was fetched")
            && notes.iter().any(|n| n.contains("shown only in part")),
        "{notes:?}"
    );
    assert_eq!(v.headers[0].1.as_str(), "Big Sender <big@example.com>");
    let att = v
        .attachments
        .iter()
        .find(|a| a.name.as_str() == "data.bin")
        .expect("the attachment is listed");
    assert_eq!(att.remote.as_deref(), Some("2"));
    assert!(
        att.size > 8_000_000,
        "its size in the message: {}",
        att.size
    );
    assert_eq!(v.nested.len(), 1, "the small forward is fetched and shown");
    assert_eq!(v.nested[0].body.as_str().trim(), "Inner text here.");

    // Saved: the part alone, decoded to the bytes that were sent.
    let entity = b.fetch_part(1, "2").await.unwrap();
    let part = mailtui::mail::mime::parts::extract(&entity, "1").expect("a part");
    assert_eq!(part.file_name.as_deref(), Some("data.bin"));
    assert!(!part.damaged);
    assert!(
        part.bytes == data,
        "the attachment comes back byte for byte"
    );
    // The parts menu asks for the big message's own numbers.
    let sections: Vec<(&str, usize)> = v
        .parts
        .iter()
        .map(|p| (p.section.as_str(), p.size))
        .collect();
    assert!(
        sections.iter().any(|(s, n)| *s == "2" && *n > 8_000_000),
        "{sections:?}"
    );
    assert!(sections.iter().any(|(s, _)| *s == "3"), "{sections:?}");
    assert!(
        b.fetch_part(1, "2 BODY[]").await.is_err(),
        "a section is only digits and dots"
    );
}

/// Through the worker: the size from the list decides, and the view says
/// what was left out.
#[tokio::test]
async fn the_worker_opens_a_big_message_without_fetching_it_whole() {
    let d = server();
    let (big, data) = fixtures::big_with_attachment();
    d.deliver(USER, "INBOX", &[(big, "")]);
    let (w, mut rx, inbox) = inbox_loaded(backend(&d, TlsMode::Implicit)).await;
    w.commands
        .send(WorkerCommand::FetchMessage {
            folder: inbox.clone(),
            uid: 1,
            req: 4,
            size: Some(9_000_000),
        })
        .unwrap();
    let ev = until(&mut rx, 30, |e| matches!(e, WorkerEvent::Message { .. })).await;
    let Some(WorkerEvent::Message { req: 4, message }) = ev.last() else {
        panic!("{ev:#?}")
    };
    assert!(
        message.notes[0]
            .as_str()
            .contains("only its text was fetched")
    );
    assert!(message.attachments.iter().any(|a| a.remote.is_some()));
    let entry = message
        .parts
        .iter()
        .find(|p| p.file_name.as_deref() == Some("data.bin"))
        .expect("listed in the parts menu");
    // Saving it fetches that part alone, by the message's own number.
    w.commands
        .send(WorkerCommand::FetchParts(PartsRequest {
            folder: inbox.clone(),
            uid: 1,
            sections: vec![entry.section.clone()],
            req: 5,
            view: false,
        }))
        .unwrap();
    let ev = until(&mut rx, 30, |e| {
        matches!(
            e,
            WorkerEvent::Parts { .. } | WorkerEvent::PartsFailed { .. }
        )
    })
    .await;
    let Some(WorkerEvent::Parts { req: 5, parts }) = ev.last() else {
        panic!("{ev:#?}")
    };
    assert!(parts[0].bytes == data && parts[0].section == "2");
    // Enter on the forwarded message shows it, fetched alone too.
    w.commands
        .send(WorkerCommand::FetchParts(PartsRequest {
            folder: inbox,
            uid: 1,
            sections: vec!["3".into()],
            req: 6,
            view: true,
        }))
        .unwrap();
    let ev = until(&mut rx, 30, |e| {
        matches!(
            e,
            WorkerEvent::Message { .. } | WorkerEvent::PartsFailed { .. }
        )
    })
    .await;
    let Some(WorkerEvent::Message { req: 6, message }) = ev.last() else {
        panic!("{ev:#?}")
    };
    assert_eq!(message.body.as_str().trim(), "Inner text here.");
}

/// APPEND (a Sent copy, a draft) into a folder the server does not have
/// yet makes the folder once and stores the message; into one it has,
/// just stores; where the folder cannot be made, the server's first
/// answer is what comes back.
#[tokio::test]
async fn append_makes_a_missing_folder_once() {
    let d = server();
    let mut b = backend(&d, TlsMode::Implicit);
    b.connect().await.unwrap();
    let msg = fixtures::simple(1);
    b.append("Drafts", &msg, &[FlagKind::Seen, FlagKind::Draft])
        .await
        .expect("made and stored");
    b.append("Drafts", &msg, &[FlagKind::Seen])
        .await
        .expect("stored");
    let drafts = rows(&mut b, "Drafts").await;
    assert_eq!(drafts.len(), 2);
    assert!(drafts[0].flags.draft && drafts[0].flags.seen, "{drafts:?}");
    assert!(!drafts[1].flags.draft);
    let folders = b.list_folders().await.unwrap();
    assert_eq!(folders.iter().filter(|f| f.path == "Drafts").count(), 1);
    // Dovecot refuses to make a folder under a name this long.
    let long = "x".repeat(400);
    let e = b
        .append(&long, &msg, &[])
        .await
        .expect_err("no such folder can be made");
    match e {
        MailError::Command(text) => assert!(text.starts_with("store a message"), "{text}"),
        other => panic!("{other:?}"),
    }
}
