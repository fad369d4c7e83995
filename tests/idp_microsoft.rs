//! The test identity provider's Microsoft rules and its Graph `sendMail`
//! imitation, over plain HTTP: per-scope consent and refresh for another
//! resource, one resource per token (AADSTS28000), admin approval, the
//! consumer endpoints, and sending through Graph into a real Dovecot.

mod support;

use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use mailtui::auth::oauth::{OAuth, OAuthConfig};
use serde_json::Value;
use support::dovecot::Dovecot;
use support::graph::{GraphFailure, MAX_REQUEST, SENT_ITEMS, dovecot_sink};
use support::idp::{
    AdminError, CLIENT_ID, CONSUMER_TENANT_ID, Config, GRAPH, GRAPH_MAIL_SEND,
    GRAPH_MAIL_SEND_SHARED, Idp, OUTLOOK_IMAP, OUTLOOK_SMTP,
};

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";
const CAROL: &str = "carol@example.com";
const DAVE: &str = "dave@example.com";
const SUPPORT: &str = "support@example.com";

fn outlook_scope() -> String {
    format!("{OUTLOOK_IMAP} {OUTLOOK_SMTP} offline_access")
}

fn graph_scope() -> String {
    format!("{GRAPH_MAIL_SEND} offline_access")
}

/// Polling at once is never too fast (interval 0).
fn idp() -> Idp {
    Idp::start_with(Config {
        access_lifetime: 3600,
        device_expires_in: 900,
        interval: 0,
        browser_user: ALICE.into(),
    })
}

#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
}

impl Answer {
    fn ok(self) -> Value {
        assert_eq!(self.status, 200, "{}", self.body);
        self.body
    }

    fn str(&self, key: &str) -> String {
        self.body[key].as_str().unwrap_or_default().to_string()
    }

