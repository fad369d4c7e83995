//! Results across folders and accounts in the real binary in tmux, at
//! 80×24, on two local Maildir accounts (copies of the demo's): All
//! inboxes, a saved search from the config, reading through the results
//! into the other account and back, and a delete and its undo on disk.

mod support;

use std::path::{Path, PathBuf};

use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_mailtui");

fn copy(from: &str, to: &Path) {
    let demo = format!("{}/assets/demo/{from}", env!("CARGO_MANIFEST_DIR"));
    assert!(
        std::process::Command::new("cp")
            .arg("-r")
            .arg(demo)
            .arg(to)
            .status()
            .unwrap()
            .success()
    );
}

/// Files of a Maildir folder (cur and new).
fn files(dir: &Path) -> usize {
    ["cur", "new"]
        .iter()
        .map(|s| std::fs::read_dir(dir.join(s)).map_or(0, |d| d.count()))
        .sum()
}

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let home = tempfile::tempdir().unwrap();
    let (work, private) = (home.path().join("work"), home.path().join("private"));
    copy("work", &work);
    copy("home", &private);
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[accounts]]\nname = \"work\"\nprovider = \"maildir\"\nmaildir = \"{}\"\n\n\
             [[accounts]]\nname = \"private\"\nprovider = \"maildir\"\nmaildir = \"{}\"\n\n\
             [[searches]]\nname = \"Flagged\"\nquery = \"is:flagged\"\n",
            work.display(),
            private.display()
        ),
    )
    .unwrap();
    (home, work, cfg)
}

fn command(t: &Tmux, line: &str) {
    t.send(&[":"]);
    t.wait_for("Tab completes");
    t.send_raw(line);
    t.wait_for(line);
    t.send(&["Enter"]);
}

#[test]
fn all_inboxes_and_a_saved_search_read_and_act_across_accounts() {
    let (home, work, cfg) = setup();
    let t = Tmux::start(
        home.path(),
        80,
        24,
        BIN,
        &["--config", cfg.to_str().unwrap()],
    );
    t.wait_for("Standup moved");

    command(&t, "saved All inboxes");
    // Both INBOXes, newest first, each row with its account.
    let s = t.wait_until("both accounts' rows", |s| {
        s.contains("All inboxes · 20") && s.contains("Sunday lunch")
    });
    let lunch = s
        .lines()
        .find(|l| l.contains("Sunday lunch"))
        .unwrap_or_default();
    assert!(lunch.contains("private"), "{s}");
    let standup = s
        .lines()
        .find(|l| l.contains("Standup moved"))
        .unwrap_or_default();
    assert!(standup.contains("work"), "{s}");

    // Down to private's Sunday lunch (third), open it, then on with J
    // into... the next row, and back.
    t.send(&["j", "j", "Enter"]);
    t.wait_until("the message, full screen", |s| {
        s.contains("Are you coming on Sunday?") && s.contains("Esc: back")
    });
    t.send(&["J"]);
    t.wait_for("Oslo → Bergen");
    t.send(&["Escape"]);
    let s = t.wait_for("All inboxes · 20");
    // Read on the way: no longer marked unread.
    let lunch = s
        .lines()
        .find(|l| l.contains("Sunday lunch"))
        .unwrap_or_default();
    assert!(!lunch.contains('●'), "{s}");

    // Delete work's newest from here: it leaves work's INBOX on disk for
    // its Trash, and u brings it back.
    let (inbox, trash) = (files(&work), files(&work.join(".Deleted Items")));
    t.send(&["g", "d"]);
    t.wait_for("1 message deleted (u: undo)");
    t.wait_until("the file moved", |_| files(&work) == inbox - 1);
    assert_eq!(files(&work.join(".Deleted Items")), trash + 1);
    assert!(!t.screen().contains("Standup moved"));
    t.send(&["u"]);
    t.wait_for("restored to Inbox");
    t.wait_until("back in the results", |s| s.contains("Standup moved"));
    assert_eq!(files(&work), inbox);

    // A saved search from the config, and Esc back to the folder.
    command(&t, "saved Flagged");
    let s = t.wait_until("the flagged ones", |s| s.contains("Flagged ·"));
    assert!(s.contains("Q4 numbers"), "{s}");
    assert!(!s.contains("Sunday lunch"), "{s}");
    t.send(&["Escape"]);
    t.wait_for("back to the folder");
    t.send(&["q"]);
    t.wait_exit();
}
