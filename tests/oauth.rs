//! OAuth2 end to end on real parts: the test identity provider over HTTP,
//! Dovecot checking bearer tokens against it, the token service, the IMAP
//! backend and the account worker.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use mailtui::auth::errors::AuthErrorKind;
use mailtui::auth::oauth::{OAuth, OAuthConfig};
use mailtui::auth::sasl::Mechanism;
use mailtui::auth::service::{
    self, AuthCommand, LoginMethod, ServiceHandle, TokenPhase, TokenStatus,
};
use mailtui::auth::store::TokenStore;
use mailtui::imap::{ImapAuth, ImapBackend, ImapSettings, Timeouts, TlsMode};
use mailtui::mail::MailBackend;
use mailtui::sanitize::Clean;
use mailtui::worker::{ConnState, WorkerCommand, WorkerEvent};
use support::dovecot::{Dovecot, Options};
use support::events::{inbox_loaded, until};
use support::fixtures;
use support::idp::{CLIENT_ID, Failure, Idp};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

const ALICE: &str = "alice@example.com";
const SCOPES: [&str; 2] = [
    "https://outlook.office.com/IMAP.AccessAsUser.All",
    "offline_access",
];

fn oauth(idp: &Idp, tenant: &str) -> OAuth {
    let scopes = SCOPES.iter().map(|s| s.to_string()).collect();
    OAuth::new(OAuthConfig::microsoft(&idp.base, tenant, CLIENT_ID, scopes)).expect("oauth client")
}

fn dovecot(idp: &Idp) -> Dovecot {
    Dovecot::start_with(Options {
        oauth2_introspection: Some(idp.introspection_url()),
        ..Default::default()
    })
}

fn imap_settings(d: &Dovecot, user: &str) -> ImapSettings {
    ImapSettings {
        host: "127.0.0.1".into(),
        port: d.imaps_port,
        tls: TlsMode::Implicit,
        ca_file: Some(d.ca_file.clone()),
        username: user.into(),
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            command: Duration::from_secs(10),
            transfer: Duration::from_secs(30),
            ..Timeouts::default()
        },
    }
}

struct Account {
    svc: ServiceHandle,
    statuses: UnboundedReceiver<TokenStatus>,
}

fn start_service(
    idp: &Idp,
    tenant: &str,
    name: &str,
    store: &TokenStore,
    method: LoginMethod,
) -> Account {
    let (tx, rx) = unbounded_channel();
    let sink: service::StatusSink = Box::new(move |s| {
        let _ = tx.send(s);
    });
    let svc = service::spawn(name.into(), oauth(idp, tenant), method, store.clone(), sink);
    Account { svc, statuses: rx }
}

/// Account "w" in tenant "common", device sign-in, tokens in a temp dir.
fn device_account(idp: &Idp) -> (tempfile::TempDir, TokenStore, Account) {
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::Files(dir.path().to_path_buf());
    let a = start_service(idp, "common", "w", &store, LoginMethod::Device);
    (dir, store, a)
}

impl Account {
    /// Waits for a status the predicate likes; panics with the history if none comes.
    async fn until(&mut self, secs: u64, ok: impl Fn(&TokenStatus) -> bool) -> TokenStatus {
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            match tokio::time::timeout_at(deadline, self.statuses.recv()).await {
                Ok(Some(s)) => {
                    if ok(&s) {
                        return s;
                    }
                    seen.push(s);
                }
                _ => panic!("no matching token status within {secs}s; saw {seen:#?}"),
            }
        }
    }

    async fn code(&mut self) -> String {
        let s = self
            .until(10, |s| matches!(s.phase, TokenPhase::WaitingForCode(_)))
            .await;
        let TokenPhase::WaitingForCode(c) = s.phase else {
            unreachable!()
        };
        c.user_code
    }

    /// Device sign-in approved by `user`.
    async fn sign_in(&mut self, idp: &Idp, user: &str) -> TokenStatus {
        self.until(10, |s| {
            matches!(s.phase, TokenPhase::SignedOut | TokenPhase::SignedIn)
        })
        .await;
        self.svc.commands.send(AuthCommand::SignIn).unwrap();
        let code = self.code().await;
        idp.approve(&code, user);
        self.until(10, |s| s.phase == TokenPhase::SignedIn).await
    }
}

