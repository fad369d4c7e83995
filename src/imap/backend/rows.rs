//! What the message list shows: the folder's UIDs, list rows (one window
//! fetched ahead, see [`pipeline`](crate::imap::pipeline)), the newest
//! rows, new mail, and flag changes.

use async_imap::imap_proto::{MailboxDatum, Response};

use super::{BIG_ANSWER, ImapBackend, SPARE_RESPONSES};
use crate::imap::fetch::{self, row_query};
use crate::imap::pipeline;
use crate::imap::raw::{self, Answer};
use crate::mail::backend::{FlagScan, MailError, MailResult};
use crate::mail::types::NewMessage;

impl ImapBackend {
    pub(super) async fn all_uids(&mut self) -> MailResult<Vec<u32>> {
        self.listing.restart();
        loop {
            if let Some(uids) = self.list_uids_step().await? {
                return Ok(uids);
            }
        }
    }

    pub(super) async fn list_uids_step(&mut self) -> MailResult<Option<Vec<u32>>> {
        let (lo, hi) = self.listing.next_range();
        let cmd = match hi {
            Some(hi) => format!("UID SEARCH {lo}:{hi}"),
            None => format!("UID SEARCH {lo}:*"),
        };
        let a = match self
            .exchange("list message ids", &cmd, self.limits(SPARE_RESPONSES))
            .await
        {
            Ok(a) => a,
            Err(e) => {
                self.listing.restart();
                return Err(e);
            }
        };
        let mut found = Vec::new();
        for r in &a.untagged {
            match r.parsed() {
                Response::MailboxData(MailboxDatum::Search(uids)) => {
                    found.extend(uids.iter().copied())
                }
                other => self.tracker.absorb(other),
            }
        }
        let Some(uids) = self.listing.took(lo, hi, found) else {
            return Ok(None);
        };
        self.tracker.set_uids(uids.clone());
        Ok(Some(uids))
    }

    pub(super) async fn fetch_rows(&mut self, uids: &[u32]) -> MailResult<Vec<NewMessage>> {
        self.fetch_rows_then(uids, None).await
    }

    pub(super) async fn fetch_rows_then(
        &mut self,
        uids: &[u32],
        next: Option<&[u32]>,
    ) -> MailResult<Vec<NewMessage>> {
        let query = row_query(self.features.condstore);
        let limits = self.row_limits();
        let Some(session) = self.session.as_mut() else {
            return Err(MailError::Network("not connected".to_string()));
        };
        let pipe = &mut self.pipe;
        let result =
            pipeline::rows(session, &mut self.tracker, pipe, uids, next, &query, limits).await;
        self.settle(result)
    }

    pub(super) async fn fetch_newest(&mut self, n: usize) -> MailResult<Vec<NewMessage>> {
        let exists = self.tracker.exists();
        if exists == 0 || n == 0 {
            return Ok(Vec::new());
        }
        // By sequence number: right after SELECT nothing can have shifted
        // them, and the answer names each message's UID.
        let lo = exists.saturating_sub(n as u32 - 1).max(1);
        let cmd = format!("FETCH {lo}:{exists} {}", row_query(self.features.condstore));
        let a = self
            .exchange(
                "fetch newest messages",
                &cmd,
                self.limits(n * 2 + SPARE_RESPONSES),
            )
            .await?;
        // Only the sequence numbers asked for, each once: a server that
        // answers with more must not put rows on the first screen.
        let mut rows = self.selected_rows(&a, |seq, _| (lo..=exists).contains(&seq));
        rows.sort_by_key(|r| r.envelope.uid);
        rows.dedup_by_key(|r| r.envelope.uid);
        Ok(rows)
    }

    pub(super) async fn fetch_rows_above(&mut self, uid: u32) -> MailResult<Vec<NewMessage>> {
        let from = uid.saturating_add(1);
        let cmd = format!("UID FETCH {from}:* {}", row_query(self.features.condstore));
        let a = self
            .exchange("fetch new mail", &cmd, self.limits(BIG_ANSWER))
            .await?;
        // `n:*` always includes the highest UID, even below n.
        let rows = self.selected_rows(&a, |_, u| u > uid);
        self.tracker
            .appended(rows.iter().map(|r| r.envelope.uid).collect());
        Ok(rows)
    }

    pub(super) async fn fetch_flags(
        &mut self,
        lo: u32,
        hi: u32,
        changed_since: Option<u64>,
    ) -> MailResult<FlagScan> {
        let modifier = match changed_since {
            Some(m) if self.features.qresync => format!(" (CHANGEDSINCE {m} VANISHED)"),
            Some(m) if self.features.condstore => format!(" (CHANGEDSINCE {m})"),
            _ => String::new(),
        };
        let cmd = format!("UID FETCH {lo}:{hi} (UID FLAGS){modifier}");
        // Read as it arrives: every message's flags may have changed, and
        // each is kept as a few bytes, not as a parsed response.
        let limits = self.limits(BIG_ANSWER);
        self.ready().await?;
        let Some(session) = self.session.as_mut() else {
            return Err(MailError::Network("not connected".to_string()));
        };
        let tracker = &mut self.tracker;
        let mut scan = FlagScan::default();
        let result = raw::run_each(session, "fetch flags", &cmd, limits, |r| {
            match r.parsed() {
                Response::Fetch(_, attrs) => match fetch::flag_update(&fetch::items(attrs)) {
                    Some(u) => scan.flags.push(u),
                    None => tracker.absorb(r.parsed()),
                },
                Response::Vanished {
                    earlier: true,
                    uids,
                } => match fetch::expand(uids, 1_000_000) {
                    Some(u) => scan
                        .vanished
                        .extend(u.into_iter().filter(|u| (lo..=hi).contains(u))),
                    None => {
                        return Err(
                            "the server reported an impossible number of vanished messages".into(),
                        );
                    }
                },
                other => tracker.absorb(other),
            }
            Ok(())
        })
        .await;
        self.settle(result)?;
        Ok(scan)
    }

    /// The list rows in an answer that `keep` accepts (by sequence number
    /// and UID); everything else goes to the tracker.
    fn selected_rows(&mut self, a: &Answer, keep: impl Fn(u32, u32) -> bool) -> Vec<NewMessage> {
        let mut rows = Vec::new();
        for r in &a.untagged {
            let parsed = r.parsed();
            if let Response::Fetch(seq, attrs) = parsed
                && let Some(row) = fetch::row(&fetch::items(attrs))
            {
                if keep(*seq, row.envelope.uid) {
                    rows.push(row);
                }
                continue;
            }
            self.tracker.absorb(parsed);
        }
        rows
    }
}
