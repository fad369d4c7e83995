//! Sending when the tenant turned SMTP AUTH off: the sender meets
//! `535 5.7.139` on the Exchange-shaped SMTP server, goes to the Graph
//! imitation of the test identity provider with a Graph token redeemed
//! from the mail sign-in, asks for consent once, and the message lands in
//! a real Dovecot once, with one Sent copy filed by "Graph".

mod support;

use std::sync::Arc;
use std::time::Duration;

use mailtui::auth::service::{AuthCommand, TokenPhase};
use mailtui::config::sending::SendRoute;
use mailtui::imap::TlsMode;
use mailtui::send::{
    self, AfterSend, EntryId, EntryState, GraphRoute, GraphSettings, NewEntry, Outbox, SendCommand,
    SendErrorKind, SendEvent, SmtpAuth, SmtpOff, SmtpSettings,
};
use support::dovecot::Dovecot;
use support::fake_smtp::{FakeSmtp, Script, TENANT_DISABLED};
use support::graph::{GraphFailure, SENT_ITEMS, dovecot_sink};
use support::idp::{CLIENT_ID, GRAPH_MAIL_SEND, Idp, OUTLOOK_IMAP, OUTLOOK_SMTP};
use support::signed_in::{Signed, device_sign_in, next_code as code, until};
use tokio::sync::mpsc::UnboundedReceiver;

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";
const CAROL: &str = "carol@example.com";
const WAIT: Duration = Duration::from_secs(30);

fn message(subject: &str, body_bytes: usize) -> Vec<u8> {
    let mut m = format!(
        "From: Alice <{ALICE}>\r\nTo: {BOB}\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@example.com>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nHello Bob,\r\n"
    );
    while m.len() < body_bytes {
        m.push_str("a line of text to make the message as big as the test needs\r\n");
    }
    m.into_bytes()
}

fn entry(subject: &str, size: usize) -> NewEntry {
    NewEntry {
        account: "work".into(),
        bytes: message(subject, size),
        envelope_from: ALICE.into(),
        recipients: vec![BOB.into()],
        subject: subject.into(),
        after: AfterSend::default(),
    }
}

/// Signed in for mail the way the app's Microsoft preset asks: IMAP and
/// SMTP, no Graph.
async fn signed_in(idp: &Idp, dir: &std::path::Path) -> Signed {
    device_sign_in(
        idp,
        dir,
        &[OUTLOOK_IMAP, OUTLOOK_SMTP, "offline_access"],
        ALICE,
    )
    .await
}

struct Bench {
    dir: tempfile::TempDir,
    outbox: Outbox,
    commands: tokio::sync::mpsc::UnboundedSender<SendCommand>,
    events: UnboundedReceiver<SendEvent>,
    smtp_off: std::path::PathBuf,
}

fn bench(idp: &Idp, fake: &FakeSmtp, signed: &Signed, route: SendRoute) -> Bench {
    bench_as(idp, fake, signed, route, None)
}

/// The sender of an account, or of a shared mailbox (`shared`) opened
/// with the signed-in user's tokens.
fn bench_as(
    idp: &Idp,
    fake: &FakeSmtp,
    signed: &Signed,
    route: SendRoute,
    shared: Option<&str>,
) -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(&dir.path().join("outbox")).unwrap();
    let smtp = SmtpSettings {
        host: "127.0.0.1".into(),
        port: fake.port,
        tls: TlsMode::Starttls,
        ca_file: Some(fake.ca_file.clone()),
        timeout: Duration::from_secs(10),
    };
    let auth = SmtpAuth::Bearer {
        user: ALICE.into(),
        tokens: signed.svc.tokens.clone(),
    };
    let smtp_off = dir.path().join("sending/work.smtp-off");
    let graph = GraphRoute {
        settings: GraphSettings {
            url: idp.base.clone(),
            shared: shared.map(str::to_string),
            timeout: Duration::from_secs(10),
        },
        tokens: signed.svc.tokens.clone(),
        route,
        smtp_off: SmtpOff {
            file: smtp_off.clone(),
        },
    };
    let (commands, events) = send::spawn("work".into(), smtp, auth, Some(graph), outbox.clone());
    Bench {
        dir,
        outbox,
        commands,
        events,
        smtp_off,
    }
}

