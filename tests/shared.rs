//! Shared mailboxes (Microsoft 365 style) on real parts: the delegate's
//! token opens the shared mailbox on Dovecot only with FullAccess (the
//! test identity provider decides, tests/support/README.md), a refusal
//! names the missing permission (Dovecot's words and Exchange's, the
//! latter scripted), and mail sent from the shared mailbox goes through
//! Dovecot's submission and Postfix with the shared address in From and
//! MAIL FROM while SMTP authenticates as the delegate.

mod support;

use std::path::Path;
use std::time::Duration;

use mailtui::action::{ComposeCommand, ComposeEvent};
use mailtui::auth::oauth::OAuth;
use mailtui::auth::service::{self, AuthCommand, LoginMethod, ServiceHandle, TokenPhase};
use mailtui::auth::store::TokenStore;
use mailtui::config::{AccountKind, Config};
use mailtui::imap::shared::Delegate;
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts, TlsMode};
use mailtui::mail::{MailBackend, MailError};
use support::dovecot::{Dovecot, Options, SUBMISSION_HOST};
use support::fake_imap::{FakeImap, Flow};
use support::idp::{CLIENT_ID, Idp};
use support::relay::{Relay, header};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";
const SUPPORT: &str = "support@example.com";

fn message(from: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {SUPPORT}\r\nSubject: {subject}\r\nDate: Mon, 1 Dec 2026 10:00:00 +0000\r\n\
         Message-ID: <{}@example.com>\r\n\r\n{subject}\r\n",
        subject.replace(' ', "-")
    )
    .into_bytes()
}

/// The config: "work" (alice, Microsoft against the test provider) and
/// "support", the shared mailbox it opens; both on this Dovecot.
fn config(idp: &Idp, d: &Dovecot, dir: &Path) -> Config {
    let text = format!(
        "[[accounts]]\nname = \"work\"\nemail = \"{ALICE}\"\nprovider = \"microsoft\"\n\
         tenant = \"organizations\"\nclient_id = \"{CLIENT_ID}\"\nauthority = \"{}\"\n\
         imap = {{ host = \"127.0.0.1\", port = {}, tls = \"implicit\" }}\nca_file = \"{}\"\n\
         smtp = {{ host = \"{SUBMISSION_HOST}\", port = {}, tls = \"starttls\" }}\n\
         [[accounts]]\nname = \"support\"\nemail = \"{SUPPORT}\"\nshared_with = \"work\"\n\
         full_name = \"Support Desk\"\n",
        idp.base,
        d.imaps_port,
        d.ca_file.display(),
        d.submission_port,
    );
    mailtui::config::parse(&dir.join("config.toml"), &text).expect("the config parses")
}

fn imap_of(c: &Config, account: usize) -> ImapSettings {
    let AccountKind::OAuth2 { imap, .. } = &c.accounts[account].kind else {
        panic!("an OAuth2 account")
    };
    ImapSettings {
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            command: Duration::from_secs(10),
            transfer: Duration::from_secs(30),
            ..Timeouts::default()
        },
        ..imap.clone()
    }
}

/// The delegate's token service, signed in as `user` through the device flow.
async fn signed_in(c: &Config, idp: &Idp, store: &Path, user: &str) -> ServiceHandle {
    let AccountKind::OAuth2 { oauth, .. } = &c.accounts[0].kind else {
        panic!("work signs in with OAuth2")
    };
    let (tx, mut rx) = unbounded_channel();
    let sink: service::StatusSink = Box::new(move |s| {
        let _ = tx.send(s);
    });
    let svc = service::spawn(
        "work".into(),
        OAuth::new(oauth.client.clone()).expect("oauth client"),
        LoginMethod::Device,
        TokenStore::Files(store.to_path_buf()),
        sink,
    );
    svc.commands.send(AuthCommand::SignIn).expect("sign in");
    let code = loop {
        let s = status(&mut rx).await;
        if let TokenPhase::WaitingForCode(c) = s {
            break c.user_code;
        }
    };
    idp.approve(&code, user);
    while status(&mut rx).await != TokenPhase::SignedIn {}
    svc
}

