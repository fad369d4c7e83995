//! DNS, TCP, STARTTLS and the TLS handshake, through the same functions a
//! real connection uses, each described and given a fix when it fails.

use std::io::ErrorKind;
use std::net::SocketAddr;

use tokio::net::TcpStream;
use tokio_rustls::rustls::{self, CertificateError, ProtocolVersion};

use super::certificate::{self, CertInfo, WARN_DAYS};
use super::place::Place;
use super::step::{Failed, Outcome, Passed};
use crate::auth::oauth::now;
use crate::imap::connect::{self, Transport};
use crate::imap::tls::{self, Presented, Roots};
use crate::imap::{ImapSettings, TlsMode};

/// `host:port`, with brackets around an IPv6 address.
pub fn addr(s: &ImapSettings) -> String {
    if s.host.contains(':') {
        format!("[{}]:{}", s.host, s.port)
    } else {
        format!("{}:{}", s.host, s.port)
    }
}

pub async fn dns(s: &ImapSettings, place: &Place<'_>) -> Outcome<Vec<SocketAddr>> {
    match connect::resolve(s).await {
        Ok(addrs) => {
            let list: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
            let detail = format!("{} → {}", s.host, list.join(", "));
            Ok((addrs, Passed::new(detail)))
        }
        Err(e) => {
            let fix = match place.lines.imap {
                Some(line) => format!(
                    "check the host name in imap = {{ host = … }} ({}); `host {}` shows what DNS says",
                    place.at(Some(line)),
                    s.host
                ),
                None => format!(
                    "{} is the provider's preset server: check this machine's network and DNS (`host {}`)",
                    s.host, s.host
                ),
            };
            Err(Failed::new(e.to_string(), fix))
        }
    }
}

pub async fn tcp(s: &ImapSettings, addrs: &[SocketAddr], place: &Place<'_>) -> Outcome<TcpStream> {
    match connect::dial(addrs, s.timeouts.connect).await {
        Ok((tcp, to)) => {
            let mut detail = format!("connected to {to}");
            let failed = addrs.iter().take_while(|a| **a != to).count();
            if failed > 0 {
                detail.push_str(&format!(
                    " ({failed} other address{} did not answer)",
                    if failed == 1 { "" } else { "es" }
                ));
            }
            Ok((tcp, Passed::new(detail)))
        }
        Err(e) => {
            let port = s.port;
            let fix = match e.kind() {
                ErrorKind::ConnectionRefused => format!(
                    "nothing listens on port {port} at {}: is the port right? 993 is IMAP over TLS \
                     (tls = \"implicit\"), 143 is IMAP with STARTTLS (tls = \"starttls\"); see {}",
                    s.host,
                    place.imap()
                ),
                ErrorKind::TimedOut => format!(
                    "no answer at all: a firewall drops the connection, the server is down or the \
                     host is wrong; `nc -vz {} {port}` tries the same from a shell",
                    s.host
                ),
                ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => {
                    "no route to the server: check this machine's network (Wi-Fi, VPN, proxy)"
                        .to_string()
                }
                _ => format!(
                    "check the host and port in {} and this machine's network",
                    place.imap()
                ),
            };
            Err(Failed::new(e.describe(&addr(s)).to_string(), fix))
        }
    }
}

pub async fn starttls(s: &ImapSettings, tcp: TcpStream, place: &Place<'_>) -> Outcome<TcpStream> {
    match connect::starttls(tcp, &addr(s), s.timeouts).await {
        Ok((tcp, caps)) => {
            let offered =
                caps.is_some_and(|c| c.iter().any(|x| x.eq_ignore_ascii_case("STARTTLS")));
            let detail = if offered {
                "the server offers STARTTLS and accepted it"
            } else {
                "the server accepted STARTTLS (its greeting did not list it)"
            };
            Ok((tcp, Passed::new(detail)))
        }
        Err(e) => {
            let fix = if s.port == 993 {
                format!(
                    "port 993 speaks TLS from the first byte: set tls = \"implicit\" ({})",
                    place.imap()
                )
            } else {
                format!(
                    "this server or port offers no STARTTLS: use tls = \"implicit\" with port 993 if \
                     the server has it ({}); mailtui never logs in without encryption",
                    place.imap()
                )
            };
            Err(Failed::new(e.to_string(), fix))
        }
    }
}

fn version_name(v: Option<ProtocolVersion>) -> String {
    match v {
        Some(ProtocolVersion::TLSv1_3) => "TLS 1.3".into(),
        Some(ProtocolVersion::TLSv1_2) => "TLS 1.2".into(),
        Some(other) => other.as_str().unwrap_or("an unknown TLS version").into(),
        None => "TLS".into(),
    }
}

