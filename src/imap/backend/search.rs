//! Searches on the server: by query, and by Message-ID.

use async_imap::imap_proto::{MailboxDatum, Response};

use super::{ImapBackend, SPARE_RESPONSES};
use crate::imap::ops;
use crate::imap::raw::{self, Answer, Limits};
use crate::mail::backend::{MailError, MailResult};
use crate::query::{ImapOptions, Now, Query};

impl ImapBackend {
    /// The query's criteria, as this server wants them (see
    /// `search_profile`); the answer may hold more than the query asks,
    /// which the caller checks against the rows.
    pub(super) async fn search(&mut self, query: &Query, now: &Now) -> MailResult<Vec<u32>> {
        let opts = ImapOptions {
            profile: self.search_profile,
            // The Date field, as the list shows and the matcher checks.
            sent_dates: true,
            ascii_only: self.search_ascii_only,
        };
        let search = query.server_search(now, opts);
        if let Some(text) = search.unsearchable.first() {
            return Err(MailError::Command(format!(
                "it takes ASCII text only, not \"{}\"",
                crate::sanitize::Clean::line(text)
            )));
        }
        let criteria = search.criteria;
        let mut head = String::from("UID SEARCH ");
        if criteria.charset_utf8 {
            head.push_str("CHARSET UTF-8 ");
        }
        let mut steps = criteria.steps(self.literal_plus);
        if let Some(first) = steps.first_mut() {
            first.splice(0..0, head.into_bytes());
        }
        let limits = Limits {
            read: self.settings.timeouts.transfer,
            responses: SPARE_RESPONSES,
            whole: Some(self.settings.timeouts.step()),
        };
        self.ready().await?;
        let session = self.session()?;
        let result = raw::run_steps(session, "search", &steps, limits).await;
        if let Err(MailError::Command(e)) = &result
            && e.contains("BADCHARSET")
        {
            // Asked with CHARSET UTF-8 and refused: from now on such text
            // stays with the list (and the user is told so).
            self.search_ascii_only = true;
        }
        self.found(result)
    }

    pub(super) async fn find_message_ids(&mut self, ids: &[String]) -> MailResult<Vec<u32>> {
        let mut found = Vec::new();
        for id in ids.iter().take(1000) {
            let limits = self.limits(SPARE_RESPONSES);
            let prefix = "UID SEARCH HEADER Message-ID";
            found.extend(
                self.searching("find a message", prefix, &format!("<{id}>"), limits)
                    .await?,
            );
        }
        found.sort_unstable();
        found.dedup();
        Ok(found)
    }

    /// A SEARCH with user text in it; the UIDs it found.
    async fn searching(
        &mut self,
        what: &str,
        prefix: &str,
        text: &str,
        limits: Limits,
    ) -> MailResult<Vec<u32>> {
        let literal_plus = self.literal_plus;
        self.ready().await?;
        let session = self.session()?;
        let result = raw::run_with_text(session, what, prefix, text, literal_plus, limits).await;
        self.found(result)
    }

    /// The UIDs of a SEARCH answer; the rest of it goes to the tracker.
    fn found(&mut self, result: MailResult<Answer>) -> MailResult<Vec<u32>> {
        let a = self.settle(result)?;
        let uids = ops::searched(&a.untagged);
        for r in &a.untagged {
            if !matches!(r.parsed(), Response::MailboxData(MailboxDatum::Search(_))) {
                self.tracker.absorb(r.parsed());
            }
        }
        Ok(uids)
    }
}
