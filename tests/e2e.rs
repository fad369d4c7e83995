//! The real binary in a real terminal (tmux), on the bundled demo.

mod support;

use support::tmux::{Tmux, read_code};

const BIN: &str = env!("CARGO_BIN_EXE_mailtui");

#[test]
fn demo_reads_mail_switches_accounts_and_quits_cleanly() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start(home.path(), 110, 32, BIN, &["--demo"]);

    // The work inbox opens by itself, newest first, and the newest is previewed.
    let s = t.wait_for("Quick heads-up: the standup moves");
    assert!(s.contains("Standup moved to 10:15 today"), "{s}");
    assert!(
        s.contains("Accounts") && s.contains("Folders") && s.contains("Inbox"),
        "{s}"
    );
    assert!(
        s.contains("Светлана Иванова") && s.contains("来週の打ち合わせについて"),
        "charsets decoded:\n{s}"
    );

    // Down one: the message with two attachments.
    t.send(&["j"]);
    let s = t.wait_for("Attachments (2):");
    assert!(
        s.contains("q4-regions.csv") && s.contains("review-draft.pdf"),
        "{s}"
    );
    t.send(&["Enter"]);

    // The log panel shows the app's own events.
    t.send(&["L"]);
    let s = t.wait_for(" Log ");
    assert!(s.contains("folder up to date"), "{s}");
    t.send(&["L"]);
    t.wait_until("log hidden", |s| !s.contains(" Log "));

    // Second account with one key; its own inbox.
    t.send(&["2"]);
    let s = t.wait_for("Sunday lunch");
    assert!(s.contains(" home "), "{s}");
    // Back with ]: the work account kept its selection and open message.
    t.send(&["]"]);
    let s = t.wait_for("Attachments (2):");
    assert!(s.contains(" work "), "{s}");

    // Folder pane: open the junk folder holding a hostile message.
    // Each Escape on its own, its effect seen before the next key: an
    // Escape read together with the next key is that key with Alt.
    t.send(&["Escape"]);
    t.wait_until("the list focused", |s| s.contains("┏ Inbox"));
    t.send(&["Escape"]);
    t.wait_for("┏ Folders");
    t.send(&["j", "j", "j", "j", "Enter"]);
    let s = t.wait_for("URGENT verify your account");
    assert!(
        s.contains("mailtui shows this text without the escape sequences"),
        "{s}"
    );
    assert_ne!(
        t.query("#{pane_title}"),
        "hacked",
        "a message must not set the window title"
    );

    // Help overlay, closed by any key.
    t.send(&["?"]);
    t.wait_for("key closes this");
    t.send(&["x"]);
    t.wait_until("help closed", |s| !s.contains("key closes this"));

    // Resize to 80x24: still a whole screen.
    t.resize(80, 24);
    let s = t.wait_until("80 columns", |s| {
        s.lines().next().is_some_and(|l| l.chars().count() <= 80) && s.contains("?: help")
    });
    // At 80 columns the accounts and folders start hidden; B shows them.
    assert!(!s.contains("Accounts"), "{s}");
    t.send(&["B"]);
    t.wait_for("Accounts");

    t.send(&["q"]);
    let (code, after) = t.wait_exit();
    assert_eq!(code, 0, "{after}");
    assert!(
        !after.contains("Accounts"),
        "the terminal is restored after quitting:\n{after}"
    );
    // The log file is in the XDG state dir.
    let log =
        std::fs::read_to_string(home.path().join("state/mailtui/mailtui.log")).expect("log file");
    assert!(log.contains("mailtui started"), "{log}");
}

#[test]
fn a_panic_in_a_background_task_restores_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start_env(
        home.path(),
        100,
        30,
        &[("MAILTUI_TEST_PANIC", "1")],
        BIN,
        &["--demo"],
    );
    t.wait_for("Accounts");
    let (code, after) = t.wait_exit();
    assert_eq!(code, 101, "{after}");
    assert!(
        after.contains("MAILTUI_TEST_PANIC was set"),
        "the panic message is readable:\n{after}"
    );
    assert!(
        !after.contains("Accounts"),
        "the full-screen view is gone:\n{after}"
    );
    let log = std::fs::read_to_string(home.path().join("state/mailtui/mailtui.log")).expect("log");
    assert!(log.contains("panic"), "{log}");
}

