//! How an OAuth2 account signs in: Microsoft's presets (authority,
//! tenant, scopes) with the app's client ID, or a generic provider's
//! endpoints as written; every endpoint over https (http only to this
//! machine).

use super::account::{AccountKind, OAuthAccount};
use super::error::FieldError;
use super::presets::{MICROSOFT_AUTHORITY, MICROSOFT_IMAP_SCOPE, Provider};
use super::schema::{RawAccount, RawAuth};
use super::sending::MICROSOFT_SMTP_SCOPE;
use super::values::secure_url;
use crate::auth::oauth::OAuthConfig;
use crate::auth::service::LoginMethod;
use crate::imap::ImapSettings;

pub(super) fn oauth_account(
    a: &RawAccount,
    provider: Provider,
    auth: Option<&RawAuth>,
    imap: ImapSettings,
) -> Result<AccountKind, FieldError> {
    if imap.username.is_empty() {
        return Err((None, "email", "is required (or username) to log in".into()));
    }
    let login = a.login.unwrap_or(LoginMethod::Device);
    let mechanism = auth.and_then(|r| r.sasl);
    let (client, tenant) = if provider == Provider::Microsoft {
        let authority = match &a.authority {
            Some(s) => {
                let v = s.get_ref().trim_end_matches('/').to_string();
                if !secure_url(&v) {
                    return Err((
                        Some(s.span()),
                        "authority",
                        "must be https:// (http:// only for loopback)".into(),
                    ));
                }
                v
            }
            None => MICROSOFT_AUTHORITY.to_string(),
        };
        let client_id = a
            .client_id
            .as_ref()
            .map(|c| c.get_ref().clone())
            .filter(|c| !c.trim().is_empty())
            .ok_or((
            None,
            "client_id",
            "is required for Microsoft accounts: register mailtui in Microsoft Entra (see the README) and put its Application (client) ID here".into(),
        ))?;
        let tenant = a
            .tenant
            .as_ref()
            .map(|t| t.get_ref().clone())
            .unwrap_or_else(|| match a.provider.as_ref().map(|p| *p.get_ref()) {
                Some(Provider::Outlook) => "consumers".to_string(),
                _ => "common".to_string(),
            });
        let scopes = auth.and_then(|r| r.scopes.clone()).unwrap_or_else(|| {
            vec![
                MICROSOFT_IMAP_SCOPE.to_string(),
                MICROSOFT_SMTP_SCOPE.to_string(),
                "offline_access".to_string(),
            ]
        });
        (
            OAuthConfig::microsoft(&authority, &tenant, &client_id, scopes),
            tenant,
        )
    } else {
        let r = auth.ok_or((None, "auth", "missing".to_string()))?;
        let need = |v: &Option<String>, key: &'static str| {
            v.clone().ok_or((
                None,
                key,
                "is required for method = \"oauth2\" with provider = \"generic\"".to_string(),
            ))
        };
        let token_url = need(&r.token_url, "auth.token_url")?;
        for (key, url) in [
            ("auth.token_url", Some(&token_url)),
            (
                "auth.device_authorization_url",
                r.device_authorization_url.as_ref(),
            ),
            ("auth.authorization_url", r.authorization_url.as_ref()),
        ] {
            if url.is_some_and(|u| !secure_url(u)) {
                return Err((
                    None,
                    key,
                    "must be https:// (http:// only for loopback)".into(),
                ));
            }
        }
        let client = OAuthConfig {
            client_id: need(&r.client_id, "auth.client_id")?,
            device_url: r.device_authorization_url.clone(),
            authorize_url: r.authorization_url.clone(),
            scopes: r.scopes.clone().unwrap_or_default(),
            token_url: token_url.clone(),
        };
        match login {
            LoginMethod::Device if client.device_url.is_none() => {
                return Err((
                    None,
                    "auth.device_authorization_url",
                    "is required for device sign-in (or set login = \"browser\")".into(),
                ));
            }
            LoginMethod::Browser if client.authorize_url.is_none() => {
                return Err((
                    None,
                    "auth.authorization_url",
                    "is required for login = \"browser\"".into(),
                ));
            }
            _ => {}
        }
        let host = url::Url::parse(&token_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or(token_url);
        (client, host)
    };
    Ok(AccountKind::OAuth2 {
        imap,
        oauth: OAuthAccount {
            shared: None,
            provider,
            tenant,
            client,
            login,
            mechanism,
        },
    })
}
