//! New mail of a folder that is not open, into the store: a results view
//! across folders shows a folder (another account's INBOX, say) whose
//! count grew while the account has another one open. Only rows above
//! what the last sync saw, never a sync: the folder's state is left as it
//! was, so its next opening reconciles it whole (new mail, flags,
//! expunges), and rows added here are known then.

use tracing::info;

use super::protocol::{FolderRef, WorkerEvent};
use super::run::Worker;
use crate::mail::backend::{MailBackend, MailError};
use crate::sync::Known;
use crate::sync::reconcile::accept_rows;

/// New rows one fetch brings at most (the newest); the rest come when the
/// folder is opened.
pub const FETCH_NEW_MAX: usize = 2_000;

impl<B: MailBackend> Worker<B> {
    /// With the folder selected (not the open one): rows above the
    /// stored UIDNEXT into the store, when the stored rows are of the
    /// UIDVALIDITY the op was checked against.
    pub(super) async fn fetch_new_elsewhere(
        &mut self,
        folder: &FolderRef,
        op: u64,
    ) -> Result<(), MailError> {
        let path = folder.path.clone();
        let (state, known) = self
            .store
            .call(move |s| (s.folder_state(&path), s.known(&path)))
            .await
            .unwrap_or_default();
        let top = match state {
            Some(s) if folder.uid_validity != 0 && s.uid_validity == folder.uid_validity => {
                s.uid_next.map(|n| n.saturating_sub(1))
            }
            _ => None,
        };
        let Some(top) = top else {
            // Never synced, or of another UIDVALIDITY: its opening does it.
            self.emit(WorkerEvent::Done { op, note: None });
            return Ok(());
        };
        let rows = self.backend.fetch_rows_above(top).await?;
        let known = Known::new(known);
        let (mut rows, _) = accept_rows(|u| u > top, &known, rows);
        if rows.len() > FETCH_NEW_MAX {
            rows.sort_unstable_by_key(|r| std::cmp::Reverse(r.envelope.uid));
            rows.truncate(FETCH_NEW_MAX);
        }
        if !rows.is_empty() {
            info!(count = rows.len(), folder = %crate::sanitize::Clean::line(&folder.path), "new mail in a folder not open");
            let envelopes = rows.iter().map(|r| r.envelope.clone()).collect();
            let path = folder.path.clone();
            self.store.send(move |s| s.insert(&path, &rows));
            self.emit(WorkerEvent::RowsAdded {
                path: folder.path.clone(),
                uid_validity: folder.uid_validity,
                envelopes,
            });
        }
        // After the store's job is queued: an answer asked on it has them.
        self.emit(WorkerEvent::Done { op, note: None });
        Ok(())
    }
}