async fn status(rx: &mut UnboundedReceiver<service::TokenStatus>) -> TokenPhase {
    tokio::time::timeout(Duration::from_secs(15), rx.recv())
        .await
        .expect("a token status within 15 s")
        .expect("the token service runs")
        .phase
}

fn work() -> Delegate {
    Delegate {
        account: "work".into(),
        email: ALICE.into(),
    }
}

fn bearer(svc: &ServiceHandle) -> ImapAuth {
    ImapAuth::Bearer {
        tokens: svc.tokens.clone(),
        mechanism: None,
        microsoft: true,
    }
}

fn shared_dovecot(idp: &Idp, submission: bool) -> Dovecot {
    Dovecot::start_with(Options {
        oauth2_introspection: Some(idp.introspection_url()),
        shared_mailboxes: vec![SUPPORT.into()],
        submission,
        ..Options::default()
    })
}

async fn subjects(b: &mut ImapBackend) -> Vec<String> {
    b.select("INBOX", None).await.expect("select INBOX");
    let uids = b.all_uids().await.expect("uids");
    let mut rows = b.fetch_rows(&uids).await.expect("rows");
    rows.sort_by_key(|r| r.envelope.uid);
    rows.iter()
        .map(|r| r.envelope.subject.as_str().to_string())
        .collect()
}

#[tokio::test]
async fn the_delegates_token_reads_the_shared_mailbox_with_full_access() {
    let idp = Idp::start();
    let d = shared_dovecot(&idp, false);
    d.deliver(
        SUPPORT,
        "INBOX",
        &[
            (message(BOB, "Ticket one"), "S"),
            (message(BOB, "Ticket two"), ""),
        ],
    );
    d.deliver(ALICE, "INBOX", &[(message(BOB, "For alice only"), "")]);
    let dir = tempfile::tempdir().expect("temp dir");
    let c = config(&idp, &d, dir.path());
    let svc = signed_in(&c, &idp, &dir.path().join("tokens"), ALICE).await;
    idp.grant_full_access(SUPPORT, ALICE);

    let mut shared = ImapBackend::new(imap_of(&c, 1), bearer(&svc)).opened_by(work());
    shared
        .connect()
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", d.log()));
    assert_eq!(subjects(&mut shared).await, ["Ticket one", "Ticket two"]);
    shared.disconnect().await;
    assert!(
        d.log()
            .contains(&format!("user=<{SUPPORT}>, method=XOAUTH2")),
        "the shared mailbox logged in with XOAUTH2:\n{}",
        d.log()
    );

    // The same token still opens alice's own mailbox.
    let mut own = ImapBackend::new(imap_of(&c, 0), bearer(&svc));
    own.connect().await.expect("alice's own mailbox");
    assert_eq!(subjects(&mut own).await, ["For alice only"]);
    own.disconnect().await;
}

#[tokio::test]
async fn without_full_access_dovecot_refuses_and_the_permission_is_named() {
    let idp = Idp::start();
    let d = shared_dovecot(&idp, false);
    d.deliver(SUPPORT, "INBOX", &[(message(BOB, "Ticket one"), "")]);
    let dir = tempfile::tempdir().expect("temp dir");
    let c = config(&idp, &d, dir.path());
    let svc = signed_in(&c, &idp, &dir.path().join("tokens"), ALICE).await;
    // Someone else's grant is no grant for alice.
    idp.grant_full_access(SUPPORT, BOB);

    let e = ImapBackend::new(imap_of(&c, 1), bearer(&svc))
        .opened_by(work())
        .connect()
        .await
        .expect_err("no FullAccess, no login");
    let MailError::Auth(msg) = e else {
        panic!("an auth error: {e:?}")
    };
    assert!(
        msg.starts_with(&format!(
            "work ({ALICE}) has no FullAccess to {SUPPORT}, or IMAP is off for that mailbox: \
             ask an admin to grant FullAccess"
        )) && msg.contains("AUTHENTICATIONFAILED"),
        "{msg}"
    );
    assert!(
        !d.log().contains(&format!("Login: user=<{SUPPORT}>")),
        "{}",
        d.log()
    );

    // Granted: the same token gets in.
    idp.grant_full_access(SUPPORT, ALICE);
    let mut b = ImapBackend::new(imap_of(&c, 1), bearer(&svc)).opened_by(work());
    b.connect()
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", d.log()));
    assert_eq!(subjects(&mut b).await, ["Ticket one"]);
    b.disconnect().await;

    // IMAP switched off for the shared mailbox: refused again, same sentence.
    idp.switch_imap_off(SUPPORT);
    let e = ImapBackend::new(imap_of(&c, 1), bearer(&svc))
        .opened_by(work())
        .connect()
        .await
        .expect_err("IMAP off for the shared mailbox");
    assert!(
        matches!(&e, MailError::Auth(m) if m.contains("or IMAP is off for that mailbox")),
        "{e:?}"
    );
}

