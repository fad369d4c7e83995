//! The OAuth2 exchanges (device code, refresh, authorization code with
//! PKCE) over the `oauth2` crate, with errors classified for the account.

use std::time::Duration;

use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, DeviceAuthorizationUrl, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, ErrorResponseType, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardDeviceAuthorizationResponse,
    StandardErrorResponse, TokenResponse, TokenUrl,
};

use super::errors::{AuthError, AuthErrorKind, explain};
use super::secret::Secret;
use super::tokens::TokenSet;
use crate::sanitize::Clean;

/// Everything needed to talk to one identity provider for one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthConfig {
    pub client_id: String,
    pub device_url: Option<String>,
    pub token_url: String,
    pub authorize_url: Option<String>,
    pub scopes: Vec<String>,
}

impl OAuthConfig {
    /// Microsoft identity platform endpoints for a tenant under an authority.
    pub fn microsoft(authority: &str, tenant: &str, client_id: &str, scopes: Vec<String>) -> Self {
        let base = format!("{}/{}/oauth2/v2.0", authority.trim_end_matches('/'), tenant);
        OAuthConfig {
            client_id: client_id.to_string(),
            device_url: Some(format!("{base}/devicecode")),
            token_url: format!("{base}/token"),
            authorize_url: Some(format!("{base}/authorize")),
            scopes,
        }
    }

    /// Where a tenant's admin grants this app for everyone (Microsoft
    /// only: the token endpoint is `{authority}/{tenant}/oauth2/v2.0/token`).
    pub fn admin_consent_url(&self) -> Option<String> {
        let base = self.token_url.strip_suffix("/oauth2/v2.0/token")?;
        let mut url = url::Url::parse(&format!("{base}/adminconsent")).ok()?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id);
        Some(url.to_string())
    }
}

/// What the user needs to see to approve a device sign-in. Both texts are
/// cleaned when it is made, so what is shown, copied (`c`) and logged is
/// the same string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceCode {
    pub user_code: String,
    pub verification_uri: String,
    /// Unix seconds.
    pub expires_at: i64,
}

impl DeviceCode {
    /// From the provider's answer: one line each, no control characters.
    pub fn new(user_code: &str, verification_uri: &str, expires_at: i64) -> Self {
        let clean = |s: &str| Clean::line(s).as_str().trim().to_string();
        DeviceCode {
            user_code: clean(user_code),
            verification_uri: clean(verification_uri),
            expires_at,
        }
    }
}

type Client =
    BasicClient<EndpointMaybeSet, EndpointMaybeSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

pub struct OAuth {
    config: OAuthConfig,
    client: Client,
    http: reqwest::Client,
}

/// The per-request limit for identity provider calls.
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn bad_url(what: &str, url: &str) -> AuthError {
    AuthError::new(
        AuthErrorKind::Config,
        "config",
        format!("{what} is not a valid URL: {url}"),
    )
}

/// Turns a failed exchange into an [`AuthError`]; nothing of the response
/// body (which could hold a token) is kept.
fn classify<RE: std::error::Error + 'static, T: ErrorResponseType + std::fmt::Display>(
    host: &str,
    e: RequestTokenError<RE, StandardErrorResponse<T>>,
) -> AuthError {
    match e {
        RequestTokenError::ServerResponse(r) => explain(
            &r.error().to_string(),
            r.error_description().map(String::as_str),
        ),
        RequestTokenError::Request(e) => {
            let mut why = e.to_string();
            let mut source = e.source();
            while let Some(s) = source {
                why = format!("{why}: {s}");
                source = s.source();
            }
            AuthError::transient(format!("Cannot reach the sign-in service at {host}: {why}"))
        }
        // An HTML error page from a proxy or an overloaded server.
        RequestTokenError::Parse(_, _) => AuthError::transient(format!(
            "The sign-in service at {host} sent an unreadable answer; retrying later."
        )),
        RequestTokenError::Other(msg) => {
            AuthError::transient(format!("Sign-in request to {host} failed: {msg}"))
        }
    }
}

