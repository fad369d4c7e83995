//! Config parser fuzzing: whatever the file holds (mutated real configs,
//! TOML made of the schema's own words, arbitrary text), `config::parse`
//! returns, and every error it returns names a line of the file.
//!
//! Cases per property: 512, or MAILTUI_FUZZ_CASES for soak runs. Failures
//! are kept in tests/regressions/config_fuzz.txt and replayed first.

use std::path::Path;

use mailtui::config::{ConfigError, parse};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

const EXAMPLE: &str = include_str!("../assets/config.example.toml");

const SEEDS: &[&str] = &[
    EXAMPLE,
    r#"[[accounts]]
name = "g"
email = "a@b"
provider = "generic"
login = "browser"
imap = { host = "[::1]", port = 1143, tls = "none" }
auth = { method = "oauth2", client_id = "c", token_url = "http://127.0.0.1:9/token", authorization_url = "https://id.example.org/auth", scopes = ["mail"], sasl = "oauthbearer" }
[keys]
"ctrl-n" = "down"
"#,
    "[theme]\npreset = \"light\"\nunread = { fg = \"yellow\", modifiers = [\"bold\"] }\n[theme.status_bar]\nbg = 236\n",
    "[[accounts]]\nname = \"w\"\nemail = \"a@b\"\nprovider = \"microsoft\"\nclient_id = \"x\"\nauthority = \"http://[::1]:8080\"\ntenant = \"common\"\n",
    "[[accounts]]\nname = \"h\"\nusername = \"u\"\nprovider = \"generic\"\nimap.host = \"imap.example.org\"\nauth.method = \"password\"\nauth.keyring = true\nca_file = \"~/ca.pem\"\n",
];

/// Pieces of TOML and of the schema: what a person (or a bad editor) puts
/// into a config file.
const PIECES: &[&str] = &[
    "[[accounts]]",
    "[accounts]",
    "[keys]",
    "[theme]",
    "[theme.unread]",
    "preset",
    "unread",
    "selection",
    "fg",
    "bg",
    "modifiers",
    "\"dark\"",
    "\"16\"",
    "\"lightblue\"",
    "\"#87afd7\"",
    "\"#zzz\"",
    "\"default\"",
    "[\"bold\", \"reversed\"]",
    "{ fg = \"red\", modifiers = [\"dim\"] }",
    "{ bg = 300 }",
    "[imap]",
    "[[accounts.imap]]",
    "[auth]",
    "name",
    "email",
    "provider",
    "username",
    "tenant",
    "client_id",
    "authority",
    "login",
    "imap",
    "auth",
    "ca_file",
    "maildir",
    "host",
    "port",
    "tls",
    "method",
    "password_command",
    "password",
    "keyring",
    "token_url",
    "device_authorization_url",
    "authorization_url",
    "scopes",
    "sasl",
    "\"microsoft\"",
    "\"generic\"",
    "\"maildir\"",
    "\"none\"",
    "\"implicit\"",
    "\"starttls\"",
    "\"oauth2\"",
    "\"device\"",
    "\"browser\"",
    "\"[::1]\"",
    "\"[x]\"",
    "\"\"",
    "\"~\"",
    "0",
    "-1",
    "65536",
    "99999999999999999999",
    "1.5",
    "inf",
    "nan",
    "true",
    "false",
    "1979-05-27T07:32:00Z",
    "=",
    " = ",
    ".",
    ",",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "\\",
    "\\u",
    "\\U0010FFFF",
    "#",
    "\n",
    "\r\n",
    "\t",
    " ",
    "\u{0}",
    "\u{1b}[31m",
    "\u{feff}",
    "é",
    "€",
    "😀",
    "\u{202e}",
];