impl Bench {
    /// Sends `id`; the events before its end, and the end.
    async fn send(&mut self, id: &EntryId) -> (Vec<SendEvent>, SendEvent) {
        self.commands
            .send(SendCommand::Send { id: id.clone() })
            .unwrap();
        let mut seen = Vec::new();
        loop {
            match tokio::time::timeout(WAIT, self.events.recv()).await {
                Ok(Some(e @ (SendEvent::Accepted { .. } | SendEvent::Failed { .. }))) => {
                    return (seen, e);
                }
                Ok(Some(e)) => seen.push(e),
                other => panic!("no end of the send within {WAIT:?} ({other:?}); saw {seen:?}"),
            }
        }
    }
}

fn failure(end: &SendEvent) -> &send::SendError {
    match end {
        SendEvent::Failed { error, .. } => error,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn inbox_count(d: &Dovecot, user: &str, folder: &str) -> usize {
    let dir = d.folder_path(user, folder);
    ["new", "cur"]
        .iter()
        .filter_map(|s| std::fs::read_dir(std::path::Path::new(&dir).join(s)).ok())
        .map(|e| e.count())
        .sum()
}

fn graph_scopes() -> Vec<String> {
    vec![GRAPH_MAIL_SEND.to_string(), "offline_access".to_string()]
}

/// The whole path: 5.7.139, then Graph needs consent (the mail sign-in
/// stays good), one approval, sent once through Graph with one Sent copy;
/// the next message skips SMTP; sending the accepted one again is refused.
#[tokio::test]
async fn smtp_off_sends_through_graph_after_one_approval() {
    let idp = Idp::start();
    let d = Arc::new(Dovecot::start());
    idp.set_mail_sink(dovecot_sink(d.clone()));
    let tokens = tempfile::tempdir().unwrap();
    let mut signed = signed_in(&idp, tokens.path()).await;
    let fake = FakeSmtp::start(Script {
        auth_replies: std::iter::repeat_n(TENANT_DISABLED.to_string(), 10).collect(),
        ..Script::default()
    });
    let mut b = bench(&idp, &fake, &signed, SendRoute::Auto);
    let id = b.outbox.add(entry("first", 2_000)).unwrap();

    // SMTP says it is off; Graph has no consent yet.
    let (seen, end) = b.send(&id).await;
    let e = failure(&end);
    assert_eq!(e.kind, SendErrorKind::Consent, "{e:?}");
    assert!(e.sentence.contains("Microsoft Graph"), "{}", e.sentence);
    assert!(
        seen.iter()
            .any(|e| matches!(e, SendEvent::Note { text } if text.contains("5.7.139"))),
        "{seen:?}"
    );
    assert!(b.smtp_off.is_file(), "SMTP being off is remembered");
    assert_eq!(fake.stats().auths.len(), 1);
    assert!(idp.graph_calls().is_empty());
    assert!(matches!(
        b.outbox.meta(&id).unwrap().state,
        EntryState::Failed { .. }
    ));
    // The refusal for Graph left the mail sign-in alone.
    assert!(signed.svc.tokens.access_token().await.is_ok());
    assert!(tokens.path().read_dir().unwrap().count() > 0);

    // One approval for Graph's Mail.Send alone.
    signed
        .svc
        .commands
        .send(AuthCommand::SignInFor(graph_scopes()))
        .unwrap();
    let user_code = code(&mut signed.statuses).await;
    idp.approve(&user_code, ALICE);
    let done = until(&mut signed.statuses, |s| s.phase == TokenPhase::SignedIn).await;
    assert_eq!(done.note, None);
    assert_eq!(done.admin_consent, None);
    assert!(
        idp.consented(ALICE)
            .iter()
            .any(|s| s.eq_ignore_ascii_case(GRAPH_MAIL_SEND)),
        "{:?}",
        idp.consented(ALICE)
    );

    // Straight to Graph now: SMTP is not tried again.
    let (_, end) = b.send(&id).await;
    match &end {
        SendEvent::Accepted {
            reply, sent_filed, ..
        } => {
            assert_eq!(reply, send::GRAPH_ACCEPTED);
            assert!(sent_filed);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        b.outbox.meta(&id).unwrap().state,
        EntryState::Accepted { .. }
    ));
    assert_eq!(fake.stats().connections, 1, "SMTP was tried once only");
    assert_eq!(inbox_count(&d, BOB, "INBOX"), 1);
    assert_eq!(inbox_count(&d, ALICE, SENT_ITEMS), 1);
    let calls = idp.graph_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].status, 202);
    assert_eq!(calls[0].path, "/v1.0/me/sendMail");

    // Accepted is final: never sent a second time.
    let (_, end) = b.send(&id).await;
    assert_eq!(failure(&end).kind, SendErrorKind::AlreadyAccepted);
    assert_eq!(idp.graph_calls().len(), 1);

    // The next message goes to Graph at once, also in a new sender (a
    // restart), with the Graph token asked for again from the refresh token.
    drop(b.commands);
    let mut b2 = bench(&idp, &fake, &signed, SendRoute::Auto);
    std::fs::create_dir_all(b2.smtp_off.parent().unwrap()).unwrap();
    std::fs::copy(&b.smtp_off, &b2.smtp_off).unwrap();
    // With a Bcc: the outbox keeps no Bcc field (SMTP takes the envelope),
    // Graph reads recipients from the MIME, so it is named for Graph.
    let mut second = entry("second", 2_000);
    second.recipients.push(CAROL.into());
    let id2 = b2.outbox.add(second).unwrap();
    let (_, end) = b2.send(&id2).await;
    assert!(matches!(end, SendEvent::Accepted { .. }), "{end:?}");
    assert_eq!(fake.stats().connections, 1);
    assert_eq!(inbox_count(&d, BOB, "INBOX"), 2);
    assert_eq!(
        inbox_count(&d, CAROL, "INBOX"),
        1,
        "the Bcc recipient got it"
    );
    let bob = d.doveadm(&["fetch", "-u", BOB, "hdr", "mailbox", "INBOX", "ALL"]);
    assert!(!bob.contains(CAROL), "Bob never sees the Bcc: {bob}");
    assert_eq!(inbox_count(&d, ALICE, SENT_ITEMS), 2);
    drop(b.dir);
}

