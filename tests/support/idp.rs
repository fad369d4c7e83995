//! mailtui's test identity provider: Microsoft-shaped OAuth2 endpoints for
//! any tenant path, a way for a test to approve or decline a user code (as
//! the phone would), refresh-token rotation, revocation, configurable
//! lifetimes, injected failures, and the introspection endpoint Dovecot
//! calls to check bearer tokens. Runs on its own thread and runtime, on
//! 127.0.0.1.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "mailtui-test-client";

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
struct Grant {
    email: String,
    tenant: String,
    scope: String,
    revoked: bool,
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
struct Inner {
    devices: HashMap<String, DeviceEntry>,
    /// Live refresh tokens; a used one is removed (strict rotation).
    refresh: HashMap<String, Grant>,
    /// Access tokens and their expiry (unix seconds).
    access: HashMap<String, (Grant, i64)>,
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
struct Shared {
    inner: Arc<Mutex<Inner>>,
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
    shared: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

static SERIAL: AtomicU64 = AtomicU64::new(1);

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Distinctive, unguessable-enough values that a test can grep for.
fn token(kind: &str) -> String {
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
    let description = match aadsts {
        Some(code) => format!(
            "AADSTS{code}: {text} Trace ID: 0000 Correlation ID: 1111 Timestamp: 2026-11-29"
        ),
        None => text.to_string(),
    };
    let codes: Vec<u32> = aadsts.into_iter().collect();
    (
        status,
        Json(json!({
            "error": error,
            "error_description": description,
            "error_codes": codes,
            "trace_id": "0000",
            "correlation_id": "1111",
        })),
    )
        .into_response()
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
    inner.refresh.insert(rt.clone(), grant);
    Json(json!({
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": at,
        "refresh_token": rt,
    }))
    .into_response()
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
            scope: form.get("scope").cloned().unwrap_or_default(),
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
                        let grant = Grant {
                            email: email.clone(),
                            tenant: tenant.clone(),
                            scope: entry.scope.clone(),
                            revoked: false,
                        };
                        inner.devices.remove(&dc);
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
            // Strict rotation: a refresh token works once.
            match inner.refresh.remove(&rt) {
                Some(g) if !g.revoked && g.tenant == tenant => {
                    inner.refreshes += 1;
                    tokens_for(&shared, &mut inner, g)
                }
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
            tokens_for(
                &shared,
                &mut inner,
                Grant {
                    email: c.email,
                    tenant: c.tenant,
                    scope: c.scope,
                    revoked: false,
                },
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
    inner.codes.insert(
        code.clone(),
        AuthCode {
            email,
            tenant,
            scope: q.get("scope").cloned().unwrap_or_default(),
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
        Some((g, exp)) if !g.revoked && *exp > unix_now() && !inner.imap_off.contains(&g.email) => {
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
