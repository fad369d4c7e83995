//! The account's sender: a task taking [`SendCommand`]s one at a time
//! (Exchange allows three submissions at once per mailbox; one is plenty
//! and never trips its limit) and reporting [`SendEvent`]s.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::error::{SendError, SendErrorKind as K};
use super::outbox::{EntryId, EntryState, Outbox};
use super::smtp::{self, Job};
use super::{SendCommand, SendEvent, SmtpAuth, SmtpSettings};

/// Starts the sender of `account` on the current tokio runtime.
pub fn spawn(
    account: String,
    smtp: SmtpSettings,
    auth: SmtpAuth,
    outbox: Outbox,
) -> (UnboundedSender<SendCommand>, UnboundedReceiver<SendEvent>) {
    let (commands, command_rx) = unbounded_channel();
    let (event_tx, events) = unbounded_channel();
    let sender = Sender {
        account,
        smtp,
        auth,
        outbox,
        events: event_tx,
    };
    tokio::spawn(sender.run(command_rx));
    (commands, events)
}

struct Sender {
    account: String,
    smtp: SmtpSettings,
    auth: SmtpAuth,
    outbox: Outbox,
    events: UnboundedSender<SendEvent>,
}

impl Sender {
    fn emit(&self, e: SendEvent) {
        let _ = self.events.send(e);
    }

    /// Reports a failure without touching the entry (it was not ours to send).
    fn refuse(&self, id: EntryId, kind: K, sentence: String) {
        tracing::warn!(%id, "not sent: {sentence}");
        self.emit(SendEvent::Failed {
            id,
            error: SendError::new(kind, sentence, None),
        });
    }

    /// Records the failure in the outbox, then reports it.
    fn fail(&self, id: &EntryId, error: SendError) {
        tracing::warn!(
            %id,
            kind = ?error.kind,
            raw = error.raw.as_deref().unwrap_or(""),
            "not sent: {}",
            error.sentence
        );
        let at = crate::auth::oauth::now();
        if let Err(e) = self.outbox.set_state(
            id,
            EntryState::Failed {
                at,
                error: error.clone(),
            },
        ) {
            tracing::error!(%id, "the outbox could not record the failure: {e}");
        }
        self.emit(SendEvent::Failed {
            id: id.clone(),
            error,
        });
    }

    async fn run(self, mut commands: UnboundedReceiver<SendCommand>) {
        let mut queue: VecDeque<EntryId> = VecDeque::new();
        let mut closed = false;
        loop {
            let id = match queue.pop_front() {
                Some(id) => id,
                None if closed => return,
                None => match commands.recv().await {
                    Some(SendCommand::Send { id }) => id,
                    Some(SendCommand::Shutdown) | None => return,
                },
            };
            let Some(meta) = self.ready(&id) else {
                continue;
            };
            let data_started = AtomicBool::new(false);
            let send = smtp::send(
                &self.smtp,
                &self.auth,
                Job {
                    meta: &meta,
                    outbox: &self.outbox,
                    events: &self.events,
                    data_started: &data_started,
                },
            );
            tokio::pin!(send);
            let result = loop {
                tokio::select! {
                    r = &mut send => break Some(r),
                    c = commands.recv(), if !closed => match c {
                        Some(SendCommand::Send { id }) => {
                            // The one in flight too: once it is done, its
                            // state answers (accepted: not sent again).
                            if !queue.contains(&id) {
                                queue.push_back(id);
                            }
                        }
                        Some(SendCommand::Shutdown) => break None,
                        // Nobody to command us: finish what was asked.
                        None => closed = true,
                    },
                }
            };
            match result {
                Some(Ok(())) => {}
                Some(Err(error)) => self.fail(&id, error),
                None => {
                    if !data_started.load(Ordering::SeqCst) {
                        self.fail(
                            &id,
                            SendError::new(
                                K::Interrupted,
                                "mailtui quit before the message was sent; it was not sent.",
                                None,
                            ),
                        );
                    }
                    // Else it stays `Sending`: the next start shows it as uncertain.
                    return;
                }
            }
        }
    }

    /// The entry, marked `Sending` on disk, if it is this sender's to send now.
    fn ready(&self, id: &EntryId) -> Option<super::outbox::EntryMeta> {
        let meta = match self.outbox.meta(id) {
            Ok(m) => m,
            Err(e) => {
                self.refuse(
                    id.clone(),
                    K::Outbox,
                    format!("The message cannot be read from the outbox: {e}."),
                );
                return None;
            }
        };
        if meta.account != self.account {
            self.refuse(
                id.clone(),
                K::Config,
                format!(
                    "The message belongs to account {:?}, not {:?}.",
                    meta.account, self.account
                ),
            );
            return None;
        }
        if let EntryState::Accepted { .. } = meta.state {
            self.refuse(
                id.clone(),
                K::AlreadyAccepted,
                "The server already accepted this message; it is not sent again.".into(),
            );
            return None;
        }
        let since = crate::auth::oauth::now();
        if let Err(e) = self.outbox.set_state(id, EntryState::Sending { since }) {
            self.refuse(
                id.clone(),
                K::Outbox,
                format!("The outbox cannot record the send, so it was not started: {e}."),
            );
            return None;
        }
        tracing::info!(%id, uncertain = meta.uncertain, "sending");
        Some(meta)
    }
}
