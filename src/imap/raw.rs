//! Commands sent as text, with every response read here rather than by
//! async-imap's typed calls: those hide the tagged NO/BAD of streamed
//! commands, drop unsolicited responses past 100, and throw away the
//! response codes sync needs (HIGHESTMODSEQ, VANISHED, COPYUID).

use std::sync::atomic::Ordering;
use std::time::Duration;

use async_imap::Session;
use async_imap::imap_proto::{Response, Status};
use tokio::time::timeout;

use super::connect::Transport;
use crate::mail::MailError;

/// One response as async-imap hands it out. The crate does not export the
/// type, so it is named through the one public place it appears.
pub type ResponseData =
    <<async_imap::extensions::idle::Handle<Transport> as futures::Stream>::Item as OkOf>::Ok;

pub trait OkOf {
    type Ok;
}

impl<T, E> OkOf for Result<T, E> {
    type Ok = T;
}

/// Splits bytes into responses as the client would read them; a line the
/// parser rejects is skipped, so what follows it is still read. For tests.
#[cfg(test)]
pub fn parse_responses(mut rest: &[u8]) -> Vec<ResponseData> {
    let mut out = Vec::new();
    while !rest.is_empty() {
        match Response::parse(rest) {
            Ok((after, _)) if after.len() < rest.len() => {
                let one = &rest[..rest.len() - after.len()];
                if let Ok(data) = ResponseData::try_new(bytes::BytesMut::from(one), |b| {
                    Response::parse(b).map(|(_, r)| r).map_err(|_| ())
                }) {
                    out.push(data);
                }
                rest = after;
            }
            _ => match rest.iter().position(|b| *b == b'\n') {
                Some(i) => rest = &rest[i + 1..],
                None => break,
            },
        }
    }
    out
}

/// The untagged responses of one command and its tagged completion.
pub struct Answer {
    pub untagged: Vec<ResponseData>,
    pub done: ResponseData,
}

/// How long one command may take and how much it may send.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Longest wait for the next response (not for the whole answer, so a
    /// big answer that keeps coming is never cut off).
    pub read: Duration,
    /// Untagged responses accepted; past it the server is misbehaving.
    pub responses: usize,
}

/// Text for a server response in an error message: one line, short, clean.
pub fn excerpt(text: &str) -> String {
    let mut s: String = crate::sanitize::Clean::line(text)
        .as_str()
        .chars()
        .take(200)
        .collect();
    if text.chars().count() > 200 {
        s.push('…');
    }
    s
}

/// Maps a failed read: a parse failure or a guard limit is a protocol
/// error (reconnecting won't fix it); everything else is the network.
pub fn read_error(what: &str, e: &std::io::Error) -> MailError {
    match e.kind() {
        std::io::ErrorKind::Other | std::io::ErrorKind::InvalidData if !is_tls_error(e) => {
            MailError::Protocol(format!(
                "{what}: the server sent something mailtui cannot read: {}",
                excerpt(&e.to_string())
            ))
        }
        _ => MailError::Network(format!("{what}: connection failed: {e}")),
    }
}

fn is_tls_error(e: &std::io::Error) -> bool {
    e.get_ref()
        .is_some_and(|inner| inner.is::<tokio_rustls::rustls::Error>())
}

/// The next response. `wait` bounds a silence, not the whole response: a
/// big body on a slow link may take minutes as long as bytes keep coming.
pub async fn read(
    session: &mut Session<Transport>,
    what: &str,
    wait: Duration,
) -> Result<ResponseData, MailError> {
    let progress = session.get_ref().progress();
    let mut seen = progress.load(Ordering::Relaxed);
    let next = session.read_response();
    tokio::pin!(next);
    loop {
        tokio::select! {
            r = &mut next => {
                return match r {
                    Err(e) => Err(read_error(what, &e)),
                    Ok(None) => Err(MailError::Network(format!(
                        "{what}: the server closed the connection"
                    ))),
                    Ok(Some(r)) => Ok(r),
                };
            }
            () = tokio::time::sleep(wait) => {
                let now = progress.load(Ordering::Relaxed);
                if now == seen {
                    return Err(MailError::Network(format!(
                        "{what}: no answer within {}s",
                        wait.as_secs()
                    )));
                }
                seen = now;
            }
        }
    }
}

