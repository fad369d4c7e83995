//! A private Postfix between Dovecot's submission service and its LMTP:
//! the relay of the real sending path (client → submission → relay →
//! LMTP → INBOX). Its own config, queue and data directories in a temp
//! directory (`postfix -c DIR`), smtpd alone on the port Dovecot relays
//! to, every recipient delivered to that Dovecot's LMTP. Stopped on drop,
//! also when a test panics.

use std::fs;
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::dovecot::Dovecot;

const POSTFIX: &str = "/usr/sbin/postfix";
/// How long a delivery may take before a test says it never came.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long Postfix may take to start or stop.
const START_STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// Queue directories where a message waits while Postfix still owes a delivery.
const QUEUES: [&str; 4] = ["maildrop", "incoming", "active", "deferred"];

pub struct Relay {
    dir: tempfile::TempDir,
    /// smtpd on 127.0.0.1, where the submission service relays.
    pub port: u16,
    running: bool,
}

fn require_postfix() {
    assert!(
        Path::new(POSTFIX).exists(),
        "{POSTFIX} is missing: the sending tests need a real Postfix as the relay. Install it \
         with `echo 'postfix postfix/main_mailer_type select No configuration' | \
         debconf-set-selections && apt-get install -y postfix` (tests/run does this for you)."
    );
    let out = Command::new("id").arg("-u").output().expect("run id -u");
    assert!(
        String::from_utf8_lossy(&out.stdout).trim() == "0",
        "{POSTFIX} only starts as root: run the sending tests as root (CI does)."
    );
}

