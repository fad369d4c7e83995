//! An account's IMAP server: host (a provider's preset or as written),
//! TLS (plaintext only to this machine), port, CA file and user name.

use super::error::FieldError;
use super::presets::{MICROSOFT_IMAP_HOST, Provider};
use super::schema::RawAccount;
use super::values::{expand_home, normalize_host};
use crate::imap::{ImapSettings, Timeouts, TlsMode, is_loopback};

/// `provider` as read (Outlook already as Microsoft); the user name
/// defaults to `email`.
pub(super) fn imap_server(
    a: &RawAccount,
    provider: Provider,
    email: &str,
) -> Result<ImapSettings, FieldError> {
    let imap = a.imap.as_ref().map(|s| (s.span(), s.get_ref()));
    let imap_span = imap.as_ref().map(|(s, _)| s.clone());
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
    Ok(ImapSettings {
        host,
        port,
        tls,
        ca_file: a.ca_file.as_ref().map(|p| expand_home(p.get_ref())),
        username,
        timeouts: Timeouts::default(),
    })
}
