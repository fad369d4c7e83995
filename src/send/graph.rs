//! Sending through Microsoft Graph's `sendMail`: the same MIME bytes,
//! base64-encoded, with a Graph access token redeemed from the account's
//! refresh token. The way out when a tenant turned SMTP AUTH off
//! (`535 5.7.139`); Exchange files the Sent copy itself.

use std::sync::atomic::Ordering;
use std::time::Duration;

use base64::Engine;

use super::error::{SendError, SendErrorKind as K};
use super::outbox::EntryState;
use super::smtp::Job;
use super::{SendEvent, SendStep};
use crate::auth::errors::{AuthError, AuthErrorKind, Consent};
use crate::auth::service::TokenHandle;

/// Graph takes requests of about 4 MB; base64 makes 3 bytes into 4, so
/// this is the biggest message that fits with room for the headers.
pub const MAX_GRAPH_MIME: u64 = 3_000_000;
/// The longest answer body read (an error's JSON).
const MAX_ANSWER: usize = 64 * 1024;

/// Where and as whom a Microsoft account sends through Graph.
#[derive(Clone, Debug)]
pub struct GraphSettings {
    /// `https://graph.microsoft.com`, a national cloud's host, or a test's.
    pub url: String,
    /// A shared mailbox's address: sent as `/users/{shared}/sendMail`.
    pub shared: Option<String>,
    pub timeout: Duration,
}

impl GraphSettings {
    /// The scopes a Graph token for sending needs. The resource is the
    /// Graph host for national clouds; loopback (tests) stands for the
    /// public cloud.
    pub fn scopes(&self) -> Vec<String> {
        let resource = url::Url::parse(&self.url)
            .ok()
            .filter(|u| u.scheme() == "https")
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|| crate::config::sending::MICROSOFT_GRAPH_URL.to_string());
        let permission = if self.shared.is_some() {
            "Mail.Send.Shared"
        } else {
            "Mail.Send"
        };
        vec![format!("{resource}/{permission}"), "offline_access".into()]
    }

    fn endpoint(&self) -> String {
        let base = self.url.trim_end_matches('/');
        match &self.shared {
            Some(shared) => {
                let id: String = url::form_urlencoded::byte_serialize(shared.as_bytes()).collect();
                format!("{base}/v1.0/users/{id}/sendMail")
            }
            None => format!("{base}/v1.0/me/sendMail"),
        }
    }
}

/// The sentence when a Graph token cannot be had.
fn token_error(e: AuthError) -> SendError {
    let kind = match (e.consent, e.kind) {
        (Consent::UserCan, _) => K::Consent,
        (Consent::AdminOnly, _) => K::Config,
        (_, AuthErrorKind::Transient) => K::Transient,
        (_, AuthErrorKind::Config) => K::Config,
        _ => K::SignIn,
    };
    let sentence = match e.consent {
        Consent::UserCan => "Your organisation turned off SMTP sending; sending through Microsoft \
                             Graph needs your approval once (a sign-in code)."
            .to_string(),
        _ => e.message,
    };
    SendError::new(kind, sentence, Some(e.code))
}

