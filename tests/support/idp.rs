//! mailtui's test identity provider: Microsoft-shaped OAuth2 endpoints for
//! any tenant path, a way for a test to approve or decline a user code (as
//! the phone would), refresh-token rotation, revocation, configurable
//! lifetimes, injected failures, and the introspection endpoint Dovecot
//! calls to check bearer tokens. Runs on its own thread and runtime, on
//! 127.0.0.1.
//!
//! Microsoft's rules it keeps (../shared notes on Microsoft and sending):
//! consent is remembered per user and scope, and a refresh token may be
//! redeemed for any consented resource; one resource per token request
//! (AADSTS28000); admin approval (AADSTS90094, 65001, 90008); the
//! `consumers` tenant serves personal accounts only. The same server
//! imitates Graph's `sendMail` (graph.rs), so a `graph_url` pointed at
//! `base` reaches it.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "mailtui-test-client";
/// The application's display name in Microsoft's error texts.
const APP_NAME: &str = "mailtui";
/// Microsoft Graph, the resource of `Mail.Send`.
pub const GRAPH: &str = "https://graph.microsoft.com";
pub const GRAPH_MAIL_SEND: &str = "https://graph.microsoft.com/Mail.Send";
pub const GRAPH_MAIL_SEND_SHARED: &str = "https://graph.microsoft.com/Mail.Send.Shared";
pub const OUTLOOK_IMAP: &str = "https://outlook.office.com/IMAP.AccessAsUser.All";
pub const OUTLOOK_SMTP: &str = "https://outlook.office.com/SMTP.Send";
/// The tenant id in personal Microsoft accounts' id tokens.
pub const CONSUMER_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
/// Scopes every sign-in has without consent: OpenID Connect and refresh.
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];
/// Mail domains of personal Microsoft accounts (others are work accounts
/// unless a test marks them personal).
const CONSUMER_DOMAINS: [&str; 4] = ["outlook.com", "hotmail.com", "live.com", "msn.com"];

/// A failure the token endpoint answers with instead of doing its job.
#[derive(Clone, Debug)]
pub enum Failure {
    /// HTTP 500 with an HTML body, as a broken proxy would send.
    Http500,
    /// `temporarily_unavailable` (HTTP 503).
    Unavailable,
    /// `slow_down` on a device-code poll.
    SlowDown,
    /// 400 `invalid_grant` with this AADSTS code.
    InvalidGrant(u32),
    /// 400 `invalid_client` AADSTS7000218 (public client flows off).
    PublicClientOff,
    /// Any OAuth error answer: HTTP status, `error`, AADSTS code, text
    /// (Conditional Access, unknown errors, hostile text).
    OAuth {
        status: u16,
        error: String,
        aadsts: Option<u32>,
        text: String,
    },
}

/// Which of Microsoft's "your administrator must approve" answers a
/// device sign-in meets for a scope that needs admin approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminError {
    /// AADSTS90094 (AdminConsentRequired): "Need admin approval".
    NeedApproval,
    /// AADSTS65001 worded for the tenant admin, `suberror: consent_required`.
    AdminConsent,
    /// AADSTS90008 (TokenForItselfRequiresGraphPermission).
    GraphPermission,
}

#[derive(Debug)]
enum Approval {
    Pending,
    Approved(String),
    Declined,
}

#[derive(Debug)]
struct DeviceEntry {
    user_code: String,
    tenant: String,
    scope: String,
    expires: Instant,
    approval: Approval,
    last_poll: Option<Instant>,
    interval: Duration,
}

#[derive(Debug, Clone)]
pub(super) struct Grant {
    pub(super) email: String,
    pub(super) tenant: String,
    pub(super) scope: String,
    pub(super) revoked: bool,
    /// The one resource the token is for (`https://outlook.office.com`,
    /// [`GRAPH`]); none when only OpenID scopes were asked for.
    pub(super) audience: Option<String>,
}

impl Grant {
    fn new(email: &str, tenant: &str, scope: &str) -> Grant {
        Grant {
            email: email.to_string(),
            tenant: tenant.to_string(),
            scope: scope.to_string(),
            revoked: false,
            audience: resources(scope).into_iter().next(),
        }
    }

    /// Whether the token carries this scope (Microsoft compares them
    /// without case; a bare name means Graph).
    pub(super) fn has_scope(&self, scope: &str) -> bool {
        let want = normalize_scope(scope);
        self.scope
            .split_whitespace()
            .any(|s| normalize_scope(s) == want)
    }
}