fn not_connected_answer(
    c: &mut support::fake_imap::Conn,
    cmd: &support::fake_imap::Command,
) -> std::io::Result<Flow> {
    c.line(&format!(
        "{} BAD User is authenticated but not connected.",
        cmd.tag
    ))?;
    Ok(Flow::Handled)
}

/// What Exchange says, scripted: which text at which step.
#[tokio::test]
async fn exchanges_refusals_name_the_missing_permission() {
    let idp = Idp::start();
    // Only the token service is needed from Dovecot's side here.
    let d = shared_dovecot(&idp, false);
    let dir = tempfile::tempdir().expect("temp dir");
    let c = config(&idp, &d, dir.path());
    let svc = signed_in(&c, &idp, &dir.path().join("tokens"), ALICE).await;
    const CAPS: &str = "IMAP4rev1 SASL-IR AUTH=XOAUTH2 UIDPLUS MOVE ID UNSELECT CHILDREN IDLE";

    let no_authenticate = FakeImap::builder()
        .capabilities(CAPS)
        .on("AUTHENTICATE", |c, cmd| {
            c.line(&format!("{} NO AUTHENTICATE failed.", cmd.tag))?;
            Ok(Flow::Handled)
        })
        .start();
    let not_connected = FakeImap::builder()
        .capabilities(CAPS)
        // As Exchange: the login and CAPABILITY pass, what needs the mailbox not.
        .on("LIST", not_connected_answer)
        .on("SELECT", not_connected_answer)
        .on("NAMESPACE", not_connected_answer)
        .start();
    for (fake, said) in [
        (&no_authenticate, "AUTHENTICATE failed."),
        (&not_connected, "User is authenticated but not connected"),
    ] {
        let settings = ImapSettings {
            host: "127.0.0.1".into(),
            port: fake.port,
            tls: TlsMode::None,
            ca_file: None,
            ..imap_of(&c, 1)
        };
        let e = ImapBackend::new(settings, bearer(&svc))
            .opened_by(work())
            .connect()
            .await
            .expect_err("refused");
        let MailError::Auth(msg) = e else {
            panic!("an auth error: {e:?}")
        };
        assert!(
            msg.starts_with(&format!("work ({ALICE}) has no FullAccess to {SUPPORT}"))
                && msg.ends_with(&format!("The server said: {said}")),
            "{msg}"
        );
    }
}