/// Sends `command` and reads until its tagged completion.
pub async fn run(
    session: &mut Session<Transport>,
    what: &str,
    command: &str,
    limits: Limits,
) -> Result<Answer, MailError> {
    let id = timeout(limits.read, session.run_command(command))
        .await
        .map_err(|_| MailError::Network(format!("{what}: cannot send")))?
        .map_err(|e| super::convert::command_error(what, e))?;
    let mut untagged = Vec::new();
    loop {
        let r = read(session, what, limits.read).await?;
        if let Response::Done {
            tag,
            status,
            outcome,
        } = r.parsed()
            && tag == &id
        {
            return match status {
                Status::Ok => Ok(Answer { untagged, done: r }),
                _ => Err(MailError::Command(format!(
                    "{what}: {}",
                    excerpt(outcome.information.as_deref().unwrap_or("refused"))
                ))),
            };
        }
        if untagged.len() >= limits.responses {
            return Err(MailError::Protocol(format!(
                "{what}: the server sent more than {} responses",
                limits.responses
            )));
        }
        untagged.push(r);
    }
}

/// Sends several commands at once and reads until all are done: one round
/// trip instead of one per command (STATUS for every folder). Returns all
/// untagged responses and how many commands the server refused.
pub async fn run_pipelined(
    session: &mut Session<Transport>,
    what: &str,
    commands: &[String],
    limits: Limits,
) -> Result<(Vec<ResponseData>, usize), MailError> {
    let mut pending = Vec::with_capacity(commands.len());
    for c in commands {
        let id = timeout(limits.read, session.run_command(c))
            .await
            .map_err(|_| MailError::Network(format!("{what}: cannot send")))?
            .map_err(|e| super::convert::command_error(what, e))?;
        pending.push(id);
    }
    let mut untagged = Vec::new();
    let mut refused = 0;
    while !pending.is_empty() {
        let r = read(session, what, limits.read).await?;
        if let Response::Done { tag, status, .. } = r.parsed()
            && let Some(i) = pending.iter().position(|id| id == tag)
        {
            pending.swap_remove(i);
            if status != &Status::Ok {
                refused += 1;
            }
            continue;
        }
        if untagged.len() >= limits.responses {
            return Err(MailError::Protocol(format!(
                "{what}: the server sent more than {} responses",
                limits.responses
            )));
        }
        untagged.push(r);
    }
    Ok((untagged, refused))
}

/// Runs `prefix ARG`, where ARG is user text: quoted when it can be, else a
/// literal, sent at once with LITERAL+ or after the server's go-ahead.
pub async fn run_with_text(
    session: &mut Session<Transport>,
    what: &str,
    prefix: &str,
    text: &str,
    literal_plus: bool,
    limits: Limits,
) -> Result<Answer, MailError> {
    use super::ops::{Argument, argument};
    let bytes = match argument(text) {
        Argument::Quoted(q) => return run(session, what, &format!("{prefix} {q}"), limits).await,
        Argument::Literal(b) => b,
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if literal_plus {
        let cmd = format!("{prefix} {{{}+}}\r\n{text}", bytes.len());
        return run(session, what, &cmd, limits).await;
    }
    let cmd = format!("{prefix} {{{}}}", bytes.len());
    let id = timeout(limits.read, session.run_command(&cmd))
        .await
        .map_err(|_| MailError::Network(format!("{what}: cannot send")))?
        .map_err(|e| super::convert::command_error(what, e))?;
    let mut untagged = Vec::new();
    loop {
        let r = read(session, what, limits.read).await?;
        match r.parsed() {
            Response::Continue { .. } => break,
            Response::Done { tag, outcome, .. } if tag == &id => {
                return Err(MailError::Command(format!(
                    "{what}: {}",
                    excerpt(outcome.information.as_deref().unwrap_or("refused"))
                )));
            }
            _ => untagged.push(r),
        }
    }
    timeout(limits.read, session.run_command_untagged(&text))
        .await
        .map_err(|_| MailError::Network(format!("{what}: cannot send")))?
        .map_err(|e| super::convert::command_error(what, e))?;
    loop {
        let r = read(session, what, limits.read).await?;
        if let Response::Done {
            tag,
            status,
            outcome,
        } = r.parsed()
            && tag == &id
        {
            return match status {
                Status::Ok => Ok(Answer { untagged, done: r }),
                _ => Err(MailError::Command(format!(
                    "{what}: {}",
                    excerpt(outcome.information.as_deref().unwrap_or("refused"))
                ))),
            };
        }
        if untagged.len() >= limits.responses {
            return Err(MailError::Protocol(format!(
                "{what}: the server sent more than {} responses",
                limits.responses
            )));
        }
        untagged.push(r);
    }
}
