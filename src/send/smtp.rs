//! One SMTP submission, step by step, each under a timeout: connect
//! (implicit TLS, or STARTTLS that is never skipped), EHLO (the SIZE
//! limit), AUTH, MAIL/RCPT (every recipient accepted, or nothing is sent),
//! DATA. The moment DATA gets its 250 the outbox records it, before
//! anything else.

use std::future::Future;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use lettre::Address;
use lettre::transport::smtp::Error as SmtpError;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, Certificate, CertificateStore, TlsParameters,
};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;
use tokio::sync::mpsc::UnboundedSender;

use super::error::{SendError, SendErrorKind as K};
use super::outbox::{EntryMeta, EntryState, Outbox};
use super::replies::{Stage, decode_reply, raw_reply, refused_recipients};
use super::{MIN_TRANSFER_RATE, SendEvent, SendStep, SmtpAuth, SmtpSettings};
use crate::auth::Secret;
use crate::auth::errors::{AuthError, AuthErrorKind};
use crate::auth::sasl;
use crate::imap::{TlsMode, is_loopback};

/// Bytes handed to the SMTP codec at a time.
const TRANSFER_CHUNK: usize = 64 * 1024;

/// Longest AUTH line sent with the token in it; a longer one goes on its
/// own line after `334` (Dovecot refuses AUTH lines over about 1 KB;
/// Microsoft's tokens are 1.5–2.5 KB).
const MAX_AUTH_LINE: usize = 1000;
/// Longest ca_file read.
const MAX_CA_FILE: u64 = 1 << 20;
/// The polite QUIT after a refusal waits at most this long.
const QUIT_WAIT: Duration = Duration::from_secs(5);

fn hello() -> ClientId {
    ClientId::Domain("localhost".into())
}

fn secs(d: Duration) -> u64 {
    d.as_secs().max(1)
}

/// A connected session: secured, greeted, EHLO read.
struct Session {
    conn: AsyncSmtpConnection,
    size: Option<u64>,
}

/// Runs `f` under `limit`; a timeout becomes a sentence about `what`.
async fn step<T>(
    limit: Duration,
    what: &str,
    f: impl Future<Output = Result<T, SendError>>,
) -> Result<T, SendError> {
    match tokio::time::timeout(limit, f).await {
        Ok(r) => r,
        Err(_) => Err(SendError::new(
            K::Timeout,
            format!("No answer from the server within {}s {what}.", secs(limit)),
            Some(format!("timeout {what}")),
        )),
    }
}

fn where_(s: &SmtpSettings) -> String {
    format!("{}:{}", s.host, s.port)
}

/// A lettre error as a sentence: a server reply through the reply table,
/// otherwise by what was going on.
fn lettre_error(e: SmtpError, stage: &Stage, s: &SmtpSettings) -> SendError {
    if let Some(code) = e.status() {
        let code = code.to_string().parse::<u16>().unwrap_or(500);
        let text = std::error::Error::source(&e)
            .map(|m| m.to_string())
            .unwrap_or_default();
        return decode_reply(code, &text, stage);
    }
    let detail = e.to_string();
    if let Some(tls) = rustls_in(&e) {
        let io = std::io::Error::other(tls.clone());
        let sentence = crate::imap::tls::describe_handshake_error(&s.host, &io).to_string();
        return SendError::new(K::Tls, sentence, Some(detail));
    }
    let at = where_(s);
    match stage {
        Stage::Greeting => SendError::new(
            K::Connect,
            format!(
                "Cannot reach the mail server {at}: {}.",
                super::replies::clean(&detail)
            ),
            Some(detail),
        ),
        Stage::Starttls => SendError::new(
            K::Tls,
            format!("TLS with {at} failed: {}.", super::replies::clean(&detail)),
            Some(detail),
        ),
        Stage::Data | Stage::DataEnd => SendError::new(
            K::Interrupted,
            format!(
                "The connection to {at} broke during the transfer; the server did not confirm \
                 the message."
            ),
            Some(detail),
        ),
        _ => SendError::new(
            K::Interrupted,
            format!("The connection to {at} broke before the message was sent."),
            Some(detail),
        ),
    }
}

