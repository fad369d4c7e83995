//! The binary's plain-text side: help, paths, config errors, doctor.

mod support;

use std::process::Command;

use support::bin::{BIN, run, text};

#[test]
fn help_lists_the_commands() {
    let home = tempfile::tempdir().unwrap();
    let o = run(home.path(), &["--help"]);
    let (out, _) = text(&o);
    assert!(o.status.success());
    for word in ["doctor", "paths", "--demo", "--config"] {
        assert!(out.contains(word), "{word} missing:\n{out}");
    }
    let (out, _) = text(&run(home.path(), &["doctor", "--help"]));
    assert!(out.contains("Only this account"), "{out}");
}

#[test]
fn paths_follow_xdg_variables() {
    let home = tempfile::tempdir().unwrap();
    let (out, _) = text(&run(home.path(), &["paths"]));
    let h = home.path().display();
    assert!(
        out.contains(&format!("config  {h}/cfg/mailtui/config.toml")),
        "{out}"
    );
    assert!(
        out.contains(&format!("log     {h}/state/mailtui/mailtui.log")),
        "{out}"
    );
    assert!(out.contains(&format!("data    {h}/data/mailtui")), "{out}");
}

#[test]
fn missing_config_points_to_the_demo() {
    let home = tempfile::tempdir().unwrap();
    let o = run(home.path(), &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("no config at") && err.contains("mailtui --demo"),
        "{err}"
    );
}

#[test]
fn bad_config_names_file_line_and_key() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("bad.toml");
    std::fs::write(
        &cfg,
        "[[accounts]]\nname = \"a\"\nprovider = \"generic\"\nhots = \"imap.example.org\"\n",
    )
    .unwrap();
    let o = run(home.path(), &["--config", cfg.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains(&format!(
            "{}:4:1: accounts[0].hots: unknown field `hots`",
            cfg.display()
        )),
        "{err}"
    );
}

#[test]
fn bad_key_binding_names_the_line() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("keys.toml");
    std::fs::write(&cfg, "[keys]\n\"ctrl-n\" = \"down\"\n\"x\" = \"explode\"\n").unwrap();
    let (_, err) = text(&run(home.path(), &["--config", cfg.to_str().unwrap()]));
    assert!(err.contains("line 3") && err.contains("explode"), "{err}");
}

#[test]
fn headless_login_and_logout_over_plain_text() {
    use std::io::{BufRead, BufReader};
    use support::idp::{CLIENT_ID, Idp};

    let idp = Idp::start();
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[accounts]]\nname = \"work\"\nemail = \"alice@contoso.example\"\nprovider = \"microsoft\"\n\
             tenant = \"contoso.onmicrosoft.com\"\nclient_id = \"{CLIENT_ID}\"\nauthority = \"{}\"\n",
            idp.base
        ),
    )
    .unwrap();
    let c = cfg.to_str().unwrap();
    let h = home.path().display().to_string();
    let mut child = Command::new(BIN)
        .args(["--config", c, "login", "work"])
        .env("MAILTUI_TOKEN_STORE", "file")
        .env("HOME", &h)
        .env("XDG_DATA_HOME", format!("{h}/data"))
        .env("XDG_STATE_HOME", format!("{h}/state"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let code = loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "login ended early:\n{printed}"
        );
        printed.push_str(&line);
        if let Some(rest) = line.split("Enter the code").nth(1) {
            break rest.trim().to_string();
        }
    };
    assert!(
        printed.contains(&format!("{}/device", idp.base)),
        "{printed}"
    );
    // The QR code is printed in text, for a phone camera.
    let mut qr = String::new();
    for _ in 0..6 {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        qr.push_str(&line);
    }
    assert!(qr.contains('█') || qr.contains('▀'), "{qr}");
    idp.approve(&code, "alice@contoso.example");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{printed}{rest}");
    assert!(rest.contains("Signed in to work"), "{rest}");
    let token_file = home.path().join("data/mailtui/tokens/work.json");
    assert!(token_file.exists());

    let o = run(home.path(), &["--config", c, "logout", "work"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert!(!token_file.exists(), "tokens forgotten");
    assert!(out.contains("Signed out of work"), "{out}");

    // An unknown account name says which ones exist.
    let o = run(home.path(), &["--config", c, "login", "nope"]);
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("no account named \"nope\""),
        "{:?}",
        text(&o)
    );
}

