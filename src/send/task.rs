//! The account's sender: a task taking [`SendCommand`]s one at a time
//! (Exchange allows three submissions at once per mailbox; one is plenty
//! and never trips its limit) and reporting [`SendEvent`]s.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::error::{SendError, SendErrorKind as K};
use super::graph::{self, GraphSettings};
use super::outbox::{EntryId, EntryState, Outbox};
use super::smtp::{self, Job};
use super::{SendCommand, SendEvent, SmtpAuth, SmtpSettings};
use crate::auth::service::TokenHandle;
use crate::config::sending::SendRoute;

/// A Microsoft account's other way out: Graph, when the account says so
/// or once its tenant answered that SMTP AUTH is off.
#[derive(Clone, Debug)]
pub struct GraphRoute {
    pub settings: GraphSettings,
    pub tokens: TokenHandle,
    pub route: SendRoute,
    pub smtp_off: SmtpOff,
}

/// Remembers, across runs, that an account's tenant turned SMTP AUTH off,
/// so later sends go straight to Graph. A file holding the server's reply.
#[derive(Clone, Debug)]
pub struct SmtpOff {
    pub file: std::path::PathBuf,
}

impl SmtpOff {
    pub fn is_set(&self) -> bool {
        self.file.is_file()
    }

    fn set(&self, reply: &str) {
        let text = format!("{}\n{reply}\n", crate::auth::oauth::now());
        let written = self
            .file
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(&self.file, text));
        if let Err(e) = written {
            tracing::warn!(file = %self.file.display(), "cannot remember that SMTP is off: {e}");
        }
    }
}

/// Starts the sender of `account` on the current tokio runtime.
pub fn spawn(
    account: String,
    smtp: SmtpSettings,
    auth: SmtpAuth,
    graph: Option<GraphRoute>,
    outbox: Outbox,
) -> (UnboundedSender<SendCommand>, UnboundedReceiver<SendEvent>) {
    let (commands, command_rx) = unbounded_channel();
    let (event_tx, events) = unbounded_channel();
    let sender = Sender {
        account,
        smtp,
        auth,
        graph,
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
    graph: Option<GraphRoute>,
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
            let send = self.send(&meta, &data_started);
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

    /// Over SMTP, or Graph where the account's route says so; SMTP turned
    /// off (5.7.139) sends the same entry on through Graph at once (AUTH
    /// failed, so no byte of it went over SMTP) and is remembered.
    async fn send(
        &self,
        meta: &super::outbox::EntryMeta,
        data_started: &AtomicBool,
    ) -> Result<(), SendError> {
        let job = || Job {
            meta,
            outbox: &self.outbox,
            events: &self.events,
            data_started,
        };
        let graph = self.graph.as_ref();
        let straight_to_graph = graph.is_some_and(|g| {
            g.route == SendRoute::Graph || (g.route == SendRoute::Auto && g.smtp_off.is_set())
        });
        if let Some(g) = graph.filter(|_| straight_to_graph) {
            return graph::send(&g.settings, &g.tokens, job()).await;
        }
        let result = smtp::send(&self.smtp, &self.auth, job()).await;
        match (result, graph) {
            (Err(e), Some(g))
                if e.kind == K::AuthDisabled
                    && g.route == SendRoute::Auto
                    && !data_started.load(Ordering::SeqCst) =>
            {
                let reply = e.raw.clone().unwrap_or_default();
                tracing::warn!(account = %self.account, reply = %crate::sanitize::Clean::line(&reply), "SMTP AUTH is off for this account: sending through Microsoft Graph from now on");
                g.smtp_off.set(&reply);
                self.emit(SendEvent::Note {
                    text: "SMTP sending is off for this account (5.7.139): sending through Microsoft Graph from now on".into(),
                });
                graph::send(&g.settings, &g.tokens, job()).await
            }
            (result, _) => result,
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