#[derive(Debug, Clone)]
struct AuthCode {
    email: String,
    tenant: String,
    scope: String,
    challenge: String,
    redirect_uri: String,
}

#[derive(Default)]
pub(super) struct Inner {
    devices: HashMap<String, DeviceEntry>,
    /// Live refresh tokens; a used one is removed (strict rotation).
    refresh: HashMap<String, Grant>,
    /// Access tokens and their expiry (unix seconds).
    pub(super) access: HashMap<String, (Grant, i64)>,
    /// Consented scopes (normalized, lower case) per (user, client).
    consent: HashMap<(String, String), Vec<String>>,
    /// Scopes a user cannot consent to alone, and the answer they meet.
    admin_only: Vec<(String, AdminError)>,
    /// Users who are personal Microsoft accounts besides the consumer domains.
    personal: Vec<String>,
    /// The app is registered for work accounts only (no `consumers`).
    work_accounts_only: bool,
    codes: HashMap<String, AuthCode>,
    failures: VecDeque<Failure>,
    /// Every poll of a device code: (time since the previous poll, answer).
    polls: Vec<(Option<Duration>, String)>,
    refreshes: u32,
    introspections: u32,
    /// Tenants seen on any endpoint, in order.
    tenants: Vec<String>,
    /// Every secret handed out (tokens, device codes, user codes).
    issued: Vec<String>,
    /// Users whose tokens the mail server is told are inactive (IMAP off).
    imap_off: Vec<String>,
    /// (shared mailbox, delegate): who may open which shared mailbox.
    full_access: Vec<(String, String)>,
    /// Text put before and after each new user code (hostile providers).
    user_code_wrap: Option<(String, String)>,
}

#[derive(Clone)]
pub(super) struct Shared {
    pub(super) inner: Arc<Mutex<Inner>>,
    pub(super) graph: Arc<Mutex<super::graph::GraphState>>,
    config: Arc<Mutex<Config>>,
    base: String,
    /// Seconds added to the time in every answer's `Date` header (a
    /// provider whose clock, or ours, is off).
    clock_offset: Arc<AtomicI64>,
}

#[derive(Clone)]
pub struct Config {
    pub access_lifetime: i64,
    pub device_expires_in: u64,
    pub interval: u64,
    /// Who signs in when the "browser" visits /authorize.
    pub browser_user: String,
}

pub struct Idp {
    pub base: String,
    pub(super) shared: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

static SERIAL: AtomicU64 = AtomicU64::new(1);

pub(super) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Distinctive, unguessable-enough values that a test can grep for.
pub(super) fn token(kind: &str) -> String {
    let n = SERIAL.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{kind}{n}x{nanos:09}{:08x}", std::process::id())
}

fn user_code() -> String {
    const ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ23456789";
    let mut n = SERIAL.fetch_add(1, Ordering::Relaxed) * 2_654_435_761
        + SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos() as u64)
            .unwrap_or(0);
    let mut s = String::new();
    for _ in 0..9 {
        s.push(ALPHABET[(n % ALPHABET.len() as u64) as usize] as char);
        n /= ALPHABET.len() as u64;
        n = n
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
    }
    s
}

fn oauth_error(status: StatusCode, error: &str, aadsts: Option<u32>, text: &str) -> Response {
    oauth_error_with(status, error, aadsts, text, None)
}

/// Microsoft's error body; `suberror` is what it adds to some
/// `invalid_grant` answers (`consent_required`).
fn oauth_error_with(
    status: StatusCode,
    error: &str,
    aadsts: Option<u32>,
    text: &str,
    suberror: Option<&str>,
) -> Response {
    let description = match aadsts {
        Some(code) => format!(
            "AADSTS{code}: {text} Trace ID: 0000 Correlation ID: 1111 Timestamp: 2026-11-29"
        ),
        None => text.to_string(),
    };
    let codes: Vec<u32> = aadsts.into_iter().collect();
    let mut body = json!({
        "error": error,
        "error_description": description,
        "error_codes": codes,
        "trace_id": "0000",
        "correlation_id": "1111",
    });
    if let Some(sub) = suberror {
        body["suberror"] = json!(sub);
    }
    (status, Json(body)).into_response()
}

/// The resource a scope belongs to: scheme and host of a URL scope, Graph
/// for a bare permission name (Microsoft reads `Mail.Send` so), none for
/// the OpenID scopes.
pub fn resource_of(scope: &str) -> Option<String> {
    if OIDC_SCOPES.iter().any(|o| o.eq_ignore_ascii_case(scope)) {
        return None;
    }
    match scope.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split('/').next().unwrap_or(rest);
            Some(format!("{}://{}", scheme, host).to_ascii_lowercase())
        }
        None => Some(GRAPH.to_string()),
    }
}

