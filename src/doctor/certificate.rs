//! What a server's certificate says (subject, names, issuer, validity), and
//! which trusted root vouched for it: the system store or the account's
//! `ca_file`. Parsed with x509-parser; everything taken from a certificate
//! is cleaned before it is shown.

use tokio_rustls::rustls::pki_types::CertificateDer;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::FromDer;

use crate::imap::tls::Roots;
use crate::sanitize::Clean;

/// Warn when the server's certificate has fewer days left than this.
pub const WARN_DAYS: i64 = 14;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// DNS names and addresses it is valid for (subjectAltName).
    pub names: Vec<String>,
    /// Unix seconds.
    pub not_before: i64,
    pub not_after: i64,
}

fn parse(der: &[u8]) -> Option<X509Certificate<'_>> {
    X509Certificate::from_der(der).ok().map(|(_, c)| c)
}

fn name_text(name: &x509_parser::x509::X509Name<'_>) -> String {
    let s = Clean::line(&name.to_string()).as_str().to_string();
    if s.is_empty() {
        "(empty name)".into()
    } else {
        s
    }
}

impl CertInfo {
    pub fn read(der: &CertificateDer<'_>) -> Option<CertInfo> {
        let cert = parse(der.as_ref())?;
        let names = cert
            .subject_alternative_name()
            .ok()
            .flatten()
            .map(|san| {
                san.value
                    .general_names
                    .iter()
                    .filter_map(|n| match n {
                        GeneralName::DNSName(d) => Some(Clean::line(d).as_str().to_string()),
                        GeneralName::IPAddress(b) => ip(b).map(|ip| ip.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(CertInfo {
            subject: name_text(cert.subject()),
            issuer: name_text(cert.issuer()),
            names,
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
        })
    }

    /// Whole days until it expires (negative once it has).
    pub fn days_left(&self, now: i64) -> i64 {
        (self.not_after - now).div_euclid(86_400)
    }

    /// "CN=localhost for localhost, 127.0.0.1, issued by CN=Test CA,
    /// expires 2027-03-01 (365 days left)".
    pub fn summary(&self, now: i64) -> String {
        let names = if self.names.is_empty() {
            String::new()
        } else {
            format!(" for {}", self.names.join(", "))
        };
        let days = self.days_left(now);
        let left = if now > self.not_after {
            let ago = ((now - self.not_after) / 86_400).max(0) as usize;
            format!("expired {} ago", crate::text::count(ago, "day"))
        } else if now < self.not_before {
            format!("not valid until {}", date(self.not_before))
        } else {
            format!("{} left", crate::text::count(days.max(0) as usize, "day"))
        };
        format!(
            "certificate {}{names}, issued by {}, expires {} ({left})",
            self.subject,
            self.issuer,
            date(self.not_after)
        )
    }
}

fn ip(bytes: &[u8]) -> Option<std::net::IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(std::net::IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(std::net::IpAddr::from),
        _ => None,
    }
}

/// "2027-03-01".
pub fn date(ts: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| ts.to_string())
}

/// Which root the presented chain leads to: the one whose subject is the
/// issuer of the last certificate the server sent (or that certificate
/// itself, when a server sends its root along). `ca_file` is looked at
/// first; it is what the user chose.
pub fn trusted_by(presented: &[CertificateDer<'_>], roots: &Roots) -> String {
    let Some(top) = presented.last().and_then(|c| parse(c.as_ref())) else {
        return "a trusted root".into();
    };
    let issuer = top.issuer().as_raw();
    let subject = top.subject().as_raw();
    let find = |certs: &[CertificateDer<'static>]| {
        certs.iter().find_map(|c| {
            let root = parse(c.as_ref())?;
            let s = root.subject().as_raw();
            (s == issuer || s == subject).then(|| name_text(root.subject()))
        })
    };
    if let Some((path, certs)) = &roots.ca_file
        && let Some(name) = find(certs)
    {
        return format!("ca_file {} ({name})", path.display());
    }
    match find(&roots.system.certs) {
        Some(name) => format!("the system store ({name})"),
        None => "a trusted root".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_dates_read_plainly() {
        assert_eq!(
            ip(&[127, 0, 0, 1]).map(|i| i.to_string()).as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(ip(&[0; 3]), None);
        assert_eq!(date(0), "1970-01-01");
        let c = CertInfo {
            subject: "CN=x".into(),
            issuer: "CN=ca".into(),
            names: vec!["x".into()],
            not_before: 0,
            not_after: 10 * 86_400,
        };
        assert_eq!(c.days_left(86_400), 9);
        assert!(
            c.summary(86_400).ends_with("(9 days left)"),
            "{}",
            c.summary(86_400)
        );
        assert!(c.summary(12 * 86_400).contains("expired 2 days ago"));
        assert!(c.summary(11 * 86_400).contains("expired 1 day ago"));
        assert!(c.summary(9 * 86_400).ends_with("(1 day left)"));
    }
}
