//! Turning fetched bytes into what the reader shows, away from the
//! runtime: a dedicated thread with a stack big enough for deep MIME trees,
//! never joined, so quitting never waits on a parse.

use std::time::Duration;

use crate::mail::message::{self, MessageView};
use crate::sanitize::Clean;

/// Stack for the parsing thread; MIME nesting is bounded well within it.
const PARSE_STACK: usize = 64 * 1024 * 1024;
/// Longest a parse may take before the reader gives up on it.
const PARSE_BUDGET: Duration = Duration::from_secs(10);

pub async fn view(uid: u32, raw: Vec<u8>) -> MessageView {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("parse".into())
        .stack_size(PARSE_STACK)
        .spawn(move || {
            let _ = tx.send(message::parse(uid, &raw));
        });
    let failed = |why: &str| MessageView {
        uid,
        headers: Vec::new(),
        date: None,
        body: Clean::text(why),
        source: message::BodySource::None,
        attachments: Vec::new(),
    };
    if spawned.is_err() {
        return failed("(this message could not be read: no thread to parse it)");
    }
    match tokio::time::timeout(PARSE_BUDGET, rx).await {
        Ok(Ok(view)) => view,
        Ok(Err(_)) => failed("(this message could not be read)"),
        Err(_) => failed("(this message took too long to read and was given up)"),
    }
}
