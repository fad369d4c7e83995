//! Opening the session (connect, login, capabilities, ENABLE), what it
//! offers, and ending it.

use std::time::Duration;

use async_imap::imap_proto::Response;
use tokio::time::timeout;

use super::{ImapBackend, PROBE_TIMEOUT};
use crate::imap::connect::open;
use crate::imap::login::{LoggedIn, capabilities_in, login};
use crate::imap::tracker::Tracker;
use crate::imap::{ImapAuth, tls};
use crate::mail::backend::{Features, MailError, MailResult};
use crate::query::Profile;

impl ImapBackend {
    fn explain_refusal(&self, e: MailError) -> MailError {
        match &self.delegate {
            Some(d) => crate::imap::shared::explain(e, &self.settings.username, d),
            None => e,
        }
    }

    /// Takes over a logged-in session and learns what the server offers
    /// now that the user is known; returns those capabilities. `connect`
    /// ends here, and so does `doctor`, which opens sessions step by step.
    pub(crate) async fn adopt(
        &mut self,
        logged: LoggedIn,
        caps: Vec<String>,
    ) -> MailResult<Vec<String>> {
        self.token_expiry = logged.token_expires_at.zip(logged.token_lifetime);
        self.session = Some(logged.session);
        self.tracker = Tracker::default();
        // Capabilities change with login (Exchange and Dovecot both say
        // more, or less, once the user is known).
        let a = self
            .exchange("capabilities", "CAPABILITY", self.limits(10))
            .await?;
        let caps = a
            .untagged
            .iter()
            .find_map(|r| capabilities_in(r.parsed()))
            .unwrap_or(caps);
        self.enable_extensions(&caps).await?;
        Ok(caps)
    }

    async fn enable_extensions(&mut self, caps: &[String]) -> MailResult<()> {
        let has = |c: &str| caps.iter().any(|x| x.eq_ignore_ascii_case(c));
        let enable = has("ENABLE");
        let mut f = Features {
            condstore: has("CONDSTORE") || has("QRESYNC"),
            qresync: false,
            idle: has("IDLE"),
            list_status: has("LIST-STATUS"),
            moves: has("MOVE"),
            uidplus: has("UIDPLUS"),
        };
        self.literal_plus = has("LITERAL+");
        // Exchange's SEARCH over-matches and misses upper-case body terms.
        // It is told by the Microsoft sign-in, or by what it lacks after
        // login: neither CONDSTORE nor ESEARCH, which every current
        // Dovecot, Cyrus, Gmail and Fastmail offer. A small server taken
        // for Exchange only gets lower-case strings (SEARCH ignores case)
        // and its answers rechecked, which the list does anyway.
        let microsoft = matches!(
            self.auth,
            ImapAuth::Bearer {
                microsoft: true,
                ..
            }
        );
        let plain = !f.condstore && !has("ESEARCH");
        self.search_ascii_only |= microsoft;
        self.search_profile = if microsoft || plain {
            Profile::Exchange
        } else {
            Profile::Standard
        };
        if enable && has("QRESYNC") {
            match self
                .exchange("enable QRESYNC", "ENABLE QRESYNC", self.limits(10))
                .await
            {
                Ok(a) => f.qresync = a.untagged.iter().any(|r| enabled(r.parsed(), "QRESYNC")),
                Err(MailError::Command(e)) => tracing::info!("QRESYNC not enabled: {e}"),
                Err(e) => return Err(e),
            }
        }
        if f.condstore && !f.qresync && enable {
            // Not fatal: SELECT … (CONDSTORE) asks again per folder.
            let _ = self
                .exchange("enable CONDSTORE", "ENABLE CONDSTORE", self.limits(10))
                .await;
        }
        self.features = f;
        Ok(())
    }

    pub(super) async fn connect(&mut self) -> MailResult<()> {
        self.disconnect().await;
        // The network first: the trust roots and the password are made
        // ready while TCP, TLS and the greeting are on the way.
        let (settings, cached, auth) = (&self.settings, &mut self.tls, &self.auth);
        let have_password = self.password.is_some();
        let tls = async {
            if let Some(c) = cached.as_ref() {
                return Ok(c.clone());
            }
            let setup = crate::startup::step("tls setup");
            let ca_file = settings.ca_file.clone();
            let c = tokio::task::spawn_blocking(move || tls::connector(ca_file.as_deref()))
                .await
                .map_err(|e| MailError::Config(format!("TLS setup: {e}")))??;
            setup.end();
            *cached = Some(c.clone());
            Ok(c)
        };
        let password = async {
            let ImapAuth::Password(source) = auth else {
                return None;
            };
            if have_password {
                return None;
            }
            let reading = crate::startup::step("password");
            let p = source.resolve().await;
            reading.end();
            Some(p)
        };
        let (opened, password) = tokio::join!(open(settings, tls), password);
        match password {
            // Kept for the login below (and a retry after a lost
            // connection, so a prompting command asks once); dropped
            // again if the server turns it down.
            Some(Ok(p)) => self.password = Some(p),
            Some(Err(e)) if opened.is_ok() => return Err(MailError::Config(e.to_string())),
            _ => {}
        }
        let (client, caps) = opened?;
        let logged = login(
            client,
            &caps,
            &self.settings,
            &self.auth,
            &mut self.password,
        )
        .await
        .map_err(|e| self.explain_refusal(e))?;
        let adopting = crate::startup::step("capabilities and enable");
        self.adopt(logged, caps).await?;
        adopting.end();
        if self.delegate.is_some() {
            // Exchange takes the login and CAPABILITY for a shared mailbox
            // the token's owner may not open, and refuses the first command
            // that needs the mailbox: ask one now, so it is a login failure.
            let probe = self
                .exchange("open the shared mailbox", "LIST \"\" \"\"", self.limits(10))
                .await;
            if let Err(e) = probe {
                self.drop_session();
                return Err(self.explain_refusal(e));
            }
        }
        Ok(())
    }

    pub(super) fn features(&self) -> Features {
        Features {
            idle: self.features.idle && !self.idle_broken,
            ..self.features
        }
    }

    pub(super) async fn reachable(&self) -> bool {
        let addr = (self.settings.host.clone(), self.settings.port);
        matches!(
            timeout(PROBE_TIMEOUT, tokio::net::TcpStream::connect(addr)).await,
            Ok(Ok(_))
        )
    }

    pub(super) async fn disconnect(&mut self) {
        self.token_expiry = None;
        self.pipe.forget();
        if let Some(mut s) = self.session.take() {
            let _ = timeout(Duration::from_secs(2), s.logout()).await;
        }
    }

    pub(super) fn reconnect_at(&self) -> Option<i64> {
        let (expires_at, lifetime) = self.token_expiry?;
        Some(expires_at - crate::auth::tokens::reconnect_margin(lifetime))
    }
}

fn enabled(r: &Response<'_>, what: &str) -> bool {
    match r {
        Response::Capabilities(caps) => caps.iter().any(|c| {
            matches!(c, async_imap::imap_proto::Capability::Atom(a) if a.eq_ignore_ascii_case(what))
        }),
        // imap-proto reads `* ENABLED X` as data with the text "X".
        Response::Data { outcome, .. } => outcome
            .information
            .as_deref()
            .is_some_and(|i| i.split_whitespace().any(|w| w.eq_ignore_ascii_case(what))),
        _ => false,
    }
}
