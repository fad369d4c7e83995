//! Sending: the message built once, put in the outbox before any network
//! step, handed to the account's sender; the sender's answers turned into
//! what the screen shows. The demo "sends" into a local Maildir.

use std::sync::Arc;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tracing::{info, warn};

use super::Outgoing;
use crate::compose::Draft;
use crate::config::Transport;
use crate::send::{self, AfterSend, EntryMeta, EntryState, NewEntry, SendCommand, SendEvent};
use crate::state::compose::{ComposeEvent, Followups, OutboxRow, RowState, Source};
use crate::worker::FolderRef;

/// Leftover editor files listed at most (each is read to show it).
pub const MAX_UNFINISHED: usize = 100;

/// An account's sender task, where it has one.
pub type Senders = Arc<Vec<Option<UnboundedSender<SendCommand>>>>;

impl Outgoing {
    /// Build, queue, send.
    pub(super) fn send(
        &self,
        id: u64,
        account: usize,
        draft: &Draft,
        file: Option<&std::path::Path>,
        after: &Followups,
    ) {
        let Some(out) = self.accounts.get(account) else {
            return;
        };
        if out.transport.is_none() {
            self.answer(ComposeEvent::Failed {
                id,
                error: "this account has no way to send: set smtp = { host = \"…\" } for it in the config"
                    .into(),
            });
            return;
        }
        let built = match self.build(draft, false) {
            Ok(b) => b,
            Err(error) => {
                self.answer(ComposeEvent::Failed { id, error });
                return;
            }
        };
        if built.recipients.is_empty() {
            self.answer(ComposeEvent::Failed {
                id,
                error: "no recipient: write one in To, Cc or Bcc (e)".into(),
            });
            return;
        }
        let entry = NewEntry {
            account: self.names[account].clone(),
            bytes: built.bytes,
            envelope_from: built.envelope_from,
            recipients: built.recipients,
            subject: draft.subject.clone(),
            after: after_send(after),
        };
        let queued = match self.outbox.as_ref() {
            Some(o) => o.add(entry),
            None => Err(std::io::Error::other("no outbox")),
        };
        let entry = match queued {
            Ok(e) => e,
            Err(e) => {
                self.answer(ComposeEvent::Failed {
                    id,
                    error: format!(
                        "not sent: the outbox could not be written ({e}); the message is kept"
                    ),
                });
                return;
            }
        };
        info!(entry = %entry, "message in the outbox");
        // Safe in the outbox now: the editor's copy can go.
        if let Some(f) = file
            && let Err(e) = std::fs::remove_file(f)
        {
            warn!(file = %f.display(), "could not remove the editor file: {e}");
        }
        self.answer(ComposeEvent::Queued {
            id,
            entry: entry.to_string(),
        });
        self.refresh();
        self.dispatch(account, entry);
    }

    /// Hands an entry to its account's way of sending.
    pub(super) fn dispatch(&self, account: usize, entry: send::EntryId) {
        match self
            .accounts
            .get(account)
            .and_then(|a| a.transport.as_ref())
        {
            Some(Transport::Maildir(dir)) => self.deliver_locally(account, dir, entry),
            Some(Transport::Smtp(_)) => match self.senders.get(account).and_then(Option::as_ref) {
                Some(tx) => {
                    let _ = tx.send(SendCommand::Send { id: entry });
                }
                None => self.answer(ComposeEvent::SendFailed {
                    entry: entry.to_string(),
                    account,
                    sentence: "this account's sender did not start".into(),
                    sign_in: false,
                    approve: None,
                }),
            },
            _ => self.answer(ComposeEvent::SendFailed {
                entry: entry.to_string(),
                account,
                sentence: "this account has no way to send (smtp is not set)".into(),
                sign_in: false,
                approve: None,
            }),
        }
    }

    fn deliver_locally(&self, account: usize, dir: &std::path::Path, entry: send::EntryId) {
        let Some(outbox) = self.outbox.as_ref() else {
            return;
        };
        let result = outbox
            .bytes(&entry)
            .and_then(|b| crate::mail::maildir::deliver(dir, &b, "").map(|_| ()));
        let event = match result {
            Ok(()) => {
                let reply = format!("delivered into {}", dir.display());
                let _ = outbox.set_state(
                    &entry,
                    EntryState::Accepted {
                        at: chrono::Utc::now().timestamp(),
                        reply: reply.clone(),
                    },
                );
                SendEvent::Accepted {
                    id: entry,
                    reply,
                    sent_filed: false,
                }
            }
            Err(e) => SendEvent::Failed {
                id: entry,
                error: send::SendError {
                    sentence: format!("could not deliver into {}: {e}", dir.display()),
                    raw: None,
                    kind: send::SendErrorKind::Config,
                },
            },
        };
        self.on_send_event(account, event);
    }

    /// The outbox as rows, to the screen.
    pub(super) fn refresh(&self) {
        let Some(outbox) = self.outbox.as_ref() else {
            return;
        };
        let mut rows: Vec<OutboxRow> = outbox.list().into_iter().map(|m| self.row(&m)).collect();
        rows.extend(self.unfinished());
        self.answer(ComposeEvent::Outbox(rows));
    }