/// The distinct resources a space-separated scope names, in order.
fn resources(scope: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in scope.split_whitespace().filter_map(resource_of) {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// One spelling per scope: lower case, bare names as Graph URLs.
fn normalize_scope(scope: &str) -> String {
    let lower = scope.to_ascii_lowercase();
    if resource_of(scope).as_deref() == Some(GRAPH) && !lower.contains("://") {
        format!("{GRAPH}/{lower}")
    } else {
        lower
    }
}

/// The scopes that need consent (all but the OpenID ones), normalized.
fn consentable(scope: &str) -> Vec<String> {
    scope
        .split_whitespace()
        .filter(|s| resource_of(s).is_some())
        .map(normalize_scope)
        .collect()
}

/// AADSTS28000: a token request may name one resource only.
fn many_resources(scope: &str) -> Response {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_scope",
        Some(28000),
        &format!(
            "Provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid."
        ),
    )
}

/// AADSTS65001 for a scope the user never consented to.
fn consent_required(resource: &str) -> Response {
    oauth_error_with(
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        Some(65001),
        &format!(
            "The user or administrator has not consented to use the application with ID '{CLIENT_ID}' named '{APP_NAME}'. Send an interactive authorization request for this user and resource. Resource: {resource}."
        ),
        Some("consent_required"),
    )
}

fn admin_error(kind: AdminError, resource: &str) -> Response {
    match kind {
        AdminError::NeedApproval => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            Some(90094),
            "The grant requires admin permission.",
        ),
        AdminError::AdminConsent => oauth_error_with(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            Some(65001),
            &format!(
                "The user or administrator has not consented to use the application with ID '{CLIENT_ID}' named '{APP_NAME}'. Send an authorization request to your tenant admin to act on behalf of the App : {CLIENT_ID} for Resource : {resource}."
            ),
            Some("consent_required"),
        ),
        AdminError::GraphPermission => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            Some(90008),
            &format!(
                "The user or administrator has not consented to use the application with ID '{CLIENT_ID}'. This happened because application is misconfigured: it must require access to Windows Azure Active Directory by specifying at least 'Sign in and read user profile' permission."
            ),
        ),
    }
}

/// Tenant paths with their own account-type rules.
fn is_consumers(tenant: &str) -> bool {
    tenant.eq_ignore_ascii_case("consumers")
}

/// A scope the consumer endpoints refuse (`.default` of Outlook, the
/// office365 host: both seen refused for personal accounts).
fn refused_for_consumers(scope: &str) -> Option<String> {
    scope
        .split_whitespace()
        .find(|s| {
            let l = s.to_ascii_lowercase();
            l.starts_with("https://outlook.office365.com/")
                || l == "https://outlook.office.com/.default"
                || l.ends_with("mail.send.shared")
        })
        .map(str::to_string)
}

fn invalid_scope(scope: &str) -> Response {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_scope",
        Some(70011),
        &format!(
            "The provided value for the input parameter 'scope' isn't valid. The scope {scope} isn't valid."
        ),
    )
}

/// A deterministic GUID-shaped tenant id for a work tenant.
fn tenant_id_for(name: &str) -> String {
    use sha2::Digest;
    let h = sha2::Sha256::digest(name.to_ascii_lowercase().as_bytes());
    let x: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

/// An id token with Microsoft's v2.0 claims. The signature is a fixed
/// placeholder: nothing in mailtui may trust an id token's claims for
/// access, only show them (tenant id for the admin-consent URL).
fn id_token(email: &str, tenant: &str, personal: bool) -> String {
    use base64::Engine;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let tid = if personal {
        CONSUMER_TENANT_ID.to_string()
    } else if tenant.len() == 36 && tenant.matches('-').count() == 4 {
        tenant.to_ascii_lowercase()
    } else {
        let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or(email);
        tenant_id_for(domain)
    };
    let now = unix_now();
    let header = json!({"typ": "JWT", "alg": "RS256", "kid": "mailtui-test"});
    let claims = json!({
        "ver": "2.0",
        "iss": format!("https://login.microsoftonline.com/{tid}/v2.0"),
        "aud": CLIENT_ID,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "tid": tid,
        "oid": tenant_id_for(email),
        "sub": tenant_id_for(&format!("sub:{email}")),
        "preferred_username": email,
        "email": email,
        "name": email.split('@').next().unwrap_or(email),
    });
    format!(
        "{}.{}.bm90LWEtcmVhbC1zaWduYXR1cmU",
        b64(&header),
        b64(&claims)
    )
}

fn failure_response(f: &Failure) -> Response {
    match f {
        Failure::Http500 => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [("content-type", "text/html")],
            "<html><body>Internal Server Error</body></html>",
        )
            .into_response(),
        Failure::Unavailable => oauth_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            None,
            "The service is temporarily unavailable.",
        ),
        Failure::SlowDown => oauth_error(StatusCode::BAD_REQUEST, "slow_down", None, "Slow down."),
        Failure::InvalidGrant(code) => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            Some(*code),
            "The refresh token has expired or was revoked.",
        ),
        Failure::PublicClientOff => oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            Some(7000218),
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        ),
        Failure::OAuth {
            status,
            error,
            aadsts,
            text,
        } => oauth_error(
            StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST),
            error,
            *aadsts,
            text,
        ),
    }
}

