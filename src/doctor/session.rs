//! The IMAP session: greeting and capabilities, the password, login, what
//! mailtui will use of the server, and the folder list. Login and what
//! follows run through the same functions the account worker uses.

use std::sync::{Arc, Mutex};

use async_imap::Client;

use super::place::Place;
use super::settings::password_source;
use super::step::{Failed, Outcome, Passed};
use crate::auth::sasl::{self, Mechanism};
use crate::auth::service::{TokenPhase, TokenStatus};
use crate::auth::{PasswordSource, Secret};
use crate::imap::connect::{self, Transport};
use crate::imap::login::{self, LoggedIn};
use crate::imap::{ImapAuth, ImapBackend, ImapSettings};
use crate::mail::backend::Features;
use crate::mail::types::FolderRole;
use crate::mail::{MailBackend, MailError};
use crate::text::format::duration;

/// How the account will log in, as far as choosing a mechanism goes.
pub enum Method {
    Password,
    Bearer {
        forced: Option<Mechanism>,
        microsoft: bool,
    },
}

fn has(caps: &[String], c: &str) -> bool {
    caps.iter().any(|x| x.eq_ignore_ascii_case(c))
}

/// The greeting (unless STARTTLS already read it), the capabilities, and
/// how mailtui will sign in given them.
pub async fn capabilities(
    transport: Transport,
    read_greeting: bool,
    s: &ImapSettings,
    method: &Method,
    place: &Place<'_>,
) -> Outcome<(Client<Transport>, Vec<String>)> {
    let addr = format!("{}:{}", s.host, s.port);
    let mut client = Client::new(transport);
    let greeted = if read_greeting {
        connect::greeting(&mut client, &addr, s.timeouts)
            .await
            .map_err(|e| {
                Failed::new(
                    e.to_string(),
                    format!(
                        "{addr} did not greet like an IMAP server: check the host and port ({})",
                        place.imap()
                    ),
                )
            })?
    } else {
        None
    };
    let caps = match greeted {
        Some(c) => c,
        None => login::query_capabilities(&mut client, s)
            .await
            .map_err(|e| {
                Failed::new(
                    e.to_string(),
                    "the server did not answer CAPABILITY: is it an IMAP server?",
                )
            })?,
    };
    let how = match method {
        Method::Password if has(&caps, "LOGINDISABLED") => {
            return Err(Failed::new(
                format!("{addr} refuses LOGIN on this connection (LOGINDISABLED)"),
                format!(
                    "use an encrypted connection: tls = \"implicit\" or \"starttls\" ({})",
                    place.imap()
                ),
            ));
        }
        Method::Password => "LOGIN".to_string(),
        Method::Bearer { forced, microsoft } => match sasl::choose(&caps, *forced, *microsoft) {
            Some(m) => format!(
                "AUTHENTICATE {}{}",
                m.name(),
                if has(&caps, "SASL-IR") {
                    " (SASL-IR)"
                } else {
                    ""
                }
            ),
            None => {
                let offered: Vec<&str> = caps
                    .iter()
                    .filter(|c| c.starts_with("AUTH="))
                    .map(String::as_str)
                    .collect();
                let wanted = forced.map_or("XOAUTH2 or OAUTHBEARER", Mechanism::name);
                let fix = if forced.is_some() {
                    format!(
                        "remove sasl from auth ({}) to let mailtui choose, or check the host",
                        place.at(place.lines.auth)
                    )
                } else {
                    format!(
                        "this server does not take OAuth2 tokens: check the host ({})",
                        place.imap()
                    )
                };
                return Err(Failed::new(
                    format!(
                        "{addr} offers no {wanted} sign-in (it offers: {})",
                        offered.join(" ")
                    ),
                    fix,
                ));
            }
        },
    };
    let detail = format!("{}; mailtui will sign in with {how}", caps.join(" "));
    Ok(((client, caps), Passed::new(detail)))
}

