//! Folders: the list, opening one (SELECT, EXAMINE), and counting the
//! others.

use async_imap::imap_proto::{MailboxDatum, Response, StatusAttribute};

use super::{BIG_ANSWER, ImapBackend, SPARE_RESPONSES};
use crate::imap::convert::folder;
use crate::imap::listing::Listing;
use crate::imap::raw;
use crate::imap::select;
use crate::mail::backend::{FolderCount, KnownState, MailError, MailResult, Selected};
use crate::mail::types::{Folder, sort_folders};

impl ImapBackend {
    pub(super) async fn list_folders(&mut self) -> MailResult<Vec<Folder>> {
        let mut folders = Vec::new();
        let mut delimiter = None;
        // Each line made a folder as it arrives: a LIST may be 100,000 lines.
        let limits = self.limits(100_000);
        self.ready().await?;
        let (session, tracker) = (self.session.as_mut(), &mut self.tracker);
        let session = session.ok_or_else(|| MailError::Network("not connected".into()))?;
        let result = raw::run_each(session, "list folders", "LIST \"\" \"*\"", limits, |r| {
            match r.parsed() {
                Response::MailboxData(MailboxDatum::List(l)) => {
                    delimiter =
                        delimiter.or_else(|| l.delimiter.as_deref().and_then(|d| d.chars().next()));
                    folders.push(folder(l));
                }
                other => tracker.absorb(other),
            }
            Ok(())
        })
        .await;
        self.settle(result)?;
        sort_folders(&mut folders, delimiter.unwrap_or('/'));
        Ok(folders)
    }

    pub(super) async fn select(
        &mut self,
        path: &str,
        known: Option<KnownState>,
    ) -> MailResult<Selected> {
        let known = known.filter(|_| self.features.qresync);
        let cmd = select::command(
            path,
            self.features.condstore && !self.features.qresync,
            known,
        )?;
        let what = format!("open {}", raw::excerpt(path));
        // Whatever the last folder reported stays with it; if this SELECT
        // fails the server has no folder selected at all.
        self.tracker.deselected();
        self.read_select(path, &what, &cmd, known).await
    }

    pub(super) async fn examine(&mut self, path: &str) -> MailResult<Selected> {
        let cmd = format!("EXAMINE {}", select::quote(path)?);
        let what = format!("look into {}", raw::excerpt(path));
        self.tracker.deselected();
        self.read_select(path, &what, &cmd, None).await
    }

    pub(super) async fn folder_counts(&mut self, paths: &[String]) -> MailResult<Vec<FolderCount>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let untagged = if self.features.list_status {
            let cmd = "LIST \"\" \"*\" RETURN (STATUS (MESSAGES UNSEEN))";
            self.exchange("count messages", cmd, self.limits(200_000))
                .await?
                .untagged
        } else {
            let cmds: Vec<String> = paths
                .iter()
                .filter_map(|p| select::quote(p).ok())
                .map(|q| format!("STATUS {q} (MESSAGES UNSEEN)"))
                .collect();
            let limits = self.limits(cmds.len() * 4 + SPARE_RESPONSES);
            self.ready().await?;
            let session = self.session()?;
            let result = raw::run_pipelined(session, "count messages", &cmds, limits).await;
            let (untagged, refused) = self.settle(result)?;
            if refused > 0 {
                tracing::debug!(refused, "some folders could not be counted");
            }
            untagged
        };
        let mut counts = Vec::new();
        for r in &untagged {
            match r.parsed() {
                Response::MailboxData(MailboxDatum::Status { mailbox, status }) => {
                    if !paths.iter().any(|p| p == mailbox.as_ref()) {
                        continue;
                    }
                    let mut c = FolderCount {
                        path: mailbox.to_string(),
                        total: 0,
                        unseen: 0,
                    };
                    for s in status {
                        match s {
                            StatusAttribute::Messages(n) => c.total = *n,
                            StatusAttribute::Unseen(n) => c.unseen = *n,
                            _ => {}
                        }
                    }
                    counts.push(c);
                }
                Response::MailboxData(MailboxDatum::List(_)) => {}
                other => self.tracker.absorb(other),
            }
        }
        Ok(counts)
    }

    /// Sends a SELECT or EXAMINE and reads its answer as it arrives: a
    /// QRESYNC answer may hold every message's flags.
    async fn read_select(
        &mut self,
        path: &str,
        what: &str,
        cmd: &str,
        known: Option<KnownState>,
    ) -> MailResult<Selected> {
        let mut reader = select::Reader::new(known);
        let limits = self.limits(BIG_ANSWER);
        self.ready().await?;
        let session = self.session()?;
        let result = raw::run_each(session, what, cmd, limits, |r| {
            reader.feed(r.parsed());
            Ok(())
        })
        .await;
        let done = self.settle(result)?;
        let sel = reader.finish(done.parsed());
        self.tracker.selected(path, sel.exists);
        self.listing = Listing::new(sel.exists);
        Ok(sel)
    }
}
