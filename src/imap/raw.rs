//! Commands sent as text, with every response read here rather than by
//! async-imap's typed calls: those hide the tagged NO/BAD of streamed
//! commands, drop unsolicited responses past 100, and throw away the
//! response codes sync needs (HIGHESTMODSEQ, VANISHED, COPYUID).

use std::future::Future;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_imap::Session;
use async_imap::imap_proto::{RequestId, Response, Status};
use tokio::time::timeout;

pub use super::text::{excerpt, read_error};
use super::transport::Transport;
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
    /// Longest wait for the next response (a silence).
    pub read: Duration,
    /// Untagged responses accepted; past it the rest of the answer is
    /// read and dropped, and the command fails.
    pub responses: usize,
    /// Longest time for the whole answer: a server that trickles a byte a
    /// second is never silent. `None` for body transfers, which may take
    /// minutes on a slow link as long as bytes keep coming.
    pub whole: Option<Duration>,
}

/// Most one buffered answer may hold: its bytes plus [`RESPONSE_COST`] per
/// response. A QRESYNC SELECT of 100,000 changed flags is about 55 MB by
/// this count, but SELECT answers are read as they arrive instead (see
/// [`run_each`]); this bounds the others (flag scans, new mail, LIST).
pub const MAX_ANSWER_BYTES: usize = 96 * 1024 * 1024;
/// Heap a parsed response takes besides its own bytes (a flag FETCH
/// measured about 500 bytes).
pub const RESPONSE_COST: usize = 512;
/// An answer that went past its limits is read on, and dropped, up to
/// this many more bytes looking for its end, so the session can go on;
/// past it the connection is given up.
pub const MAX_DRAIN_BYTES: usize = 64 * 1024 * 1024;

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

/// Takes an answer's untagged responses as they arrive: counts them,
/// hands them on, and once a limit is passed drops the rest until the
/// answer ends (so the session stays usable), then fails the command.
/// Past the limit, tagged completions of other commands still go on (their
/// bytes counted with the dropped ones): one may end a command pipelined
/// behind this one, which would otherwise be awaited after its end went by.
pub(super) struct Intake<'a, F> {
    what: &'a str,
    max: usize,
    count: usize,
    /// Why the answer is refused, once it is.
    over: Option<String>,
    dropped: usize,
    each: F,
}

impl<'a, F: FnMut(ResponseData) -> Result<(), String>> Intake<'a, F> {
    pub(super) fn new(what: &'a str, max: usize, each: F) -> Self {
        Intake {
            what,
            max,
            count: 0,
            over: None,
            dropped: 0,
            each,
        }
    }

    fn take(&mut self, r: ResponseData) -> Result<(), MailError> {
        if let Some(why) = &self.over {
            self.dropped += r.borrow_owner().len();
            if self.dropped > MAX_DRAIN_BYTES {
                return Err(MailError::Protocol(format!(
                    "{}: {why}, and it went on for more than {} MiB",
                    self.what,
                    MAX_DRAIN_BYTES >> 20
                )));
            }
            if matches!(r.parsed(), Response::Done { .. }) {
                // The answer is refused already; `each` only takes note.
                let _ = (self.each)(r);
            }
            return Ok(());
        }
        self.count += 1;
        if self.count > self.max {
            self.over = Some(format!(
                "the answer is too big for mailtui (more than {} responses)",
                self.max
            ));
            return Ok(());
        }
        if let Err(why) = (self.each)(r) {
            self.over = Some(why);
        }
        Ok(())
    }

    /// At the tagged completion: whether the answer was accepted.
    fn finish(self) -> Result<(), MailError> {
        match self.over {
            Some(why) => Err(MailError::Command(format!("{}: {why}", self.what))),
            None => Ok(()),
        }
    }
}

/// A sink that keeps responses up to [`MAX_ANSWER_BYTES`].
fn collect(into: &mut Vec<ResponseData>) -> impl FnMut(ResponseData) -> Result<(), String> + '_ {
    let mut cost = 0usize;
    move |r| {
        cost += r.borrow_owner().len() + RESPONSE_COST;
        if cost > MAX_ANSWER_BYTES {
            into.clear();
            into.shrink_to_fit();
            return Err(format!(
                "the answer is too big for mailtui (more than {} MiB)",
                MAX_ANSWER_BYTES >> 20
            ));
        }
        into.push(r);
        Ok(())
    }
}

/// Runs `work` within `whole`, if there is a limit.
pub(super) async fn within<T>(
    what: &str,
    whole: Option<Duration>,
    work: impl Future<Output = Result<T, MailError>>,
) -> Result<T, MailError> {
    let Some(limit) = whole else {
        return work.await;
    };
    match timeout(limit, work).await {
        Ok(r) => r,
        Err(_) => Err(MailError::Network(format!(
            "{what}: no complete answer within {}s (the limit for one step)",
            limit.as_secs()
        ))),
    }
}

/// Sends one command. An error always ends the session: part of the
/// command may be on the wire, and answers to commands sent before it
/// (pipelined) are unread, so nothing after it could be read in step.
pub(super) async fn send(
    session: &mut Session<Transport>,
    what: &str,
    command: &str,
    limits: Limits,
) -> Result<RequestId, MailError> {
    timeout(limits.read, session.run_command(command))
        .await
        .map_err(|_| MailError::Network(format!("{what}: cannot send")))?
        .map_err(|e| unsent(super::convert::command_error(what, e)))
}

/// A send's error as one that ends the session (async-imap's send fails
/// only on I/O today, which does already).
fn unsent(e: MailError) -> MailError {
    if e.ends_session() {
        e
    } else {
        MailError::Network(e.to_string())
    }
}

