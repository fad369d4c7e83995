//! An imitation of Microsoft Graph's `sendMail` with MIME content, served
//! by the test identity provider (so `graph_url` = `Idp::base`):
//! `POST /v1.0/me/sendMail` and `POST /v1.0/users/{id}/sendMail`.
//!
//! What it checks, as Graph does (../shared notes on sending): a live
//! bearer token for the Graph resource with `Mail.Send` (a shared
//! mailbox: `Mail.Send.Shared` and the delegate's right), `text/plain`
//! base64 of the whole message, at most 4 MB a request. Recipients come
//! from To, Cc and Bcc; Bcc is taken out of what they get and kept in the
//! Sent copy, which Graph files itself. A delivery hook the test installs
//! does the delivering (`dovecot_sink` puts the mail into a test Dovecot)
//! before the 202, so a test sees the mail once it has the answer.

use std::collections::VecDeque;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;

use super::dovecot::Dovecot;
use super::idp::{GRAPH, GRAPH_MAIL_SEND, GRAPH_MAIL_SEND_SHARED, Idp, Shared, unix_now};

/// Graph's limit on a request (the base64 text, not the message).
pub const MAX_REQUEST: usize = 4 * 1024 * 1024;
/// What the imitation reads of a body at most before refusing it.
const READ_LIMIT: usize = 64 * 1024 * 1024;
/// Exchange's name for the folder Graph files sent mail in; the test
/// Dovecot marks it `\Sent`.
pub const SENT_ITEMS: &str = "Sent Items";

/// One accepted `sendMail`, handed to the installed sink.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The signed-in user whose token sent it.
    pub sender: String,
    /// The mailbox it was sent from: the sender, or the shared mailbox
    /// of `/users/{id}`.
    pub mailbox: String,
    /// Every To, Cc and Bcc address, in that order.
    pub recipients: Vec<String>,
    /// What the recipients get: the message without its Bcc header.
    pub message: Vec<u8>,
    /// The Sent copy: the message as it came (Bcc kept).
    pub sent_copy: Vec<u8>,
    /// Whose Sent folder gets the copy.
    pub sent_owner: String,
}

pub type MailSink = Box<dyn Fn(Delivery) + Send + Sync>;

/// A failure the next `sendMail` answers with instead of doing its job.
#[derive(Clone, Debug)]
pub enum GraphFailure {
    /// 429 with `Retry-After: secs` (Exchange's mailbox concurrency limit).
    Throttled { retry_after: u64 },
    /// 503 `serviceNotAvailable`.
    Unavailable,
    /// 500 with an HTML page, as a broken proxy would send.
    Html500,
    /// 403 `ErrorAccessDenied`.
    AccessDenied,
    /// 404 `MailboxNotEnabledForRESTAPI` (no Exchange Online licence).
    MailboxNotEnabled,
}

/// One call to the imitation, for assertions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphCall {
    /// The token's user, when the token was known.
    pub user: Option<String>,
    pub path: String,
    /// Request body bytes.
    pub size: usize,
    pub recipients: Vec<String>,
    pub status: u16,
    /// Graph's error code, for a refusal.
    pub code: Option<String>,
}

#[derive(Default)]
pub(super) struct GraphState {
    sink: Option<Arc<MailSink>>,
    calls: Vec<GraphCall>,
    failures: VecDeque<GraphFailure>,
    /// (shared mailbox, delegate) pairs with Send As / send on behalf.
    send_as: Vec<(String, String)>,
    /// `/users/{shared}` files the Sent copy in the shared mailbox's Sent
    /// folder instead of the delegate's.
    sent_copy_in_shared: bool,
}

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/v1.0/me/sendMail", post(send_me))
        .route("/v1.0/users/{id}/sendMail", post(send_user))
}

/// Graph's error body.
fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                    "request-id": "00000000-0000-0000-0000-000000000000",
                    "client-request-id": "00000000-0000-0000-0000-000000000000",
                }
            }
        })),
    )
        .into_response()
}

fn failure_response(f: &GraphFailure) -> (Response, &'static str) {
    match f {
        GraphFailure::Throttled { retry_after } => {
            let mut r = graph_error(
                StatusCode::TOO_MANY_REQUESTS,
                "ApplicationThrottled",
                "Application is over its MailboxConcurrency limit.",
            );
            if let Ok(v) = axum::http::HeaderValue::from_str(&retry_after.to_string()) {
                r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            (r, "ApplicationThrottled")
        }
        GraphFailure::Unavailable => (
            graph_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Try again later.",
            ),
            "serviceNotAvailable",
        ),
        GraphFailure::Html500 => (
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [("content-type", "text/html")],
                "<html><body>Internal Server Error</body></html>",
            )
                .into_response(),
            "html",
        ),
        GraphFailure::AccessDenied => (access_denied(), "ErrorAccessDenied"),
        GraphFailure::MailboxNotEnabled => (
            graph_error(
                StatusCode::NOT_FOUND,
                "MailboxNotEnabledForRESTAPI",
                "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
            ),
            "MailboxNotEnabledForRESTAPI",
        ),
    }
}

