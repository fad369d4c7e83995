//! The real sending path: lettre → Dovecot's submission service (same
//! logins as IMAP) → a private Postfix → Dovecot's LMTP → the
//! recipient's INBOX, read back over IMAP.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use futures::TryStreamExt;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use support::dovecot::{Dovecot, Options, SUBMISSION_HOST};
use support::idp::{CLIENT_ID, Idp};
use support::relay::Relay;

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";
const PASSWORD: &str = "pw-alice";
const BOB_PASSWORD: &str = "pw-bob";
/// What one SMTP command may take here before the test calls it hung.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

struct Servers {
    dovecot: Dovecot,
    relay: Relay,
}

/// Dovecot with submission, and its relay; says how long starting took.
fn servers(opts: Options) -> Servers {
    let t0 = Instant::now();
    let dovecot = Dovecot::start_with(Options {
        submission: true,
        ..opts
    });
    let t1 = Instant::now();
    let relay = Relay::start(&dovecot);
    eprintln!(
        "started dovecot in {:?}, postfix in {:?}",
        t1 - t0,
        t1.elapsed()
    );
    dovecot.add_user(ALICE, PASSWORD);
    dovecot.add_user(BOB, BOB_PASSWORD);
    Servers { dovecot, relay }
}

fn tls_parameters(d: &Dovecot) -> TlsParameters {
    let ca = std::fs::read(&d.ca_file).expect("read CA");
    TlsParameters::builder("localhost".into())
        .certificate_store(CertificateStore::None)
        .add_root_certificate(Certificate::from_pem(&ca).expect("CA certificate"))
        .build()
        .expect("TLS parameters")
}

/// A STARTTLS transport to the submission port with these credentials.
fn transport(
    d: &Dovecot,
    credentials: Credentials,
    mechanism: Mechanism,
) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(SUBMISSION_HOST)
        .port(d.submission_port)
        .tls(Tls::Required(tls_parameters(d)))
        .credentials(credentials)
        .authentication(vec![mechanism])
        .timeout(Some(SMTP_TIMEOUT))
        .build()
}

/// What to hand lettre for a message: it ends the data with CRLF "." CRLF
/// whatever the bytes end with, so a message whose last line is already
/// ended would arrive with an empty line more.
fn smtp_data(message: &[u8]) -> &[u8] {
    message.strip_suffix(b"\r\n").unwrap_or(message)
}

fn envelope(from: &str, to: &str) -> Envelope {
    Envelope::new(
        Some(from.parse().expect("from address")),
        vec![to.parse().expect("to address")],
    )
    .expect("envelope")
}

fn unique_id(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("<{tag}.{nanos}.{}@example.com>", std::process::id())
}

/// A message as mailtui will send it: encoded non-ASCII subject, an
/// 8-bit UTF-8 text part with lines starting with a dot, a binary
/// attachment; CRLF line ends, the last line ended too.
fn message(from: &str, to: &str, message_id: &str, subject: &str) -> Vec<u8> {
    let attachment: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let encoded = B64.encode(&attachment);
    let mut lines: Vec<String> = vec![
        format!("From: Alice Ärger <{from}>"),
        format!("To: <{to}>"),
        format!("Subject: =?UTF-8?B?{}?=", B64.encode(subject)),
        "Date: Sun, 06 Dec 2026 07:00:00 +0100".into(),
        format!("Message-ID: {message_id}"),
        "MIME-Version: 1.0".into(),
        "Content-Type: multipart/mixed; boundary=\"=_mailtui_1\"".into(),
        String::new(),
        "--=_mailtui_1".into(),
        "Content-Type: text/plain; charset=utf-8".into(),
        "Content-Transfer-Encoding: 8bit".into(),
        String::new(),
        "Grüße aus Köln, 日本語も。".into(),
        ".a line that starts with a dot".into(),
        "..and one with two".into(),
        String::new(),
        "--=_mailtui_1".into(),
        "Content-Type: application/octet-stream; name=\"data.bin\"".into(),
        "Content-Disposition: attachment; filename=\"data.bin\"".into(),
        "Content-Transfer-Encoding: base64".into(),
        String::new(),
    ];
    lines.extend(
        encoded
            .as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8_lossy(c).into_owned()),
    );
    lines.push("--=_mailtui_1--".into());
    let mut out = lines.join("\r\n");
    out.push_str("\r\n");
    out.into_bytes()
}