    fn codes(&self) -> Vec<u64> {
        self.body["error_codes"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default()
    }

    /// A refusal: HTTP 400, this `error`, this AADSTS code first in the
    /// list and in the text.
    fn refused(&self, error: &str, aadsts: u64) {
        assert_eq!(self.status, 400, "{}", self.body);
        assert_eq!(self.str("error"), error, "{}", self.body);
        assert_eq!(self.codes(), vec![aadsts], "{}", self.body);
        assert!(
            self.str("error_description")
                .starts_with(&format!("AADSTS{aadsts}: ")),
            "{}",
            self.body
        );
    }
}

async fn post_form(url: String, form: &[(&str, &str)]) -> Answer {
    let r = reqwest::Client::new()
        .post(url)
        .form(form)
        .send()
        .await
        .expect("reach the identity provider");
    let status = r.status().as_u16();
    let body = r.json().await.expect("a JSON answer");
    Answer { status, body }
}

async fn device_code(idp: &Idp, tenant: &str, scope: &str) -> Answer {
    post_form(
        format!("{}/{tenant}/oauth2/v2.0/devicecode", idp.base),
        &[("client_id", CLIENT_ID), ("scope", scope)],
    )
    .await
}

/// A device sign-in the user approves as `user`: the poll's answer.
async fn sign_in(idp: &Idp, tenant: &str, scope: &str, user: &str) -> Answer {
    let dc = device_code(idp, tenant, scope).await.ok();
    idp.approve(dc["user_code"].as_str().expect("user code"), user);
    post_form(
        format!("{}/{tenant}/oauth2/v2.0/token", idp.base),
        &[
            ("client_id", CLIENT_ID),
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            (
                "device_code",
                dc["device_code"].as_str().expect("device code"),
            ),
        ],
    )
    .await
}

async fn refresh(idp: &Idp, tenant: &str, rt: &str, scope: &str) -> Answer {
    post_form(
        format!("{}/{tenant}/oauth2/v2.0/token", idp.base),
        &[
            ("client_id", CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("scope", scope),
        ],
    )
    .await
}

/// What Dovecot would be told about this bearer token.
async fn introspect_active(idp: &Idp, at: &str) -> bool {
    let a = post_form(idp.introspection_url(), &[("token", at)]).await;
    a.body["active"] == Value::Bool(true)
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_refresh_token_serves_graph_once_consented() {
    let idp = idp();
    let first = sign_in(&idp, "common", &outlook_scope(), ALICE).await.ok();
    let rt = text(&first, "refresh_token");
    assert_eq!(
        idp.audience_of(&text(&first, "access_token")).as_deref(),
        Some("https://outlook.office.com")
    );
    let consented = idp.consented(ALICE);
    assert!(
        consented.contains(&OUTLOOK_IMAP.to_ascii_lowercase()),
        "{consented:?}"
    );
    assert!(
        !consented.iter().any(|s| s.starts_with(GRAPH)),
        "{consented:?}"
    );

    // Graph not consented: 65001 with consent_required, and the refresh
    // token keeps serving mail meanwhile.
    let refused = refresh(&idp, "common", &rt, &graph_scope()).await;
    refused.refused("invalid_grant", 65001);
    assert_eq!(refused.str("suberror"), "consent_required");
    assert!(idp.refresh_token_live(&rt));

    // Incremental consent: a device sign-in for that scope alone.
    let graph = sign_in(&idp, "common", &graph_scope(), ALICE).await.ok();
    assert_eq!(
        idp.audience_of(&text(&graph, "access_token")).as_deref(),
        Some(GRAPH)
    );
    assert!(
        idp.consented(ALICE)
            .contains(&GRAPH_MAIL_SEND.to_ascii_lowercase())
    );

    // Now the first refresh token gives a Graph token, once.
    let t = refresh(&idp, "common", &rt, &graph_scope()).await.ok();
    let graph_at = text(&t, "access_token");
    assert_eq!(idp.audience_of(&graph_at).as_deref(), Some(GRAPH));
    assert!(text(&t, "scope").contains("Mail.Send"), "{t}");
    assert!(!idp.refresh_token_live(&rt));
    refresh(&idp, "common", &rt, &graph_scope())
        .await
        .refused("invalid_grant", 70000);
    // Dovecot refuses a Graph token like Exchange would.
    assert!(!introspect_active(&idp, &graph_at).await);

    // The rotated token still serves the mail resource.
    let back = refresh(&idp, "common", &text(&t, "refresh_token"), &outlook_scope())
        .await
        .ok();
    assert!(introspect_active(&idp, &text(&back, "access_token")).await);

    // Consent withdrawn: 65001 again; given back (bare name = Graph): works.
    let rt = text(&back, "refresh_token");
    idp.revoke_consent(ALICE, GRAPH_MAIL_SEND);
    refresh(&idp, "common", &rt, &graph_scope())
        .await
        .refused("invalid_grant", 65001);
    assert!(idp.refresh_token_live(&rt));
    idp.grant_consent(ALICE, "Mail.Send");
    let again = refresh(&idp, "common", &rt, &graph_scope()).await.ok();
    assert_eq!(
        idp.audience_of(&text(&again, "access_token")).as_deref(),
        Some(GRAPH)
    );
}

/// mailtui's own client, configured for Graph, redeems the refresh token
/// its mail sign-in got.
#[tokio::test]
async fn mailtuis_client_refreshes_for_graph_with_the_mail_sign_in() {
    let idp = idp();
    let config = |scopes: &[&str]| {
        let scopes = scopes.iter().map(|s| s.to_string()).collect();
        OAuth::new(OAuthConfig::microsoft(
            &idp.base, "common", CLIENT_ID, scopes,
        ))
        .expect("oauth client")
    };
    let mail = config(&[OUTLOOK_IMAP, "offline_access"]);
    let (code, details) = mail.start_device().await.expect("device code");
    idp.approve(&code.user_code, ALICE);
    let tokens = mail.finish_device(&details).await.expect("signed in");

    let graph = config(&[GRAPH_MAIL_SEND, "offline_access"]);
    let e = graph.refresh(&tokens).await.expect_err("no consent yet");
    assert_eq!(e.code, "invalid_grant AADSTS65001", "{e:?}");
    assert!(idp.refresh_token_live(tokens.refresh_token.as_ref().expect("rt").expose()));
    idp.grant_consent(ALICE, GRAPH_MAIL_SEND);
    let sent = graph.refresh(&tokens).await.expect("graph token");
    assert_eq!(
        sent.scopes,
        vec![GRAPH_MAIL_SEND.to_string(), "offline_access".into()]
    );
    assert_eq!(
        idp.audience_of(sent.access_token.expose()).as_deref(),
        Some(GRAPH)
    );
}

#[tokio::test]
async fn one_resource_per_token_request() {
    let idp = idp();
    let mixed = format!("{OUTLOOK_IMAP} {GRAPH_MAIL_SEND} offline_access");
    let a = device_code(&idp, "common", &mixed).await;
    a.refused("invalid_scope", 28000);
    assert!(
        a.str("error_description")
            .contains("more than one resource"),
        "{}",
        a.body
    );

    let t = sign_in(&idp, "common", &outlook_scope(), ALICE).await.ok();
    let rt = text(&t, "refresh_token");
    idp.grant_consent(ALICE, GRAPH_MAIL_SEND);
    refresh(&idp, "common", &rt, &mixed)
        .await
        .refused("invalid_scope", 28000);
    // A bare Graph permission counts as the Graph resource.
    refresh(&idp, "common", &rt, &format!("{OUTLOOK_IMAP} Mail.Send"))
        .await
        .refused("invalid_scope", 28000);
    // The refused request did not use up the refresh token.
    assert!(idp.refresh_token_live(&rt));
    refresh(&idp, "common", &rt, &outlook_scope()).await.ok();
}

#[tokio::test]
async fn admin_approval_stops_the_device_sign_in() {
    let cases = [
        (AdminError::NeedApproval, 90094, "admin permission"),
        (AdminError::AdminConsent, 65001, "tenant admin"),
        (
            AdminError::GraphPermission,
            90008,
            "Sign in and read user profile",
        ),
    ];
    for (kind, code, words) in cases {
        let idp = idp();
        if kind == AdminError::NeedApproval {
            idp.require_admin_approval(GRAPH_MAIL_SEND);
        } else {
            idp.require_admin_approval_as(GRAPH_MAIL_SEND, kind);
        }
        let a = sign_in(&idp, "contoso.onmicrosoft.com", &graph_scope(), ALICE).await;
        a.refused("invalid_grant", code);
        assert!(a.str("error_description").contains(words), "{}", a.body);
        if code == 65001 {
            assert_eq!(a.str("suberror"), "consent_required");
        }
        assert!(!idp.consented(ALICE).iter().any(|s| s.starts_with(GRAPH)));
        assert!(
            idp.polls()
                .last()
                .is_some_and(|(_, p)| p.starts_with("admin_approval"))
        );

        // Other scopes sign in as before; once the admin approved, so does this one.
        sign_in(&idp, "contoso.onmicrosoft.com", &outlook_scope(), ALICE)
            .await
            .ok();
        idp.grant_consent(ALICE, GRAPH_MAIL_SEND);
        sign_in(&idp, "contoso.onmicrosoft.com", &graph_scope(), ALICE)
            .await
            .ok();
    }
}

fn id_claims(answer: &Value) -> Value {
    let id = text(answer, "id_token");
    let payload = id.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

#[tokio::test]
async fn the_consumers_tenant_is_for_personal_accounts() {
    let idp = idp();
    let oidc = format!("{} openid profile email", outlook_scope());
    let personal = sign_in(&idp, "consumers", &oidc, "carol@outlook.com")
        .await
        .ok();
    let claims = id_claims(&personal);
    assert_eq!(claims["tid"], CONSUMER_TENANT_ID);
    assert_eq!(claims["preferred_username"], "carol@outlook.com");
    assert_eq!(claims["aud"], CLIENT_ID);

    // A work account there, and a personal one at `organizations`.
    let a = sign_in(&idp, "consumers", &outlook_scope(), ALICE).await;
    a.refused("invalid_grant", 50020);
    assert!(
        a.str("error_description").contains("'Microsoft Services'"),
        "{}",
        a.body
    );
    sign_in(&idp, "organizations", &outlook_scope(), "carol@outlook.com")
        .await
        .refused("invalid_grant", 500200);
    sign_in(
        &idp,
        "fabrikam.onmicrosoft.com",
        &outlook_scope(),
        "carol@hotmail.com",
    )
    .await
    .refused("invalid_grant", 50020);
    // `common` takes both; a work account's id token names its own tenant.
    let work = sign_in(&idp, "common", &oidc, ALICE).await.ok();
    assert_ne!(id_claims(&work)["tid"], CONSUMER_TENANT_ID);
    idp.mark_personal("erin@example.org");
    sign_in(&idp, "consumers", &outlook_scope(), "erin@example.org")
        .await
        .ok();

    // Scopes seen refused for personal accounts.
    for scope in [
        "https://outlook.office365.com/IMAP.AccessAsUser.All offline_access",
        "https://outlook.office.com/.default",
    ] {
        device_code(&idp, "consumers", scope)
            .await
            .refused("invalid_scope", 70011);
        device_code(&idp, "common", scope).await.ok();
    }
    // An app registered for work accounts only.
    idp.set_work_accounts_only(true);
    device_code(&idp, "consumers", &outlook_scope())
        .await
        .refused("invalid_request", 9002332);
    device_code(&idp, "organizations", &outlook_scope())
        .await
        .ok();
}

/// A Graph answer: status, headers, body text.
struct GraphAnswer {
    status: u16,
    retry_after: Option<String>,
    content_type: String,
    body: String,
}

impl GraphAnswer {
    fn code(&self) -> String {
        let v: Value = serde_json::from_str(&self.body).unwrap_or_default();
        text(&v["error"], "code")
    }

    fn message(&self) -> String {
        let v: Value = serde_json::from_str(&self.body).unwrap_or_default();
        text(&v["error"], "message")
    }
}

async fn post_graph(
    idp: &Idp,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> GraphAnswer {
    let mut req = reqwest::Client::new()
        .post(format!("{}{path}", idp.base))
        .header("content-type", content_type)
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("reach the Graph imitation");
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let retry_after = header("retry-after");
    let content_type = header("content-type").unwrap_or_default();
    let status = r.status().as_u16();
    let body = r.text().await.expect("body");
    GraphAnswer {
        status,
        retry_after,
        content_type,
        body,
    }
}

fn message(from: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: Bob <{BOB}>\r\nCc: {CAROL}\r\nBcc: {DAVE}\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@example.com>\r\nDate: Sun, 06 Dec 2026 10:00:00 +0000\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello through Graph.\r\n"
    )
    .into_bytes()
}

fn b64(m: &[u8]) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .encode(m)
        .into_bytes()
}

/// The messages of a folder, read from the Maildir (none if it is not there).
fn messages(d: &Dovecot, user: &str, folder: &str) -> Vec<(String, String)> {
    let dir = d.folder_path(user, folder);
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(Path::new(&dir).join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let body = std::fs::read_to_string(e.path()).expect("read message");
            out.push((name, body));
        }
    }
    out
}

async fn graph_token(idp: &Idp, scope: &str) -> String {
    let t = sign_in(idp, "common", scope, ALICE).await.ok();
    text(&t, "access_token")
}

#[tokio::test]
async fn graph_send_mail_delivers_into_dovecot_and_files_one_sent_copy() {
    let idp = idp();
    let d = Arc::new(Dovecot::start());
    idp.set_mail_sink(dovecot_sink(d.clone()));
    let at = graph_token(&idp, &graph_scope()).await;

    let sent = message(ALICE, "first");
    let a = post_graph(
        &idp,
        "/v1.0/me/sendMail",
        Some(&at),
        "text/plain",
        b64(&sent),
    )
    .await;
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(a.body, "");

    for r in [BOB, CAROL, DAVE] {
        let inbox = messages(&d, r, "INBOX");
        assert_eq!(inbox.len(), 1, "{r}: {inbox:?}");
        assert!(inbox[0].1.contains("Subject: first"));
        assert!(
            !inbox[0].1.contains("Bcc:"),
            "{r} sees the Bcc: {}",
            inbox[0].1
        );
    }
    let sent_items = messages(&d, ALICE, SENT_ITEMS);
    assert_eq!(sent_items.len(), 1, "{sent_items:?}");
    assert!(sent_items[0].1.contains(&format!("Bcc: {DAVE}")));
    let flags = d.doveadm(&["fetch", "-u", ALICE, "flags", "mailbox", SENT_ITEMS, "ALL"]);
    assert!(flags.contains("\\Seen"), "{flags}");
    assert!(messages(&d, ALICE, "INBOX").is_empty());

    let calls = idp.graph_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].user.as_deref(), Some(ALICE));
    assert_eq!(calls[0].path, "/v1.0/me/sendMail");
    assert_eq!(calls[0].recipients, vec![BOB, CAROL, DAVE]);
    assert_eq!(calls[0].size, b64(&sent).len());
    assert_eq!(calls[0].status, 202);
}

