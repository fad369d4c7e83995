//! Parsing off the async runtime, on a thread of its own: a big stack for
//! the limits, a deadline for the answer, and nothing to wait for at exit
//! (tokio waits for `spawn_blocking` tasks when its runtime shuts down; a
//! plain thread is simply left behind).

use std::sync::Arc;

use super::assemble::{parse_as, raw_cut_note, raw_source};
use super::headers::{find_block, message_headers};
use super::limits::{MAX_RAW_BYTES, PARSE_STACK_BYTES, PARSE_TIME_BUDGET};
use crate::mail::partial::Fetched;
use crate::mail::view::{BodySource, MessageView};
use crate::sanitize::Clean;

/// Header blocks larger than this are not read for the fallback view.
const FALLBACK_HEADER_BYTES: usize = 64 << 10;

/// [`parse`] on a dedicated thread. If it does not answer within
/// [`PARSE_TIME_BUDGET`] (or fails), the raw source is shown instead with
/// a note, and the thread is left to finish on its own.
pub async fn parse_detached(uid: u32, raw: Vec<u8>) -> MessageView {
    parse_fetched(uid, Fetched::whole(raw)).await
}

/// [`parse_detached`] of a message as fetched (whole, or a big one's
/// stand-in).
pub async fn parse_fetched(uid: u32, fetched: Fetched) -> MessageView {
    let partial = fetched.partial;
    let raw = Arc::new(fetched.raw);
    let input = Arc::clone(&raw);
    match detached(move || parse_as(uid, &input, partial)).await {
        Detached::Done(view) => view,
        Detached::NotStarted => fallback(
            uid,
            &raw,
            "The message parser could not be started; raw source follows.",
        ),
        Detached::Failed => fallback(
            uid,
            &raw,
            "This message could not be parsed; raw source follows.",
        ),
        Detached::TimedOut => fallback(
            uid,
            &raw,
            &format!(
                "Parsing this message took over {} s; raw source follows.",
                PARSE_TIME_BUDGET.as_secs()
            ),
        ),
    }
}

/// How work on the parse thread ended.
pub enum Detached<T> {
    Done(T),
    /// No thread could be started.
    NotStarted,
    /// It panicked.
    Failed,
    /// No answer within [`PARSE_TIME_BUDGET`]; the thread is left to end.
    TimedOut,
}

/// Runs `job` (MIME work within the limits) on a thread of its own with
/// the parse stack, waiting at most [`PARSE_TIME_BUDGET`].
pub async fn detached<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> Detached<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("mailtui-parse".into())
        .stack_size(PARSE_STACK_BYTES)
        .spawn(move || {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            // Nobody listening means the deadline passed: nothing to do.
            let _ = tx.send(out);
        });
    if spawned.is_err() {
        return Detached::NotStarted;
    }
    match tokio::time::timeout(PARSE_TIME_BUDGET, rx).await {
        Ok(Ok(Ok(v))) => Detached::Done(v),
        Ok(_) => Detached::Failed,
        Err(_) => Detached::TimedOut,
    }
}

/// The raw source (capped) with a note, and the headers if they are cheap
/// to read.
pub fn fallback(uid: u32, raw: &[u8], why: &str) -> MessageView {
    let head = &raw[..raw.len().min(FALLBACK_HEADER_BYTES)];
    let block = find_block(head, 0, head.len(), |_| false);
    let h = message_headers(head, block.header);
    let source = raw_source(raw);
    let mut notes = vec![Clean::line(why)];
    if raw.len() > MAX_RAW_BYTES {
        notes.push(Clean::line(&raw_cut_note(raw.len())));
    }
    MessageView {
        uid,
        headers: super::assemble::header_lines(&h),
        date: h.date,
        date_zone: h.date_zone,
        body: source.clone(),
        body_styles: Vec::new(),
        source: BodySource::Raw,
        attachments: Vec::new(),
        notes,
        warnings: super::assemble::repeated_warnings(&h),
        nested: Vec::new(),
        raw: source,
        raw_bytes: if raw.len() <= MAX_RAW_BYTES {
            std::sync::Arc::from(raw)
        } else {
            std::sync::Arc::from(&[][..])
        },
        html_links: Vec::new(),
        parts: Vec::new(),
        calendar: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::message::parse;

    #[test]
    fn the_fallback_shows_headers_a_note_and_the_capped_source() {
        let mut raw = b"From: A <a@x>\r\nSubject: big\r\n\r\n".to_vec();
        raw.extend(std::iter::repeat_n(b'x', MAX_RAW_BYTES + 10));
        let v = fallback(3, &raw, "Parsing took too long.");
        assert_eq!(v.source, BodySource::Raw);
        assert_eq!(v.headers[1].1.as_str(), "big");
        assert_eq!(v.notes[0].as_str(), "Parsing took too long.");
        assert!(v.notes[1].as_str().contains("only the first 1024 KB"));
        assert!(v.body.len() <= MAX_RAW_BYTES && v.body.as_str().starts_with("From: A"));
    }

    #[tokio::test]
    async fn parse_detached_answers_like_parse() {
        let raw = b"Subject: hi\r\n\r\nhello\r\n".to_vec();
        let v = parse_detached(5, raw.clone()).await;
        assert_eq!(v, parse(5, &raw));
    }
}