/// Resolves the password (never shown) the way a connection does.
pub async fn password(source: &PasswordSource, place: &Place<'_>) -> Outcome<Secret> {
    let where_auth = place.at(place.lines.auth);
    match source.resolve().await {
        Ok(p) => {
            let mut passed = Passed::new(format!("{} ({where_auth})", password_source(source)));
            if matches!(source, PasswordSource::Plain(_)) {
                passed = passed.warn(
                    "the password is written in the config file",
                    format!(
                        "use password_command, or keyring = true with `mailtui set-password {}`",
                        place.account
                    ),
                );
            }
            Ok((p, passed))
        }
        Err(e) => {
            let fix = match source {
                PasswordSource::Command(_) => format!(
                    "run the password_command of {where_auth} in a shell: it must succeed and \
                     print the password on its first line"
                ),
                PasswordSource::Keyring(_) => {
                    format!("run `mailtui set-password {}`", place.account)
                }
                PasswordSource::Plain(_) => format!("check the password in {where_auth}"),
            };
            Err(Failed::new(e.to_string(), fix))
        }
    }
}

/// Why a bearer login found no usable token, as the token service last
/// put it (the AADSTS explanations come through here).
fn sign_in_reason(status: Option<&TokenStatus>) -> Option<String> {
    match status.map(|s| &s.phase) {
        Some(TokenPhase::SignInNeeded(reason)) => Some(reason.as_str().to_string()),
        _ => None,
    }
}

pub struct LoginInput<'a> {
    pub client: Client<Transport>,
    pub caps: &'a [String],
    pub settings: &'a ImapSettings,
    pub auth: &'a ImapAuth,
    pub password: Option<Secret>,
    /// Where the token service leaves its last word, for bearer accounts.
    pub status: Option<Arc<Mutex<Option<TokenStatus>>>>,
}

pub async fn login(input: LoginInput<'_>, place: &Place<'_>) -> Outcome<LoggedIn> {
    let LoginInput {
        client,
        caps,
        settings,
        auth,
        password,
        status,
    } = input;
    let mut cache = password;
    match login::login(client, caps, settings, auth, &mut cache).await {
        Ok(logged) => {
            let mut detail = format!("{} as {}", logged.mechanism, settings.username);
            if let Some(exp) = logged.token_expires_at {
                detail.push_str(&format!(
                    "; the access token has {} left",
                    duration(exp - crate::auth::oauth::now())
                ));
            }
            Ok((logged, Passed::new(detail)))
        }
        Err(e) => {
            let last = status.and_then(|s| s.lock().ok().and_then(|l| l.clone()));
            Err(login_failure(e, auth, last.as_ref(), place))
        }
    }
}

fn login_failure(
    e: MailError,
    auth: &ImapAuth,
    status: Option<&TokenStatus>,
    place: &Place<'_>,
) -> Failed {
    let login = place.login_command();
    let bearer = matches!(auth, ImapAuth::Bearer { .. });
    match e {
        MailError::Auth(msg) if bearer => Failed::new(
            msg,
            "enable IMAP for the mailbox (Outlook.com: Settings > Mail > Forwarding and IMAP; \
             Microsoft 365: ask your admin), and check that the scopes include IMAP access",
        ),
        MailError::Auth(msg) => Failed::new(
            msg,
            format!(
                "check the user name (email or username of the account at {}) and the password \
                 ({}); some providers want an app password or OAuth2 instead",
                place.at(None),
                place.at(place.lines.auth)
            ),
        ),
        MailError::SignIn(msg) | MailError::Config(msg)
            if bearer && let Some(admin) = status.and_then(|s| s.admin_consent.as_ref()) =>
        {
            Failed::new(
                sign_in_reason(status).unwrap_or(msg),
                format!(
                    "ask an admin of your tenant to approve mailtui for {} by opening {}, then run `{login}`",
                    admin.permissions, admin.url
                ),
            )
        }
        MailError::SignIn(msg) => Failed::new(
            sign_in_reason(status).unwrap_or(msg),
            format!("run `{login}`"),
        ),
        MailError::Config(msg) if bearer => Failed::new(
            sign_in_reason(status).unwrap_or(msg),
            format!("fix what it says (README: Troubleshooting sign-in), then run `{login}`"),
        ),
        MailError::Network(msg) => Failed::new(
            msg,
            "the server or the sign-in service did not answer during login; run doctor again, \
             and if it repeats, see the log (`mailtui paths`)",
        ),
        other => Failed::new(other.to_string(), "see the log (`mailtui paths`) for more"),
    }
}

