//! Sending to an Exchange-shaped SMTP server (tests/support/fake_smtp.rs):
//! `send::spawn` against each of Exchange's documented behaviours, checking
//! the event, the sentence, the outbox state and what the server counted.

mod support;

use std::time::{Duration, Instant};

use mailtui::auth::service::ServiceHandle;
use mailtui::auth::{PasswordSource, Secret};
use mailtui::imap::TlsMode;
use mailtui::send::{
    self, AfterSend, EntryId, EntryState, NewEntry, Outbox, SendCommand, SendError, SendErrorKind,
    SendEvent, SendStep, SmtpAuth, SmtpSettings,
};
use support::fake_smtp::{self, FakeSmtp, Script};
use support::idp::Idp;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

const ALICE: &str = "alice@example.com";
const WAIT: Duration = Duration::from_secs(30);

fn settings(fake: &FakeSmtp, timeout: Duration) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port: fake.port,
        tls: TlsMode::Starttls,
        ca_file: Some(fake.ca_file.clone()),
        timeout,
    }
}

fn password() -> SmtpAuth {
    SmtpAuth::Password {
        user: ALICE.into(),
        password: PasswordSource::Plain(Secret::new("correct horse")),
    }
}

/// A message over 1 KB with a line starting with a dot and non-ASCII text.
fn message() -> Vec<u8> {
    let mut m = String::from(
        "From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nSubject: Grüße\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n",
    );
    for i in 0..40 {
        m.push_str(&format!("Line {i} of the message, with ünïcödé in it.\r\n"));
    }
    m.push_str(".a line starting with a dot\r\n-- \r\nAlice\r\n");
    m.into_bytes()
}

fn entry(recipients: &[&str], bytes: Vec<u8>) -> NewEntry {
    NewEntry {
        account: "work".into(),
        bytes,
        envelope_from: ALICE.into(),
        recipients: recipients.iter().map(|r| r.to_string()).collect(),
        subject: "Grüße".into(),
        after: AfterSend::default(),
    }
}

struct Bench {
    _dir: tempfile::TempDir,
    outbox: Outbox,
    commands: UnboundedSender<SendCommand>,
    events: UnboundedReceiver<SendEvent>,
}

fn bench(smtp: SmtpSettings, auth: SmtpAuth) -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(&dir.path().join("outbox")).unwrap();
    let (commands, events) = send::spawn("work".into(), smtp, auth, None, outbox.clone());
    Bench {
        _dir: dir,
        outbox,
        commands,
        events,
    }
}

/// What one send reported: the events before the end, and the end.
struct Outcome {
    seen: Vec<SendEvent>,
    end: SendEvent,
}

impl Outcome {
    fn steps(&self) -> Vec<SendStep> {
        self.seen
            .iter()
            .filter_map(|e| match e {
                SendEvent::Step { step, .. } => Some(*step),
                _ => None,
            })
            .collect()
    }

    fn error(&self) -> &SendError {
        match &self.end {
            SendEvent::Failed { error, .. } => error,
            other => panic!("expected a failure, got {other:?} after {:?}", self.seen),
        }
    }

    fn reply(&self) -> &str {
        match &self.end {
            SendEvent::Accepted { reply, .. } => reply,
            other => panic!("expected acceptance, got {other:?} after {:?}", self.seen),
        }
    }
}

impl Bench {
    fn add(&self, e: NewEntry) -> EntryId {
        self.outbox.add(e).unwrap()
    }

    /// Sends `id` and waits for its Accepted or Failed.
    async fn send(&mut self, id: &EntryId) -> Outcome {
        self.commands
            .send(SendCommand::Send { id: id.clone() })
            .unwrap();
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(e @ (SendEvent::Accepted { .. } | SendEvent::Failed { .. }))) => {
                    return Outcome { seen, end: e };
                }
                Ok(Some(e)) => seen.push(e),
                other => panic!("no end of the send within {WAIT:?} ({other:?}); saw {seen:?}"),
            }
        }
    }

    fn state(&self, id: &EntryId) -> EntryState {
        self.outbox.meta(id).unwrap().state
    }

    fn failed_with(&self, id: &EntryId) -> SendError {
        match self.state(id) {
            EntryState::Failed { error, .. } => error,
            other => panic!("outbox says {other:?}"),
        }
    }
}

