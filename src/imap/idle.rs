//! Waiting for the selected folder to change: IDLE (RFC 2177) where the
//! server offers it, else reading whatever the server pushes and a NOOP
//! now and then. Either way the connection is proven alive at least once
//! per slice, so a server that silently stopped answering is noticed
//! within a slice plus a command timeout.

use std::future::Future;
use std::time::Duration;

use async_imap::Session;
use async_imap::imap_proto::Response;
use tokio::time::{Instant, sleep_until, timeout};

use super::connect::Transport;
use super::raw;
use super::tracker::Tracker;
use crate::mail::MailError;

pub enum Mode {
    Idle,
    Poll,
}

/// How a wait ended, besides with changes in the tracker.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// The server would not start IDLE (NO/BAD); poll from now on.
    IdleRefused(String),
}

/// Waits up to `max` or until `stop` completes; what the server said goes
/// to `tracker`. `answer` bounds each wait for a reply the server owes.
/// `silent` tells the caller, after an error, that the server never
/// answered IDLE at all (so it should be polled instead).
pub async fn watch(
    session: &mut Session<Transport>,
    tracker: &mut Tracker,
    mode: Mode,
    max: Duration,
    answer: Duration,
    silent: &mut bool,
    stop: impl Future<Output = ()> + Send,
) -> Result<Outcome, MailError> {
    let deadline = Instant::now() + max;
    tokio::pin!(stop);
    match mode {
        Mode::Poll => {
            let stopped = listen(session, tracker, deadline, &mut stop).await?;
            if !stopped {
                let limits = raw::Limits {
                    read: answer,
                    responses: 100_000,
                    whole: Some(answer * 8),
                };
                let a = raw::run(session, "check for changes", "NOOP", limits).await?;
                for r in &a.untagged {
                    tracker.absorb(r.parsed());
                }
            }
            Ok(Outcome::Done)
        }
        Mode::Idle => {
            let id = timeout(answer, session.run_command("IDLE"))
                .await
                .map_err(|_| MailError::Network("IDLE: cannot send".into()))?
                .map_err(|e| super::convert::command_error("IDLE", e))?;
            // The server must answer "+ idling" (or refuse) before anything else counts.
            loop {
                // Only silence here means the server cannot IDLE; anything
                // else (a broken response, a closed connection) is the
                // session's trouble, not IDLE's.
                let r = match timeout(answer, raw::read(session, "starting IDLE", answer * 2)).await
                {
                    Ok(r) => r?,
                    Err(_) => {
                        *silent = true;
                        return Err(MailError::Network(format!(
                            "the server did not start IDLE within {}s",
                            answer.as_secs()
                        )));
                    }
                };
                match r.parsed() {
                    Response::Continue { .. } => break,
                    Response::Done { tag, outcome, .. } if tag == &id => {
                        return Ok(Outcome::IdleRefused(raw::excerpt(
                            outcome.information.as_deref().unwrap_or("refused"),
                        )));
                    }
                    other => tracker.absorb(other),
                }
            }
            listen(session, tracker, deadline, &mut stop).await?;
            timeout(answer, session.run_command_untagged("DONE"))
                .await
                .map_err(|_| MailError::Network("IDLE: cannot send DONE".into()))?
                .map_err(|e| super::convert::command_error("IDLE", e))?;
            // A whole limit too: a server may trickle pushes after DONE.
            let whole = answer * 8;
            let end = async {
                loop {
                    let r = raw::read(session, "end of IDLE", answer).await?;
                    match r.parsed() {
                        Response::Done { tag, .. } if tag == &id => return Ok(Outcome::Done),
                        other => tracker.absorb(other),
                    }
                }
            };
            timeout(whole, end).await.unwrap_or_else(|_| {
                Err(MailError::Network(format!(
                    "end of IDLE: no complete answer within {}s (the limit for one step)",
                    whole.as_secs()
                )))
            })
        }
    }
}

/// Reads pushed responses until the deadline, a change, or `stop`.
/// Returns whether `stop` ended it.
async fn listen(
    session: &mut Session<Transport>,
    tracker: &mut Tracker,
    deadline: Instant,
    stop: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
) -> Result<bool, MailError> {
    loop {
        tokio::select! {
            biased;
            () = stop.as_mut() => return Ok(true),
            () = sleep_until(deadline) => return Ok(false),
            r = session.read_response() => {
                let r = match r {
                    Ok(Some(r)) => r,
                    Ok(None) => {
                        let said = tracker.bye.clone().unwrap_or_default();
                        return Err(MailError::Network(if said.is_empty() {
                            "the server closed the connection".to_string()
                        } else {
                            format!("the server ended the session: {}", raw::excerpt(&said))
                        }));
                    }
                    Err(e) => return Err(raw::read_error("waiting for changes", &e)),
                };
                tracker.absorb(r.parsed());
                if let Some(said) = &tracker.bye {
                    return Err(MailError::Network(format!(
                        "the server ended the session: {}",
                        raw::excerpt(said)
                    )));
                }
                if tracker.has_changes() {
                    return Ok(false);
                }
            }
        }
    }
}
