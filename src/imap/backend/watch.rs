//! Waiting for the selected folder to change: IDLE, or a poll where the
//! server has none (or refused IDLE once).

use std::future::Future;
use std::time::Duration;

use super::ImapBackend;
use crate::imap::idle::{self, Mode, Outcome};
use crate::mail::backend::{MailError, MailResult};

impl ImapBackend {
    pub(super) async fn watch(
        &mut self,
        max: Duration,
        stop: impl Future<Output = ()> + Send,
    ) -> MailResult<()> {
        let t = self.settings.timeouts;
        let use_idle = self.features.idle && !self.idle_broken;
        let (mode, slice) = if use_idle {
            (Mode::Idle, t.idle_slice)
        } else {
            (Mode::Poll, t.poll)
        };
        let mut silent = false;
        self.ready().await?;
        let session = self
            .session
            .as_mut()
            .ok_or_else(|| MailError::Network("not connected".into()))?;
        let result = idle::watch(
            session,
            &mut self.tracker,
            mode,
            max.min(slice),
            t.command,
            &mut silent,
            stop,
        )
        .await;
        match result {
            Ok(Outcome::Done) => Ok(()),
            Ok(Outcome::IdleRefused(why)) => {
                tracing::warn!(
                    "the server refused IDLE ({why}); checking for changes every {}s instead",
                    t.poll.as_secs()
                );
                self.idle_broken = true;
                Ok(())
            }
            Err(e) => {
                if use_idle && silent {
                    tracing::warn!(
                        "the server did not start IDLE ({e}); checking for changes every {}s from now on",
                        t.poll.as_secs()
                    );
                    self.idle_broken = true;
                }
                self.settle(Err(e))
            }
        }
    }
}