#[test]
fn cache_shows_and_clears_each_accounts_store() {
    use mailtui::mail::envelope::{EnvelopeMeta, from_headers};
    use mailtui::mail::types::{NewMessage, ThreadIds};
    use mailtui::store::{Store, file_for};

    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("cfg/mailtui");
    std::fs::create_dir_all(&cfg).unwrap();
    let account = |name: &str| {
        format!(
            "[[accounts]]\nname = \"{name}\"\nemail = \"a@b.example\"\nprovider = \"generic\"\n\
             imap = {{ host = \"imap.example.org\" }}\nauth = {{ method = \"password\", password_command = \"true\" }}\n"
        )
    };
    std::fs::write(cfg.join("config.toml"), account("work") + &account("home")).unwrap();
    let cache = home.path().join("cache/mailtui");
    {
        let mut s = Store::open(&file_for(&cache, "work"), "work", u64::MAX);
        let rows: Vec<NewMessage> = (1..=42)
            .map(|uid| NewMessage {
                envelope: from_headers(
                    b"Subject: x\r\n\r\n",
                    EnvelopeMeta {
                        uid,
                        ..Default::default()
                    },
                ),
                ids: ThreadIds::default(),
                sender: None,
            })
            .collect();
        s.insert("INBOX", &rows);
        s.put_body("INBOX", 1, b"Subject: x\r\n\r\nbody", 1);
    }
    // A copy moved aside as damaged (with its WAL), as an older run left it.
    let work = file_for(&cache, "work");
    let aside = |suffix: &str| {
        let mut p = work.as_os_str().to_owned();
        p.push(format!(".broken-20260102030405{suffix}"));
        std::path::PathBuf::from(p)
    };
    std::fs::write(aside(""), vec![0u8; 3000]).unwrap();
    std::fs::write(aside("-wal"), vec![0u8; 2000]).unwrap();
    let (out, err) = text(&run(home.path(), &["cache"]));
    assert!(
        out.contains("work:") && out.contains("42 messages") && out.contains("1 body "),
        "{out}{err}"
    );
    assert!(out.contains("home: empty"), "{out}");
    assert!(
        out.contains("damaged copy moved aside 2026-01-02 03:04:05 UTC: 4.9 KB in")
            && out.contains(".broken-20260102030405\n"),
        "{out}"
    );

    let o = run(home.path(), &["cache", "clear", "work"]);
    let (out, err) = text(&o);
    assert!(
        o.status.success() && out.contains("work: deleted"),
        "{out}{err}"
    );
    assert!(!file_for(&cache, "work").exists());
    assert!(!aside("").exists() && !aside("-wal").exists(), "{out}");
    assert!(out.contains("1 damaged copy"), "{out}");
    let (out, _) = text(&run(home.path(), &["cache"]));
    assert!(out.contains("work: empty"), "{out}");
    let o = run(home.path(), &["cache", "clear", "nobody"]);
    assert!(!o.status.success() && text(&o).1.contains("no account named"));
}