impl OAuth {
    pub fn new(config: OAuthConfig) -> Result<Self, AuthError> {
        let token = TokenUrl::new(config.token_url.clone())
            .map_err(|_| bad_url("token_url", &config.token_url))?;
        let device = match &config.device_url {
            Some(u) => Some(
                DeviceAuthorizationUrl::new(u.clone())
                    .map_err(|_| bad_url("device_authorization_url", u))?,
            ),
            None => None,
        };
        let auth = match &config.authorize_url {
            Some(u) => Some(AuthUrl::new(u.clone()).map_err(|_| bad_url("authorization_url", u))?),
            None => None,
        };
        let client = BasicClient::new(ClientId::new(config.client_id.clone()))
            .set_auth_type(oauth2::AuthType::RequestBody)
            .set_token_uri(token)
            .set_device_authorization_url_option(device)
            .set_auth_uri_option(auth);
        // No redirects: a token endpoint that redirects is not one to follow.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|e| {
                AuthError::new(AuthErrorKind::Config, "http", format!("HTTP client: {e}"))
            })?;
        Ok(OAuth {
            config,
            client,
            http,
        })
    }

    fn host(&self) -> String {
        url::Url::parse(&self.config.token_url)
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                })
            })
            .unwrap_or_else(|| self.config.token_url.clone())
    }

    fn scopes(&self) -> impl Iterator<Item = Scope> + '_ {
        self.config.scopes.iter().map(|s| Scope::new(s.clone()))
    }

    pub fn config(&self) -> &OAuthConfig {
        &self.config
    }

    fn token_set(&self, r: &BasicTokenResponse, previous: Option<&TokenSet>) -> TokenSet {
        self.token_set_for(r, previous, &self.config.scopes)
    }

    fn token_set_for(
        &self,
        r: &BasicTokenResponse,
        previous: Option<&TokenSet>,
        asked: &[String],
    ) -> TokenSet {
        let now = now();
        let lifetime = r.expires_in().map(|d| d.as_secs() as i64).unwrap_or(3600);
        // Providers may omit the refresh token on refresh: keep the old one then.
        let (refresh_token, refresh_issued_at) = match r.refresh_token() {
            Some(t) => (Some(Secret::new(t.secret().clone())), Some(now)),
            None => (
                previous.and_then(|p| p.refresh_token.clone()),
                previous.and_then(|p| p.refresh_issued_at),
            ),
        };
        TokenSet {
            access_token: Secret::new(r.access_token().secret().clone()),
            access_issued_at: now,
            access_expires_at: now + lifetime,
            refresh_token,
            refresh_issued_at,
            signed_in_at: previous.map(|p| p.signed_in_at).unwrap_or(now),
            scopes: r
                .scopes()
                .map(|s| s.iter().map(|s| s.to_string()).collect())
                .unwrap_or_else(|| asked.to_vec()),
        }
    }

    /// Step one of the device flow: get a user code.
    pub async fn start_device(
        &self,
    ) -> Result<(DeviceCode, StandardDeviceAuthorizationResponse), AuthError> {
        self.start_device_for(&self.config.scopes).await
    }

    /// A device sign-in asking for these scopes instead of the account's
    /// (one more resource's consent: Microsoft Graph's `Mail.Send`).
    pub async fn start_device_for(
        &self,
        scopes: &[String],
    ) -> Result<(DeviceCode, StandardDeviceAuthorizationResponse), AuthError> {
        let request = self.client.exchange_device_code().map_err(|_| {
            AuthError::new(
                AuthErrorKind::Config,
                "config",
                "This account has no device authorization endpoint; use login = \"browser\".",
            )
        })?;
        let details: StandardDeviceAuthorizationResponse = request
            .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())))
            .request_async(&self.http)
            .await
            .map_err(|e| classify(&self.host(), e))?;
        let code = DeviceCode::new(
            details.user_code().secret(),
            &details.verification_uri().to_string(),
            now() + details.expires_in().as_secs() as i64,
        );
        Ok((code, details))
    }

    /// Step two: poll until the user approves, declines or the code expires.
    /// Transient failures (5xx, network) keep polling until the code expires.
    pub async fn finish_device(
        &self,
        details: &StandardDeviceAuthorizationResponse,
    ) -> Result<TokenSet, AuthError> {
        self.finish_device_for(details, &self.config.scopes).await
    }

    pub async fn finish_device_for(
        &self,
        details: &StandardDeviceAuthorizationResponse,
        scopes: &[String],
    ) -> Result<TokenSet, AuthError> {
        let expires_at = now() + details.expires_in().as_secs() as i64;
        loop {
            let remaining = expires_at - now();
            if remaining <= 0 {
                return Err(explain("expired_token", None));
            }
            let result = self
                .client
                .exchange_device_access_token(details)
                .request_async(
                    &self.http,
                    tokio::time::sleep,
                    Some(Duration::from_secs(remaining as u64)),
                )
                .await;
            match result {
                Ok(r) => return Ok(self.token_set_for(&r, None, scopes)),
                Err(e) => {
                    let e = classify(&self.host(), e);
                    if e.kind != AuthErrorKind::Transient {
                        return Err(e);
                    }
                    tracing::warn!(code = %e.code, "device sign-in: {}; still polling", e.message);
                    tokio::time::sleep(details.interval().max(Duration::from_secs(1))).await;
                }
            }
        }
    }

    /// Trades the refresh token for new tokens; stores nothing itself.
    pub async fn refresh(&self, previous: &TokenSet) -> Result<TokenSet, AuthError> {
        self.refresh_for(previous, &self.config.scopes).await
    }

    /// Redeems the refresh token for these scopes: Microsoft's refresh
    /// tokens serve every resource the user consented to, but each access
    /// token serves one resource.
    pub async fn refresh_for(
        &self,
        previous: &TokenSet,
        scopes: &[String],
    ) -> Result<TokenSet, AuthError> {
        let Some(rt) = &previous.refresh_token else {
            // Nothing can renew these tokens: as dead as a refused grant.
            return Err(AuthError::dead(
                AuthErrorKind::SignInNeeded,
                "no_refresh_token",
                "No refresh token is stored (was offline_access requested?). Sign in again.",
            ));
        };
        let r = self
            .client
            .exchange_refresh_token(&RefreshToken::new(rt.expose().to_string()))
            .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())))
            .request_async(&self.http)
            .await
            .map_err(|e| classify(&self.host(), e))?;
        Ok(self.token_set_for(&r, Some(previous), scopes))
    }

    /// The browser flow's first step: where to send the user.
    pub fn authorize_url(
        &self,
        redirect_uri: &str,
    ) -> Result<(url::Url, CsrfToken, PkceCodeVerifier), AuthError> {
        let redirect = RedirectUrl::new(redirect_uri.to_string())
            .map_err(|_| bad_url("redirect", redirect_uri))?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let request = self
            .client
            .authorize_url(CsrfToken::new_random)
            .map_err(|_| {
                AuthError::new(
                    AuthErrorKind::Config,
                    "config",
                    "This account has no authorization endpoint; use login = \"device\".",
                )
            })?;
        let (url, state) = request
            .add_scopes(self.scopes())
            .set_pkce_challenge(challenge)
            .set_redirect_uri(std::borrow::Cow::Owned(redirect))
            .url();
        Ok((url, state, verifier))
    }

    pub async fn exchange_code(
        &self,
        code: String,
        verifier: PkceCodeVerifier,
        redirect_uri: &str,
    ) -> Result<TokenSet, AuthError> {
        let redirect = RedirectUrl::new(redirect_uri.to_string())
            .map_err(|_| bad_url("redirect", redirect_uri))?;
        let r = self
            .client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .set_redirect_uri(std::borrow::Cow::Owned(redirect))
            .request_async(&self.http)
            .await
            .map_err(|e| classify(&self.host(), e))?;
        Ok(self.token_set(&r, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsoft_endpoints_follow_the_tenant() {
        let c = OAuthConfig::microsoft(
            "https://login.microsoftonline.com/",
            "contoso.onmicrosoft.com",
            "id",
            vec![],
        );
        assert_eq!(
            c.device_url.as_deref(),
            Some(
                "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode"
            )
        );
        assert_eq!(
            c.token_url,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        assert!(OAuth::new(c).is_ok());
    }

    #[test]
    fn admin_consent_goes_to_the_tenant() {
        let c = OAuthConfig::microsoft(
            "https://login.microsoftonline.com",
            "contoso.onmicrosoft.com",
            "11111111-2222-3333-4444-555555555555",
            vec![],
        );
        assert_eq!(
            c.admin_consent_url().as_deref(),
            Some(
                "https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=11111111-2222-3333-4444-555555555555"
            )
        );
        let generic = OAuthConfig {
            token_url: "https://id.example.org/token".into(),
            ..c
        };
        assert_eq!(generic.admin_consent_url(), None);
    }

    #[test]
    fn authorize_url_carries_pkce_and_state() {
        let c = OAuthConfig::microsoft(
            "https://login.microsoftonline.us",
            "common",
            "abc",
            vec!["offline_access".into()],
        );
        let o = OAuth::new(c).unwrap();
        let (url, state, _v) = o.authorize_url("http://localhost:12345/").unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["state"], *state.secret());
        assert_eq!(q["redirect_uri"], "http://localhost:12345/");
        assert_eq!(q["client_id"], "abc");
        assert!(
            url.as_str()
                .starts_with("https://login.microsoftonline.us/common/oauth2/v2.0/authorize?")
        );
    }

    #[tokio::test]
    async fn an_unreachable_provider_is_transient() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let c = OAuthConfig::microsoft(&format!("http://127.0.0.1:{port}"), "common", "id", vec![]);
        let e = OAuth::new(c).unwrap().start_device().await.unwrap_err();
        assert_eq!(e.kind, AuthErrorKind::Transient, "{e:?}");
        assert!(e.message.contains(&format!("127.0.0.1:{port}")), "{e}");
    }
}