/// The message with this Message-ID in the user's INBOX, over IMAP.
async fn fetch_over_imap(d: &Dovecot, user: &str, password: &str, message_id: &str) -> Vec<u8> {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", d.imap_port))
        .await
        .expect("connect to dovecot");
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.expect("greeting");
    let mut session = client
        .login(user, password)
        .await
        .map_err(|(e, _)| e)
        .expect("login");
    session.select("INBOX").await.expect("select");
    let fetched: Vec<_> = session
        .fetch("1:*", "BODY.PEEK[]")
        .await
        .expect("fetch")
        .try_collect()
        .await
        .expect("fetch answer");
    let _ = session.logout().await;
    let mut matching: Vec<Vec<u8>> = fetched
        .iter()
        .filter_map(|f| f.body())
        .filter(|b| support::relay::header(b, "message-id").as_deref() == Some(message_id))
        .map(<[u8]>::to_vec)
        .collect();
    assert_eq!(matching.len(), 1, "one copy of {message_id} over IMAP");
    matching.remove(0)
}

/// The delivered message is the sent bytes under trace headers only.
fn assert_arrived_intact(delivered: &[u8], sent: &[u8]) {
    assert!(
        delivered.ends_with(sent),
        "the delivered message does not end with the sent bytes:\n{}",
        String::from_utf8_lossy(delivered)
    );
    let prefix = String::from_utf8_lossy(&delivered[..delivered.len() - sent.len()]).into_owned();
    for line in prefix.split("\r\n").filter(|l| !l.is_empty()) {
        let trace = line.starts_with([' ', '\t'])
            || ["Return-Path:", "Delivered-To:", "Received:"]
                .iter()
                .any(|h| line.starts_with(h));
        assert!(trace, "a header other than trace was added: {line:?}");
    }
}

#[tokio::test]
async fn password_user_sends_over_starttls_and_the_bytes_arrive() {
    let s = servers(Options::default());
    let id = unique_id("plain");
    let subject = "Grüße – 日本 ✓ (a non-ASCII subject)";
    let sent = message(ALICE, BOB, &id, subject);
    let smtp = transport(
        &s.dovecot,
        Credentials::new(ALICE.into(), PASSWORD.into()),
        Mechanism::Plain,
    );
    let t = Instant::now();
    let answer = smtp
        .send_raw(&envelope(ALICE, BOB), smtp_data(&sent))
        .await
        .expect("submission accepts the message");
    assert!(answer.is_positive(), "{answer:?}");
    s.relay.wait_for_message(&s.dovecot, BOB, &id);
    eprintln!("submitted and delivered in {:?}", t.elapsed());

    let delivered = fetch_over_imap(&s.dovecot, BOB, BOB_PASSWORD, &id).await;
    assert_arrived_intact(&delivered, &sent);
    let parsed = mail_parser::MessageParser::default()
        .parse(&delivered)
        .expect("parse the delivered message");
    assert_eq!(parsed.subject(), Some(subject));
    let attachment = parsed.attachment(0).expect("the attachment");
    let expected: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    assert_eq!(attachment.contents(), expected.as_slice());
    s.relay.wait_until_idle(&s.dovecot);
    assert_eq!(s.relay.deliveries(&s.dovecot, BOB, &id), 1);
    assert_eq!(s.relay.deliveries(&s.dovecot, ALICE, &id), 0);
}

/// An access token from the test identity provider (device flow).
async fn access_token(idp: &Idp, email: &str) -> String {
    let http = reqwest::Client::new();
    let base = format!("{}/organizations/oauth2/v2.0", idp.base);
    let scope = "https://outlook.office.com/SMTP.Send offline_access";
    let dc: serde_json::Value = http
        .post(format!("{base}/devicecode"))
        .form(&[("client_id", CLIENT_ID), ("scope", scope)])
        .send()
        .await
        .expect("device code request")
        .json()
        .await
        .expect("device code answer");
    let user_code = dc["user_code"].as_str().expect("user code");
    idp.approve(user_code, email);
    let tokens: serde_json::Value = http
        .post(format!("{base}/token"))
        .form(&[
            ("client_id", CLIENT_ID),
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            (
                "device_code",
                dc["device_code"].as_str().expect("device code"),
            ),
        ])
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("token answer");
    tokens["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no access token: {tokens}"))
        .to_string()
}

