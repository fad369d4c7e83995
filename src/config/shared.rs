//! Shared mailboxes (Microsoft 365): an account entry with
//! `shared_with = "<account>"` opens the mailbox at its `email` with that
//! account's sign-in. It takes the provider, tenant, client ID,
//! authority, IMAP and SMTP settings of that account unless it sets them.

use super::account::{Account, AccountKind, SharedMailbox};
use super::error::FieldError;
use super::presets::Provider;
use super::schema::{AuthMethod, RawAccount, RawAuth, RawImap};
use super::sending::RawSmtp;

type Problem = (usize, std::ops::Range<usize>, &'static str, String);

fn signs_in_with_oauth2(a: &RawAccount) -> bool {
    match &a.auth {
        Some(auth) => auth.get_ref().method == AuthMethod::Oauth2,
        None => matches!(
            a.provider.as_ref().map(|p| *p.get_ref()),
            Some(Provider::Microsoft | Provider::Outlook)
        ),
    }
}

/// Fills each shared mailbox's unset settings from its delegate; errors
/// point at `shared_with` (unknown name, a chain, a delegate without OAuth2).
pub(super) fn inherit(accounts: &mut [RawAccount]) -> Result<(), Problem> {
    for i in 0..accounts.len() {
        let Some(wanted) = accounts[i].shared_with.clone() else {
            continue;
        };
        let name = wanted.get_ref().trim();
        let problem = |msg: String| (i, wanted.span(), "shared_with", msg);
        let Some(d) = accounts
            .iter()
            .position(|a| a.name.get_ref().trim() == name)
        else {
            return Err(problem(format!("no account is named \"{name}\"")));
        };
        if d == i {
            return Err(problem(
                "names this account itself; name the account whose sign-in opens this mailbox"
                    .into(),
            ));
        }
        let delegate = &accounts[d];
        if delegate.shared_with.is_some() {
            return Err(problem(format!(
                "\"{name}\" is itself a shared mailbox; name the account that signs in (the one it is shared with)"
            )));
        }
        if !signs_in_with_oauth2(delegate) {
            return Err(problem(format!(
                "\"{name}\" does not sign in with OAuth2; a shared mailbox is opened with a Microsoft 365 (OAuth2) account's sign-in"
            )));
        }
        let login = delegate
            .username
            .clone()
            .or_else(|| delegate.email.clone())
            .unwrap_or_default();
        let from = Inherited {
            provider: delegate.provider.clone(),
            tenant: delegate.tenant.clone(),
            client_id: delegate.client_id.clone(),
            authority: delegate.authority.clone(),
            login: delegate.login,
            imap: delegate.imap.clone(),
            auth: delegate.auth.clone(),
            ca_file: delegate.ca_file.clone(),
            smtp: delegate.smtp.clone(),
            graph_url: delegate.graph_url.clone(),
        };
        let a = &mut accounts[i];
        if a.email.as_deref().is_none_or(|e| e.trim().is_empty()) {
            return Err((
                i,
                a.name.span(),
                "email",
                "is required for a shared mailbox: the shared mailbox's address".into(),
            ));
        }
        if a.auth
            .as_ref()
            .is_some_and(|x| x.get_ref().method != AuthMethod::Oauth2)
        {
            let span = a.auth.as_ref().map_or(wanted.span(), |x| x.span());
            return Err((
                i,
                span,
                "auth",
                format!("a shared mailbox signs in through \"{name}\"; leave auth out"),
            ));
        }
        a.delegate_login = Some(login);
        a.provider = a.provider.take().or(from.provider);
        a.tenant = a.tenant.take().or(from.tenant);
        a.client_id = a.client_id.take().or(from.client_id);
        a.authority = a.authority.take().or(from.authority);
        a.login = a.login.or(from.login);
        a.imap = a.imap.take().or(from.imap);
        a.auth = a.auth.take().or(from.auth);
        a.ca_file = a.ca_file.take().or(from.ca_file);
        a.smtp = a.smtp.take().or(from.smtp);
        a.graph_url = a.graph_url.take().or(from.graph_url);
    }
    Ok(())
}

/// What a shared mailbox takes from its delegate.
struct Inherited {
    graph_url: Option<toml::Spanned<String>>,
    provider: Option<toml::Spanned<Provider>>,
    tenant: Option<toml::Spanned<String>>,
    client_id: Option<toml::Spanned<String>>,
    authority: Option<toml::Spanned<String>>,
    login: Option<crate::auth::service::LoginMethod>,
    imap: Option<toml::Spanned<RawImap>>,
    auth: Option<toml::Spanned<RawAuth>>,
    ca_file: Option<toml::Spanned<std::path::PathBuf>>,
    smtp: Option<toml::Spanned<RawSmtp>>,
}

/// Marks a shared mailbox's account as opened through its delegate.
pub(super) fn mark(a: &RawAccount, kind: &mut AccountKind) -> Result<(), FieldError> {
    let (Some(with), Some(login)) = (&a.shared_with, &a.delegate_login) else {
        return Ok(());
    };
    match kind {
        AccountKind::OAuth2 { oauth, .. } => {
            oauth.shared = Some(SharedMailbox {
                delegate: with.get_ref().trim().to_string(),
                delegate_login: login.clone(),
            });
            Ok(())
        }
        _ => Err((
            Some(with.span()),
            "shared_with",
            "a shared mailbox is opened with OAuth2 only".into(),
        )),
    }
}

impl Account {
    /// Set when this account is a shared mailbox: it reads and sends as its
    /// own `email`, authenticating as `delegate_login` with the delegate
    /// account's tokens (Graph: `/users/{email}/sendMail`).
    pub fn shared_mailbox(&self) -> Option<&SharedMailbox> {
        match &self.kind {
            AccountKind::OAuth2 { oauth, .. } => oauth.shared.as_ref(),
            _ => None,
        }
    }
}

#[cfg(test)]
#[path = "shared_tests.rs"]
mod tests;