impl Relay {
    /// A relay for this Dovecot (started with `submission: true`): listens
    /// where its submission service relays, delivers to its LMTP.
    pub fn start(dovecot: &Dovecot) -> Relay {
        require_postfix();
        assert!(
            dovecot.relay_port != 0 && dovecot.lmtp_port != 0,
            "start the Dovecot with `submission: true` before its relay"
        );
        let dir = tempfile::Builder::new()
            .prefix("mailtui-postfix-")
            .tempdir()
            .expect("temp dir");
        let root = dir.path();
        // Postfix's daemons run as the postfix user and must reach the queue.
        fs::set_permissions(root, fs::Permissions::from_mode(0o755)).expect("chmod");
        for sub in ["etc", "queue", "data", "log"] {
            fs::create_dir_all(root.join(sub)).expect("mkdir");
        }
        make_queue(root);
        let port = dovecot.relay_port;
        fs::write(root.join("etc/main.cf"), main_cf(root, dovecot.lmtp_port))
            .expect("write main.cf");
        fs::write(root.join("etc/master.cf"), master_cf(port)).expect("write master.cf");
        // Postfix rereads a config file changed within the last second
        // until it is a second old (300 ms naps, 1.5 s at each start).
        for file in ["etc/main.cf", "etc/master.cf"] {
            fs::File::options()
                .write(true)
                .open(root.join(file))
                .and_then(|f| {
                    f.set_modified(std::time::SystemTime::now() - Duration::from_secs(10))
                })
                .expect("date the config back");
        }
        let mut relay = Relay {
            dir,
            port,
            running: false,
        };
        relay.resume();
        relay
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn conf_dir(&self) -> PathBuf {
        self.root().join("etc")
    }

    fn postfix(&self, command: &str) -> std::process::Output {
        Command::new(POSTFIX)
            .arg("-c")
            .arg(self.conf_dir())
            .arg(command)
            .stdin(Stdio::null())
            .output()
            .expect("run postfix")
    }

    /// Starts (again) on the same port and queue.
    pub fn resume(&mut self) {
        if self.running {
            return;
        }
        // The queue is made as Postfix's own setup would: skip its
        // integrity check, which takes a second or two per start.
        fs::write(self.root().join("queue/quick-start"), "").expect("write quick-start");
        let out = self.postfix("start");
        assert!(
            out.status.success(),
            "postfix start failed ({}): {}{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
        self.running = true;
        let deadline = Instant::now() + START_STOP_TIMEOUT;
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "postfix did not listen on {} within {START_STOP_TIMEOUT:?}\n{}",
                self.port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn master_pid(&self) -> Option<String> {
        let text = fs::read_to_string(self.root().join("queue/pid/master.pid")).ok()?;
        let pid = text.trim();
        (!pid.is_empty()).then(|| pid.to_string())
    }

    /// Stops Postfix as an admin would (SIGTERM to the master) and waits
    /// until it and its daemons are gone, so the submission service finds
    /// nobody on the port. The master takes about a second to go.
    pub fn stop(&mut self) {
        self.end(true);
    }

    fn end(&mut self, graceful: bool) {
        if !self.running {
            return;
        }
        self.running = false;
        let pid = self.master_pid();
        if graceful {
            // `abort` sends the same SIGTERM as `stop`, without `stop`'s
            // one-second naps between checks; the wait below is ours.
            let _ = self.postfix("abort");
        }
        let Some(pid) = pid else { return };
        let deadline = Instant::now() + START_STOP_TIMEOUT;
        while graceful && live_in_group(&pid).contains(&pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        // The master leads a process group with every daemon in it;
        // whatever is left is killed (Postfix's queue survives crashes).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stderr(Stdio::null())
            .status();
        while !live_in_group(&pid).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.root().join("log/postfix.log")).unwrap_or_default()
    }

    /// Messages Postfix still holds (not yet delivered, or deferred).
    pub fn queued(&self) -> usize {
        QUEUES
            .iter()
            .map(|q| count_files(&self.root().join("queue").join(q)))
            .sum()
    }

    /// Waits until Postfix has tried a delivery and put the message
    /// aside to retry (the deferred queue).
    pub fn wait_until_deferred(&self) {
        let deadline = Instant::now() + DELIVERY_TIMEOUT;
        while count_files(&self.root().join("queue/deferred")) == 0 {
            assert!(
                Instant::now() < deadline,
                "no message was deferred within {DELIVERY_TIMEOUT:?}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until Postfix holds no message: whatever it accepted is
    /// delivered (or bounced), so delivery counts are final.
    pub fn wait_until_idle(&self, dovecot: &Dovecot) {
        let deadline = Instant::now() + DELIVERY_TIMEOUT;
        while self.queued() > 0 {
            assert!(
                Instant::now() < deadline,
                "postfix still holds {} message(s) after {DELIVERY_TIMEOUT:?}\n\
                 --- postfix log ---\n{}\n--- dovecot log ---\n{}",
                self.queued(),
                self.log(),
                dovecot.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until a message with this Message-ID is in the user's INBOX
    /// and returns its bytes as stored (LF line ends, with the trace
    /// headers the relay and LMTP put on top).
    pub fn wait_for_message(&self, dovecot: &Dovecot, user: &str, message_id: &str) -> Vec<u8> {
        self.wait_for_header(dovecot, user, "Message-ID", message_id)
    }

    /// Waits until a message whose header `name` has this value (as
    /// written, e.g. still RFC 2047-encoded; angle brackets ignored) is in
    /// the user's INBOX, and returns its bytes as stored.
    pub fn wait_for_header(
        &self,
        dovecot: &Dovecot,
        user: &str,
        name: &str,
        value: &str,
    ) -> Vec<u8> {
        let deadline = Instant::now() + DELIVERY_TIMEOUT;
        loop {
            if let Some(found) = inbox_messages(dovecot, user, name, value)
                .into_iter()
                .next()
            {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "no message with {name}: {value} reached {user}'s INBOX within \
                 {DELIVERY_TIMEOUT:?}\n--- postfix log ---\n{}\n--- dovecot log ---\n{}",
                self.log(),
                dovecot.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// How many copies of this message are in the user's INBOX now.
    pub fn deliveries(&self, dovecot: &Dovecot, user: &str, message_id: &str) -> usize {
        inbox_messages(dovecot, user, "Message-ID", message_id).len()
    }
}

impl Drop for Relay {
    /// Kills the instance outright: its directory goes with it, so there
    /// is nothing to stop gracefully for.
    fn drop(&mut self) {
        self.end(false);
    }
}

/// Postfix's queue and data directories with the owners and modes its
/// `postfix-files` gives them (what `post-install create-missing` makes).
fn make_queue(root: &Path) {
    let queue = root.join("queue");
    let private = [
        "active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming", "private",
        "saved", "trace",
    ];
    let shared = [("maildrop", 0o730), ("public", 0o710)];
    let chown = |owner: &str, paths: Vec<PathBuf>| {
        let status = Command::new("chown")
            .arg(owner)
            .args(&paths)
            .status()
            .expect("chown");
        assert!(status.success(), "chown {owner} {paths:?}");
    };
    for (dir, mode) in private
        .iter()
        .map(|d| (queue.join(d), 0o700))
        .chain(shared.iter().map(|(d, m)| (queue.join(d), *m)))
        .chain([(queue.join("pid"), 0o755), (root.join("data"), 0o700)])
    {
        fs::create_dir_all(&dir).expect("mkdir queue");
        fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).expect("chmod queue");
    }
    let mut owned: Vec<PathBuf> = private.iter().map(|d| queue.join(d)).collect();
    owned.push(root.join("data"));
    chown("postfix:root", owned);
    chown(
        "postfix:postdrop",
        shared.iter().map(|(d, _)| queue.join(d)).collect(),
    );
}

fn main_cf(root: &Path, lmtp_port: u16) -> String {
    format!(
        r#"compatibility_level = 3.6
queue_directory = {r}/queue
data_directory = {r}/data
maillog_file_prefixes = {r}/log
maillog_file = {r}/log/postfix.log
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = relay.mailtui.test
mydomain = mailtui.test
myorigin = $myhostname
# Nothing is local: every recipient goes to the test's Dovecot.
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
transport_maps = static:lmtp:inet:127.0.0.1:{lmtp_port}
# The submission service on loopback may relay anywhere (it is the only client).
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions =
smtpd_peername_lookup = no
# The bytes arrive as sent: no header rewriting, no 8-bit conversion.
local_header_rewrite_clients =
disable_mime_output_conversion = yes
message_size_limit = 41943040
# A deferred delivery retries within a second or two.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
biff = no
"#,
        r = root.display()
    )
}

/// smtpd on its port, and only the daemons a relay to LMTP needs.
fn master_cf(port: u16) -> String {
    format!(
        "127.0.0.1:{port} inet n - n - - smtpd
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"
    )
}

/// Processes of this process group that have not exited. Exited ones
/// count as gone even before init reaps them (which here can take a
/// second, and `kill -0` still finds them until then).
fn live_in_group(pgid: &str) -> Vec<String> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let pid = e.file_name().to_string_lossy().into_owned();
            let stat = fs::read_to_string(e.path().join("stat")).ok()?;
            // After "pid (comm) ": state, ppid, pgrp.
            let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
            let state = fields.next()?;
            let pgrp = fields.nth(1)?;
            (pgrp == pgid && state != "Z" && state != "X").then_some(pid)
        })
        .collect()
}

fn count_files(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() { count_files(&path) } else { 1 }
        })
        .sum()
}

/// Every message in the user's INBOX whose header `name` has this value.
fn inbox_messages(dovecot: &Dovecot, user: &str, name: &str, value: &str) -> Vec<Vec<u8>> {
    let bare = |v: &str| {
        v.trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string()
    };
    let want = bare(value);
    let dir = dovecot.folder_path(user, "INBOX");
    let mut found = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(bytes) = fs::read(e.path()) else {
                continue;
            };
            if header(&bytes, name).is_some_and(|v| bare(&v) == want) {
                found.push(bytes);
            }
        }
    }
    found
}

/// The first value of a header (unfolded), from a message's header block.
pub fn header(message: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(message);
    let mut value: Option<String> = None;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(v) = value.as_mut() {
                v.push_str(line);
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((n, v)) = line.split_once(':')
            && n.eq_ignore_ascii_case(name)
        {
            value = Some(v.trim_start().to_string());
        }
    }
    value
}