#[tokio::test]
async fn oauth_user_sends_with_xoauth2() {
    let idp = Idp::start();
    let s = servers(Options {
        oauth2_introspection: Some(idp.introspection_url()),
        ..Options::default()
    });
    let token = access_token(&idp, ALICE).await;
    // lettre sends the whole XOAUTH2 string as the initial response on the
    // AUTH line; this is how long that line is with the provider's tokens.
    let blob = B64.encode(format!("user={ALICE}\x01auth=Bearer {token}\x01\x01"));
    eprintln!(
        "access token {} bytes, AUTH XOAUTH2 line {} bytes",
        token.len(),
        "AUTH XOAUTH2 ".len() + blob.len()
    );
    let id = unique_id("xoauth2");
    let sent = message(ALICE, BOB, &id, "Über OAuth2 gesendet");
    let before = idp.introspections();
    transport(
        &s.dovecot,
        Credentials::new(ALICE.into(), token),
        Mechanism::Xoauth2,
    )
    .send_raw(&envelope(ALICE, BOB), smtp_data(&sent))
    .await
    .expect("submission accepts an XOAUTH2 login");
    assert!(
        idp.introspections() > before,
        "dovecot checked the token with the provider"
    );
    let delivered = s.relay.wait_for_message(&s.dovecot, BOB, &id);
    assert!(String::from_utf8_lossy(&delivered).contains(&id));

    // A revoked token is refused, and nothing is sent. Dovecot answers
    // XOAUTH2's 334 error challenge (as Gmail does; Exchange says 535
    // at once), which lettre reports as a client error, not a 5xx.
    let token = access_token(&idp, ALICE).await;
    idp.revoke(ALICE);
    let id = unique_id("revoked");
    let refused = transport(
        &s.dovecot,
        Credentials::new(ALICE.into(), token),
        Mechanism::Xoauth2,
    )
    .send_raw(
        &envelope(ALICE, BOB),
        smtp_data(&message(ALICE, BOB, &id, "x")),
    )
    .await
    .expect_err("a revoked token is refused");
    eprintln!("revoked token: {refused}");
    assert!(!refused.is_transient(), "{refused:?}");
    s.relay.wait_until_idle(&s.dovecot);
    assert_eq!(s.relay.deliveries(&s.dovecot, BOB, &id), 0);
}

/// Dovecot's submission reads at most 1 KB of AUTH parameters, and
/// lettre always sends XOAUTH2 as the initial response on the AUTH line:
/// a token of Microsoft's size (JWTs of 1.5–2.5 KB) is refused as a
/// "Line too long" before the provider is asked. Test tokens must stay
/// under about 720 bytes (the identity provider's are a few dozen).
#[tokio::test]
async fn xoauth2_tokens_over_about_700_bytes_do_not_fit_dovecots_auth_line() {
    let idp = Idp::start();
    let s = servers(Options {
        oauth2_introspection: Some(idp.introspection_url()),
        ..Options::default()
    });
    for (len, fits) in [(700, true), (1_500, false), (2_500, false)] {
        let token: String = "eyJ0eXAiOiJKV1Qi".chars().cycle().take(len).collect();
        let before = idp.introspections();
        let err = transport(
            &s.dovecot,
            Credentials::new(ALICE.into(), token),
            Mechanism::Xoauth2,
        )
        .send_raw(
            &envelope(ALICE, BOB),
            smtp_data(&message(ALICE, BOB, &unique_id("long"), "x")),
        )
        .await
        .expect_err("an unknown token is refused");
        eprintln!("{len}-byte token: {err}");
        assert_eq!(
            idp.introspections() > before,
            fits,
            "{len}-byte token: {err}\n{}",
            s.dovecot.log()
        );
        if !fits {
            assert!(
                err.is_permanent() && err.to_string().contains("Line too long"),
                "{len}-byte token: {err:?}"
            );
        }
    }
}

/// Reads one (possibly multi-line) SMTP reply.
fn reply(r: &mut impl BufRead) -> String {
    let mut all = String::new();
    loop {
        let mut line = String::new();
        r.read_line(&mut line).expect("read reply");
        assert!(!line.is_empty(), "connection closed; so far: {all}");
        all.push_str(&line);
        if line.as_bytes().get(3) != Some(&b'-') {
            return all;
        }
    }
}

#[test]
fn no_login_before_starttls() {
    let s = servers(Options::default());
    let tcp = TcpStream::connect((SUBMISSION_HOST, s.dovecot.submission_port)).expect("connect");
    tcp.set_read_timeout(Some(SMTP_TIMEOUT)).expect("timeout");
    let mut w = tcp.try_clone().expect("clone");
    let mut r = BufReader::new(tcp);
    assert!(reply(&mut r).starts_with("220 "));
    w.write_all(b"EHLO client.example\r\n").expect("write");
    let ehlo = reply(&mut r);
    assert!(ehlo.contains("STARTTLS"), "{ehlo}");
    // Dovecot keeps an empty AUTH line: no mechanism before TLS.
    let mechanisms: Vec<&str> = ehlo
        .lines()
        .filter_map(|l| l.get(4..)?.strip_prefix("AUTH"))
        .flat_map(str::split_whitespace)
        .collect();
    assert!(mechanisms.is_empty(), "AUTH offered in plaintext: {ehlo}");
    let plain = B64.encode(format!("\0{ALICE}\0{PASSWORD}"));
    w.write_all(format!("AUTH PLAIN {plain}\r\n").as_bytes())
        .expect("write");
    let answer = reply(&mut r);
    assert!(answer.starts_with('5'), "plaintext AUTH: {answer}");
    w.write_all(b"MAIL FROM:<alice@example.com>\r\n")
        .expect("write");
    let answer = reply(&mut r);
    assert!(answer.starts_with('5'), "MAIL before login: {answer}");
}