#[tokio::test]
async fn graph_send_from_a_shared_mailbox() {
    let idp = idp();
    let d = Arc::new(Dovecot::start());
    idp.set_mail_sink(dovecot_sink(d.clone()));
    let shared_path = format!("/v1.0/users/{SUPPORT}/sendMail");
    let both = format!("{GRAPH_MAIL_SEND} {GRAPH_MAIL_SEND_SHARED} offline_access");
    let at = graph_token(&idp, &both).await;
    let m = b64(&message(SUPPORT, "shared"));

    // No right on the shared mailbox yet.
    let a = post_graph(&idp, &shared_path, Some(&at), "text/plain", m.clone()).await;
    assert_eq!(
        (a.status, a.code()),
        (403, "ErrorAccessDenied".into()),
        "{}",
        a.body
    );
    idp.grant_send_as(SUPPORT, ALICE);
    // Without Mail.Send.Shared in the token.
    let only_own = graph_token(&idp, &graph_scope()).await;
    let a = post_graph(&idp, &shared_path, Some(&only_own), "text/plain", m.clone()).await;
    assert_eq!(
        (a.status, a.code()),
        (403, "ErrorAccessDenied".into()),
        "{}",
        a.body
    );

    // Sent as the shared mailbox; the copy goes to the delegate's Sent.
    let a = post_graph(&idp, &shared_path, Some(&at), "text/plain", m.clone()).await;
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(messages(&d, BOB, "INBOX").len(), 1);
    assert_eq!(messages(&d, ALICE, SENT_ITEMS).len(), 1);
    assert!(messages(&d, SUPPORT, SENT_ITEMS).is_empty());
    // Unless the admin has copies kept in the shared mailbox.
    idp.set_sent_copy_in_shared(true);
    let a = post_graph(&idp, &shared_path, Some(&at), "text/plain", m).await;
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(messages(&d, SUPPORT, SENT_ITEMS).len(), 1);
    assert_eq!(messages(&d, ALICE, SENT_ITEMS).len(), 1);

    // From someone the user may not send as.
    let a = post_graph(
        &idp,
        "/v1.0/me/sendMail",
        Some(&at),
        "text/plain",
        b64(&message("boss@example.com", "spoof")),
    )
    .await;
    assert_eq!(
        (a.status, a.code()),
        (403, "ErrorSendAsDenied".into()),
        "{}",
        a.body
    );
    assert_eq!(messages(&d, BOB, "INBOX").len(), 2);
}