fn submission_logins(d: &Dovecot) -> Vec<String> {
    d.log()
        .lines()
        .filter(|l| l.contains("submission-login: Info: Login:"))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn sent_from_the_shared_mailbox_it_is_from_it_and_authenticated_as_the_delegate() {
    let idp = Idp::start();
    let d = shared_dovecot(&idp, true);
    let relay = Relay::start(&d);
    d.folder_dir(BOB, "INBOX");
    let dir = tempfile::tempdir().expect("temp dir");
    let c = config(&idp, &d, dir.path());
    let svc = signed_in(&c, &idp, &dir.path().join("tokens"), ALICE).await;
    let support = &c.accounts[1];
    let shared = support
        .shared_mailbox()
        .expect("support is a shared mailbox");
    assert_eq!(
        (shared.delegate.as_str(), shared.delegate_login.as_str()),
        ("work", ALICE)
    );

    // As the app hands them over: the shared mailbox gets its delegate's tokens.
    let (tx, mut events) = unbounded_channel();
    let tokens = vec![Some(svc.tokens.clone()), Some(svc.tokens.clone())];
    let outgoing = mailtui::outgoing::Outgoing::new(
        &c.accounts,
        &tokens,
        vec![None, None],
        c.compose.clone(),
        &dir.path().join("data"),
        tx,
        0,
    );
    let draft = mailtui::compose::Draft {
        from: format!("Support Desk <{SUPPORT}>"),
        to: BOB.into(),
        subject: "Your ticket".into(),
        body: "Fixed.\n".into(),
        ..Default::default()
    };
    outgoing.handle(ComposeCommand::Send {
        id: 1,
        account: 1,
        draft: Box::new(draft),
        file: None,
        after: Default::default(),
    });
    let message_id = loop {
        let ev = tokio::time::timeout(Duration::from_secs(30), events.recv())
            .await
            .expect("an answer within 30 s")
            .expect("the sender runs");
        match ev {
            ComposeEvent::Sent { message_id, .. } => break message_id,
            ComposeEvent::SendFailed { sentence, .. }
            | ComposeEvent::Failed {
                error: sentence, ..
            } => {
                panic!("not sent: {sentence}\n{}", d.log())
            }
            _ => {}
        }
    };
    let delivered = relay.wait_for_message(&d, BOB, &message_id);
    let from = header(&delivered, "From").expect("a From header");
    assert!(from.contains(SUPPORT), "From: {from}");
    assert!(
        relay.log().contains(&format!("from=<{SUPPORT}>")),
        "MAIL FROM is the shared address:\n{}",
        relay.log()
    );
    let logins = submission_logins(&d);
    assert!(
        logins.len() == 1 && logins[0].contains(&format!("user=<{ALICE}>, method=XOAUTH2")),
        "SMTP signed in as the delegate, once: {logins:#?}\n{}",
        d.log()
    );
    // Dovecot's own record: alice's session relayed mail from the shared address.
    assert!(
        d.log()
            .lines()
            .any(|l| l.contains(&format!("submission({ALICE})"))
                && l.contains(&format!("Successfully relayed message: from=<{SUPPORT}>"))),
        "{}",
        d.log()
    );
}

#[test]
fn config_errors_name_the_shared_with_line() {
    let path = Path::new("/tmp/mailtui-shared/config.toml");
    let work = format!(
        "[[accounts]]\nname = \"work\"\nemail = \"{ALICE}\"\nprovider = \"microsoft\"\nclient_id = \"{CLIENT_ID}\"\n"
    );
    for (extra, wanted) in [
        ("shared_with = \"wrok\"", "no account is named \"wrok\""),
        (
            "shared_with = \"team\"",
            "\"team\" is itself a shared mailbox",
        ),
        (
            "shared_with = \"home\"",
            "\"home\" does not sign in with OAuth2",
        ),
    ] {
        let text = format!(
            "{work}[[accounts]]\nname = \"team\"\nemail = \"team@example.com\"\nshared_with = \"work\"\n\
             [[accounts]]\nname = \"home\"\nemail = \"me@example.org\"\nprovider = \"generic\"\n\
             imap = {{ host = \"imap.example.org\" }}\nauth = {{ method = \"password\", password_command = \"true\" }}\n\
             [[accounts]]\nname = \"support\"\nemail = \"{SUPPORT}\"\n{extra}\n"
        );
        let line = text.lines().count();
        let e = mailtui::config::parse(path, &text)
            .expect_err("refused")
            .to_string();
        assert!(
            e.starts_with(&format!(
                "{}:{line}:15: accounts[3].shared_with: {wanted}",
                path.display()
            )),
            "{e}"
        );
    }
}

#[test]
fn login_and_logout_on_a_shared_mailbox_point_at_its_delegate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!(
        "[[accounts]]\nname = \"work\"\nemail = \"{ALICE}\"\nprovider = \"microsoft\"\nclient_id = \"{CLIENT_ID}\"\n\
         [[accounts]]\nname = \"support\"\nemail = \"{SUPPORT}\"\nshared_with = \"work\"\n"
    );
    let c = mailtui::config::parse(&dir.path().join("config.toml"), &text).expect("config");
    let store = TokenStore::Files(dir.path().join("tokens"));
    let e = mailtui::commands::logout(&c.accounts[1], &store)
        .expect_err("no tokens of its own")
        .to_string();
    assert_eq!(
        e,
        "\"support\" is a shared mailbox opened with the sign-in of \"work\": run `mailtui logout work`"
    );
}
