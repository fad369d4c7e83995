//! The log file and the terminal of the real binary, with trace filters,
//! against the test identity provider and a private Dovecot: no secret in
//! the log, the protocol cap holds, and identity-provider text arrives
//! cleaned.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use base64::Engine;
use support::dovecot::{Dovecot, Options};
use support::idp::{CLIENT_ID, Failure, Idp};

const BIN: &str = env!("CARGO_BIN_EXE_mailtui");
const ALICE: &str = "alice@contoso.example";
const CAROL: &str = "carol@example.com";
const PASSWORD: &str = "pw-Qx7-never-logged";

/// Every protocol crate at trace, each by a more specific target than the
/// cap names, and mailtui itself at trace.
const TRACE_EVERYTHING: &str = "mailtui=trace,async_imap::imap_stream=trace,async_imap::client=trace,\
imap_proto::parser=trace,hyper::proto=trace,hyper_util::client=trace,reqwest::connect=trace,\
rustls::client=trace,oauth2=trace";

fn command(home: &Path, log_spec: &str, args: &[&str]) -> Command {
    let h = home.display().to_string();
    let mut c = Command::new(BIN);
    c.args(args)
        .env_clear()
        .env("MAILTUI_TOKEN_STORE", "file")
        .env("MAILTUI_LOG", log_spec)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &h)
        .env("XDG_CONFIG_HOME", format!("{h}/cfg"))
        .env("XDG_DATA_HOME", format!("{h}/data"))
        .env("XDG_STATE_HOME", format!("{h}/state"))
        .env("XDG_CACHE_HOME", format!("{h}/cache"));
    c
}

fn run(home: &Path, log_spec: &str, args: &[&str]) -> (Output, String, String) {
    let o = command(home, log_spec, args).output().expect("run mailtui");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    (o, out, err)
}

fn log(home: &Path) -> String {
    std::fs::read_to_string(home.join("state/mailtui/mailtui.log")).expect("the log file")
}

/// `mailtui login ACCOUNT`, approved on the "phone" as `email`.
fn login(home: &Path, idp: &Idp, log_spec: &str, cfg: &Path, account: &str, email: &str) {
    let mut child = command(home, log_spec, &["--config", cfg.to_str().unwrap()])
        .args(["login", account])
        .stdout(Stdio::null())
        .spawn()
        .expect("start mailtui login");
    idp.approve(&idp.wait_for_user_code(), email);
    assert!(child.wait().unwrap().success(), "login failed");
}

/// A Microsoft account against the test provider and the Dovecot, and a
/// password account on the same Dovecot.
fn config(home: &Path, idp: &Idp, d: &Dovecot) -> std::path::PathBuf {
    let cfg = home.join("config.toml");
    let imap = format!(
        "imap = {{ host = \"127.0.0.1\", port = {}, tls = \"implicit\" }}\nca_file = \"{}\"\n",
        d.imaps_port,
        d.ca_file.display()
    );
    std::fs::write(
        &cfg,
        format!(
            "[[accounts]]\nname = \"work\"\nemail = \"{ALICE}\"\nprovider = \"microsoft\"\n\
             tenant = \"contoso.onmicrosoft.com\"\nclient_id = \"{CLIENT_ID}\"\nauthority = \"{}\"\n{imap}\n\
             [[accounts]]\nname = \"pw\"\nemail = \"{CAROL}\"\nprovider = \"generic\"\n{imap}\
             auth = {{ method = \"password\", password_command = \"echo {PASSWORD}\" }}\n",
            idp.base
        ),
    )
    .unwrap();
    cfg
}

fn bench() -> (Idp, Dovecot) {
    let idp = Idp::start();
    let d = Dovecot::start_with(Options {
        oauth2_introspection: Some(idp.introspection_url()),
        ..Default::default()
    });
    d.folder_dir(ALICE, "INBOX");
    d.add_user(CAROL, PASSWORD);
    (idp, d)
}

