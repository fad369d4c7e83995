//! Acting on mail through the account worker against a real Dovecot, in
//! the full profile, the Exchange-shaped one, and one without MOVE (COPY +
//! EXPUNGE); every change checked through a second IMAP connection.

mod support;

use std::time::Duration;

use mailtui::auth::{PasswordSource, Secret};
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts, TlsMode};
use mailtui::mail::types::FlagKind;
use mailtui::worker::{FolderRef, WorkerCommand, WorkerEvent, WorkerHandle, WorkerOptions};
use support::dovecot::{Dovecot, Options};
use support::events::{Events, memory_store, open, start, until};
use support::fixtures;
use support::other::OtherDevice;
use support::proxy::MeddlingProxy;

const USER: &str = "dana@example.com";
const PASSWORD: &str = "pw-dana";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Profile {
    Full,
    Exchange,
    NoMove,
}

fn server(p: Profile) -> Dovecot {
    let d = Dovecot::start_with(Options {
        exchange: p == Profile::Exchange,
        no_move: p == Profile::NoMove,
        acl: true,
        ..Options::default()
    });
    d.add_user(USER, PASSWORD);
    d
}

fn settings(port: u16, tls: TlsMode, d: &Dovecot) -> ImapSettings {
    ImapSettings {
        host: "127.0.0.1".into(),
        port,
        tls,
        ca_file: (tls != TlsMode::None).then(|| d.ca_file.clone()),
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

fn auth() -> ImapAuth {
    ImapAuth::Password(PasswordSource::Plain(Secret::new(PASSWORD)))
}

async fn worker_on(d: &Dovecot, port: u16, tls: TlsMode) -> (WorkerHandle, Events, FolderRef) {
    let (w, mut rx) = start(
        ImapBackend::new(settings(port, tls, d), auth()),
        memory_store(),
        WorkerOptions::default(),
    );
    w.commands.send(WorkerCommand::Connect).unwrap();
    let (inbox, _) = open(&w, &mut rx, "INBOX", 1).await;
    (w, rx, inbox)
}

async fn worker(d: &Dovecot) -> (WorkerHandle, Events, FolderRef) {
    worker_on(d, d.imaps_port, TlsMode::Implicit).await
}

async fn other(d: &Dovecot) -> OtherDevice {
    OtherDevice::connect(d.imap_port, USER, PASSWORD).await
}

fn subjects(list: &[(u32, String)]) -> Vec<&str> {
    list.iter().map(|(_, s)| s.as_str()).collect()
}

async fn answer(rx: &mut Events, op: u64) -> WorkerEvent {
    let ev = support::events::answer(rx, op).await;
    ev.last().cloned().expect("an answer")
}

macro_rules! profiles {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn full() {
                super::$name(super::Profile::Full).await
            }
            #[tokio::test]
            async fn exchange() {
                super::$name(super::Profile::Exchange).await
            }
            #[tokio::test]
            async fn without_move() {
                super::$name(super::Profile::NoMove).await
            }
        }
    )*};
}

profiles!(
    flags_reach_the_server_and_come_back,
    archive_then_undo_puts_the_message_back,
    delete_for_good_leaves_nothing_behind,
    a_move_to_a_folder_deleted_meanwhile_is_refused_with_the_reason,
    search_asks_the_server_for_body_text,
);

async fn flags_reach_the_server_and_come_back(p: Profile) {
    let d = server(p);
    d.deliver(USER, "INBOX", &fixtures::bulk(5, ""));
    let (w, mut rx, inbox) = worker(&d).await;
    for (flag, on) in [
        (FlagKind::Flagged, true),
        (FlagKind::Seen, true),
        (FlagKind::Flagged, false),
    ] {
        w.commands
            .send(WorkerCommand::SetFlag {
                folder: inbox.clone(),
                uids: vec![2, 4],
                flag,
                on,
            })
            .unwrap();
    }
    // Settled once the worker is idle again; the other connection sees it.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mut phone = other(&d).await;
    for uid in [2, 4] {
        let flags = phone.flags("INBOX", uid).await;
        assert!(flags.iter().any(|f| f == "Seen"), "{uid}: {flags:?}");
        assert!(!flags.iter().any(|f| f == "Flagged"), "{uid}: {flags:?}");
    }
    let flags = phone.flags("INBOX", 3).await;
    assert!(!flags.iter().any(|f| f == "Seen"), "{flags:?}");
    drop(rx.try_recv());
}

