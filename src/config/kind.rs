//! What an account is: a Maildir, IMAP with a password (from a command,
//! the keyring, or written in the file), or IMAP with OAuth2.

use super::account::AccountKind;
use super::error::FieldError;
use super::oauth::oauth_account;
use super::presets::Provider;
use super::schema::{AuthMethod, RawAccount};
use super::server::imap_server;
use super::values::expand_home;
use crate::auth::{PasswordSource, Secret};

pub(super) fn account_kind(
    a: &RawAccount,
    email: &str,
    warnings: &mut Vec<String>,
    name: &str,
) -> Result<AccountKind, FieldError> {
    let provider = match a
        .provider
        .as_ref()
        .map_or(Provider::Generic, |p| *p.get_ref())
    {
        Provider::Outlook => Provider::Microsoft,
        p => p,
    };
    if provider == Provider::Maildir {
        let Some(dir) = &a.maildir else {
            return Err((
                a.provider.as_ref().map(|p| p.span()),
                "maildir",
                "provider = \"maildir\" needs maildir = \"/path/to/Maildir\"".into(),
            ));
        };
        return Ok(AccountKind::Maildir(expand_home(dir)));
    }
    if a.maildir.is_some() {
        return Err((
            None,
            "maildir",
            "only used with provider = \"maildir\"".into(),
        ));
    }
    let server = imap_server(a, provider, email)?;

    let auth = a.auth.as_ref().map(|s| (s.span(), s.get_ref()));
    let method = match (&auth, provider) {
        (Some((_, r)), _) => r.method,
        (None, Provider::Microsoft) => AuthMethod::Oauth2,
        (None, _) => {
            return Err((
                None,
                "auth",
                "is required: auth = { method = \"password\", password_command = \"…\" }".into(),
            ));
        }
    };
    match method {
        AuthMethod::Password => {
            let (span, r) = auth.ok_or((None, "auth", "missing".to_string()))?;
            if server.username.is_empty() {
                return Err((None, "email", "is required (or username) to log in".into()));
            }
            let keyring = r.keyring.unwrap_or(false);
            let password = match (&r.password_command, &r.password, keyring) {
                (Some(cmd), None, false) => PasswordSource::Command(cmd.clone()),
                (None, None, true) => PasswordSource::Keyring(name.to_string()),
                (None, Some(p), false) => {
                    warnings.push(format!(
                        "account \"{name}\": the password is written in the config file; password_command or keyring is safer"
                    ));
                    PasswordSource::Plain(Secret::new(p.clone()))
                }
                (None, None, false) => {
                    let msg =
                        "is required for method = \"password\" (or password, or keyring = true)";
                    return Err((Some(span), "auth.password_command", msg.into()));
                }
                _ => {
                    let msg = "give one of password_command, password or keyring = true";
                    return Err((Some(span), "auth", msg.into()));
                }
            };
            Ok(AccountKind::Imap {
                imap: server,
                password,
            })
        }
        AuthMethod::Oauth2 => oauth_account(a, provider, auth.map(|(_, r)| r), server),
    }
}
