//! TCP, TLS (implicit or STARTTLS) and the server greeting.

use std::fmt;
use std::net::SocketAddr;

use async_imap::Client;
use async_imap::imap_proto::{Response, Status};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;

use super::login::{capabilities_in, query_capabilities};
use super::text::{excerpt, io_text};
use super::tls::describe_handshake_error;
pub use super::transport::Transport;
use super::{ImapSettings, Timeouts, TlsMode, is_loopback};
use crate::mail::MailError;

fn net(what: impl fmt::Display) -> MailError {
    MailError::Network(what.to_string())
}

/// Opens a connection, reads the greeting and learns the capabilities;
/// the result is ready to log in. `tls` is made ready (trust roots read)
/// while TCP (and, with STARTTLS, the greeting) is on the way.
pub async fn open(
    s: &ImapSettings,
    tls: impl Future<Output = Result<TlsConnector, MailError>>,
) -> Result<(Client<Transport>, Vec<String>), MailError> {
    let (mut client, caps) = open_transport(s, tls).await?;
    let caps = match caps {
        Some(c) => c,
        None => {
            let asking = crate::startup::step("capabilities before login");
            let caps = query_capabilities(&mut client, s).await?;
            asking.end();
            caps
        }
    };
    Ok((client, caps))
}

/// The connection and the capabilities the greeting announced, if any
/// (never the pre-STARTTLS ones, which an attacker could have written).
/// `doctor` runs the same stages one by one to time and describe each.
async fn open_transport(
    s: &ImapSettings,
    tls: impl Future<Output = Result<TlsConnector, MailError>>,
) -> Result<(Client<Transport>, Option<Vec<String>>), MailError> {
    check_plaintext(s)?;
    let t = s.timeouts;
    let addr = format!("{}:{}", s.host, s.port);
    let tcp = async {
        let connecting = crate::startup::step("tcp connect");
        let addrs = resolve(s).await?;
        let (tcp, _) = dial(&addrs, t.connect)
            .await
            .map_err(|e| e.describe(&addr))?;
        connecting.end();
        Ok::<_, MailError>(tcp)
    };
    match s.tls {
        TlsMode::None => {
            let tcp = tcp.await?;
            let mut client = Client::new(Transport::plain(tcp));
            let greeted = crate::startup::step("greeting");
            let caps = greeting(&mut client, &addr, t).await?;
            greeted.end();
            Ok((client, caps))
        }
        TlsMode::Implicit => {
            let (tcp, tls) = tokio::join!(tcp, tls);
            let (tcp, tls) = (tcp?, tls?);
            let shaking = crate::startup::step("tls handshake");
            let stream = handshake(tcp, &s.host, &tls, t).await?;
            shaking.end();
            let mut client = Client::new(stream);
            let greeted = crate::startup::step("greeting");
            let caps = greeting(&mut client, &addr, t).await?;
            greeted.end();
            Ok((client, caps))
        }
        TlsMode::Starttls => {
            let plain = async {
                let tcp = tcp.await?;
                let greeted = crate::startup::step("greeting and starttls");
                let (tcp, _) = starttls(tcp, &addr, t).await?;
                greeted.end();
                Ok::<_, MailError>(tcp)
            };
            let (tcp, tls) = tokio::join!(plain, tls);
            let (tcp, tls) = (tcp?, tls?);
            let shaking = crate::startup::step("tls handshake");
            let stream = handshake(tcp, &s.host, &tls, t).await?;
            shaking.end();
            Ok((Client::new(stream), None))
        }
    }
}

/// Plaintext only to this machine.
pub fn check_plaintext(s: &ImapSettings) -> Result<(), MailError> {
    if s.tls == TlsMode::None && !is_loopback(&s.host) {
        return Err(MailError::Config(format!(
            "tls = \"none\" is only allowed for loopback hosts, not {}",
            s.host
        )));
    }
    Ok(())
}

/// Every address the server's name resolves to, in the resolver's order.
pub async fn resolve(s: &ImapSettings) -> Result<Vec<SocketAddr>, MailError> {
    let host = s.host.as_str();
    let limit = s.timeouts.connect;
    let found = timeout(limit, tokio::net::lookup_host((host, s.port)))
        .await
        .map_err(|_| {
            net(format!(
                "no DNS answer for {host} within {}s",
                limit.as_secs()
            ))
        })?
        .map_err(|e| net(format!("cannot find {host}: {e}")))?;
    let addrs: Vec<SocketAddr> = found.collect();
    if addrs.is_empty() {
        return Err(net(format!("{host} has no addresses")));
    }
    Ok(addrs)
}

/// Every address tried, and why each failed.
#[derive(Debug)]
pub struct DialError {
    pub tried: Vec<(SocketAddr, std::io::Error)>,
}

impl DialError {
    /// What went wrong with the last address tried.
    pub fn kind(&self) -> std::io::ErrorKind {
        self.tried
            .last()
            .map_or(std::io::ErrorKind::NotFound, |(_, e)| e.kind())
    }

