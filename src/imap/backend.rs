//! [`MailBackend`] over one IMAP connection.

use std::ops::RangeInclusive;
use std::time::Duration;

use async_imap::Session;
use futures::TryStreamExt;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;

use super::connect::{Transport, open};
use super::convert::{command_error, envelope, folder};
use super::login::login;
use super::{ImapAuth, ImapSettings, tls};
use crate::auth::Secret;
use crate::mail::backend::{FolderStatus, MailBackend, MailError, MailResult};
use crate::mail::types::{Envelope, Folder, sort_folders};

/// Only the header fields the list shows; servers cache these, so a big
/// folder's first screen comes fast.
const ENVELOPE_QUERY: &str = "(UID FLAGS RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT)])";

/// The text of an untagged BYE.
fn goodbye_text(resp: &async_imap::imap_proto::Response<'_>) -> Option<String> {
    use async_imap::imap_proto::{Response, Status};
    match resp {
        Response::Data {
            status: Status::Bye,
            outcome,
        } => Some(outcome.information.as_deref().unwrap_or("").to_string()),
        _ => None,
    }
}

pub struct ImapBackend {
    settings: ImapSettings,
    auth: ImapAuth,
    tls: Option<TlsConnector>,
    session: Option<Session<Transport>>,
    /// Kept after the first good login so a reconnect doesn't re-run
    /// password_command (which may prompt).
    password: Option<Secret>,
    /// When the bearer token this session logged in with expires, and its lifetime.
    token_expiry: Option<(i64, i64)>,
}

impl ImapBackend {
    pub fn new(settings: ImapSettings, auth: ImapAuth) -> Self {
        ImapBackend {
            settings,
            auth,
            tls: None,
            session: None,
            password: None,
            token_expiry: None,
        }
    }

    /// A dropped session may have said why: Exchange ends sessions whose
    /// token expired with `* BYE Session invalidated - AccessTokenExpired`.
    /// Looks at what was already received and, briefly, at what is still
    /// buffered, and asks for a new token when the server said so.
    async fn note_goodbye(&self, session: &mut Session<Transport>) {
        use async_imap::types::UnsolicitedResponse;
        let mut said = Vec::new();
        while let Ok(u) = session.unsolicited_responses.try_recv() {
            if let UnsolicitedResponse::Other(resp) = u {
                said.extend(goodbye_text(resp.parsed()));
            }
        }
        for _ in 0..4 {
            match timeout(Duration::from_millis(200), session.read_response()).await {
                Ok(Ok(Some(resp))) => said.extend(goodbye_text(resp.parsed())),
                _ => break,
            }
        }
        for text in said {
            tracing::warn!(server = %crate::sanitize::Clean::line(&text), "server ended the session");
            if (text.contains("AccessTokenExpired") || text.contains("Session invalidated"))
                && let ImapAuth::Bearer { tokens, .. } = &self.auth
                && let Some(t) = tokens.current_token()
            {
                tokens.rejected(&t);
            }
        }
    }

    /// An empty answer can also mean the server hung up mid-command (async-imap
    /// ends the stream quietly): a NOOP tells which.
    async fn confirm_alive(&mut self) -> MailResult<()> {
        let limit = self.settings.timeouts.command;
        self.guarded("check connection", limit, async |s| s.noop().await)
            .await
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
        if matches!(result, Err(MailError::Network(_)))
            && let Some(mut s) = self.session.take()
        {
            self.note_goodbye(&mut s).await;
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
        let (client, caps) = open(&self.settings, connector).await?;
        let logged = login(
            client,
            &caps,
            &self.settings,
            &self.auth,
            &mut self.password,
        )
        .await?;
        self.token_expiry = logged.token_expires_at.zip(logged.token_lifetime);
        self.session = Some(logged.session);
        Ok(())
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
        if fetches.len() < (hi - lo + 1) as usize {
            // Expunged meanwhile, or the connection died mid-answer.
            self.confirm_alive().await?;
        }
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
        let body = fetches
            .iter()
            .find(|f| f.uid == Some(uid))
            .or(fetches.first())
            .and_then(|f| f.body())
            .map(<[u8]>::to_vec);
        match body {
            Some(b) => Ok(b),
            None => {
                self.confirm_alive().await?;
                Err(MailError::Command(format!(
                    "message {uid} is gone from the server"
                )))
            }
        }
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
        self.token_expiry = None;
        if let Some(mut s) = self.session.take() {
            let _ = timeout(Duration::from_secs(2), s.logout()).await;
        }
    }

    fn reconnect_at(&self) -> Option<i64> {
        let (expires_at, lifetime) = self.token_expiry?;
        Some(expires_at - crate::auth::tokens::reconnect_margin(lifetime))
    }
}