fn tokens_for(shared: &Shared, inner: &mut Inner, grant: Grant) -> Response {
    let lifetime = shared.config.lock().unwrap().access_lifetime;
    let at = token("AT");
    let rt = token("RT");
    inner.issued.extend([at.clone(), rt.clone()]);
    inner
        .access
        .insert(at.clone(), (grant.clone(), unix_now() + lifetime));
    let scope = grant.scope.clone();
    let openid = grant.has_scope("openid");
    let id = openid.then(|| id_token(&grant.email, &grant.tenant, inner.is_personal(&grant.email)));
    inner.refresh.insert(rt.clone(), grant);
    let mut body = json!({
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": at,
        "refresh_token": rt,
    });
    if let Some(id) = id {
        body["id_token"] = json!(id);
    }
    Json(body).into_response()
}

impl Inner {
    fn is_personal(&self, email: &str) -> bool {
        let email = email.to_ascii_lowercase();
        let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
        CONSUMER_DOMAINS.contains(&domain) || self.personal.contains(&email)
    }

    fn consent_key(email: &str) -> (String, String) {
        (email.to_ascii_lowercase(), CLIENT_ID.to_string())
    }

    fn consented(&self, email: &str) -> &[String] {
        self.consent
            .get(&Self::consent_key(email))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    fn consent_to(&mut self, email: &str, scope: &str) {
        let list = self.consent.entry(Self::consent_key(email)).or_default();
        for s in consentable(scope) {
            if !list.contains(&s) {
                list.push(s);
            }
        }
    }

    /// The first requested scope the user has not consented to.
    fn unconsented(&self, email: &str, scope: &str) -> Option<String> {
        let have = self.consented(email);
        consentable(scope).into_iter().find(|s| !have.contains(s))
    }

    /// The admin-approval answer an interactive sign-in for this scope meets.
    fn admin_block(&self, email: &str, scope: &str) -> Option<(AdminError, String)> {
        let have = self.consented(email);
        consentable(scope).into_iter().find_map(|s| {
            self.admin_only
                .iter()
                .find(|(a, _)| *a == s && !have.contains(&s))
                .map(|(_, kind)| (*kind, resource_of(&s).unwrap_or_default()))
        })
    }

    /// Microsoft's answer when this account may not sign in at this tenant
    /// path: work accounts at `consumers`, personal ones at `organizations`
    /// or a work tenant.
    fn account_type_error(&self, email: &str, tenant: &str) -> Option<Response> {
        let personal = self.is_personal(email);
        let unauthorized = |idp: &str, tenant_name: &str| {
            oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                Some(50020),
                &format!(
                    "User account '{email}' from identity provider '{idp}' does not exist in tenant '{tenant_name}' and cannot access the application '{CLIENT_ID}'({APP_NAME}) in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Azure Active Directory user account."
                ),
            )
        };
        if is_consumers(tenant) && !personal {
            let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or(email);
            let idp = format!("https://sts.windows.net/{}/", tenant_id_for(domain));
            return Some(unauthorized(&idp, "Microsoft Services"));
        }
        if personal && tenant.eq_ignore_ascii_case("organizations") {
            return Some(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                Some(500200),
                &format!(
                    "User account '{email}' is a personal Microsoft account. Personal Microsoft accounts are not supported for this application unless explicitly invited to an organization. Try signing out and signing back in with an organizational account."
                ),
            ));
        }
        if personal && !is_consumers(tenant) && !tenant.eq_ignore_ascii_case("common") {
            return Some(unauthorized("live.com", tenant));
        }
        None
    }
}

