//! A scriptable IMAP server on 127.0.0.1 (plain TCP; mailtui accepts
//! `tls = "none"` for loopback) for behaviour no real server shows: a
//! session ended at IDLE, garbage, a UIDVALIDITY change mid-session,
//! EXISTS going down, `VANISHED 1:4294967295`, flag storms, 100,000
//! folders, endless lines, one byte a second.
//!
//! Every command gets the default answer of a small, well-behaved server
//! (folders from [`World`]) unless a script for its name says otherwise:
//!
//! ```ignore
//! let fake = FakeImap::builder()
//!     .on("IDLE", |c, cmd| {
//!         c.line("+ idling")?;
//!         c.line("* BYE going away")?;
//!         Ok(Flow::Close)
//!     })
//!     .start();
//! ```
//!
//! It counts sessions, logins, SELECTs and bytes sent, so tests can say
//! "at most N logins in a window". Blocking threads of its own, so it
//! serves sync tests (driving the binary) and async ones alike; dropping
//! it closes every connection and stops the threads.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Capabilities before and after login unless the builder says otherwise.
pub const DEFAULT_CAPABILITIES: &str = "IMAP4rev1 IDLE ENABLE UIDPLUS MOVE LITERAL+ AUTH=PLAIN";
/// Longest client line (with its literals) the fake reads; tests never
/// need more, and a runaway client cannot make it buffer forever.
const MAX_COMMAND: usize = 1024 * 1024;

/// One client command.
#[derive(Clone, Debug)]
pub struct Command {
    pub tag: String,
    /// Upper case; `UID FETCH`, `UID SEARCH` … for UID commands;
    /// `GREETING` for the moment a connection opens.
    pub name: String,
    /// Everything after the name (literals inlined).
    pub args: String,
}

/// What happens after a script ran.
pub enum Flow {
    /// The script answered completely (tagged line included).
    Handled,
    /// The script sent what it wanted; the default answer follows.
    Default,
    /// Close the connection now (without a tagged answer).
    Close,
}

pub type Script = Arc<dyn Fn(&mut Conn, &Command) -> io::Result<Flow> + Send + Sync>;

/// A folder of the fake's mailbox.
#[derive(Clone, Debug)]
pub struct Folder {
    pub name: String,
    pub uidvalidity: u32,
    pub uids: Vec<u32>,
    /// Reported as HIGHESTMODSEQ when CONDSTORE or QRESYNC is advertised.
    pub modseq: u64,
}

impl Folder {
    pub fn new(name: &str, uidvalidity: u32, uids: impl IntoIterator<Item = u32>) -> Folder {
        Folder {
            name: name.to_string(),
            uidvalidity,
            uids: uids.into_iter().collect(),
            modseq: 1,
        }
    }

    pub fn uid_next(&self) -> u32 {
        self.uids.iter().max().map_or(1, |u| u + 1)
    }
}

/// The mailbox the default answers describe; tests may change it at any
/// time (`fake.world().folder_mut("INBOX").uidvalidity = 9`).
#[derive(Clone, Debug)]
pub struct World {
    pub capabilities: String,
    pub folders: Vec<Folder>,
}

