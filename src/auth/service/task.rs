//! The service itself: a task per OAuth account that signs in, refreshes
//! on schedule and reports. Its phase changes are decided in [`super::phase`].

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::super::browser::{self, BrowserPrompt};
use super::super::errors::{AuthError, Consent, permissions_in_words};
use super::super::oauth::{DeviceCode, OAuth, OAuthConfig, now};
use super::super::secret::Secret;
use super::super::store::TokenStore;
use super::super::tokens::TokenSet;
use super::handle::{Shared, TokenHandle};
use super::phase::{self, Held, Keep, Refresh};
use super::{AdminConsent, AuthCommand, LoginMethod, TokenPhase, TokenStatus};
use crate::sanitize::Clean;

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
    held: Held,
    /// Access tokens for other resources, by their scopes: in memory
    /// only (sending is rare; the refresh token brings a new one).
    others: std::collections::HashMap<Vec<String>, (Secret, i64)>,
    /// The scopes of the sign-in under way, when not the account's own.
    flow_scopes: Option<Vec<String>>,
}

/// An access token for another resource is used while it has this long
/// to live.
const OTHER_TOKEN_MARGIN: i64 = 120;

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
        held: Held::default(),
        others: Default::default(),
        flow_scopes: None,
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

impl TokenService {
    fn publish(&mut self) {
        let t = self.held.tokens.as_ref();
        self.status.access_expires_at = t.map(|t| t.access_expires_at);
        self.status.refresh_issued_at = t.and_then(|t| t.refresh_issued_at);
        self.status.signed_in_at = t.map(|t| t.signed_in_at);
        if let Some(t) = t {
            self.status.scopes = t.scopes.clone();
        }
        (self.sink)(self.status.clone());
        let tokens = self.held.tokens.clone();
        let refused = self.held.refused.clone();
        self.shared.send_modify(|s| {
            s.loaded = true;
            s.tokens = tokens;
            s.refused = refused;
        });
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
            .unwrap_or_else(|e| Err(crate::auth::store::StoreError::Io(e.to_string())));
        match loaded {
            Ok(Some(t)) => {
                info!(account = %self.account, expires_in = t.access_expires_at - now(), "tokens loaded");
                self.held.next_refresh = Some(t.refresh_at());
                self.held.tokens = Some(t);
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
        let oauth = match &self.flow_scopes {
            None => self.oauth.clone(),
            Some(scopes) => {
                let config = OAuthConfig {
                    scopes: scopes.clone(),
                    ..self.oauth.config().clone()
                };
                match OAuth::new(config) {
                    Ok(o) => Arc::new(o),
                    Err(e) => {
                        let _ = updates.send((id, FlowUpdate::Done(Err(e))));
                        return tokio::spawn(async {});
                    }
                }
            }
        };
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
                .held
                .next_refresh
                .filter(|_| flow.is_none() && self.held.tokens.is_some())
                .map(|at| Duration::from_secs((at - now()).max(0) as u64));
            tokio::select! {
                cmd = rx.recv() => match cmd {
                    None | Some(AuthCommand::Shutdown) => {
                        if let Some(f) = flow.take() {
                            f.abort();
                        }
                        return;
                    }
                    Some(c @ (AuthCommand::SignIn | AuthCommand::SignInFor(_))) => {
                        self.flow_scopes = match c {
                            AuthCommand::SignInFor(scopes) => Some(scopes),
                            _ => None,
                        };
                        info!(account = %self.account, method = ?self.method, scopes = ?self.flow_scopes, "sign-in started");
                        if let Some(f) = flow.take() {
                            f.abort();
                        }
                        self.status.note = None;
                        self.status.admin_consent = None;
                        self.status.asking = self.flow_scopes.clone();
                        flow_id += 1;
                        flow = Some(self.start_flow(flow_id, flow_tx.clone()));
                        self.publish();
                    }
                    Some(AuthCommand::Cancel) => {
                        if let Some(f) = flow.take() {
                            f.abort();
                            if self.flow_scopes.take().is_some() {
                                self.status.note = Some(Clean::line("approval cancelled"));
                            }
                            self.status.asking = None;
                            self.status.flows_ended += 1;
                            info!(account = %self.account, "sign-in cancelled");
                            self.status.phase = phase::resting_phase(&self.held);
                            self.publish();
                        }
                    }
                    Some(AuthCommand::SignOut) => {
                        if let Some(f) = flow.take() {
                            f.abort();
                        }
                        self.held = Held::default();
                        self.others.clear();
                        self.forget().await;
                        info!(account = %self.account, "signed out");
                        let flows_ended = self.status.flows_ended;
                        self.status = TokenStatus::new();
                        self.status.flows_ended = flows_ended;
                        self.publish();
                    }
                    Some(AuthCommand::Refresh) => {
                        // Several parts may ask at once; one fresh token answers them all.
                        let just_issued = self.held.tokens.as_ref().is_some_and(|t| now() - t.access_issued_at < 5);
                        if self.held.tokens.is_some() && flow.is_none() && !just_issued {
                            self.refresh().await;
                        }
                    }
                    Some(AuthCommand::TokenFor(request)) => {
                        let result = self.token_for(&request.scopes).await;
                        request.answer(result);
                    }
                    Some(AuthCommand::ForgetTokenFor(scopes)) => {
                        self.others.remove(&scopes);
                    }
                    Some(AuthCommand::Rejected(token)) => {
                        let current = self.held.tokens.as_ref().is_some_and(|t| t.access_token == token);
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

    async fn keep(&self, keep: &Keep) {
        match keep {
            Keep::Save(tokens) => self.save(tokens).await,
            Keep::Forget => self.forget().await,
            Keep::Unchanged => {}
        }
    }

    /// What an admin must approve for these scopes, and where.
    fn admin_consent(&self, scopes: &[String]) -> Option<AdminConsent> {
        Some(AdminConsent {
            permissions: permissions_in_words(scopes),
            url: self.oauth.config().admin_consent_url()?,
        })
    }

    /// An access token for other scopes. A refusal never touches the
    /// account's own tokens: only its own refresh decides they are dead.
    async fn token_for(&mut self, scopes: &[String]) -> Result<Secret, AuthError> {
        let key = scopes.to_vec();
        if let Some((token, expires)) = self.others.get(&key)
            && expires - now() > OTHER_TOKEN_MARGIN
        {
            return Ok(token.clone());
        }
        let Some(current) = self.held.tokens.clone() else {
            return Err(super::handle::sign_in_needed());
        };
        match self.oauth.refresh_for(&current, scopes).await {
            Ok(t) => {
                info!(account = %self.account, scopes = %scopes.join(" "), expires_in = t.lifetime(), "token for another resource");
                self.keep_refresh_token(&t).await;
                self.others
                    .insert(key, (t.access_token.clone(), t.access_expires_at));
                if self.status.admin_consent.take().is_some() {
                    self.publish();
                }
                Ok(t.access_token)
            }
            Err(e) => {
                warn!(account = %self.account, code = %e.code, scopes = %scopes.join(" "), "no token for another resource: {}", e.message);
                if e.consent == Consent::AdminOnly {
                    self.status.admin_consent = self.admin_consent(scopes);
                    self.publish();
                }
                Err(e)
            }
        }
    }

    /// A newer refresh token (rotation) from a redemption for another
    /// resource replaces the account's, which the provider may have retired.
    async fn keep_refresh_token(&mut self, t: &TokenSet) {
        let Some(held) = self.held.tokens.as_mut() else {
            return;
        };
        if t.refresh_token.is_some() && t.refresh_token != held.refresh_token {
            held.refresh_token = t.refresh_token.clone();
            held.refresh_issued_at = t.refresh_issued_at;
            let tokens = held.clone();
            self.save(&tokens).await;
        }
    }

    async fn finish_sign_in(&mut self, result: Result<TokenSet, AuthError>) {
        if let Some(scopes) = self.flow_scopes.take() {
            return self.finish_sign_in_for(scopes, result).await;
        }
        self.status.asking = None;
        self.status.flows_ended += 1;
        if result.is_ok() {
            // Perhaps another user now: other resources' tokens go too.
            self.others.clear();
        }
        if let Err(e) = &result
            && e.consent == Consent::AdminOnly
        {
            self.status.admin_consent = self.admin_consent(&self.oauth.config().scopes);
        }
        match &result {
            Ok(t) => {
                info!(account = %self.account, expires_in = t.lifetime(), scopes = %t.scopes.join(" "), "signed in")
            }
            Err(e) => {
                warn!(account = %self.account, code = %e.code, "sign-in failed: {}", e.message)
            }
        }
        let next = phase::after_sign_in(std::mem::take(&mut self.held), result);
        self.keep(&next.keep).await;
        self.held = next.held;
        self.status.phase = next.phase;
        self.status.note = next.outcome;
        self.publish();
    }

    /// A sign-in for another resource's scopes: its access token is kept
    /// for that resource, its refresh token becomes the account's.
    async fn finish_sign_in_for(
        &mut self,
        scopes: Vec<String>,
        result: Result<TokenSet, AuthError>,
    ) {
        self.status.asking = None;
        self.status.flows_ended += 1;
        match result {
            Ok(t) if self.held.tokens.is_some() => {
                // Only the access token is kept: the account's own refresh
                // token serves the new scope from now on (the consent is
                // the user's), and whoever approved in the browser can
                // never replace the account's sign-in.
                info!(account = %self.account, scopes = %scopes.join(" "), "approved");
                self.others
                    .insert(scopes, (t.access_token.clone(), t.access_expires_at));
                self.status.note = None;
                self.status.admin_consent = None;
            }
            Ok(_) => {
                self.status.note = Some(Clean::line(
                    "Sign in to the account first, then approve this.",
                ));
            }
            Err(e) => {
                warn!(account = %self.account, code = %e.code, "approval failed: {}", e.message);
                if e.consent == Consent::AdminOnly {
                    self.status.admin_consent = self.admin_consent(&scopes);
                }
                self.status.note = Some(Clean::line(&e.message));
            }
        }
        self.status.phase = phase::resting_phase(&self.held);
        self.publish();
    }

    async fn refresh(&mut self) {
        let Some(current) = self.held.tokens.clone() else {
            return;
        };
        // A retry after a refusal keeps showing why: flipping to
        // "refreshing" would bring a dismissed sign-in panel back each time.
        if self.held.refused.is_none() {
            self.status.phase = TokenPhase::Refreshing;
            (self.sink)(self.status.clone());
        }
        let result = self.oauth.refresh(&current).await;
        let at = now();
        let error = result.as_ref().err().cloned();
        let next = phase::after_refresh(std::mem::take(&mut self.held), &current, result, at);
        let (code, message) = error
            .as_ref()
            .map(|e| (e.code.as_str(), e.message.as_str()))
            .unwrap_or_default();
        match next.outcome {
            Refresh::Done { rotated } => {
                let expires_in = next.held.tokens.as_ref().map_or(0, TokenSet::lifetime);
                info!(account = %self.account, expires_in, rotated, "token refreshed")
            }
            Refresh::Transient { retry_in } => {
                warn!(account = %self.account, code, retry_in, "token refresh failed: {message}")
            }
            Refresh::DeadGrant => {
                self.others.clear();
                warn!(account = %self.account, code, "refresh token rejected: {message}")
            }
            Refresh::Refused => {
                warn!(account = %self.account, code, retry_in = phase::REFUSED_RETRY, "token refresh refused, tokens kept: {message}")
            }
        }
        self.keep(&next.keep).await;
        self.held = next.held;
        self.status.phase = next.phase;
        self.status.last_refresh = Some((
            at,
            match &error {
                None => Ok(()),
                Some(e) => Err(Clean::line(&e.message)),
            },
        ));
        self.publish();
    }
}