    pub fn describe(&self, addr: &str) -> MailError {
        match self.tried.last() {
            Some((_, e)) if e.kind() == std::io::ErrorKind::TimedOut => {
                net(format!("no answer from {addr}: {e}"))
            }
            Some((_, e)) => net(format!("cannot connect to {addr}: {e}")),
            None => net(format!("cannot connect to {addr}: no address to try")),
        }
    }
}

/// TCP to the first address that takes the connection, each given `limit`.
pub async fn dial(
    addrs: &[SocketAddr],
    limit: std::time::Duration,
) -> Result<(TcpStream, SocketAddr), DialError> {
    let mut tried = Vec::new();
    for &addr in addrs {
        let attempt = match timeout(limit, TcpStream::connect(addr)).await {
            Ok(r) => r,
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no answer within {}s", limit.as_secs()),
            )),
        };
        match attempt {
            Ok(tcp) => {
                let _ = tcp.set_nodelay(true);
                return Ok((tcp, addr));
            }
            Err(e) => tried.push((addr, e)),
        }
    }
    Err(DialError { tried })
}

/// On a fresh plain connection: reads the greeting and asks for STARTTLS.
/// Gives back the socket, ready for the handshake, and the capabilities
/// the greeting announced (unencrypted: for showing, never for deciding).
pub async fn starttls(
    tcp: TcpStream,
    addr: &str,
    t: Timeouts,
) -> Result<(TcpStream, Option<Vec<String>>), MailError> {
    let mut client = Client::new(tcp);
    let caps = greeting(&mut client, addr, t).await?;
    timeout(t.command, client.run_command_and_check_ok("STARTTLS", None))
        .await
        .map_err(|_| {
            net(format!(
                "{addr} did not answer STARTTLS within {}s",
                t.command.as_secs()
            ))
        })?
        .map_err(|e| match e {
            async_imap::error::Error::Io(e) => {
                net(format!("connection to {addr} lost: {}", io_text(&e)))
            }
            async_imap::error::Error::ConnectionLost => net(format!("connection to {addr} lost")),
            async_imap::error::Error::No(m) | async_imap::error::Error::Bad(m) => {
                MailError::Tls(format!(
                    "{addr} refused STARTTLS ({}); not continuing without encryption",
                    super::convert::server_text(&m)
                ))
            }
            other => MailError::Tls(format!(
                "{addr} refused STARTTLS ({other}); not continuing without encryption"
            )),
        })?;
    // Anything the server sent after its OK is dropped with the
    // plaintext client, so nothing injected before TLS survives.
    Ok((client.into_inner(), caps))
}

/// The name the certificate must carry: the configured host.
pub fn server_name(host: &str) -> Result<ServerName<'static>, MailError> {
    ServerName::try_from(
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
    )
    .map_err(|_| MailError::Config(format!("{host} is not a valid server name")))
}

/// The TLS handshake alone, its error left as rustls gave it so callers
/// can tell an unknown issuer from an expired certificate.
pub async fn tls_handshake(
    tcp: TcpStream,
    name: ServerName<'static>,
    tls: &TlsConnector,
    limit: std::time::Duration,
) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    match timeout(limit, tls.connect(name, tcp)).await {
        Ok(r) => r,
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("no answer within {}s", limit.as_secs()),
        )),
    }
}

async fn handshake(
    tcp: TcpStream,
    host: &str,
    tls: &TlsConnector,
    t: Timeouts,
) -> Result<Transport, MailError> {
    let name = server_name(host)?;
    let stream = tls_handshake(tcp, name, tls, t.connect)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::TimedOut => net(format!("TLS handshake with {host} timed out")),
            _ => describe_handshake_error(host, &e),
        })?;
    Ok(Transport::tls(stream))
}

/// The server's first line; the capabilities in it, if it names them.
pub async fn greeting<T>(
    client: &mut Client<T>,
    addr: &str,
    t: Timeouts,
) -> Result<Option<Vec<String>>, MailError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + fmt::Debug + Send,
{
    let resp = timeout(t.command, client.read_response())
        .await
        .map_err(|_| {
            net(format!(
                "{addr} sent no complete IMAP greeting within {}s",
                t.command.as_secs()
            ))
        })?
        .map_err(|e| net(format!("connection to {addr} failed: {}", io_text(&e))))?
        .ok_or_else(|| net(format!("{addr} closed the connection before greeting")))?;
    match resp.parsed() {
        r @ Response::Data {
            status: Status::Ok | Status::PreAuth,
            ..
        } => Ok(capabilities_in(r)),
        Response::Data {
            status: Status::Bye,
            outcome,
        } => Err(net(format!(
            "{addr} refused the connection: {}",
            excerpt(outcome.information.as_deref().unwrap_or("BYE"))
        ))),
        _ => Err(net(format!("{addr} does not speak IMAP"))),
    }
}
