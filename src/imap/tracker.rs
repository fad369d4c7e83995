//! The selected mailbox as the server's unsolicited responses change it.
//! EXPUNGE and FETCH speak in sequence numbers, which shift with every
//! expunge; this keeps the sequence→UID map that turns them into the UID
//! changes the rest of mailtui understands, and notices when it can no
//! longer do that correctly.

use async_imap::imap_proto::{MailboxDatum, Response, ResponseCode, Status};

use super::fetch;
use crate::mail::backend::{Change, Noticed};
use crate::mail::types::FlagUpdate;

/// UIDs a VANISHED may expand to before the tracker gives up and asks for
/// a full reconcile instead.
const MAX_VANISHED: usize = 1_000_000;

#[derive(Debug, Default)]
pub struct Tracker {
    /// The folder the server has selected: what it reports belongs there.
    folder: Option<String>,
    /// UIDs by sequence number (index + 1), when known: after `UID SEARCH
    /// ALL`; kept up to date by expunges and new mail.
    seq: Option<Vec<u32>>,
    /// The message count as the server last said.
    exists: u32,
    changes: Vec<Change>,
    /// What the server said when it ended the session.
    pub bye: Option<String>,
}

impl Tracker {
    /// A folder was just selected with this many messages.
    pub fn selected(&mut self, folder: &str, exists: u32) {
        self.folder = Some(folder.to_string());
        self.seq = None;
        self.exists = exists;
        self.changes.clear();
    }

    /// A SELECT is on its way (or failed, or the session ended): until it
    /// answers no folder is selected, and nothing noticed so far belongs
    /// to the next one.
    pub fn deselected(&mut self) {
        self.folder = None;
        self.seq = None;
        self.exists = 0;
        self.changes.clear();
    }

    /// The message count as the server last said.
    pub fn exists(&self) -> u32 {
        self.exists
    }

    pub fn folder(&self) -> Option<&str> {
        self.folder.as_deref()
    }

    /// The folder's full UID list (ascending), from UID SEARCH ALL.
    pub fn set_uids(&mut self, uids: Vec<u32>) {
        if uids.len() as u32 != self.exists {
            tracing::debug!(
                exists = self.exists,
                listed = uids.len(),
                "UID list and message count differ; going by the list"
            );
            self.exists = uids.len() as u32;
        }
        self.seq = Some(uids);
    }

    /// New mail was fetched: these UIDs follow the known ones.
    pub fn appended(&mut self, mut uids: Vec<u32>) {
        uids.sort_unstable();
        if let Some(seq) = &mut self.seq {
            let top = seq.last().copied().unwrap_or(0);
            seq.extend(uids.into_iter().filter(|u| *u > top));
            if seq.len() as u32 > self.exists {
                self.resync("more messages than the server counts");
            } else if (seq.len() as u32) < self.exists && !self.changes.contains(&Change::NewMail) {
                self.resync("fewer messages than the server counts");
            }
        }
    }

    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    pub fn take(&mut self) -> Noticed {
        Noticed {
            folder: self.folder.clone(),
            changes: std::mem::take(&mut self.changes),
        }
    }

    fn resync(&mut self, why: &str) {
        self.seq = None;
        let change = Change::Resync(why.to_string());
        if !self.changes.contains(&change) {
            self.changes.push(change);
        }
    }

    fn push_expunged(&mut self, uids: Vec<u32>) {
        if uids.is_empty() {
            return;
        }
        if let Some(Change::Expunged(prev)) = self.changes.last_mut() {
            prev.extend(uids);
        } else {
            self.changes.push(Change::Expunged(uids));
        }
    }

    fn push_flags(&mut self, u: FlagUpdate) {
        if let Some(Change::Flags(prev)) = self.changes.last_mut() {
            prev.push(u);
        } else {
            self.changes.push(Change::Flags(vec![u]));
        }
    }

    /// Takes in one response that was not the answer asked for.
    pub fn absorb(&mut self, r: &Response<'_>) {
        match r {
            Response::MailboxData(MailboxDatum::Exists(n)) => {
                let n = *n;
                if n > self.exists {
                    if !self.changes.contains(&Change::NewMail) {
                        self.changes.push(Change::NewMail);
                    }
                } else if n < self.exists {
                    self.resync(&format!(
                        "the message count went down from {} to {n} without expunges",
                        self.exists
                    ));
                }
                self.exists = n;
            }
            Response::Expunge(seq) => self.expunge(*seq),
            Response::Vanished {
                earlier: false,
                uids,
            } => match fetch::expand(uids, MAX_VANISHED) {
                Some(uids) => {
                    let gone: Vec<u32> = match &mut self.seq {
                        Some(seq) => {
                            let before = seq.len();
                            seq.retain(|u| uids.binary_search(u).is_err());
                            self.exists = self.exists.saturating_sub((before - seq.len()) as u32);
                            uids
                        }
                        None => {
                            self.exists = self.exists.saturating_sub(uids.len() as u32);
                            uids
                        }
                    };
                    self.push_expunged(gone);
                }
                None => self.resync("VANISHED named too many messages"),
            },
            Response::Fetch(seq, attrs) => {
                let it = fetch::items(attrs);
                let Some(flags) = it.flags else { return };
                let uid = it.uid.or_else(|| {
                    self.seq
                        .as_ref()
                        .and_then(|s| s.get((*seq as usize).checked_sub(1)?).copied())
                });
                match uid {
                    Some(uid) if uid != 0 => self.push_flags(FlagUpdate { uid, flags }),
                    // Beyond the map: a new message not fetched yet; it
                    // comes with its flags.
                    _ if self.seq.as_ref().is_some_and(|s| *seq as usize > s.len()) => {}
                    _ => self.resync("a flag change the client cannot place"),
                }
            }
            Response::Data {
                status: Status::Ok,
                outcome,
            } if matches!(outcome.code, Some(ResponseCode::UidValidity(_))) => {
                self.resync("UIDVALIDITY changed during the session");
            }
            Response::Data {
                status: Status::Bye,
                outcome,
            } => {
                self.bye = Some(outcome.information.as_deref().unwrap_or("").to_string());
            }
            _ => {}
        }
    }

