//! SELECT, with CONDSTORE or QRESYNC where the server offers them, and
//! what its answer says about the folder.

use async_imap::imap_proto::{MailboxDatum, Response, ResponseCode, Status};

use super::fetch;
pub use super::quote::quote;
use crate::mail::MailError;
use crate::mail::backend::{Changes, KnownState, Selected};

/// `SELECT "name" …`: with QRESYNC and a known state, the server answers
/// with what changed since; with CONDSTORE alone it at least reports
/// HIGHESTMODSEQ.
pub fn command(
    path: &str,
    condstore: bool,
    qresync: Option<KnownState>,
) -> Result<String, MailError> {
    let name = quote(path)?;
    Ok(match qresync {
        Some(k) => format!(
            "SELECT {name} (QRESYNC ({} {}))",
            k.uid_validity, k.highest_modseq
        ),
        None if condstore => format!("SELECT {name} (CONDSTORE)"),
        None => format!("SELECT {name}"),
    })
}

/// Most changes (flags and vanished UIDs, each) one SELECT answer is
/// taken with; past it they are dropped as if QRESYNC had said nothing,
/// and the caller compares the folder window by window instead.
pub const MAX_CHANGES: usize = 1_000_000;

/// Reads a SELECT answer one response at a time, as it arrives, so a
/// QRESYNC answer of a million changed flags is never held whole.
pub struct Reader {
    /// The state offered with QRESYNC, so that an empty answer means
    /// "nothing changed".
    asked: Option<KnownState>,
    sel: Selected,
    nomodseq: bool,
    changes: Changes,
    /// More changes than [`MAX_CHANGES`]: none are reported.
    too_many: bool,
}

impl Reader {
    pub fn new(asked_qresync: Option<KnownState>) -> Self {
        Reader {
            asked: asked_qresync,
            sel: Selected {
                exists: 0,
                uid_validity: 0,
                uid_next: None,
                highest_modseq: None,
                changes: None,
                read_only: false,
            },
            nomodseq: false,
            changes: Changes::default(),
            too_many: false,
        }
    }

    pub fn feed(&mut self, r: &Response<'_>) {
        // With QRESYNC enabled, responses before `OK [CLOSED]` still
        // belong to the folder selected before.
        if is_closed(r) {
            *self = Reader::new(self.asked);
            return;
        }
        let sel = &mut self.sel;
        match r {
            Response::MailboxData(MailboxDatum::Exists(n)) => sel.exists = *n,
            Response::Data {
                status: Status::Ok,
                outcome,
            } => match &outcome.code {
                Some(ResponseCode::UidValidity(v)) => sel.uid_validity = *v,
                Some(ResponseCode::UidNext(n)) => sel.uid_next = Some(*n),
                Some(ResponseCode::HighestModSeq(m)) => sel.highest_modseq = Some(*m),
                None if outcome
                    .information
                    .as_deref()
                    .is_some_and(|i| i.contains("NOMODSEQ")) =>
                {
                    self.nomodseq = true
                }
                _ => {}
            },
            Response::Vanished {
                earlier: true,
                uids,
            } if !self.too_many => {
                let room = MAX_CHANGES.saturating_sub(self.changes.vanished.len());
                match fetch::expand(uids, room) {
                    Some(u) => self.changes.vanished.extend(u),
                    None => self.give_up(),
                }
            }
            Response::Fetch(_, attrs) if !self.too_many => {
                if let Some(u) = fetch::flag_update(&fetch::items(attrs)) {
                    if self.changes.flags.len() >= MAX_CHANGES {
                        self.give_up();
                    } else {
                        self.changes.flags.push(u);
                    }
                }
            }
            _ => {}
        }
    }

    /// Too many to list: pretend QRESYNC said nothing, so the caller
    /// lists UIDs and compares flags instead.
    fn give_up(&mut self) {
        self.too_many = true;
        self.changes = Changes::default();
    }

    /// What the answer said, given its tagged completion.
    pub fn finish(self, done: &Response<'_>) -> Selected {
        let mut sel = self.sel;
        if let Response::Done { outcome, .. } = done {
            sel.read_only = matches!(outcome.code, Some(ResponseCode::ReadOnly));
        }
        if self.nomodseq {
            sel.highest_modseq = None;
        }
        if !self.too_many
            && self
                .asked
                .is_some_and(|k| k.uid_validity == sel.uid_validity)
            && sel.highest_modseq.is_some()
        {
            sel.changes = Some(self.changes);
        }
        sel
    }
}