const KEYS: &[&str] = &[
    "name",
    "email",
    "provider",
    "username",
    "tenant",
    "client_id",
    "authority",
    "login",
    "imap",
    "auth",
    "ca_file",
    "maildir",
    "imap.host",
    "imap.port",
    "imap.tls",
    "auth.method",
    "auth.keyring",
    "auth.password",
    "auth.password_command",
    "auth.scopes",
    "auth.sasl",
    "auth.token_url",
    "auth.device_authorization_url",
    "auth.authorization_url",
    "auth.client_id",
    "\"x\"",
    "\"ctrl-x\"",
];

const VALUES: &[&str] = &[
    "\"microsoft\"",
    "\"generic\"",
    "\"maildir\"",
    "\"none\"",
    "\"implicit\"",
    "\"starttls\"",
    "\"password\"",
    "\"oauth2\"",
    "\"device\"",
    "\"browser\"",
    "\"xoauth2\"",
    "\"oauthbearer\"",
    "\"[::1]\"",
    "\"[x]\"",
    "\"127.0.0.1\"",
    "\"imap.example.org\"",
    "\"http://127.0.0.1:1/t\"",
    "\"http://example.org/t\"",
    "\"https://id.example.org/t\"",
    "\"ftp://x\"",
    "\"\"",
    "\"  \"",
    "\"~/x\"",
    "\"down\"",
    "0",
    "143",
    "65535",
    "65536",
    "-1",
    "true",
    "false",
    "1.5",
    "[]",
    "[\"a\", 1]",
    "{}",
    "{ host = \"[::1]\", tls = \"none\" }",
    "{ host = \"imap.example.org\", tls = \"none\" }",
    "{ method = \"password\" }",
    "{ method = \"password\", keyring = true, password = \"x\" }",
    "{ method = \"oauth2\", client_id = \"c\", token_url = \"https://i/t\" }",
    "1979-05-27T07:32:00Z",
];

fn cases() -> u32 {
    std::env::var("MAILTUI_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

fn config() -> Config {
    Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/regressions/config_fuzz.txt",
        ))),
        ..Config::default()
    }
}