/// Sends one outbox entry through Graph. On success the entry is already
/// `Accepted` on disk and the event sent; on failure nothing is recorded.
pub(super) async fn send(
    s: &GraphSettings,
    tokens: &TokenHandle,
    job: Job<'_>,
) -> Result<(), SendError> {
    let meta = job.meta;
    let id = &meta.id;
    let step = |step: SendStep| {
        let _ = job.events.send(SendEvent::Step {
            id: id.clone(),
            step,
        });
    };
    if meta.size > MAX_GRAPH_MIME {
        return Err(SendError::new(
            K::TooBig,
            format!(
                "Microsoft Graph takes messages up to {:.1} MB this way and this one is {:.1} MB \
                 (SMTP is off for this account): make the attachments smaller or share them as \
                 links.",
                MAX_GRAPH_MIME as f64 / 1e6,
                meta.size as f64 / 1e6
            ),
            Some(format!("{} bytes over the Graph sendMail limit", meta.size)),
        ));
    }
    step(SendStep::Authenticating);
    let token = tokens.token_for(&s.scopes()).await.map_err(token_error)?;
    let bytes = job.outbox.bytes(id).map_err(|e| {
        SendError::new(K::Outbox, format!("The message cannot be read: {e}."), None)
    })?;
    let bytes = with_bcc(bytes, &meta.recipients);
    let body = base64::engine::general_purpose::STANDARD.encode(&bytes);
    drop(bytes);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(s.timeout + Duration::from_secs(meta.size / super::MIN_TRANSFER_RATE))
        .build()
        .map_err(|e| SendError::new(K::Config, format!("HTTP client: {e}"), None))?;
    step(SendStep::Transferring);
    job.data_started.store(true, Ordering::SeqCst);
    let answer = http
        .post(s.endpoint())
        .bearer_auth(token.expose())
        .header(reqwest::header::CONTENT_TYPE, "text/plain")
        .body(body)
        .send()
        .await;
    let answer = match answer {
        Ok(a) => a,
        Err(e) if e.is_connect() => {
            // Nothing reached Graph: safe to send again.
            job.data_started.store(false, Ordering::SeqCst);
            return Err(SendError::new(
                K::Connect,
                format!("Cannot reach Microsoft Graph at {}: {e}", host(&s.url)),
                Some(e.to_string()),
            ));
        }
        Err(e) if e.is_timeout() => {
            return Err(SendError::new(
                K::Timeout,
                "Microsoft Graph did not answer in time; the message may have gone: look in \
                 Sent Items before sending it again.",
                Some(e.to_string()),
            ));
        }
        Err(e) => {
            return Err(SendError::new(
                K::Interrupted,
                "The connection to Microsoft Graph broke; the message may have gone: look in \
                 Sent Items before sending it again.",
                Some(e.to_string()),
            ));
        }
    };
    let status = answer.status().as_u16();
    let retry_after = answer
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if status == 202 {
        let reply = super::GRAPH_ACCEPTED.to_string();
        let at = crate::auth::oauth::now();
        if let Err(e) = job.outbox.set_state(
            id,
            EntryState::Accepted {
                at,
                reply: reply.clone(),
            },
        ) {
            tracing::error!(%id, "accepted, but the outbox could not record it: {e}");
        }
        tracing::info!(%id, "message accepted by Microsoft Graph");
        let _ = job.events.send(SendEvent::Accepted {
            id: id.clone(),
            reply,
            sent_filed: true,
        });
        return Ok(());
    }
    let text = read_limited(answer).await;
    if status == 401 {
        // The next send asks for a new Graph token.
        tokens.forget_token_for(&s.scopes());
    }
    let mut e = graph_error(status, &text, retry_after);
    if let Some(shared) = &s.shared
        && matches!(e.kind, K::Consent | K::SendAsDenied)
    {
        // The token is the delegate's and holds Mail.Send.Shared: what is
        // missing is the right on the shared mailbox.
        e.kind = K::SendAsDenied;
        e.sentence = format!(
            "Microsoft Graph refused to send as {shared}: you need Send As (or Send on behalf) \
             on that mailbox; ask an admin to grant it."
        );
    }
    Err(e)
}

/// The message with the envelope's recipients that To and Cc do not name
/// as a Bcc field: Graph sends to the addresses in the MIME (never the
/// envelope) and strips Bcc from what recipients get. The outbox keeps
/// sent bytes without Bcc, as SMTP wants them.
pub(super) fn with_bcc(bytes: Vec<u8>, recipients: &[String]) -> Vec<u8> {
    let named: Vec<String> = mail_parser::MessageParser::new()
        .parse_headers(&bytes)
        .map(|m| {
            [m.to(), m.cc()]
                .into_iter()
                .flatten()
                .flat_map(|a| a.iter())
                .filter_map(|a| a.address().map(str::to_ascii_lowercase))
                .collect()
        })
        .unwrap_or_default();
    let bcc: Vec<&str> = recipients
        .iter()
        .filter(|r| !named.contains(&r.to_ascii_lowercase()))
        .map(String::as_str)
        .collect();
    if bcc.is_empty() {
        return bytes;
    }
    // One address a line keeps every line far under 998 octets.
    let mut out = format!("Bcc: {}\r\n", bcc.join(",\r\n ")).into_bytes();
    out.extend_from_slice(&bytes);
    out
}