/// A server that accepts connections and then says nothing: the account
/// shows "connecting…" while every key keeps working.
#[test]
fn a_silent_server_never_freezes_the_screen() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
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
    std::fs::write(
        &cfg,
        format!(
            "[[accounts]]\nname = \"slow\"\nemail = \"a@b.example\"\nprovider = \"generic\"\n\
             imap = {{ host = \"127.0.0.1\", port = {port} }}\nauth = {{ method = \"password\", password = \"x\" }}\n\
             [[accounts]]\nname = \"local\"\nprovider = \"maildir\"\nmaildir = \"{}\"\n",
            maildir.display()
        ),
    )
    .unwrap();
    let t = Tmux::start(
        home.path(),
        100,
        30,
        BIN,
        &["--config", cfg.to_str().unwrap()],
    );
    t.wait_for(&format!("connecting to 127.0.0.1:{port}"));
    t.send(&["2"]);
    t.wait_for("Sunday lunch");
    t.send(&["1", "?"]);
    let s = t.wait_for("key closes this");
    assert!(s.contains("connecting"), "{s}");
    t.send(&["Escape"]);
    t.wait_until("help closed", |s| !s.contains("key closes this"));
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
}

/// Sign-in as a user does it: start with no token, read the code off the
/// screen, approve it (as the phone would), see the inbox; then a second
/// tenant one key away.
#[test]
fn device_code_sign_in_on_screen_and_tenant_switch() {
    use support::dovecot::{Dovecot, Options};
    use support::idp::{CLIENT_ID, Idp};

    let idp = Idp::start();
    let d = Dovecot::start_with(Options {
        oauth2_introspection: Some(idp.introspection_url()),
        ..Default::default()
    });
    d.deliver(
        "alice@contoso.example",
        "INBOX",
        &[(support::fixtures::PLAIN.as_bytes().to_vec(), "")],
    );
    d.deliver(
        "bob@fabrikam.example",
        "INBOX",
        &[(support::fixtures::ALTERNATIVE.as_bytes().to_vec(), "")],
    );
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("config.toml");
    let account = |name: &str, email: &str, tenant: &str| {
        format!(
            "[[accounts]]\nname = \"{name}\"\nemail = \"{email}\"\nprovider = \"microsoft\"\ntenant = \"{tenant}\"\n\
             client_id = \"{CLIENT_ID}\"\nauthority = \"{}\"\nca_file = \"{}\"\n\
             imap = {{ host = \"127.0.0.1\", port = {}, tls = \"implicit\" }}\n",
            idp.base,
            d.ca_file.display(),
            d.imaps_port
        )
    };
    std::fs::write(
        &cfg,
        account("work", "alice@contoso.example", "contoso.onmicrosoft.com")
            + &account("school", "bob@fabrikam.example", "fabrikam.onmicrosoft.com"),
    )
    .unwrap();
    let env = [("MAILTUI_LOG", "trace")];
    let t = Tmux::start_env(
        home.path(),
        120,
        40,
        &env,
        BIN,
        &["--config", cfg.to_str().unwrap()],
    );

    // The first account signs in by itself: the code is on screen.
    let s = t.wait_for("Code: ");
    let code = read_code(&s);
    assert!(s.contains(&format!("{}/device", idp.base)), "{s}");
    // `c` puts the code on the clipboard through the terminal (OSC 52).
    t.accept_clipboard();
    t.send(&["c"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while t.clipboard().as_deref() != Some(code.as_str()) {
        assert!(
            std::time::Instant::now() < deadline,
            "clipboard holds {:?}, not {code}",
            t.clipboard()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(s.contains("expires in"), "{s}");
    idp.approve(&code, "alice@contoso.example");
    let s = t.wait_for("Plain hello");
    assert!(!s.contains("Code: "), "the panel closed by itself:\n{s}");
    assert!(
        s.contains("tenant contoso.onmicrosoft.com") && s.contains("access token"),
        "{s}"
    );

    // The second tenant: one key, its own sign-in, its own mail.
    t.send(&["2"]);
    let s = t.wait_for("school is not signed in");
    assert!(s.contains("tenant fabrikam.onmicrosoft.com"), "{s}");
    t.send(&["a"]);
    let code = read_code(&t.wait_for("Code: "));
    idp.approve(&code, "bob@fabrikam.example");
    t.wait_for("Alternative");
    // Back to the first tenant at once, still signed in.
    t.send(&["1"]);
    let s = t.wait_for("Plain hello");
    assert!(s.contains("tenant contoso.onmicrosoft.com"), "{s}");
    assert!(
        idp.tenants()
            .iter()
            .any(|x| x == "fabrikam.onmicrosoft.com")
    );

    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
    let data = home.path().join("data/mailtui/tokens");
    assert!(data.join("work.json").exists() && data.join("school.json").exists());
    // Nothing secret in the log, even at trace level.
    let log = std::fs::read_to_string(home.path().join("state/mailtui/mailtui.log")).expect("log");
    assert!(
        log.contains("signed in") && log.contains("device code issued"),
        "{log}"
    );
    for secret in idp.issued_secrets() {
        assert!(!log.contains(&secret), "secret {secret} in the log:\n{log}");
    }
}

/// A message that takes the HTML converter a very long time (a megabyte of
/// nested `<div>`s) is previewed as the folder opens; `q` still ends the
/// program at once, and the other messages still open meanwhile.
#[test]
fn quitting_never_waits_for_a_slow_message() {
    let home = tempfile::tempdir().unwrap();
    let maildir = home.path().join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    std::fs::write(
        maildir.join("cur/1000.a:2,S"),
        "From: a@example.com\r\nSubject: Plain and quick\r\n\r\nquick body\r\n",
    )
    .unwrap();
    let depth = 60_000;
    let html = format!(
        "From: b@example.com\r\nSubject: Deep HTML\r\nContent-Type: text/html\r\n\r\n<html><body>{}x{}</body></html>\r\n",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    std::fs::write(maildir.join("cur/2000.b:2,S"), html).unwrap();
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[accounts]]\nname = \"local\"\nprovider = \"maildir\"\nmaildir = \"{}\"\n",
            maildir.display()
        ),
    )
    .unwrap();
    let t = Tmux::start(
        home.path(),
        100,
        30,
        BIN,
        &["--config", cfg.to_str().unwrap()],
    );
    t.wait_for("Deep HTML");
    // The other message opens while the deep one is being converted.
    t.send(&["j"]);
    t.wait_for("quick body");
    t.send(&["k"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let asked = std::time::Instant::now();
    t.send(&["q"]);
    let (code, _) = t.wait_exit();
    let took = asked.elapsed();
    assert_eq!(code, 0);
    assert!(
        took < std::time::Duration::from_secs(1),
        "quitting took {took:?}"
    );
    eprintln!("quit took {took:?}");
}

/// Acting on mail in the demo: save an attachment, flag, delete, undo,
/// search, threads, and a folder picked by name.
#[test]
fn a_tour_of_acting_on_mail() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start(home.path(), 120, 36, BIN, &["--demo"]);
    let row = |s: &str, text: &str| s.lines().find(|l| l.contains(text)).map(str::to_string);
    t.wait_for("Standup moved to 10:15 today");

    // Save an attachment: the parts menu of the next message, s on the
    // first attachment; it lands in ~/Downloads (created).
    t.send(&["j"]);
    t.wait_for("Attachments (2):");
    t.send(&["p"]);
    let s = t.wait_for(" Parts (3) ");
    assert!(s.contains("q4-regions.csv") && s.contains("s save"), "{s}");
    t.send(&["s"]);
    t.wait_for("saved q4-regions.csv in");
    let saved = home.path().join("Downloads/q4-regions.csv");
    let csv = std::fs::read_to_string(&saved).expect("saved file");
    assert!(csv.starts_with("region,q3,q4"), "{csv}");
    // Esc closes the menu, k goes back to the first message.
    t.send(&["Escape"]);
    t.wait_until("menu closed", |s| !s.contains(" Parts (3) "));
    t.send(&["k"]);
    t.wait_for("Standup moved to 10:15 today");

    // Flag the selected message: the row says so at once.
    t.send(&["F"]);
    t.wait_until("flagged", |s| {
        row(s, "Standup moved to 10:15 today").is_some_and(|r| r.contains('!'))
    });

    // Delete it: gone from the list, the next one shown; then undo.
    t.send(&["d"]);
    let s = t.wait_for("moved to Deleted Items (u: undo)");
    assert!(
        row(&s, "Standup moved to 10:15 today").is_none(),
        "the row went at once:\n{s}"
    );
    t.send(&["u"]);
    t.wait_until("back in the inbox", |s| {
        s.contains("going back to Inbox") || row(s, "Standup moved to 10:15 today").is_some()
    });
    t.wait_until("row back", |s| {
        row(s, "Standup moved to 10:15 today").is_some()
    });

    // Search: keys are text while typing (q does not quit), matches count.
    t.send(&["/"]);
    t.send(&["q", "4"]);
    let s = t.wait_for("/q4");
    assert!(s.contains("Q4 numbers for the review"), "{s}");
    t.send(&["Enter"]);
    t.wait_for("of them found in the text");
    t.send(&["Escape"]);
    t.wait_until("search ended", |s| !s.contains("/q4"));

    // Limit: only the matches, the title says so; Esc shows all again.
    t.send_raw("\\");
    t.wait_for("Limit: ");
    t.send_raw("subject:q4");
    t.send(&["Enter"]);
    let s = t.wait_for("limit: subject:q4 · 1 of");
    assert!(row(&s, "Q4 numbers for the review").is_some(), "{s}");
    assert!(row(&s, "Standup moved to 10:15 today").is_none(), "{s}");
    t.send(&["Escape"]);
    t.wait_until("limit off", |s| {
        row(s, "Standup moved to 10:15 today").is_some() && !s.contains("limit:")
    });

    // Threads and back.
    t.send(&["T"]);
    t.wait_for("· threads");
    t.send(&["T"]);
    t.wait_until("threads off", |s| !s.contains("· threads"));

    // A folder by typing part of its name.
    t.send(&["c"]);
    t.wait_for(" Go to folder ");
    t.send(&["a", "p", "o", "Enter"]);
    t.wait_until("Apollo open", |s| {
        s.lines().next().is_some_and(|l| l.contains("Apollo"))
    });

    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
}

/// New mail while mailtui runs: with `[notify]` on, the terminal gets the
/// bell, an OSC 9 notification (sender and subject cleaned) and the unread
/// count in the window title. Recorded with `script`, escapes and all.
#[test]
fn new_mail_rings_and_notifies_through_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let maildir = home.path().join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    std::fs::write(
        maildir.join("cur/1000.a:2,S"),
        "From: a@example.com\r\nSubject: Old one\r\n\r\nx\r\n",
    )
    .unwrap();
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[notify]\nbell = true\ndesktop = \"osc9\"\nshow_sender = true\n\n\
             [[accounts]]\nname = \"local\"\nprovider = \"maildir\"\nmaildir = \"{}\"\n",
            maildir.display()
        ),
    )
    .unwrap();
    let raw = home.path().join("typescript");
    let command = format!("{BIN} --config {}", cfg.display());
    let t = Tmux::start(
        home.path(),
        100,
        30,
        "script",
        &["-q", "-f", "-c", &command, raw.to_str().unwrap()],
    );
    t.wait_for("Old one");
    std::fs::write(
        maildir.join("new/2000.b"),
        "From: \"Eve\x1b]0;x\x07\" <eve@example.com>\r\nSubject: Fresh\r\n\r\nnew\r\n",
    )
    .unwrap();
    t.wait_for("Fresh");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let recorded = loop {
        let bytes = std::fs::read(&raw).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if text.contains("\x1b]9;") || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(
        recorded.contains("\x1b]9;mailtui: local: 1 new message, latest from Eve: Fresh\x07"),
        "no notification in {:?}",
        recorded.matches("\x1b]9").count()
    );
    assert!(recorded.contains('\x07'), "the bell rang");
    assert!(
        recorded.contains("\x1b]2;mailtui: 1 unread\x07"),
        "the title counts"
    );
    assert!(
        !recorded.contains("\x1b]0;x"),
        "nothing from the mail escapes"
    );
    t.send(&["q"]);
    t.wait_exit();
}

/// The SGR parameter lists on a captured screen ("1", "7", "38;5;236", …).
fn sgr_params(screen: &str) -> Vec<String> {
    screen
        .split("\x1b[")
        .skip(1)
        .filter_map(|s| s.split_once('m').map(|(p, _)| p.to_string()))
        .filter(|p| p.chars().all(|c| c.is_ascii_digit() || c == ';'))
        .collect()
}

/// Whether an SGR parameter list sets a colour (39 and 49, back to the
/// terminal's own, do not).
fn sets_colour(params: &str) -> bool {
    params.split(';').any(|p| {
        matches!(
            p.parse::<u16>(),
            Ok(30..=38 | 40..=48 | 90..=97 | 100..=107)
        )
    })
}

/// NO_COLOR (https://no-color.org) set: the real screen has no colour,
/// yet the cursor row is reversed and unread rows bold.
#[test]
fn no_color_in_the_environment_means_no_colour_on_screen() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start_env(home.path(), 110, 32, &[("NO_COLOR", "1")], BIN, &["--demo"]);
    t.wait_for("Quick heads-up: the standup moves");
    let styled = t.screen_with_styles();
    let params = sgr_params(&styled);
    assert!(!params.iter().any(|p| sets_colour(p)), "{params:?}");
    let has = |n: &str| params.iter().any(|p| p.split(';').any(|x| x == n));
    assert!(has("1") && has("7"), "bold and reverse: {params:?}");
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);

    // Without it (or with it empty), colour as usual.
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start_env(home.path(), 110, 32, &[("NO_COLOR", "")], BIN, &["--demo"]);
    t.wait_for("Quick heads-up: the standup moves");
    let params = sgr_params(&t.screen_with_styles());
    assert!(params.iter().any(|p| sets_colour(p)), "{params:?}");
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
}

