//! The effects of writing mail, run for the app loop: the draft and its
//! editor file, attachments, previews, the outbox and the senders. Each
//! job runs off the loop and answers with a [`ComposeEvent`].

pub mod editor;
mod paths;
mod sending;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;
use tracing::{info, warn};

use crate::compose::{self, BuildOptions, ComposeKind, ComposeSettings, Draft, Identity};
use crate::config::{Account, ComposeConfig, Transport};
use crate::state::compose::{ComposeCommand, ComposeEvent};

/// The longest signature file read.
pub const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;

/// What one account writes as.
#[derive(Clone, Debug)]
pub struct AccountOut {
    pub identity: Identity,
    pub signature_file: Option<PathBuf>,
    pub transport: Option<Transport>,
    /// For asking the server its SIZE before the first send.
    pub smtp: Option<crate::send::SmtpSettings>,
    /// What a Graph token for sending asks for (Microsoft accounts).
    pub graph_scopes: Option<Vec<String>>,
    /// Whether mail goes through Graph without trying SMTP.
    pub route: crate::config::sending::SendRoute,
    pub smtp_off: PathBuf,
}

impl AccountOut {
    /// Sends through Graph, not SMTP: by the setting, or since the tenant
    /// said SMTP AUTH is off.
    pub fn graph_only(&self) -> bool {
        use crate::config::sending::SendRoute;
        self.graph_scopes.is_some()
            && (self.route == SendRoute::Graph
                || (self.route == SendRoute::Auto && self.smtp_off.is_file()))
    }
}

/// Runs the compose commands; cheap to clone into tasks.
#[derive(Clone)]
pub struct Outgoing {
    accounts: Arc<Vec<AccountOut>>,
    /// Account names, as outbox entries know them.
    names: Arc<Vec<String>>,
    outbox: Option<crate::send::Outbox>,
    senders: sending::Senders,
    /// When this run began (entries queued before it wait for the user).
    started: i64,
    /// Each account's store, for its address book.
    stores: Arc<Vec<Option<crate::store::StoreHandle>>>,
    /// Accounts whose server was asked its SIZE this run.
    probed: Arc<std::sync::Mutex<std::collections::HashSet<usize>>>,
    runtime: tokio::runtime::Handle,
    /// The editor files (in the data dir, 0700).
    dir: PathBuf,
    config: Arc<ComposeConfig>,
    events: UnboundedSender<ComposeEvent>,
    utc_offset: i32,
}

impl Outgoing {
    /// Opens the outbox and starts a sender per account that sends over
    /// SMTP (`tokens`: each account's token handle, for OAuth2 ones).
    pub fn new(
        accounts: &[Account],
        tokens: &[Option<crate::auth::service::TokenHandle>],
        stores: Vec<Option<crate::store::StoreHandle>>,
        config: ComposeConfig,
        data_dir: &Path,
        events: UnboundedSender<ComposeEvent>,
        utc_offset: i32,
    ) -> Outgoing {
        let outbox = match crate::send::Outbox::open(&data_dir.join("outbox")) {
            Ok(o) => Some(o),
            Err(e) => {
                warn!("the outbox in {} cannot be opened: {e}", data_dir.display());
                None
            }
        };
        let mut senders = Vec::new();
        let mut receivers = Vec::new();
        for (i, a) in accounts.iter().enumerate() {
            let spawned = outbox
                .as_ref()
                .and_then(|o| sender_for(a, tokens.get(i).cloned().flatten(), o, data_dir));
            match spawned {
                Some((tx, rx)) => {
                    senders.push(Some(tx));
                    receivers.push((i, rx));
                }
                None => senders.push(None),
            }
        }
        let names = accounts.iter().map(|a| a.name.clone()).collect();
        let accounts = accounts
            .iter()
            .map(|a| AccountOut {
                identity: Identity {
                    name: a.sending.full_name.clone(),
                    email: a.email.clone(),
                    aliases: a.sending.aliases.clone(),
                },
                signature_file: a
                    .sending
                    .signature_file
                    .clone()
                    .or_else(|| config.signature_file.clone()),
                transport: a.sending.transport.clone(),
                smtp: smtp_settings(a),
                graph_scopes: graph_settings(a).map(|g| g.scopes()),
                route: a.sending.route,
                smtp_off: smtp_off_file(data_dir, &a.name),
            })
            .collect();
        let this = Outgoing {
            accounts: Arc::new(accounts),
            names: Arc::new(names),
            outbox,
            senders: Arc::new(senders),
            started: chrono::Utc::now().timestamp(),
            probed: Default::default(),
            stores: Arc::new(stores),
            runtime: tokio::runtime::Handle::current(),
            dir: data_dir.join("compose"),
            config: Arc::new(config),
            events,
            utc_offset,
        };
        for (i, rx) in receivers {
            sending::forward(this.clone(), i, rx);
        }
        this
    }

