//! List rows fetched one window ahead: the command for the next window
//! goes out before the current window's answer is read, so the server
//! works while the client parses and stores, and neither side waits a
//! round trip between windows. At most one command is ahead: anything
//! else on the connection first reads that one answer ([`drain`]), one
//! window's worth, never the rest of the load. Rows are made as each
//! response arrives; the raw answer is never held whole.

use async_imap::Session;
use async_imap::imap_proto::{RequestId, Response, Status};

use super::connect::Transport;
use super::fetch::{self, uid_set};
use super::raw::{self, Intake, Limits};
use super::tracker::Tracker;
use crate::mail::MailError;
use crate::mail::types::NewMessage;

const WHAT: &str = "fetch message list";

/// A `UID FETCH` of list rows sent and not read yet.
struct Sent {
    id: RequestId,
    /// The UIDs asked for, ascending.
    uids: Vec<u32>,
    /// Its completion, when it came while the answer before it was read:
    /// a server may run commands in parallel (RFC 3501 §5.5).
    done: bool,
    /// Some of its answer may have been dropped with the answer before it
    /// (past that one's cap, or after it failed): its rows are asked for
    /// again, and its own answer only read to its end.
    lost: bool,
}

impl Sent {
    fn asked(&self, uid: u32) -> bool {
        self.uids.binary_search(&uid).is_ok()
    }
}

/// What is in flight on the connection besides the command being read.
#[derive(Default)]
pub struct Pipeline {
    ahead: Option<Sent>,
    /// Rows of the window ahead that arrived before its turn.
    early: Vec<NewMessage>,
}

impl Pipeline {
    /// Whether a command is ahead, so other commands must [`drain`] first.
    pub fn busy(&self) -> bool {
        self.ahead.is_some()
    }

    /// The session is gone: nothing sent on it will be answered.
    pub fn forget(&mut self) {
        *self = Pipeline::default();
    }
}

fn ascending(uids: &[u32]) -> Vec<u32> {
    let mut v: Vec<u32> = uids.iter().copied().filter(|u| *u != 0).collect();
    v.sort_unstable();
    v.dedup();
    v
}

async fn send(
    session: &mut Session<Transport>,
    uids: Vec<u32>,
    query: &str,
    limits: Limits,
) -> Result<Sent, MailError> {
    let cmd = format!("UID FETCH {} {query}", uid_set(&uids));
    let id = raw::send(session, WHAT, &cmd, limits).await?;
    Ok(Sent {
        id,
        uids,
        done: false,
        lost: false,
    })
}

/// List rows for `uids`; with `next`, the command for those goes out
/// before this answer is read (the next call, with `next` as `uids`,
/// returns them). `limits` gives the limits for a window of n UIDs.
pub async fn rows(
    session: &mut Session<Transport>,
    tracker: &mut Tracker,
    pipe: &mut Pipeline,
    uids: &[u32],
    next: Option<&[u32]>,
    query: &str,
    limits: impl Fn(usize) -> Limits,
) -> Result<Vec<NewMessage>, MailError> {
    let asked = ascending(uids);
    if pipe
        .ahead
        .as_ref()
        .is_some_and(|a| a.uids != asked || a.lost)
    {
        // Not what was sent ahead (the plan changed), or not all of its
        // answer was kept: read that first, and ask again.
        drain(session, tracker, pipe, &limits).await?;
    }
    let current = match pipe.ahead.take() {
        Some(sent) => sent,
        None if asked.is_empty() => return Ok(Vec::new()),
        None => send(session, asked, query, limits(uids.len())).await?,
    };
    let mut rows = std::mem::take(&mut pipe.early);
    if let Some(next) = next.map(ascending).filter(|n| !n.is_empty()) {
        let l = limits(next.len());
        // On failure the current answer stays unread: that is safe only
        // because a failed send always ends the session (raw::send), so
        // the caller drops it instead of reading on out of step.
        pipe.ahead = Some(send(session, next, query, l).await?);
    }
    if current.done {
        return Ok(rows);
    }
    let l = limits(current.uids.len());
    let (ahead, early) = (&mut pipe.ahead, &mut pipe.early);
    let intake = Intake::new(WHAT, l.responses, |r| {
        match r.parsed() {
            Response::Fetch(_, attrs) => match fetch::row(&fetch::items(attrs)) {
                Some(row) if current.asked(row.envelope.uid) => rows.push(row),
                Some(row) if ahead.as_ref().is_some_and(|a| a.asked(row.envelope.uid)) => {
                    early.push(row)
                }
                // Not asked for: the worker would drop it anyway.
                Some(_) => {}
                None => tracker.absorb(r.parsed()),
            },
            Response::Done { tag, status, .. } if ahead.as_ref().is_some_and(|a| &a.id == tag) => {
                if let Some(a) = ahead.as_mut() {
                    a.done = true;
                }
                if *status != Status::Ok {
                    // Its rows are fetched again by the next reconcile.
                    *ahead = None;
                    early.clear();
                }
            }
            other => tracker.absorb(other),
        }
        Ok(())
    });
    let read = raw::within(
        WHAT,
        l.whole,
        raw::complete(session, WHAT, &current.id, l, intake),
    )
    .await;
    if read.is_err() {
        // Rows of the window ahead that came past this answer's cap were
        // dropped with it. (An error that ends the session makes the
        // caller forget the pipeline anyway.)
        pipe.early.clear();
        if let Some(a) = pipe.ahead.as_mut() {
            a.lost = true;
        }
    }
    read?;
    Ok(rows)
}

/// Reads the answer of the command sent ahead, if any, and drops its rows
/// (the worker asks for them again if it still wants them: keeping them
/// across other commands could bring back a message expunged meanwhile).
pub async fn drain(
    session: &mut Session<Transport>,
    tracker: &mut Tracker,
    pipe: &mut Pipeline,
    limits: impl Fn(usize) -> Limits,
) -> Result<(), MailError> {
    pipe.early.clear();
    let Some(sent) = pipe.ahead.take() else {
        return Ok(());
    };
    if sent.done {
        return Ok(());
    }
    let limits = limits(sent.uids.len());
    let intake = Intake::new(WHAT, limits.responses, |r| {
        let parsed = r.parsed();
        let is_row = matches!(parsed, Response::Fetch(_, attrs) if fetch::row(&fetch::items(attrs)).is_some());
        if !is_row {
            tracker.absorb(parsed);
        }
        Ok(())
    });
    let read = raw::complete(session, WHAT, &sent.id, limits, intake);
    match raw::within(WHAT, limits.whole, read).await {
        // A refusal only means those rows are not coming; nobody waits.
        Ok(_) | Err(MailError::Command(_)) => Ok(()),
        Err(e) => Err(e),
    }
}