impl World {
    pub fn folder(&self, name: &str) -> Option<&Folder> {
        self.folders
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    pub fn folder_mut(&mut self, name: &str) -> &mut Folder {
        match self
            .folders
            .iter()
            .position(|f| f.name.eq_ignore_ascii_case(name))
        {
            Some(i) => &mut self.folders[i],
            None => {
                self.folders.push(Folder::new(name, 1, []));
                self.folders.last_mut().expect("just pushed")
            }
        }
    }
}

/// What the fake saw and sent, shared with the test.
#[derive(Default)]
pub struct Stats {
    sessions: AtomicUsize,
    logins: AtomicUsize,
    selects: AtomicUsize,
    bytes_sent: AtomicU64,
    log: Mutex<Log>,
    changed: Condvar,
}

#[derive(Default)]
struct Log {
    /// (session, command name, when).
    commands: Vec<(usize, String, Instant)>,
    login_times: Vec<Instant>,
    closed_sessions: usize,
}

impl Stats {
    pub fn sessions(&self) -> usize {
        self.sessions.load(Ordering::SeqCst)
    }
    /// LOGIN and AUTHENTICATE commands received.
    pub fn logins(&self) -> usize {
        self.logins.load(Ordering::SeqCst)
    }
    /// SELECT and EXAMINE commands received.
    pub fn selects(&self) -> usize {
        self.selects.load(Ordering::SeqCst)
    }
    pub fn bytes_sent(&self) -> u64 {
        self.bytes_sent.load(Ordering::SeqCst)
    }
    /// Every command so far: (session number from 1, name).
    pub fn commands(&self) -> Vec<(usize, String)> {
        self.lock()
            .commands
            .iter()
            .map(|(s, c, _)| (*s, c.clone()))
            .collect()
    }
    /// How many commands named `name` arrived.
    pub fn count(&self, name: &str) -> usize {
        self.lock()
            .commands
            .iter()
            .filter(|(_, c, _)| c == name)
            .count()
    }
    /// Sessions whose connection has ended.
    pub fn closed_sessions(&self) -> usize {
        self.lock().closed_sessions
    }
    /// When each LOGIN or AUTHENTICATE arrived, in order.
    pub fn login_times(&self) -> Vec<Instant> {
        self.lock().login_times.clone()
    }
    /// The most logins that fell within any `window`.
    pub fn most_logins_within(&self, window: Duration) -> usize {
        let times = &self.lock().login_times;
        (0..times.len())
            .map(|i| {
                times[i..]
                    .iter()
                    .take_while(|t| **t - times[i] <= window)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    /// Waits until `done` holds (checked after every command and closed
    /// session), at most `limit`; whether it held.
    pub fn wait_until(&self, limit: Duration, done: impl Fn(&Stats) -> bool) -> bool {
        let end = Instant::now() + limit;
        loop {
            if done(self) {
                return true;
            }
            let now = Instant::now();
            if now >= end {
                return false;
            }
            // Short slices: byte counters change without a notification.
            let slice = (end - now).min(Duration::from_millis(50));
            let log = self.lock();
            let _ = self.changed.wait_timeout(log, slice);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn record(&self, session: usize, name: &str) {
        let mut log = self.lock();
        let now = Instant::now();
        log.commands.push((session, name.to_string(), now));
        if name == "LOGIN" || name == "AUTHENTICATE" {
            self.logins.fetch_add(1, Ordering::SeqCst);
            log.login_times.push(now);
        }
        if name == "SELECT" || name == "EXAMINE" {
            self.selects.fetch_add(1, Ordering::SeqCst);
        }
        drop(log);
        self.changed.notify_all();
    }

    fn closed(&self) {
        self.lock().closed_sessions += 1;
        self.changed.notify_all();
    }
}

/// Stops every thread of one server.
#[derive(Default)]
struct Stop {
    stopped: Mutex<bool>,
    cv: Condvar,
    flag: AtomicBool,
}

impl Stop {
    fn set(&self) {
        self.flag.store(true, Ordering::SeqCst);
        *self.stopped.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.cv.notify_all();
    }
    fn is_set(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
    /// Sleeps `d` unless the server stops first; false if it stopped.
    fn sleep(&self, d: Duration) -> bool {
        let g = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        let (g, _) = self
            .cv
            .wait_timeout_while(g, d, |s| !*s)
            .unwrap_or_else(|e| e.into_inner());
        !*g
    }
}

pub struct Builder {
    world: World,
    scripts: HashMap<String, Script>,
}

impl Builder {
    /// Capabilities advertised before and after login.
    pub fn capabilities(mut self, caps: &str) -> Builder {
        self.world.capabilities = caps.to_string();
        self
    }

    /// Replaces the folders (the default is an INBOX with UIDs 1..=3).
    pub fn folders(mut self, folders: Vec<Folder>) -> Builder {
        self.world.folders = folders;
        self
    }

    /// Answers commands named `name` (`SELECT`, `UID FETCH`, `GREETING` …)
    /// with `script` instead of the default.
    pub fn on(
        mut self,
        name: &str,
        script: impl Fn(&mut Conn, &Command) -> io::Result<Flow> + Send + Sync + 'static,
    ) -> Builder {
        self.scripts
            .insert(name.to_ascii_uppercase(), Arc::new(script));
        self
    }

    pub fn start(self) -> FakeImap {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fake IMAP server");
        let port = listener.local_addr().expect("local addr").port();
        let shared = Arc::new(Shared {
            stats: Stats::default(),
            world: Mutex::new(self.world),
            scripts: self.scripts,
            stop: Stop::default(),
            open: Mutex::new(Vec::new()),
            threads: Mutex::new(Vec::new()),
        });
        let s = shared.clone();
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.stop.is_set() {
                    break;
                }
                let Ok(stream) = conn else { continue };
                let _ = stream.set_nodelay(true);
                let session = s.stats.sessions.fetch_add(1, Ordering::SeqCst) + 1;
                if let Ok(clone) = stream.try_clone() {
                    s.open.lock().unwrap_or_else(|e| e.into_inner()).push(clone);
                }
                let s2 = s.clone();
                let t = std::thread::spawn(move || {
                    serve(&s2, stream, session);
                    s2.stats.closed();
                });
                s.threads.lock().unwrap_or_else(|e| e.into_inner()).push(t);
            }
        });
        FakeImap {
            port,
            shared,
            accept: Some(accept),
        }
    }
}

struct Shared {
    stats: Stats,
    world: Mutex<World>,
    scripts: HashMap<String, Script>,
    stop: Stop,
    open: Mutex<Vec<TcpStream>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

pub struct FakeImap {
    pub port: u16,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl FakeImap {
    pub fn builder() -> Builder {
        Builder {
            world: World {
                capabilities: DEFAULT_CAPABILITIES.to_string(),
                folders: vec![Folder::new("INBOX", 1, 1..=3)],
            },
            scripts: HashMap::new(),
        }
    }

    /// The default server: every command answered the well-behaved way.
    pub fn start() -> FakeImap {
        FakeImap::builder().start()
    }

    pub fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        self.shared.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An account section for mailtui's config pointing here (plain TCP).
    pub fn account_toml(&self, name: &str) -> String {
        format!(
            "[[accounts]]\nname = \"{name}\"\nemail = \"user@example.com\"\nprovider = \"generic\"\n\
             imap = {{ host = \"127.0.0.1\", port = {}, tls = \"none\" }}\n\
             auth = {{ method = \"password\", password_command = \"echo pw\" }}\n",
            self.port
        )
    }
}

impl Drop for FakeImap {
    fn drop(&mut self) {
        self.shared.stop.set();
        for s in self
            .shared
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            let _ = s.shutdown(Shutdown::Both);
        }
        // Wakes the accept loop, which then sees the stop.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        let threads: Vec<_> = self
            .shared
            .threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
            .collect();
        for t in threads {
            let _ = t.join();
        }
    }
}

/// One client connection, as scripts see it.
pub struct Conn {
    /// Which session this is, from 1.
    pub session: usize,
    /// Set by a LOGIN or AUTHENTICATE the default answer accepted (or a
    /// script that set it).
    pub logged_in: bool,
    /// The folder selected now.
    pub selected: Option<String>,
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    shared: Arc<Shared>,
    seen: HashMap<String, usize>,
}

impl Conn {
    /// Sends bytes as they are.
    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.shared.stop.is_set() {
            return Err(io::Error::other("fake server stopped"));
        }
        self.writer.write_all(bytes)?;
        self.shared
            .stats
            .bytes_sent
            .fetch_add(bytes.len() as u64, Ordering::SeqCst);
        Ok(())
    }

    /// Sends one line, adding CRLF.
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        let mut b = Vec::with_capacity(text.len() + 2);
        b.extend_from_slice(text.as_bytes());
        b.extend_from_slice(b"\r\n");
        self.send(&b)
    }

    /// `TAG OK done`.
    pub fn ok(&mut self, cmd: &Command) -> io::Result<()> {
        self.line(&format!("{} OK {} done", cmd.tag, cmd.name))
    }

    /// Sends `bytes` one at a time, `every` apart (stops early when the
    /// server is dropped or the client goes away).
    pub fn trickle(&mut self, bytes: &[u8], every: Duration) -> io::Result<()> {
        for b in bytes {
            self.send(std::slice::from_ref(b))?;
            if !self.shared.stop.sleep(every) {
                return Err(io::Error::other("fake server stopped"));
            }
        }
        Ok(())
    }

    /// Sends `chunk` again and again until the client stops reading or
    /// closes, or `limit` bytes went out: a line with no end.
    pub fn endless(&mut self, chunk: &[u8], limit: u64) -> io::Result<()> {
        let mut sent = 0u64;
        while sent < limit {
            self.send(chunk)?;
            sent += chunk.len() as u64;
        }
        Ok(())
    }

    /// Waits `d` unless the server is dropped first.
    pub fn pause(&self, d: Duration) -> io::Result<()> {
        if self.shared.stop.sleep(d) {
            Ok(())
        } else {
            Err(io::Error::other("fake server stopped"))
        }
    }

    /// The next line the client sends (without CRLF), None at its end.
    pub fn read_line(&mut self) -> io::Result<Option<String>> {
        let mut line = Vec::new();
        let n = (&mut self.reader)
            .take(MAX_COMMAND as u64)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(None);
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        Ok(Some(String::from_utf8_lossy(&line).into_owned()))
    }

    /// How often this session has seen a command of this name, this one
    /// included.
    pub fn seen(&self, name: &str) -> usize {
        self.seen.get(name).copied().unwrap_or(0)
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        self.shared.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    /// A whole command: its line and any literals in it.
    fn read_command(&mut self) -> io::Result<Option<String>> {
        let Some(mut text) = self.read_line()? else {
            return Ok(None);
        };
        while let Some((n, plus)) = literal_at_end(&text) {
            if n > MAX_COMMAND || text.len() + n > MAX_COMMAND {
                return Err(io::Error::other("client literal too big for the fake"));
            }
            if !plus {
                self.line("+ go ahead")?;
            }
            let mut lit = vec![0u8; n];
            self.reader.read_exact(&mut lit)?;
            text.push_str(&String::from_utf8_lossy(&lit));
            match self.read_line()? {
                Some(rest) => text.push_str(&rest),
                None => return Ok(None),
            }
        }
        Ok(Some(text))
    }
}

/// `{n}` or `{n+}` ending a line: the literal's size and whether it is
/// non-synchronizing.
fn literal_at_end(line: &str) -> Option<(usize, bool)> {
    let body = line.strip_suffix('}')?;
    let open = body.rfind('{')?;
    let inner = &body[open + 1..];
    let (digits, plus) = match inner.strip_suffix('+') {
        Some(d) => (d, true),
        None => (inner, false),
    };
    digits.parse().ok().map(|n| (n, plus))
}

fn parse_command(line: &str) -> Command {
    let mut parts = line.splitn(3, ' ');
    let tag = parts.next().unwrap_or_default().to_string();
    let first = parts.next().unwrap_or_default().to_ascii_uppercase();
    let rest = parts.next().unwrap_or_default();
    if first == "UID" {
        let mut more = rest.splitn(2, ' ');
        let second = more.next().unwrap_or_default().to_ascii_uppercase();
        return Command {
            tag,
            name: format!("UID {second}"),
            args: more.next().unwrap_or_default().to_string(),
        };
    }
    Command {
        tag,
        name: first,
        args: rest.to_string(),
    }
}

fn serve(shared: &Arc<Shared>, stream: TcpStream, session: usize) {
    let Ok(writer) = stream.try_clone() else {
        return;
    };
    let mut conn = Conn {
        session,
        logged_in: false,
        selected: None,
        reader: BufReader::new(stream),
        writer,
        shared: shared.clone(),
        seen: HashMap::new(),
    };
    let greeting = Command {
        tag: String::new(),
        name: "GREETING".to_string(),
        args: String::new(),
    };
    if !matches!(dispatch(&mut conn, &greeting), Ok(true)) {
        return;
    }
    while !shared.stop.is_set() {
        let line = match conn.read_command() {
            Ok(Some(l)) => l,
            _ => return,
        };
        let cmd = parse_command(&line);
        shared.stats.record(session, &cmd.name);
        *conn.seen.entry(cmd.name.clone()).or_default() += 1;
        if !matches!(dispatch(&mut conn, &cmd), Ok(true)) {
            return;
        }
    }
}

/// Runs the script for `cmd` (or the default answer); false when the
/// connection is to end.
fn dispatch(conn: &mut Conn, cmd: &Command) -> io::Result<bool> {
    let script = conn.shared.scripts.get(&cmd.name).cloned();
    let flow = match script {
        Some(s) => s(conn, cmd)?,
        None => Flow::Default,
    };
    match flow {
        Flow::Handled => Ok(true),
        Flow::Close => {
            let _ = conn.writer.shutdown(Shutdown::Both);
            Ok(false)
        }
        Flow::Default => default_answer(conn, cmd),
    }
}

/// A small, well-behaved server's answer.
fn default_answer(c: &mut Conn, cmd: &Command) -> io::Result<bool> {
    let caps = c.world().capabilities.clone();
    let modseq = caps.contains("CONDSTORE") || caps.contains("QRESYNC");
    match cmd.name.as_str() {
        "GREETING" => c.line("* OK fake IMAP ready")?,
        "CAPABILITY" => {
            c.line(&format!("* CAPABILITY {caps}"))?;
            c.ok(cmd)?;
        }
        "LOGIN" => {
            c.logged_in = true;
            c.ok(cmd)?;
        }
        "AUTHENTICATE" => {
            // Without an initial response the client sends it after `+`.
            if !cmd.args.trim().contains(' ') {
                c.line("+ ")?;
                if c.read_line()?.is_none() {
                    return Ok(false);
                }
            }
            c.logged_in = true;
            c.ok(cmd)?;
        }
        "ENABLE" => {
            let wanted: Vec<&str> = cmd
                .args
                .split_whitespace()
                .filter(|w| caps.split_whitespace().any(|c| c.eq_ignore_ascii_case(w)))
                .collect();
            c.line(&format!("* ENABLED {}", wanted.join(" ")))?;
            c.ok(cmd)?;
        }
        "LIST" | "LSUB" => {
            let names: Vec<String> = c.world().folders.iter().map(|f| f.name.clone()).collect();
            let mut out = Vec::new();
            for n in names {
                out.extend_from_slice(
                    format!("* {} (\\HasNoChildren) \"/\" \"{n}\"\r\n", cmd.name).as_bytes(),
                );
            }
            c.send(&out)?;
            c.ok(cmd)?;
        }
        "STATUS" => {
            let name = unquote(cmd.args.split(" (").next().unwrap_or_default());
            let n = c.world().folder(&name).map_or(0, |f| f.uids.len());
            c.line(&format!("* STATUS \"{name}\" (MESSAGES {n} UNSEEN 0)"))?;
            c.ok(cmd)?;
        }
        "SELECT" | "EXAMINE" => {
            let name = unquote(cmd.args.split(" (").next().unwrap_or_default());
            let Some(f) = c.world().folder(&name).cloned() else {
                c.line(&format!("{} NO no such folder", cmd.tag))?;
                return Ok(true);
            };
            c.selected = Some(f.name.clone());
            let mut out = format!(
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
                 * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] ok\r\n\
                 * {} EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY {}] ok\r\n* OK [UIDNEXT {}] ok\r\n",
                f.uids.len(),
                f.uidvalidity,
                f.uid_next()
            );
            if modseq {
                out.push_str(&format!("* OK [HIGHESTMODSEQ {}] ok\r\n", f.modseq));
            }
            let mode = if cmd.name == "EXAMINE" {
                "READ-ONLY"
            } else {
                "READ-WRITE"
            };
            out.push_str(&format!("{} OK [{mode}] selected\r\n", cmd.tag));
            c.send(out.as_bytes())?;
        }
        "UID SEARCH" | "SEARCH" => {
            let uids = selected_uids(c);
            let key = cmd.args.trim();
            let found: Vec<u32> = if key.to_ascii_uppercase().contains("ALL") {
                uids
            } else if !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b"*:,".contains(&b))
            {
                // A set of message numbers: their UIDs.
                let max = uids.len() as u32;
                let value = |s: &str| {
                    if s == "*" {
                        max
                    } else {
                        s.parse().unwrap_or(0)
                    }
                };
                match key.split_once(':') {
                    Some((a, b)) if !key.contains(',') => {
                        let (a, b) = (value(a), value(b));
                        let (lo, hi) = (a.min(b).max(1), a.max(b).min(max));
                        uids.get(lo as usize - 1..hi as usize)
                            .unwrap_or_default()
                            .to_vec()
                    }
                    _ => (1..=max)
                        .filter(|n| in_set(key, *n, max))
                        .map(|n| uids[n as usize - 1])
                        .collect(),
                }
            } else {
                Vec::new()
            };
            c.send(&search_line(&found))?;
            c.ok(cmd)?;
        }
        "UID FETCH" | "FETCH" => {
            let uids = selected_uids(c);
            let (set, items) = cmd.args.split_once(' ').unwrap_or((&cmd.args, ""));
            let by_uid = cmd.name == "UID FETCH";
            let mut out = Vec::new();
            for (i, uid) in uids.iter().enumerate() {
                let seq = i as u32 + 1;
                let (key, max) = if by_uid {
                    (*uid, *uids.last().unwrap_or(&0))
                } else {
                    (seq, uids.len() as u32)
                };
                if in_set(set, key, max) {
                    out.extend_from_slice(&fetch_response(seq, *uid, items, modseq));
                }
            }
            c.send(&out)?;
            c.ok(cmd)?;
        }
        "IDLE" => {
            c.line("+ idling")?;
            loop {
                match c.read_line()? {
                    None => return Ok(false),
                    Some(l) if l.eq_ignore_ascii_case("DONE") => break,
                    Some(_) => {}
                }
            }
            c.ok(cmd)?;
        }
        "LOGOUT" => {
            c.line("* BYE logging out")?;
            c.ok(cmd)?;
            return Ok(false);
        }
        "UNSELECT" | "CLOSE" => {
            c.selected = None;
            c.ok(cmd)?;
        }
        "NOOP" | "CHECK" | "UID STORE" | "STORE" | "UID EXPUNGE" | "EXPUNGE" | "UID MOVE"
        | "UID COPY" | "ID" => c.ok(cmd)?,
        _ => c.line(&format!("{} BAD unknown command", cmd.tag))?,
    }
    Ok(true)
}

fn unquote(s: &str) -> String {
    s.trim().trim_matches('"').to_string()
}

fn selected_uids(c: &Conn) -> Vec<u32> {
    let Some(name) = c.selected.clone() else {
        return Vec::new();
    };
    let mut uids = c
        .world()
        .folder(&name)
        .map(|f| f.uids.clone())
        .unwrap_or_default();
    uids.sort_unstable();
    uids
}

/// Whether `n` is in an IMAP sequence set; `*` stands for `max`.
fn in_set(set: &str, n: u32, max: u32) -> bool {
    let value = |s: &str| -> u32 {
        if s == "*" {
            max
        } else {
            s.parse().unwrap_or(0)
        }
    };
    set.split(',').any(|part| match part.split_once(':') {
        Some((a, b)) => {
            let (a, b) = (value(a), value(b));
            (a.min(b)..=a.max(b)).contains(&n)
        }
        None => value(part) == n,
    })
}

/// The message the fake holds under `uid`.
pub fn message(uid: u32) -> String {
    format!(
        "From: Sender {uid} <sender{uid}@example.com>\r\nTo: user@example.com\r\n\
         Subject: Message {uid}\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\
         Message-ID: <{uid}@fake.example>\r\nContent-Type: text/plain\r\n\r\n\
         Body of message {uid}.\r\n"
    )
}

pub fn fetch_response(seq: u32, uid: u32, items: &str, modseq: bool) -> Vec<u8> {
    let upper = items.to_ascii_uppercase();
    let msg = message(uid);
    let header_end = msg.find("\r\n\r\n").map_or(msg.len(), |i| i + 4);
    let mut out = format!("* {seq} FETCH (UID {uid}");
    if upper.contains("FLAGS") {
        out.push_str(" FLAGS ()");
    }
    if upper.contains("RFC822.SIZE") {
        out.push_str(&format!(" RFC822.SIZE {}", msg.len()));
    }
    if upper.contains("INTERNALDATE") {
        out.push_str(" INTERNALDATE \"01-Jan-2024 10:00:00 +0000\"");
    }
    if modseq && upper.contains("MODSEQ") {
        out.push_str(&format!(" MODSEQ ({})", u64::from(uid) + 1));
    }
    if upper.contains("BODYSTRUCTURE") {
        let body = msg.len() - header_end;
        out.push_str(&format!(
            " BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" {body} 1 NIL NIL NIL NIL)"
        ));
    }
    let mut bytes = out.into_bytes();
    // Every body section asked for, each echoed with what was asked.
    let mut rest = upper.as_str();
    while let Some(i) = rest.find("BODY.PEEK[").or_else(|| rest.find("BODY[")) {
        let from = rest[i..].find('[').map_or(i, |j| i + j);
        let Some(close) = rest[from..].find(']') else {
            break;
        };
        let section = &rest[from + 1..from + close];
        let content: &str = if section.is_empty() {
            &msg
        } else if section.starts_with("HEADER") {
            &msg[..header_end]
        } else {
            &msg[header_end..]
        };
        bytes.extend_from_slice(
            format!(" BODY[{section}] {{{}}}\r\n{content}", content.len()).as_bytes(),
        );
        rest = &rest[from + close..];
    }
    bytes.extend_from_slice(b")\r\n");
    bytes
}

