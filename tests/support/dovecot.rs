//! A private Dovecot: its own config, CA, ports and Maildirs in a temp
//! directory, started in the foreground and stopped on drop (also when a
//! test panics).

use std::fs;
use std::io::Write;
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::certs::{Leaf, TestCa};
use super::free_port;

const DOVECOT: &str = "/usr/sbin/dovecot";
const DOVEADM: &str = "/usr/bin/doveadm";
/// What Exchange Online advertises after login (../shared notes on Microsoft).
pub const EXCHANGE_CAPABILITIES: &str =
    "IMAP4rev1 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+";

/// The submission listeners' address. Dovecot counts a connection whose
/// two ends have the same address as secured and would offer AUTH before
/// STARTTLS; clients come from 127.0.0.1, so this keeps plaintext AUTH
/// off as on a real server. Still loopback; the certificate is checked
/// for `localhost`.
pub const SUBMISSION_HOST: &str = "127.0.0.2";

/// Mail files belong to this uid when the tests run as root (Dovecot refuses uid 0 for mail).
const ROOT_MAIL_UID: u32 = 65534;

pub struct Options {
    /// Offer TLS (implicit port and STARTTLS). Off to test a server without it.
    pub tls: bool,
    /// Accept XOAUTH2 and OAUTHBEARER, checking tokens at this RFC 7662
    /// introspection URL (the test identity provider's).
    pub oauth2_introspection: Option<String>,
    /// Advertise SASL-IR before login (Dovecot's default). Off to test the
    /// challenge-response path.
    pub sasl_ir: bool,
    /// After login, advertise exactly what Exchange Online does (no
    /// CONDSTORE, QRESYNC, SPECIAL-USE, LIST-STATUS, ESEARCH, THREAD).
    pub exchange: bool,
    /// Advertise no MOVE, so clients move with COPY + EXPUNGE.
    pub no_move: bool,
    /// Access control lists from `dovecot-acl` files (read-only folders).
    pub acl: bool,
    /// Listen on ::1 as well as 127.0.0.1.
    pub listen_v6: bool,
    /// The server certificate: valid for localhost, or deliberately not.
    pub leaf: Leaf,
    /// Run Dovecot's submission service (STARTTLS and implicit TLS, same
    /// logins as IMAP) relaying to `relay_port`, and LMTP on `lmtp_port`
    /// for the relay to deliver into the Maildirs (tests/support/relay.rs).
    pub submission: bool,
    /// Shared mailboxes (Microsoft 365 style): a bearer login with one of
    /// these addresses as user succeeds when the identity provider says
    /// the token's owner has FullAccess to it (`Idp::grant_full_access`).
    /// Each gets its own oauth2 passdb (tests/support/README.md says why).
    pub shared_mailboxes: Vec<String>,
    /// Let the imap process use 4 GB of address space (Dovecot's 256 MB
    /// default fails SELECT on a folder of a million messages).
    pub big_folders: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tls: true,
            oauth2_introspection: None,
            sasl_ir: true,
            exchange: false,
            no_move: false,
            acl: false,
            listen_v6: false,
            leaf: Leaf::Localhost,
            submission: false,
            shared_mailboxes: Vec::new(),
            big_folders: false,
        }
    }
}

pub struct Dovecot {
    pub dir: tempfile::TempDir,
    /// Plain port (STARTTLS when TLS is on).
    pub imap_port: u16,
    /// Implicit TLS port (0 when TLS is off).
    pub imaps_port: u16,
    /// PEM file of the CA that signed the server certificate.
    pub ca_file: PathBuf,
    /// Submission with STARTTLS, on `SUBMISSION_HOST` (0 without `submission`).
    pub submission_port: u16,
    /// Submission with implicit TLS, on `SUBMISSION_HOST` (0 without `submission`).
    pub submissions_port: u16,
    /// Where the submission service relays to: the test's Postfix listens here.
    pub relay_port: u16,
    /// Dovecot's LMTP on 127.0.0.1, where the relay delivers.
    pub lmtp_port: u16,
    conf: PathBuf,
    child: Option<Child>,
    mail_uid: u32,
    mail_gid: u32,
}

