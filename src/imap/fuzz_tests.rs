//! Property tests on what a server may send: bytes through the guard and
//! the IMAP parser into every place that reads responses (the tracker of
//! unsolicited changes, list rows, flag updates, SELECT's answer, COPYUID,
//! SEARCH, the part plan from BODYSTRUCTURE). Nothing may panic or
//! overflow the stack, and what each produces stays within what was sent.
//! Bounded in the normal test run; `MAILTUI_FUZZ_CASES=N` for a soak.

use async_imap::imap_proto::{AttributeValue, Outcome, Response, ResponseCode};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

use super::guard::{Guard, MAX_DEPTH};
use super::raw::{ResponseData, parse_responses as parse_all};
use super::tracker::Tracker;
use super::{fetch, ops, select, structure};
use crate::mail::backend::{Change, KnownState};
use crate::mail::mime::limits::MAX_PARTS;
use crate::sanitize::is_unsafe;

fn config(default: u32) -> Config {
    Config {
        cases: crate::fuzz_cases(default),
        // A failure found here is kept as a unit test by hand.
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

fn uid() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..40, 1 => Just(u32::MAX), 1 => any::<u32>()]
}

/// Text for quoted strings and header values: letters, quotes, escapes,
/// controls, escape sequences and non-ASCII.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            6 => prop::char::range('a', 'z'),
            1 => Just(' '),
            1 => Just('"'),
            1 => Just('\\'),
            1 => Just('\u{1b}'),
            1 => Just('\u{9e}'),
            1 => Just('\u{202e}'),
            1 => Just('ž'),
            1 => Just('('),
            1 => Just(')'),
        ],
        0..max,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn uid_set() -> impl Strategy<Value = String> {
    prop::collection::vec((uid(), prop::option::of(uid())), 1..5).prop_map(|v| {
        v.into_iter()
            .map(|(a, b)| match b {
                Some(b) => format!("{a}:{b}"),
                None => a.to_string(),
            })
            .collect::<Vec<_>>()
            .join(",")
    })
}

fn flag_list() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("\\Seen"),
            Just("\\Flagged"),
            Just("\\Deleted"),
            Just("\\Answered"),
            Just("\\Draft"),
            Just("$Junk"),
            Just("\\Recent"),
        ],
        0..5,
    )
    .prop_map(|v| format!("({})", v.join(" ")))
}

/// A BODYSTRUCTURE, nested up to a few levels, with message/rfc822 parts.
fn body() -> impl Strategy<Value = String> {
    let leaf = (
        prop_oneof![
            Just("text"),
            Just("TEXT"),
            Just("image"),
            Just("application")
        ],
        prop_oneof![Just("plain"), Just("html"), Just("pdf"), Just("")],
        prop_oneof![
            Just("NIL"),
            Just("(\"charset\" \"utf-8\")"),
            Just("(\"CHARSET\" \"x-unknown\" \"name\" \"a\\\"b\")")
        ],
        prop_oneof![Just("\"7bit\""), Just("\"base64\""), Just("\"x-weird\"")],
        any::<u32>(),
        prop_oneof![
            Just(""),
            Just(" NIL (\"attachment\" (\"filename\" \"../../.bashrc\")) NIL")
        ],
    )
        .prop_map(|(t, s, p, e, size, ext)| {
            let lines = if t.eq_ignore_ascii_case("text") {
                " 3"
            } else {
                ""
            };
            format!("(\"{t}\" \"{s}\" {p} NIL NIL {e} {size}{lines}{ext})")
        });
    leaf.prop_recursive(6, 40, 4, |inner| {
        prop_oneof![
            (
                prop::collection::vec(inner.clone(), 1..4),
                "[a-zA-Z-]{0,10}"
            )
                .prop_map(|(parts, sub)| format!(
                    "({} {})",
                    parts.concat(),
                    quoted(&sub)
                )),
            (inner, any::<u32>()).prop_map(|(b, size)| format!(
                "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" {size} \
                 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) {b} 4)"
            )),
        ]
    })
}

fn header_block() -> impl Strategy<Value = String> {
    (text(30), text(30), text(12)).prop_map(|(from, subject, ct)| {
        format!(
            "From: {from}\r\nSubject: {subject}\r\nContent-Type: multipart/{ct}\r\n\
             Message-ID: <{ct}@x>\r\nReferences: <a@x> <{ct}>\r\n\r\n"
        )
    })
}