/// `[ui] mouse = true`: the terminal is asked for mouse reports while
/// mailtui runs (and no longer after), a click opens a folder, the wheel
/// moves through the list.
#[test]
fn the_mouse_clicks_folders_and_scrolls_when_turned_on() {
    let home = tempfile::tempdir().unwrap();
    let maildir = home.path().join("Maildir");
    for dir in ["", ".Archive"] {
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(maildir.join(dir).join(sub)).unwrap();
        }
    }
    for i in 1..=5 {
        std::fs::write(
            maildir.join(format!("cur/{i}000.a:2,S")),
            format!("From: a@example.com\r\nSubject: Inbox note {i}\r\nDate: Tue, {i} Dec 2026 10:00:00 +0000\r\n\r\nx\r\n"),
        )
        .unwrap();
    }
    std::fs::write(
        maildir.join(".Archive/cur/9000.z:2,S"),
        "From: b@example.com\r\nSubject: Filed away long ago\r\n\r\ny\r\n",
    )
    .unwrap();
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[ui]\nmouse = true\n\n[[accounts]]\nname = \"local\"\nprovider = \"maildir\"\nmaildir = \"{}\"\n",
            maildir.display()
        ),
    )
    .unwrap();
    let t = Tmux::start(
        home.path(),
        100,
        30,
        BIN,
        &["--config", cfg.to_str().unwrap()],
    );
    // The rows and the folder list arrive apart: wait for both.
    let screen = t.wait_until("rows and folders", |s| {
        s.contains("Inbox note 5") && s.contains("Archive")
    });
    assert_eq!(
        t.query("#{mouse_any_flag}").trim(),
        "1",
        "mouse reports asked for"
    );
    // The folder pane's "Archive" row: click it (SGR reports count from 1).
    let (row, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("Archive"))
        .unwrap_or_else(|| panic!("Archive listed:\n{screen}"));
    let col = line.find("Archive").unwrap() + 1;
    let click = |col: usize, row: usize| {
        t.send_raw(&format!("\x1b[<0;{col};{row}M\x1b[<0;{col};{row}m"));
    };
    click(col, row + 1);
    let screen = t.wait_for("Filed away long ago");
    // Back to INBOX by a click on its row in the folder pane.
    let (row, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| {
            l.chars()
                .take(25)
                .collect::<String>()
                .to_lowercase()
                .contains("inbox")
        })
        .expect("INBOX listed");
    let col = line.to_lowercase().find("inbox").unwrap() + 1;
    click(col, row + 1);
    // The wheel over the list moves the selection three rows down.
    let screen = t.wait_for("Inbox note 5");
    let (row, _) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("Inbox note 5"))
        .unwrap();
    t.send_raw(&format!("\x1b[<65;60;{}M", row + 1));
    t.wait_until("the wheel moved the selection", |s| {
        s.contains("Subject: Inbox note 2")
    });
    t.send(&["q"]);
    t.wait_exit();
}