/// Whatever base64 words the text holds, decoded (SASL strings travel so).
fn decoded_words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=".contains(c)))
        .filter(|w| w.len() >= 16)
        .filter_map(|w| base64::engine::general_purpose::STANDARD.decode(w).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect()
}

#[test]
fn no_secret_in_the_log_through_sign_in_refresh_and_imap_logins_at_trace() {
    let (idp, d) = bench();
    let home = tempfile::tempdir().unwrap();
    let cfg = config(home.path(), &idp, &d);
    let c = cfg.to_str().unwrap();
    login(home.path(), &idp, TRACE_EVERYTHING, &cfg, "work", ALICE);
    // The server stops taking the access token: doctor must refresh.
    idp.expire_access_tokens(ALICE);
    let refreshes = idp.refreshes();
    let (o, out, err) = run(home.path(), TRACE_EVERYTHING, &["--config", c, "doctor"]);
    assert!(o.status.success(), "{out}{err}\n{}", d.log());
    assert!(
        out.contains("work: IMAP")
            && out.contains("pw: IMAP")
            && out.contains("2 accounts checked: 2 passed, 0 failed"),
        "{out}"
    );
    assert_eq!(idp.refreshes(), refreshes + 1, "the doctor run refreshed");

    let log = log(home.path());
    // The log is real: the sign-in and refresh are in it.
    for line in [
        "device code issued",
        "signed in",
        "tokens loaded",
        "token refreshed",
    ] {
        assert!(log.contains(line), "{line:?} missing:\n{log}");
    }
    let mut secrets = idp.issued_secrets();
    assert!(secrets.len() >= 6, "{secrets:?}");
    secrets.push(PASSWORD.to_string());
    let decoded = decoded_words(&log).join("\n");
    for secret in &secrets {
        for (what, text) in [
            ("log", &log),
            ("base64 in the log", &decoded),
            ("stdout", &out),
            ("stderr", &err),
        ] {
            assert!(
                !text.contains(secret.as_str()),
                "{secret} in the {what}:\n{text}"
            );
        }
    }
    assert!(
        !log.contains("LOGIN") && !log.contains("AUTHENTICATE"),
        "{log}"
    );
}

#[test]
fn identity_provider_text_reaches_the_terminal_and_log_cleaned_and_tokens_stay() {
    let (idp, d) = bench();
    let home = tempfile::tempdir().unwrap();
    let cfg = config(home.path(), &idp, &d);
    let c = cfg.to_str().unwrap();
    login(home.path(), &idp, "mailtui=info", &cfg, "work", ALICE);
    let token_file = home.path().join("data/mailtui/tokens/work.json");
    let stored = std::fs::read_to_string(&token_file).expect("tokens stored");

    // The refresh doctor needs is refused with Conditional Access, in hostile text.
    idp.expire_access_tokens(ALICE);
    idp.fail_next(&[Failure::OAuth {
        status: 400,
        error: "invalid_request\u{1b}]0;owned\u{7}\u{1b}[31m\nFORGED".into(),
        aadsts: Some(53003),
        text: "\u{1b}]0;owned\u{7}Blocked.".into(),
    }]);
    let (o, out, err) = run(
        home.path(),
        "mailtui=debug",
        &["--config", c, "doctor", "work"],
    );
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        out.contains("✗ login") && out.contains("Conditional Access"),
        "{out}"
    );
    assert!(
        err.contains("refused") && err.contains("FORGED"),
        "the warning is shown: {err}"
    );
    let log = log(home.path());
    assert!(
        log.contains("invalid_request") && log.contains("FORGED"),
        "{log}"
    );
    for (what, text) in [("stdout", &out), ("stderr", &err), ("log", &log)] {
        let bad: Vec<char> = text
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(bad.is_empty(), "{what} holds {bad:?}:\n{text:?}");
        for line in text.lines() {
            assert!(
                !line.starts_with("FORGED"),
                "a forged line in the {what}: {text}"
            );
        }
    }
    // Refused, not dead: the stored sign-in is untouched.
    assert_eq!(std::fs::read_to_string(&token_file).ok(), Some(stored));
}
