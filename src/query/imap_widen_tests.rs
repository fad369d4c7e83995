//! The server's half never misses: for messages whose every field is
//! known, whatever the query matches, the criteria sent to the server
//! match too (on a model server that keeps to RFC 3501 and has the same
//! clock). Widening and narrowing under NOT are where that could break.

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

use super::super::ast::{AgoUnit, DatePoint, DateSpec, Expr, Status, Term, TextField, Value};
use super::super::matcher::{Facts, Known, Matcher, Place, Verdict};
use super::{Approx, C, ImapOptions, Now, Profile, widen};
use crate::mail::types::Flags;
use crate::query::dates::local_day;
use crate::text::fold::contains_folded;

const NOW: Now = Now {
    unix: 1_795_780_800,
    utc_offset: 3600,
};

/// A message with every field known, owned.
#[derive(Clone, Debug)]
struct Message {
    from: String,
    to: String,
    cc: String,
    subject: String,
    body: String,
    flags: Flags,
    has_attachment: bool,
    size: u32,
    date: i64,
}

impl Message {
    fn facts(&self) -> Facts<'_> {
        Facts {
            from: Known::Whole(&self.from),
            to: Known::Whole(&self.to),
            cc: Known::Whole(&self.cc),
            subject: Known::Whole(&self.subject),
            body: Known::Whole(&self.body),
            flags: Some(self.flags),
            has_attachment: Some(self.has_attachment),
            size: Some(self.size),
            date: Some(self.date),
            place: Some(Place {
                account: "work",
                folder: "INBOX",
                delimiter: Some('/'),
            }),
        }
    }
}

/// What a server that keeps to RFC 3501 answers (SEARCH ignores case;
/// TEXT here looks only where the matcher does, a real one looks wider).
fn server(c: &C, m: &Message) -> bool {
    let has = |hay: &str, s: &str| contains_folded(hay, &s.to_lowercase());
    match c {
        C::Str(key, s) => match *key {
            "FROM" => has(&m.from, s),
            "TO" => has(&m.to, s),
            "CC" => has(&m.cc, s),
            "SUBJECT" => has(&m.subject, s),
            "BODY" => has(&m.body, s),
            _ => [&m.from, &m.to, &m.cc, &m.subject, &m.body]
                .iter()
                .any(|f| has(f, s)),
        },
        C::Atom(a) => {
            let (key, arg) = a.split_once(' ').unwrap_or((a.as_str(), ""));
            let day = || NaiveDate::parse_from_str(arg, "%d-%b-%Y").expect("IMAP date");
            let sent = || local_day(m.date, &NOW).expect("day");
            match key {
                "SEEN" => m.flags.seen,
                "UNSEEN" => !m.flags.seen,
                "FLAGGED" => m.flags.flagged,
                "ANSWERED" => m.flags.answered,
                "DRAFT" => m.flags.draft,
                "DELETED" => m.flags.deleted,
                "LARGER" => m.size > arg.parse::<u32>().expect("number"),
                "SMALLER" => m.size < arg.parse::<u32>().expect("number"),
                "SINCE" | "SENTSINCE" => sent() >= day(),
                "BEFORE" | "SENTBEFORE" => sent() < day(),
                "ON" | "SENTON" => sent() == day(),
                _ => panic!("unknown key {a}"),
            }
        }
        C::Not(c) => !server(c, m),
        C::And(v) => v.iter().all(|c| server(c, m)),
        C::Or(v) => v.iter().any(|c| server(c, m)),
    }
}

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "ab", "Ab", "ä", "Ä", "a b"]).prop_map(str::to_string)
}

fn field_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(vec!["a", "b", "Ä", " ", "c"]), 0..4)
        .prop_map(|v| v.concat())
}