/// The rustls error somewhere in a lettre error's causes.
fn rustls_in(e: &SmtpError) -> Option<&tokio_rustls::rustls::Error> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(c) = cause {
        if let Some(r) = c.downcast_ref::<tokio_rustls::rustls::Error>() {
            return Some(r);
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && let Some(r) = crate::imap::tls::rustls_error(io)
        {
            return Some(r);
        }
        cause = c.source();
    }
    None
}

fn config(sentence: String) -> SendError {
    SendError::new(K::Config, sentence, None)
}

/// The server's certificate is checked against the system's roots plus
/// the account's `ca_file` (as for IMAP).
fn tls_parameters(s: &SmtpSettings) -> Result<TlsParameters, SendError> {
    let mut b = TlsParameters::builder(s.host.clone()).certificate_store(CertificateStore::Default);
    if let Some(path) = &s.ca_file {
        let pem =
            read_ca_file(path).map_err(|e| config(format!("ca_file {}: {e}", path.display())))?;
        if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
            return Err(config(format!(
                "ca_file {}: no certificates in it",
                path.display()
            )));
        }
        let cert = Certificate::from_pem(&pem)
            .map_err(|e| config(format!("ca_file {}: {e}", path.display())))?;
        b = b.add_root_certificate(cert);
    }
    b.build_rustls()
        .map_err(|e| config(format!("TLS setup for {}: {e}", where_(s))))
}

/// The CA file, links followed (system CA files are often links), as for IMAP.
fn read_ca_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    // Checked before opening: opening a FIFO would wait for a writer.
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let f = std::fs::File::open(path)?;
    let mut pem = Vec::new();
    f.take(MAX_CA_FILE).read_to_end(&mut pem)?;
    Ok(pem)
}

/// SIZE from EHLO's lines: None when not offered or 0 (no limit).
pub fn size_in_ehlo<'a>(lines: impl Iterator<Item = &'a str>) -> Option<u64> {
    lines
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            w.next()
                .filter(|k| k.eq_ignore_ascii_case("SIZE"))
                .and_then(|_| w.next())
                .and_then(|n| n.parse::<u64>().ok())
        })
        .find(|n| *n > 0)
}

/// Connects, secures and greets; `on_step` hears of each step.
async fn open(s: &SmtpSettings, on_step: &(dyn Fn(SendStep) + Sync)) -> Result<Session, SendError> {
    if s.tls == TlsMode::None && !is_loopback(&s.host) {
        return Err(config(format!(
            "tls = \"none\" is only allowed for loopback hosts, not {}",
            s.host
        )));
    }
    let tls = match s.tls {
        TlsMode::None => None,
        TlsMode::Implicit | TlsMode::Starttls => Some(tls_parameters(s)?),
    };
    on_step(SendStep::Connecting);
    let t = s.timeout;
    let (implicit, upgrade) = match s.tls {
        TlsMode::Implicit => (tls, None),
        _ => (None, tls),
    };
    let addr = (s.host.as_str(), s.port);
    let connecting = format!("while connecting to {}", where_(s));
    let mut conn = step(t, &connecting, async {
        AsyncSmtpConnection::connect_tokio1(addr, Some(t), &hello(), implicit, None)
            .await
            .map_err(|e| lettre_error(e, &Stage::Greeting, s))
    })
    .await?;
    if let Some(params) = upgrade {
        // Never on in plaintext: a server without STARTTLS is refused.
        if !conn.can_starttls() {
            quit(&mut conn).await;
            return Err(config(format!(
                "{} does not offer STARTTLS, and mailtui does not send mail unencrypted. Use \
                 tls = \"implicit\" (port 465) if the server has it.",
                where_(s)
            )));
        }
        on_step(SendStep::Securing);
        step(t, "during STARTTLS", async {
            conn.starttls(params, &hello())
                .await
                .map_err(|e| lettre_error(e, &Stage::Starttls, s))
        })
        .await?;
    }
    // lettre keeps EHLO's lines to itself; SIZE needs them.
    let ehlo: Response = step(t, "to EHLO", async {
        conn.command(Ehlo::new(hello()))
            .await
            .map_err(|e| lettre_error(e, &Stage::Ehlo, s))
    })
    .await?;
    let size = size_in_ehlo(ehlo.message());
    Ok(Session { conn, size })
}