pub async fn tls_handshake(
    s: &ImapSettings,
    tcp: TcpStream,
    roots: &Roots,
    place: &Place<'_>,
) -> Outcome<Transport> {
    let presented = Presented::default();
    let connector = tls::connector_for(roots, Some(presented.clone()))
        .map_err(|e| Failed::new(e.to_string(), "a mailtui bug; please report it"))?;
    let name = connect::server_name(&s.host).map_err(|e| {
        Failed::new(
            e.to_string(),
            format!("write a host name or address in {}", place.imap()),
        )
    })?;
    match connect::tls_handshake(tcp, name, &connector, s.timeouts.connect).await {
        Ok(stream) => {
            let conn = stream.get_ref().1;
            let version = version_name(conn.protocol_version());
            let suite = conn
                .negotiated_cipher_suite()
                .map(|c| format!("{:?}", c.suite()))
                .unwrap_or_default();
            let chain: Vec<_> = conn
                .peer_certificates()
                .map(<[_]>::to_vec)
                .unwrap_or_default();
            let now = now();
            let info = chain.first().and_then(CertInfo::read);
            let mut detail = format!("{version}, {suite}");
            if let Some(info) = &info {
                detail.push_str(&format!("; {}", info.summary(now)));
            }
            detail.push_str(&format!(
                "; trusted through {}",
                certificate::trusted_by(&chain, roots)
            ));
            let mut passed = Passed::new(detail);
            if let Some(info) = &info
                && info.days_left(now) < WARN_DAYS
            {
                passed = passed.warn(
                    format!(
                        "the server's certificate expires in {}, on {}",
                        crate::text::count(info.days_left(now).max(0) as usize, "day"),
                        certificate::date(info.not_after)
                    ),
                    "tell the server's administrator to renew it: once it expires, mailtui \
                     will not connect",
                );
            }
            Ok((Transport::tls(stream), passed))
        }
        Err(e) => {
            let chain: Vec<_> = presented.lock().map(|p| p.clone()).unwrap_or_default();
            let info = chain.first().and_then(CertInfo::read);
            let mut cause = match e.kind() {
                ErrorKind::TimedOut => format!("TLS handshake with {} timed out", s.host),
                _ => tls::describe_handshake_error(&s.host, &e).to_string(),
            };
            if let Some(info) = &info {
                cause.push_str(&format!("; the server showed {}", info.summary(now())));
            }
            Err(Failed::new(
                cause,
                tls_fix(s, &e, info.as_ref(), roots, place),
            ))
        }
    }
}

fn tls_fix(
    s: &ImapSettings,
    e: &std::io::Error,
    info: Option<&CertInfo>,
    roots: &Roots,
    place: &Place<'_>,
) -> String {
    use CertificateError as C;
    let ca_line = place.at(place.lines.ca_file);
    match tls::rustls_error(e) {
        Some(rustls::Error::InvalidCertificate(C::UnknownIssuer)) => {
            let issuer = info.map_or("its issuer".to_string(), |i| format!("\"{}\"", i.issuer));
            match &roots.ca_file {
                Some((path, _)) => format!(
                    "{issuer} is neither in the system store nor in ca_file {} ({ca_line}): put the \
                     CA that signed the server's certificate in that file",
                    path.display()
                ),
                None => format!(
                    "{issuer} is not a CA this machine trusts. If it is your organization's or the \
                     server's own CA, save its certificate (PEM) and set ca_file = \"/path/to/ca.pem\" \
                     in the account ({}); if you expected a public CA, someone may be intercepting \
                     the connection",
                    place.at(None)
                ),
            }
        }
        Some(rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. })) => {
            let when = info.map_or(String::new(), |i| {
                format!(" on {}", certificate::date(i.not_after))
            });
            format!(
                "the certificate expired{when}: the server's administrator must renew it. If the \
                 date looks wrong, check this machine's clock (it says {})",
                certificate::date(now())
            )
        }
        Some(rustls::Error::InvalidCertificate(C::NotValidYet | C::NotValidYetContext { .. })) => {
            format!(
                "the certificate is not valid yet: check this machine's clock (it says {})",
                certificate::date(now())
            )
        }
        Some(rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        )) => match info.filter(|i| !i.names.is_empty()) {
            Some(i) => format!(
                "the certificate is for {}, not {}: use one of those names as the host ({})",
                i.names.join(", "),
                s.host,
                place.imap()
            ),
            None => format!(
                "the certificate does not name {}: use the host name the server's certificate \
                 is for ({})",
                s.host,
                place.imap()
            ),
        },
        Some(rustls::Error::InvalidMessage(_)) | None if s.tls == TlsMode::Implicit => format!(
            "port {} did not answer in TLS: for port 143 set tls = \"starttls\", or use port 993 \
             ({})",
            s.port,
            place.imap()
        ),
        _ => format!(
            "check that {} is an IMAP server that speaks TLS ({})",
            addr(s),
            place.imap()
        ),
    }
}