fn fetch_response() -> impl Strategy<Value = String> {
    (
        uid(),
        prop::option::of(uid()),
        prop::option::of(flag_list()),
        prop::option::of(any::<u32>()),
        prop::option::of(any::<u64>()),
        prop::option::of(header_block()),
        prop::option::of(body()),
    )
        .prop_map(|(seq, uid, flags, size, modseq, headers, body)| {
            let mut items = Vec::new();
            if let Some(u) = uid {
                items.push(format!("UID {u}"));
            }
            if let Some(f) = flags {
                items.push(format!("FLAGS {f}"));
            }
            if let Some(s) = size {
                items.push(format!("RFC822.SIZE {s}"));
            }
            if let Some(m) = modseq {
                items.push(format!("MODSEQ ({m})"));
            }
            items.push("INTERNALDATE \"03-Nov-2026 14:05:00 +0100\"".into());
            if let Some(h) = headers {
                items.push(format!(
                    "BODY[HEADER.FIELDS (FROM SUBJECT)] {{{}}}\r\n{h}",
                    h.len()
                ));
            }
            if let Some(b) = body {
                items.push(format!("BODYSTRUCTURE {b}"));
            }
            format!("* {seq} FETCH ({})\r\n", items.join(" "))
        })
}

fn response() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => fetch_response(),
        2 => uid().prop_map(|n| format!("* {n} EXISTS\r\n")),
        2 => uid().prop_map(|n| format!("* {n} EXPUNGE\r\n")),
        1 => uid_set().prop_map(|s| format!("* VANISHED {s}\r\n")),
        1 => uid_set().prop_map(|s| format!("* VANISHED (EARLIER) {s}\r\n")),
        1 => uid().prop_map(|v| format!("* OK [UIDVALIDITY {v}] ok\r\n")),
        1 => uid().prop_map(|v| format!("* OK [UIDNEXT {v}] ok\r\n")),
        1 => any::<u64>().prop_map(|m| format!("* OK [HIGHESTMODSEQ {m}] ok\r\n")),
        1 => Just("* OK [CLOSED] previous folder\r\n".to_string()),
        1 => Just("* OK [NOMODSEQ] none\r\n".to_string()),
        // Shapes that once panicked inside the parser (see the replays).
        1 => (uid(), text(6)).prop_map(|(n, t)| format!("* OK [UIDNEXT {n}]{t}\r\n")),
        1 => uid().prop_map(|n| format!("* {n} FETCH (UID {n} INTERNALDATE NIL)\r\n")),
        1 => (text(8), text(8)).prop_map(|(m, v)| format!(
            "* METADATA {} (/shared/comment {})\r\n",
            quoted(&m),
            quoted(&v)
        )),
        1 => prop::collection::vec(uid(), 0..8).prop_map(|v| format!(
            "* SEARCH {}\r\n",
            v.iter().map(u32::to_string).collect::<Vec<_>>().join(" ")
        )),
        1 => (uid(), uid_set(), uid_set())
            .prop_map(|(v, a, b)| format!("* OK [COPYUID {v} {a} {b}] moved\r\n")),
        1 => text(40).prop_map(|t| format!("* BYE {t}\r\n")),
        1 => prop::collection::vec(any::<u8>(), 0..60).prop_map(|b| {
            let mut s = String::from_utf8_lossy(&b).into_owned();
            s.push_str("\r\n");
            s
        }),
        // Nesting around the guard's limit, never deeper than it allows
        // through and sometimes deeper.
        1 => (0u32..MAX_DEPTH + 20).prop_map(|d| format!(
            "* 1 FETCH (UID 1 BODYSTRUCTURE {}(\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1){})\r\n",
            "(".repeat(d as usize),
            " \"mixed\")".repeat(d as usize)
        )),
    ]
}

#[derive(Clone, Debug)]
enum Edit {
    Flip(usize, u8),
    Cut(usize),
    Insert(usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        any::<usize>().prop_map(Edit::Cut),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
    ]
}

fn stream() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(response(), 1..8),
        prop::collection::vec(edit(), 0..3),
    )
        .prop_map(|(responses, edits)| {
            let mut bytes = responses.concat().into_bytes();
            for e in edits {
                if bytes.is_empty() {
                    break;
                }
                match e {
                    Edit::Flip(i, b) => {
                        let i = i % bytes.len();
                        bytes[i] = b;
                    }
                    Edit::Cut(i) => {
                        bytes.truncate(i % bytes.len());
                    }
                    Edit::Insert(i, b) => {
                        let i = i % (bytes.len() + 1);
                        bytes.insert(i, b);
                    }
                }
            }
            bytes
        })
}