/// The server's SIZE limit (None: it states none), asked without signing in.
pub async fn probe_size(smtp: &SmtpSettings) -> Result<Option<u64>, SendError> {
    let mut session = open(smtp, &|_| {}).await?;
    quit(&mut session.conn).await;
    Ok(session.size)
}

async fn quit(conn: &mut AsyncSmtpConnection) {
    let _ = tokio::time::timeout(QUIT_WAIT, conn.quit()).await;
}

fn token_error(e: AuthError) -> SendError {
    let kind = match e.kind {
        AuthErrorKind::Transient => K::Transient,
        AuthErrorKind::Config => K::Config,
        _ => K::SignIn,
    };
    SendError::new(kind, e.message, None)
}

fn mb(n: u64) -> String {
    format!("{:.1} MB", n as f64 / 1_000_000.0)
}

/// What one send needs besides the settings.
pub(super) struct Job<'a> {
    pub meta: &'a EntryMeta,
    pub outbox: &'a Outbox,
    pub events: &'a UnboundedSender<SendEvent>,
    /// Set once the first byte of the message may have reached the server.
    pub data_started: &'a AtomicBool,
}

/// Sends one outbox entry. On success the entry is already `Accepted` on
/// disk and the event sent; on failure nothing is recorded here.
pub(super) async fn send(s: &SmtpSettings, auth: &SmtpAuth, job: Job<'_>) -> Result<(), SendError> {
    let id = &job.meta.id;
    let on_step = |step: SendStep| {
        let _ = job.events.send(SendEvent::Step {
            id: id.clone(),
            step,
        });
    };
    let mut session = open(s, &on_step).await?;
    let _ = job
        .events
        .send(SendEvent::ServerSize { size: session.size });
    let result = submit(s, auth, &job, &mut session, &on_step).await;
    if let Err(e) = &result
        && e.raw.as_deref().is_some_and(|r| r.starts_with(['4', '5']))
    {
        // The server is answering: say goodbye properly.
        quit(&mut session.conn).await;
    }
    result
}

