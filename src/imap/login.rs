//! Logging in: LOGIN with a password, or AUTHENTICATE XOAUTH2 /
//! OAUTHBEARER with a bearer token (SASL-IR when the server offers it).

use std::fmt;

use async_imap::imap_proto::{Capability, Response, ResponseCode};
use async_imap::{Authenticator, Client, Session};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio::time::timeout;

use super::convert::login_error;
use super::transport::Transport;
use super::{ImapAuth, ImapSettings};
use crate::auth::Secret;
use crate::auth::errors::{AuthError, AuthErrorKind};
use crate::auth::sasl::{self, Mechanism};
use crate::mail::MailError;

/// A logged-in session, and when its credentials stop being valid.
pub struct LoggedIn {
    pub session: Session<Transport>,
    /// Unix seconds at which the bearer token used for this session expires.
    pub token_expires_at: Option<i64>,
    pub token_lifetime: Option<i64>,
    /// How it logged in: `LOGIN`, `XOAUTH2` or `OAUTHBEARER`.
    pub mechanism: &'static str,
}

fn capability_name(c: &Capability<'_>) -> String {
    match c {
        Capability::Imap4rev1 => "IMAP4rev1".to_string(),
        Capability::Auth(m) => format!("AUTH={m}"),
        Capability::Atom(a) => a.to_string(),
    }
}

/// Capabilities from a response's code (greeting, OK after login) or a
/// CAPABILITY line.
pub fn capabilities_in(resp: &Response<'_>) -> Option<Vec<String>> {
    match resp {
        Response::Capabilities(caps) => Some(caps.iter().map(capability_name).collect()),
        Response::Data { outcome, .. } | Response::Done { outcome, .. } => match &outcome.code {
            Some(ResponseCode::Capabilities(caps)) => {
                Some(caps.iter().map(capability_name).collect())
            }
            _ => None,
        },
        _ => None,
    }
}

/// Asks for CAPABILITY before login (Microsoft's greeting carries none).
pub async fn query_capabilities<T>(
    client: &mut Client<T>,
    settings: &ImapSettings,
) -> Result<Vec<String>, MailError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + fmt::Debug + Send,
{
    let (tx, rx) = async_channel::unbounded();
    let run = client.run_command_and_check_ok("CAPABILITY", Some(tx));
    timeout(settings.timeouts.command, run)
        .await
        .map_err(|_| {
            MailError::Network(format!(
                "capabilities: no complete answer within {}s",
                settings.timeouts.command.as_secs()
            ))
        })?
        .map_err(|e| super::convert::command_error("capability", e))?;
    let mut caps = Vec::new();
    while let Ok(u) = rx.try_recv() {
        if let async_imap::types::UnsolicitedResponse::Other(r) = u
            && let Some(c) = capabilities_in(r.parsed())
        {
            caps = c;
        }
    }
    Ok(caps)
}

/// Answers the server's challenges: the initial response once (unless it
/// went with the command, SASL-IR), then an empty line, which is how a
/// client acknowledges an error challenge (RFC 7628).
struct Bearer(Option<Secret>);

impl Authenticator for Bearer {
    type Response = Vec<u8>;

    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        self.0
            .take()
            .map(|s| s.expose().as_bytes().to_vec())
            .unwrap_or_default()
    }
}

fn token_error(e: AuthError) -> MailError {
    match e.kind {
        AuthErrorKind::Transient => MailError::Network(e.message),
        AuthErrorKind::SignInNeeded
        | AuthErrorKind::Declined
        | AuthErrorKind::Expired
        | AuthErrorKind::Cancelled => MailError::SignIn(e.message),
        AuthErrorKind::Config => MailError::Config(e.message),
    }
}