/// Reads a whole SELECT answer held in memory.
#[cfg(test)]
pub fn answer(
    untagged: &[super::raw::ResponseData],
    done: &super::raw::ResponseData,
    asked_qresync: Option<KnownState>,
) -> Selected {
    let mut reader = Reader::new(asked_qresync);
    for r in untagged {
        reader.feed(r.parsed());
    }
    reader.finish(done.parsed())
}

fn is_closed(r: &Response<'_>) -> bool {
    matches!(r, Response::Data { status: Status::Ok, outcome }
        if outcome.code.is_none()
            && outcome.information.as_deref().is_some_and(|i| i.starts_with("[CLOSED]")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(raw: &str) -> Vec<super::super::raw::ResponseData> {
        let all = super::super::raw::parse_responses(raw.as_bytes());
        assert_eq!(all.len(), raw.matches("\r\n").count(), "every line parses");
        all
    }

    #[test]
    fn quoting_escapes_and_refuses_line_breaks() {
        assert_eq!(quote("Sent Items").unwrap(), "\"Sent Items\"");
        assert_eq!(quote("a\"b\\c").unwrap(), "\"a\\\"b\\\\c\"");
        assert!(quote("evil\r\nA LOGOUT").is_err());
        assert_eq!(quote("Über").unwrap(), "\"Über\"");
        for name in ["\x1b]0;pwned\x07", "bell\x07", "nul\0", "c1\u{9b}31m"] {
            let Err(e) = quote(name) else {
                panic!("{name:?} was quoted")
            };
            let text = e.to_string();
            assert!(text.contains("control characters"), "{text}");
            assert!(!text.contains(['\x1b', '\x07', '\0', '\u{9b}']), "{text}");
        }
        assert_eq!(
            command(
                "INBOX",
                true,
                Some(KnownState {
                    uid_validity: 5,
                    highest_modseq: 9
                })
            )
            .unwrap(),
            "SELECT \"INBOX\" (QRESYNC (5 9))"
        );
        assert_eq!(
            command("INBOX", true, None).unwrap(),
            "SELECT \"INBOX\" (CONDSTORE)"
        );
    }

    #[test]
    fn a_qresync_answer_carries_vanished_and_flags() {
        let all = parse_all(
            "* OK [CLOSED] Previous mailbox closed.\r\n* 3 EXISTS\r\n* OK [UIDVALIDITY 5] Ok\r\n* OK [UIDNEXT 12] Ok\r\n\
* OK [HIGHESTMODSEQ 40] Ok\r\n* VANISHED (EARLIER) 2:3\r\n* 1 FETCH (UID 7 FLAGS (\\Seen) MODSEQ (39))\r\n\
a1 OK [READ-WRITE] Select completed.\r\n",
        );
        let (done, untagged) = all.split_last().unwrap();
        let sel = answer(
            untagged,
            done,
            Some(KnownState {
                uid_validity: 5,
                highest_modseq: 30,
            }),
        );
        assert_eq!(
            (
                sel.exists,
                sel.uid_validity,
                sel.uid_next,
                sel.highest_modseq
            ),
            (3, 5, Some(12), Some(40))
        );
        let ch = sel.changes.expect("changes");
        assert_eq!(ch.vanished, [2, 3]);
        assert_eq!(ch.flags[0].uid, 7);
        assert!(!sel.read_only);
    }

    #[test]
    fn another_uidvalidity_or_nomodseq_means_no_changes() {
        let all = parse_all(
            "* 3 EXISTS\r\n* OK [UIDVALIDITY 6] Ok\r\n* OK [NOMODSEQ] No permanent modsequences\r\na1 OK [READ-ONLY] done\r\n",
        );
        let (done, untagged) = all.split_last().unwrap();
        let sel = answer(
            untagged,
            done,
            Some(KnownState {
                uid_validity: 5,
                highest_modseq: 30,
            }),
        );
        assert!(sel.changes.is_none());
        assert_eq!(sel.highest_modseq, None);
        assert!(sel.read_only);
    }
}
