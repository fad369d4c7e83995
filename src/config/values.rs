//! Single values as written, checked and made usable: `~/` in paths,
//! hosts (`[::1]`), URLs that may carry tokens.

use std::path::{Path, PathBuf};

use crate::imap::is_loopback;

pub(super) fn expand_home(p: &Path) -> PathBuf {
    match p.strip_prefix("~") {
        Ok(rest) => directories::BaseDirs::new()
            .map(|b| b.home_dir().join(rest))
            .unwrap_or_else(|| p.to_path_buf()),
        Err(_) => p.to_path_buf(),
    }
}

/// The host as the rest of mailtui uses it: `[::1]` (written as in a URL)
/// becomes `::1`, which resolves and is what TLS checks the certificate
/// against. `None` for brackets around anything else.
pub(super) fn normalize_host(host: &str) -> Option<String> {
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
pub(super) fn secure_url(url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(u) if u.scheme() == "https" => true,
        Ok(u) if u.scheme() == "http" => u.host_str().is_some_and(is_loopback),
        _ => false,
    }
}