pub async fn login(
    mut client: Client<Transport>,
    caps: &[String],
    settings: &ImapSettings,
    auth: &ImapAuth,
    password_cache: &mut Option<Secret>,
) -> Result<LoggedIn, MailError> {
    let user = settings.username.as_str();
    let limit = settings.timeouts.command;
    match auth {
        ImapAuth::Password(source) => {
            let password = match password_cache {
                Some(p) => p.clone(),
                None => {
                    let reading = crate::startup::step("password");
                    let p = source
                        .resolve()
                        .await
                        .map_err(|e| MailError::Config(e.to_string()))?;
                    reading.end();
                    p
                }
            };
            let logging_in = crate::startup::step("login");
            let answer = timeout(limit, client.login(user, password.expose())).await;
            logging_in.end();
            match answer {
                Err(_) => Err(MailError::Network(format!(
                    "login: no answer from the server within {}s",
                    limit.as_secs()
                ))),
                Ok(Err((e, _))) => {
                    let e = login_error(user, e);
                    if matches!(e, MailError::Auth(_)) {
                        *password_cache = None;
                    }
                    Err(e)
                }
                Ok(Ok(session)) => {
                    *password_cache = Some(password);
                    Ok(LoggedIn {
                        session,
                        token_expires_at: None,
                        token_lifetime: None,
                        mechanism: "LOGIN",
                    })
                }
            }
        }
        ImapAuth::Bearer {
            tokens,
            mechanism,
            microsoft,
        } => {
            let Some(mech) = sasl::choose(caps, *mechanism, *microsoft) else {
                let wanted = mechanism
                    .map(Mechanism::name)
                    .unwrap_or("XOAUTH2 or OAUTHBEARER");
                return Err(MailError::Auth(format!(
                    "{}:{} does not offer {wanted} sign-in (it offers: {})",
                    settings.host,
                    settings.port,
                    caps.iter()
                        .filter(|c| c.starts_with("AUTH="))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" ")
                )));
            };
            let sasl_ir = caps.iter().any(|c| c.eq_ignore_ascii_case("SASL-IR"));
            // Try once; if the server turns the token down, refresh and try once more.
            let mut refused = String::new();
            for attempt in 0..2 {
                let getting = crate::startup::step("token");
                let (token, expires_at) = tokens.access_token().await.map_err(token_error)?;
                getting.end();
                let ir = match mech {
                    Mechanism::Xoauth2 => sasl::xoauth2(user, &token),
                    Mechanism::Oauthbearer => {
                        sasl::oauthbearer(user, &settings.host, settings.port, &token)
                    }
                };
                let logging_in = crate::startup::step("login");
                let result = if sasl_ir {
                    let command = format!("{} {}", mech.name(), STANDARD.encode(ir.expose()));
                    timeout(limit, client.authenticate(command, Bearer(None))).await
                } else {
                    timeout(limit, client.authenticate(mech.name(), Bearer(Some(ir)))).await
                };
                logging_in.end();
                match result {
                    Err(_) => {
                        return Err(MailError::Network(format!(
                            "authenticate: no answer from the server within {}s",
                            limit.as_secs()
                        )));
                    }
                    Ok(Ok(session)) => {
                        let now = crate::auth::oauth::now();
                        return Ok(LoggedIn {
                            session,
                            token_expires_at: Some(expires_at),
                            token_lifetime: Some(expires_at - now),
                            mechanism: mech.name(),
                        });
                    }
                    Ok(Err((e, back))) => {
                        let e = login_error(user, e);
                        let MailError::Auth(msg) = e else {
                            return Err(e);
                        };
                        if attempt == 0 {
                            tracing::warn!(
                                mechanism = mech.name(),
                                "server refused the access token; refreshing once"
                            );
                            tokens.rejected(&token);
                        }
                        refused = msg;
                        client = back;
                    }
                }
            }
            Err(MailError::Auth(format!(
                "{refused}. The sign-in itself worked, so IMAP may be switched off for this mailbox \
                 (Outlook.com: enable \"Let devices and apps use IMAP\"; Microsoft 365: ask your admin), \
                 or the token lacks the IMAP.AccessAsUser.All scope."
            )))
        }
    }
}