// Two threads: the test blocks on the fake's counts while the sender says goodbye.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_over_starttls_with_login() {
    let fake = FakeSmtp::start(Script::default());
    let mut b = bench(settings(&fake, Duration::from_secs(10)), password());
    let id = b.add(entry(&["bob@example.com", "carol@example.com"], message()));
    let out = b.send(&id).await;

    assert!(out.reply().starts_with("250 2.6.0"), "{}", out.reply());
    assert_eq!(
        out.steps(),
        [
            SendStep::Connecting,
            SendStep::Securing,
            SendStep::Authenticating,
            SendStep::Transferring
        ]
    );
    assert!(out.seen.contains(&SendEvent::ServerSize {
        size: Some(fake_smtp::EXCHANGE_SIZE)
    }));
    assert!(matches!(b.state(&id), EntryState::Accepted { ref reply, .. } if reply == out.reply()));

    // The goodbye comes after the acceptance was reported.
    let s = fake.wait_until(WAIT, |s| s.verbs.last().is_some_and(|v| v == "QUIT"));
    assert_eq!(s.connections, 1);
    assert_eq!(s.starttls, 1);
    assert_eq!(s.auths.len(), 1);
    let auth = &s.auths[0];
    assert_eq!(
        (
            auth.mechanism.as_str(),
            auth.user.as_str(),
            auth.secret.as_str()
        ),
        ("LOGIN", ALICE, "correct horse")
    );
    assert!(auth.secure, "credentials only ever inside TLS");
    assert_eq!(s.mail_from, [ALICE]);
    assert_eq!(s.rcpt_accepted, ["bob@example.com", "carol@example.com"]);
    // The bytes arrive exactly as written (dot-stuffing undone by the server).
    let got: Vec<String> = s
        .accepted
        .iter()
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .collect();
    assert_eq!(got, [String::from_utf8(message()).unwrap()]);
    assert_eq!(s.verbs.first().map(String::as_str), Some("EHLO"));
}

#[tokio::test]
async fn smtp_auth_disabled_for_the_tenant() {
    let fake = FakeSmtp::start(Script::auth_fails(fake_smtp::TENANT_DISABLED));
    let mut b = bench(settings(&fake, Duration::from_secs(10)), password());
    let id = b.add(entry(&["bob@example.com"], message()));
    let out = b.send(&id).await;

    let e = out.error();
    assert_eq!(e.kind, SendErrorKind::AuthDisabled);
    assert!(
        e.sentence.contains("tenant") && e.sentence.contains("admin"),
        "{}",
        e.sentence
    );
    assert_eq!(e.raw.as_deref(), Some(fake_smtp::TENANT_DISABLED));
    assert_eq!(&b.failed_with(&id), e);
    let s = fake.stats();
    assert_eq!(
        (s.auths.len(), s.mail_from.len(), s.accepted.len()),
        (1, 0, 0)
    );
}

#[tokio::test]
async fn busy_mailbox_4_3_2_is_transient_and_nothing_is_accepted() {
    let fake = FakeSmtp::start(Script::data_end(fake_smtp::THREAD_LIMIT));
    let mut b = bench(settings(&fake, Duration::from_secs(10)), password());
    let id = b.add(entry(&["bob@example.com"], message()));
    let out = b.send(&id).await;

    let e = out.error();
    assert_eq!(e.kind, SendErrorKind::Transient);
    assert!(e.kind.retryable());
    assert!(e.sentence.contains("Try again"), "{}", e.sentence);
    assert!(e.raw.as_deref().unwrap().starts_with("432 4.3.2"));
    assert_eq!(b.failed_with(&id).kind, SendErrorKind::Transient);
    let s = fake.stats();
    assert!(s.bytes_received >= message().len() as u64);
    assert!(s.accepted.is_empty());

    // Sent again (the user's retry): the server takes it now, once.
    let again = b.send(&id).await;
    again.reply();
    assert_eq!(fake.stats().accepted.len(), 1);
    assert!(matches!(b.state(&id), EntryState::Accepted { .. }));
    // And a third request sends nothing more.
    let third = b.send(&id).await;
    assert_eq!(third.error().kind, SendErrorKind::AlreadyAccepted);
    assert!(matches!(b.state(&id), EntryState::Accepted { .. }));
    assert_eq!(fake.stats().connections, 2);
}

