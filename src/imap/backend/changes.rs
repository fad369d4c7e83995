//! Changes to the mailbox: flags, new messages (APPEND), moves and
//! expunges.

use super::{ImapBackend, SPARE_RESPONSES};
use crate::imap::fetch::uid_set;
use crate::imap::ops;
use crate::imap::select;
use crate::mail::backend::{MailError, MailResult, Moved};
use crate::mail::types::FlagKind;

impl ImapBackend {
    pub(super) async fn store_flag(
        &mut self,
        uids: &[u32],
        flag: FlagKind,
        on: bool,
    ) -> MailResult<()> {
        if uids.is_empty() {
            return Ok(());
        }
        let sign = if on { '+' } else { '-' };
        let cmd = format!(
            "UID STORE {} {sign}FLAGS.SILENT ({})",
            uid_set(uids),
            flag.imap()
        );
        let a = self
            .exchange(
                "change flags",
                &cmd,
                self.limits(uids.len() + SPARE_RESPONSES),
            )
            .await?;
        self.absorb_rest(a.untagged.iter().map(|r| r.parsed()));
        Ok(())
    }

    pub(super) async fn append(
        &mut self,
        path: &str,
        bytes: &[u8],
        flags: &[FlagKind],
    ) -> MailResult<()> {
        match self.append_once(path, bytes, flags).await {
            // A Sent or Drafts folder the server does not have yet (it
            // says [TRYCREATE]): made, once, and the APPEND again. A
            // CREATE the server refuses (the folder exists) leaves the
            // first answer standing.
            Err(MailError::Command(first)) => {
                let create = format!("CREATE {}", crate::imap::select::quote(path)?);
                match self
                    .exchange("create a folder", &create, self.limits(10))
                    .await
                {
                    Ok(_) => {
                        tracing::info!(folder = path, "folder created for a message");
                        self.append_once(path, bytes, flags).await
                    }
                    Err(MailError::Command(_)) => Err(MailError::Command(first)),
                    Err(e) => Err(e),
                }
            }
            other => other,
        }
    }

    /// One APPEND, under a time limit that grows with the message.
    async fn append_once(
        &mut self,
        path: &str,
        bytes: &[u8],
        flags: &[FlagKind],
    ) -> MailResult<()> {
        let list: Vec<&str> = flags.iter().map(|f| f.imap()).collect();
        let flags = format!("({})", list.join(" "));
        // The server reads the literal at its own pace: a step's time, and
        // one more transfer pause per MiB.
        let t = self.settings.timeouts;
        let mib = u32::try_from(bytes.len() >> 20).unwrap_or(u32::MAX);
        let limit = t.step() + t.transfer.saturating_mul(mib.min(1000));
        self.ready().await?;
        let session = self.session()?;
        let result = match tokio::time::timeout(
            limit,
            session.append(path, Some(flags.as_str()), None, bytes),
        )
        .await
        {
            Ok(r) => r.map_err(|e| crate::imap::convert::command_error("store a message", e)),
            Err(_) => Err(MailError::Network(format!(
                "storing a message in {path} took longer than {} s",
                limit.as_secs()
            ))),
        };
        if matches!(result, Err(MailError::Network(_))) {
            self.drop_session();
        }
        self.settle(result)
    }

    pub(super) async fn move_messages(&mut self, uids: &[u32], to: &str) -> MailResult<Moved> {
        if uids.is_empty() {
            return Ok(Moved::default());
        }
        let set = uid_set(uids);
        let target = select::quote(to)?;
        let limits = self.limits(uids.len() * 2 + SPARE_RESPONSES);
        let verb = if self.features.moves { "MOVE" } else { "COPY" };
        let a = self
            .exchange(
                "move messages",
                &format!("UID {verb} {set} {target}"),
                limits,
            )
            .await?;
        let copyuid = ops::copyuid(a.untagged.iter().chain([&a.done]));
        self.absorb_rest(a.untagged.iter().map(|r| r.parsed()));
        let removed = if self.features.moves {
            true
        } else {
            self.expunge_messages(uids).await?
        };
        Ok(Moved { copyuid, removed })
    }

    pub(super) async fn expunge_messages(&mut self, uids: &[u32]) -> MailResult<bool> {
        if uids.is_empty() {
            return Ok(true);
        }
        self.store_flag(uids, FlagKind::Deleted, true).await?;
        if !self.features.uidplus {
            // A plain EXPUNGE would also remove what others marked \Deleted.
            return Ok(false);
        }
        let limits = self.limits(uids.len() * 2 + SPARE_RESPONSES);
        let a = self
            .exchange("expunge", &format!("UID EXPUNGE {}", uid_set(uids)), limits)
            .await?;
        self.absorb_rest(a.untagged.iter().map(|r| r.parsed()));
        Ok(true)
    }
}
