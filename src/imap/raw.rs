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
    cut(text, 200)
}

/// `text` on one line, cleaned, at most `max` characters (then `…`).
fn cut(text: &str, max: usize) -> String {
    let clean = crate::sanitize::Clean::line(text);
    let mut s: String = clean.as_str().trim().chars().take(max).collect();
    if clean.as_str().trim().chars().count() > max {
        s.push('…');
    }
    s
}

/// Longest piece of an unreadable response quoted in a message.
const UNREADABLE_EXCERPT: usize = 80;

/// One sentence for a response the parser rejected: the command and the
/// start of the offending line, as text.
pub fn unreadable(what: &str, response: &str) -> String {
    format!("{what}: {}", unreadable_text(response))
}

fn unreadable_text(response: &str) -> String {
    let line = response
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let shown = cut(line, UNREADABLE_EXCERPT);
    if shown.is_empty() {
        "the server sent a response mailtui cannot read".to_string()
    } else {
        format!("the server sent a response mailtui cannot read: “{shown}”")
    }
}

/// async-imap words a parse failure as `{nom error:?} during parsing of
/// {text:?}`: the nom error dumps the server's bytes in decimal. Only the
/// text is worth showing; `None` for any other error.
pub fn parse_failure_text(message: &str) -> Option<String> {
    let (_, quoted) = message.split_once(" during parsing of ")?;
    // The text is the whole unread buffer (a body can be megabytes); its
    // first line is all that is shown.
    let end = quoted
        .char_indices()
        .nth(4 * UNREADABLE_EXCERPT)
        .map_or(quoted.len(), |(i, _)| i);
    Some(undebug(&quoted[..end]))
}

/// The text of a string printed with `{:?}`: quotes gone, escapes undone.
/// Unknown escapes are kept as written; control characters come back as
/// they were, so the caller still has to clean the result.
pub fn undebug(quoted: &str) -> String {
    let inner = quoted.strip_prefix('"').unwrap_or(quoted);
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some('u') if chars.peek() == Some(&'{') => {
                chars.next();
                let hex: String = chars.by_ref().take_while(|c| *c != '}').collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(c) => out.push(c),
                    None => out.push(crate::sanitize::PLACEHOLDER),
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// What a read error says, fit for the screen and the log: the offending
/// text for a parse failure, the error's own words otherwise.
pub fn io_text(e: &std::io::Error) -> String {
    let message = e.to_string();
    match parse_failure_text(&message) {
        Some(text) => unreadable_text(&text),
        None => excerpt(&message),
    }
}

/// Maps a failed read: a parse failure or a guard limit is a protocol
/// error (reconnecting won't fix it); everything else is the network.
pub fn read_error(what: &str, e: &std::io::Error) -> MailError {
    match e.kind() {
        std::io::ErrorKind::Other | std::io::ErrorKind::InvalidData if !is_tls_error(e) => {
            let message = e.to_string();
            MailError::Protocol(match parse_failure_text(&message) {
                Some(text) => unreadable(what, &text),
                None => format!(
                    "{what}: the server sent something mailtui cannot read: {}",
                    excerpt(&message)
                ),
            })
        }
        _ => MailError::Network(format!("{what}: connection failed: {}", io_text(e))),
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

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    /// The error async-imap's own reader gives for `bytes`.
    async fn reader_error(bytes: &[u8]) -> std::io::Error {
        let (ours, mut server) = tokio::io::duplex(4096);
        server.write_all(bytes).await.expect("write");
        let mut client = async_imap::Client::new(ours);
        match client.read_response().await {
            Err(e) => e,
            Ok(r) => panic!("parsed: {:?}", r.map(|r| format!("{:?}", r.parsed()))),
        }
    }

    fn readable(message: &str) {
        assert!(!message.contains("[42, 32"), "{message}");
        assert!(!message.contains("Error {"), "{message}");
        assert!(!message.contains("input:"), "{message}");
        assert!(
            !message.contains('\x1b') && !message.contains('\x07'),
            "{message}"
        );
    }

    #[tokio::test]
    async fn a_malformed_response_is_one_sentence_with_a_short_excerpt() {
        let junk = format!(
            "* CAPABILITY IMAP4rev1 \x1b[31mRED\x07 ) ((( {}\r\n",
            "x".repeat(300)
        );
        let e = reader_error(junk.as_bytes()).await;
        // async-imap's own wording dumps the bytes in decimal.
        assert!(e.to_string().contains("[42, 32"), "{e}");
        let MailError::Protocol(message) = read_error("fetch message", &e) else {
            panic!("not a protocol error")
        };
        readable(&message);
        assert!(
            message.starts_with(
                "fetch message: the server sent a response mailtui cannot read: “* CAPABILITY IMAP4rev1 "
            ),
            "{message}"
        );
        assert!(message.ends_with("xxx…”"), "{message}");
        let excerpt = message.split_once('“').map(|(_, e)| e).unwrap_or("");
        assert!(excerpt.chars().count() <= 82, "{excerpt}");
        assert!(!message.contains('\n'));
    }

    #[tokio::test]
    async fn only_the_offending_line_is_quoted() {
        let e = reader_error(b"* 1 FETCH )UID 30 BODY[] \"a\\\"b\"\r\n* 2 EXISTS\r\n").await;
        let message = read_error("fetch message", &e).to_string();
        readable(&message);
        assert!(
            message.ends_with("cannot read: “* 1 FETCH )UID 30 BODY[] \"a\\\"b\"”"),
            "{message}"
        );
        assert!(!message.contains("EXISTS"), "{message}");
    }

    #[tokio::test]
    async fn io_text_words_a_parse_failure_and_keeps_other_errors() {
        let e = reader_error(b"\x00\x01 hello there\r\n").await;
        let text = io_text(&e);
        readable(&text);
        assert!(text.contains("cannot read: “"), "{text}");
        let other = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        assert_eq!(io_text(&other), "reset by peer");
    }

    #[tokio::test]
    async fn a_malformed_greeting_is_readable() {
        let (ours, mut server) = tokio::io::duplex(4096);
        server
            // An SMTP server on the configured port.
            .write_all(b"220 mail.example.org ESMTP Postfix \x1b]0;x\x07(Debian)\r\n")
            .await
            .expect("write");
        let mut client = async_imap::Client::new(ours);
        let t = super::super::Timeouts::default();
        let Err(e) = super::super::connect::greeting(&mut client, "127.0.0.1:143", t).await else {
            panic!("greeted")
        };
        let text = e.to_string();
        readable(&text);
        assert!(
            text.starts_with(
                "connection to 127.0.0.1:143 failed: the server sent a response mailtui cannot read: “220 mail.example.org ESMTP Postfix (Debian)”"
            ),
            "{text}"
        );
    }

    #[test]
    fn debug_escapes_are_undone() {
        let s = "a\"b\\c\n\u{1b}é\u{202e}";
        assert_eq!(undebug(&format!("{s:?}")), s);
        assert_eq!(undebug("\"\\u{zz}\""), "\u{fffd}");
    }
}
