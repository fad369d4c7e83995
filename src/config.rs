//! The TOML config: schema, provider presets and validation. Every error
//! names the file, line, column and key.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::auth::oauth::OAuthConfig;
use crate::auth::sasl::Mechanism;
use crate::auth::service::LoginMethod;
use crate::auth::{PasswordSource, Secret};
use crate::imap::{ImapSettings, Timeouts, TlsMode, is_loopback};

pub mod sending;
mod shared;
pub mod theme;

pub use sending::{ComposeConfig, SaveSent, Sending, SmtpServer, Transport};

#[derive(Debug, Default)]
pub struct Config {
    pub accounts: Vec<Account>,
    /// `[cache]` and `[sync]`: the local store and live updates.
    pub sync: SyncSettings,
    /// `[ui] mouse`: clicks and the wheel (off by default).
    pub mouse: bool,
    /// `[ui] date_format_*`: the list's dates (strftime, checked).
    pub dates: crate::text::dates::DateFormats,
    /// `[notify]`: what the terminal is told about new mail.
    pub notify: crate::notify::NotifySettings,
    /// `[theme]`: colours as written; the UI builds its styles from it.
    pub theme: theme::ThemeConfig,
    /// `[files]`: where attachments are saved, what opens them.
    pub files: FilesConfig,
    /// `[compose]`: the editor, the attribution line, the signature.
    pub compose: ComposeConfig,
    /// Key overrides as written: (key spec, action name, where).
    pub keys: Vec<KeyBinding>,
    /// Plaintext passwords found (and a file others can read holding one),
    /// for a warning once logging is up.
    pub warnings: Vec<String>,
}

/// What `[cache]` and `[sync]` set, for every account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSettings {
    /// Bytes of opened message bodies kept per account.
    pub body_budget: u64,
    /// Newest messages of the open folder whose bodies are fetched ahead.
    pub prefetch: usize,
    /// Seconds between checks for changes where the server has no IDLE.
    pub poll_secs: u64,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            body_budget: crate::store::DEFAULT_BODY_BUDGET,
            prefetch: 0,
            poll_secs: Timeouts::default().poll.as_secs(),
        }
    }
}

/// `[files]` as written; [`FilesConfig::settings`] fills in the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilesConfig {
    pub download_dir: Option<PathBuf>,
    /// `open_command` split like a shell would (no shell runs it).
    pub open_command: Option<Vec<String>>,
}

