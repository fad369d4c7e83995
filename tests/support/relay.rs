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
        let status = Command::new("chown")
            .args(["postfix:", &root.join("data").to_string_lossy()])
            .status()
            .expect("chown");
        assert!(status.success(), "chown postfix data directory");
        let port = dovecot.relay_port;
        fs::write(root.join("etc/main.cf"), main_cf(root, dovecot.lmtp_port))
            .expect("write main.cf");
        fs::write(root.join("etc/master.cf"), master_cf(port)).expect("write master.cf");
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

    /// Stops Postfix and waits until its master and daemons are gone, so
    /// the submission service finds nobody on the port.
    pub fn stop(&mut self) {
        if !self.running {
            return;
        }
        self.running = false;
        let pid = self.master_pid();
        let _ = self.postfix("stop");
        let Some(pid) = pid else { return };
        // The master leads its own process group with every daemon in it.
        let group = format!("-{pid}");
        let signal = |sig: &str| {
            Command::new("kill")
                .args([sig, "--", &group])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        let deadline = Instant::now() + START_STOP_TIMEOUT;
        while signal("-0") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        if signal("-0") {
            signal("-KILL");
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
        let deadline = Instant::now() + DELIVERY_TIMEOUT;
        loop {
            if let Some(found) = inbox_messages(dovecot, user, message_id).into_iter().next() {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "no message {message_id} reached {user}'s INBOX within {DELIVERY_TIMEOUT:?}\n\
                 --- postfix log ---\n{}\n--- dovecot log ---\n{}",
                self.log(),
                dovecot.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// How many copies of this message are in the user's INBOX now.
    pub fn deliveries(&self, dovecot: &Dovecot, user: &str, message_id: &str) -> usize {
        inbox_messages(dovecot, user, message_id).len()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop();
    }
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

/// Every message in the user's INBOX whose Message-ID is this one.
fn inbox_messages(dovecot: &Dovecot, user: &str, message_id: &str) -> Vec<Vec<u8>> {
    let want = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let dir = dovecot.folder_dir(user, "INBOX");
    let mut found = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(bytes) = fs::read(e.path()) else {
                continue;
            };
            let id = header(&bytes, "message-id");
            if id
                .as_deref()
                .is_some_and(|v| v.trim().trim_start_matches('<').trim_end_matches('>') == want)
            {
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
