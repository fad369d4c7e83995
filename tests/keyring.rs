//! Tokens and passwords in a real Secret Service keyring (gnome-keyring in
//! a private D-Bus session), driven through the binary.

mod support;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use support::dovecot::{Dovecot, Options};
use support::idp::{CLIENT_ID, Idp};

const BIN: &str = env!("CARGO_BIN_EXE_mailtui");

fn require(bin: &str, package: &str) {
    assert!(
        Path::new(bin).exists(),
        "{bin} is missing: install it with `apt-get install -y {package}` (tests/run does this for you)"
    );
}

#[test]
fn tokens_and_passwords_live_in_the_keyring_when_one_answers() {
    require("/usr/bin/dbus-run-session", "dbus-daemon");
    require("/usr/bin/gnome-keyring-daemon", "gnome-keyring");
    require("/usr/bin/secret-tool", "libsecret-tools");
    let idp = Idp::start();
    let d = Dovecot::start_with(Options {
        oauth2_introspection: Some(idp.introspection_url()),
        ..Default::default()
    });
    d.add_user("carol@example.com", "keyring-pw-123");
    d.folder_dir("alice@example.com", "INBOX");
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[accounts]]\nname = \"work\"\nemail = \"alice@example.com\"\nprovider = \"microsoft\"\ntenant = \"common\"\n\
             client_id = \"{CLIENT_ID}\"\nauthority = \"{idp}\"\nca_file = \"{ca}\"\n\
             imap = {{ host = \"127.0.0.1\", port = {port}, tls = \"implicit\" }}\n\
             [[accounts]]\nname = \"home\"\nemail = \"carol@example.com\"\nprovider = \"generic\"\nca_file = \"{ca}\"\n\
             imap = {{ host = \"127.0.0.1\", port = {port}, tls = \"implicit\" }}\n\
             auth = {{ method = \"password\", keyring = true }}\n",
            idp = idp.base,
            ca = d.ca_file.display(),
            port = d.imaps_port,
        ),
    )
    .unwrap();
    let script = format!(
        r#"set -e
echo unlock-me | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
M="{BIN} --config {cfg}"
printf 'keyring-pw-123\n' | $M set-password home
$M login work
echo "LOOKUP:$(secret-tool lookup service mailtui username tokens:work target default | head -c 17)"
$M doctor
$M logout work
echo "AFTER:$(secret-tool lookup service mailtui username tokens:work target default || true)"
echo "FILES:$(ls "$XDG_DATA_HOME/mailtui/tokens" 2>/dev/null | wc -l)"
"#,
        cfg = cfg.display()
    );
    let h = home.path().display().to_string();
    let mut child = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env_remove("MAILTUI_TOKEN_STORE")
        .env("HOME", &h)
        .env("XDG_DATA_HOME", format!("{h}/data"))
        .env("XDG_STATE_HOME", format!("{h}/state"))
        .env("XDG_CONFIG_HOME", format!("{h}/cfg"))
        .env("XDG_RUNTIME_DIR", &h)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dbus-run-session");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("the script ended before a code was shown:\n{printed}\n{err}");
        }
        printed.push_str(&line);
        if let Some(code) = line.split("Enter the code").nth(1) {
            idp.approve(code.trim(), "alice@example.com");
            break;
        }
    }
    out.read_to_string(&mut printed).unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(child.wait().unwrap().success(), "{printed}\n{err}");
    assert!(
        printed.contains("Stored the password for home in the system keyring"),
        "{printed}"
    );
    assert!(
        printed.contains("tokens stored in the system keyring"),
        "{printed}"
    );
    assert!(printed.contains("LOOKUP:{\"access_token\""), "{printed}");
    assert!(
        printed.contains("work: IMAP 127.0.0.1:") && printed.contains("home: IMAP 127.0.0.1:"),
        "{printed}"
    );
    assert!(
        printed.contains("✓ tokens           stored in the system keyring")
            && printed.contains("✓ password         password from the system keyring"),
        "doctor read both from the keyring:\n{printed}"
    );
    assert!(
        printed.contains("2 accounts checked: 2 passed, 0 failed"),
        "both accounts log in from the keyring:\n{printed}\n{err}"
    );
    assert!(
        printed.contains("AFTER:\n"),
        "logout removed the keyring entry:\n{printed}"
    );
    assert!(
        printed.contains("FILES:0"),
        "nothing was written to files:\n{printed}"
    );
}