    /// The editor's argv for a file.
    pub fn editor(&self, file: &Path) -> Vec<String> {
        editor::editor_argv(self.config.editor.as_deref(), file)
    }

    fn answer(&self, event: ComposeEvent) {
        // The loop is gone only while quitting.
        let _ = self.events.send(event);
    }

    /// Runs a command off the loop (the editor is the loop's own job).
    pub fn handle(&self, cmd: ComposeCommand) {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.run(cmd));
    }

    fn run(&self, cmd: ComposeCommand) {
        match cmd {
            ComposeCommand::Prepare {
                id,
                account,
                kind,
                original,
                comment,
            } => {
                self.probe_size(account);
                let prepared =
                    self.prepare(id, account, kind, original.as_deref(), comment.as_deref());
                self.answer(ready(id, prepared));
            }
            ComposeCommand::Preview { id, draft } => {
                let event = match self.build(&draft, false) {
                    Ok(built) => ComposeEvent::Preview {
                        id,
                        view: Box::new(crate::mail::mime::assemble::build(0, &built.bytes, false)),
                    },
                    Err(error) => ComposeEvent::Failed { id, error },
                };
                self.answer(event);
            }
            ComposeCommand::BuildDraft { id, draft, .. } => {
                let event = match self.build(&draft, true) {
                    Ok(built) => ComposeEvent::Built {
                        id,
                        bytes: Arc::new(built.bytes),
                        message_id: built.message_id,
                    },
                    Err(error) => ComposeEvent::Failed { id, error },
                };
                self.answer(event);
            }
            ComposeCommand::Attach { id, path } => {
                let event = match paths::attachable(&path) {
                    Ok(a) => ComposeEvent::Attached {
                        id,
                        path: a.path,
                        name: a.name,
                        mime: a.mime,
                        size: a.size,
                    },
                    Err(error) => ComposeEvent::Failed { id, error },
                };
                self.answer(event);
            }
            ComposeCommand::Complete { id, text } => {
                let (text, choices) = paths::complete(&text);
                self.answer(ComposeEvent::Completed { id, text, choices });
            }
            ComposeCommand::Discard { file } => {
                if let Err(e) = std::fs::remove_file(&file)
                    && e.kind() != std::io::ErrorKind::NotFound
                {
                    warn!(file = %file.display(), "could not remove the editor file: {e}");
                }
            }
            ComposeCommand::Send {
                id,
                account,
                draft,
                file,
                after,
            } => self.send(id, account, &draft, file.as_deref(), &after),
            ComposeCommand::Retry { entry } => self.retry(&entry),
            ComposeCommand::Remove { entry } | ComposeCommand::Finished { entry } => {
                self.remove(&entry)
            }
            ComposeCommand::Reopen {
                id,
                account: _,
                file,
            } => {
                let event = match editor::read_back(&file).and_then(|text| {
                    compose::from_editor(&text, &Draft::default()).map_err(|e| e.to_string())
                }) {
                    Ok(draft) => ComposeEvent::Ready {
                        id,
                        sizes: sizes(&draft),
                        draft: Box::new(draft),
                        file,
                    },
                    Err(error) => ComposeEvent::Failed {
                        id,
                        error: format!("{error} (the file is {})", file.display()),
                    },
                };
                self.answer(event);
            }
            ComposeCommand::Reedit { id, account, entry } => {
                self.answer(ready(id, self.reedit(id, account, &entry)));
                self.refresh();
            }
            ComposeCommand::Contacts { account } => {
                let store = self.stores.get(account).cloned().flatten();
                let events = self.events.clone();
                self.runtime.spawn(async move {
                    let contacts = match store {
                        Some(s) => s.contacts().await,
                        None => Vec::new(),
                    };
                    let _ = events.send(ComposeEvent::Contacts {
                        account,
                        contacts: Arc::new(contacts),
                    });
                });
            }
            ComposeCommand::Lookup { query } => {
                let argv = self.config.address_book_command.clone();
                let events = self.events.clone();
                self.runtime.spawn(async move {
                    let (found, problem) = match argv {
                        Some(argv) => {
                            let l = crate::addresses::external::lookup(&argv, &query).await;
                            (l.candidates, l.problem)
                        }
                        None => (Vec::new(), None),
                    };
                    let _ = events.send(ComposeEvent::Suggestions {
                        query,
                        found,
                        problem,
                    });
                });
            }
            ComposeCommand::Edit { .. } => {}
        }
    }

    /// Asks the account's server its SIZE once a run, for the review's
    /// warning (a send reports it again).
    fn probe_size(&self, account: usize) {
        if self
            .accounts
            .get(account)
            .is_some_and(AccountOut::graph_only)
        {
            // Graph's limit, without asking an SMTP server that is off.
            self.answer(ComposeEvent::ServerSize {
                account,
                size: Some(crate::send::MAX_GRAPH_MIME),
            });
            return;
        }
        let Some(smtp) = self.accounts.get(account).and_then(|a| a.smtp.clone()) else {
            return;
        };
        if !self
            .probed
            .lock()
            .map(|mut p| p.insert(account))
            .unwrap_or(false)
        {
            return;
        }
        let events = self.events.clone();
        self.runtime.spawn(async move {
            match crate::send::probe_size(&smtp).await {
                Ok(size) => {
                    let _ = events.send(ComposeEvent::ServerSize { account, size });
                }
                Err(e) => tracing::info!(
                    "could not ask the SMTP server its size limit: {}",
                    e.sentence
                ),
            }
        });
    }

    fn settings(&self, account: usize) -> ComposeSettings {
        let signature = self
            .accounts
            .get(account)
            .and_then(|a| a.signature_file.as_deref())
            .and_then(|f| match read_signature(f) {
                Ok(s) => Some(s),
                Err(e) => {
                    warn!("{e}");
                    None
                }
            });
        ComposeSettings {
            attribution: self.config.attribution.clone(),
            signature,
            format_flowed: self.config.format_flowed,
        }
    }

    fn prepare(
        &self,
        id: u64,
        account: usize,
        kind: ComposeKind,
        original: Option<&Vec<u8>>,
        comment: Option<&str>,
    ) -> Result<(Draft, PathBuf), String> {
        let me = self
            .accounts
            .get(account)
            .map(|a| a.identity.clone())
            .ok_or("no such account")?;
        let now = chrono::Utc::now().timestamp();
        let settings = self.settings(account);
        let draft = match (kind, original) {
            (ComposeKind::Answer(answer), Some(raw)) => {
                compose::answer_draft(raw, &me, &settings, answer, comment, now, self.utc_offset)?
            }
            _ => compose::start(
                kind,
                original.map(Vec::as_slice),
                &me,
                &settings,
                now,
                self.utc_offset,
            ),
        };
        let text = compose::to_editor(&draft);
        let file = paths::new_editor_file(&self.dir, id, now, &text).map_err(|e| {
            format!(
                "cannot write the message file in {}: {e}",
                self.dir.display()
            )
        })?;
        info!(file = %file.display(), "message file written");
        Ok((draft, file))
    }

    /// A message from the outbox, back as a draft in an editor file; the
    /// entry goes only once the file is written. Bcc (not in the sent
    /// bytes) comes back from the envelope.
    fn reedit(&self, id: u64, account: usize, entry: &str) -> Result<(Draft, PathBuf), String> {
        let outbox = self.outbox.as_ref().ok_or("no outbox")?;
        let meta = outbox
            .list()
            .into_iter()
            .find(|m| m.id.to_string() == entry)
            .ok_or("the message is no longer in the outbox")?;
        let bytes = outbox
            .bytes(&meta.id)
            .map_err(|e| format!("the outbox entry cannot be read: {e}"))?;
        let me = self
            .accounts
            .get(account)
            .map(|a| a.identity.clone())
            .ok_or("no such account")?;
        let now = chrono::Utc::now().timestamp();
        let mut draft = compose::start(
            ComposeKind::Recall,
            Some(&bytes),
            &me,
            &self.settings(account),
            now,
            self.utc_offset,
        );
        let shown: Vec<String> = compose::parse_lenient(&format!("{}, {}", draft.to, draft.cc))
            .0
            .into_iter()
            .map(|a| a.email.to_lowercase())
            .collect();
        let bcc: Vec<&str> = meta
            .recipients
            .iter()
            .filter(|r| !shown.contains(&r.to_lowercase()))
            .map(String::as_str)
            .collect();
        if draft.bcc.is_empty() && !bcc.is_empty() {
            draft.bcc = bcc.join(", ");
        }
        let file = paths::new_editor_file(&self.dir, id, now, &compose::to_editor(&draft))
            .map_err(|e| {
                format!(
                    "cannot write the message file in {}: {e}",
                    self.dir.display()
                )
            })?;
        outbox
            .remove(&meta.id)
            .map_err(|e| format!("the outbox entry cannot be removed: {e}"))?;
        Ok((draft, file))
    }

    fn build(&self, draft: &Draft, keep_bcc: bool) -> Result<compose::Built, String> {
        compose::build(
            draft,
            &BuildOptions {
                now: chrono::Utc::now().timestamp(),
                zone_offset_secs: self.utc_offset,
                keep_bcc,
                message_id: None,
                format_flowed: self.config.format_flowed,
            },
        )
        .map_err(|e| e.to_string())
    }

    /// Writes the editor's file anew from the draft (To or Cc changed on
    /// the review screen), in place so its mode stays 0600.
    pub fn rewrite(&self, file: &Path, draft: &Draft) -> Result<(), String> {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(file)
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        f.write_all(compose::to_editor(draft).as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| format!("cannot write {}: {e}", file.display()))
    }

    /// Reads the editor's file back into a draft, for the loop.
    pub fn edited(
        &self,
        id: u64,
        file: &Path,
        previous: &Draft,
        note: Option<String>,
    ) -> ComposeEvent {
        let note = note.map(|n| format!("{n}; the text is kept in {}", file.display()));
        let result = editor::read_back(file)
            .and_then(|text| compose::from_editor(&text, previous).map_err(|e| e.to_string()))
            .map(Box::new);
        let sizes = match &result {
            Ok(d) => sizes(d),
            Err(_) => sizes(previous),
        };
        ComposeEvent::Edited {
            id,
            result,
            note,
            sizes,
        }
    }
}

