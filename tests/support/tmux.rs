//! Drives the real binary in a tmux pane: keys in, screen text out.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

static N: AtomicU64 = AtomicU64::new(0);
const EXIT_MARK: &str = "mailtui-exited:";

/// A session on a tmux server of its own (`-L`): tests run in parallel, and
/// on one shared server a test's new session could reach a server that the
/// last other session's end was shutting down ("server exited
/// unexpectedly"), and clipboard buffers and server options would mix.
pub struct Tmux {
    pub session: String,
    socket: String,
    /// The server's socket file, removed after the server is killed
    /// (tmux leaves it behind).
    socket_path: String,
}

fn tmux(socket: &str, args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(["-L", socket, "-f", "/dev/null"])
        .args(args)
        .output()
        .unwrap_or_else(|e| {
        panic!("tmux is missing ({e}): install it with `apt-get install -y tmux` (tests/run does this for you)")
    });
    assert!(
        out.status.success(),
        "tmux {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Tmux {
    /// Starts `program args…` in a detached session of the given size, with
    /// HOME and the XDG directories under `home` so nothing of the user's leaks in.
    pub fn start(home: &Path, width: u16, height: u16, program: &str, args: &[&str]) -> Tmux {
        Self::start_env(home, width, height, &[], program, args)
    }

    pub fn start_env(
        home: &Path,
        width: u16,
        height: u16,
        env: &[(&str, &str)],
        program: &str,
        args: &[&str],
    ) -> Tmux {
        let session = format!(
            "mailtui-e2e-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let socket = session.clone();
        let h = home.display().to_string();
        let mut cmd = vec![
            "new-session".to_string(),
            "-d".into(),
            "-s".into(),
            session.clone(),
            "-x".into(),
            width.to_string(),
            "-y".into(),
            height.to_string(),
        ];
        for (k, v) in [
            ("HOME", h.clone()),
            ("XDG_CONFIG_HOME", format!("{h}/config")),
            ("XDG_DATA_HOME", format!("{h}/data")),
            ("XDG_STATE_HOME", format!("{h}/state")),
            ("XDG_CACHE_HOME", format!("{h}/cache")),
            ("TZ", "UTC".into()),
            ("TERM", "xterm-256color".into()),
            ("RUST_BACKTRACE", "0".into()),
            // Tokens in files under HOME, never in the developer's keyring.
            ("MAILTUI_TOKEN_STORE", "file".into()),
        ]
        .into_iter()
        .chain(env.iter().map(|(k, v)| (*k, v.to_string())))
        {
            cmd.push("-e".into());
            cmd.push(format!("{k}={v}"));
        }
        // A shell around the program prints its exit status after it ends,
        // on the normal screen the program must have restored.
        let quoted: Vec<String> = std::iter::once(program)
            .chain(args.iter().copied())
            .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
            .collect();
        cmd.push(format!(
            "{}; echo \"{EXIT_MARK}$?\"; sleep 600",
            quoted.join(" ")
        ));
        let refs: Vec<&str> = cmd.iter().map(String::as_str).collect();
        tmux(&socket, &refs);
        let socket_path = tmux(&socket, &["display-message", "-p", "#{socket_path}"])
            .trim()
            .to_string();
        Tmux {
            session,
            socket,
            socket_path,
        }
    }

    /// Lets programs in the pane set tmux's clipboard with OSC 52.
    pub fn accept_clipboard(&self) {
        tmux(&self.socket, &["set-option", "-s", "set-clipboard", "on"]);
    }

    /// The newest tmux paste buffer (what OSC 52 copied), if any.
    pub fn clipboard(&self) -> Option<String> {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "show-buffer"])
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The user code of the sign-in panel, once it shows one.
    pub fn sign_in_code(&self) -> String {
        read_code(&self.wait_for("Code: "))
    }

    pub fn screen(&self) -> String {
        tmux(&self.socket, &["capture-pane", "-p", "-t", &self.session])
    }

    /// The screen with its SGR escape sequences (colours, bold, reverse).
    pub fn screen_with_styles(&self) -> String {
        tmux(
            &self.socket,
            &["capture-pane", "-p", "-e", "-t", &self.session],
        )
    }

    pub fn send(&self, keys: &[&str]) {
        for k in keys {
            tmux(&self.socket, &["send-keys", "-t", &self.session, k]);
            // Each key is its own read for the app, as when typed.
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Bytes typed as they are (a mouse report, say), no key names.
    pub fn send_raw(&self, text: &str) {
        tmux(
            &self.socket,
            &["send-keys", "-l", "-t", &self.session, text],
        );
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Waits until the screen contains `text`; panics with the screen if not.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |s| s.contains(text))
    }

    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_until_within(what, Duration::from_secs(15), ok)
    }

    /// [`Tmux::wait_until`] with a longer guard, for benchmarks on big folders.
    pub fn wait_until_within(
        &self,
        what: &str,
        limit: Duration,
        ok: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "waited {limit:?} for {what:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn query(&self, format: &str) -> String {
        tmux(
            &self.socket,
            &["display-message", "-p", "-t", &self.session, format],
        )
        .trim()
        .to_string()
    }

    /// The pid of the program the session runs (a child of the pane's
    /// shell named `name`), once it has started.
    pub fn program_pid(&self, name: &str) -> u32 {
        let shell: u32 = self
            .query("#{pane_pid}")
            .parse()
            .expect("tmux reports the pane's pid");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(pid) = child_named(shell, name) {
                return pid;
            }
            assert!(
                Instant::now() < deadline,
                "waited 15s for {name} under pid {shell}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Ends the session as a closed window or SSH connection would: the
    /// pane's terminal goes away under the program (SIGHUP, then EIO).
    pub fn kill_session(&self) {
        tmux(&self.socket, &["kill-session", "-t", &self.session]);
    }

    pub fn resize(&self, width: u16, height: u16) {
        tmux(
            &self.socket,
            &[
                "resize-window",
                "-t",
                &self.session,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ],
        );
    }

    /// Waits for the program to exit; returns its status and the screen
    /// after it (which should be the shell's, not the program's).
    pub fn wait_exit(&self) -> (i32, String) {
        let s = self.wait_for(EXIT_MARK);
        let code = s
            .lines()
            .find_map(|l| l.trim().strip_prefix(EXIT_MARK))
            .and_then(|c| c.trim().parse().ok())
            .unwrap_or(-1);
        (code, s)
    }
}

/// A child of `parent` whose command name is `name`, from /proc.
fn child_named(parent: u32, name: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
        // "pid (comm) state ppid …"; comm may hold spaces, so split at ")".
        let (head, rest) = stat.rsplit_once(") ")?;
        let comm = head.split_once(" (")?.1;
        let ppid: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
        (ppid == parent && comm == name).then_some(pid)
    })
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
        if !self.socket_path.is_empty() {
            let _ = std::fs::remove_file(&self.socket_path);
        }
    }
}

/// The user code from a "Code: XXXX" line.
pub fn read_code(screen: &str) -> String {
    screen
        .lines()
        .find_map(|l| l.split("Code: ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .map(|c| {
            c.trim_matches(|ch: char| !ch.is_ascii_alphanumeric())
                .to_string()
        })
        .unwrap_or_else(|| panic!("no code on screen:\n{screen}"))
}