/// `send = "graph"` never tries SMTP; over 3 MB is said before any
/// request; Graph's refusals are sentences.
#[tokio::test]
async fn graph_route_limits_and_refusals() {
    let idp = Idp::start();
    let tokens = tempfile::tempdir().unwrap();
    let signed = signed_in(&idp, tokens.path()).await;
    idp.grant_consent(ALICE, GRAPH_MAIL_SEND);
    let fake = FakeSmtp::start(Script::default());
    let mut b = bench(&idp, &fake, &signed, SendRoute::Graph);

    let big = b.outbox.add(entry("big", 3_100_000)).unwrap();
    let (_, end) = b.send(&big).await;
    let e = failure(&end);
    assert_eq!(e.kind, SendErrorKind::TooBig);
    assert!(e.sentence.contains("3.0 MB"), "{}", e.sentence);
    assert!(idp.graph_calls().is_empty());

    let id = b.outbox.add(entry("throttled", 1_000)).unwrap();
    idp.fail_next_graph(&[
        GraphFailure::Throttled { retry_after: 30 },
        GraphFailure::MailboxNotEnabled,
    ]);
    let (_, end) = b.send(&id).await;
    let e = failure(&end);
    assert_eq!(e.kind, SendErrorKind::Transient);
    assert!(e.sentence.contains("30 s"), "{}", e.sentence);
    let (_, end) = b.send(&id).await;
    let e = failure(&end);
    assert_eq!(e.kind, SendErrorKind::Permanent);
    assert!(e.sentence.contains("SMTP AUTH"), "{}", e.sentence);
    let (_, end) = b.send(&id).await;
    assert!(matches!(end, SendEvent::Accepted { .. }), "{end:?}");
    assert_eq!(fake.stats().connections, 0, "SMTP is never tried");
    assert_eq!(idp.graph_calls().len(), 3);
}