/// What a token or device-code request's scope must pass before anything
/// is issued: one resource, and what the consumer endpoints accept.
fn scope_error(inner: &Inner, tenant: &str, scope: &str) -> Option<Response> {
    if resources(scope).len() > 1 {
        return Some(many_resources(scope));
    }
    if is_consumers(tenant) {
        if inner.work_accounts_only {
            return Some(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                Some(9002332),
                &format!(
                    "Application '{CLIENT_ID}'({APP_NAME}) is configured for use by Azure Active Directory users only. Please do not use the /consumers endpoint to serve this request."
                ),
            ));
        }
        if let Some(bad) = refused_for_consumers(scope) {
            return Some(invalid_scope(&bad));
        }
    }
    None
}

async fn devicecode(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            Some(700016),
            "Application with identifier was not found in the directory.",
        );
    }
    let config = shared.config.lock().unwrap().clone();
    let mut inner = shared.inner.lock().unwrap();
    inner.tenants.push(tenant.clone());
    let scope = form.get("scope").cloned().unwrap_or_default();
    if let Some(refused) = scope_error(&inner, &tenant, &scope) {
        return refused;
    }
    let device_code = token("DC");
    let code = match &inner.user_code_wrap {
        Some((before, after)) => format!("{before}{}{after}", user_code()),
        None => user_code(),
    };
    inner.issued.extend([device_code.clone(), code.clone()]);
    inner.devices.insert(
        device_code.clone(),
        DeviceEntry {
            user_code: code.clone(),
            tenant,
            scope,
            expires: Instant::now() + Duration::from_secs(config.device_expires_in),
            approval: Approval::Pending,
            last_poll: None,
            interval: Duration::from_secs(config.interval),
        },
    );
    let uri = format!("{}/device", shared.base);
    Json(json!({
        "user_code": code,
        "device_code": device_code,
        "verification_uri": uri,
        "expires_in": config.device_expires_in,
        "interval": config.interval,
        "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {code} to authenticate."),
    }))
    .into_response()
}

