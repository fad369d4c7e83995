//! [`MailBackend`] over one IMAP connection.

use std::ops::RangeInclusive;
use std::time::Duration;

use async_imap::Session;
use futures::TryStreamExt;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;

use super::connect::{Transport, open};
use super::convert::{command_error, envelope, folder, login_error};
use super::{ImapSettings, tls};
use crate::auth::Secret;
use crate::mail::backend::{FolderStatus, MailBackend, MailError, MailResult};
use crate::mail::types::{Envelope, Folder, sort_folders};

/// Only the header fields the list shows; servers cache these, so a big
/// folder's first screen comes fast.
const ENVELOPE_QUERY: &str = "(UID FLAGS RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT)])";

pub struct ImapBackend {
    settings: ImapSettings,
    tls: Option<TlsConnector>,
    session: Option<Session<Transport>>,
    /// Kept after the first good login so a reconnect doesn't re-run
    /// password_command (which may prompt).
    password: Option<Secret>,
}

impl ImapBackend {
    pub fn new(settings: ImapSettings) -> Self {
        ImapBackend {
            settings,
            tls: None,
            session: None,
            password: None,
        }
    }

    fn session(&mut self) -> MailResult<&mut Session<Transport>> {
        self.session
            .as_mut()
            .ok_or_else(|| MailError::Network("not connected".to_string()))
    }

    /// Runs one step under a timeout; a transport failure drops the session
    /// so the next `connect` starts clean.
    async fn guarded<T, F>(&mut self, what: &str, limit: Duration, f: F) -> MailResult<T>
    where
        F: AsyncFnOnce(&mut Session<Transport>) -> Result<T, async_imap::error::Error>,
    {
        let session = self.session()?;
        let result = match timeout(limit, f(session)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(command_error(what, e)),
            Err(_) => Err(MailError::Network(format!(
                "{what}: no answer within {}s",
                limit.as_secs()
            ))),
        };
        if matches!(result, Err(MailError::Network(_))) {
            self.session = None;
        }
        result
    }
}

impl MailBackend for ImapBackend {
    async fn connect(&mut self) -> MailResult<()> {
        self.disconnect().await;
        if self.tls.is_none() {
            self.tls = Some(tls::connector(self.settings.ca_file.as_deref())?);
        }
        let Some(connector) = self.tls.as_ref() else {
            return Err(MailError::Config("TLS is not set up".to_string()));
        };
        let client = open(&self.settings, connector).await?;
        let password = match &self.password {
            Some(p) => p.clone(),
            None => self
                .settings
                .password
                .resolve()
                .await
                .map_err(MailError::Config)?,
        };
        let user = self.settings.username.clone();
        let login = timeout(
            self.settings.timeouts.command,
            client.login(&user, password.expose()),
        )
        .await;
        match login {
            Err(_) => Err(MailError::Network(
                "login: no answer from the server".to_string(),
            )),
            Ok(Err((e, _client))) => {
                let e = login_error(&user, e);
                if matches!(e, MailError::Auth(_)) {
                    self.password = None;
                }
                Err(e)
            }
            Ok(Ok(session)) => {
                self.password = Some(password);
                self.session = Some(session);
                Ok(())
            }
        }
    }

    async fn list_folders(&mut self) -> MailResult<Vec<Folder>> {
        let limit = self.settings.timeouts.command;
        let names = self
            .guarded("list folders", limit, async |s| {
                s.list(Some(""), Some("*"))
                    .await?
                    .try_collect::<Vec<_>>()
                    .await
            })
            .await?;
        let delimiter = names
            .iter()
            .find_map(|n| n.delimiter().and_then(|d| d.chars().next()))
            .unwrap_or('/');
        let mut folders: Vec<Folder> = names.iter().map(folder).collect();
        sort_folders(&mut folders, delimiter);
        Ok(folders)
    }

    async fn open_folder(&mut self, path: &str) -> MailResult<FolderStatus> {
        let limit = self.settings.timeouts.command;
        let what = format!("open {path}");
        let mailbox = self
            .guarded(&what, limit, async |s| s.select(path).await)
            .await?;
        Ok(FolderStatus {
            exists: mailbox.exists,
            uid_validity: mailbox.uid_validity,
        })
    }

    async fn fetch_envelopes(&mut self, seqs: RangeInclusive<u32>) -> MailResult<Vec<Envelope>> {
        let (lo, hi) = (*seqs.start(), *seqs.end());
        if lo == 0 || hi < lo {
            return Ok(Vec::new());
        }
        let limit = self.settings.timeouts.transfer;
        let fetches = self
            .guarded("fetch message list", limit, async |s| {
                s.fetch(format!("{lo}:{hi}"), ENVELOPE_QUERY)
                    .await?
                    .try_collect::<Vec<_>>()
                    .await
            })
            .await?;
        Ok(fetches.iter().filter_map(envelope).collect())
    }

    async fn fetch_message(&mut self, uid: u32) -> MailResult<Vec<u8>> {
        let limit = self.settings.timeouts.transfer;
        let fetches = self
            .guarded("fetch message", limit, async |s| {
                s.uid_fetch(uid.to_string(), "BODY.PEEK[]")
                    .await?
                    .try_collect::<Vec<_>>()
                    .await
            })
            .await?;
        fetches
            .iter()
            .find(|f| f.uid == Some(uid))
            .or(fetches.first())
            .and_then(|f| f.body())
            .map(<[u8]>::to_vec)
            .ok_or_else(|| MailError::Command(format!("message {uid} is gone from the server")))
    }

    async fn set_seen(&mut self, uid: u32, seen: bool) -> MailResult<()> {
        let limit = self.settings.timeouts.command;
        let op = if seen {
            "+FLAGS.SILENT (\\Seen)"
        } else {
            "-FLAGS.SILENT (\\Seen)"
        };
        self.guarded("mark read", limit, async |s| {
            s.uid_store(uid.to_string(), op)
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await?;
        Ok(())
    }

    async fn disconnect(&mut self) {
        if let Some(mut s) = self.session.take() {
            let _ = timeout(Duration::from_secs(2), s.logout()).await;
        }
    }
}