/// What mailtui will do with what the server offers.
fn uses(f: &Features, caps: &[String], s: &ImapSettings) -> String {
    let mut out = Vec::new();
    out.push(if f.idle {
        "IDLE for new mail".to_string()
    } else {
        format!("no IDLE: polling every {}s", s.timeouts.poll.as_secs())
    });
    out.push(
        if f.qresync {
            "QRESYNC to catch up"
        } else if f.condstore {
            "CONDSTORE to catch up"
        } else {
            "no CONDSTORE/QRESYNC: UIDNEXT and a flag scan to catch up"
        }
        .to_string(),
    );
    out.push(
        if f.moves {
            "MOVE"
        } else {
            "no MOVE: COPY then EXPUNGE"
        }
        .to_string(),
    );
    out.push(
        if f.uidplus {
            "UIDPLUS (undo by COPYUID)"
        } else {
            "no UIDPLUS: moved messages stay marked deleted"
        }
        .to_string(),
    );
    out.push(
        if has(caps, "SPECIAL-USE") {
            "SPECIAL-USE folder roles"
        } else {
            "no SPECIAL-USE: folder roles by name"
        }
        .to_string(),
    );
    out.push(
        if f.list_status {
            "LIST-STATUS for unread counts"
        } else {
            "no LIST-STATUS: STATUS per folder"
        }
        .to_string(),
    );
    out.join(", ")
}

/// Takes the session over as the account worker would (CAPABILITY after
/// login, ENABLE) and says what of it mailtui will use.
pub async fn features(
    backend: &mut ImapBackend,
    logged: LoggedIn,
    caps: Vec<String>,
    s: &ImapSettings,
) -> Outcome<()> {
    let caps = backend.adopt(logged, caps).await.map_err(|e| {
        Failed::new(
            e.to_string(),
            "the server failed right after login; run doctor again, and if it repeats, see the \
             log (`mailtui paths`)",
        )
    })?;
    let f = backend.features();
    let detail = format!(
        "uses {}; after login the server offers {}",
        uses(&f, &caps, s),
        caps.join(" ")
    );
    Ok(((), Passed::new(detail)))
}

/// LIST: how many folders, the first few, and which are Trash and Archive.
pub async fn folders<B: MailBackend>(backend: &mut B) -> Outcome<usize> {
    let folders = backend.list_folders().await.map_err(|e| {
        Failed::new(
            e.to_string(),
            "the server refused to list folders; see the log (`mailtui paths`)",
        )
    })?;
    const SHOWN: usize = 8;
    let names: Vec<&str> = folders
        .iter()
        .take(SHOWN)
        .map(|f| f.name.as_str())
        .collect();
    let more = folders.len().saturating_sub(SHOWN);
    let mut detail = format!(
        "{} folder{}: {}{}",
        folders.len(),
        if folders.len() == 1 { "" } else { "s" },
        names.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    );
    for (role, label) in [
        (FolderRole::Trash, "Trash"),
        (FolderRole::Archive, "Archive"),
    ] {
        if let Some(f) = folders.iter().find(|f| f.role == role) {
            detail.push_str(&format!("; {label}: {}", f.name.as_str()));
        }
    }
    Ok((folders.len(), Passed::new(detail)))
}
