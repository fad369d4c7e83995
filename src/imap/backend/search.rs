//! Searches on the server: by text, and by Message-ID.

use async_imap::imap_proto::{MailboxDatum, Response};

use super::{ImapBackend, SPARE_RESPONSES};
use crate::imap::ops;
use crate::imap::raw::{self, Limits};
use crate::mail::backend::MailResult;

impl ImapBackend {
    pub(super) async fn search_text(&mut self, text: &str) -> MailResult<Vec<u32>> {
        let limits = Limits {
            read: self.settings.timeouts.transfer,
            responses: SPARE_RESPONSES,
            whole: Some(self.settings.timeouts.step()),
        };
        let prefix = "UID SEARCH CHARSET UTF-8 TEXT";
        self.searching("search", prefix, text, limits).await
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