fn require_binaries() {
    for bin in [DOVECOT, DOVEADM] {
        assert!(
            Path::new(bin).exists(),
            "{bin} is missing: these tests need a real Dovecot. Install it with \
             `apt-get install -y dovecot-imapd` (tests/run does this for you)."
        );
    }
}

fn whoami() -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id").arg(flag).output().expect("run id");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("numeric id")
    };
    (id("-u"), id("-g"))
}

fn user_name() -> String {
    let out = Command::new("id").arg("-un").output().expect("run id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Submission (RFC 6409) relaying everything to the test's Postfix, and
/// LMTP for its deliveries back. AUTH only after TLS, as real servers do.
fn submission_conf(
    submission_port: u16,
    submissions_port: u16,
    relay_port: u16,
    lmtp_port: u16,
) -> String {
    format!(
        r#"hostname = localhost
submission_relay_host = 127.0.0.1
submission_relay_port = {relay_port}
submission_relay_ssl = no
submission_max_mail_size = 40M
protocol submission {{
  disable_plaintext_auth = yes
}}
service submission-login {{
  chroot =
  inet_listener submission {{
    address = {SUBMISSION_HOST}
    port = {submission_port}
  }}
  inet_listener submissions {{
    address = {SUBMISSION_HOST}
    port = {submissions_port}
    ssl = yes
  }}
}}
protocol lmtp {{
  postmaster_address = postmaster@localhost
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
}}
"#
    )
}

/// RFC 7662 introspection at `url`, the user from the answer's `email`.
fn oauth2_ext(url: &str) -> String {
    format!(
        "introspection_mode = post\nintrospection_url = {url}\nusername_attribute = email\n\
         active_attribute = active\nactive_value = true\ntimeout_msecs = 5000\nmax_idle_time_msecs = 1000\n"
    )
}

/// The bearer-token passdbs. Dovecot 2.3 neither expands variables in
/// `introspection_url` nor sends the login name to the introspection
/// endpoint, and it insists the answer's user equals the login name. So
/// each shared mailbox gets a passdb of its own, picked by
/// `username_filter`, whose fixed URL names the mailbox: the identity
/// provider answers with that address only for a delegate with FullAccess.
fn oauth2_passdbs(root: &Path, shared: &[String]) -> String {
    let mut out = String::new();
    for (i, mailbox) in shared.iter().enumerate() {
        out += &format!(
            "passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  username_filter = {mailbox}\n  args = {}/etc/oauth2-shared-{i}.conf.ext\n}}\n",
            root.display()
        );
    }
    let others: Vec<String> = shared.iter().map(|m| format!("!{m}")).collect();
    let filter = if others.is_empty() {
        String::new()
    } else {
        format!("  username_filter = {}\n", others.join(" "))
    };
    out + &format!(
        "passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n{filter}  args = {}/etc/oauth2.conf.ext\n}}\n",
        root.display()
    )
}

static UNIQUE: AtomicU64 = AtomicU64::new(0);

impl Dovecot {
    pub fn start() -> Dovecot {
        Self::start_with(Options::default())
    }

    pub fn start_with(opts: Options) -> Dovecot {
        require_binaries();
        let dir = tempfile::Builder::new()
            .prefix("mailtui-dovecot-")
            .tempdir()
            .expect("temp dir");
        let root = dir.path().to_path_buf();
        for sub in ["run", "state", "log", "tls", "etc", "mail"] {
            fs::create_dir_all(root.join(sub)).expect("mkdir");
        }
        // Dovecot's unprivileged processes must read the config and mail.
        fs::set_permissions(&root, fs::Permissions::from_mode(0o755)).expect("chmod");

        let ca = TestCa::with_leaf("dovecot", opts.leaf);
        let ca_file = root.join("tls/ca.pem");
        fs::write(&ca_file, &ca.ca_pem).expect("write CA");
        fs::write(root.join("tls/server.pem"), &ca.server_cert_pem).expect("write cert");
        fs::write(root.join("tls/server.key"), &ca.server_key_pem).expect("write key");
        fs::write(root.join("etc/users"), "").expect("users file");

        let (uid, gid) = whoami();
        let is_root = uid == 0;
        let (mail_uid, mail_gid) = if is_root {
            (ROOT_MAIL_UID, ROOT_MAIL_UID)
        } else {
            (uid, gid)
        };
        let me = user_name();
        let (internal, login) = if is_root {
            ("dovecot", "dovenull")
        } else {
            (me.as_str(), me.as_str())
        };
        let imap_port = free_port();
        let imaps_port = if opts.tls { free_port() } else { 0 };
        assert!(
            opts.tls || !opts.submission,
            "the submission service is only tested with TLS"
        );
        let (submission_port, submissions_port, relay_port, lmtp_port) = if opts.submission {
            (free_port(), free_port(), free_port(), free_port())
        } else {
            (0, 0, 0, 0)
        };
        let n = UNIQUE.fetch_add(1, Ordering::Relaxed);
        let listen = if opts.listen_v6 {
            "127.0.0.1, ::1"
        } else {
            "127.0.0.1"
        };
        let ssl = if opts.tls {
            format!(
                "ssl = yes\nssl_cert = <{r}/tls/server.pem\nssl_key = <{r}/tls/server.key\nssl_min_protocol = TLSv1.2\n",
                r = root.display()
            )
        } else {
            "ssl = no\n".to_string()
        };
        let imaps = if opts.tls {
            format!(
                "  inet_listener imaps {{\n    address = {listen}\n    port = {imaps_port}\n    ssl = yes\n  }}\n"
            )
        } else {
            String::new()
        };
        let conf = format!(
            r#"instance_name = mailtui-test-{pid}-{n}
base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/log/dovecot.log
protocols = imap{submission_protocols}
listen = {listen}
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
{ssl}auth_mechanisms = plain login{oauth_mechs}
auth_cache_size = 0
{capability}
auth_failure_delay = 0
disable_plaintext_auth = no
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {r}/etc/users
}}
{oauth_passdb}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={r}/mail/%Lu allow_all_users=yes
}}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
{acl}
mail_fsync = never
mail_cache_fields = flags date.received size.virtual hdr.date hdr.subject hdr.from hdr.message-id hdr.in-reply-to hdr.references hdr.content-type
namespace inbox {{
  inbox = yes
  separator = /
  mailbox "Sent Items" {{
    special_use = \Sent
  }}
  mailbox "Deleted Items" {{
    special_use = \Trash
  }}
}}
protocol imap {{
  mail_max_userip_connections = 100
{exchange}}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {listen}
    port = {imap_port}
  }}
{imaps}}}
{submission}service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"#,
            pid = std::process::id(),
            r = root.display(),
            exchange = if opts.no_move {
                format!(
                    "  imap_capability = {}\n",
                    EXCHANGE_CAPABILITIES.replace(" MOVE", "")
                )
            } else if opts.exchange {
                format!("  imap_capability = {EXCHANGE_CAPABILITIES}\n")
            } else {
                String::new()
            } + if opts.acl {
                "  mail_plugins = $mail_plugins imap_acl\n"
            } else {
                ""
            },
            capability = if opts.sasl_ir {
                ""
            } else {
                "imap_capability = IMAP4rev1 LITERAL+ ID ENABLE IDLE\n"
            },
            acl = if opts.acl {
                "mail_plugins = $mail_plugins acl\nplugin {\n  acl = vfile\n}\n"
            } else {
                ""
            }
            .to_string()
                + if opts.big_folders {
                    "service imap {\n  vsz_limit = 4G\n}\n"
                } else {
                    ""
                },
            oauth_mechs = if opts.oauth2_introspection.is_some() {
                " xoauth2 oauthbearer"
            } else {
                ""
            },
            oauth_passdb = match &opts.oauth2_introspection {
                Some(_) => oauth2_passdbs(&root, &opts.shared_mailboxes),
                None => String::new(),
            },
            internal_group = if is_root { "dovecot" } else { internal },
            submission_protocols = if opts.submission {
                " submission lmtp"
            } else {
                ""
            },
            submission = if opts.submission {
                submission_conf(submission_port, submissions_port, relay_port, lmtp_port)
            } else {
                String::new()
            },
        );
        if let Some(url) = &opts.oauth2_introspection {
            fs::write(root.join("etc/oauth2.conf.ext"), oauth2_ext(url))
                .expect("write oauth2.conf.ext");
            for (i, mailbox) in opts.shared_mailboxes.iter().enumerate() {
                let url = format!("{url}?mailbox={}", mailbox.replace('@', "%40"));
                fs::write(
                    root.join(format!("etc/oauth2-shared-{i}.conf.ext")),
                    oauth2_ext(&url),
                )
                .expect("write a shared mailbox's oauth2 conf");
            }
        }
        let conf_path = root.join("etc/dovecot.conf");
        fs::write(&conf_path, conf).expect("write dovecot.conf");
        let mut d = Dovecot {
            dir,
            imap_port,
            imaps_port,
            ca_file,
            submission_port,
            submissions_port,
            relay_port,
            lmtp_port,
            conf: conf_path,
            child: None,
            mail_uid,
            mail_gid,
        };
        d.launch();
        d
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn launch(&mut self) {
        let run = self.root().join("run");
        let _ = fs::remove_dir_all(&run);
        fs::create_dir_all(&run).expect("mkdir run");
        // Its own process group, so stop() can end every Dovecot process at once.
        let child = Command::new(DOVECOT)
            .process_group(0)
            .arg("-F")
            .arg("-c")
            .arg(&self.conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start dovecot");
        self.child = Some(child);
        let port = if self.imaps_port != 0 {
            self.imaps_port
        } else {
            self.imap_port
        };
        // Every listener, as the master opens them one after another.
        let listeners: Vec<(&str, u16)> = [
            ("127.0.0.1", port),
            (SUBMISSION_HOST, self.submission_port),
            (SUBMISSION_HOST, self.submissions_port),
            ("127.0.0.1", self.lmtp_port),
        ]
        .into_iter()
        .filter(|(_, p)| *p != 0)
        .collect();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if listeners
                .iter()
                .all(|&(host, p)| TcpStream::connect((host, p)).is_ok())
            {
                return;
            }
            if let Some(c) = self.child.as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                let mut err = String::new();
                if let Some(mut e) = c.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut err);
                }
                panic!("dovecot exited at start ({status}): {err}\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "dovecot did not listen on {port} within 15s\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server and every process it started (the master alone
    /// would leave its imap and auth children running), and waits for them.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let group = format!("-{}", child.id());
        let signal = |sig: &str| {
            Command::new("kill")
                .arg(sig)
                .arg("--")
                .arg(&group)
                .stderr(Stdio::null())
                .status()
        };
        let alive = || signal("-0").is_ok_and(|s| s.success());
        let _ = signal("-TERM");
        let _ = child.wait();
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        if alive() {
            let _ = signal("-KILL");
        }
    }

    /// Starts again on the same ports and mail.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.root().join("log/dovecot.log")).unwrap_or_default()
    }

    pub fn add_user(&self, user: &str, password: &str) {
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(self.root().join("etc/users"))
            .expect("users file");
        writeln!(f, "{user}:{{PLAIN}}{password}").expect("write user");
        // The Maildir must exist so an empty account still has an INBOX.
        self.folder_dir(user, "INBOX");
    }

    fn maildir(&self, user: &str) -> PathBuf {
        self.root()
            .join("mail")
            .join(user.to_lowercase())
            .join("Maildir")
    }

    /// Creates (if needed) and returns a folder's directory; `folder` is
    /// "INBOX" or a '/'-separated path, encoded as Dovecot stores it.
    pub fn folder_dir(&self, user: &str, folder: &str) -> PathBuf {
        let dir = self.folder_path(user, folder);
        let made = ["cur", "new", "tmp"]
            .iter()
            .any(|sub| !dir.join(sub).is_dir());
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir_all(dir.join(sub)).expect("mkdir maildir");
        }
        // A walk of the whole tree per call made filling a big folder
        // quadratic: only a new folder needs it.
        if made {
            self.own(&self.root().join("mail"));
        }
        dir
    }

    /// Where a folder's directory is, touching nothing (for reading while
    /// Dovecot writes there).
    pub fn folder_path(&self, user: &str, folder: &str) -> PathBuf {
        let base = self.maildir(user);
        if folder.eq_ignore_ascii_case("INBOX") {
            return base;
        }
        let encoded: Vec<String> = folder.split('/').map(mailtui::mail::utf7::encode).collect();
        base.join(format!(".{}", encoded.join(".")))
    }

    /// Puts messages into a folder (oldest first), flags as Maildir letters.
    pub fn deliver(&self, user: &str, folder: &str, messages: &[(Vec<u8>, &str)]) {
        let dir = self.folder_dir(user, folder);
        let t0 = 1_790_000_000u64;
        let root = whoami().0 == 0;
        for (i, (body, flags)) in messages.iter().enumerate() {
            let n = UNIQUE.fetch_add(1, Ordering::Relaxed);
            let name = format!(
                "{}.M{n}P{}.mailtui-test:2,{flags}",
                t0 + i as u64,
                std::process::id()
            );
            let path = dir.join("cur").join(name);
            fs::write(&path, body).expect("write message");
            if root {
                std::os::unix::fs::chown(&path, Some(self.mail_uid), Some(self.mail_gid))
                    .expect("chown message");
            }
        }
    }

    /// Runs doveadm against this instance; panics with its output on failure.
    pub fn doveadm(&self, args: &[&str]) -> String {
        self.doveadm_input(args, None)
    }

    pub fn doveadm_input(&self, args: &[&str], input: Option<&[u8]>) -> String {
        use std::io::Write as _;
        let mut child = Command::new(DOVEADM)
            .arg("-c")
            .arg(&self.conf)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("doveadm");
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(input.unwrap_or_default())
                .expect("doveadm stdin");
        }
        let out = child.wait_with_output().expect("doveadm");
        assert!(
            out.status.success(),
            "doveadm {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// New mail from outside, as a delivery agent would add it.
    pub fn save(&self, user: &str, folder: &str, message: &[u8]) {
        self.doveadm_input(&["save", "-u", user, "-m", folder], Some(message));
    }

    /// Ends every session of the user (they see `* BYE`).
    pub fn kick(&self, user: &str) {
        // doveadm kick reports "no such user" as a failure when nobody is
        // connected yet; that is fine here.
        let _ = Command::new(DOVEADM)
            .arg("-c")
            .arg(&self.conf)
            .args(["kick", user])
            .output();
    }

    /// Makes a folder read-only for its owner (needs `acl`).
    pub fn read_only(&self, user: &str, folder: &str) {
        let dir = self.folder_dir(user, folder);
        fs::write(dir.join("dovecot-acl"), "owner lr\n").expect("write dovecot-acl");
        self.own(&dir);
    }

    /// Lets Dovecot build its index now, so the first FETCH is fast.
    pub fn index(&self, user: &str) {
        for args in [
            &["force-resync", "-u", user, "*"][..],
            &["index", "-u", user, "*"][..],
        ] {
            let out = Command::new(DOVEADM)
                .arg("-c")
                .arg(&self.conf)
                .args(args)
                .output()
                .expect("doveadm");
            assert!(
                out.status.success(),
                "doveadm {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    /// Whether a message file in the folder carries the seen flag.
    pub fn seen_count(&self, user: &str, folder: &str) -> usize {
        let dir = self.folder_dir(user, folder);
        let mut n = 0;
        for sub in ["cur", "new"] {
            for e in fs::read_dir(dir.join(sub)).expect("read maildir").flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if name
                    .rsplit_once(":2,")
                    .is_some_and(|(_, f)| f.contains('S'))
                {
                    n += 1;
                }
            }
        }
        n
    }

    fn own(&self, path: &Path) {
        if whoami().0 != 0 {
            return;
        }
        // Dovecot's lock files come and go while it runs: a walk that
        // met one vanishing is tried again.
        let ok = (0..3).any(|_| {
            Command::new("chown")
                .arg("-R")
                .arg(format!("{}:{}", self.mail_uid, self.mail_gid))
                .arg(path)
                .status()
                .expect("chown")
                .success()
        });
        assert!(ok, "chown mail dir");
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
    }
}
