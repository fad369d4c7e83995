//! A scripted SMTP submission server on 127.0.0.1 that imitates Exchange
//! Online (smtp.office365.com:587) for what no real test server does:
//! before STARTTLS its EHLO offers STARTTLS only; after it `AUTH LOGIN
//! XOAUTH2`, `SIZE 157286400` and Exchange's other extensions; its
//! refusals are Exchange's own lines (5.7.139, 5.7.3, 4.3.2, 5.7.60, …).
//! A [`Script`] says where it departs from a server that accepts all.
//!
//! TLS with a throwaway CA (tests/support/certs.rs), written to `ca_file`.
//! It counts connections, AUTHs and accepted messages, and keeps what it
//! received, so tests can say "nothing was accepted". Blocking threads of
//! its own; dropping it stops accepting.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig, ServerConnection, StreamOwned};

use super::certs::TestCa;

pub const EXCHANGE_SIZE: u64 = 157_286_400;
pub const TENANT_DISABLED: &str = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.";
pub const AUTH_UNSUCCESSFUL: &str = "535 5.7.3 Authentication unsuccessful";
pub const THREAD_LIMIT: &str =
    "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=AM0PR01MB1234]";
pub const NO_SEND_AS: &str =
    "550 5.7.60 SMTP; Client does not have permissions to send as this sender. [AM0PR01MB1234]";
pub const UNKNOWN_USER: &str = "550 5.1.1 User unknown";
const ACCEPTED: &str = "250 2.6.0 <fake@AM0PR01MB1234> [InternalId=1, Hostname=AM0PR01MB1234] Queued mail for delivery";
/// Longest command line read; the XOAUTH2 line of a real token is ~3 KB.
const MAX_LINE: usize = 16 * 1024;
/// Largest message kept; tests send far less.
const MAX_DATA: usize = 64 << 20;
/// Bytes of DATA read before [`Script::drop_mid_data`] hangs up.
const DROP_AFTER: usize = 1024;

/// Where this server departs from one that accepts everything.
#[derive(Clone, Debug)]
pub struct Script {
    /// STARTTLS offered in the plaintext EHLO (Exchange: yes).
    pub offer_starttls: bool,
    /// TLS from the first byte (port 465) instead of STARTTLS.
    pub implicit_tls: bool,
    pub size: u64,
    /// Final answers to successive AUTH attempts; once used up, `235`.
    pub auth_replies: VecDeque<String>,
    /// The answer to MAIL FROM instead of `250`.
    pub mail_reply: Option<String>,
    /// RCPT TO addresses refused, with the reply.
    pub refuse_rcpt: Vec<(String, String)>,
    /// Answers after successive messages' final dot; once used up, `250`.
    pub data_end_replies: VecDeque<String>,
    /// Hang up after [`DROP_AFTER`] bytes of the message.
    pub drop_mid_data: bool,
    /// Accept the connection and never say a word.
    pub silent: bool,
    /// Take the whole message, then never answer it.
    pub stall_at_data_end: bool,
}

impl Default for Script {
    fn default() -> Self {
        Script {
            offer_starttls: true,
            implicit_tls: false,
            size: EXCHANGE_SIZE,
            auth_replies: VecDeque::new(),
            mail_reply: None,
            refuse_rcpt: Vec::new(),
            data_end_replies: VecDeque::new(),
            drop_mid_data: false,
            silent: false,
            stall_at_data_end: false,
        }
    }
}

impl Script {
    pub fn auth_fails(reply: &str) -> Script {
        Script {
            auth_replies: [reply.to_string()].into(),
            ..Script::default()
        }
    }

    pub fn data_end(reply: &str) -> Script {
        Script {
            data_end_replies: [reply.to_string()].into(),
            ..Script::default()
        }
    }
}

/// One AUTH the server received, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthSeen {
    pub mechanism: String,
    /// LOGIN: the user name; XOAUTH2: what follows `user=`.
    pub user: String,
    /// LOGIN: the password; XOAUTH2: the whole decoded blob.
    pub secret: String,
    /// Whether it came on a TLS connection.
    pub secure: bool,
    /// Whether the client put its first response on the AUTH line.
    pub initial_response: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub connections: usize,
    pub starttls: usize,
    pub auths: Vec<AuthSeen>,
    pub mail_from: Vec<String>,
    /// Recipients the server accepted with 250.
    pub rcpt_accepted: Vec<String>,
    pub data_commands: usize,
    /// Messages answered with 250 after DATA, dot-unstuffed.
    pub accepted: Vec<Vec<u8>>,
    /// Message bytes read after DATA, over all connections.
    pub bytes_received: u64,
    /// Command verbs in order (AUTH payloads never kept here).
    pub verbs: Vec<String>,
}