async fn archive_then_undo_puts_the_message_back(p: Profile) {
    let d = server(p);
    d.deliver(USER, "INBOX", &fixtures::bulk(3, ""));
    d.folder_dir(USER, "Archive");
    let (w, mut rx, inbox) = worker(&d).await;
    w.commands
        .send(WorkerCommand::Move {
            folder: inbox.clone(),
            uids: vec![2],
            message_ids: vec![],
            to: "Archive".into(),
            op: 7,
        })
        .unwrap();
    let WorkerEvent::Moved {
        target,
        target_uids,
        message_ids,
        removed,
        ..
    } = answer(&mut rx, 7).await
    else {
        panic!("not moved")
    };
    assert!(removed);
    assert_eq!(message_ids, ["m2@example.com"]);
    let target = target.expect("Dovecot says where (COPYUID)");
    assert_eq!(target_uids.len(), 1);
    let mut phone = other(&d).await;
    assert_eq!(
        subjects(&phone.subjects("INBOX").await),
        ["Message number 1", "Message number 3"]
    );
    assert_eq!(
        subjects(&phone.subjects("Archive").await),
        ["Message number 2"]
    );

    // Undo: back from where it landed.
    w.commands
        .send(WorkerCommand::Move {
            folder: target,
            uids: target_uids,
            message_ids,
            to: "INBOX".into(),
            op: 8,
        })
        .unwrap();
    assert!(matches!(
        answer(&mut rx, 8).await,
        WorkerEvent::Moved { removed: true, .. }
    ));
    assert!(phone.subjects("Archive").await.is_empty());
    let back = phone.subjects("INBOX").await;
    assert_eq!(
        subjects(&back),
        ["Message number 1", "Message number 3", "Message number 2"]
    );
    // It is live in the open INBOX again, as new mail.
    let ev = until(
        &mut rx,
        10,
        |e| matches!(e, WorkerEvent::Inserted { envelopes, .. } if !envelopes.is_empty()),
    )
    .await;
    assert!(format!("{ev:?}").contains("Message number 2"));
}

async fn delete_for_good_leaves_nothing_behind(p: Profile) {
    let d = server(p);
    d.deliver(USER, "INBOX", &fixtures::bulk(3, ""));
    let mut phone = other(&d).await;
    // Another client's message marked \Deleted must survive our expunge.
    phone.select("INBOX").await;
    phone.store("1", "+FLAGS (\\Deleted)").await;
    let (w, mut rx, inbox) = worker(&d).await;
    w.commands
        .send(WorkerCommand::Expunge {
            folder: inbox,
            uids: vec![3],
            op: 9,
        })
        .unwrap();
    assert!(matches!(
        answer(&mut rx, 9).await,
        WorkerEvent::Done { note: None, .. }
    ));
    let left = phone.subjects("INBOX").await;
    assert_eq!(subjects(&left), ["Message number 1", "Message number 2"]);
}

async fn a_move_to_a_folder_deleted_meanwhile_is_refused_with_the_reason(p: Profile) {
    let d = server(p);
    d.deliver(USER, "INBOX", &fixtures::bulk(2, ""));
    let (w, mut rx, inbox) = worker(&d).await;
    w.commands
        .send(WorkerCommand::Move {
            folder: inbox,
            uids: vec![1],
            message_ids: vec![],
            to: "Gone".into(),
            op: 3,
        })
        .unwrap();
    let WorkerEvent::Failed { error, .. } = answer(&mut rx, 3).await else {
        panic!("a move to nowhere must fail")
    };
    assert!(error.as_str().to_lowercase().contains("mailbox"), "{error}");
    let mut phone = other(&d).await;
    assert_eq!(phone.subjects("INBOX").await.len(), 2, "nothing lost");
}

/// Runs one server search through the worker; the UIDs found.
async fn search(
    w: &WorkerHandle,
    rx: &mut Events,
    folder: &FolderRef,
    q: &str,
    req: u64,
) -> Vec<u32> {
    let query = mailtui::query::parse(q).expect("a query");
    w.commands
        .send(WorkerCommand::Search {
            folder: folder.clone(),
            query,
            now: mailtui::query::Now {
                unix: 1_800_000_000,
                utc_offset: 0,
            },
            req,
        })
        .unwrap();
    let ev = until(rx, 10, |e| match e {
        WorkerEvent::Found { req: r, .. } => *r == req,
        WorkerEvent::Failed { .. } => true,
        _ => false,
    })
    .await;
    let Some(WorkerEvent::Found { uids, .. }) = ev.last() else {
        panic!("{q:?}: {ev:#?}")
    };
    uids.clone()
}