#[tokio::test]
async fn graph_refusals_and_injected_failures() {
    let idp = idp();
    let at = graph_token(&idp, &graph_scope()).await;
    let me = "/v1.0/me/sendMail";
    let good = b64(&message(ALICE, "ok"));

    let a = post_graph(
        &idp,
        me,
        Some(&at),
        "text/plain",
        b"not base64 at all!".to_vec(),
    )
    .await;
    assert_eq!(
        (a.status, a.code()),
        (400, "ErrorMimeContentInvalidBase64String".into())
    );
    assert_eq!(a.message(), "Invalid base64 string for MIME content.");
    let a = post_graph(&idp, me, Some(&at), "application/json", good.clone()).await;
    assert_eq!(
        (a.status, a.code()),
        (400, "ErrorMimeContentInvalidBase64String".into())
    );
    // Line-wrapped base64 is fine.
    let wrapped: Vec<u8> = good
        .chunks(76)
        .flat_map(|c| c.iter().copied().chain(*b"\r\n"))
        .collect();
    let a = post_graph(&idp, me, Some(&at), "text/plain", wrapped).await;
    assert_eq!(a.status, 202, "{}", a.body);

    // The mail token (wrong audience), none, and an expired one.
    let mail = sign_in(&idp, "common", &outlook_scope(), ALICE).await.ok();
    let a = post_graph(
        &idp,
        me,
        Some(&text(&mail, "access_token")),
        "text/plain",
        good.clone(),
    )
    .await;
    assert_eq!(
        (a.status, a.code()),
        (401, "InvalidAuthenticationToken".into())
    );
    assert!(a.message().contains("Invalid audience"), "{}", a.body);
    let a = post_graph(&idp, me, None, "text/plain", good.clone()).await;
    assert_eq!(
        (a.status, a.code()),
        (401, "InvalidAuthenticationToken".into())
    );
    // A Graph token without Mail.Send.
    let read = graph_token(&idp, "https://graph.microsoft.com/User.Read offline_access").await;
    let a = post_graph(&idp, me, Some(&read), "text/plain", good.clone()).await;
    assert_eq!((a.status, a.code()), (403, "ErrorAccessDenied".into()));

    // Over Graph's 4 MB a request.
    let big = vec![b'A'; MAX_REQUEST + 4];
    let a = post_graph(&idp, me, Some(&at), "text/plain", big).await;
    assert_eq!(
        (a.status, a.code()),
        (413, "RequestEntityTooLarge".into()),
        "{}",
        a.body
    );

    idp.fail_next_graph(&[
        GraphFailure::Throttled { retry_after: 7 },
        GraphFailure::Unavailable,
        GraphFailure::Html500,
        GraphFailure::AccessDenied,
        GraphFailure::MailboxNotEnabled,
    ]);
    let a = post_graph(&idp, me, Some(&at), "text/plain", good.clone()).await;
    assert_eq!((a.status, a.code()), (429, "ApplicationThrottled".into()));
    assert_eq!(a.retry_after.as_deref(), Some("7"));
    let a = post_graph(&idp, me, Some(&at), "text/plain", good.clone()).await;
    assert_eq!((a.status, a.code()), (503, "serviceNotAvailable".into()));
    let a = post_graph(&idp, me, Some(&at), "text/plain", good.clone()).await;
    assert_eq!(a.status, 500);
    assert!(
        a.content_type.starts_with("text/html"),
        "{}",
        a.content_type
    );
    let a = post_graph(&idp, me, Some(&at), "text/plain", good.clone()).await;
    assert_eq!((a.status, a.code()), (403, "ErrorAccessDenied".into()));
    let a = post_graph(&idp, me, Some(&at), "text/plain", good.clone()).await;
    assert_eq!(
        (a.status, a.code()),
        (404, "MailboxNotEnabledForRESTAPI".into())
    );
    let a = post_graph(&idp, me, Some(&at), "text/plain", good.clone()).await;
    assert_eq!(a.status, 202, "{}", a.body);

    idp.expire_access_tokens(ALICE);
    let a = post_graph(&idp, me, Some(&at), "text/plain", good).await;
    assert_eq!(
        (a.status, a.code()),
        (401, "InvalidAuthenticationToken".into())
    );
    assert!(a.message().contains("expired"), "{}", a.body);

    let statuses: Vec<u16> = idp.graph_calls().iter().map(|c| c.status).collect();
    assert_eq!(
        statuses,
        [
            400, 400, 202, 401, 401, 403, 413, 429, 503, 500, 403, 404, 202, 401
        ]
    );
    let last = idp.graph_calls().pop().expect("calls");
    assert_eq!(last.user.as_deref(), Some(ALICE));
    assert_eq!(last.code.as_deref(), Some("InvalidAuthenticationToken"));
}
