//! The one session's plumbing: every command goes through [`exchange`]
//! (or reads a FETCH sent ahead first, [`ready`]), and an error that ends
//! the session drops it here.
//!
//! [`exchange`]: ImapBackend::exchange
//! [`ready`]: ImapBackend::ready

use async_imap::Session;
use async_imap::imap_proto::Response;

use super::{ImapBackend, SPARE_RESPONSES};
use crate::imap::ImapAuth;
use crate::imap::connect::Transport;
use crate::imap::pipeline;
use crate::imap::raw::{self, Answer, Limits};
use crate::mail::backend::{MailError, MailResult};

impl ImapBackend {
    pub(super) fn session(&mut self) -> MailResult<&mut Session<Transport>> {
        self.session
            .as_mut()
            .ok_or_else(|| MailError::Network("not connected".to_string()))
    }

    /// An answer that can only be short gets the command timeout as a
    /// whole; one that grows with the mailbox gets a step's.
    pub(super) fn limits(&self, responses: usize) -> Limits {
        let t = self.settings.timeouts;
        Limits {
            read: t.command,
            responses,
            whole: Some(if responses <= 100 {
                t.command
            } else {
                t.step()
            }),
        }
    }

    /// Runs one command; on an error that leaves the session unusable the
    /// session is dropped, after looking for the server's reason.
    pub(super) async fn exchange(
        &mut self,
        what: &str,
        command: &str,
        limits: Limits,
    ) -> MailResult<Answer> {
        self.ready().await?;
        let session = self.session()?;
        let result = raw::run(session, what, command, limits).await;
        self.settle(result)
    }

    /// Reads the answer of a FETCH sent ahead, so the next command's answer
    /// is its own.
    pub(super) async fn ready(&mut self) -> MailResult<()> {
        if !self.pipe.busy() {
            return Ok(());
        }
        let limits = self.row_limits();
        let Some(session) = self.session.as_mut() else {
            self.pipe.forget();
            return Ok(());
        };
        let result = pipeline::drain(session, &mut self.tracker, &mut self.pipe, limits).await;
        self.settle(result)
    }

    /// Limits for the answer to a FETCH of n list rows.
    pub(super) fn row_limits(&self) -> impl Fn(usize) -> Limits + use<> {
        let t = self.settings.timeouts;
        move |n| Limits {
            read: t.command,
            responses: n * 2 + SPARE_RESPONSES,
            whole: Some(t.step()),
        }
    }

    pub(super) fn settle<T>(&mut self, result: MailResult<T>) -> MailResult<T> {
        if let Err(e) = &result
            && e.ends_session()
        {
            self.drop_session();
        }
        result
    }

    /// A dropped session may have said why: Exchange ends sessions whose
    /// token expired with `* BYE Session invalidated - AccessTokenExpired`.
    pub(super) fn drop_session(&mut self) {
        self.pipe.forget();
        self.listing.restart();
        if let Some(s) = self.session.take() {
            while let Ok(u) = s.unsolicited_responses.try_recv() {
                if let async_imap::types::UnsolicitedResponse::Other(r) = u {
                    self.tracker.absorb(r.parsed());
                }
            }
        }
        if let Some(text) = self.tracker.bye.take() {
            tracing::warn!(server = %crate::sanitize::Clean::line(&text), "server ended the session");
            if (text.contains("AccessTokenExpired") || text.contains("Session invalidated"))
                && let ImapAuth::Bearer { tokens, .. } = &self.auth
                && let Some(t) = tokens.current_token()
            {
                tokens.rejected(&t);
            }
        }
    }

    /// Hands every response the caller did not consume to the tracker.
    pub(super) fn absorb_rest<'a>(&mut self, rest: impl IntoIterator<Item = &'a Response<'a>>) {
        for r in rest {
            self.tracker.absorb(r);
        }
    }
}