    fn expunge(&mut self, seq_no: u32) {
        let before = self.exists as usize;
        self.exists = self.exists.saturating_sub(1);
        let index = (seq_no as usize).checked_sub(1);
        match (&mut self.seq, index) {
            (Some(seq), Some(i)) if i < seq.len() => {
                let uid = seq.remove(i);
                self.push_expunged(vec![uid]);
            }
            // A new message not fetched yet went away again.
            (Some(_), Some(i)) if i < before => {}
            _ => self.resync("an expunge the client cannot place"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(t: &mut Tracker, raw: &str) {
        let bytes = raw.as_bytes();
        let (_, r) = Response::parse(bytes).expect("parses");
        t.absorb(&r);
    }

    fn tracker(uids: &[u32]) -> Tracker {
        let mut t = Tracker::default();
        t.selected("INBOX", uids.len() as u32);
        t.set_uids(uids.to_vec());
        t
    }

    #[test]
    fn expunges_shift_sequence_numbers() {
        let mut t = tracker(&[10, 20, 30, 40]);
        // Exchange expunges high to low, Gmail low to high: both map right.
        feed(&mut t, "* 2 EXPUNGE\r\n");
        feed(&mut t, "* 2 EXPUNGE\r\n");
        assert_eq!(t.take().changes, [Change::Expunged(vec![20, 30])]);
        assert_eq!(t.exists(), 2);
        feed(&mut t, "* 2 FETCH (FLAGS (\\Seen))\r\n");
        let changes = t.take().changes;
        let [Change::Flags(f)] = changes.as_slice() else {
            panic!("{changes:?}")
        };
        assert_eq!(f[0].uid, 40);
        assert!(f[0].flags.seen);
    }

    #[test]
    fn new_mail_then_append() {
        let mut t = tracker(&[1, 2]);
        feed(&mut t, "* 4 EXISTS\r\n");
        feed(&mut t, "* 4 EXISTS\r\n");
        assert_eq!(t.take().changes, [Change::NewMail]);
        t.appended(vec![4, 3]);
        feed(&mut t, "* 4 EXPUNGE\r\n");
        assert_eq!(t.take().changes, [Change::Expunged(vec![4])]);
    }

    #[test]
    fn a_shrinking_count_without_expunges_asks_for_a_resync() {
        let mut t = tracker(&[1, 2, 3]);
        feed(&mut t, "* 1 EXISTS\r\n");
        assert!(matches!(t.take().changes.as_slice(), [Change::Resync(_)]));
    }

    #[test]
    fn unplaceable_expunges_and_flags_ask_for_a_resync() {
        let mut t = Tracker::default();
        t.selected("INBOX", 5);
        feed(&mut t, "* 3 EXPUNGE\r\n");
        assert!(matches!(t.take().changes.as_slice(), [Change::Resync(_)]));
        let mut t = Tracker::default();
        t.selected("INBOX", 5);
        feed(&mut t, "* 3 FETCH (FLAGS ())\r\n");
        assert!(matches!(t.take().changes.as_slice(), [Change::Resync(_)]));
        // With a UID in the response it is placed without the map.
        feed(&mut t, "* 3 FETCH (UID 8 FLAGS (\\Flagged))\r\n");
        assert!(matches!(t.take().changes.as_slice(), [Change::Flags(f)] if f[0].uid == 8));
    }

    #[test]
    fn vanished_removes_uids_and_bye_is_kept() {
        let mut t = tracker(&[1, 2, 3, 7]);
        feed(&mut t, "* VANISHED 2:3,9\r\n");
        assert_eq!(t.take().changes, [Change::Expunged(vec![2, 3, 9])]);
        assert_eq!(t.exists(), 2);
        feed(&mut t, "* VANISHED (EARLIER) 1\r\n");
        assert!(
            t.take().changes.is_empty(),
            "EARLIER belongs to an answer, not news"
        );
        feed(&mut t, "* BYE Session invalidated - AccessTokenExpired\r\n");
        assert_eq!(
            t.bye.as_deref(),
            Some("Session invalidated - AccessTokenExpired")
        );
    }

    #[test]
    fn a_new_uidvalidity_mid_session_asks_for_a_resync() {
        let mut t = tracker(&[1]);
        feed(&mut t, "* OK [UIDVALIDITY 99] changed\r\n");
        assert!(
            matches!(t.take().changes.as_slice(), [Change::Resync(r)] if r.contains("UIDVALIDITY"))
        );
    }
}