async fn token_endpoint(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut inner = shared.inner.lock().unwrap();
    inner.tenants.push(tenant.clone());
    if form.contains_key("client_secret") {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            Some(700025),
            "Public clients send no secret.",
        );
    }
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            Some(700016),
            "Unknown application.",
        );
    }
    let grant_type = form.get("grant_type").map(String::as_str).unwrap_or("");
    match grant_type {
        "urn:ietf:params:oauth:grant-type:device_code" => {
            let dc = form.get("device_code").cloned().unwrap_or_default();
            let injected = inner.failures.pop_front();
            let Some(entry) = inner.devices.get_mut(&dc) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "bad_verification_code",
                    None,
                    "Unknown device code.",
                );
            };
            let now = Instant::now();
            let since = entry.last_poll.map(|t| now - t);
            entry.last_poll = Some(now);
            let (answer, response) = if let Some(f) = injected {
                (format!("{f:?}"), failure_response(&f))
            } else if entry.tenant != tenant {
                (
                    "tenant_mismatch".into(),
                    oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        Some(90120),
                        "Tenant mismatch.",
                    ),
                )
            } else if now > entry.expires {
                (
                    "expired_token".into(),
                    oauth_error(
                        StatusCode::BAD_REQUEST,
                        "expired_token",
                        Some(70019),
                        "Code expired.",
                    ),
                )
            } else if since.is_some_and(|s| s + Duration::from_millis(300) < entry.interval) {
                // Polled faster than the interval: say so, and make it longer.
                entry.interval += Duration::from_secs(5);
                ("slow_down".into(), failure_response(&Failure::SlowDown))
            } else {
                match &entry.approval {
                    Approval::Pending => (
                        "authorization_pending".into(),
                        oauth_error(
                            StatusCode::BAD_REQUEST,
                            "authorization_pending",
                            Some(70016),
                            "Pending.",
                        ),
                    ),
                    Approval::Declined => (
                        "authorization_declined".into(),
                        oauth_error(
                            StatusCode::BAD_REQUEST,
                            "authorization_declined",
                            Some(70000),
                            "The user declined.",
                        ),
                    ),
                    Approval::Approved(email) => {
                        let grant = Grant::new(email, &tenant, &entry.scope);
                        inner.devices.remove(&dc);
                        // The browser page refuses the account or the
                        // consent; the poll reports it (terminal).
                        if let Some(refused) = inner.account_type_error(&grant.email, &tenant) {
                            inner.polls.push((since, "account_type".into()));
                            return refused;
                        }
                        if let Some((kind, resource)) =
                            inner.admin_block(&grant.email, &grant.scope)
                        {
                            inner
                                .polls
                                .push((since, format!("admin_approval {kind:?}")));
                            return admin_error(kind, &resource);
                        }
                        inner.consent_to(&grant.email, &grant.scope);
                        inner.polls.push((since, "tokens".into()));
                        return tokens_for(&shared, &mut inner, grant);
                    }
                }
            };
            inner.polls.push((since, answer));
            response
        }
        "refresh_token" => {
            if let Some(f) = inner.failures.pop_front() {
                return failure_response(&f);
            }
            let rt = form.get("refresh_token").cloned().unwrap_or_default();
            // A refresh token is not tied to a resource: it serves any
            // consented scope. A refused scope leaves it alive (the
            // client keeps reading with it meanwhile).
            if let Some(g) = inner
                .refresh
                .get(&rt)
                .filter(|g| !g.revoked && g.tenant == tenant)
            {
                let scope = form
                    .get("scope")
                    .filter(|s| !s.trim().is_empty())
                    .cloned()
                    .unwrap_or_else(|| g.scope.clone());
                let email = g.email.clone();
                if let Some(refused) = scope_error(&inner, &tenant, &scope) {
                    return refused;
                }
                if let Some(missing) = inner.unconsented(&email, &scope) {
                    return consent_required(&resource_of(&missing).unwrap_or_default());
                }
                // Strict rotation: a refresh token works once.
                inner.refresh.remove(&rt);
                inner.refreshes += 1;
                return tokens_for(&shared, &mut inner, Grant::new(&email, &tenant, &scope));
            }
            // Revoked, unknown or from another tenant: refused, and forgotten.
            match inner.refresh.remove(&rt) {
                Some(g) if g.revoked => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    Some(50173),
                    "The provided grant has been revoked.",
                ),
                _ => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    Some(70000),
                    "The refresh token is not valid.",
                ),
            }
        }
        "authorization_code" => {
            if let Some(f) = inner.failures.pop_front() {
                return failure_response(&f);
            }
            let code = form.get("code").cloned().unwrap_or_default();
            let Some(c) = inner.codes.remove(&code) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    Some(70008),
                    "Unknown code.",
                );
            };
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            use base64::Engine;
            use sha2::Digest;
            let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(verifier.as_bytes()));
            if expected != c.challenge {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    Some(501481),
                    "The code verifier does not match.",
                );
            }
            if form.get("redirect_uri") != Some(&c.redirect_uri) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    Some(50148),
                    "redirect_uri mismatch.",
                );
            }
            if resources(&c.scope).len() > 1 {
                return many_resources(&c.scope);
            }
            tokens_for(
                &shared,
                &mut inner,
                Grant::new(&c.email, &c.tenant, &c.scope),
            )
        }
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            None,
            "Unsupported grant type.",
        ),
    }
}

async fn authorize(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
    if q.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || q.get("code_challenge_method").map(String::as_str) != Some("S256")
        || !redirect_uri.starts_with("http://localhost:")
    {
        return (StatusCode::BAD_REQUEST, "bad authorize request").into_response();
    }
    let email = shared.config.lock().unwrap().browser_user.clone();
    let code = token("AC");
    let mut inner = shared.inner.lock().unwrap();
    inner.tenants.push(tenant.clone());
    let scope = q.get("scope").cloned().unwrap_or_default();
    // The user approves in the browser: that consents to what was asked
    // (a request naming two resources fails when the code is redeemed).
    if resources(&scope).len() <= 1 {
        inner.consent_to(&email, &scope);
    }
    inner.codes.insert(
        code.clone(),
        AuthCode {
            email,
            tenant,
            scope,
            challenge: q.get("code_challenge").cloned().unwrap_or_default(),
            redirect_uri: redirect_uri.clone(),
        },
    );
    let state = q.get("state").cloned().unwrap_or_default();
    let mut target = url::Url::parse(&redirect_uri).expect("redirect uri");
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &state);
    Redirect::to(target.as_str()).into_response()
}