#[test]
fn addresses_prints_matches_from_every_store_while_the_app_holds_it() {
    use mailtui::mail::envelope::EnvelopeMeta;
    use mailtui::mail::list_row::from_headers;
    use mailtui::mail::types::Sender;
    use mailtui::store::{Store, file_for};

    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("cfg/mailtui");
    std::fs::create_dir_all(&cfg).unwrap();
    let account = |name: &str| {
        format!(
            "[[accounts]]\nname = \"{name}\"\nemail = \"me@{name}.example\"\nprovider = \"generic\"\n\
             imap = {{ host = \"imap.example.org\" }}\nauth = {{ method = \"password\", password_command = \"true\" }}\n"
        )
    };
    std::fs::write(
        cfg.join("config.toml"),
        account("work") + &account("home") + &account("never"),
    )
    .unwrap();
    let cache = home.path().join("cache/mailtui");
    let now = chrono::Utc::now().timestamp();
    let fill = |name: &str, froms: &[(&str, i64)]| {
        let mut s = Store::open_exclusive(&file_for(&cache, name), name, u64::MAX);
        let rows: Vec<_> = froms
            .iter()
            .enumerate()
            .map(|(i, (from, days))| {
                let meta = EnvelopeMeta {
                    uid: i as u32 + 1,
                    received: Some(now - days * 86_400),
                    ..Default::default()
                };
                from_headers(format!("From: {from}\r\n\r\n").as_bytes(), meta)
            })
            .collect();
        s.insert("INBOX", &rows);
        s
    };
    // The app has "work" open (its lock held, its WAL not folded in).
    let mut work = fill(
        "work",
        &[
            ("John Smith <John.Smith@Work.example>", 1),
            ("John Smith <john.smith@work.example>", 2),
            ("Jo Anders <jo@work.example>", 3),
            ("GitHub <noreply@github.com>", 0),
        ],
    );
    work.record_sent(
        &[Sender {
            address: "joan@partner.example".into(),
            name: "Joan, Partner".into(),
        }],
        now - 86_400,
    );
    drop(fill("home", &[("\"Smith, Jo\" <jo@home.example>", 400)]));

    let o = run(home.path(), &["addresses", "jo"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(
        out,
        "joan@partner.example\tJoan, Partner\n\
         john.smith@work.example\tJohn Smith\n\
         jo@work.example\tJo Anders\n\
         jo@home.example\tSmith, Jo\n",
        "written to first, then by how often and how recently; {err}"
    );
    assert!(err.is_empty(), "{err}");

    let (out, _) = text(&run(home.path(), &["addresses", "jo", "sm"]));
    assert_eq!(
        out,
        "john.smith@work.example\tJohn Smith\njo@home.example\tSmith, Jo\n"
    );
    let (out, _) = text(&run(home.path(), &["addresses", "--limit", "1", "JOHN"]));
    assert_eq!(out, "john.smith@work.example\tJohn Smith\n");

    let o = run(home.path(), &["addresses", "nobody-like-this"]);
    assert!(o.status.success());
    assert_eq!(text(&o), (String::new(), String::new()));
    drop(work);
}

const SUBCOMMANDS: [&str; 10] = [
    "addresses",
    "tui",
    "doctor",
    "login",
    "logout",
    "set-password",
    "paths",
    "cache",
    "completions",
    "man",
];

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    let home = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef mailtui"),
        ("fish", "complete -c mailtui -n"),
        ("elvish", "edit:completion:arg-completer[mailtui]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = run(home.path(), &["completions", shell]);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{shell}: {err}");
        assert!(out.contains(marker), "{shell}: no {marker:?}:\n{out}");
        for sub in SUBCOMMANDS {
            assert!(out.contains(sub), "{shell}: {sub} missing");
        }
        // The options too (fish spells them `-l demo`).
        assert!(out.contains("config") && out.contains("demo"), "{shell}");
    }
    let o = run(home.path(), &["completions", "tcsh"]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("possible values"), "{:?}", text(&o));
}

#[test]
fn bash_loads_the_completion_script_and_completes_subcommands() {
    let home = tempfile::tempdir().unwrap();
    let script = home.path().join("mailtui.bash");
    std::fs::write(&script, run(home.path(), &["completions", "bash"]).stdout).unwrap();
    // What bash offers after `mailtui lo<TAB>`.
    let probe = format!(
        "source {} && COMP_WORDS=(mailtui lo) COMP_CWORD=1 COMP_LINE='mailtui lo' COMP_POINT=10 \
         && _mailtui mailtui lo mailtui && printf '%s\\n' \"${{COMPREPLY[@]}}\" && complete -p mailtui",
        script.display()
    );
    let o = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &probe])
        .output()
        .expect("run bash");
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    let offered: Vec<&str> = out.lines().filter(|l| !l.starts_with("complete")).collect();
    assert_eq!(offered, ["login", "logout"], "{out}");
    assert!(out.contains("-F _mailtui mailtui"), "{out}");
}

#[test]
fn man_page_is_roff_and_lists_the_subcommands() {
    let home = tempfile::tempdir().unwrap();
    let o = run(home.path(), &["man"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    for section in [
        ".TH mailtui 1",
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
    ] {
        assert!(out.contains(section), "{section} missing:\n{out}");
    }
    // roff escapes hyphens; read it as a person would.
    let plain = out.replace("\\-", "-");
    for sub in SUBCOMMANDS {
        assert!(
            plain.contains(&format!("mailtui-{sub}(1)")),
            "{sub} missing:\n{out}"
        );
    }
    for words in [
        "--config",
        "--demo",
        "Check each account (or one) step by step",
    ] {
        assert!(plain.contains(words), "{words} missing:\n{out}");
    }
}
