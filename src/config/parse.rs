//! From the file's text to a [`Config`]: TOML and schema errors with their
//! place, then each account, then the sections for all of them, in that
//! order (the first error is the one reported).

use std::path::Path;

use super::account::{Account, AccountKind, ConfigLines};
use super::error::{ConfigError, FieldError, Source, key_at};
use super::kind::account_kind;
use super::schema::{RawAccount, RawConfig};
use super::settings::{self, Config};
use super::values::expand_home;
use super::{sending, shared};

pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let src = Source { path, text };
    let de = toml::Deserializer::parse(text)
        .map_err(|e| src.error(e.span(), None, e.message().to_string()))?;
    let raw: RawConfig = serde::Deserialize::deserialize(de).map_err(|e: toml::de::Error| {
        let key = e.span().and_then(|s| key_at(text, s.start));
        src.error(e.span(), key, e.message().to_string())
    })?;

    let sync = settings::sync_settings(raw.cache.as_ref(), raw.sync.as_ref(), src)?;
    let mut raw_accounts = raw.accounts;
    shared::inherit(&mut raw_accounts).map_err(|(i, span, key, msg)| {
        src.error(Some(span), Some(format!("accounts[{i}].{key}")), msg)
    })?;
    let mut accounts = Vec::new();
    let mut warnings = Vec::new();
    for (i, a) in raw_accounts.into_iter().enumerate() {
        let account = account(i, &a, &accounts, &mut warnings, src)?;
        accounts.push(account);
    }
    let keys = settings::key_bindings(raw.keys, src);
    for a in &mut accounts {
        if let AccountKind::Imap { imap, .. } | AccountKind::OAuth2 { imap, .. } = &mut a.kind {
            imap.timeouts.poll = std::time::Duration::from_secs(sync.poll_secs);
        }
    }
    let notify = settings::notify_settings(raw.notify.as_ref());
    let dates = settings::date_formats(raw.ui.as_ref(), src)?;
    let columns = settings::columns(raw.ui.as_ref(), src)?;
    let files = settings::files_config(raw.files.as_ref(), src)?;
    let all_inboxes = raw.ui.as_ref().and_then(|u| u.all_inboxes);
    let searches = super::searches::searches(&raw.searches, all_inboxes, src)?;
    let compose = sending::compose(raw.compose.as_ref(), expand_home)
        .map_err(|(span, key, msg)| src.error(span, Some(key.to_string()), msg))?;
    Ok(Config {
        accounts,
        compose,
        sync,
        mouse: raw.ui.as_ref().and_then(|u| u.mouse).unwrap_or(false),
        side_panes: raw
            .ui
            .as_ref()
            .and_then(|u| u.side_panes)
            .unwrap_or_default(),
        dates,
        columns,
        notify,
        theme: raw.theme,
        files,
        keys,
        warnings,
        pipe: super::pipe::PipeConfig::from_raw(raw.pipe.as_ref()),
        searches,
    })
}

/// The `i`th account; `before` are the ones already read (names are
/// unique). Errors without a span of their own point at its `name`.
fn account(
    i: usize,
    a: &RawAccount,
    before: &[Account],
    warnings: &mut Vec<String>,
    src: Source<'_>,
) -> Result<Account, ConfigError> {
    let name = a.name.get_ref().trim().to_string();
    let here = |key: &str| Some(format!("accounts[{i}].{key}"));
    if name.is_empty() {
        return Err(src.error(
            Some(a.name.span()),
            here("name"),
            "must not be empty".into(),
        ));
    }
    if before.iter().any(|x| x.name == name) {
        return Err(src.error(
            Some(a.name.span()),
            here("name"),
            format!("\"{name}\" is used by another account"),
        ));
    }
    let Some(provider) = a.provider.as_ref().map(|p| *p.get_ref()) else {
        return Err(src.error(
            Some(a.name.span()),
            here("provider"),
            "missing field `provider`".into(),
        ));
    };
    let at = |(span, key, msg): FieldError| {
        src.error(Some(span.unwrap_or_else(|| a.name.span())), here(key), msg)
    };
    let email = a.email.clone().unwrap_or_default();
    let mut kind = account_kind(a, &email, warnings, &name).map_err(at)?;
    shared::mark(a, &mut kind).map_err(at)?;
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
    let sending =
        sending::sending(raw_sending, provider.sending_kind(), expand_home).map_err(at)?;
    let line = |span| src.line(span);
    let lines = ConfigLines {
        name: line(a.name.span()),
        imap: a.imap.as_ref().map(|s| line(s.span())),
        auth: a.auth.as_ref().map(|s| line(s.span())),
        ca_file: a.ca_file.as_ref().map(|s| line(s.span())),
        tenant: a.tenant.as_ref().map(|s| line(s.span())),
        client_id: a.client_id.as_ref().map(|s| line(s.span())),
    };
    Ok(Account {
        name,
        email,
        kind,
        trash: a.trash.clone().filter(|t| !t.trim().is_empty()),
        archive: a.archive.clone().filter(|t| !t.trim().is_empty()),
        sending,
        lines,
    })
}
