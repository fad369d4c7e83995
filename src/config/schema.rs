//! The config file as written: the TOML schema that serde reads, with
//! spans kept where an error must point at a value. Unknown keys are
//! errors.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::presets::Provider;
use super::sending;
use super::theme::ThemeConfig;
use crate::auth::sasl::Mechanism;
use crate::auth::service::LoginMethod;
use crate::imap::TlsMode;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default)]
    pub(super) accounts: Vec<RawAccount>,
    #[serde(default)]
    pub(super) keys: BTreeMap<Spanned<String>, Spanned<String>>,
    pub(super) cache: Option<RawCache>,
    pub(super) sync: Option<RawSync>,
    pub(super) notify: Option<RawNotify>,
    pub(super) ui: Option<RawUi>,
    #[serde(default)]
    pub(super) theme: ThemeConfig,
    pub(super) files: Option<RawFiles>,
    pub(super) compose: Option<sending::RawCompose>,
    pub(super) pipe: Option<super::pipe::RawPipe>,
    #[serde(default)]
    pub(super) searches: Vec<super::searches::RawSearch>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFiles {
    pub(super) download_dir: Option<Spanned<PathBuf>>,
    pub(super) open_command: Option<Spanned<String>>,
}

/// `[ui] side_panes`: whether the accounts and folders panes take room
/// beside the list. `auto` hides them on narrow terminals; they show
/// while one of them has the focus either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SidePanes {
    #[default]
    Auto,
    Show,
    Hide,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUi {
    pub(super) mouse: Option<bool>,
    pub(super) side_panes: Option<SidePanes>,
    pub(super) date_format_today: Option<Spanned<String>>,
    pub(super) date_format_this_year: Option<Spanned<String>>,
    pub(super) date_format_older: Option<Spanned<String>>,
    pub(super) columns: Option<Spanned<Vec<String>>>,
    pub(super) all_inboxes: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotify {
    pub(super) bell: Option<bool>,
    pub(super) desktop: Option<crate::notify::Desktop>,
    pub(super) title: Option<bool>,
    pub(super) show_sender: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCache {
    pub(super) body_cache_mb: Option<Spanned<u64>>,
    pub(super) prefetch: Option<Spanned<usize>>,
    pub(super) sync_bodies: Option<Spanned<String>>,
    pub(super) sync_bodies_message_kb: Option<Spanned<u64>>,
    pub(super) sync_bodies_mb: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSync {
    pub(super) poll_seconds: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccount {
    pub(super) name: Spanned<String>,
    pub(super) email: Option<String>,
    /// Required, except for a shared mailbox (inherited).
    pub(super) provider: Option<Spanned<Provider>>,
    /// The account whose sign-in opens this shared mailbox.
    pub(super) shared_with: Option<Spanned<String>>,
    /// Filled from that account: the address it signs in as.
    #[serde(skip)]
    pub(super) delegate_login: Option<String>,
    pub(super) username: Option<String>,
    pub(super) tenant: Option<Spanned<String>>,
    pub(super) client_id: Option<Spanned<String>>,
    pub(super) authority: Option<Spanned<String>>,
    pub(super) login: Option<LoginMethod>,
    pub(super) imap: Option<Spanned<RawImap>>,
    pub(super) auth: Option<Spanned<RawAuth>>,
    pub(super) ca_file: Option<Spanned<PathBuf>>,
    pub(super) maildir: Option<PathBuf>,
    pub(super) trash: Option<String>,
    pub(super) archive: Option<String>,
    pub(super) smtp: Option<Spanned<sending::RawSmtp>>,
    pub(super) save_sent: Option<Spanned<sending::RawSaveSent>>,
    pub(super) sent: Option<String>,
    pub(super) drafts: Option<String>,
    pub(super) aliases: Option<Vec<String>>,
    pub(super) full_name: Option<String>,
    pub(super) signature_file: Option<PathBuf>,
    /// The demo's "sending": delivered into this local Maildir.
    pub(super) deliver_to: Option<PathBuf>,
    pub(super) send: Option<Spanned<String>>,
    pub(super) graph_url: Option<Spanned<String>>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawImap {
    pub(super) host: Option<String>,
    pub(super) port: Option<u16>,
    pub(super) tls: Option<TlsMode>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAuth {
    pub(super) method: AuthMethod,
    pub(super) password_command: Option<String>,
    pub(super) password: Option<String>,
    /// The password is in the OS keyring (entry "password:<account name>").
    pub(super) keyring: Option<bool>,
    // OAuth2 for providers other than Microsoft:
    pub(super) client_id: Option<String>,
    pub(super) device_authorization_url: Option<String>,
    pub(super) token_url: Option<String>,
    pub(super) authorization_url: Option<String>,
    pub(super) scopes: Option<Vec<String>>,
    pub(super) sasl: Option<Mechanism>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(super) enum AuthMethod {
    Password,
    Oauth2,
}