    /// Editor files an earlier run left (each file's name carries the
    /// process that wrote it), as rows to continue or delete.
    fn unfinished(&self) -> Vec<OutboxRow> {
        let me = format!("-{}-", std::process::id());
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut rows: Vec<OutboxRow> = dir
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|x| x == "eml")
                    && p.file_name()
                        .is_some_and(|n| !n.to_string_lossy().contains(&me))
            })
            .take(MAX_UNFINISHED)
            .map(|p| {
                let text = super::editor::read_back(&p).unwrap_or_default();
                let draft =
                    crate::compose::from_editor(&text, &Draft::default()).unwrap_or_default();
                let from = crate::compose::parse_addresses(&draft.from)
                    .ok()
                    .and_then(|a| a.into_iter().next())
                    .map(|a| a.email.to_lowercase());
                let account = self
                    .accounts
                    .iter()
                    .position(|a| Some(a.identity.email.to_lowercase()) == from)
                    .unwrap_or(usize::MAX);
                let created = std::fs::metadata(&p)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_secs() as i64);
                OutboxRow {
                    entry: p.display().to_string(),
                    account,
                    subject: if draft.subject.is_empty() {
                        "(no subject)".into()
                    } else {
                        draft.subject
                    },
                    recipients: draft.to,
                    created,
                    state: RowState::Unfinished,
                }
            })
            .collect();
        rows.sort_by_key(|r| r.created);
        rows
    }

    fn account_index(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|n| n == name)
            .unwrap_or(usize::MAX)
    }

    fn row(&self, m: &EntryMeta) -> OutboxRow {
        OutboxRow {
            entry: m.id.to_string(),
            account: self.account_index(&m.account),
            subject: m.subject.clone(),
            recipients: m.recipients.join(", "),
            created: m.created,
            state: match &m.state {
                // Queued by an earlier run that never got to send it.
                EntryState::Queued if m.created < self.started => {
                    RowState::Failed("not sent yet: mailtui stopped before sending it".into())
                }
                EntryState::Queued => RowState::Queued,
                EntryState::Sending { .. } if m.uncertain() => RowState::Uncertain,
                EntryState::Sending { .. } => RowState::Sending("sending".into()),
                EntryState::Broken { problem } => {
                    RowState::Failed(format!("this entry cannot be read: {problem}"))
                }
                EntryState::Accepted { .. } => RowState::Accepted,
                EntryState::Failed { error, .. } => RowState::Failed(error.sentence.clone()),
            },
        }
    }

    /// What a sender said, for the screen.
    pub(super) fn on_send_event(&self, account: usize, event: SendEvent) {
        match event {
            SendEvent::Step { id, step } => {
                let step = match step {
                    send::SendStep::Connecting => "connecting",
                    send::SendStep::Securing => "securing the connection",
                    send::SendStep::Authenticating => "signing in",
                    send::SendStep::Transferring => "sending",
                };
                self.answer(ComposeEvent::Progress {
                    entry: id.to_string(),
                    step: step.to_string(),
                });
            }
            SendEvent::Accepted {
                id,
                reply,
                sent_filed: _,
            } => {
                info!(entry = %id, reply = %crate::sanitize::Clean::line(&reply), "message accepted");
                self.accepted(account, &id, reply);
                self.refresh();
            }
            SendEvent::Note { text } => {
                info!(account, "{text}");
                self.answer(ComposeEvent::SendingNote { account, text });
                // From now on the review measures against Graph's limit.
                self.answer(ComposeEvent::ServerSize {
                    account,
                    size: Some(send::MAX_GRAPH_MIME),
                });
            }
            SendEvent::Failed { id, error } => {
                if let Some(raw) = &error.raw {
                    warn!(entry = %id, reply = %crate::sanitize::Clean::line(raw), "not sent");
                }
                let sign_in = matches!(
                    error.kind,
                    send::SendErrorKind::Auth | send::SendErrorKind::SignIn
                );
                let approve = match error.kind {
                    send::SendErrorKind::Consent => self
                        .accounts
                        .get(account)
                        .and_then(|a| a.graph_scopes.clone()),
                    _ => None,
                };
                self.answer(ComposeEvent::SendFailed {
                    entry: id.to_string(),
                    account,
                    sentence: error.sentence,
                    sign_in,
                    approve,
                });
                self.refresh();
            }
            SendEvent::ServerSize { size } => {
                self.answer(ComposeEvent::ServerSize { account, size })
            }
        }
    }

    /// An accepted entry: its follow-ups go to the screen, which asks the
    /// account's worker for them.
    pub(super) fn accepted(&self, account: usize, id: &send::EntryId, reply: String) {
        let Some(outbox) = self.outbox.as_ref() else {
            return;
        };
        let meta = outbox.list().into_iter().find(|m| &m.id == id);
        let bytes = outbox.bytes(id);
        let (Some(meta), Ok(bytes)) = (meta, bytes) else {
            warn!(entry = %id, "an accepted message is gone from the outbox");
            return;
        };
        let message_id = message_id(&bytes).unwrap_or_default();
        // Whom the user writes to ranks first in completion next time.
        if let Some(store) = self.stores.get(account).cloned().flatten() {
            let names = recipient_names(&bytes);
            let recipients = meta
                .recipients
                .iter()
                .map(|r| crate::mail::types::Sender {
                    address: r.clone(),
                    name: names
                        .iter()
                        .find(|(a, _)| a.eq_ignore_ascii_case(r))
                        .map(|(_, n)| n.clone())
                        .unwrap_or_default(),
                })
                .collect();
            store.record_sent(recipients, chrono::Utc::now().timestamp());
        }
        let mut after = followups(account, &meta.after);
        if send::sent_filed_by(&reply) {
            // Graph filed it in Sent Items: an APPEND would be a second copy.
            after.save_sent = None;
            after.server_filed = true;
        }
        self.answer(ComposeEvent::Sent {
            entry: id.to_string(),
            account,
            after,
            bytes: Arc::new(bytes),
            message_id,
            reply,
        });
    }

    /// At start: what the outbox holds. Accepted entries finish their
    /// follow-ups (a Sent copy is looked for before it is stored again);
    /// the rest wait for the user.
    pub fn resume(&self) {
        let Some(outbox) = self.outbox.as_ref() else {
            return;
        };
        self.refresh();
        for m in outbox.list() {
            if let EntryState::Accepted { reply, .. } = &m.state {
                let account = self.account_index(&m.account);
                self.accepted(account, &m.id, reply.clone());
            }
        }
    }

    pub(super) fn retry(&self, entry: &str) {
        let Some(outbox) = self.outbox.as_ref() else {
            return;
        };
        let Some(meta) = outbox
            .list()
            .into_iter()
            .find(|m| m.id.to_string() == entry)
        else {
            return;
        };
        let account = self.account_index(&meta.account);
        if account == usize::MAX {
            self.answer(ComposeEvent::SendFailed {
                entry: entry.to_string(),
                account,
                sentence: format!("no account named \"{}\" in the config", meta.account),
                sign_in: false,
                approve: None,
            });
            return;
        }
        match &meta.state {
            // Taken by the server: its follow-ups may still be under way,
            // but it is never sent again.
            EntryState::Accepted { .. } => {
                info!(entry, "not sent again: the server already accepted it");
                return;
            }
            // On its way in this run: the sender has it.
            EntryState::Sending { .. } if !meta.uncertain() => return,
            _ => {}
        }
        let _ = outbox.set_state(&meta.id, EntryState::Queued);
        self.refresh();
        self.dispatch(account, meta.id);
    }

    pub(super) fn remove(&self, entry: &str) {
        let Some(outbox) = self.outbox.as_ref() else {
            return;
        };
        if let Some(m) = outbox
            .list()
            .into_iter()
            .find(|m| m.id.to_string() == entry)
            && let Err(e) = outbox.remove(&m.id)
        {
            warn!(entry, "could not remove from the outbox: {e}");
        }
        self.refresh();
    }
}