/// The sender of an account that submits over SMTP.
fn sender_for(
    a: &Account,
    tokens: Option<crate::auth::service::TokenHandle>,
    outbox: &crate::send::Outbox,
    data_dir: &Path,
) -> Option<(
    UnboundedSender<crate::send::SendCommand>,
    tokio::sync::mpsc::UnboundedReceiver<crate::send::SendEvent>,
)> {
    use crate::config::AccountKind;
    use crate::send::SmtpAuth;
    let settings = smtp_settings(a)?;
    let graph = match (graph_settings(a), &tokens) {
        (Some(settings), Some(tokens)) => Some(crate::send::GraphRoute {
            settings,
            tokens: tokens.clone(),
            route: a.sending.route,
            smtp_off: crate::send::SmtpOff {
                file: smtp_off_file(data_dir, &a.name),
            },
        }),
        _ => None,
    };
    let auth = match (&a.kind, tokens) {
        (AccountKind::Imap { imap, password }, _) => SmtpAuth::Password {
            user: imap.username.clone(),
            password: password.clone(),
        },
        (AccountKind::OAuth2 { imap, .. }, Some(tokens)) => SmtpAuth::Bearer {
            user: smtp_login(a).unwrap_or_else(|| imap.username.clone()),
            tokens,
        },
        _ => return None,
    };
    Some(crate::send::spawn(
        a.name.clone(),
        settings,
        auth,
        graph,
        outbox.clone(),
    ))
}