/// Only an admin may approve Graph: the approval ends with the sentence and
/// the tenant's admin-consent link, and the mail sign-in stays.
#[tokio::test]
async fn admin_only_consent_gives_the_link() {
    let idp = Idp::start();
    let tokens = tempfile::tempdir().unwrap();
    let mut signed = signed_in(&idp, tokens.path()).await;
    idp.require_admin_approval(GRAPH_MAIL_SEND);
    signed
        .svc
        .commands
        .send(AuthCommand::SignInFor(graph_scopes()))
        .unwrap();
    let user_code = code(&mut signed.statuses).await;
    idp.approve(&user_code, ALICE);
    let done = until(&mut signed.statuses, |s| {
        s.phase == TokenPhase::SignedIn && s.note.is_some()
    })
    .await;
    let admin = done.admin_consent.expect("the admin link");
    assert_eq!(
        admin.url,
        format!("{}/common/adminconsent?client_id={CLIENT_ID}", idp.base)
    );
    assert!(
        admin
            .permissions
            .contains("sending mail through Microsoft Graph"),
        "{}",
        admin.permissions
    );
    assert!(
        done.note
            .as_ref()
            .is_some_and(|n| n.as_str().contains("administrator")),
        "{:?}",
        done.note
    );
    assert!(signed.svc.tokens.access_token().await.is_ok());
}

/// A shared mailbox sends through `/users/{shared}/sendMail` with the
/// delegate's token (Mail.Send.Shared); without Send As the sentence says
/// which right is missing, and with it the message goes from the shared
/// address, its Sent copy in the delegate's Sent Items.
#[tokio::test]
async fn a_shared_mailbox_sends_as_itself_through_graph() {
    const SUPPORT: &str = "support@example.com";
    let idp = Idp::start();
    let d = Arc::new(Dovecot::start());
    idp.set_mail_sink(dovecot_sink(d.clone()));
    let tokens = tempfile::tempdir().unwrap();
    let signed = signed_in(&idp, tokens.path()).await;
    idp.grant_consent(ALICE, support::idp::GRAPH_MAIL_SEND_SHARED);
    let fake = FakeSmtp::start(Script::default());
    let mut b = bench_as(&idp, &fake, &signed, SendRoute::Graph, Some(SUPPORT));
    let mut e = entry("from support", 1_000);
    e.bytes = String::from_utf8(e.bytes)
        .unwrap()
        .replacen(
            &format!("From: Alice <{ALICE}>"),
            &format!("From: Support <{SUPPORT}>"),
            1,
        )
        .into_bytes();
    e.envelope_from = SUPPORT.into();
    let id = b.outbox.add(e).unwrap();

    let (_, end) = b.send(&id).await;
    let e = failure(&end);
    assert_eq!(e.kind, SendErrorKind::SendAsDenied, "{e:?}");
    assert!(e.sentence.contains(SUPPORT), "{}", e.sentence);
    assert_eq!(inbox_count(&d, BOB, "INBOX"), 0);

    idp.grant_send_as(SUPPORT, ALICE);
    let (_, end) = b.send(&id).await;
    assert!(matches!(end, SendEvent::Accepted { .. }), "{end:?}");
    let calls = idp.graph_calls();
    assert_eq!(
        calls.last().map(|c| c.path.as_str()),
        Some("/v1.0/users/support@example.com/sendMail")
    );
    assert_eq!(inbox_count(&d, BOB, "INBOX"), 1);
    assert_eq!(inbox_count(&d, ALICE, SENT_ITEMS), 1);
    let got = d.doveadm(&["fetch", "-u", BOB, "hdr", "mailbox", "INBOX", "ALL"]);
    assert!(got.contains(&format!("From: Support <{SUPPORT}>")), "{got}");
}