async fn search_asks_the_server_for_body_text(p: Profile) {
    let d = server(p);
    let mut msgs = fixtures::bulk(4, "");
    msgs.push((
        "From: x@example.com\r\nSubject: plain\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDer Schlüssel liegt \"unter\" der Matte \\ hinten.\r\n"
            .as_bytes()
            .to_vec(),
        "",
    ));
    d.deliver(USER, "INBOX", &msgs);
    let (w, mut rx, inbox) = worker(&d).await;
    for (req, text, hit) in [
        (20, "Schlüssel", true),
        (21, "unter", true),
        // A phrase with a backslash in it goes as a literal.
        (22, "\"Matte \\ hinten\"", true),
        (23, "body:nowhere", false),
    ] {
        let uids = search(&w, &mut rx, &inbox, text, req).await;
        assert_eq!(uids.contains(&5), hit, "{text:?}: {uids:?}");
    }
}

/// Criteria with two non-ASCII strings: two literals, each sent after the
/// server's go-ahead, or at once with LITERAL+ (the proxy hides it from
/// the client to test the other way). Body matches are found, and what
/// the answer holds is what the query asks.
async fn two_literals(p: Profile, literal_plus: bool) {
    let d = server(p);
    let msg = |from: &str, subject: &str, body: &str| {
        (
            format!(
                "From: {from}\r\nTo: dana@example.com\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
            )
            .into_bytes(),
            "",
        )
    };
    d.deliver(
        USER,
        "INBOX",
        &[
            msg(
                "Jürgen <j@example.com>",
                "Grüße aus Köln",
                "Der Schlüssel liegt unter der Matte.",
            ),
            msg("Jürgen <j@example.com>", "Grüße", "Nichts."),
            msg(
                "Anna <a@example.com>",
                "Grüße aus Köln",
                "Der Schlüssel ist weg.",
            ),
            msg("Anna <a@example.com>", "Hallo", "Schlüssel und Türen."),
        ],
    );
    let proxy = MeddlingProxy::start(d.imap_port).await;
    if !literal_plus {
        proxy.replace(b" LITERAL+", b"");
    }
    let (w, mut rx, inbox) = worker_on(&d, proxy.port, TlsMode::None).await;
    // Dovecot's go-ahead for a literal ends that session once: proof the
    // client waited for it (without LITERAL+) or never needed it (with).
    // The worker then asks again on a new session.
    proxy.cut_after(b"+ OK");
    let sessions = proxy.sessions();
    let mut found = search(&w, &mut rx, &inbox, "from:Jürgen body:Schlüssel", 30).await;
    found.sort_unstable();
    assert_eq!(found, [1], "{p:?}, LITERAL+ {literal_plus}");
    let waited = proxy.sessions() - sessions;
    assert_eq!(waited, u64::from(!literal_plus), "go-aheads: {waited}");
    let mut found = search(
        &w,
        &mut rx,
        &inbox,
        "(subject:\"Grüße aus\" OR body:Türen) -from:Jürgen",
        31,
    )
    .await;
    found.sort_unstable();
    // Exchange's answers over-match, so a NOT of one would miss mail: the
    // NOT is left to mailtui, which drops message 1 by its sender.
    let want: &[u32] = if p == Profile::Exchange {
        &[1, 3, 4]
    } else {
        &[3, 4]
    };
    assert_eq!(found, want, "{p:?}, LITERAL+ {literal_plus}");
    // The session goes on in step after a search in several steps.
    let mut found = search(&w, &mut rx, &inbox, "from:anna", 32).await;
    found.sort_unstable();
    assert_eq!(found, [3, 4]);
}

/// On the Exchange-shaped server, ASCII strings that need literals (a
/// quote, a backslash) go in steps as anywhere else. (Non-ASCII text is
/// not sent to Microsoft at all: src/query/imap_tests.rs.)
async fn exchange_literals(literal_plus: bool) {
    let d = server(Profile::Exchange);
    let msg = |subject: &str, body: &str| {
        (
            format!("From: Anna <a@example.com>\r\nSubject: {subject}\r\n\r\n{body}\r\n")
                .into_bytes(),
            "",
        )
    };
    d.deliver(
        USER,
        "INBOX",
        &[
            msg("say \"hi\" twice", "nothing"),
            msg("plain", "a back\\slash here"),
            msg("plain", "nothing"),
        ],
    );
    let proxy = MeddlingProxy::start(d.imap_port).await;
    if !literal_plus {
        proxy.replace(b" LITERAL+", b"");
    }
    let (w, mut rx, inbox) = worker_on(&d, proxy.port, TlsMode::None).await;
    let sessions = proxy.sessions();
    proxy.cut_after(b"+ OK");
    let mut found = search(
        &w,
        &mut rx,
        &inbox,
        "subject:\"\\\"hi\\\"\" OR body:\"back\\\\slash\"",
        41,
    )
    .await;
    found.sort_unstable();
    assert_eq!(found, [1, 2], "LITERAL+ {literal_plus}");
    let waited = proxy.sessions() - sessions;
    assert_eq!(waited, u64::from(!literal_plus), "go-aheads: {waited}");
}