fn bearer(a: &Account, mechanism: Option<Mechanism>) -> ImapAuth {
    ImapAuth::Bearer {
        tokens: a.svc.tokens.clone(),
        mechanism,
        microsoft: true,
    }
}

fn stored(store_dir: &Path, name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(store_dir.join(format!("{name}.json"))).expect("token file");
    serde_json::from_str(&text).expect("token json")
}

#[tokio::test]
async fn device_code_sign_in_then_imap_with_xoauth2_and_oauthbearer() {
    let idp = Idp::start();
    let d = dovecot(&idp);
    d.folder_dir(ALICE, "INBOX");
    d.folder_dir(ALICE, "Archive");
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::Files(dir.path().join("tokens"));
    let mut a = start_service(
        &idp,
        "contoso.onmicrosoft.com",
        "work",
        &store,
        LoginMethod::Device,
    );
    let started = std::time::Instant::now();
    let status = a.sign_in(&idp, ALICE).await;
    let sign_in_time = started.elapsed();
    assert!(status.access_expires_at.is_some() && status.refresh_issued_at.is_some());
    assert_eq!(status.scopes, SCOPES);
    eprintln!("sign-in with the test provider took {sign_in_time:?}");

    for mech in [Mechanism::Xoauth2, Mechanism::Oauthbearer] {
        let mut b = ImapBackend::new(imap_settings(&d, ALICE), bearer(&a, Some(mech)));
        b.connect()
            .await
            .unwrap_or_else(|e| panic!("{mech:?}: {e}\n{}", d.log()));
        let folders = b.list_folders().await.unwrap();
        assert_eq!(folders.len(), 2, "{mech:?}");
        assert!(
            b.reconnect_at().is_some(),
            "a bearer session knows when to renew"
        );
        b.disconnect().await;
    }
    assert!(
        d.log().contains("method=XOAUTH2") && d.log().contains("method=OAUTHBEARER"),
        "{}",
        d.log()
    );
    assert!(idp.introspections() >= 2);
    assert_eq!(idp.tenants()[0], "contoso.onmicrosoft.com");

    // Stored privately.
    let file = dir.path().join("tokens/work.json");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(dir.path().join("tokens"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
}

#[tokio::test]
async fn polling_honours_pending_and_slow_down() {
    let idp = Idp::start();
    let (_dir, _store, mut a) = device_account(&idp);
    a.until(10, |s| s.phase == TokenPhase::SignedOut).await;
    a.svc.commands.send(AuthCommand::SignIn).unwrap();
    let code = a.code().await;
    // Two pending answers, then the provider says slow down once.
    tokio::time::sleep(Duration::from_millis(2300)).await;
    idp.fail_next(&[Failure::SlowDown]);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    idp.approve(&code, ALICE);
    a.until(20, |s| s.phase == TokenPhase::SignedIn).await;
    let polls = idp.polls();
    let answers: Vec<&str> = polls.iter().map(|(_, a)| a.as_str()).collect();
    assert!(
        answers
            .iter()
            .filter(|a| **a == "authorization_pending")
            .count()
            >= 2,
        "{polls:?}"
    );
    let slow = answers
        .iter()
        .position(|a| *a == "SlowDown")
        .expect("slow_down was sent");
    // interval 1 s + 5 s after slow_down.
    let gap = polls[slow + 1].0.expect("gap");
    assert!(
        gap >= Duration::from_millis(5800),
        "next poll after slow_down came after {gap:?}: {polls:?}"
    );
    for (gap, _) in &polls[1..slow + 1] {
        assert!(
            gap.is_some_and(|g| g >= Duration::from_millis(900)),
            "never faster than the interval: {polls:?}"
        );
    }
}

#[tokio::test]
async fn declined_expired_and_misconfigured_sign_ins_say_why() {
    let idp = Idp::start();
    let (_dir, _store, mut a) = device_account(&idp);
    a.until(10, |s| s.phase == TokenPhase::SignedOut).await;

    a.svc.commands.send(AuthCommand::SignIn).unwrap();
    let code = a.code().await;
    idp.decline(&code);
    let s = a.until(10, |s| s.note.is_some()).await;
    assert_eq!(s.phase, TokenPhase::SignedOut);
    assert!(s.note.unwrap().as_str().contains("declined"));

    idp.set_device_expiry(2);
    a.svc.commands.send(AuthCommand::SignIn).unwrap();
    a.code().await;
    let s = a.until(10, |s| s.note.is_some()).await;
    assert_eq!(s.phase, TokenPhase::SignedOut);
    assert!(s.note.unwrap().as_str().contains("expired"), "expired code");

    idp.set_device_expiry(900);
    a.svc.commands.send(AuthCommand::SignIn).unwrap();
    a.code().await;
    idp.fail_next(&[Failure::PublicClientOff]);
    let s = a.until(10, |s| s.note.is_some()).await;
    let TokenPhase::SignInNeeded(reason) = &s.phase else {
        panic!("{s:?}")
    };
    assert!(
        reason.as_str().contains("Allow public client flows"),
        "{reason}"
    );
}

#[tokio::test]
async fn server_errors_while_polling_keep_polling() {
    let idp = Idp::start();
    let (_dir, _store, mut a) = device_account(&idp);
    a.until(10, |s| s.phase == TokenPhase::SignedOut).await;
    a.svc.commands.send(AuthCommand::SignIn).unwrap();
    let code = a.code().await;
    idp.fail_next(&[Failure::Http500, Failure::Unavailable]);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    idp.approve(&code, ALICE);
    a.until(15, |s| s.phase == TokenPhase::SignedIn).await;
}

#[tokio::test]
async fn refresh_rotates_and_stores_the_new_refresh_token() {
    let idp = Idp::start();
    idp.set_access_lifetime(6);
    let (dir, _store, mut a) = device_account(&idp);
    a.sign_in(&idp, ALICE).await;
    let first_rt = stored(dir.path(), "w")["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    // Refreshed ahead of expiry (half of a 6 s lifetime) without being asked.
    let s = a.until(10, |s| s.last_refresh.is_some()).await;
    assert!(matches!(s.last_refresh, Some((_, Ok(())))), "{s:?}");
    assert_eq!(s.phase, TokenPhase::SignedIn);
    let second_rt = stored(dir.path(), "w")["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(first_rt, second_rt, "the rotated refresh token is stored");
    assert!(!idp.refresh_token_live(&first_rt) && idp.refresh_token_live(&second_rt));
    // And the next refresh uses it (strict rotation would refuse the old one).
    a.until(10, |s| {
        s.last_refresh
            .as_ref()
            .is_some_and(|(at, r)| r.is_ok() && Some(*at) != s.signed_in_at)
            && idp.refreshes() >= 2
    })
    .await;
    assert!(idp.refreshes() >= 2);
}

#[tokio::test]
async fn transient_refresh_failures_keep_the_tokens() {
    let idp = Idp::start();
    let (dir, _store, mut a) = device_account(&idp);
    a.sign_in(&idp, ALICE).await;
    idp.fail_next(&[Failure::Http500]);
    a.svc.commands.send(AuthCommand::Refresh).unwrap();
    // A refresh asked for right after sign-in is skipped as redundant; wait it out.
    tokio::time::sleep(Duration::from_secs(5)).await;
    a.svc.commands.send(AuthCommand::Refresh).unwrap();
    let s = a
        .until(10, |s| {
            s.last_refresh.as_ref().is_some_and(|(_, r)| r.is_err())
        })
        .await;
    assert_eq!(
        s.phase,
        TokenPhase::SignedIn,
        "a 5xx keeps the account signed in"
    );
    assert!(
        stored(dir.path(), "w")["refresh_token"].is_string(),
        "tokens kept"
    );
    let (token, _) = a.svc.tokens.access_token().await.expect("still usable");
    assert!(!token.expose().is_empty());
}

/// AADSTS53003 as Microsoft sends it when a Conditional Access policy
/// blocks the token: not a dead grant.
fn conditional_access() -> Failure {
    Failure::OAuth {
        status: 400,
        error: "invalid_request".into(),
        aadsts: Some(53003),
        text: "Access has been blocked by Conditional Access policies.".into(),
    }
}

/// Makes the service refresh now (the server "refused" the current token).
fn force_refresh(a: &Account) {
    let token = a.svc.tokens.current_token().expect("a current token");
    a.svc.tokens.rejected(&token);
}

#[tokio::test]
async fn a_refused_refresh_keeps_the_tokens_and_says_why() {
    let idp = Idp::start();
    let (dir, _store, mut a) = device_account(&idp);
    a.sign_in(&idp, ALICE).await;
    let rt = stored(dir.path(), "w")["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let hostile = Failure::OAuth {
        status: 400,
        error: "\u{1b}]0;owned\u{7}brand_new_error\u{1b}[31m".into(),
        aadsts: None,
        text: "\u{1b}[2J".into(),
    };
    for (i, (failure, says)) in [
        (conditional_access(), "Conditional Access"),
        (hostile, "brand_new_error"),
    ]
    .into_iter()
    .enumerate()
    {
        idp.fail_next(&[failure]);
        force_refresh(&a);
        // Once refused, a retry shows no "refreshing" in between (that would
        // bring a dismissed sign-in panel back every time).
        let s = a
            .until(10, |s| {
                i > 0 || matches!(s.phase, TokenPhase::SignInNeeded(_))
            })
            .await;
        assert!(
            matches!(&s.phase, TokenPhase::SignInNeeded(r) if r.as_str().contains(says)),
            "{s:?}"
        );
        let TokenPhase::SignInNeeded(reason) = &s.phase else {
            unreachable!()
        };
        assert!(reason.as_str().contains("press a"), "the fix: {reason}");
        assert!(!reason.as_str().chars().any(char::is_control), "{reason:?}");
        assert_eq!(
            stored(dir.path(), "w")["refresh_token"].as_str(),
            Some(rt.as_str()),
            "tokens kept on disk after {says}"
        );
        assert!(idp.refresh_token_live(&rt));
        // A connection is told why at once instead of waiting for a token.
        let e = a.svc.tokens.access_token().await.unwrap_err();
        assert_eq!(e.kind, AuthErrorKind::SignInNeeded);
        assert!(e.message.contains(says), "{e}");
    }

    // The block is lifted: the kept grant renews and the account carries on.
    force_refresh(&a);
    a.until(10, |s| s.phase == TokenPhase::SignedIn).await;
    assert!(
        !idp.refresh_token_live(&rt),
        "the kept refresh token was used"
    );
    a.svc.tokens.access_token().await.expect("usable again");

    // A dead grant, and only that, forgets them.
    idp.fail_next(&[Failure::InvalidGrant(70008)]);
    force_refresh(&a);
    a.until(
        10,
        |s| matches!(&s.phase, TokenPhase::SignInNeeded(r) if r.as_str().contains("inactivity")),
    )
    .await;
    assert!(!dir.path().join("w.json").exists(), "dead tokens forgotten");
}

#[tokio::test]
async fn the_user_code_is_cleaned_where_it_is_made() {
    let idp = Idp::start();
    let (before, after) = ("\n\u{1b}]52;c;ZXZpbA==\u{7}", "\r\n\u{1b}[31m");
    idp.wrap_user_codes(before, after);
    let (_dir, _store, mut a) = device_account(&idp);
    a.until(10, |s| s.phase == TokenPhase::SignedOut).await;
    a.svc.commands.send(AuthCommand::SignIn).unwrap();
    let code = a.code().await;
    let raw = idp.wait_for_user_code();
    let inner = raw
        .strip_prefix(before)
        .and_then(|r| r.strip_suffix(after))
        .expect("wrapped code");
    // What `c` copies is the code alone, exactly as the screen shows it.
    assert_eq!(code, inner, "{code:?}");
    assert_eq!(Clean::line(&code).as_str(), code);
    idp.approve(&raw, ALICE);
    a.until(10, |s| s.phase == TokenPhase::SignedIn).await;
}

#[tokio::test]
async fn revoked_refresh_token_needs_sign_in_and_other_accounts_carry_on() {
    let idp = Idp::start();
    let d = dovecot(&idp);
    d.deliver(
        "bob@example.com",
        "INBOX",
        &[(fixtures::PLAIN.as_bytes().to_vec(), "")],
    );
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::Files(dir.path().to_path_buf());
    let mut work = start_service(&idp, "contoso", "work", &store, LoginMethod::Device);
    let mut home = start_service(&idp, "fabrikam", "home", &store, LoginMethod::Device);
    work.sign_in(&idp, ALICE).await;
    home.sign_in(&idp, "bob@example.com").await;
    tokio::time::sleep(Duration::from_secs(5)).await;

    idp.revoke(ALICE);
    work.svc.commands.send(AuthCommand::Refresh).unwrap();
    let s = work
        .until(10, |s| matches!(s.phase, TokenPhase::SignInNeeded(_)))
        .await;
    let TokenPhase::SignInNeeded(reason) = &s.phase else {
        unreachable!()
    };
    assert!(reason.as_str().contains("revoked"), "{reason}");
    assert!(
        !dir.path().join("work.json").exists(),
        "dead tokens are forgotten"
    );

    // The other tenant's account still reads mail.
    let mut b = ImapBackend::new(imap_settings(&d, "bob@example.com"), bearer(&home, None));
    b.connect().await.expect("home still signs in");
    assert_eq!(b.select("INBOX", None).await.unwrap().exists, 1);
    assert!(
        idp.tenants().contains(&"contoso".to_string())
            && idp.tenants().contains(&"fabrikam".to_string())
    );
    // And work's connection attempts now say sign-in is needed.
    let e = ImapBackend::new(imap_settings(&d, ALICE), bearer(&work, None))
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(e, mailtui::mail::MailError::SignIn(_)), "{e:?}");
}

#[tokio::test]
async fn readable_token_file_is_refused() {
    let idp = Idp::start();
    let (dir, store, mut a) = device_account(&idp);
    a.sign_in(&idp, ALICE).await;
    a.svc.commands.send(AuthCommand::Shutdown).unwrap();
    std::fs::set_permissions(
        dir.path().join("w.json"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let mut again = start_service(&idp, "common", "w", &store, LoginMethod::Device);
    let s = again
        .until(10, |s| matches!(s.phase, TokenPhase::SignInNeeded(_)))
        .await;
    let TokenPhase::SignInNeeded(reason) = &s.phase else {
        unreachable!()
    };
    assert!(
        reason.as_str().contains("readable by other users")
            && reason.as_str().contains("chmod 600"),
        "{reason}"
    );
}

#[tokio::test]
async fn browser_sign_in_with_pkce_checks_state() {
    let idp = Idp::start();
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::Files(dir.path().to_path_buf());
    let mut a = start_service(&idp, "common", "w", &store, LoginMethod::Browser);
    a.until(10, |s| s.phase == TokenPhase::SignedOut).await;
    a.svc.commands.send(AuthCommand::SignIn).unwrap();
    let s = a
        .until(10, |s| matches!(s.phase, TokenPhase::WaitingForBrowser(_)))
        .await;
    let TokenPhase::WaitingForBrowser(prompt) = s.phase else {
        unreachable!()
    };
    assert!(
        prompt
            .ssh_hint()
            .contains(&format!("ssh -L {0}:localhost:{0}", prompt.port))
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // A forged callback with the wrong state is refused, and the flow waits on.
    let forged = format!("http://127.0.0.1:{}/?code=stolen&state=wrong", prompt.port);
    let r = http.get(&forged).send().await.unwrap();
    assert_eq!(r.status(), 400);

    // The "browser": the provider redirects to the loopback address with code and state.
    let r = http.get(&prompt.url).send().await.unwrap();
    assert_eq!(r.status(), 303, "{:?}", r.text().await);
    let location = r.headers()["location"]
        .to_str()
        .unwrap()
        .replace("http://localhost:", "http://127.0.0.1:");
    let r = http.get(&location).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("You can close this tab"));
    let s = a.until(10, |s| s.phase == TokenPhase::SignedIn).await;
    assert!(s.access_expires_at.is_some());
}

#[tokio::test]
async fn connections_are_renewed_before_the_token_expires() {
    let idp = Idp::start();
    idp.set_access_lifetime(8);
    let d = dovecot(&idp);
    let msgs = fixtures::bulk(40, "");
    d.deliver(ALICE, "INBOX", &msgs);
    let (_dir, _store, mut a) = device_account(&idp);
    a.sign_in(&idp, ALICE).await;
    let (w, mut rx, inbox) =
        inbox_loaded(ImapBackend::new(imap_settings(&d, ALICE), bearer(&a, None))).await;
    // Over the next 10 s (more than one token lifetime) the worker renews
    // its session by itself, keeps the folder, and never fails a login.
    let mut reconnects = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while let Ok(Some((_, e))) = tokio::time::timeout_at(deadline, rx.recv()).await {
        match e {
            WorkerEvent::Conn(ConnState::Reconnecting) => reconnects += 1,
            WorkerEvent::Conn(ConnState::Failed(e))
            | WorkerEvent::Conn(ConnState::Retrying { error: e, .. }) => {
                panic!("renewal failed: {e}")
            }
            WorkerEvent::Inserted { envelopes, .. } if !envelopes.is_empty() => {
                panic!("the open folder was reloaded")
            }
            _ => {}
        }
    }
    eprintln!("reconnects in 10 s with an 8 s token: {reconnects}");
    assert!((1..=4).contains(&reconnects), "{reconnects} reconnects");
    w.commands
        .send(WorkerCommand::FetchMessage {
            folder: inbox,
            uid: 40,
            req: 2,
            size: None,
        })
        .unwrap();
    let ev = until(&mut rx, 10, |e| matches!(e, WorkerEvent::Message { .. })).await;
    let Some(WorkerEvent::Message { message, .. }) = ev.last() else {
        unreachable!()
    };
    assert!(message.body.as_str().contains("Body of message 40"));
    assert!(!d.log().contains("auth failed"), "{}", d.log());
}

#[tokio::test]
async fn bye_access_token_expired_refreshes_and_reconnects_silently() {
    let idp = Idp::start();
    let d = dovecot(&idp);
    let msgs = fixtures::bulk(30, "");
    d.deliver(ALICE, "INBOX", &msgs);
    let proxy = support::proxy::ByeProxy::start(d.imap_port).await;
    let (_dir, _store, mut a) = device_account(&idp);
    a.sign_in(&idp, ALICE).await;
    let settings = ImapSettings {
        port: proxy.port,
        tls: TlsMode::None,
        ca_file: None,
        ..imap_settings(&d, ALICE)
    };
    let (w, mut rx, inbox) = inbox_loaded(ImapBackend::new(settings, bearer(&a, None))).await;
    let refreshes = idp.refreshes();

    proxy.kill_sessions();
    tokio::time::sleep(Duration::from_millis(200)).await;
    w.commands
        .send(WorkerCommand::FetchMessage {
            folder: inbox,
            uid: 30,
            req: 2,
            size: None,
        })
        .unwrap();
    let ev = until(&mut rx, 20, |e| matches!(e, WorkerEvent::Message { .. })).await;
    let Some(WorkerEvent::Message { req: 2, message }) = ev.last() else {
        panic!("{ev:#?}")
    };
    assert!(message.body.as_str().contains("Body of message 30"));
    assert!(
        !ev.iter()
            .any(|e| matches!(e, WorkerEvent::Inserted { envelopes, .. } if !envelopes.is_empty())),
        "folder kept: {ev:#?}"
    );
    assert!(
        !ev.iter()
            .any(|e| matches!(e, WorkerEvent::Conn(ConnState::Failed(_)))),
        "{ev:#?}"
    );
    assert_eq!(
        idp.refreshes(),
        refreshes + 1,
        "the BYE led to one token refresh"
    );
    assert_eq!(
        proxy.connections.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "one reconnect"
    );
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once_and_imap_off_is_explained() {
    let idp = Idp::start();
    let d = dovecot(&idp);
    d.folder_dir(ALICE, "INBOX");
    let (_dir, _store, mut a) = device_account(&idp);
    a.sign_in(&idp, ALICE).await;

    // The server no longer takes the access token: one refresh, then in.
    idp.expire_access_tokens(ALICE);
    let before = idp.refreshes();
    let mut b = ImapBackend::new(imap_settings(&d, ALICE), bearer(&a, None));
    b.connect().await.expect("recovers with a refreshed token");
    assert_eq!(idp.refreshes(), before + 1);
    b.disconnect().await;

    // IMAP switched off for the mailbox: a sentence with the fix.
    idp.switch_imap_off(ALICE);
    let e = ImapBackend::new(imap_settings(&d, ALICE), bearer(&a, None))
        .connect()
        .await
        .unwrap_err();
    let mailtui::mail::MailError::Auth(msg) = e else {
        panic!("{e:?}")
    };
    assert!(
        msg.contains("IMAP may be switched off") && msg.contains("IMAP.AccessAsUser.All"),
        "{msg}"
    );
}

#[tokio::test]
async fn without_sasl_ir_the_token_goes_in_a_continuation() {
    let idp = Idp::start();
    let d = Dovecot::start_with(Options {
        oauth2_introspection: Some(idp.introspection_url()),
        sasl_ir: false,
        ..Default::default()
    });
    d.folder_dir(ALICE, "INBOX");
    let (_dir, _store, mut a) = device_account(&idp);
    a.sign_in(&idp, ALICE).await;
    for mech in [Mechanism::Xoauth2, Mechanism::Oauthbearer] {
        let mut b = ImapBackend::new(imap_settings(&d, ALICE), bearer(&a, Some(mech)));
        b.connect()
            .await
            .unwrap_or_else(|e| panic!("{mech:?}: {e}\n{}", d.log()));
        assert_eq!(b.list_folders().await.unwrap().len(), 1);
        b.disconnect().await;
    }
    // A refused token: the error challenge is answered and the refusal explained.
    idp.switch_imap_off(ALICE);
    let e = ImapBackend::new(
        imap_settings(&d, ALICE),
        bearer(&a, Some(Mechanism::Oauthbearer)),
    )
    .connect()
    .await
    .unwrap_err();
    assert!(
        matches!(&e, mailtui::mail::MailError::Auth(m) if m.contains("refused")),
        "{e:?}"
    );
}

/// `provider = "outlook"`: the consumer sign-in (tenant `consumers`) with
/// the mail scopes; a personal account signs in, a work account is told
/// it is in the wrong place (AADSTS50020) in words.
#[tokio::test]
async fn the_outlook_com_preset_signs_in_at_consumers() {
    let idp = Idp::start();
    let text = format!(
        "[[accounts]]\nname = \"home\"\nemail = \"alice@outlook.com\"\nprovider = \"outlook\"\n\
         client_id = \"{CLIENT_ID}\"\nauthority = \"{}\"\n",
        idp.base
    );
    let config = mailtui::config::parse(Path::new("c.toml"), &text).expect("parses");
    let mailtui::config::AccountKind::OAuth2 { oauth, .. } = &config.accounts[0].kind else {
        panic!("an OAuth2 account");
    };
    let client = OAuth::new(oauth.client.clone()).expect("client");
    let (code, details) = client.start_device().await.expect("a code");
    idp.approve(&code.user_code, "alice@outlook.com");
    let tokens = client.finish_device(&details).await.expect("signed in");
    assert!(
        tokens
            .scopes
            .iter()
            .any(|s| s.eq_ignore_ascii_case("https://outlook.office.com/IMAP.AccessAsUser.All")),
        "{:?}",
        tokens.scopes
    );
    assert_eq!(idp.tenants()[0], "consumers");

    let (code, details) = client.start_device().await.expect("a code");
    idp.approve(&code.user_code, "alice@contoso.example");
    let e = client
        .finish_device(&details)
        .await
        .expect_err("a work account");
    assert!(e.code.contains("AADSTS50020"), "{e:?}");
    assert!(e.message.contains("consumers"), "{}", e.message);
}