async fn read_limited(mut answer: reqwest::Response) -> String {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = answer.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() >= MAX_ANSWER {
            body.truncate(MAX_ANSWER);
            break;
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

fn host(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| url.to_string())
}

/// Graph's error answer (`{"error":{"code":…,"message":…}}`) as a sentence.
pub fn graph_error(status: u16, body: &str, retry_after: Option<u64>) -> SendError {
    let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let field = |k: &str| {
        json.as_ref()
            .and_then(|j| j.get("error"))
            .and_then(|e| e.get(k))
            .and_then(|v| v.as_str())
            .map(|s| {
                crate::sanitize::Clean::line(s)
                    .as_str()
                    .chars()
                    .take(300)
                    .collect::<String>()
            })
    };
    let code = field("code").unwrap_or_default();
    let message = field("message").unwrap_or_default();
    let raw = Some(format!("HTTP {status} {code} {message}").trim().to_string());
    let later = match retry_after {
        Some(n) => format!(" Try again in {n} s (a in the outbox)."),
        None => " Try again later (a in the outbox).".into(),
    };
    let (kind, sentence) = match (status, code.as_str()) {
        (_, "ErrorMessageSizeExceeded") | (413, _) => (
            K::TooBig,
            "Microsoft Graph refused the message as too big: make the attachments smaller or share them as links.".to_string(),
        ),
        (_, "MailboxNotEnabledForRESTAPI") => (
            K::Permanent,
            "This mailbox cannot send through Microsoft Graph (it is not in Exchange Online or has no licence): an admin must allow SMTP AUTH for it instead.".to_string(),
        ),
        (_, "ErrorSendAsDenied") => (
            K::SendAsDenied,
            "Microsoft Graph refused to send from this address: you lack Send As on it; ask an admin, or send from your own address.".to_string(),
        ),
        (_, "ErrorAccessDenied") | (403, _) => (
            K::Consent,
            "Microsoft Graph refused the token for sending (Mail.Send not granted or withdrawn): approve it again.".to_string(),
        ),
        (401, _) => (
            K::SignIn,
            "Microsoft Graph did not accept the sign-in; sign in again if sending keeps failing.".to_string(),
        ),
        (_, "ErrorMimeContentInvalidBase64String" | "ErrorMimeContentConversionFailed")
        | (400, _) => (
            K::Permanent,
            format!("Microsoft Graph refused the message as malformed ({code}); a mailtui bug: please report it with the log."),
        ),
        (429, _) => (
            K::Transient,
            format!("Microsoft Graph is limiting requests (429).{later}"),
        ),
        (503, _) => (
            K::Transient,
            format!("Microsoft Graph is unavailable (503).{later}"),
        ),
        // Exchange may have taken the message before the error.
        (500..=599, _) => (
            K::Transient,
            format!(
                "Microsoft Graph answered with a server error ({status}); the message may have \
                 gone: look in Sent Items before sending it again."
            ),
        ),
        _ => (
            K::Permanent,
            format!("Microsoft Graph refused the message (HTTP {status} {code})."),
        ),
    };
    SendError::new(kind, sentence, raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str, shared: Option<&str>) -> GraphSettings {
        GraphSettings {
            url: url.into(),
            shared: shared.map(str::to_string),
            timeout: Duration::from_secs(30),
        }
    }

    #[test]
    fn scopes_name_one_resource() {
        let s = settings("https://graph.microsoft.com", None);
        assert_eq!(
            s.scopes(),
            ["https://graph.microsoft.com/Mail.Send", "offline_access"]
        );
        let us = settings("https://graph.microsoft.us/", Some("team@contoso.us"));
        assert_eq!(
            us.scopes()[0],
            "https://graph.microsoft.us/Mail.Send.Shared"
        );
        // A test's loopback endpoint stands for the public cloud.
        let test = settings("http://127.0.0.1:4000", None);
        assert_eq!(test.scopes()[0], "https://graph.microsoft.com/Mail.Send");
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            settings("https://graph.microsoft.com/", None).endpoint(),
            "https://graph.microsoft.com/v1.0/me/sendMail"
        );
        assert_eq!(
            settings(
                "https://graph.microsoft.com",
                Some("help desk+x@contoso.com")
            )
            .endpoint(),
            "https://graph.microsoft.com/v1.0/users/help+desk%2Bx%40contoso.com/sendMail"
        );
    }

    #[test]
    fn bcc_recipients_are_named_for_graph() {
        let m = b"From: a@x.example\r\nTo: B <b@x.example>\r\nCc: c@x.example\r\nSubject: s\r\n\r\nhi\r\n".to_vec();
        let all = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            with_bcc(m.clone(), &all(&["b@x.example", "C@x.example"])),
            m
        );
        let out = with_bcc(
            m.clone(),
            &all(&["b@x.example", "d@x.example", "e@x.example"]),
        );
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("Bcc: d@x.example,\r\n e@x.example\r\nFrom: a@x.example"),
            "{text}"
        );
        let parsed = mail_parser::MessageParser::new()
            .parse(text.as_bytes())
            .unwrap();
        assert_eq!(parsed.bcc().map(|b| b.iter().count()), Some(2));
    }

    #[test]
    fn errors_become_sentences() {
        let e = graph_error(
            429,
            r#"{"error":{"code":"ApplicationThrottled","message":"slow down"}}"#,
            Some(30),
        );
        assert_eq!(e.kind, K::Transient);
        assert!(e.sentence.contains("30 s"), "{e}");
        let e = graph_error(
            403,
            r#"{"error":{"code":"ErrorAccessDenied","message":"Access is denied."}}"#,
            None,
        );
        assert_eq!(e.kind, K::Consent);
        let e = graph_error(413, "<html>too big</html>", None);
        assert_eq!(e.kind, K::TooBig);
        let e = graph_error(
            404,
            r#"{"error":{"code":"MailboxNotEnabledForRESTAPI","message":"x"}}"#,
            None,
        );
        assert_eq!(e.kind, K::Permanent);
        assert!(e.sentence.contains("SMTP AUTH"), "{e}");
        // Hostile text is cleaned and capped.
        let long = format!(
            r#"{{"error":{{"code":"X\u001b[2J","message":"{}"}}}}"#,
            "m".repeat(5000)
        );
        let e = graph_error(500, &long, None);
        assert!(!e.raw.unwrap().contains('\u{1b}'));
    }
}