/// The counts, and a signal for each change of them.
type Counted = Arc<(Mutex<Stats>, Condvar)>;

pub struct FakeSmtp {
    pub port: u16,
    pub ca_file: PathBuf,
    stats: Counted,
    stop: Arc<AtomicBool>,
    _dir: tempfile::TempDir,
}

struct Shared {
    script: Mutex<Script>,
    stats: Counted,
    tls: Arc<ServerConfig>,
}

/// The stats, locked; waiters are told when the lock is let go.
struct Changing<'a> {
    guard: MutexGuard<'a, Stats>,
    changed: &'a Condvar,
}

impl std::ops::Deref for Changing<'_> {
    type Target = Stats;
    fn deref(&self) -> &Stats {
        &self.guard
    }
}

impl std::ops::DerefMut for Changing<'_> {
    fn deref_mut(&mut self) -> &mut Stats {
        &mut self.guard
    }
}

impl Drop for Changing<'_> {
    fn drop(&mut self) {
        self.changed.notify_all();
    }
}

impl Shared {
    fn stats(&self) -> Changing<'_> {
        let (stats, changed) = &*self.stats;
        Changing {
            guard: stats.lock().unwrap_or_else(|e| e.into_inner()),
            changed,
        }
    }
    fn script(&self) -> MutexGuard<'_, Script> {
        self.script.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl FakeSmtp {
    pub fn start(script: Script) -> FakeSmtp {
        // Each its own CA name, so another server's CA is plainly unknown.
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let ca = TestCa::new(&format!("smtp {}", N.fetch_add(1, Ordering::Relaxed)));
        let dir = tempfile::tempdir().expect("temp dir");
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, &ca.ca_pem).expect("write ca.pem");
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(ca.server_cert_pem.as_bytes())
                .collect::<Result<_, _>>()
                .expect("server certificate");
        let key = PrivateKeyDer::from_pem_slice(ca.server_key_pem.as_bytes()).expect("server key");
        let tls =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("TLS versions")
                .with_no_client_auth()
                .with_single_cert(certs, key)
                .expect("server TLS config");

        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fake SMTP server");
        let port = listener.local_addr().expect("local addr").port();
        let stats: Counted = Arc::new((Mutex::new(Stats::default()), Condvar::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            script: Mutex::new(script),
            stats: stats.clone(),
            tls: Arc::new(tls),
        });
        let stopping = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let shared = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &shared);
                });
            }
        });
        FakeSmtp {
            port,
            ca_file,
            stats,
            stop,
            _dir: dir,
        }
    }

    pub fn stats(&self) -> Stats {
        self.stats
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Waits (blocking, at most `limit`) until the counts satisfy `ok`;
    /// panics with them if they never do.
    pub fn wait_until(&self, limit: Duration, ok: impl Fn(&Stats) -> bool) -> Stats {
        let (stats, changed) = &*self.stats;
        let guard = stats.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, timeout) = changed
            .wait_timeout_while(guard, limit, |s| !ok(s))
            .unwrap_or_else(|e| e.into_inner());
        assert!(
            !timeout.timed_out(),
            "the fake SMTP server never got there: {:?}",
            *guard
        );
        guard.clone()
    }
}

impl Drop for FakeSmtp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
    Gone,
}

/// A connection with its own read buffer, so STARTTLS can swap the
/// stream under it (the client sends nothing until it has our 220).
struct Conn {
    stream: Stream,
    buf: Vec<u8>,
}

impl Conn {
    fn secure(&self) -> bool {
        matches!(self.stream, Stream::Tls(_))
    }