/// Space in the reader reads on: a page, then the next message, opened
/// and read; it never marks, so `d` after three Spaces deletes the message
/// on screen, and says so with its undo key at 80 columns. A key bound to
/// nothing says so.
#[test]
fn space_reads_on_and_d_deletes_the_message_on_screen() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start(home.path(), 80, 60, BIN, &["--demo"]);
    let row = |s: &str, text: &str| s.lines().any(|l| l.contains(text));
    t.wait_for("Standup moved to 10:15 today");
    // In a prompt, keys are text: nothing said about them.
    t.send(&["/", "r"]);
    let s = t.wait_for("/r");
    assert!(!s.contains("is not bound"), "{s}");
    t.send(&["Escape"]);
    t.wait_until("search closed", |s| !s.contains("/r"));
    t.send(&["Enter"]);
    // Each message fits on a page here: each Space shows the next one.
    for subject in [
        "Subject: Q4 numbers for the review",
        "Subject: Scheduled maintenance",
        "Subject: Your benefits enrolment closes Friday",
    ] {
        t.send(&["Space"]);
        t.wait_for(subject);
    }
    let s = t.screen();
    assert!(!s.contains("marked"), "Space marked something:\n{s}");
    t.send(&["d"]);
    let s = t.wait_for("1 message moved to Deleted Items (u: undo)");
    let bar = s
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default();
    assert!(bar.contains("(u: undo)"), "{s}");
    t.wait_until("the message on screen went", |s| {
        !row(s, "Your benefits enrolment") && row(s, "Standup moved to 10:15 today")
    });
    let s = t.screen();
    assert!(row(&s, "Q4 numbers for the review"), "{s}");

    t.send(&["w"]);
    t.wait_for("`w` is not bound — ? for help");
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
}