/// One edit of a text; positions are taken modulo its length.
#[derive(Clone, Debug)]
enum Edit {
    Insert(usize, &'static str),
    Delete(usize, usize),
    Truncate(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Byte(usize, char),
    /// On a `key = value` line: a value from the vocabulary (mostly
    /// well-formed TOML, so the schema checks behind the syntax are reached).
    Value(usize, &'static str),
    /// On a `key = value` line: another key.
    Key(usize, &'static str),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), proptest::sample::select(PIECES)).prop_map(|(p, s)| Edit::Insert(p, s)),
        3 => (any::<usize>(), 1..40usize).prop_map(|(p, n)| Edit::Delete(p, n)),
        1 => any::<usize>().prop_map(Edit::Truncate),
        1 => any::<usize>().prop_map(Edit::DuplicateLine),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        2 => (any::<usize>(), any::<char>()).prop_map(|(p, c)| Edit::Byte(p, c)),
        5 => (any::<usize>(), proptest::sample::select(VALUES)).prop_map(|(l, v)| Edit::Value(l, v)),
        3 => (any::<usize>(), proptest::sample::select(KEYS)).prop_map(|(l, k)| Edit::Key(l, k)),
    ]
}

/// The char boundary at or before `p % (len + 1)`.
fn at(text: &str, p: usize) -> usize {
    let mut i = p % (text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &mut String, e: &Edit) {
    match *e {
        Edit::Insert(p, s) => {
            let i = at(text, p);
            text.insert_str(i, s);
        }
        Edit::Delete(p, n) => {
            let i = at(text, p);
            let j = at(text, i + n).max(i);
            text.replace_range(i..j, "");
        }
        Edit::Truncate(p) => {
            let i = at(text, p);
            text.truncate(i);
        }
        Edit::DuplicateLine(p) | Edit::SwapLines(p, _) | Edit::Value(p, _) | Edit::Key(p, _)
            if text.lines().count() == 0 =>
        {
            let _ = p;
        }
        Edit::Value(l, piece) | Edit::Key(l, piece) => {
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let n = lines.len();
            let line = &mut lines[l % n];
            if let Some((k, v)) = line.split_once(" = ") {
                *line = match e {
                    Edit::Value(..) => format!("{k} = {piece}"),
                    _ => format!("{piece} = {v}"),
                };
            }
            *text = lines.join("\n");
        }
        Edit::DuplicateLine(p) => {
            let mut lines: Vec<&str> = text.lines().collect();
            let l = lines[p % lines.len()];
            lines.insert(p % lines.len(), l);
            *text = lines.join("\n");
        }
        Edit::SwapLines(a, b) => {
            let mut lines: Vec<&str> = text.lines().collect();
            let n = lines.len();
            lines.swap(a % n, b % n);
            *text = lines.join("\n");
        }
        Edit::Byte(p, c) => {
            let i = at(text, p);
            text.insert(i, c);
        }
    }
}

/// Lines of `key = value` and table headers from the schema's words.
fn schema_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            proptest::sample::select(PIECES).prop_map(str::to_string),
            (
                proptest::sample::select(PIECES),
                proptest::sample::select(PIECES)
            )
                .prop_map(|(k, v)| format!("{k} = {v}")),
        ],
        0..40,
    )
    .prop_map(|lines| lines.join("\n"))
}

/// The property: no panic (proptest fails the case on one), and an error
/// names a line that exists (or the one just past the end).
fn check(text: &str) -> Result<(), TestCaseError> {
    let path = Path::new("/fuzz/config.toml");
    let Err(e) = parse(path, text) else {
        return Ok(());
    };
    names_a_line(text, &e)
}

fn names_a_line(text: &str, e: &ConfigError) -> Result<(), TestCaseError> {
    let at =
        e.at.ok_or_else(|| TestCaseError::fail(format!("no line in: {e}")))?;
    let lines = text.split('\n').count();
    prop_assert!(
        at.line >= 1 && at.line <= lines && at.column >= 1,
        "line {} of {lines}: {e}",
        at.line
    );
    let shown = e.to_string();
    // The key is the user's, not the deserializer's plumbing.
    prop_assert!(!shown.contains("$__serde"), "{shown}");
    let place = format!("/fuzz/config.toml:{}:{}: ", at.line, at.column);
    prop_assert!(shown.starts_with(&place), "{shown}");
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_real_configs(seed in proptest::sample::select(SEEDS), edits in proptest::collection::vec(edit(), 1..6)) {
        let mut text = seed.to_string();
        for e in &edits {
            apply(&mut text, e);
        }
        check(&text)?;
    }

    #[test]
    fn toml_made_of_the_schema_words(text in schema_text()) {
        check(&text)?;
    }

    #[test]
    fn arbitrary_text(text in any::<String>()) {
        check(&text)?;
    }
}

/// Found by the fuzzing: a bad value of a spanned field (provider, a key
/// binding) named serde's internals instead of the key.
#[test]
fn bad_spanned_values_name_the_key_plainly() {
    for (text, place) in [
        (
            "[keys]\nx = 1",
            "/fuzz/config.toml:2:5: keys.x: invalid type",
        ),
        (
            "[[accounts]]\nname = \"a\"\nprovider = \"none\"\n",
            "/fuzz/config.toml:3:12: accounts[0].provider: unknown variant",
        ),
        (
            "[[accounts]]\nname = \"a\"\nprovider = \"generic\"\nauth = [\"a\"]\n",
            "/fuzz/config.toml:4:9: accounts[0].auth: unknown variant",
        ),
    ] {
        let shown = parse(Path::new("/fuzz/config.toml"), text)
            .unwrap_err()
            .to_string();
        assert!(shown.starts_with(place), "{shown}");
    }
}

/// The seeds themselves parse: the mutations start from valid files.
#[test]
fn seeds_are_valid() {
    for seed in SEEDS {
        if let Err(e) = parse(Path::new("/fuzz/config.toml"), seed) {
            panic!("{e}\n{seed}");
        }
    }
}