fn access_denied() -> Response {
    graph_error(
        StatusCode::FORBIDDEN,
        "ErrorAccessDenied",
        "Access is denied. Check credentials and try again.",
    )
}

/// Graph's 401 for a token it does not take.
fn bad_token(message: &str) -> Response {
    graph_error(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        message,
    )
}

/// Why a bearer token was refused, and whose it was when known.
struct TokenRefusal {
    message: &'static str,
    user: Option<String>,
}

async fn send_me(State(shared): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    send(shared, None, headers, body).await
}

async fn send_user(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    send(shared, Some(id), headers, body).await
}

/// The user a live token was issued to, or why Graph refuses the token.
fn check_token(
    shared: &Shared,
    headers: &HeaderMap,
) -> Result<(String, super::idp::Grant), TokenRefusal> {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    let refuse = |message, user: Option<&String>| {
        Err(TokenRefusal {
            message,
            user: user.cloned(),
        })
    };
    if bearer.is_empty() {
        return refuse("Access token is empty.", None);
    }
    let inner = shared.inner.lock().unwrap();
    let Some((g, exp)) = inner.access.get(bearer) else {
        return refuse(
            "IDX14100: JWT is not well formed, there are no dots (.).",
            None,
        );
    };
    if g.revoked || *exp <= unix_now() {
        return refuse(
            "Access token has expired or is not yet valid.",
            Some(&g.email),
        );
    }
    if g.audience.as_deref() != Some(GRAPH) {
        return refuse(
            "Access token validation failure. Invalid audience.",
            Some(&g.email),
        );
    }
    Ok((g.email.clone(), g.clone()))
}

/// The header section without its Bcc field (and the field's folded lines).
fn strip_bcc(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len());
    let mut rest = message;
    let mut dropping = false;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| i + 1)
            .unwrap_or(rest.len());
        let (line, tail) = rest.split_at(end);
        if line == b"\r\n" || line == b"\n" {
            out.extend_from_slice(rest);
            return out;
        }
        let folded = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !folded {
            dropping = line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"bcc:");
        }
        if !dropping {
            out.extend_from_slice(line);
        }
        rest = tail;
    }
    out
}