impl FilesConfig {
    /// With the XDG download dir (else ~/Downloads) where none is set.
    pub fn settings(&self) -> crate::files::FilesSettings {
        crate::files::FilesSettings {
            download_dir: self
                .download_dir
                .clone()
                .unwrap_or_else(crate::files::default_download_dir),
            open_command: self.open_command.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct KeyBinding {
    pub key: String,
    pub action: String,
    pub at: Location,
}

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

pub use shared::SharedMailbox;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Microsoft,
    /// Outlook.com, Hotmail and Live personal accounts: Microsoft's
    /// consumer sign-in (tenant `consumers`) and submission host. Read as
    /// `Microsoft` with those defaults.
    #[serde(alias = "outlook.com")]
    Outlook,
    Generic,
    Maildir,
}

/// A place in the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    pub path: PathBuf,
    pub at: Option<Location>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(at) = self.at {
            write!(f, ":{}:{}", at.line, at.column)?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

pub const MICROSOFT_IMAP_HOST: &str = "outlook.office365.com";
pub const MICROSOFT_AUTHORITY: &str = "https://login.microsoftonline.com";
pub const MICROSOFT_IMAP_SCOPE: &str = "https://outlook.office.com/IMAP.AccessAsUser.All";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    accounts: Vec<RawAccount>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, Spanned<String>>,
    cache: Option<RawCache>,
    sync: Option<RawSync>,
    notify: Option<RawNotify>,
    ui: Option<RawUi>,
    #[serde(default)]
    theme: theme::ThemeConfig,
    files: Option<RawFiles>,
    compose: Option<sending::RawCompose>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFiles {
    download_dir: Option<Spanned<PathBuf>>,
    open_command: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUi {
    mouse: Option<bool>,
    date_format_today: Option<Spanned<String>>,
    date_format_this_year: Option<Spanned<String>>,
    date_format_older: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotify {
    bell: Option<bool>,
    desktop: Option<crate::notify::Desktop>,
    title: Option<bool>,
    show_sender: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCache {
    body_cache_mb: Option<Spanned<u64>>,
    prefetch: Option<Spanned<usize>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSync {
    poll_seconds: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    name: Spanned<String>,
    email: Option<String>,
    /// Required, except for a shared mailbox (inherited).
    provider: Option<Spanned<Provider>>,
    /// The account whose sign-in opens this shared mailbox.
    shared_with: Option<Spanned<String>>,
    /// Filled from that account: the address it signs in as.
    #[serde(skip)]
    delegate_login: Option<String>,
    username: Option<String>,
    tenant: Option<Spanned<String>>,
    client_id: Option<Spanned<String>>,
    authority: Option<Spanned<String>>,
    login: Option<LoginMethod>,
    imap: Option<Spanned<RawImap>>,
    auth: Option<Spanned<RawAuth>>,
    ca_file: Option<Spanned<PathBuf>>,
    maildir: Option<PathBuf>,
    trash: Option<String>,
    archive: Option<String>,
    smtp: Option<Spanned<sending::RawSmtp>>,
    save_sent: Option<Spanned<sending::RawSaveSent>>,
    sent: Option<String>,
    drafts: Option<String>,
    aliases: Option<Vec<String>>,
    full_name: Option<String>,
    signature_file: Option<PathBuf>,
    /// The demo's "sending": delivered into this local Maildir.
    deliver_to: Option<PathBuf>,
    send: Option<Spanned<String>>,
    graph_url: Option<Spanned<String>>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawImap {
    host: Option<String>,
    port: Option<u16>,
    tls: Option<TlsMode>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawAuth {
    method: AuthMethod,
    password_command: Option<String>,
    password: Option<String>,
    /// The password is in the OS keyring (entry "password:<account name>").
    keyring: Option<bool>,
    // OAuth2 for providers other than Microsoft:
    client_id: Option<String>,
    device_authorization_url: Option<String>,
    token_url: Option<String>,
    authorization_url: Option<String>,
    scopes: Option<Vec<String>>,
    sasl: Option<Mechanism>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum AuthMethod {
    Password,
    Oauth2,
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        at: None,
        key: None,
        message: format!("cannot read: {e}"),
    })?;
    let mut config = parse(path, &text)?;
    if let Some(w) = readable_secret(path, &config) {
        config.warnings.push(w);
    }
    Ok(config)
}

/// A config file holding a password that other local users can read: the
/// warning, with the chmod that fixes it.
fn readable_secret(path: &Path, config: &Config) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let holds_secret = config.accounts.iter().any(|a| {
        matches!(
            &a.kind,
            AccountKind::Imap {
                password: PasswordSource::Plain(_),
                ..
            }
        )
    });
    if !holds_secret {
        return None;
    }
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o044 != 0).then(|| {
        format!(
            "{} holds a password and other users can read it (mode {mode:o}); run `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}

pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let err =
        |span: Option<std::ops::Range<usize>>, key: Option<String>, message: String| ConfigError {
            path: path.to_path_buf(),
            at: span.map(|s| location(text, s.start)),
            key,
            message,
        };
    let de = toml::Deserializer::parse(text)
        .map_err(|e| err(e.span(), None, e.message().to_string()))?;
    let raw: RawConfig = serde_path_to_error::deserialize(de).map_err(|e| {
        let key = user_key(&e.path().to_string());
        let inner = e.into_inner();
        err(
            inner.span(),
            (key != ".").then_some(key),
            inner.message().to_string(),
        )
    })?;

    let mut sync = SyncSettings::default();
    if let Some(c) = &raw.cache {
        if let Some(mb) = &c.body_cache_mb {
            sync.body_budget = mb.get_ref().saturating_mul(1024 * 1024);
        }
        if let Some(n) = &c.prefetch {
            if *n.get_ref() > 10_000 {
                let key = Some("cache.prefetch".to_string());
                return Err(err(Some(n.span()), key, "at most 10000".into()));
            }
            sync.prefetch = *n.get_ref();
        }
    }
    if let Some(p) = raw.sync.as_ref().and_then(|s| s.poll_seconds.as_ref()) {
        if !(5..=3600).contains(p.get_ref()) {
            let key = Some("sync.poll_seconds".to_string());
            return Err(err(
                Some(p.span()),
                key,
                "must be between 5 and 3600".into(),
            ));
        }
        sync.poll_secs = *p.get_ref();
    }
    let mut raw_accounts = raw.accounts;
    shared::inherit(&mut raw_accounts).map_err(|(i, span, key, msg)| {
        err(Some(span), Some(format!("accounts[{i}].{key}")), msg)
    })?;
    let mut accounts = Vec::new();
    let mut warnings = Vec::new();
    for (i, a) in raw_accounts.into_iter().enumerate() {
        let name = a.name.get_ref().trim().to_string();
        let here = |key: &str| Some(format!("accounts[{i}].{key}"));
        if name.is_empty() {
            return Err(err(
                Some(a.name.span()),
                here("name"),
                "must not be empty".into(),
            ));
        }
        if accounts.iter().any(|x: &Account| x.name == name) {
            return Err(err(
                Some(a.name.span()),
                here("name"),
                format!("\"{name}\" is used by another account"),
            ));
        }
        let Some(provider) = a.provider.as_ref().map(|p| *p.get_ref()) else {
            return Err(err(
                Some(a.name.span()),
                here("provider"),
                "missing field `provider`".into(),
            ));
        };
        let email = a.email.clone().unwrap_or_default();
        let mut kind =
            account_kind(&a, &email, &mut warnings, &name).map_err(|(span, key, msg)| {
                err(Some(span.unwrap_or_else(|| a.name.span())), here(key), msg)
            })?;
        shared::mark(&a, &mut kind).map_err(|(span, key, msg)| {
            err(Some(span.unwrap_or_else(|| a.name.span())), here(key), msg)
        })?;
        let sending_kind = match provider {
            Provider::Microsoft => sending::Kind::Microsoft,
            Provider::Outlook => sending::Kind::OutlookCom,
            Provider::Generic => sending::Kind::Generic,
            Provider::Maildir => sending::Kind::Maildir,
        };
        let raw_sending = sending::RawSending {
            smtp: a.smtp.as_ref(),
            save_sent: a.save_sent.as_ref(),
            sent: a.sent.as_ref(),
            drafts: a.drafts.as_ref(),
            aliases: a.aliases.as_ref(),
            full_name: a.full_name.as_ref(),
            signature_file: a.signature_file.as_ref(),
            deliver_to: a.deliver_to.as_ref(),
            send: a.send.as_ref(),
            graph_url: a.graph_url.as_ref(),
        };
        let sending = sending::sending(raw_sending, sending_kind, expand_home).map_err(
            |(span, key, msg)| err(Some(span.unwrap_or_else(|| a.name.span())), here(key), msg),
        )?;
        let line = |span: std::ops::Range<usize>| location(text, span.start).line;
        let lines = ConfigLines {
            name: line(a.name.span()),
            imap: a.imap.as_ref().map(|s| line(s.span())),
            auth: a.auth.as_ref().map(|s| line(s.span())),
            ca_file: a.ca_file.as_ref().map(|s| line(s.span())),
            tenant: a.tenant.as_ref().map(|s| line(s.span())),
            client_id: a.client_id.as_ref().map(|s| line(s.span())),
        };
        accounts.push(Account {
            name,
            email,
            kind,
            trash: a.trash.clone().filter(|t| !t.trim().is_empty()),
            archive: a.archive.clone().filter(|t| !t.trim().is_empty()),
            sending,
            lines,
        });
    }
    let keys = raw
        .keys
        .into_iter()
        .map(|(k, v)| KeyBinding {
            at: location(text, k.span().start),
            key: k.into_inner(),
            action: v.into_inner(),
        })
        .collect();
    for a in &mut accounts {
        if let AccountKind::Imap { imap, .. } | AccountKind::OAuth2 { imap, .. } = &mut a.kind {
            imap.timeouts.poll = std::time::Duration::from_secs(sync.poll_secs);
        }
    }
    let mut notify = crate::notify::NotifySettings::default();
    if let Some(n) = &raw.notify {
        notify.bell = n.bell.unwrap_or(notify.bell);
        notify.desktop = n.desktop.unwrap_or(notify.desktop);
        notify.title = n.title.unwrap_or(notify.title);
        notify.show_sender = n.show_sender.unwrap_or(notify.show_sender);
    }
    let mut dates = crate::text::dates::DateFormats::default();
    if let Some(u) = &raw.ui {
        for (name, given, slot) in [
            ("today", &u.date_format_today, &mut dates.today),
            ("this_year", &u.date_format_this_year, &mut dates.this_year),
            ("older", &u.date_format_older, &mut dates.older),
        ] {
            if let Some(f) = given {
                let key = Some(format!("ui.date_format_{name}"));
                crate::text::dates::validate(f.get_ref())
                    .map_err(|e| err(Some(f.span()), key, e))?;
                slot.clone_from(f.get_ref());
            }
        }
    }
    let mut files = FilesConfig::default();
    if let Some(f) = &raw.files {
        if let Some(d) = &f.download_dir {
            if d.get_ref().as_os_str().is_empty() {
                let key = Some("files.download_dir".to_string());
                return Err(err(Some(d.span()), key, "must not be empty".into()));
            }
            files.download_dir = Some(expand_home(d.get_ref()));
        }
        if let Some(c) = &f.open_command {
            let key = Some("files.open_command".to_string());
            match shlex::split(c.get_ref()) {
                Some(words) if !words.is_empty() => files.open_command = Some(words),
                Some(_) => return Err(err(Some(c.span()), key, "must name a program".into())),
                None => {
                    return Err(err(
                        Some(c.span()),
                        key,
                        "cannot be split into words (an unclosed quote?)".into(),
                    ));
                }
            }
        }
    }
    let compose = sending::compose(raw.compose.as_ref(), expand_home)
        .map_err(|(span, key, msg)| err(span, Some(key.to_string()), msg))?;
    Ok(Config {
        accounts,
        compose,
        sync,
        mouse: raw.ui.as_ref().and_then(|u| u.mouse).unwrap_or(false),
        dates,
        notify,
        theme: raw.theme,
        files,
        keys,
        warnings,
    })
}

type FieldError = (Option<std::ops::Range<usize>>, &'static str, String);

fn account_kind(
    a: &RawAccount,
    email: &str,
    warnings: &mut Vec<String>,
    name: &str,
) -> Result<AccountKind, FieldError> {
    let imap = a.imap.as_ref().map(|s| (s.span(), s.get_ref()));
    let imap_span = imap.as_ref().map(|(s, _)| s.clone());
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
    let (default_host, default_tls) = match provider {
        Provider::Microsoft => (Some(MICROSOFT_IMAP_HOST), TlsMode::Implicit),
        _ => (None, TlsMode::Implicit),
    };
    let host = imap
        .as_ref()
        .and_then(|(_, i)| i.host.as_deref())
        .or(default_host)
        .ok_or((
            imap_span.clone(),
            "imap.host",
            "is required (imap = { host = \"imap.example.org\" })".into(),
        ))?;
    let host = normalize_host(host).ok_or((
        imap_span.clone(),
        "imap.host",
        format!("{host:?} is not a host name or address (brackets only around an IPv6 address)"),
    ))?;
    let tls = imap
        .as_ref()
        .and_then(|(_, i)| i.tls)
        .unwrap_or(default_tls);
    let port = imap
        .as_ref()
        .and_then(|(_, i)| i.port)
        .unwrap_or(tls.default_port());
    if tls == TlsMode::None && !is_loopback(&host) {
        return Err((
            imap_span,
            "imap.tls",
            format!("\"none\" is only allowed for loopback hosts, not {host}"),
        ));
    }
    let username = a.username.clone().unwrap_or_else(|| email.to_string());
    let server = ImapSettings {
        host,
        port,
        tls,
        ca_file: a.ca_file.as_ref().map(|p| expand_home(p.get_ref())),
        username,
        timeouts: Timeouts::default(),
    };

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

fn oauth_account(
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
                sending::MICROSOFT_SMTP_SCOPE.to_string(),
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

/// A deserializer path as the user wrote it: without the wrapper that
/// carries spans, and without the `?` that stands for a map key.
fn user_key(path: &str) -> String {
    path.replace("$__serde_spanned_private_value", "")
        .split('.')
        .filter(|part| !part.is_empty() && *part != "?")
        .collect::<Vec<_>>()
        .join(".")
        .replace(".[", "[")
}

/// The host as the rest of mailtui uses it: `[::1]` (written as in a URL)
/// becomes `::1`, which resolves and is what TLS checks the certificate
/// against. `None` for brackets around anything else.
fn normalize_host(host: &str) -> Option<String> {
    let h = host.trim();
    match h.strip_prefix('[') {
        Some(rest) => rest
            .strip_suffix(']')
            .filter(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok())
            .map(str::to_string),
        None if h.contains(']') => None,
        None => Some(h.to_string()),
    }
}

/// Tokens only travel over TLS, except to this machine (tests, proxies).
pub(crate) fn secure_url(url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(u) if u.scheme() == "https" => true,
        Ok(u) if u.scheme() == "http" => u.host_str().is_some_and(is_loopback),
        _ => false,
    }
}

fn expand_home(p: &Path) -> PathBuf {
    match p.strip_prefix("~") {
        Ok(rest) => directories::BaseDirs::new()
            .map(|b| b.home_dir().join(rest))
            .unwrap_or_else(|| p.to_path_buf()),
        Err(_) => p.to_path_buf(),
    }
}

fn location(text: &str, offset: usize) -> Location {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    Location { line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_a_file_others_can_read_warns_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let chmod =
            |mode| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let base = "[[accounts]]\nname = \"a\"\nemail = \"a@b\"\nprovider = \"generic\"\nimap = { host = \"h\" }\n";
        std::fs::write(
            &path,
            format!("{base}auth = {{ method = \"password\", password = \"hunter2\" }}\n"),
        )
        .unwrap();
        chmod(0o644);
        let c = load(&path).unwrap();
        let shown = format!("{}", path.display());
        let w = c
            .warnings
            .iter()
            .find(|w| w.contains("other users can read"))
            .expect("warned");
        assert!(
            w.contains(&format!("chmod 600 {shown}")) && w.contains("644"),
            "{w}"
        );
        assert!(!w.contains("hunter2"));
        chmod(0o640);
        assert!(
            load(&path)
                .unwrap()
                .warnings
                .iter()
                .any(|w| w.contains("640"))
        );
        chmod(0o600);
        let c = load(&path).unwrap();
        assert!(
            !c.warnings.iter().any(|w| w.contains("other users")),
            "{:?}",
            c.warnings
        );
        // No secret in the file: its mode is nobody's business.
        std::fs::write(
            &path,
            format!("{base}auth = {{ method = \"password\", password_command = \"x\" }}\n"),
        )
        .unwrap();
        chmod(0o644);
        assert!(load(&path).unwrap().warnings.is_empty());
    }

    fn parse_str(s: &str) -> Result<Config, ConfigError> {
        parse(Path::new("/home/u/.config/mailtui/config.toml"), s)
    }

    fn error(s: &str) -> String {
        parse_str(s).unwrap_err().to_string()
    }

    const GOOD: &str = r#"
[[accounts]]
name = "home"
email = "me@example.org"
provider = "generic"
imap = { host = "imap.example.org", port = 993, tls = "implicit" }
auth = { method = "password", password_command = "pass show mail/home" }

[[accounts]]
name = "work"
email = "alice@contoso.com"
provider = "microsoft"
tenant = "contoso.onmicrosoft.com"
client_id = "00000000-0000-0000-0000-000000000000"

[[accounts]]
name = "local"
provider = "maildir"
maildir = "/var/mail/me"

[keys]
"ctrl-n" = "down"
"#;

    #[test]
    fn parses_the_documented_schema() {
        let c = parse_str(GOOD).unwrap();
        assert_eq!(c.accounts.len(), 3);
        let AccountKind::Imap { imap: s, password } = &c.accounts[0].kind else {
            panic!("imap")
        };
        assert_eq!(
            (s.host.as_str(), s.port, s.tls),
            ("imap.example.org", 993, TlsMode::Implicit)
        );
        assert_eq!(s.username, "me@example.org");
        assert_eq!(
            *password,
            PasswordSource::Command("pass show mail/home".into())
        );
        let AccountKind::OAuth2 { imap, oauth: o } = &c.accounts[1].kind else {
            panic!("oauth")
        };
        assert_eq!((imap.host.as_str(), imap.port), (MICROSOFT_IMAP_HOST, 993));
        assert_eq!(imap.username, "alice@contoso.com");
        assert_eq!(o.tenant, "contoso.onmicrosoft.com");
        assert_eq!(o.login, LoginMethod::Device);
        assert_eq!(
            o.client.scopes,
            [
                MICROSOFT_IMAP_SCOPE,
                sending::MICROSOFT_SMTP_SCOPE,
                "offline_access"
            ]
        );
        assert_eq!(
            o.client.token_url,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        assert!(
            matches!(&c.accounts[2].kind, AccountKind::Maildir(p) if p == Path::new("/var/mail/me"))
        );
        assert_eq!(c.keys[0].key, "ctrl-n");
        assert_eq!(c.keys[0].action, "down");
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn each_account_knows_the_lines_of_its_settings() {
        let c = parse_str(GOOD).unwrap();
        assert_eq!(
            c.accounts[0].lines,
            ConfigLines {
                name: 3,
                imap: Some(6),
                auth: Some(7),
                ..Default::default()
            }
        );
        let work = c.accounts[1].lines;
        assert_eq!(
            (work.name, work.tenant, work.client_id, work.imap),
            (10, Some(13), Some(14), None)
        );
        let c = parse_str(
            "[[accounts]]\nname = \"a\"\nemail = \"a@b\"\nprovider = \"generic\"\n\
             imap = { host = \"h\" }\nca_file = \"/ca.pem\"\nauth = { method = \"password\", password_command = \"x\" }\n",
        )
        .unwrap();
        assert_eq!(c.accounts[0].lines.ca_file, Some(6));
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let e = error("[[accounts]]\nname = \"a\"\nprovider = \"generic\"\nhots = \"x\"\n");
        assert!(
            e.starts_with("/home/u/.config/mailtui/config.toml:4:1: accounts[0]"),
            "{e}"
        );
        assert!(e.contains("unknown field `hots`"), "{e}");
    }

    #[test]
    fn bad_value_names_the_nested_key() {
        let e = error(
            "[[accounts]]\nname = \"a\"\nprovider = \"generic\"\nimap = { host = \"h\", tls = \"maybe\" }\n",
        );
        assert!(
            e.contains(":4:") && e.contains("accounts[0].imap.tls") && e.contains("maybe"),
            "{e}"
        );
        let e = error("[[accounts]]\nname = \"a\"\nprovider = \"yahoo\"\n");
        assert!(
            e.contains(":3:12: accounts[0].provider") && e.contains("yahoo"),
            "{e}"
        );
    }

    #[test]
    fn toml_syntax_errors_point_at_the_line() {
        let e = error("[[accounts]]\nname = \"a\n");
        assert!(e.contains("config.toml:2:"), "{e}");
    }

    #[test]
    fn plaintext_tls_only_for_loopback() {
        let base = "[[accounts]]\nname = \"a\"\nemail = \"a@b\"\nprovider = \"generic\"\nauth = { method = \"password\", password = \"x\" }\n";
        let e = error(&format!(
            "{base}imap = {{ host = \"mail.example.org\", tls = \"none\" }}\n"
        ));
        assert!(
            e.contains(":6:") && e.contains("imap.tls") && e.contains("loopback"),
            "{e}"
        );
        let ok = parse_str(&format!(
            "{base}imap = {{ host = \"127.0.0.1\", tls = \"none\" }}\n"
        ))
        .unwrap();
        let AccountKind::Imap { imap: s, .. } = &ok.accounts[0].kind else {
            panic!()
        };
        assert_eq!(s.port, 143);
        assert_eq!(ok.warnings.len(), 1, "plaintext password warns");
    }

    #[test]
    fn bracketed_ipv6_hosts_are_plain_addresses() {
        let base = "[[accounts]]\nname = \"a\"\nemail = \"a@b\"\nprovider = \"generic\"\nauth = { method = \"password\", password_command = \"x\" }\n";
        for (written, tls, host) in [
            ("[::1]", "none", "::1"),
            ("::1", "none", "::1"),
            (" [::1] ", "none", "::1"),
            ("[2001:db8::1]", "implicit", "2001:db8::1"),
            ("imap.example.org", "implicit", "imap.example.org"),
        ] {
            let c = parse_str(&format!(
                "{base}imap = {{ host = \"{written}\", tls = \"{tls}\" }}\n"
            ))
            .unwrap_or_else(|e| panic!("{written}: {e}"));
            let AccountKind::Imap { imap: s, .. } = &c.accounts[0].kind else {
                panic!()
            };
            assert_eq!(s.host, host);
        }
        let e = error(&format!(
            "{base}imap = {{ host = \"[2001:db8::1]\", tls = \"none\" }}\n"
        ));
        assert!(e.contains("loopback"), "{e}");
        for bad in ["[imap.example.org]", "[::1", "::1]", "[::1]:993"] {
            let e = error(&format!("{base}imap = {{ host = \"{bad}\" }}\n"));
            assert!(
                e.contains(":6:") && e.contains("imap.host") && e.contains("IPv6"),
                "{e}"
            );
        }
    }

    #[test]
    fn semantic_errors_name_the_account_line() {
        let e = error(
            "[[accounts]]\nname = \"a\"\nprovider = \"generic\"\nauth = { method = \"password\", password = \"x\" }\n",
        );
        assert!(e.contains(":2:") && e.contains("imap.host"), "{e}");
        let e = error(
            "[[accounts]]\nname = \"a\"\nprovider = \"maildir\"\n[[accounts]]\nname = \"a\"\nprovider = \"maildir\"\nmaildir = \"/x\"\n",
        );
        assert!(e.contains("maildir"), "{e}");
        let two = "[[accounts]]\nname = \"a\"\nprovider = \"maildir\"\nmaildir = \"/x\"\n[[accounts]]\nname = \"a\"\nprovider = \"maildir\"\nmaildir = \"/y\"\n";
        let e = error(two);
        assert!(
            e.contains(":6:") && e.contains("used by another account"),
            "{e}"
        );
    }

    #[test]
    fn authority_must_be_https_except_loopback() {
        let base = "[[accounts]]\nname = \"w\"\nemail = \"a@b\"\nprovider = \"microsoft\"\nclient_id = \"x\"\n";
        let e = error(&format!("{base}authority = \"http://login.example.com\"\n"));
        assert!(e.contains(":6:") && e.contains("authority"), "{e}");
        assert!(parse_str(&format!("{base}authority = \"http://127.0.0.1:8080\"\n")).is_ok());
        assert!(parse_str(&format!("{base}authority = \"http://[::1]:8080\"\n")).is_ok());
        assert!(parse_str(&format!("{base}authority = \"ftp://x\"\n")).is_err());
    }

    #[test]
    fn microsoft_needs_a_client_id_and_generic_oauth_its_endpoints() {
        let e = error("[[accounts]]\nname = \"w\"\nemail = \"a@b\"\nprovider = \"microsoft\"\n");
        assert!(e.contains("client_id") && e.contains("Entra"), "{e}");
        let generic = "[[accounts]]\nname = \"g\"\nemail = \"a@b\"\nprovider = \"generic\"\nimap = { host = \"imap.example.org\" }\n";
        let e = error(&format!(
            "{generic}auth = {{ method = \"oauth2\", client_id = \"c\", token_url = \"https://id.example.org/token\" }}\n"
        ));
        assert!(e.contains("auth.device_authorization_url"), "{e}");
        let e = error(&format!(
            "{generic}auth = {{ method = \"oauth2\", client_id = \"c\", token_url = \"http://id.example.org/token\", device_authorization_url = \"https://id.example.org/d\" }}\n"
        ));
        assert!(e.contains("auth.token_url") && e.contains("https"), "{e}");
        let ok = parse_str(&format!(
            "{generic}login = \"browser\"\nauth = {{ method = \"oauth2\", client_id = \"c\", token_url = \"https://id.example.org/token\", authorization_url = \"https://id.example.org/auth\", scopes = [\"mail\"], sasl = \"oauthbearer\" }}\n"
        ))
        .unwrap();
        let AccountKind::OAuth2 { oauth, .. } = &ok.accounts[0].kind else {
            panic!()
        };
        assert_eq!(oauth.tenant, "id.example.org");
        assert_eq!(oauth.mechanism, Some(Mechanism::Oauthbearer));
        assert_eq!(oauth.login, LoginMethod::Browser);
    }

    #[test]
    fn password_sources_are_exclusive() {
        let base = "[[accounts]]\nname = \"h\"\nemail = \"a@b\"\nprovider = \"generic\"\nimap = { host = \"imap.example.org\" }\n";
        let c = parse_str(&format!(
            "{base}auth = {{ method = \"password\", keyring = true }}\n"
        ))
        .unwrap();
        let AccountKind::Imap { password, .. } = &c.accounts[0].kind else {
            panic!()
        };
        assert_eq!(*password, PasswordSource::Keyring("h".into()));
        let e = error(&format!(
            "{base}auth = {{ method = \"password\", keyring = true, password = \"x\" }}\n"
        ));
        assert!(e.contains(":6:") && e.contains("one of"), "{e}");
    }

    #[test]
    fn the_example_config_parses() {
        let text = include_str!("../assets/config.example.toml");
        let c = parse_str(text).unwrap();
        assert_eq!(c.accounts.len(), 3);
    }

    #[test]
    fn the_example_config_shows_the_files_options_as_they_work() {
        let text = include_str!("../assets/config.example.toml")
            .replace("# download_dir", "download_dir")
            .replace("# open_command", "open_command")
            .replace("# \"ctrl-s\"", "\"ctrl-s\"");
        let c = parse_str(&text).unwrap();
        assert!(
            c.files
                .download_dir
                .is_some_and(|d| d.ends_with("Downloads"))
        );
        assert_eq!(c.files.open_command, Some(vec!["xdg-open".to_string()]));
        assert!(
            c.keys
                .iter()
                .any(|k| k.key == "ctrl-s" && k.action == "save_all")
        );
        let readme = include_str!("../README.md");
        for (name, _, _) in crate::action::UiAction::NAMED
            .iter()
            .skip_while(|(n, _, _)| *n != "parts")
        {
            assert!(readme.contains(&format!("`{name}`")), "README: {name}");
        }
        assert!(readme.contains("download_dir") && readme.contains("open_command"));
    }

    #[test]
    fn the_mouse_is_off_unless_turned_on() {
        assert!(!parse_str("").unwrap().mouse);
        assert!(parse_str("[ui]\nmouse = true\n").unwrap().mouse);
        let e = parse_str("[ui]\nmouse = \"yes\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:"), "{e}");
    }

    #[test]
    fn date_formats_are_strftime_checked_with_their_place() {
        assert_eq!(parse_str("").unwrap().dates, Default::default());
        let c = parse_str("[ui]\ndate_format_older = \"%d.%m.%Y\"\n").unwrap();
        assert_eq!(c.dates.older, "%d.%m.%Y");
        assert_eq!(c.dates.today, "%H:%M");
        let e = parse_str("[ui]\nmouse = true\ndate_format_this_year = \"%Q %d\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":3:"), "{e}");
        assert!(e.contains("ui.date_format_this_year"), "{e}");
        assert!(e.contains("strftime"), "{e}");
        assert!(parse_str("[ui]\ndate_format_today = \"\"\n").is_err());
    }

    #[test]
    fn notify_section_sets_bell_desktop_and_title() {
        let c = parse_str("[notify]\nbell = true\ndesktop = \"osc777\"\ntitle = false\n").unwrap();
        assert!(c.notify.bell && !c.notify.title && !c.notify.show_sender);
        assert_eq!(c.notify.desktop, crate::notify::Desktop::Osc777);
        let e = parse_str("[notify]\ndesktop = \"growl\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:"), "{e}");
        assert_eq!(parse_str("").unwrap().notify, Default::default());
    }

    #[test]
    fn files_section_sets_the_download_dir_and_the_open_command() {
        let c = parse_str(
            "[files]\ndownload_dir = \"/srv/dl\"\nopen_command = \"open -a 'Preview App'\"\n",
        )
        .unwrap();
        assert_eq!(c.files.download_dir.as_deref(), Some(Path::new("/srv/dl")));
        assert_eq!(
            c.files.open_command.as_deref(),
            Some(&["open".to_string(), "-a".into(), "Preview App".into()][..])
        );
        let s = parse_str("").unwrap().files.settings();
        assert!(s.download_dir.ends_with("Downloads") || s.download_dir.is_absolute());
        assert_eq!(s.open_command, None);
        let e = error("[files]\nopen_command = \"xdg-open 'x\"\n");
        assert!(
            e.contains(":2:") && e.contains("files.open_command") && e.contains("quote"),
            "{e}"
        );
        let e = error("[files]\nopen_command = \"  \"\n");
        assert!(e.contains("must name a program"), "{e}");
        let e = error("[files]\ndownload = \"/x\"\n");
        assert!(e.contains(":2:") && e.contains("download"), "{e}");
    }

    #[test]
    fn empty_file_is_a_valid_config_with_no_accounts() {
        assert!(parse_str("").unwrap().accounts.is_empty());
    }

    #[test]
    fn cache_and_sync_sections_set_the_store_and_polling() {
        let c = parse_str(
            "[cache]\nbody_cache_mb = 10\nprefetch = 25\n[sync]\npoll_seconds = 120\n\
             [[accounts]]\nname = \"h\"\nemail = \"a@b\"\nprovider = \"generic\"\n\
             imap = { host = \"imap.example.org\" }\nauth = { method = \"password\", password_command = \"x\" }\n",
        )
        .unwrap();
        assert_eq!(
            c.sync,
            SyncSettings {
                body_budget: 10 * 1024 * 1024,
                prefetch: 25,
                poll_secs: 120
            }
        );
        let AccountKind::Imap { imap, .. } = &c.accounts[0].kind else {
            panic!()
        };
        assert_eq!(imap.timeouts.poll.as_secs(), 120);
        assert_eq!(parse_str("").unwrap().sync, SyncSettings::default());
        let e = error("[sync]\npoll_seconds = 1\n");
        assert!(
            e.contains(":2:") && e.contains("sync.poll_seconds") && e.contains("between 5"),
            "{e}"
        );
        let e = error("[cache]\nbody_cache_gb = 1\n");
        assert!(e.contains(":2:") && e.contains("body_cache_gb"), "{e}");
    }

    #[test]
    fn trash_and_archive_folders_can_be_named() {
        let c = parse_str(
            "[[accounts]]\nname = \"h\"\nemail = \"a@b\"\nprovider = \"generic\"\ntrash = \"Papierkorb\"\narchive = \"  \"\n\
             imap = { host = \"imap.example.org\" }\nauth = { method = \"password\", password_command = \"x\" }\n",
        )
        .unwrap();
        assert_eq!(c.accounts[0].trash.as_deref(), Some("Papierkorb"));
        assert_eq!(c.accounts[0].archive, None, "blank means not set");
    }
}