#[tokio::test]
async fn relay_down_is_a_temporary_failure_and_a_resend_arrives_once() {
    let mut s = servers(Options::default());
    let smtp = transport(
        &s.dovecot,
        Credentials::new(ALICE.into(), PASSWORD.into()),
        Mechanism::Plain,
    );
    let id = unique_id("retry");
    let sent = message(ALICE, BOB, &id, "Später noch einmal");

    let t = Instant::now();
    s.relay.stop();
    eprintln!("relay stopped in {:?}", t.elapsed());
    let err = smtp
        .send_raw(&envelope(ALICE, BOB), smtp_data(&sent))
        .await
        .expect_err("no relay, no submission");
    eprintln!("relay stopped: {err}");
    assert!(err.is_transient(), "a 4xx answer: {err:?}");
    assert_eq!(s.relay.queued(), 0);
    assert_eq!(s.relay.deliveries(&s.dovecot, BOB, &id), 0);

    let t = Instant::now();
    s.relay.resume();
    eprintln!("relay started again in {:?}", t.elapsed());
    smtp.send_raw(&envelope(ALICE, BOB), smtp_data(&sent))
        .await
        .expect("the resend is accepted");
    s.relay.wait_for_message(&s.dovecot, BOB, &id);
    s.relay.wait_until_idle(&s.dovecot);
    assert_eq!(s.relay.deliveries(&s.dovecot, BOB, &id), 1);
}

#[tokio::test]
async fn implicit_tls_port_works_too() {
    let s = servers(Options::default());
    let id = unique_id("implicit");
    let sent = message(ALICE, BOB, &id, "Port 465");
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(SUBMISSION_HOST)
        .port(s.dovecot.submissions_port)
        .tls(Tls::Wrapper(tls_parameters(&s.dovecot)))
        .credentials(Credentials::new(ALICE.into(), PASSWORD.into()))
        .authentication(vec![Mechanism::Plain])
        .timeout(Some(SMTP_TIMEOUT))
        .build::<Tokio1Executor>()
        .send_raw(&envelope(ALICE, BOB), smtp_data(&sent))
        .await
        .expect("submission over implicit TLS");
    let subject = format!("=?UTF-8?B?{}?=", B64.encode("Port 465"));
    let delivered = s
        .relay
        .wait_for_header(&s.dovecot, BOB, "Subject", &subject);
    assert!(String::from_utf8_lossy(&delivered).contains(&id));
}

#[tokio::test]
async fn exchange_profile_keeps_submission() {
    let s = servers(Options {
        exchange: true,
        ..Options::default()
    });
    let id = unique_id("exchange");
    let sent = message(ALICE, BOB, &id, "Exchange-shaped");
    transport(
        &s.dovecot,
        Credentials::new(ALICE.into(), PASSWORD.into()),
        Mechanism::Plain,
    )
    .send_raw(&envelope(ALICE, BOB), smtp_data(&sent))
    .await
    .expect("submission with the Exchange-shaped IMAP");
    s.relay.wait_for_message(&s.dovecot, BOB, &id);
    let delivered = fetch_over_imap(&s.dovecot, BOB, BOB_PASSWORD, &id).await;
    assert_arrived_intact(&delivered, &sent);
}

/// Mail the relay accepted while the mailbox server was down is
/// delivered once it is back, within seconds (short retry times).
#[tokio::test]
async fn a_deferred_delivery_is_retried_soon() {
    let mut s = servers(Options::default());
    let id = unique_id("deferred");
    let sent = message(ALICE, BOB, &id, "Aufgeschoben");
    s.dovecot.stop();
    // Straight to the relay: the submission service is down with Dovecot.
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(s.relay.port)
        .tls(Tls::None)
        .timeout(Some(SMTP_TIMEOUT))
        .build::<Tokio1Executor>()
        .send_raw(&envelope(ALICE, BOB), smtp_data(&sent))
        .await
        .expect("the relay queues the message");
    s.relay.wait_until_deferred();
    assert_eq!(s.relay.queued(), 1);
    let t = Instant::now();
    s.dovecot.restart();
    s.relay.wait_for_message(&s.dovecot, BOB, &id);
    eprintln!(
        "deferred message delivered {:?} after LMTP came back",
        t.elapsed()
    );
    s.relay.wait_until_idle(&s.dovecot);
    assert_eq!(s.relay.deliveries(&s.dovecot, BOB, &id), 1);
}