mod exchange_literals {
    #[tokio::test]
    async fn with_literal_plus() {
        super::exchange_literals(true).await
    }

    #[tokio::test]
    async fn without_literal_plus() {
        super::exchange_literals(false).await
    }
}

mod two_literals {
    use super::Profile::{Exchange, Full};

    #[tokio::test]
    async fn full_with_literal_plus() {
        super::two_literals(Full, true).await
    }

    #[tokio::test]
    async fn full_without_literal_plus() {
        super::two_literals(Full, false).await
    }

    #[tokio::test]
    async fn exchange_with_literal_plus() {
        super::two_literals(Exchange, true).await
    }

    #[tokio::test]
    async fn exchange_without_literal_plus() {
        super::two_literals(Exchange, false).await
    }
}

/// The copy went through, then the connection died before the originals
/// were removed: the next session finishes the move without a second copy.
#[tokio::test]
async fn a_connection_lost_between_copy_and_expunge_leaves_one_copy() {
    let d = server(Profile::NoMove);
    d.deliver(USER, "INBOX", &fixtures::bulk(3, ""));
    d.folder_dir(USER, "Archive");
    let proxy = MeddlingProxy::start(d.imap_port).await;
    let (w, mut rx, inbox) = worker_on(&d, proxy.port, TlsMode::None).await;
    // The answer to COPY is the last thing this session says.
    proxy.cut_after(b"[COPYUID");
    w.commands
        .send(WorkerCommand::Move {
            folder: inbox,
            uids: vec![1],
            message_ids: vec![],
            to: "Archive".into(),
            op: 5,
        })
        .unwrap();
    let ev = answer(&mut rx, 5).await;
    assert!(
        matches!(ev, WorkerEvent::Moved { removed: true, .. }),
        "{ev:?}"
    );
    let mut phone = other(&d).await;
    assert_eq!(
        subjects(&phone.subjects("Archive").await),
        ["Message number 1"],
        "one copy"
    );
    assert_eq!(
        subjects(&phone.subjects("INBOX").await),
        ["Message number 2", "Message number 3"]
    );
    assert!(proxy.sessions() >= 2, "the connection was really cut");
}

/// A folder the user may only read: the flag change is refused, the row
/// shows its real flags again, and the reason comes back.
#[tokio::test]
async fn a_refused_store_is_rolled_back_with_the_reason() {
    let d = server(Profile::Full);
    d.deliver(USER, "Shared", &fixtures::bulk(2, ""));
    d.read_only(USER, "Shared");
    let (w, mut rx) = start(
        ImapBackend::new(settings(d.imaps_port, TlsMode::Implicit, &d), auth()),
        memory_store(),
        WorkerOptions::default(),
    );
    w.commands.send(WorkerCommand::Connect).unwrap();
    let (shared, _) = open(&w, &mut rx, "Shared", 1).await;
    w.commands
        .send(WorkerCommand::SetFlag {
            folder: shared,
            uids: vec![1],
            flag: FlagKind::Flagged,
            on: true,
        })
        .unwrap();
    let ev = until(&mut rx, 10, |e| {
        matches!(e, WorkerEvent::Failed { op: 0, .. })
    })
    .await;
    let rollback = ev.iter().find_map(|e| match e {
        WorkerEvent::FlagsChanged { updates, .. } => Some(updates.clone()),
        _ => None,
    });
    let rollback = rollback.expect("the real flags are sent back");
    assert!(
        rollback.iter().all(|u| u.uid == 1 && !u.flags.flagged),
        "{rollback:?}"
    );
    let Some(WorkerEvent::Failed { error, .. }) = ev.last() else {
        unreachable!()
    };
    assert!(error.as_str().contains("read-only"), "{error}");
    let mut phone = other(&d).await;
    let flags = phone.flags("Shared", 1).await;
    assert!(!flags.iter().any(|f| f == "Flagged"), "{flags:?}");
}