/// The pager at 80×24 in a real terminal: the side panes start hidden,
/// `J` reads on, `z` shows the message full screen with HTML's styles
/// (no `##` or `**`), `/` `n` find in it with a count, `Esc` clears the
/// search and then leaves.
#[test]
fn the_pager_reads_full_screen_with_styles_and_finds_in_the_message() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start(home.path(), 80, 24, BIN, &["--demo"]);
    let s = t.wait_for("Standup moved to 10:15 today");
    assert!(!s.contains("Folders"), "side panes hidden at 80:\n{s}");
    t.send(&["Enter"]);
    t.wait_for("Subject: Standup moved");
    t.send(&["J"]);
    t.wait_for("Subject: Q4 numbers for the review");
    t.send(&["J"]);
    t.wait_for("Subject: Scheduled maintenance");
    t.send(&["z"]);
    let s = t.wait_for("Planned maintenance");
    assert!(!s.contains("## ") && !s.contains("**"), "{s}");
    // Full screen: the list is gone.
    assert!(!s.contains("Standup moved to 10:15 today"), "{s}");
    let styled = t.screen_with_styles();
    let heading = styled
        .lines()
        .find(|l| l.contains("Planned maintenance"))
        .unwrap_or_default();
    assert!(
        heading.contains("\x1b[1") || heading.contains(";1m") || heading.contains(";1;"),
        "the heading is bold: {heading:?}"
    );
    t.send(&["/"]);
    t.send_raw("vpn");
    t.wait_for("in this message");
    t.send(&["Enter"]);
    t.wait_for("/vpn 1/2");
    t.send(&["n"]);
    t.wait_for("/vpn 2/2");
    t.send(&["Escape"]);
    t.wait_until("search cleared", |s| !s.contains("/vpn"));
    t.send(&["Escape"]);
    t.wait_for("Standup moved to 10:15 today");
    t.send(&["q"]);
    assert_eq!(t.wait_exit().0, 0);
}