/// Reads until the tagged completion of `id`, handing every other
/// response to `intake`.
pub(super) async fn complete<F: FnMut(ResponseData) -> Result<(), String>>(
    session: &mut Session<Transport>,
    what: &str,
    id: &RequestId,
    limits: Limits,
    mut intake: Intake<'_, F>,
) -> Result<ResponseData, MailError> {
    loop {
        let r = read(session, what, limits.read).await?;
        if let Response::Done {
            tag,
            status,
            outcome,
        } = r.parsed()
            && tag == id
        {
            intake.finish()?;
            return match status {
                Status::Ok => Ok(r),
                _ => Err(MailError::Command(format!(
                    "{what}: {}",
                    excerpt(outcome.information.as_deref().unwrap_or("refused"))
                ))),
            };
        }
        intake.take(r)?;
    }
}

/// Sends `command` and hands each untagged response to `each` as it
/// arrives, so a big answer is never held whole; returns the tagged
/// completion. `each` refuses a response with the reason (the rest of
/// the answer is then read and dropped, and the command fails with it).
pub async fn run_each(
    session: &mut Session<Transport>,
    what: &str,
    command: &str,
    limits: Limits,
    each: impl FnMut(ResponseData) -> Result<(), String>,
) -> Result<ResponseData, MailError> {
    within(what, limits.whole, async {
        let id = send(session, what, command, limits).await?;
        let intake = Intake::new(what, limits.responses, each);
        complete(session, what, &id, limits, intake).await
    })
    .await
}

/// Sends `command` and reads until its tagged completion.
pub async fn run(
    session: &mut Session<Transport>,
    what: &str,
    command: &str,
    limits: Limits,
) -> Result<Answer, MailError> {
    let mut untagged = Vec::new();
    let done = run_each(session, what, command, limits, collect(&mut untagged)).await?;
    Ok(Answer { untagged, done })
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
    let mut untagged = Vec::new();
    let refused = within(what, limits.whole, async {
        let mut pending = Vec::with_capacity(commands.len());
        for c in commands {
            pending.push(send(session, what, c, limits).await?);
        }
        let mut intake = Intake::new(what, limits.responses, collect(&mut untagged));
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
            intake.take(r)?;
        }
        intake.finish()?;
        Ok(refused)
    })
    .await?;
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
    use super::quote::{Argument, argument};
    let bytes = match argument(text) {
        Argument::Quoted(q) => return run(session, what, &format!("{prefix} {q}"), limits).await,
        Argument::Literal(b) => b,
    };
    let steps = if literal_plus {
        let mut one = format!("{prefix} {{{}+}}\r\n", bytes.len()).into_bytes();
        one.extend_from_slice(&bytes);
        vec![one]
    } else {
        vec![format!("{prefix} {{{}}}", bytes.len()).into_bytes(), bytes]
    };
    run_steps(session, what, &steps, limits).await
}

/// Most steps one command is sent in (literals waiting for a go-ahead):
/// a query has at most 64 terms, so at most 64 literals.
pub const MAX_STEPS: usize = 128;

/// Runs a command sent in `steps`: each step but the last ends with a
/// literal's `{n}`, and the next is sent only after the server's `+`
/// (with LITERAL+ the caller makes it one step). A refusal instead of the
/// go-ahead ends the command; a send error ends the session, as in
/// [`send`].
pub async fn run_steps(
    session: &mut Session<Transport>,
    what: &str,
    steps: &[Vec<u8>],
    limits: Limits,
) -> Result<Answer, MailError> {
    let Some((first, rest)) = steps.split_first() else {
        return Err(MailError::Command(format!("{what}: nothing to send")));
    };
    if steps.len() > MAX_STEPS {
        return Err(MailError::Command(format!(
            "{what}: the command has more than {} literals",
            MAX_STEPS - 1
        )));
    }
    // Literal bytes are the UTF-8 of user text, so nothing is lost here.
    let first = String::from_utf8_lossy(first);
    if rest.is_empty() {
        return run(session, what, &first, limits).await;
    }
    let mut untagged = Vec::new();
    let done = within(what, limits.whole, async {
        let id = send(session, what, &first, limits).await?;
        let mut intake = Intake::new(what, limits.responses, collect(&mut untagged));
        for step in rest {
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
                    _ => intake.take(r)?,
                }
            }
            let text = String::from_utf8_lossy(step);
            timeout(limits.read, session.run_command_untagged(&text))
                .await
                .map_err(|_| MailError::Network(format!("{what}: cannot send")))?
                .map_err(|e| unsent(super::convert::command_error(what, e)))?;
        }
        complete(session, what, &id, limits, intake).await
    })
    .await?;
    Ok(Answer { untagged, done })
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;
    use crate::imap::text::{io_text, undebug};

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
        // The reader's own wording is Rust's Debug form of the text.
        assert!(e.to_string().contains("during parsing of"), "{e}");
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
    fn a_failed_send_always_ends_the_session() {
        for e in [
            MailError::Command("x".into()),
            MailError::Network("x".into()),
            MailError::Protocol("x".into()),
        ] {
            assert!(unsent(e).ends_session());
        }
        assert!(matches!(
            unsent(MailError::Protocol("unreadable".into())),
            MailError::Protocol(t) if t == "unreadable"
        ));
    }

    #[test]
    fn debug_escapes_are_undone() {
        let s = "a\"b\\c\n\u{1b}é\u{202e}";
        assert_eq!(undebug(&format!("{s:?}")), s);
        assert_eq!(undebug("\"\\u{zz}\""), "\u{fffd}");
    }
}