fn addresses(a: Option<&mail_parser::Address<'_>>) -> Vec<String> {
    a.map(|a| {
        a.iter()
            .filter_map(|x| x.address())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

async fn send(shared: Shared, id: Option<String>, headers: HeaderMap, body: Body) -> Response {
    let path = match &id {
        Some(id) => format!("/v1.0/users/{id}/sendMail"),
        None => "/v1.0/me/sendMail".to_string(),
    };
    let body = axum::body::to_bytes(body, READ_LIMIT).await;
    let size = body.as_ref().map(|b| b.len()).unwrap_or(READ_LIMIT);
    let token = check_token(&shared, &headers);
    let token_user = match &token {
        Ok((u, _)) => Some(u.clone()),
        Err(refusal) => refusal.user.clone(),
    };
    let record = |status: StatusCode, code: Option<&str>, recipients: Vec<String>| {
        shared.graph.lock().unwrap().calls.push(GraphCall {
            user: token_user.clone(),
            path: path.clone(),
            size,
            recipients,
            status: status.as_u16(),
            code: code.map(str::to_string),
        });
    };
    let refuse = |response: Response, code: &str| {
        record(response.status(), Some(code), Vec::new());
        response
    };

    let injected = shared.graph.lock().unwrap().failures.pop_front();
    if let Some(f) = injected {
        let (response, code) = failure_response(&f);
        return refuse(response, code);
    }
    let body = match body {
        Ok(b) if b.len() <= MAX_REQUEST => b,
        _ => {
            return refuse(
                graph_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "RequestEntityTooLarge",
                    "The maximum request length supported is 4MB.",
                ),
                "RequestEntityTooLarge",
            );
        }
    };
    let (user, grant) = match token {
        Ok(t) => t,
        Err(refusal) => {
            return refuse(bad_token(refusal.message), "InvalidAuthenticationToken");
        }
    };
    let mailbox = id.clone().unwrap_or_else(|| user.clone());
    let own = mailbox.eq_ignore_ascii_case(&user);
    let may_send_as = |who: &str| {
        who.eq_ignore_ascii_case(&user)
            || shared
                .graph
                .lock()
                .unwrap()
                .send_as
                .iter()
                .any(|(s, d)| s.eq_ignore_ascii_case(who) && d.eq_ignore_ascii_case(&user))
    };
    let allowed = if own {
        grant.has_scope(GRAPH_MAIL_SEND)
    } else {
        grant.has_scope(GRAPH_MAIL_SEND_SHARED) && may_send_as(&mailbox)
    };
    if !allowed {
        return refuse(access_denied(), "ErrorAccessDenied");
    }

    let invalid_base64 = || {
        refuse(
            graph_error(
                StatusCode::BAD_REQUEST,
                "ErrorMimeContentInvalidBase64String",
                "Invalid base64 string for MIME content.",
            ),
            "ErrorMimeContentInvalidBase64String",
        )
    };
    let text_plain = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/plain"));
    if !text_plain {
        return invalid_base64();
    }
    // Line breaks in the base64 text are accepted, as .NET's decoder does.
    let compact: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let mime = {
        use base64::Engine;
        match base64::engine::general_purpose::STANDARD.decode(&compact) {
            Ok(m) if !m.is_empty() => m,
            _ => return invalid_base64(),
        }
    };
    let Some(parsed) = mail_parser::MessageParser::default().parse(&mime) else {
        return refuse(
            graph_error(
                StatusCode::BAD_REQUEST,
                "ErrorMimeContentInvalid",
                "The MIME content is not valid.",
            ),
            "ErrorMimeContentInvalid",
        );
    };
    let recipients: Vec<String> = [parsed.to(), parsed.cc(), parsed.bcc()]
        .into_iter()
        .flat_map(addresses)
        .collect();
    let from = addresses(parsed.from()).into_iter().next();
    drop(parsed);
    if recipients.is_empty() {
        return refuse(
            graph_error(
                StatusCode::BAD_REQUEST,
                "ErrorInvalidRecipients",
                "At least one recipient is not valid.",
            ),
            "ErrorInvalidRecipients",
        );
    }
    // Send As: the From address must be the mailbox, or one the user
    // has the right to send as.
    if let Some(from) = &from
        && !from.eq_ignore_ascii_case(&mailbox)
        && !may_send_as(from)
    {
        return refuse(
            graph_error(
                StatusCode::FORBIDDEN,
                "ErrorSendAsDenied",
                "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account.",
            ),
            "ErrorSendAsDenied",
        );
    }

    let (sink, in_shared) = {
        let g = shared.graph.lock().unwrap();
        (g.sink.clone(), g.sent_copy_in_shared)
    };
    let delivery = Delivery {
        sender: user.clone(),
        mailbox: mailbox.clone(),
        recipients: recipients.clone(),
        message: strip_bcc(&mime),
        sent_copy: mime,
        sent_owner: if !own && in_shared { mailbox } else { user },
    };
    if let Some(sink) = sink {
        // The sink may block (doveadm); off the server's only thread.
        let delivered = tokio::task::spawn_blocking(move || sink(delivery)).await;
        if delivered.is_err() {
            let response = (
                StatusCode::INTERNAL_SERVER_ERROR,
                [("content-type", "text/html")],
                "<html><body>The test's mail sink panicked.</body></html>",
            )
                .into_response();
            record(response.status(), Some("sink"), recipients);
            return response;
        }
    }
    record(StatusCode::ACCEPTED, None, recipients);
    StatusCode::ACCEPTED.into_response()
}

/// Delivers each recipient's copy into their INBOX on a test Dovecot and
/// files the Sent copy (read) in the owner's [`SENT_ITEMS`], through
/// `doveadm save` as a delivery agent would.
pub fn dovecot_sink(d: Arc<Dovecot>) -> MailSink {
    dovecot_sink_with(d, SENT_ITEMS)
}

/// [`dovecot_sink`] with another Sent folder name.
pub fn dovecot_sink_with(d: Arc<Dovecot>, sent_folder: &str) -> MailSink {
    let sent_folder = sent_folder.to_string();
    Box::new(move |delivery: Delivery| {
        for r in &delivery.recipients {
            d.folder_dir(r, "INBOX");
            d.save(r, "INBOX", &delivery.message);
        }
        let owner = &delivery.sent_owner;
        d.folder_dir(owner, &sent_folder);
        d.save(owner, &sent_folder, &delivery.sent_copy);
        d.doveadm(&[
            "flags",
            "add",
            "-u",
            owner,
            "\\Seen",
            "mailbox",
            &sent_folder,
            "UNSEEN",
        ]);
    })
}

impl Idp {
    fn graph(&self) -> std::sync::MutexGuard<'_, GraphState> {
        self.shared.graph.lock().unwrap()
    }

    /// Where accepted `sendMail` calls go; without one they are only
    /// recorded.
    pub fn set_mail_sink(&self, sink: MailSink) {
        self.graph().sink = Some(Arc::new(sink));
    }

    /// Gives `delegate` the right to send from `shared` (Send As / send
    /// on behalf): `/users/{shared}/sendMail` and From: shared.
    pub fn grant_send_as(&self, shared: &str, delegate: &str) {
        self.graph()
            .send_as
            .push((shared.to_string(), delegate.to_string()));
    }

    /// `/users/{shared}` files its Sent copy in the shared mailbox instead
    /// of the delegate's (MessageCopyForSentAsEnabled).
    pub fn set_sent_copy_in_shared(&self, on: bool) {
        self.graph().sent_copy_in_shared = on;
    }

    /// Queues failures for the next `sendMail` calls.
    pub fn fail_next_graph(&self, failures: &[GraphFailure]) {
        self.graph().failures.extend(failures.iter().cloned());
    }

    pub fn graph_calls(&self) -> Vec<GraphCall> {
        self.graph().calls.clone()
    }
}
