//! The `:` command line, `|` and `:reload` in the real binary in tmux, on
//! a local Maildir (a copy of the demo's home account).

mod support;

use std::path::Path;

use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_mailtui");

fn config(maildir: &Path, extra: &str) -> String {
    format!(
        "[[accounts]]\nname = \"local\"\nprovider = \"maildir\"\nmaildir = \"{}\"\n{extra}",
        maildir.display()
    )
}

/// A home with a copy of the demo's Maildir and a config for it.
fn home() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let home = tempfile::tempdir().unwrap();
    let maildir = home.path().join("Maildir");
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/home");
    assert!(
        std::process::Command::new("cp")
            .arg("-r")
            .arg(demo)
            .arg(&maildir)
            .status()
            .unwrap()
            .success()
    );
    let cfg = home.path().join("config.toml");
    std::fs::write(&cfg, config(&maildir, "")).unwrap();
    (home, maildir, cfg)
}

/// mailtui on the copied mailbox at 100×30, its list up.
fn started(home: &tempfile::TempDir, cfg: &std::path::Path) -> Tmux {
    let t = Tmux::start(
        home.path(),
        100,
        30,
        BIN,
        &["--config", cfg.to_str().unwrap()],
    );
    t.wait_for("Sunday lunch");
    t
}

/// `:` then the line, then Enter.
fn command(t: &Tmux, line: &str) {
    t.send(&[":"]);
    t.wait_for("Tab completes");
    t.send_raw(line);
    t.wait_for(line);
    t.send(&["Enter"]);
}

/// `|` then the command, then Enter.
fn pipe(t: &Tmux, line: &str) {
    t.send(&["|"]);
    t.wait_for("the message on its stdin");
    t.send_raw(line);
    t.send(&["Enter"]);
}

#[test]
fn commands_run_by_name_complete_and_say_what_is_wrong() {
    let (home, _maildir, cfg) = home();
    let t = started(&home, &cfg);

    command(&t, "mvoe Travel");
    t.wait_for("unknown command “mvoe”; did you mean “move”?");
    command(&t, "sort subject");
    t.wait_for("sorted by subject");
    command(&t, "set colour dark");
    t.wait_for("unknown setting “colour”");
    command(&t, "set theme light");
    t.wait_for("theme = light");

    // Tab: the name, then the folder.
    t.send(&[":"]);
    t.wait_for("Tab completes");
    t.send_raw("go_to");
    t.send(&["Tab"]);
    t.wait_for(":go_to_folder ");
    t.send_raw("Tra");
    t.send(&["Tab"]);
    t.wait_for(":go_to_folder Travel");
    t.send(&["Enter"]);
    t.wait_for("Reservation confirmed");

    // Up walks the history.
    t.send(&[":"]);
    t.wait_for("Tab completes");
    t.send(&["Up"]);
    t.wait_for(":go_to_folder Travel");
    t.send(&["Up"]);
    t.wait_for(":set theme light");
    t.send(&["Escape"]);
    t.wait_until("prompt closed", |s| !s.contains(":set theme light"));

    command(&t, "move Nowhere");
    t.wait_for("no folder “Nowhere”");
    command(&t, "quit");
    assert_eq!(t.wait_exit().0, 0);
    // The history outlives the run.
    let kept = std::fs::read_to_string(home.path().join("state/mailtui/command_history")).unwrap();
    assert!(
        kept.contains("sort subject\n") && kept.ends_with("quit\n"),
        "{kept}"
    );
}

#[test]
fn pipe_shows_output_cleaned_and_capped_and_says_how_it_ended() {
    let (home, _maildir, cfg) = home();
    let t = started(&home, &cfg);
    // The newest message is open in the reader.
    t.wait_for("Subject: Sunday lunch");

    pipe(&t, "wc -c");
    let s = t.wait_for("| wc -c");
    let count = s
        .lines()
        .filter_map(|l| l.trim_matches(|c| c == '│' || c == ' ').parse::<u32>().ok())
        .next();
    assert!(count.is_some_and(|n| n > 100), "{s}");
    t.send(&["q"]);
    t.wait_until("the output closed", |s| !s.contains("| wc -c"));

    pipe(&t, "no-such-command-mailtui");
    t.wait_for("command not found: “no-such-command-mailtui”");
    t.send(&["Escape"]);
    t.wait_until("the output closed", |s| !s.contains("| no-such"));

    // Escape sequences (colour, a title) and 20,000 lines, then exit 3.
    pipe(
        &t,
        r"printf '\033[31mRED\033]0;pwned\007 done\n'; seq 1 20000; exit 3",
    );
    let s = t.wait_for("output cut at 10000 lines");
    assert!(s.contains("exit status 3") && s.contains("RED done"), "{s}");
    let styled = t.screen_with_styles();
    let red = styled
        .lines()
        .find(|l| l.contains("RED done") && !l.contains("printf"))
        .expect("the output's first line");
    assert!(
        !red.contains("31m"),
        "the colour was not passed on: {red:?}"
    );
    assert_ne!(t.query("#{pane_title}").trim(), "pwned");
    t.send(&["G"]);
    let s = t.wait_for("of 10002");
    assert!(s.contains("9999"), "{s}");
    t.send(&["q"]);
    t.wait_until("the output closed", |s| !s.contains("of 10002"));
    t.wait_for("Sunday lunch");

    // The text instead of the source.
    command(&t, "pipe_text cat");
    let s = t.wait_for("| cat");
    assert!(
        s.contains("Subject: Sunday lunch") && !s.contains("Message-ID"),
        "{s}"
    );
    t.send(&["Escape"]);
    t.wait_until("the output closed", |s| !s.contains("| cat"));

    // less takes the terminal, and gives it back when it ends.
    pipe(&t, "less");
    let s = t.wait_for("(END)");
    assert!(
        s.contains("Subject: Sunday lunch") && !s.contains("Accounts"),
        "{s}"
    );
    t.send(&["q"]);
    t.wait_until("the TUI back", |s| {
        s.contains("Sunday lunch") && !s.contains("(END)") && s.contains("┏")
    });

    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
}

#[test]
fn reload_applies_keys_and_names_what_needs_a_restart() {
    let (home, maildir, cfg) = home();
    let t = started(&home, &cfg);

    std::fs::write(&cfg, "[[accounts]\nname = ").unwrap();
    command(&t, "reload");
    t.wait_for("config not reloaded:");

    std::fs::write(&cfg, config(&maildir, "[keys]\nx = \"quit\"\n")).unwrap();
    command(&t, "reload");
    let s = t.wait_for("config reloaded");
    assert!(!s.contains("restart"), "{s}");

    std::fs::write(
        &cfg,
        config(&maildir, "[keys]\nx = \"quit\"\n").replace("\"local\"", "\"renamed\""),
    )
    .unwrap();
    command(&t, "reload");
    t.wait_for("restart for the changes to accounts");
    // The new key works.
    t.send(&["x"]);
    assert_eq!(t.wait_exit().0, 0);
}