#[tokio::test]
async fn no_send_as_right_5_7_60() {
    let fake = FakeSmtp::start(Script::data_end(fake_smtp::NO_SEND_AS));
    let mut b = bench(settings(&fake, Duration::from_secs(10)), password());
    let id = b.add(entry(&["bob@example.com"], message()));
    let e = b.send(&id).await.error().clone();
    assert_eq!(e.kind, SendErrorKind::SendAsDenied);
    assert!(e.sentence.contains("Send As"), "{}", e.sentence);
    assert!(!e.kind.retryable());
    assert!(fake.stats().accepted.is_empty());
}

#[tokio::test]
async fn one_recipient_refused_among_three_sends_nothing() {
    let script = Script {
        refuse_rcpt: vec![("nobody@example.com".into(), fake_smtp::UNKNOWN_USER.into())],
        ..Script::default()
    };
    let fake = FakeSmtp::start(script);
    let mut b = bench(settings(&fake, Duration::from_secs(10)), password());
    let id = b.add(entry(
        &["bob@example.com", "nobody@example.com", "carol@example.com"],
        message(),
    ));
    let e = b.send(&id).await.error().clone();
    assert_eq!(
        e.kind,
        SendErrorKind::RecipientRefused(vec!["nobody@example.com".into()])
    );
    assert!(e.sentence.contains("nobody@example.com"), "{}", e.sentence);
    assert!(e.sentence.contains("1 of 3"), "{}", e.sentence);
    assert!(e.sentence.starts_with("Nothing was sent"), "{}", e.sentence);
    assert_eq!(b.failed_with(&id), e);
    let s = fake.stats();
    assert_eq!(s.data_commands, 0, "no DATA after a refused recipient");
    assert_eq!((s.bytes_received, s.accepted.len()), (0, 0));
}

#[tokio::test]
async fn connection_dropped_mid_data_leaves_it_failed_and_unaccepted() {
    let fake = FakeSmtp::start(Script {
        drop_mid_data: true,
        ..Script::default()
    });
    let mut b = bench(settings(&fake, Duration::from_secs(10)), password());
    let id = b.add(entry(&["bob@example.com"], message()));
    let e = b.send(&id).await.error().clone();
    assert_eq!(e.kind, SendErrorKind::Interrupted);
    assert!(e.sentence.contains("did not confirm"), "{}", e.sentence);
    assert_eq!(b.failed_with(&id).kind, SendErrorKind::Interrupted);
    let s = fake.stats();
    assert_eq!(s.data_commands, 1);
    assert!(s.bytes_received > 0);
    assert_eq!(s.accepted.len(), 0);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let fake = FakeSmtp::start(Script {
        silent: true,
        ..Script::default()
    });
    let mut b = bench(settings(&fake, Duration::from_secs(1)), password());
    let id = b.add(entry(&["bob@example.com"], message()));
    let started = Instant::now();
    let out = b.send(&id).await;
    let e = out.error();
    assert_eq!(e.kind, SendErrorKind::Timeout);
    assert!(e.sentence.contains("within 1s"), "{}", e.sentence);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.steps(), [SendStep::Connecting]);
    assert_eq!(b.failed_with(&id).kind, SendErrorKind::Timeout);
    assert_eq!(fake.stats().connections, 1);
}

#[tokio::test]
async fn starttls_missing_is_an_error_not_plaintext() {
    let fake = FakeSmtp::start(Script {
        offer_starttls: false,
        ..Script::default()
    });
    let mut b = bench(settings(&fake, Duration::from_secs(10)), password());
    let id = b.add(entry(&["bob@example.com"], message()));
    let e = b.send(&id).await.error().clone();
    assert_eq!(e.kind, SendErrorKind::Config);
    assert!(e.sentence.contains("STARTTLS"), "{}", e.sentence);
    let s = fake.stats();
    assert_eq!(s.starttls, 0);
    assert!(s.auths.is_empty() && s.mail_from.is_empty());
    assert!(
        s.verbs.iter().all(|v| v == "EHLO" || v == "QUIT"),
        "{:?}",
        s.verbs
    );
}