/// Forwards a sender's events to the screen, for as long as it runs.
pub(super) fn forward(outgoing: Outgoing, account: usize, mut rx: UnboundedReceiver<SendEvent>) {
    tokio::spawn(async move {
        while let Some(ev) = rx.recv().await {
            let o = outgoing.clone();
            // The outbox is files: read them off the runtime's threads.
            let _ = tokio::task::spawn_blocking(move || o.on_send_event(account, ev)).await;
        }
    });
}

fn after_send(f: &Followups) -> AfterSend {
    let place = |s: &Option<Source>| {
        s.as_ref()
            .map(|s| (s.folder.path.clone(), s.uid, s.folder.uid_validity))
    };
    AfterSend {
        answered: place(&f.answered),
        forwarded: place(&f.forwarded),
        save_sent: f.save_sent.clone(),
        replaces_draft: place(&f.replaces_draft),
    }
}

fn followups(account: usize, a: &AfterSend) -> Followups {
    let source = |p: &Option<(String, u32, u32)>| {
        p.as_ref().map(|(path, uid, validity)| Source {
            account,
            folder: FolderRef {
                path: path.clone(),
                uid_validity: *validity,
            },
            uid: *uid,
        })
    };
    Followups {
        answered: source(&a.answered),
        forwarded: source(&a.forwarded),
        save_sent: a.save_sent.clone(),
        replaces_draft: source(&a.replaces_draft),
        server_filed: false,
    }
}

/// (address, name) of To and Cc as the message has them.
fn recipient_names(bytes: &[u8]) -> Vec<(String, String)> {
    let Some(m) = mail_parser::MessageParser::new().parse_headers(bytes) else {
        return Vec::new();
    };
    [m.to(), m.cc()]
        .into_iter()
        .flatten()
        .flat_map(|a| a.iter())
        .filter_map(|a| Some((a.address()?.to_string(), a.name()?.to_string())))
        .collect()
}

/// The Message-ID, without its angle brackets.
fn message_id(bytes: &[u8]) -> Option<String> {
    let m = mail_parser::MessageParser::new().parse_headers(bytes)?;
    m.message_id().map(str::to_string)
}
