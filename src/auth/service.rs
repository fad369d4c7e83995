//! One token service per OAuth account: signs in (device code or
//! browser), refreshes ahead of expiry, stores every rotated refresh token,
//! and tells the UI (events) and the IMAP connection (a watch channel)
//! where things stand.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::browser::{self, BrowserPrompt};
use super::errors::{AuthError, AuthErrorKind};
use super::oauth::{DeviceCode, OAuth, now};
use super::secret::Secret;
use super::store::TokenStore;
use super::tokens::TokenSet;
use crate::sanitize::Clean;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoginMethod {
    Device,
    Browser,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthCommand {
    SignIn,
    Cancel,
    SignOut,
    /// The access token is stale: refresh unless that just happened.
    Refresh,
    /// The server turned this access token down: replace it now, unless it
    /// has been replaced already.
    Rejected(Secret),
    Shutdown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenPhase {
    SignedOut,
    WaitingForCode(DeviceCode),
    WaitingForBrowser(BrowserPrompt),
    SignedIn,
    Refreshing,
    SignInNeeded(Clean),
}

/// What the UI shows about an account's tokens. Never the tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenStatus {
    pub phase: TokenPhase,
    pub access_expires_at: Option<i64>,
    /// When the last refresh happened and how it went.
    pub last_refresh: Option<(i64, Result<(), Clean>)>,
    pub refresh_issued_at: Option<i64>,
    pub signed_in_at: Option<i64>,
    pub scopes: Vec<String>,
    /// Why the last sign-in attempt ended without tokens (declined, expired …).
    pub note: Option<Clean>,
}

impl TokenStatus {
    /// Signed out, nothing known yet.
    pub fn new() -> Self {
        TokenStatus {
            phase: TokenPhase::SignedOut,
            access_expires_at: None,
            last_refresh: None,
            refresh_issued_at: None,
            signed_in_at: None,
            scopes: Vec::new(),
            note: None,
        }
    }
}

impl Default for TokenStatus {
    fn default() -> Self {
        Self::new()
    }
}

/// What the IMAP side sees: the current tokens, if any are usable.
#[derive(Clone, Debug, Default)]
struct Shared {
    /// False until the stored tokens have been read.
    loaded: bool,
    tokens: Option<TokenSet>,
    /// The provider refused the last refresh without killing the grant:
    /// what a connection gets instead of a stale token.
    refused: Option<AuthError>,
}

/// Given to the account's IMAP backend.
#[derive(Clone, Debug)]
pub struct TokenHandle {
    shared: watch::Receiver<Shared>,
    commands: mpsc::UnboundedSender<AuthCommand>,
    /// A token the server turned down; never handed out again.
    rejected: Arc<std::sync::Mutex<Option<Secret>>>,
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

fn sign_in_needed() -> AuthError {
    AuthError::new(
        AuthErrorKind::SignInNeeded,
        "signed_out",
        "Not signed in. Press a to sign in.",
    )
}

/// Where the service reports to; the app wraps statuses into its events.
pub type StatusSink = Box<dyn Fn(TokenStatus) + Send + Sync>;

/// Progress of a sign-in flow, tagged with the flow's id so a cancelled
/// flow's late messages are ignored.
enum FlowUpdate {
    Code(DeviceCode),
    Browser(BrowserPrompt),
    Done(Result<TokenSet, AuthError>),
}

pub struct TokenService {
    account: String,
    oauth: Arc<OAuth>,
    method: LoginMethod,
    store: TokenStore,
    status: TokenStatus,
    sink: StatusSink,
    shared: watch::Sender<Shared>,
    tokens: Option<TokenSet>,
    /// Consecutive transient refresh failures, for backoff.
    failures: u32,
    next_refresh: Option<i64>,
    /// Set while the provider refuses refreshes but the grant may live.
    refused: Option<AuthError>,
}

pub struct ServiceHandle {
    pub commands: mpsc::UnboundedSender<AuthCommand>,
    pub tokens: TokenHandle,
    pub join: tokio::task::JoinHandle<()>,
}

pub fn spawn(
    account: String,
    oauth: OAuth,
    method: LoginMethod,
    store: TokenStore,
    sink: StatusSink,
) -> ServiceHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let (shared_tx, shared_rx) = watch::channel(Shared::default());
    let service = TokenService {
        account,
        oauth: Arc::new(oauth),
        method,
        store,
        status: TokenStatus::new(),
        sink,
        shared: shared_tx,
        tokens: None,
        failures: 0,
        next_refresh: None,
        refused: None,
    };
    let join = tokio::spawn(service.run(rx));
    let tokens = TokenHandle {
        shared: shared_rx,
        commands: tx.clone(),
        rejected: Default::default(),
    };
    ServiceHandle {
        commands: tx,
        tokens,
        join,
    }
}

fn backoff(failures: u32) -> i64 {
    (15i64 << failures.min(5)).min(300)
}

/// After a refresh the provider refused without killing the grant
/// (Conditional Access, an error we don't know), try again this much later.
const REFUSED_RETRY: i64 = 300;

/// What the user sees when a refresh is refused but the tokens are kept.
fn refused_error(e: &AuthError) -> AuthError {
    AuthError::new(
        AuthErrorKind::SignInNeeded,
        e.code.clone(),
        format!(
            "{} [{}] Your sign-in is kept and retried every {} min; press a to sign in again.",
            e.message,
            e.code,
            REFUSED_RETRY / 60
        ),
    )
}

impl TokenService {
    fn publish(&mut self) {
        let t = self.tokens.as_ref();
        self.status.access_expires_at = t.map(|t| t.access_expires_at);
        self.status.refresh_issued_at = t.and_then(|t| t.refresh_issued_at);
        self.status.signed_in_at = t.map(|t| t.signed_in_at);
        if let Some(t) = t {
            self.status.scopes = t.scopes.clone();
        }
        (self.sink)(self.status.clone());
        let tokens = self.tokens.clone();
        let refused = self.refused.clone();
        self.shared.send_modify(|s| {
            s.loaded = true;
            s.tokens = tokens;
            s.refused = refused;
        });
    }

    /// The phase to return to when a sign-in flow ends without new tokens.
    fn resting_phase(&self) -> TokenPhase {
        match (&self.tokens, &self.refused) {
            (None, _) => TokenPhase::SignedOut,
            (Some(_), Some(e)) => TokenPhase::SignInNeeded(Clean::line(&e.message)),
            (Some(_), None) => TokenPhase::SignedIn,
        }
    }

    /// Blocking store calls run off the async threads.
    async fn save(&self, tokens: &TokenSet) {
        let (store, account, tokens) = (self.store.clone(), self.account.clone(), tokens.clone());
        match tokio::task::spawn_blocking(move || store.save(&account, &tokens)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => warn!(account = %self.account, "could not store tokens: {e}"),
            Err(e) => warn!(account = %self.account, "could not store tokens: {e}"),
        }
    }

    async fn forget(&self) {
        let (store, account) = (self.store.clone(), self.account.clone());
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || store.delete(&account)).await {
            warn!(account = %self.account, "could not delete stored tokens: {e}");
        }
    }

    async fn load(&mut self) {
        let (store, account) = (self.store.clone(), self.account.clone());
        let loaded = tokio::task::spawn_blocking(move || store.load(&account))
            .await
            .unwrap_or_else(|e| Err(super::store::StoreError::Io(e.to_string())));
        match loaded {
            Ok(Some(t)) => {
                info!(account = %self.account, expires_in = t.access_expires_at - now(), "tokens loaded");
                self.next_refresh = Some(t.refresh_at());
                self.tokens = Some(t);
                self.status.phase = TokenPhase::SignedIn;
            }
            Ok(None) => self.status.phase = TokenPhase::SignedOut,
            Err(e) => {
                warn!(account = %self.account, "{e}");
                self.status.phase = TokenPhase::SignInNeeded(Clean::line(&e.to_string()));
            }
        }
    }

    /// Runs a sign-in flow as its own task; Esc aborts it.
    fn start_flow(
        &self,
        id: u64,
        updates: mpsc::UnboundedSender<(u64, FlowUpdate)>,
    ) -> JoinHandle<()> {
        let oauth = self.oauth.clone();
        let method = self.method;
        tokio::spawn(async move {
            let result = match method {
                LoginMethod::Device => {
                    async {
                        let (code, details) = oauth.start_device().await?;
                        let _ = updates.send((id, FlowUpdate::Code(code)));
                        oauth.finish_device(&details).await
                    }
                    .await
                }
                LoginMethod::Browser => {
                    browser::sign_in(&oauth, |p| {
                        let _ = updates.send((id, FlowUpdate::Browser(p)));
                    })
                    .await
                }
            };
            let _ = updates.send((id, FlowUpdate::Done(result)));
        })
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<AuthCommand>) {
        self.load().await;
        self.publish();
        let (flow_tx, mut flow_rx) = mpsc::unbounded_channel();
        let mut flow: Option<JoinHandle<()>> = None;
        let mut flow_id = 0u64;
        loop {
            let refresh_in = self
                .next_refresh
                .filter(|_| flow.is_none() && self.tokens.is_some())
                .map(|at| Duration::from_secs((at - now()).max(0) as u64));
            tokio::select! {
                cmd = rx.recv() => match cmd {
                    None | Some(AuthCommand::Shutdown) => {
                        if let Some(f) = flow.take() {
                            f.abort();
                        }
                        return;
                    }
                    Some(AuthCommand::SignIn) => {
                        info!(account = %self.account, method = ?self.method, "sign-in started");
                        if let Some(f) = flow.take() {
                            f.abort();
                        }
                        self.status.note = None;
                        flow_id += 1;
                        flow = Some(self.start_flow(flow_id, flow_tx.clone()));
                        self.publish();
                    }
                    Some(AuthCommand::Cancel) => {
                        if let Some(f) = flow.take() {
                            f.abort();
                            info!(account = %self.account, "sign-in cancelled");
                            self.status.phase = self.resting_phase();
                            self.publish();
                        }
                    }
                    Some(AuthCommand::SignOut) => {
                        if let Some(f) = flow.take() {
                            f.abort();
                        }
                        self.tokens = None;
                        self.next_refresh = None;
                        self.refused = None;
                        self.forget().await;
                        info!(account = %self.account, "signed out");
                        self.status = TokenStatus::new();
                        self.publish();
                    }
                    Some(AuthCommand::Refresh) => {
                        // Several parts may ask at once; one fresh token answers them all.
                        let just_issued = self.tokens.as_ref().is_some_and(|t| now() - t.access_issued_at < 5);
                        if self.tokens.is_some() && flow.is_none() && !just_issued {
                            self.refresh().await;
                        }
                    }
                    Some(AuthCommand::Rejected(token)) => {
                        let current = self.tokens.as_ref().is_some_and(|t| t.access_token == token);
                        if current && flow.is_none() {
                            self.refresh().await;
                        }
                    }
                },
                Some((id, update)) = flow_rx.recv() => {
                    if id != flow_id || flow.is_none() {
                        continue;
                    }
                    match update {
                        FlowUpdate::Code(code) => {
                            info!(account = %self.account, uri = %code.verification_uri, "device code issued");
                            self.status.phase = TokenPhase::WaitingForCode(code);
                            self.publish();
                        }
                        FlowUpdate::Browser(p) => {
                            info!(account = %self.account, port = p.port, "waiting for the browser");
                            self.status.phase = TokenPhase::WaitingForBrowser(p);
                            self.publish();
                        }
                        FlowUpdate::Done(result) => {
                            flow = None;
                            self.finish_sign_in(result).await;
                        }
                    }
                }
                _ = async { tokio::time::sleep(refresh_in.unwrap_or_default()).await }, if refresh_in.is_some() => {
                    self.refresh().await;
                }
            }
        }
    }

    async fn finish_sign_in(&mut self, result: Result<TokenSet, AuthError>) {
        match result {
            Ok(tokens) => {
                info!(account = %self.account, expires_in = tokens.lifetime(), scopes = %tokens.scopes.join(" "), "signed in");
                self.save(&tokens).await;
                self.next_refresh = Some(tokens.refresh_at());
                self.failures = 0;
                self.refused = None;
                self.tokens = Some(tokens);
                self.status.phase = TokenPhase::SignedIn;
                self.status.note = None;
            }
            Err(e) => {
                warn!(account = %self.account, code = %e.code, "sign-in failed: {}", e.message);
                self.status.note = Some(Clean::line(&e.message));
                self.status.phase = match (&self.tokens, e.kind) {
                    (Some(_), _) => self.resting_phase(),
                    (None, AuthErrorKind::Config) => {
                        TokenPhase::SignInNeeded(Clean::line(&e.message))
                    }
                    (None, _) => TokenPhase::SignedOut,
                };
            }
        }
        self.publish();
    }

    async fn refresh(&mut self) {
        let Some(current) = self.tokens.clone() else {
            return;
        };
        // A retry after a refusal keeps showing why: flipping to
        // "refreshing" would bring a dismissed sign-in panel back each time.
        if self.refused.is_none() {
            self.status.phase = TokenPhase::Refreshing;
            (self.sink)(self.status.clone());
        }
        let result = self.oauth.refresh(&current).await;
        let at = now();
        match result {
            Ok(tokens) => {
                let rotated = tokens.refresh_token != current.refresh_token;
                info!(account = %self.account, expires_in = tokens.lifetime(), rotated, "token refreshed");
                self.save(&tokens).await;
                self.next_refresh = Some(tokens.refresh_at());
                self.failures = 0;
                self.refused = None;
                self.tokens = Some(tokens);
                self.status.phase = TokenPhase::SignedIn;
                self.status.last_refresh = Some((at, Ok(())));
            }
            Err(e) if e.kind == AuthErrorKind::Transient => {
                self.failures += 1;
                let wait = backoff(self.failures);
                warn!(account = %self.account, code = %e.code, retry_in = wait, "token refresh failed: {}", e.message);
                // Keep the tokens; the access token may still have time left.
                self.next_refresh = Some(at + wait);
                self.status.phase = TokenPhase::SignedIn;
                self.status.last_refresh = Some((at, Err(Clean::line(&e.message))));
            }
            Err(e) if e.dead_grant => {
                warn!(account = %self.account, code = %e.code, "refresh token rejected: {}", e.message);
                self.tokens = None;
                self.next_refresh = None;
                self.refused = None;
                self.forget().await;
                self.status.phase = TokenPhase::SignInNeeded(Clean::line(&e.message));
                self.status.last_refresh = Some((at, Err(Clean::line(&e.message))));
            }
            Err(e) => {
                // Not a dead grant: the tokens stay (on disk too), the user
                // is told why and how to fix it, and the refresh is retried.
                warn!(account = %self.account, code = %e.code, retry_in = REFUSED_RETRY, "token refresh refused, tokens kept: {}", e.message);
                let shown = refused_error(&e);
                self.next_refresh = Some(at + REFUSED_RETRY);
                self.status.phase = TokenPhase::SignInNeeded(Clean::line(&shown.message));
                self.status.last_refresh = Some((at, Err(Clean::line(&e.message))));
                self.refused = Some(shown);
            }
        }
        self.publish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_backoff_grows_to_five_minutes() {
        let v: Vec<i64> = (1..=7).map(backoff).collect();
        assert_eq!(v, [30, 60, 120, 240, 300, 300, 300]);
    }
}