fn point() -> impl Strategy<Value = DatePoint> {
    prop_oneof![
        (0u32..12, 1u32..=28).prop_map(|(back, day)| DatePoint::Day {
            year: if back < 11 { 2026 } else { 2025 },
            month: 11 - back.min(10),
            day
        }),
        (10u32..=12).prop_map(|month| DatePoint::Month { year: 2026, month }),
        (2025i32..=2026).prop_map(DatePoint::Year),
        (0u32..22).prop_map(|n| DatePoint::Ago(n, AgoUnit::Days)),
        (0u32..4).prop_map(|n| DatePoint::Ago(n, AgoUnit::Weeks)),
        (0u32..3).prop_map(|n| DatePoint::Ago(n, AgoUnit::Months)),
    ]
}

fn term() -> impl Strategy<Value = Term> {
    let field = prop::sample::select(vec![
        TextField::Any,
        TextField::From,
        TextField::To,
        TextField::Cc,
        TextField::Subject,
        TextField::Body,
    ]);
    prop_oneof![
        3 => (field, word()).prop_map(|(f, w)| Term::Text(f, Value::new(&w))),
        1 => prop::sample::select(Status::ALL.to_vec()).prop_map(Term::Is),
        1 => Just(Term::HasAttachment),
        2 => prop_oneof![
            point().prop_map(DateSpec::Single),
            (point(), point()).prop_map(|(a, b)| DateSpec::Range(Some(a), Some(b))),
            point().prop_map(|a| DateSpec::Range(Some(a), None)),
            point().prop_map(|b| DateSpec::Range(None, Some(b))),
        ]
        .prop_map(Term::Date),
        1 => (0u32..3000).prop_map(Term::Larger),
        1 => (0u32..3000).prop_map(Term::Smaller),
        1 => prop::sample::select(vec!["INBOX", "Sent"]).prop_map(|f| Term::Folder(Value::new(f))),
        1 => prop::sample::select(vec!["work", "home"]).prop_map(|a| Term::Account(Value::new(a))),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    term()
        .prop_map(Expr::Term)
        .prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
                prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
                prop::collection::vec(inner, 2..4).prop_map(Expr::Or),
            ]
        })
}

fn message() -> impl Strategy<Value = Message> {
    (
        (
            field_text(),
            field_text(),
            field_text(),
            field_text(),
            field_text(),
        ),
        any::<[bool; 6]>(),
        0u32..3000,
        // Mostly near whole days back from now, where relative dates cut
        // a day in two; else any second of the last 400 days.
        prop_oneof![
            3 => (0i64..64, -7200i64..7200).prop_map(|(d, s)| (d * 86_400 + s).max(0)),
            1 => 0i64..400 * 86_400,
        ],
    )
        .prop_map(|((from, to, cc, subject, body), b, size, back)| Message {
            from,
            to,
            cc,
            subject,
            body,
            flags: Flags {
                seen: b[0],
                flagged: b[1],
                answered: b[2],
                draft: b[3],
                deleted: b[4],
            },
            has_attachment: b[5],
            size,
            date: NOW.unix - back,
        })
}

proptest! {
    #![proptest_config(Config {
        cases: crate::fuzz_cases(512),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    })]

    #[test]
    fn the_server_is_asked_for_at_least_every_match(
        e in expr(),
        messages in prop::collection::vec(message(), 16),
        exchange in any::<bool>(),
        sent_dates in any::<bool>(),
    ) {
        let opts = ImapOptions {
            profile: if exchange { Profile::Exchange } else { Profile::Standard },
            sent_dates,
            ascii_only: exchange,
        };
        let matcher = Matcher::new(&e, &NOW);
        let approx = widen(&e, &NOW, opts, true);
        for m in &messages {
            let verdict = matcher.eval(&m.facts());
            prop_assert_ne!(verdict, Verdict::Unknown, "all is known");
            let asked = match &approx {
                Approx::All => true,
                Approx::Nothing => false,
                Approx::Some(c) => server(c, m),
            };
            prop_assert!(verdict == Verdict::No || asked, "{} misses {:?}", e, m);
        }
    }
}
