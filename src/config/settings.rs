//! The whole config as parsed, and the sections that hold for every
//! account: `[cache]`, `[sync]`, `[ui]`, `[notify]`, `[files]`, `[keys]`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use toml::Spanned;

use super::account::Account;
use super::error::{ConfigError, Location, Source};
use super::schema::{RawCache, RawFiles, RawNotify, RawSync, RawUi, SidePanes};
use super::sending::ComposeConfig;
use super::theme;
use super::values::expand_home;
use crate::imap::Timeouts;
use crate::notify::NotifySettings;
use crate::text::dates::DateFormats;

#[derive(Debug, Default)]
pub struct Config {
    pub accounts: Vec<Account>,
    /// `[cache]` and `[sync]`: the local store and live updates.
    pub sync: SyncSettings,
    /// `[ui] mouse`: clicks and the wheel (off by default).
    pub mouse: bool,
    /// `[ui] side_panes`: the accounts and folders panes.
    pub side_panes: SidePanes,
    /// `[ui] date_format_*`: the list's dates (strftime, checked).
    pub dates: DateFormats,
    /// `[ui] columns`: the message list's columns, in order.
    pub columns: Vec<super::columns::Column>,
    /// `[notify]`: what the terminal is told about new mail.
    pub notify: NotifySettings,
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
    /// `[pipe]`: the programs that get the terminal.
    pub pipe: super::pipe::PipeConfig,
    /// `[[searches]]` and `[ui] all_inboxes`.
    pub searches: super::searches::Searches,
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
    /// `sync_bodies = "text"`: the open folder's message text fetched
    /// ahead for offline search, each message's up to the first cap, the
    /// account's up to the second (bytes).
    pub sync_text: Option<(u64, u64)>,
}

/// `sync_bodies_message_kb` and `sync_bodies_mb` unless set.
pub const SYNC_TEXT_MESSAGE_KB: u64 = 256;
pub const SYNC_TEXT_ACCOUNT_MB: u64 = 200;

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            body_budget: crate::store::DEFAULT_BODY_BUDGET,
            prefetch: 0,
            poll_secs: Timeouts::default().poll.as_secs(),
            sync_text: None,
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

pub(super) fn sync_settings(
    cache: Option<&RawCache>,
    sync: Option<&RawSync>,
    src: Source<'_>,
) -> Result<SyncSettings, ConfigError> {
    let mut settings = SyncSettings::default();
    if let Some(c) = cache {
        if let Some(mb) = &c.body_cache_mb {
            settings.body_budget = mb.get_ref().saturating_mul(1024 * 1024);
        }
        if let Some(n) = &c.prefetch {
            if *n.get_ref() > 10_000 {
                let key = Some("cache.prefetch".to_string());
                return Err(src.error(Some(n.span()), key, "at most 10000".into()));
            }
            settings.prefetch = *n.get_ref();
        }
        settings.sync_text = sync_text(c, src)?;
    }
    if let Some(p) = sync.and_then(|s| s.poll_seconds.as_ref()) {
        if !(5..=3600).contains(p.get_ref()) {
            let key = Some("sync.poll_seconds".to_string());
            return Err(src.error(Some(p.span()), key, "must be between 5 and 3600".into()));
        }
        settings.poll_secs = *p.get_ref();
    }
    Ok(settings)
}

pub(super) fn key_bindings(
    keys: BTreeMap<Spanned<String>, Spanned<String>>,
    src: Source<'_>,
) -> Vec<KeyBinding> {
    keys.into_iter()
        .map(|(k, v)| KeyBinding {
            at: src.location(k.span().start),
            key: k.into_inner(),
            action: v.into_inner(),
        })
        .collect()
}

