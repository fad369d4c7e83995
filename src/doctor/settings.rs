//! The config step: what the account says, and the trust roots it loads
//! (the system store and its `ca_file`), which a bad `ca_file` fails.

use crate::auth::PasswordSource;
use crate::auth::service::LoginMethod;
use crate::config::{OAuthAccount, Provider};
use crate::imap::tls::Roots;
use crate::imap::{ImapSettings, TlsMode};

use super::place::Place;
use super::step::{Failed, Outcome, Passed};

fn tls_mode(m: TlsMode) -> &'static str {
    match m {
        TlsMode::Implicit => "TLS",
        TlsMode::Starttls => "STARTTLS",
        TlsMode::None => "no TLS (loopback)",
    }
}

fn server(s: &ImapSettings) -> String {
    format!(
        "IMAP {} with {}, as {}",
        super::network::addr(s),
        tls_mode(s.tls),
        s.username
    )
}

/// How a password account gets its password (never the password, nor the
/// command, which may hold one).
pub fn password_source(p: &PasswordSource) -> &'static str {
    match p {
        PasswordSource::Command(_) => "password from password_command",
        PasswordSource::Keyring(_) => "password from the system keyring",
        PasswordSource::Plain(_) => "password written in the config",
    }
}

/// "tenant contoso (line 5), client id 0000…; device sign-in".
pub fn oauth(o: &OAuthAccount, place: &Place<'_>) -> Result<String, Failed> {
    if o.client.client_id.trim().is_empty() {
        return Err(Failed::new(
            "no client id",
            format!(
                "set client_id to your app registration's Application (client) ID ({})",
                place.at(place.lines.client_id)
            ),
        ));
    }
    let login = match o.login {
        LoginMethod::Device => "device-code sign-in",
        LoginMethod::Browser => "browser sign-in",
    };
    Ok(match o.provider {
        Provider::Microsoft => format!(
            "OAuth2 with Microsoft, tenant {}{}, client id {}, {login}",
            o.tenant,
            if place.lines.tenant.is_none() {
                " (not set: the default)"
            } else {
                ""
            },
            o.client.client_id
        ),
        _ => format!(
            "OAuth2 with {}, client id {}, {login}",
            o.tenant, o.client.client_id
        ),
    })
}

/// The config step of an IMAP account: `about` says how it signs in.
pub async fn imap(s: &ImapSettings, about: String, place: &Place<'_>) -> Outcome<Option<Roots>> {
    let mut detail = format!("{}, {about}", server(s));
    crate::imap::connect::check_plaintext(s).map_err(|e| {
        Failed::new(
            e.to_string(),
            format!("use tls = \"implicit\" or \"starttls\" ({})", place.imap()),
        )
    })?;
    if s.tls == TlsMode::None {
        return Ok((None, Passed::new(detail)));
    }
    let ca_file = s.ca_file.clone();
    let loaded = tokio::task::spawn_blocking(move || Roots::load(ca_file.as_deref()))
        .await
        .map_err(|e| {
            Failed::new(
                format!("loading trust roots: {e}"),
                "a mailtui bug; please report it",
            )
        })?;
    let roots = loaded.map_err(|e| {
        let fix = match &s.ca_file {
            Some(_) => format!(
                "ca_file ({}) must name a PEM file holding the CA certificate that signed the \
                 server's certificate",
                place.at(place.lines.ca_file)
            ),
            None => "install the system's CA certificates (Debian/Ubuntu: apt-get install \
                     ca-certificates), or set ca_file"
                .to_string(),
        };
        Failed::new(e.to_string(), fix)
    })?;
    detail.push_str(&format!(
        "; trusts the system store ({} certificates from {})",
        roots.system_count(),
        roots.system.source
    ));
    if let Some((path, certs)) = &roots.ca_file {
        detail.push_str(&format!(
            " and ca_file {} ({} certificate{})",
            path.display(),
            certs.len(),
            if certs.len() == 1 { "" } else { "s" }
        ));
    }
    Ok((Some(roots), Passed::new(detail)))
}