/// Where a Microsoft account sends through Graph.
fn graph_settings(a: &Account) -> Option<crate::send::GraphSettings> {
    let crate::config::AccountKind::OAuth2 { .. } = &a.kind else {
        return None;
    };
    Some(crate::send::GraphSettings {
        url: a.sending.graph_url.clone()?,
        // A shared mailbox sends as itself: /users/{shared}/sendMail.
        shared: a.shared_mailbox().map(|_| a.email.clone()),
        timeout: SMTP_TIMEOUT,
    })
}

/// The file that says an account's tenant turned SMTP AUTH off.
pub fn smtp_off_file(data_dir: &Path, account: &str) -> PathBuf {
    let name: String = url::form_urlencoded::byte_serialize(account.as_bytes()).collect();
    data_dir.join("sending").join(format!("{name}.smtp-off"))
}

/// Who SMTP authenticates as when it is not the IMAP login: a shared
/// mailbox sends as the delegate (Exchange refuses `user=` a shared
/// mailbox, 535 5.7.3) with the delegate's token, and the shared address
/// in From and MAIL FROM, where Exchange checks Send As (550 5.7.60).
/// `tokens` handed to `Outgoing::new` are then the delegate's.
fn smtp_login(a: &Account) -> Option<String> {
    a.shared_mailbox().map(|s| s.delegate_login.clone())
}