fn check_text(what: &str, s: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        !s.chars().any(is_unsafe),
        "{what} keeps an unsafe character: {s:?}"
    );
    Ok(())
}

/// Everything that reads responses, fed one stream.
fn handle(responses: &[ResponseData], exists: u32, uids: &[u32]) -> Result<(), TestCaseError> {
    let mut tracker = Tracker::default();
    tracker.selected("INBOX", exists);
    if !uids.is_empty() {
        tracker.set_uids(uids.to_vec());
    }
    for r in responses {
        let parsed = r.parsed();
        tracker.absorb(parsed);
        if let Response::Fetch(_, attrs) = parsed {
            let it = fetch::items(attrs);
            if let Some(row) = fetch::row(&it) {
                prop_assert_ne!(row.envelope.uid, 0);
                check_text("a sender", row.envelope.from.as_str())?;
                check_text("a subject", row.envelope.subject.as_str())?;
            }
            if let Some(u) = fetch::flag_update(&it) {
                prop_assert_ne!(u.uid, 0);
            }
            for a in attrs.iter() {
                if let AttributeValue::BodyStructure(b) = a {
                    let plan = structure::plan(b);
                    prop_assert!(plan.parts.len() <= MAX_PARTS);
                    for p in &plan.parts {
                        prop_assert!(
                            !p.section.is_empty()
                                && p.section.split('.').all(|n| n.parse::<u32>().is_ok()),
                            "section {:?}",
                            p.section
                        );
                    }
                }
            }
        }
    }
    for change in tracker.take().changes {
        match change {
            Change::Flags(f) => prop_assert!(f.iter().all(|u| u.uid != 0)),
            Change::Expunged(gone) => prop_assert!(!gone.is_empty()),
            _ => {}
        }
    }
    let found = ops::searched(responses);
    prop_assert!(found.windows(2).all(|w| w[0] < w[1]) && !found.contains(&0));
    if let Some((_, pairs)) = ops::copyuid(responses) {
        prop_assert!(!pairs.is_empty());
    }
    if let Some((done, untagged)) = responses.split_last() {
        let plain = select::answer(untagged, done, None);
        prop_assert!(plain.changes.is_none(), "changes without QRESYNC");
        let known = KnownState {
            uid_validity: plain.uid_validity,
            highest_modseq: 1,
        };
        let resync = select::answer(untagged, done, Some(known));
        if let Some(c) = resync.changes {
            prop_assert!(c.flags.iter().all(|u| u.uid != 0));
            prop_assert!(resync.highest_modseq.is_some());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn any_server_stream_is_handled(
        bytes in stream(),
        cut in any::<usize>(),
        exists in 0u32..50,
        uids in prop::collection::btree_set(1u32..60, 0..30),
    ) {
        // The guard's verdict does not depend on how reads split the bytes.
        let whole = Guard::default().feed(&bytes);
        let mut g = Guard::default();
        let (a, b) = bytes.split_at(cut % (bytes.len() + 1));
        let split = g.feed(a).and_then(|()| g.feed(b));
        prop_assert_eq!(whole.is_ok(), split.is_ok());
        if whole.is_err() {
            return Ok(());
        }
        let uids: Vec<u32> = uids.into_iter().collect();
        handle(&parse_all(&bytes), exists, &uids)?;
    }

    /// The generator's own responses are well-formed IMAP, so the
    /// streams above reach the handlers and not only the parser's errors.
    #[test]
    fn generated_fetch_responses_parse(raw in fetch_response()) {
        let all = parse_all(raw.as_bytes());
        prop_assert_eq!(all.len(), 1, "{}", raw);
        prop_assert!(matches!(all[0].parsed(), Response::Fetch(..)), "{}", raw);
        handle(&all, 3, &[1, 2, 3])?;
    }

    /// async-imap's reader (vendored) frames a response before parsing
    /// it; in whatever pieces the bytes arrive, it hands out what the
    /// parser reads from them whole.
    #[test]
    fn the_reader_agrees_with_the_parser_in_any_split(
        items in prop::collection::vec(response(), 1..12),
        piece in 1usize..64,
    ) {
        let whole: Vec<u8> = items
            .iter()
            .filter(|i| matches!(Response::parse(i.as_bytes()), Ok((rest, _)) if rest.is_empty()))
            .flat_map(|i| i.bytes())
            .collect();
        let wanted = parse_all(&whole);
        let got = read_in_pieces(whole, piece);
        prop_assert_eq!(got.len(), wanted.len());
        for (g, w) in got.iter().zip(&wanted) {
            prop_assert_eq!(g.parsed(), w.parsed());
        }
    }

    #[test]
    fn any_bytes_are_handled(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if Guard::default().feed(&bytes).is_ok() {
            handle(&parse_all(&bytes), 3, &[1, 2, 3])?;
        }
    }
}

/// Every response async-imap's reader makes of `bytes` arriving at most
/// `piece` bytes at a time, up to the first error.
fn read_in_pieces(bytes: Vec<u8>, piece: usize) -> Vec<ResponseData> {
    use tokio::io::AsyncWriteExt;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let (a, mut b) = tokio::io::duplex(piece);
        let mut client = async_imap::Client::new(a);
        let feed = tokio::spawn(async move {
            let _ = b.write_all(&bytes).await;
        });
        let mut out = Vec::new();
        while let Ok(Some(r)) = client.read_response().await {
            out.push(r);
        }
        let _ = feed.await;
        out
    })
}