/// `?mailbox=` is a shared mailbox's passdb asking (tests/support/README.md):
/// the answer names that mailbox, active only for a delegate with FullAccess.
async fn introspect(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    Form(form): Form<HashMap<String, String>>,
) -> Json<Value> {
    let mut inner = shared.inner.lock().unwrap();
    inner.introspections += 1;
    let token = form.get("token").cloned().unwrap_or_default();
    let valid = match inner.access.get(&token) {
        Some((g, exp))
            if !g.revoked
                && *exp > unix_now()
                && !inner.imap_off.contains(&g.email)
                && g.audience.as_deref() != Some(GRAPH) =>
        {
            Some(g.email.clone())
        }
        _ => None,
    };
    match (query.get("mailbox"), valid) {
        (Some(mailbox), Some(email)) => {
            let allowed =
                inner.full_access.iter().any(|(m, d)| {
                    m.eq_ignore_ascii_case(mailbox) && d.eq_ignore_ascii_case(&email)
                }) && !inner
                    .imap_off
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(mailbox));
            Json(json!({"active": allowed, "email": mailbox}))
        }
        (None, Some(email)) => Json(json!({"active": true, "email": email})),
        (_, None) => Json(json!({"active": false})),
    }
}

/// Writes the `Date` header itself when the clock is set off (hyper
/// keeps a `Date` the handler wrote).
async fn stamp_date(State(shared): State<Shared>, mut response: Response) -> Response {
    let offset = shared.clock_offset.load(Ordering::Relaxed);
    if offset != 0 {
        let at = chrono::Utc::now() + chrono::Duration::seconds(offset);
        let text = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        if let Ok(v) = axum::http::HeaderValue::from_str(&text) {
            response.headers_mut().insert(axum::http::header::DATE, v);
        }
    }
    response
}

async fn device_page() -> &'static str {
    "Enter the code shown by mailtui."
}

impl Idp {
    pub fn start() -> Idp {
        Self::start_with(Config {
            access_lifetime: 3600,
            device_expires_in: 900,
            interval: 1,
            browser_user: "alice@example.com".into(),
        })
    }