/// The account's SMTP server, where it sends over SMTP.
fn smtp_settings(a: &Account) -> Option<crate::send::SmtpSettings> {
    use crate::config::AccountKind;
    let Some(Transport::Smtp(server)) = &a.sending.transport else {
        return None;
    };
    let ca_file = match &a.kind {
        AccountKind::Imap { imap, .. } | AccountKind::OAuth2 { imap, .. } => imap.ca_file.clone(),
        AccountKind::Maildir(_) => None,
    };
    Some(crate::send::SmtpSettings {
        host: server.host.clone(),
        port: server.port,
        tls: server.tls,
        ca_file,
        timeout: SMTP_TIMEOUT,
    })
}

/// Each SMTP step's time limit.
const SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// A draft and its editor file made, or why not, as the screen hears it.
fn ready(id: u64, made: Result<(Draft, PathBuf), String>) -> ComposeEvent {
    match made {
        Ok((draft, file)) => ComposeEvent::Ready {
            id,
            sizes: sizes(&draft),
            draft: Box::new(draft),
            file,
        },
        Err(error) => ComposeEvent::Failed { id, error },
    }
}

/// Sizes of a draft's attachments where they are known without reading.
fn sizes(draft: &Draft) -> Vec<Option<u64>> {
    draft
        .attachments
        .iter()
        .map(|a| match &a.source {
            compose::AttachmentSource::Bytes(b) => Some(b.len() as u64),
            compose::AttachmentSource::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
        })
        .collect()
}

fn read_signature(file: &Path) -> Result<String, String> {
    use std::io::Read as _;
    let f =
        std::fs::File::open(file).map_err(|e| format!("signature file {}: {e}", file.display()))?;
    let mut bytes = Vec::new();
    f.take(MAX_SIGNATURE_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("signature file {}: {e}", file.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(crate::sanitize::Clean::text(&text).to_string())
}