    fn read_more(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 16 * 1024];
        let n = match &mut self.stream {
            Stream::Plain(s) => s.read(&mut chunk)?,
            Stream::Tls(s) => s.read(&mut chunk)?,
            Stream::Gone => 0,
        };
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// One line with its CRLF; None at the end of the stream.
    fn line(&mut self, max: usize) -> io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(i) = self.buf.iter().position(|b| *b == b'\n') {
                return Ok(Some(self.buf.drain(..=i).collect()));
            }
            if self.buf.len() > max {
                return Err(io::Error::other("line too long"));
            }
            if self.read_more()? == 0 {
                return Ok(None);
            }
        }
    }

    fn send(&mut self, reply: &str) -> io::Result<()> {
        let bytes = format!("{reply}\r\n");
        match &mut self.stream {
            Stream::Plain(s) => s.write_all(bytes.as_bytes()),
            Stream::Tls(s) => s.write_all(bytes.as_bytes()).and_then(|()| s.flush()),
            Stream::Gone => Ok(()),
        }
    }

    fn upgrade(&mut self, tls: &Arc<ServerConfig>) -> io::Result<()> {
        let Stream::Plain(tcp) = std::mem::replace(&mut self.stream, Stream::Gone) else {
            return Err(io::Error::other("already secure"));
        };
        let server = ServerConnection::new(tls.clone()).map_err(io::Error::other)?;
        self.stream = Stream::Tls(Box::new(StreamOwned::new(server, tcp)));
        Ok(())
    }

    fn hang_up(&mut self) {
        match &mut self.stream {
            Stream::Plain(s) => {
                let _ = s.shutdown(Shutdown::Both);
            }
            Stream::Tls(s) => {
                let _ = s.sock.shutdown(Shutdown::Both);
            }
            Stream::Gone => {}
        }
    }
}

fn ehlo(conn: &mut Conn, script: &Script) -> io::Result<()> {
    let mut lines = vec!["AM0PR01MB1234.outlook.office365.com Hello [127.0.0.1]".to_string()];
    if conn.secure() || !script.offer_starttls {
        lines.push(format!("SIZE {}", script.size));
        lines.extend(
            ["PIPELINING", "DSN", "ENHANCEDSTATUSCODES"]
                .into_iter()
                .map(String::from),
        );
        if conn.secure() {
            lines.push("AUTH LOGIN XOAUTH2".into());
        }
        lines.extend(
            ["8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"]
                .into_iter()
                .map(String::from),
        );
    } else {
        lines.push("STARTTLS".into());
    }
    let last = lines.len() - 1;
    for (i, l) in lines.iter().enumerate() {
        let sep = if i == last { ' ' } else { '-' };
        conn.send(&format!("250{sep}{l}"))?;
    }
    Ok(())
}