pub(super) fn notify_settings(raw: Option<&RawNotify>) -> NotifySettings {
    let mut notify = NotifySettings::default();
    if let Some(n) = raw {
        notify.bell = n.bell.unwrap_or(notify.bell);
        notify.desktop = n.desktop.unwrap_or(notify.desktop);
        notify.title = n.title.unwrap_or(notify.title);
        notify.show_sender = n.show_sender.unwrap_or(notify.show_sender);
    }
    notify
}

pub(super) fn date_formats(
    raw: Option<&RawUi>,
    src: Source<'_>,
) -> Result<DateFormats, ConfigError> {
    let mut dates = DateFormats::default();
    if let Some(u) = raw {
        for (name, given, slot) in [
            ("today", &u.date_format_today, &mut dates.today),
            ("this_year", &u.date_format_this_year, &mut dates.this_year),
            ("older", &u.date_format_older, &mut dates.older),
        ] {
            if let Some(f) = given {
                let key = Some(format!("ui.date_format_{name}"));
                crate::text::dates::validate(f.get_ref())
                    .map_err(|e| src.error(Some(f.span()), key, e))?;
                slot.clone_from(f.get_ref());
            }
        }
    }
    Ok(dates)
}

pub(super) fn columns(
    raw: Option<&RawUi>,
    src: Source<'_>,
) -> Result<Vec<super::columns::Column>, ConfigError> {
    match raw.and_then(|u| u.columns.as_ref()) {
        None => Ok(super::columns::default_columns()),
        Some(c) => super::columns::parse_columns(c.get_ref())
            .map_err(|e| src.error(Some(c.span()), Some("ui.columns".into()), e)),
    }
}

pub(super) fn files_config(
    raw: Option<&RawFiles>,
    src: Source<'_>,
) -> Result<FilesConfig, ConfigError> {
    let mut files = FilesConfig::default();
    if let Some(f) = raw {
        if let Some(d) = &f.download_dir {
            if d.get_ref().as_os_str().is_empty() {
                let key = Some("files.download_dir".to_string());
                return Err(src.error(Some(d.span()), key, "must not be empty".into()));
            }
            files.download_dir = Some(expand_home(d.get_ref()));
        }
        if let Some(c) = &f.open_command {
            let key = Some("files.open_command".to_string());
            match shlex::split(c.get_ref()) {
                Some(words) if !words.is_empty() => files.open_command = Some(words),
                Some(_) => {
                    return Err(src.error(Some(c.span()), key, "must name a program".into()));
                }
                None => {
                    return Err(src.error(
                        Some(c.span()),
                        key,
                        "cannot be split into words (an unclosed quote?)".into(),
                    ));
                }
            }
        }
    }
    Ok(files)
}

fn sync_text(c: &RawCache, src: Source<'_>) -> Result<Option<(u64, u64)>, ConfigError> {
    let error = |span, key: &str, why: &str| src.error(Some(span), Some(key.into()), why.into());
    match c.sync_bodies.as_ref() {
        None => return Ok(None),
        Some(v) if v.get_ref() == "off" => return Ok(None),
        Some(v) if v.get_ref() == "text" => {}
        Some(v) => return Err(error(v.span(), "cache.sync_bodies", "\"text\" or \"off\"")),
    }
    let message_kb = match &c.sync_bodies_message_kb {
        Some(kb) if !(1..=65_536).contains(kb.get_ref()) => {
            let why = "must be between 1 and 65536";
            return Err(error(kb.span(), "cache.sync_bodies_message_kb", why));
        }
        Some(kb) => *kb.get_ref(),
        None => SYNC_TEXT_MESSAGE_KB,
    };
    let account_mb = match &c.sync_bodies_mb {
        Some(mb) if !(1..=1_000_000).contains(mb.get_ref()) => {
            let why = "must be between 1 and 1000000";
            return Err(error(mb.span(), "cache.sync_bodies_mb", why));
        }
        Some(mb) => *mb.get_ref(),
        None => SYNC_TEXT_ACCOUNT_MB,
    };
    Ok(Some((message_kb * 1024, account_mb * 1024 * 1024)))
}
