//! Signals from outside (`kill`, `timeout`, a closed SSH session) end the
//! real binary cleanly: the terminal is left as it was found.

mod support;

use std::process::Command;

use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_mailtui");

/// A local Maildir account with the mouse on, so every mode the app turns
/// on (alternate screen, hidden cursor, mouse reports, raw mode, title) has
/// to be turned off again.
fn config(home: &std::path::Path) -> std::path::PathBuf {
    let maildir = home.join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    std::fs::write(
        maildir.join("cur/1000.a:2,S"),
        "From: a@example.com\r\nSubject: Signal test note\r\n\r\nx\r\n",
    )
    .unwrap();
    let cfg = home.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[ui]\nmouse = true\n\n[[accounts]]\nname = \"local\"\nprovider = \"maildir\"\nmaildir = \"{}\"\n",
            maildir.display()
        ),
    )
    .unwrap();
    cfg
}

/// The terminal's line settings, as `stty -a` words ("icanon", "-echo").
fn stty(tty: &str) -> Vec<String> {
    let out = Command::new("stty")
        .args(["-F", tty, "-a"])
        .output()
        .expect("stty");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|w| w.trim_end_matches(';').to_string())
        .collect()
}

fn ends_cleanly_on(signal: &str, number: i32) {
    let home = tempfile::tempdir().unwrap();
    let cfg = config(home.path());
    let t = Tmux::start(
        home.path(),
        80,
        24,
        BIN,
        &["--config", cfg.to_str().unwrap()],
    );
    t.wait_for("Signal test note");
    let tty = t.query("#{pane_tty}");
    // What the app turned on, seen from the terminal: so the checks below
    // can fail.
    assert_eq!(
        t.query("#{alternate_on}"),
        "1",
        "{signal}: alternate screen"
    );
    assert_eq!(t.query("#{cursor_flag}"), "0", "{signal}: cursor hidden");
    assert_eq!(t.query("#{mouse_any_flag}"), "1", "{signal}: mouse reports");
    assert!(stty(&tty).iter().any(|w| w == "-icanon"), "{signal}: raw");
    assert!(
        t.query("#{pane_title}").starts_with("mailtui"),
        "{signal}: title set"
    );

    let pid = t.program_pid("mailtui");
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let (code, after) = t.wait_exit();
    assert_eq!(code, 128 + number, "{signal}: exit status\n{after}");
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "{signal}: the process is gone"
    );
    assert_eq!(t.query("#{alternate_on}"), "0", "{signal}: normal screen");
    assert_eq!(t.query("#{cursor_flag}"), "1", "{signal}: cursor shown");
    assert_eq!(t.query("#{mouse_any_flag}"), "0", "{signal}: mouse off");
    // tmux keeps the title stack: the title from before is back.
    let title = t.query("#{pane_title}");
    assert!(!title.starts_with("mailtui"), "{signal}: title {title:?}");
    let modes = stty(&tty);
    for mode in ["icanon", "echo", "isig"] {
        assert!(
            modes.iter().any(|w| w == mode),
            "{signal}: {mode} back on: {modes:?}"
        );
    }
    assert!(
        !after.contains("Accounts"),
        "{signal}: the full-screen view is gone:\n{after}"
    );
    let log = std::fs::read_to_string(home.path().join("state/mailtui/mailtui.log")).expect("log");
    assert!(
        log.contains(&format!("quitting on a signal signal={number}")),
        "{signal}: {log}"
    );
}

#[test]
fn sigterm_restores_the_terminal_and_exits_143() {
    ends_cleanly_on("TERM", 15);
}

#[test]
fn sighup_restores_the_terminal_and_exits_129() {
    ends_cleanly_on("HUP", 1);
}

/// In raw mode Ctrl-C is a key; SIGINT comes only from outside.
#[test]
fn sigint_restores_the_terminal_and_exits_130() {
    ends_cleanly_on("INT", 2);
}

/// Whether a process has ended (gone, or a zombie no one reaped yet).
fn ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

/// The terminal itself goes away (tmux kill-session, a dropped SSH
/// connection): the app ends rather than hang on a terminal that is gone.
#[test]
fn a_closed_terminal_ends_the_app() {
    let home = tempfile::tempdir().unwrap();
    let cfg = config(home.path());
    let t = Tmux::start(
        home.path(),
        80,
        24,
        BIN,
        &["--config", cfg.to_str().unwrap()],
    );
    t.wait_for("Signal test note");
    let pid = t.program_pid("mailtui");
    t.kill_session();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !ended(pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "mailtui (pid {pid}) still runs 15s after its terminal closed"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let log = std::fs::read_to_string(home.path().join("state/mailtui/mailtui.log")).expect("log");
    assert!(log.contains("mailtui started"), "{log}");
}
