//! Property tests on hostile input: the sanitizer, and mail from raw bytes
//! through the parser, the reader's layout and a draw. Bounded in the
//! normal test run; `MAILTUI_FUZZ_CASES=N` runs N cases of each for a soak.
//! A crash found here becomes a file under tests/fixtures/mime/regress-*
//! (replayed by `regressions_stay_fixed`).

use std::path::PathBuf;

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use mailtui::action::{Action, UiAction};
use mailtui::mail::message::parse;
use mailtui::sanitize::{Clean, is_unsafe};
use mailtui::state::{AccountInfo, Pane, ReaderContent, State};

fn cases(default: u32) -> u32 {
    std::env::var("MAILTUI_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config(default: u32) -> Config {
    Config {
        cases: cases(default),
        // Failures are kept as fixtures by hand, not in proptest's files.
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// Characters that make terminals and parsers misbehave, mixed with text.
fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::char::range('a', 'z'),
        1 => Just(' '),
        1 => Just('\n'),
        1 => Just('\r'),
        1 => Just('\t'),
        2 => Just('\x1b'),
        1 => prop::sample::select(vec!['[', ']', '\\', ';', '0', '9', 'P', '^', '_', '(', 'm', 'H']),
        1 => prop::char::range('\u{0}', '\u{1f}'),
        1 => prop::char::range('\u{7f}', '\u{9f}'),
        1 => prop::sample::select(vec![
            '\u{ad}', '\u{61c}', '\u{200b}', '\u{200d}', '\u{200e}', '\u{202e}', '\u{2028}',
            '\u{2029}', '\u{2066}', '\u{feff}', '\u{e0041}', '\u{e007f}', '日', 'ž', '€', '\u{fffd}',
        ]),
        1 => any::<char>(),
    ]
}

fn nasty_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(nasty_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

fn is_plain(c: char) -> bool {
    !is_unsafe(c) && c != '\x1b'
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn nothing_unsafe_survives_the_sanitizer(s in nasty_string(80)) {
        let text = Clean::text(&s);
        prop_assert!(!text.as_str().chars().any(|c| c != '\n' && is_unsafe(c)), "{:?} -> {:?}", s, text);
        let line = Clean::line(&s);
        prop_assert!(!line.as_str().chars().any(is_unsafe), "{:?} -> {:?}", s, line);
    }

    #[test]
    fn plain_text_passes_unchanged(
        // Mapped, not filtered: a soak of many cases would run past
        // proptest's cap on rejected values.
        s in prop::collection::vec(any::<char>().prop_map(|c| if is_plain(c) { c } else { 'x' }), 0..80)
    ) {
        let s: String = s.into_iter().collect();
        let (text, line) = (Clean::text(&s), Clean::line(&s));
        prop_assert_eq!(text.as_str(), s.as_str());
        prop_assert_eq!(line.as_str(), s.trim_end());
    }
}

/// A MIME part, rendered with the damage real and hostile mail has.
#[derive(Clone, Debug)]
enum Part {
    Leaf {
        ctype: &'static str,
        encoding: &'static str,
        charset: &'static str,
        name: Option<String>,
        body: String,
    },
    Multi {
        subtype: &'static str,
        boundary: String,
        parts: Vec<Part>,
        closed: bool,
    },
    Message {
        subject: String,
        inner: Box<Part>,
    },
}

fn leaf() -> impl Strategy<Value = Part> {
    (
        prop::sample::select(vec![
            "text/plain",
            "text/html",
            "text",
            "application/pdf",
            "image/png",
            "message/rfc822",
            "message/delivery-status",
            "multipart/mixed",
            "",
        ]),
        prop::sample::select(vec!["", "7bit", "base64", "quoted-printable", "bogus"]),
        prop::sample::select(vec![
            "",
            "utf-8",
            "iso-8859-2",
            "windows-1250",
            "shift_jis",
            "x-none",
        ]),
        prop::option::of(nasty_string(12)),
        nasty_string(120),
    )
        .prop_map(|(ctype, encoding, charset, name, body)| Part::Leaf {
            ctype,
            encoding,
            charset,
            name,
            body,
        })
}

fn part() -> impl Strategy<Value = Part> {
    leaf().prop_recursive(6, 40, 5, |inner| {
        prop_oneof![
            (
                prop::sample::select(vec!["mixed", "alternative", "related", "digest", "report"]),
                "[a-z0-9=_-]{1,12}",
                prop::collection::vec(inner.clone(), 0..5),
                any::<bool>(),
            )
                .prop_map(|(subtype, boundary, parts, closed)| Part::Multi {
                    subtype,
                    boundary,
                    parts,
                    closed,
                }),
            (nasty_string(20), inner).prop_map(|(subject, inner)| Part::Message {
                subject,
                inner: Box::new(inner),
            }),
        ]
    })
}

fn render(p: &Part, fold: bool, out: &mut String) {
    let sep = if fold { ";\r\n\t" } else { "; " };
    match p {
        Part::Leaf {
            ctype,
            encoding,
            charset,
            name,
            body,
        } => {
            if !ctype.is_empty() {
                out.push_str(&format!("Content-Type: {ctype}"));
                if !charset.is_empty() {
                    out.push_str(&format!("{sep}charset={charset}"));
                }
                if let Some(n) = name {
                    out.push_str(&format!("{sep}name=\"{n}\""));
                }
                out.push_str("\r\n");
            }
            if !encoding.is_empty() {
                out.push_str(&format!("Content-Transfer-Encoding: {encoding}\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(body);
            out.push_str("\r\n");
        }
        Part::Multi {
            subtype,
            boundary,
            parts,
            closed,
        } => {
            out.push_str(&format!(
                "Content-Type: multipart/{subtype}{sep}boundary=\"{boundary}\"\r\n\r\npreamble\r\n"
            ));
            for child in parts {
                out.push_str(&format!("--{boundary}\r\n"));
                render(child, !fold, out);
            }
            if *closed {
                out.push_str(&format!("--{boundary}--\r\nepilogue\r\n"));
            }
        }
        Part::Message { subject, inner } => {
            out.push_str("Content-Type: message/rfc822\r\n\r\n");
            out.push_str(&format!("From: A <a@x>\r\nSubject: {subject}\r\n"));
            render(inner, fold, out);
        }
    }
}

/// Damage to the rendered bytes: cut, spliced, overwritten.
#[derive(Clone, Debug)]
enum Edit {
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(a, b)| Edit::Insert(a, b)),
        (any::<usize>(), 1..20usize).prop_map(|(a, n)| Edit::Remove(a, n)),
    ]
}

fn message() -> impl Strategy<Value = Vec<u8>> {
    (
        nasty_string(30),
        prop::option::of(nasty_string(20)),
        part(),
        any::<bool>(),
        prop::collection::vec(edit(), 0..3),
    )
        .prop_map(|(subject, from2, body, fold, edits)| {
            let mut s = format!("From: \"A, B\" <a@x>\r\nSubject: {subject}\r\n");
            if let Some(f) = from2 {
                s.push_str(&format!("From: {f}\r\n"));
            }
            render(&body, fold, &mut s);
            let mut raw = s.into_bytes();
            for e in edits {
                let len = raw.len().max(1);
                match e {
                    Edit::Truncate(at) => raw.truncate(at % len),
                    Edit::Insert(at, bytes) => {
                        let at = at % len;
                        raw.splice(at.min(raw.len())..at.min(raw.len()), bytes);
                    }
                    Edit::Remove(at, n) => {
                        let at = (at % len).min(raw.len());
                        raw.drain(at..(at + n).min(raw.len()));
                    }
                }
            }
            raw
        })
}

fn reader_state(width: u16, height: u16) -> State {
    let info = AccountInfo {
        name: "fuzz".into(),
        email: "fuzz@example.org".into(),
        kind: mailtui::state::ServerKind::Maildir,
        server: "/tmp".into(),
        auth: "none".into(),
        tenant: None,
        trash: None,
        archive: None,
        sent: None,
        drafts: None,
        appends_sent: true,
    };
    let mut s = State::new(vec![info], Vec::new(), 1_700_000_000, 0);
    s.update(Action::Resize { width, height });
    s.focus = Pane::Reader;
    s
}

/// Parses, lays out, draws at the top, the bottom and in the source view;
/// returns the first control character found on screen.
fn screen_problem(raw: &[u8], width: u16, height: u16) -> Option<String> {
    let mut s = reader_state(width, height);
    s.accounts[0].reader.content = ReaderContent::Loaded(Box::new(parse(1, raw)));
    let mut t = Terminal::new(TestBackend::new(width, height)).ok()?;
    for key in [
        None,
        Some(UiAction::Bottom),
        Some(UiAction::PageUp),
        Some(UiAction::ToggleRaw),
        Some(UiAction::Bottom),
    ] {
        match key {
            Some(k) => s.update(Action::Ui(k)),
            None => s.update(Action::Resize { width, height }),
        };
        t.draw(|f| mailtui::ui::draw(&s, &Default::default(), f))
            .ok()?;
        for cell in t.backend().buffer().content() {
            if cell
                .symbol()
                .chars()
                .any(|c| c.is_control() || is_unsafe(c))
            {
                return Some(format!("{:?} after {key:?}", cell.symbol()));
            }
        }
    }
    None
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn any_mime_message_reaches_the_screen_clean(
        raw in message(),
        width in 20u16..140,
        height in 8u16..50,
    ) {
        let problem = screen_problem(&raw, width, height);
        prop_assert!(problem.is_none(), "{:?} in {:?}", problem, String::from_utf8_lossy(&raw));
    }

    #[test]
    fn any_bytes_reach_the_screen_clean(raw in prop::collection::vec(any::<u8>(), 0..400)) {
        let problem = screen_problem(&raw, 80, 24);
        prop_assert!(problem.is_none(), "{:?}", problem);
    }
}

#[test]
fn regressions_stay_fixed() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mime");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        let is_regress = path
            .file_name()
            .and_then(|f| f.to_str())
            .is_some_and(|f| f.starts_with("regress-"));
        // Every fixture goes to the screen; the regress-* ones are why.
        let raw = std::fs::read(&path).expect("read");
        assert_eq!(screen_problem(&raw, 80, 24), None, "{}", path.display());
        n += usize::from(is_regress);
    }
    eprintln!("{n} regression fixtures replayed");
}
