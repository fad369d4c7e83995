//! What the IMAP side holds: a handle that hands out a valid access token,
//! asking the service for a refresh when the one it has is stale.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};

use super::super::errors::{AuthError, AuthErrorKind};
use super::super::oauth::now;
use super::super::secret::Secret;
use super::super::tokens::TokenSet;
use super::AuthCommand;

/// What the IMAP side sees: the current tokens, if any are usable.
#[derive(Clone, Debug, Default)]
pub(super) struct Shared {
    /// False until the stored tokens have been read.
    pub(super) loaded: bool,
    pub(super) tokens: Option<TokenSet>,
    /// The provider refused the last refresh without killing the grant:
    /// what a connection gets instead of a stale token.
    pub(super) refused: Option<AuthError>,
}

/// Given to the account's IMAP backend.
#[derive(Clone, Debug)]
pub struct TokenHandle {
    pub(super) shared: watch::Receiver<Shared>,
    pub(super) commands: mpsc::UnboundedSender<AuthCommand>,
    /// A token the server turned down; never handed out again.
    pub(super) rejected: Arc<std::sync::Mutex<Option<Secret>>>,
}

type Reply = oneshot::Sender<Result<Secret, AuthError>>;

/// An access token asked for by scope, answered once.
#[derive(Clone)]
pub struct TokenRequest {
    pub scopes: Vec<String>,
    reply: Arc<std::sync::Mutex<Option<Reply>>>,
}

impl TokenRequest {
    pub(super) fn answer(&self, result: Result<Secret, AuthError>) {
        if let Some(tx) = self.reply.lock().ok().and_then(|mut r| r.take()) {
            let _ = tx.send(result);
        }
    }
}

impl PartialEq for TokenRequest {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.reply, &other.reply)
    }
}

impl Eq for TokenRequest {}

impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRequest")
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// A fresh token must outlive the login by at least this much (less for
/// very short-lived tokens).
fn min_valid(t: &TokenSet) -> i64 {
    (t.lifetime() / 4).clamp(1, 10)
}
/// How long a connection waits for a refresh it asked for.
const REFRESH_WAIT: Duration = Duration::from_secs(45);

impl TokenHandle {
    /// A valid access token and its expiry, refreshing first when needed.
    /// Fails with `SignInNeeded` when the account has no usable tokens.
    pub async fn access_token(&self) -> Result<(Secret, i64), AuthError> {
        let mut rx = self.shared.clone();
        let mut asked = false;
        let wait = async {
            loop {
                let loaded = {
                    let s = rx.borrow_and_update();
                    let rejected = self.rejected.lock().map(|r| r.clone()).unwrap_or(None);
                    match &s.tokens {
                        _ if !s.loaded => {}
                        None => return Err(sign_in_needed()),
                        Some(t)
                            if t.fresh(now(), min_valid(t))
                                && rejected.as_ref() != Some(&t.access_token) =>
                        {
                            return Ok((t.access_token.clone(), t.access_expires_at));
                        }
                        // Refused (not dead): asking again now would be refused too;
                        // the service retries on its own schedule.
                        Some(_) => {
                            if let Some(e) = &s.refused {
                                return Err(e.clone());
                            }
                        }
                    }
                    s.loaded
                };
                // Stale or turned down: ask for a refresh once, then wait for it.
                if loaded && !asked {
                    let _ = self.commands.send(AuthCommand::Refresh);
                    asked = true;
                }
                if rx.changed().await.is_err() {
                    return Err(sign_in_needed());
                }
            }
        };
        tokio::time::timeout(REFRESH_WAIT, wait)
            .await
            .map_err(|_| AuthError::transient("Waited too long for a token refresh."))?
    }

    /// An access token for another resource than the account's own (one
    /// resource per token), redeemed from the refresh token by the
    /// service. Consent missing: an error whose `consent` says whose.
    pub async fn token_for(&self, scopes: &[String]) -> Result<Secret, AuthError> {
        let (tx, rx) = oneshot::channel();
        let request = TokenRequest {
            scopes: scopes.to_vec(),
            reply: Arc::new(std::sync::Mutex::new(Some(tx))),
        };
        if self.commands.send(AuthCommand::TokenFor(request)).is_err() {
            return Err(sign_in_needed());
        }
        match tokio::time::timeout(REFRESH_WAIT, rx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(sign_in_needed()),
            Err(_) => Err(AuthError::transient(
                "Waited too long for a token from the sign-in service.",
            )),
        }
    }

    /// A token for other scopes was turned down (401): the service drops
    /// it, so the next `token_for` redeems a new one.
    pub fn forget_token_for(&self, scopes: &[String]) {
        let _ = self
            .commands
            .send(AuthCommand::ForgetTokenFor(scopes.to_vec()));
    }

    /// The access token the service holds now, if any.
    pub fn current_token(&self) -> Option<Secret> {
        self.shared
            .borrow()
            .tokens
            .as_ref()
            .map(|t| t.access_token.clone())
    }

    /// The server turned this token down (auth failure, or a BYE saying it
    /// expired): get a new one unless that already happened.
    pub fn rejected(&self, token: &Secret) {
        if let Ok(mut r) = self.rejected.lock() {
            *r = Some(token.clone());
        }
        let _ = self.commands.send(AuthCommand::Rejected(token.clone()));
    }
}

pub(super) fn sign_in_needed() -> AuthError {
    AuthError::new(
        AuthErrorKind::SignInNeeded,
        "signed_out",
        "Not signed in. Press a to sign in.",
    )
}