/// The deepest response the guard lets through parses on a thread with
/// the default 2 MiB stack (tokio's workers have no more).
#[test]
fn the_deepest_allowed_response_fits_a_default_stack() {
    let d = MAX_DEPTH as usize - 2;
    let raw = format!(
        "* 1 FETCH (UID 1 BODYSTRUCTURE {}(\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1){})\r\n",
        "(".repeat(d),
        " \"mixed\")".repeat(d)
    );
    assert_eq!(Guard::default().feed(raw.as_bytes()), Ok(()));
    let parsed = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let all = parse_all(raw.as_bytes());
            let mut parts = 0;
            for r in &all {
                if let Response::Fetch(_, attrs) = r.parsed() {
                    for a in attrs.iter() {
                        if let AttributeValue::BodyStructure(b) = a {
                            parts += structure::plan(b).parts.len();
                        }
                    }
                }
            }
            (all.len(), parts)
        })
        .expect("thread")
        .join()
        .expect("no stack overflow");
    assert_eq!(parsed.0, 1, "the response parses");
    // Deeper than mailtui follows: the plan stops at its own depth limit.
    assert_eq!(parsed.1, 0);
}

/// Responses the fuzzing above found to panic inside imap-proto 0.17 (and
/// so to crash mailtui) are kept as files; the vendored copy answers them
/// with a parse error or a value. Each still has to go through every
/// handler.
fn replay(raw: &[u8]) -> Vec<ResponseData> {
    let all = parse_all(raw);
    if let Err(e) = handle(&all, 3, &[1, 2, 3]) {
        panic!("{e}");
    }
    all
}

#[test]
fn every_saved_server_crash_is_handled() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions/imap");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/regressions/imap") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "imap") {
            let raw = std::fs::read(&path).expect("a saved response");
            let r = std::panic::catch_unwind(|| replay(&raw));
            assert!(r.is_ok(), "{} crashes the parser", path.display());
            seen += 1;
        }
    }
    assert!(
        seen >= 6,
        "only {seen} saved responses in {}",
        dir.display()
    );
}

#[test]
fn a_code_followed_by_odd_text_is_still_read() {
    let all = replay("* OK [UIDNEXT 5]é\r\n".as_bytes());
    assert_eq!(all.len(), 1, "the response parses");
    assert!(
        matches!(
            all[0].parsed(),
            Response::Data {
                outcome: Outcome {
                    code: Some(ResponseCode::UidNext(5)),
                    ..
                },
                ..
            }
        ),
        "{:?}",
        all[0].parsed()
    );
}

#[test]
fn a_nil_internaldate_is_no_date() {
    let all = replay(b"* 1 FETCH (UID 1 INTERNALDATE NIL)\r\n");
    assert_eq!(all.len(), 1, "the FETCH parses");
    let Response::Fetch(_, attrs) = all[0].parsed() else {
        panic!("not a FETCH: {:?}", all[0].parsed());
    };
    assert_eq!(fetch::items(attrs).uid, Some(1));
}
