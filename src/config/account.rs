//! An account as parsed: what it is (Maildir, IMAP with a password, IMAP
//! with OAuth2), its folders, how its mail leaves, and where in the file
//! its settings are written.

use std::path::PathBuf;

use super::presets::Provider;
use super::sending::Sending;
use crate::auth::PasswordSource;
use crate::auth::oauth::OAuthConfig;
use crate::auth::sasl::Mechanism;
use crate::auth::service::LoginMethod;
use crate::imap::ImapSettings;

#[derive(Debug, Clone)]
pub struct Account {
    pub name: String,
    pub email: String,
    pub kind: AccountKind,
    /// Trash and Archive folder names, for servers that say neither by
    /// SPECIAL-USE nor by a well-known name.
    pub trash: Option<String>,
    pub archive: Option<String>,
    /// How mail written from this account leaves, and where copies go.
    pub sending: Sending,
    /// Where its settings are written, so `doctor` can send the user there.
    pub lines: ConfigLines,
}

/// Lines (1-based) of an account's settings in the config file; `None`
/// where the setting is not written (a preset or default applies).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConfigLines {
    /// The account's `name`.
    pub name: usize,
    pub imap: Option<usize>,
    pub auth: Option<usize>,
    pub ca_file: Option<usize>,
    pub tenant: Option<usize>,
    pub client_id: Option<usize>,
}

#[derive(Debug, Clone)]
pub enum AccountKind {
    Imap {
        imap: ImapSettings,
        password: PasswordSource,
    },
    Maildir(PathBuf),
    /// OAuth2 accounts (Microsoft and generic): IMAP with tokens.
    OAuth2 {
        imap: ImapSettings,
        oauth: OAuthAccount,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthAccount {
    /// Set for a shared mailbox opened with another account's sign-in.
    pub shared: Option<SharedMailbox>,
    pub provider: Provider,
    /// Shown in the status bar ("contoso.onmicrosoft.com", or the token host).
    pub tenant: String,
    pub client: OAuthConfig,
    pub login: LoginMethod,
    pub mechanism: Option<Mechanism>,
}

/// A shared mailbox's delegate: whose sign-in opens it (`shared.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedMailbox {
    /// The delegate account's name in the config.
    pub delegate: String,
    /// The address the delegate signs in as: SMTP authenticates as this
    /// (Exchange refuses `user=` a shared mailbox for SMTP, 535 5.7.3).
    pub delegate_login: String,
}