/// `* SEARCH u1 u2 …` as one line.
pub fn search_line(uids: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(uids.len() * 8 + 16);
    out.extend_from_slice(b"* SEARCH");
    for u in uids {
        out.extend_from_slice(format!(" {u}").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// One QRESYNC SELECT's worth of flag changes: `* n FETCH (UID n FLAGS
/// (\Seen) MODSEQ (m))` for messages 1..=count.
pub fn flag_storm(count: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(count as usize * 56);
    for n in 1..=count {
        out.extend_from_slice(
            format!(
                "* {n} FETCH (UID {n} FLAGS (\\Seen $Forwarded) MODSEQ ({}))\r\n",
                u64::from(n) + 1000
            )
            .as_bytes(),
        );
    }
    out
}

/// `count` folder lines for a LIST answer.
pub fn many_folders(count: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(count as usize * 48);
    for n in 0..count {
        out.extend_from_slice(
            format!("* LIST (\\HasNoChildren) \"/\" \"Archive/Folder {n:06}\"\r\n").as_bytes(),
        );
    }
    out
}

/// `count` lines that parse but mean nothing.
pub fn junk_lines(count: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(count as usize * 24);
    for n in 0..count {
        out.extend_from_slice(format!("* OK junk {n}\r\n").as_bytes());
    }
    out
}

/// Bytes no IMAP parser accepts.
pub const GARBAGE: &[u8] = b"*** \x00\x01 garbage (((( ]]] \xff\xfe not imap\r\n";

/// mailtui's settings for a fake on `port`: plain TCP on loopback, these
/// timeouts.
pub fn settings_at(port: u16, timeouts: mailtui::imap::Timeouts) -> mailtui::imap::ImapSettings {
    mailtui::imap::ImapSettings {
        host: "127.0.0.1".into(),
        port,
        tls: mailtui::imap::TlsMode::None,
        ca_file: None,
        username: "user@example.com".into(),
        timeouts,
    }
}

/// mailtui's IMAP backend for a fake on `port`, logging in by password.
pub fn backend_at(port: u16, timeouts: mailtui::imap::Timeouts) -> mailtui::imap::ImapBackend {
    use mailtui::auth::{PasswordSource, Secret};
    use mailtui::imap::{ImapAuth, ImapBackend};
    ImapBackend::new(
        settings_at(port, timeouts),
        ImapAuth::Password(PasswordSource::Plain(Secret::new("pw"))),
    )
}