    pub fn start_with(config: Config) -> Idp {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("bind the test identity provider");
        listener.set_nonblocking(true).expect("nonblocking");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let shared = Shared {
            inner: Default::default(),
            graph: Default::default(),
            config: Arc::new(Mutex::new(config)),
            base: base.clone(),
            clock_offset: Arc::default(),
        };
        let app = Router::new()
            .route("/{tenant}/oauth2/v2.0/devicecode", post(devicecode))
            .route("/{tenant}/oauth2/v2.0/token", post(token_endpoint))
            .route("/{tenant}/oauth2/v2.0/authorize", get(authorize))
            .route("/introspect", post(introspect))
            .route("/device", get(device_page))
            .merge(super::graph::routes().layer(DefaultBodyLimit::disable()))
            .layer(axum::middleware::map_response_with_state(
                shared.clone(),
                stamp_date,
            ))
            .with_state(shared.clone());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stop_rx.await;
                    })
                    .await;
            });
        });
        Idp {
            base,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    pub fn introspection_url(&self) -> String {
        format!("{}/introspect", self.base)
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared.inner.lock().unwrap()
    }

    pub fn set_access_lifetime(&self, secs: i64) {
        self.shared.config.lock().unwrap().access_lifetime = secs;
    }

    pub fn set_device_expiry(&self, secs: u64) {
        self.shared.config.lock().unwrap().device_expires_in = secs;
    }

    /// Every answer's `Date` says this many seconds later (earlier when
    /// negative) than the real time.
    pub fn set_clock_offset(&self, secs: i64) {
        self.shared.clock_offset.store(secs, Ordering::Relaxed);
    }

    pub fn set_interval(&self, secs: u64) {
        self.shared.config.lock().unwrap().interval = secs;
    }

    /// The user code of the newest device sign-in, once one exists.
    pub fn wait_for_user_code(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(code) = self
                .inner()
                .devices
                .values()
                .map(|d| d.user_code.clone())
                .next()
            {
                return code;
            }
            assert!(Instant::now() < deadline, "no device code was requested");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn set_approval(&self, user_code: &str, approval: Approval) {
        let mut inner = self.inner();
        let entry = inner
            .devices
            .values_mut()
            .find(|d| d.user_code == user_code)
            .unwrap_or_else(|| panic!("no pending sign-in with code {user_code}"));
        entry.approval = approval;
    }

    /// What the phone does when the user approves.
    pub fn approve(&self, user_code: &str, email: &str) {
        self.set_approval(user_code, Approval::Approved(email.to_string()));
    }

    pub fn decline(&self, user_code: &str) {
        self.set_approval(user_code, Approval::Declined);
    }

    /// Queues failures for the next token-endpoint calls.
    pub fn fail_next(&self, failures: &[Failure]) {
        self.inner().failures.extend(failures.iter().cloned());
    }

    /// Wraps every user code issued from now on in this text (as a
    /// hostile or broken provider might).
    pub fn wrap_user_codes(&self, before: &str, after: &str) {
        self.inner().user_code_wrap = Some((before.to_string(), after.to_string()));
    }

    /// Revokes every grant of a user (as "revoke sessions" does).
    pub fn revoke(&self, email: &str) {
        let mut inner = self.inner();
        for g in inner.refresh.values_mut().filter(|g| g.email == email) {
            g.revoked = true;
        }
        for (g, _) in inner.access.values_mut().filter(|(g, _)| g.email == email) {
            g.revoked = true;
        }
    }

    /// The mail server will refuse this user's tokens (as when IMAP is off).
    pub fn switch_imap_off(&self, email: &str) {
        self.inner().imap_off.push(email.to_string());
    }

    /// Lets `delegate`'s tokens open the shared mailbox `shared` (as an
    /// Exchange admin's FullAccess grant does); `switch_imap_off(shared)`
    /// closes it again for everyone.
    pub fn grant_full_access(&self, shared: &str, delegate: &str) {
        self.inner()
            .full_access
            .push((shared.to_string(), delegate.to_string()));
    }

    /// Makes the current access tokens of a user unusable, keeping the
    /// refresh tokens (as when the server's clock says they expired).
    pub fn expire_access_tokens(&self, email: &str) {
        for (g, exp) in self.inner().access.values_mut() {
            if g.email == email {
                *exp = 0;
            }
        }
    }

    pub fn polls(&self) -> Vec<(Option<Duration>, String)> {
        self.inner().polls.clone()
    }

    pub fn refreshes(&self) -> u32 {
        self.inner().refreshes
    }

    pub fn introspections(&self) -> u32 {
        self.inner().introspections
    }

    pub fn tenants(&self) -> Vec<String> {
        self.inner().tenants.clone()
    }

    /// Whether this refresh token is still accepted (not yet rotated away).
    pub fn refresh_token_live(&self, rt: &str) -> bool {
        self.inner().refresh.get(rt).is_some_and(|g| !g.revoked)
    }

    /// Records consent to a scope, as the user's approval (or an admin's
    /// grant for the tenant) would.
    pub fn grant_consent(&self, user: &str, scope: &str) {
        self.inner().consent_to(user, scope);
    }

    /// Withdraws consent to a scope (as "remove permissions" in My Apps).
    pub fn revoke_consent(&self, user: &str, scope: &str) {
        let gone = consentable(scope);
        if let Some(list) = self.inner().consent.get_mut(&Inner::consent_key(user)) {
            list.retain(|s| !gone.contains(s));
        }
    }

    /// The scopes a user has consented to, normalized (lower case, full
    /// URLs).
    pub fn consented(&self, user: &str) -> Vec<String> {
        self.inner().consented(user).to_vec()
    }

    /// A device sign-in asking for this scope, not yet consented, fails on
    /// the poll with "Need admin approval" (AADSTS90094).
    pub fn require_admin_approval(&self, scope: &str) {
        self.require_admin_approval_as(scope, AdminError::NeedApproval);
    }

    /// The same with another of Microsoft's answers for it.
    pub fn require_admin_approval_as(&self, scope: &str, kind: AdminError) {
        let mut inner = self.inner();
        for s in consentable(scope) {
            inner.admin_only.retain(|(a, _)| *a != s);
            inner.admin_only.push((s, kind));
        }
    }

    /// Treats this user as a personal Microsoft account (besides the
    /// outlook.com, hotmail.com, live.com and msn.com addresses).
    pub fn mark_personal(&self, user: &str) {
        self.inner().personal.push(user.to_ascii_lowercase());
    }

    /// The app registration serves work accounts only: the `consumers`
    /// tenant refuses it (AADSTS9002332).
    pub fn set_work_accounts_only(&self, on: bool) {
        self.inner().work_accounts_only = on;
    }

    /// The resource (audience) the access token was issued for.
    pub fn audience_of(&self, access_token: &str) -> Option<String> {
        self.inner()
            .access
            .get(access_token)
            .and_then(|(g, _)| g.audience.clone())
    }

    /// Every token and code issued so far, for leak checks.
    pub fn issued_secrets(&self) -> Vec<String> {
        self.inner().issued.clone()
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