fn b64(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    STANDARD
        .decode(text.trim())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// The SASL exchange after `AUTH <mechanism> [initial response]`.
fn auth(conn: &mut Conn, args: &str) -> io::Result<Option<AuthSeen>> {
    let mut words = args.split_whitespace();
    let mechanism = words.next().unwrap_or("").to_ascii_uppercase();
    let initial = words.next().map(|w| w.as_bytes().to_vec());
    let initial_response = initial.is_some();
    let secure = conn.secure();
    match mechanism.as_str() {
        "LOGIN" => {
            let user = match initial {
                Some(u) => u,
                None => match ask(conn, "334 VXNlcm5hbWU6")? {
                    Some(u) => u,
                    None => return Ok(None),
                },
            };
            let Some(pass) = ask(conn, "334 UGFzc3dvcmQ6")? else {
                return Ok(None);
            };
            Ok(Some(AuthSeen {
                mechanism,
                user: b64(&user),
                secret: b64(&pass),
                secure,
                initial_response,
            }))
        }
        "XOAUTH2" => {
            let blob = match initial {
                Some(b) => b,
                None => match ask(conn, "334 ")? {
                    Some(b) => b,
                    None => return Ok(None),
                },
            };
            let blob = b64(&blob);
            let user = blob
                .split('\x01')
                .find_map(|p| p.strip_prefix("user="))
                .unwrap_or("")
                .to_string();
            Ok(Some(AuthSeen {
                mechanism,
                user,
                secret: blob,
                secure,
                initial_response,
            }))
        }
        _ => {
            conn.send("504 5.7.4 Unrecognized authentication type")?;
            Ok(None)
        }
    }
}

fn ask(conn: &mut Conn, prompt: &str) -> io::Result<Option<Vec<u8>>> {
    conn.send(prompt)?;
    conn.line(MAX_LINE)
}

/// The address inside `<…>` of a MAIL or RCPT argument.
fn address(args: &str) -> String {
    let start = args.find('<').map_or(0, |i| i + 1);
    let end = args[start..].find('>').map_or(args.len(), |i| start + i);
    args[start..end].to_string()
}

fn serve(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    shared.stats().connections += 1;
    let script = shared.script().clone();
    let mut conn = Conn {
        stream: Stream::Plain(stream),
        buf: Vec::new(),
    };
    if script.silent {
        // Reads until the client gives up; answers nothing.
        while conn.read_more()? > 0 {}
        return Ok(());
    }
    if script.implicit_tls {
        conn.upgrade(&shared.tls)?;
    }
    conn.send("220 AM0PR01MB1234.outlook.office365.com Microsoft ESMTP MAIL Service ready")?;
    let mut authenticated = false;
    let mut mail = false;
    let mut rcpts = 0usize;
    while let Some(line) = conn.line(MAX_LINE)? {
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        let (verb, args) = text.split_once(' ').unwrap_or((&text, ""));
        let verb = verb.to_ascii_uppercase();
        shared.stats().verbs.push(verb.clone());
        match verb.as_str() {
            "EHLO" | "HELO" => {
                mail = false;
                rcpts = 0;
                ehlo(&mut conn, &script)?;
            }
            "STARTTLS" if !conn.secure() && script.offer_starttls => {
                shared.stats().starttls += 1;
                conn.send("220 2.0.0 SMTP server ready")?;
                conn.upgrade(&shared.tls)?;
                authenticated = false;
            }
            "STARTTLS" => conn.send("502 5.5.1 STARTTLS not offered")?,
            "AUTH" if !conn.secure() => conn.send("504 5.7.4 Unrecognized authentication type")?,
            "AUTH" if authenticated => conn.send("503 5.5.2 Already authenticated")?,
            "AUTH" => {
                let Some(seen) = auth(&mut conn, args)? else {
                    continue;
                };
                shared.stats().auths.push(seen);
                let reply = shared.script().auth_replies.pop_front();
                match reply {
                    Some(r) => conn.send(&r)?,
                    None => {
                        authenticated = true;
                        conn.send("235 2.7.0 Authentication successful")?;
                    }
                }
            }
            "MAIL" if !authenticated => {
                conn.send("530 5.7.57 Client not authenticated to send mail. [AM0PR01MB1234]")?
            }
            "MAIL" => {
                shared.stats().mail_from.push(address(args));
                match &script.mail_reply {
                    Some(r) => conn.send(r)?,
                    None => {
                        mail = true;
                        rcpts = 0;
                        conn.send("250 2.1.0 Sender OK")?;
                    }
                }
            }
            "RCPT" if !mail => conn.send("503 5.5.2 Need mail command")?,
            "RCPT" => {
                let to = address(args);
                match script
                    .refuse_rcpt
                    .iter()
                    .find(|(a, _)| a.eq_ignore_ascii_case(&to))
                {
                    Some((_, reply)) => conn.send(reply)?,
                    None => {
                        rcpts += 1;
                        shared.stats().rcpt_accepted.push(to);
                        conn.send("250 2.1.5 Recipient OK")?;
                    }
                }
            }
            "DATA" if rcpts == 0 => conn.send("503 5.5.2 Need rcpt command")?,
            "DATA" => {
                shared.stats().data_commands += 1;
                conn.send("354 Start mail input; end with <CRLF>.<CRLF>")?;
                let mut message = Vec::new();
                loop {
                    let Some(l) = conn.line(MAX_LINE)? else {
                        return Ok(());
                    };
                    shared.stats().bytes_received += l.len() as u64;
                    if l == b".\r\n" {
                        break;
                    }
                    // Dot-unstuffing (RFC 5321 4.5.2).
                    message.extend_from_slice(l.strip_prefix(b".").unwrap_or(&l[..]));
                    if script.drop_mid_data && message.len() >= DROP_AFTER {
                        conn.hang_up();
                        return Ok(());
                    }
                    if message.len() > MAX_DATA {
                        conn.send("552 5.3.4 Message size exceeds fixed maximum message size")?;
                        return Ok(());
                    }
                }
                if script.stall_at_data_end {
                    while conn.read_more()? > 0 {}
                    return Ok(());
                }
                mail = false;
                rcpts = 0;
                let reply = shared.script().data_end_replies.pop_front();
                match reply {
                    Some(r) => conn.send(&r)?,
                    None => {
                        shared.stats().accepted.push(message);
                        conn.send(ACCEPTED)?;
                    }
                }
            }
            "RSET" => {
                mail = false;
                rcpts = 0;
                conn.send("250 2.0.0 Resetting")?;
            }
            "NOOP" => conn.send("250 2.0.0 OK")?,
            "QUIT" => {
                conn.send("221 2.0.0 Service closing transmission channel")?;
                conn.hang_up();
                return Ok(());
            }
            _ => conn.send("500 5.3.3 Unrecognized command")?,
        }
    }
    Ok(())
}