#[tokio::test]
async fn a_message_over_the_servers_size_is_refused_before_data() {
    let fake = FakeSmtp::start(Script::default());
    let mut b = bench(settings(&fake, Duration::from_secs(10)), password());
    // 200 MB: an attachment no Exchange tenant takes.
    let mut big = message();
    big.resize(200 * 1000 * 1000, b'x');
    let id = b.add(entry(&["bob@example.com"], big));
    let e = b.send(&id).await.error().clone();
    assert_eq!(e.kind, SendErrorKind::TooBig);
    assert!(
        e.sentence.contains("200.0 MB") && e.sentence.contains("157.3 MB"),
        "{}",
        e.sentence
    );
    let s = fake.stats();
    assert!(s.auths.is_empty() && s.mail_from.is_empty());
    assert_eq!((s.data_commands, s.bytes_received), (0, 0));
    assert_eq!(b.failed_with(&id).kind, SendErrorKind::TooBig);
}

#[tokio::test]
async fn probe_size_reads_ehlo_after_starttls() {
    let fake = FakeSmtp::start(Script::default());
    let size = send::probe_size(&settings(&fake, Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(size, Some(fake_smtp::EXCHANGE_SIZE));
    let s = fake.stats();
    assert_eq!((s.starttls, s.auths.len()), (1, 0));
}

#[tokio::test]
async fn implicit_tls_and_a_wrong_ca() {
    let fake = FakeSmtp::start(Script {
        implicit_tls: true,
        ..Script::default()
    });
    let mut smtp = settings(&fake, Duration::from_secs(10));
    smtp.tls = TlsMode::Implicit;
    let mut b = bench(smtp.clone(), password());
    let id = b.add(entry(&["bob@example.com"], message()));
    b.send(&id).await.reply();
    assert_eq!(fake.stats().accepted.len(), 1);

    // Another server's CA: the certificate is refused, nothing is sent.
    let other = FakeSmtp::start(Script::default());
    smtp.ca_file = Some(other.ca_file.clone());
    let mut b = bench(smtp, password());
    let id = b.add(entry(&["bob@example.com"], message()));
    let e = b.send(&id).await.error().clone();
    assert_eq!(e.kind, SendErrorKind::Tls, "{e:?}");
    assert!(e.sentence.contains("trusted CA"), "{}", e.sentence);
    let s = fake.stats();
    assert_eq!((s.auths.len(), s.accepted.len()), (1, 1));
}

#[tokio::test]
async fn no_auth_gets_exchanges_5_7_57() {
    let fake = FakeSmtp::start(Script::default());
    let mut b = bench(settings(&fake, Duration::from_secs(10)), SmtpAuth::None);
    let id = b.add(entry(&["bob@example.com"], message()));
    let e = b.send(&id).await.error().clone();
    assert_eq!(e.kind, SendErrorKind::Auth);
    assert!(e.sentence.contains("5.7.57"), "{}", e.sentence);
    assert!(e.raw.as_deref().unwrap().starts_with("530 5.7.57"));
    assert!(fake.stats().accepted.is_empty());
}

#[tokio::test]
async fn quitting_before_data_marks_it_failed() {
    let fake = FakeSmtp::start(Script {
        silent: true,
        ..Script::default()
    });
    let mut b = bench(settings(&fake, Duration::from_secs(60)), password());
    let id = b.add(entry(&["bob@example.com"], message()));
    b.commands
        .send(SendCommand::Send { id: id.clone() })
        .unwrap();
    let first = tokio::time::timeout(WAIT, b.events.recv()).await.unwrap();
    assert_eq!(
        first,
        Some(SendEvent::Step {
            id: id.clone(),
            step: SendStep::Connecting
        })
    );
    b.commands.send(SendCommand::Shutdown).unwrap();
    let end = tokio::time::timeout(WAIT, b.events.recv()).await.unwrap();
    let Some(SendEvent::Failed { error, .. }) = end else {
        panic!("{end:?}")
    };
    assert_eq!(error.kind, SendErrorKind::Interrupted);
    assert!(error.sentence.contains("not sent"), "{}", error.sentence);
    assert_eq!(b.failed_with(&id).kind, SendErrorKind::Interrupted);
    // The sender has stopped.
    assert_eq!(
        tokio::time::timeout(WAIT, b.events.recv()).await.unwrap(),
        None
    );
}

// Two threads: the test blocks on the fake's counts while the sender transfers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_after_the_message_went_leaves_it_sending() {
    let fake = FakeSmtp::start(Script {
        stall_at_data_end: true,
        ..Script::default()
    });
    let mut b = bench(settings(&fake, Duration::from_secs(60)), password());
    let id = b.add(entry(&["bob@example.com"], message()));
    b.commands
        .send(SendCommand::Send { id: id.clone() })
        .unwrap();
    let len = message().len() as u64;
    fake.wait_until(WAIT, |s| s.bytes_received >= len);
    b.commands.send(SendCommand::Shutdown).unwrap();
    // No verdict: the server may have it. The sender stops without one.
    loop {
        match tokio::time::timeout(WAIT, b.events.recv()).await.unwrap() {
            None => break,
            Some(SendEvent::Step { .. } | SendEvent::ServerSize { .. }) => {}
            Some(other) => panic!("{other:?}"),
        }
    }
    assert!(matches!(b.state(&id), EntryState::Sending { .. }));
    assert!(fake.stats().accepted.is_empty());
}

// ---- OAuth2 ----

const SCOPES: [&str; 2] = ["https://outlook.office.com/SMTP.Send", "offline_access"];

async fn signed_in(idp: &Idp, dir: &std::path::Path) -> ServiceHandle {
    support::signed_in::device_sign_in(idp, dir, &SCOPES, ALICE)
        .await
        .svc
}

#[tokio::test]
async fn xoauth2_with_a_fresh_token_and_a_refused_one_replaced() {
    let idp = Idp::start();
    let tokens_dir = tempfile::tempdir().unwrap();
    let svc = signed_in(&idp, tokens_dir.path()).await;
    let fake = FakeSmtp::start(Script::auth_fails(fake_smtp::AUTH_UNSUCCESSFUL));
    let auth = SmtpAuth::Bearer {
        user: ALICE.into(),
        tokens: svc.tokens.clone(),
    };
    let mut b = bench(settings(&fake, Duration::from_secs(10)), auth);
    let id = b.add(entry(&["bob@example.com"], message()));
    let first_token = svc.tokens.current_token().expect("a token");

    // 535 5.7.3: the sentence says to sign in again; the token is reported.
    let e = b.send(&id).await.error().clone();
    assert_eq!(e.kind, SendErrorKind::Auth);
    assert!(e.sentence.contains("5.7.3"), "{}", e.sentence);

    // The next send gets a fresh token, and the server takes it.
    b.send(&id).await.reply();
    assert!(
        idp.refreshes() >= 1,
        "the refused token made the service refresh"
    );
    let s = fake.stats();
    assert_eq!(s.auths.len(), 2);
    for a in &s.auths {
        assert_eq!((a.mechanism.as_str(), a.user.as_str()), ("XOAUTH2", ALICE));
        assert!(
            a.secret
                .starts_with(&format!("user={ALICE}\x01auth=Bearer "))
        );
        assert!(a.secret.ends_with("\x01\x01"));
        assert!(a.secure);
    }
    assert!(s.auths[0].secret.contains(first_token.expose()));
    let second = svc.tokens.current_token().expect("a token");
    assert_ne!(second, first_token, "the refused token was replaced");
    assert!(s.auths[1].secret.contains(second.expose()));
    assert!(
        s.auths[1].initial_response,
        "a short blob goes on the AUTH line"
    );
    assert_eq!(s.accepted.len(), 1);

    // A blob too long for one AUTH line (as Microsoft's 2 KB tokens are)
    // goes on its own line after 334.
    let long_user = format!("{}@example.com", "a".repeat(900));
    let auth = SmtpAuth::Bearer {
        user: long_user.clone(),
        tokens: svc.tokens.clone(),
    };
    let mut b = bench(settings(&fake, Duration::from_secs(10)), auth);
    let id = b.add(entry(&["bob@example.com"], message()));
    b.send(&id).await.reply();
    let s = fake.stats();
    assert_eq!(s.auths.len(), 3);
    assert_eq!(s.auths[2].user, long_user);
    assert!(!s.auths[2].initial_response);
    assert_eq!(s.accepted.len(), 2);
}