async fn submit(
    s: &SmtpSettings,
    auth: &SmtpAuth,
    job: &Job<'_>,
    session: &mut Session,
    on_step: &(dyn Fn(SendStep) + Sync),
) -> Result<(), SendError> {
    let meta = job.meta;
    if let Some(limit) = session.size
        && meta.size > limit
    {
        quit(&mut session.conn).await;
        return Err(SendError::new(
            K::TooBig,
            format!(
                "The message is {}; {} takes at most {}. Nothing was sent: make it smaller \
                 (attachments) or share large files another way.",
                mb(meta.size),
                s.host,
                mb(limit)
            ),
            Some(format!("SIZE {limit}, message {}", meta.size)),
        ));
    }
    let from = Address::from_str(&meta.envelope_from).map_err(|_| {
        SendError::new(
            K::Permanent,
            format!("The sender address {:?} is not valid.", meta.envelope_from),
            None,
        )
    })?;
    let mut to = Vec::new();
    for r in &meta.recipients {
        to.push(Address::from_str(r).map_err(|_| {
            SendError::new(
                K::RecipientRefused(vec![r.clone()]),
                format!("Nothing was sent: the recipient address {r:?} is not valid."),
                None,
            )
        })?);
    }

    authenticate(s, auth, &mut session.conn, on_step).await?;

    on_step(SendStep::Transferring);
    let t = s.timeout;
    let conn = &mut session.conn;
    // Up to hundreds of MB from disk: off the async threads.
    let (outbox, id) = (job.outbox.clone(), meta.id.clone());
    let bytes = tokio::task::spawn_blocking(move || outbox.bytes(&id))
        .await
        .map_err(std::io::Error::other)
        .and_then(|r| r)
        .map_err(|e| {
            SendError::new(
                K::Outbox,
                format!("The message cannot be read from the outbox: {e}."),
                Some(e.to_string()),
            )
        })?;
    let mut params = Vec::new();
    if session.size.is_some() {
        params.push(MailParameter::Size(bytes.len()));
    }
    if !bytes.is_ascii() {
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    if !meta.envelope_from.is_ascii() || meta.recipients.iter().any(|r| !r.is_ascii()) {
        params.push(MailParameter::SmtpUtfEight);
    }
    let mail_stage = Stage::Mail {
        from: meta.envelope_from.clone(),
    };
    step(t, "to MAIL FROM", async {
        conn.command(Mail::new(Some(from), params))
            .await
            .map_err(|e| lettre_error(e, &mail_stage, s))
    })
    .await?;
    // Every recipient is asked; one refused and nobody gets the message.
    let mut refused = Vec::new();
    for (addr, raw) in to.into_iter().zip(&meta.recipients) {
        let stage = Stage::Rcpt { to: raw.clone() };
        let answer = step(t, "to RCPT TO", async {
            Ok(conn.command(Rcpt::new(addr, vec![])).await)
        })
        .await?;
        if let Err(e) = answer {
            let e = lettre_error(e, &stage, s);
            if !matches!(e.kind, K::RecipientRefused(_)) {
                return Err(e);
            }
            refused.push(e);
        }
    }
    if !refused.is_empty() {
        return Err(refused_recipients(&refused, meta.recipients.len()));
    }
    step(t, "to DATA", async {
        conn.command(Data)
            .await
            .map_err(|e| lettre_error(e, &Stage::Data, s))
    })
    .await?;

    job.data_started.store(true, Ordering::SeqCst);
    let transfer = t + Duration::from_secs(bytes.len() as u64 / MIN_TRANSFER_RATE);
    // lettre ends the data with CRLF.CRLF; a message's own final CRLF is
    // the first of those, or the server would get an extra empty line.
    let body = bytes.strip_suffix(b"\r\n").unwrap_or(&bytes);
    // In pieces: lettre dot-stuffs each into a buffer of its own, so the
    // whole message is never copied a second time (the codec keeps its
    // line state across pieces).
    let sent = tokio::time::timeout(transfer, conn.message_iter(body.chunks(TRANSFER_CHUNK))).await;
    drop(bytes);
    let reply = match sent {
        Err(_) => {
            return Err(SendError::new(
                K::Timeout,
                format!(
                    "The transfer to {} did not finish within {}s; the server did not confirm \
                     the message.",
                    where_(s),
                    secs(transfer)
                ),
                Some("timeout during DATA".into()),
            ));
        }
        Ok(Err(e)) => return Err(lettre_error(e, &Stage::DataEnd, s)),
        Ok(Ok(reply)) => reply,
    };
    let text: Vec<&str> = reply.message().collect();
    let reply = raw_reply(
        reply.code().to_string().parse().unwrap_or(250),
        &text.join(" "),
    );
    // Recorded before anything else: a crash from here on must never send it again.
    let at = crate::auth::oauth::now();
    if let Err(e) = job.outbox.set_state(
        &meta.id,
        EntryState::Accepted {
            at,
            reply: reply.clone(),
        },
    ) {
        // Still `Sending` on disk, which a restart shows as uncertain: never
        // sent again by itself.
        tracing::error!(id = %meta.id, "accepted, but the outbox could not record it: {e}");
    }
    tracing::info!(id = %meta.id, reply = %reply, "message accepted");
    let _ = job.events.send(SendEvent::Accepted {
        id: meta.id.clone(),
        reply,
        sent_filed: false,
    });
    quit(conn).await;
    Ok(())
}

async fn authenticate(
    s: &SmtpSettings,
    auth: &SmtpAuth,
    conn: &mut AsyncSmtpConnection,
    on_step: &(dyn Fn(SendStep) + Sync),
) -> Result<(), SendError> {
    let t = s.timeout;
    match auth {
        SmtpAuth::None => Ok(()),
        SmtpAuth::Password { user, password } => {
            on_step(SendStep::Authenticating);
            let mechanisms: Vec<Mechanism> = [Mechanism::Plain, Mechanism::Login]
                .into_iter()
                .filter(|m| conn.server_info().supports_auth_mechanism(*m))
                .collect();
            if mechanisms.is_empty() {
                return Err(config(format!(
                    "{} offers no password sign-in (AUTH PLAIN or LOGIN) here.",
                    where_(s)
                )));
            }
            let password = password
                .resolve()
                .await
                .map_err(|e| config(e.to_string()))?;
            let creds = Credentials::new(user.clone(), password.expose().to_string());
            step(t, "to AUTH", async {
                conn.auth(&mechanisms, &creds)
                    .await
                    .map(drop)
                    .map_err(|e| lettre_error(e, &Stage::Auth { bearer: false }, s))
            })
            .await
        }
        SmtpAuth::Bearer { user, tokens } => {
            if !conn
                .server_info()
                .supports_auth_mechanism(Mechanism::Xoauth2)
            {
                return Err(SendError::new(
                    K::Auth,
                    format!("{} does not offer XOAUTH2 sign-in.", where_(s)),
                    None,
                ));
            }
            on_step(SendStep::Authenticating);
            // Fresh for each send: a token fetched at composing time may
            // have expired since.
            let (token, _expires) = tokens.access_token().await.map_err(token_error)?;
            let result = step(t, "to AUTH", xoauth2(conn, user, &token, s)).await;
            if let Err(e) = &result
                && e.raw.as_deref().is_some_and(|r| r.starts_with("535"))
            {
                tracing::warn!("the server refused the access token for sending");
                tokens.rejected(&token);
            }
            result
        }
    }
}

/// AUTH XOAUTH2 with the blob on the AUTH line when short enough, else
/// after `334`; an error challenge (334 with JSON) gets the empty line
/// that asks for the final answer.
async fn xoauth2(
    conn: &mut AsyncSmtpConnection,
    user: &str,
    token: &Secret,
    s: &SmtpSettings,
) -> Result<(), SendError> {
    let stage = Stage::Auth { bearer: true };
    let blob = Secret::new(STANDARD.encode(sasl::xoauth2(user, token).expose()));
    let line = Secret::new(format!("AUTH XOAUTH2 {}\r\n", blob.expose()));
    let mut answer = if line.expose().len() <= MAX_AUTH_LINE {
        conn.command(line.expose()).await
    } else {
        match conn.command("AUTH XOAUTH2\r\n").await {
            Ok(r) if r.has_code(334) => conn.command(format!("{}\r\n", blob.expose())).await,
            other => other,
        }
    }
    .map_err(|e| lettre_error(e, &stage, s))?;
    if answer.has_code(334) {
        answer = conn
            .command("\r\n")
            .await
            .map_err(|e| lettre_error(e, &stage, s))?;
    }
    if answer.has_code(235) {
        Ok(())
    } else {
        let text: Vec<&str> = answer.message().collect();
        let code = answer.code().to_string().parse().unwrap_or(535);
        Err(decode_reply(code, &text.join(" "), &stage))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_from_ehlo_lines() {
        let lines = [
            "outlook.office365.com Hello",
            "SIZE 157286400",
            "PIPELINING",
            "AUTH LOGIN XOAUTH2",
        ];
        assert_eq!(size_in_ehlo(lines.into_iter()), Some(157_286_400));
        assert_eq!(size_in_ehlo(["x", "SIZE"].into_iter()), None);
        assert_eq!(size_in_ehlo(["x", "SIZE 0"].into_iter()), None);
        assert_eq!(size_in_ehlo(["x", "size 10"].into_iter()), Some(10));
    }
}
