//! Property tests: the parser on any text (never a panic, errors inside
//! the text, limits kept), the canonical form (printing a query and
//! reading it back gives the same query), and the IMAP criteria (always
//! well-formed SEARCH keys). Bounded in the normal run;
//! `MAILTUI_FUZZ_CASES=N` for a soak.

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

use super::limits::{MAX_DEPTH, MAX_QUERY_CHARS, MAX_TERMS};
use super::*;

fn config(default: u32) -> Config {
    Config {
        cases: crate::fuzz_cases(default),
        // A failure found here is kept as a unit test by hand.
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

const NOW: Now = Now {
    unix: 1_795_780_800,
    utc_offset: 3600,
};

/// Pieces a query is made of, good and bad, and hostile characters.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "from:", "to:", "cc:", "subject:", "body:", "is:", "has:", "date:", "larger:",
            "smaller:", "folder:", "account:", "FROM:", "form:", "x:", "OR", "AND", "NOT", "or",
            "-", "(", ")", "\"", "\\", ":", "..", " ", "  ", "7d", "2w", "13m", "1y", "2026-11",
            "2026-11-27", "2026-02-30", "2025", "10k", "2M", "5G", "unread", "attachment", "bob",
            "Weekly", "naïve", "件名", "ß", "\u{7}", "\u{1b}[31m", "\u{202e}", "\t", "\r\n",
            "\u{a0}", "0", "99999999999999999999",
        ])
        .prop_map(str::to_string),
        1 => "[a-z]{1,6}",
        1 => any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn query_like() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..40).prop_map(|v| v.concat())
}

/// Checks what any answer of the parser must hold.
fn check_answer(text: &str) -> Result<(), TestCaseError> {
    match parse(text) {
        Ok(q) => {
            let mut terms = 0;
            q.expr().each_term(&mut |_| terms += 1);
            prop_assert!(terms <= MAX_TERMS);
            prop_assert!(depth(q.expr()) <= MAX_DEPTH);
            // The canonical form reads back as the same query.
            let canonical = q.to_string();
            let again = parse(&canonical);
            prop_assert_eq!(again.as_ref(), Ok(&q), "{:?} -> {:?}", text, canonical);
            let _ = q.server_search(&NOW, ImapOptions::default());
        }
        Err(e) => {
            prop_assert!(e.span.start <= e.span.end && e.span.end <= text.len());
            prop_assert!(text.is_char_boundary(e.span.start));
            prop_assert!(text.is_char_boundary(e.span.end));
            prop_assert!(!e.message.is_empty());
            let lines = show::with_carets(text, &e, 60);
            prop_assert!(
                lines
                    .iter()
                    .all(|l| !l.chars().any(crate::sanitize::is_unsafe))
            );
        }
    }
    Ok(())
}

/// Levels of NOT and of AND/OR inside each other.
fn depth(e: &Expr) -> usize {
    match e {
        Expr::Term(_) => 0,
        Expr::Not(e) => 1 + depth(e),
        Expr::And(v) | Expr::Or(v) => v.iter().map(depth).max().unwrap_or(0),
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_text_gets_an_answer(text in any::<String>()) {
        check_answer(&text)?;
    }

    #[test]
    fn query_like_text_gets_an_answer(text in query_like()) {
        check_answer(&text)?;
    }
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn long_text_is_refused_by_length(piece in query_like(), extra in 0usize..8 * 1024) {
        let text = format!("{}{}", "a ".repeat((MAX_QUERY_CHARS + extra).div_ceil(2)), piece);
        let e = parse(&text).expect_err("too long");
        prop_assert!(e.message.starts_with("the query is "), "{}", e.message);
        check_answer(&text)?;
    }

    #[test]
    fn ten_kilobytes_of_anything(text in prop::collection::vec(fragment(), 2000..2600)) {
        let text = text.concat();
        check_answer(&text)?;
        // And as much of it as the limit lets through.
        let most: String = text.chars().take(MAX_QUERY_CHARS).collect();
        check_answer(&most)?;
    }
}

/// Text values: letters, spaces, quotes, escapes, operators, non-ASCII.
fn value_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            6 => prop::char::range('a', 'z').prop_map(|c| c.to_string()),
            1 => prop::sample::select(vec![
                " ", "\"", "\\", ":", "(", ")", "-", "..", "OR", "AND", "NOT", "Ä", "ß", "件",
                "\u{a0}", "İ", "#", "'",
            ])
            .prop_map(str::to_string),
        ],
        1..6,
    )
    .prop_map(|v| v.concat())
}

fn date_point() -> impl Strategy<Value = DatePoint> {
    prop_oneof![
        (1000i32..=9999, 1u32..=12, 1u32..=28).prop_map(|(year, month, day)| DatePoint::Day {
            year,
            month,
            day
        }),
        (1000i32..=9999, 1u32..=12).prop_map(|(year, month)| DatePoint::Month { year, month }),
        (1000i32..=9999).prop_map(DatePoint::Year),
        (0u32..=3000).prop_map(|n| DatePoint::Ago(n, AgoUnit::Days)),
        (0u32..=300).prop_map(|n| DatePoint::Ago(n, AgoUnit::Weeks)),
        (0u32..=120).prop_map(|n| DatePoint::Ago(n, AgoUnit::Months)),
        (0u32..=300).prop_map(|n| DatePoint::Ago(n, AgoUnit::Years)),
    ]
}

fn date_spec() -> impl Strategy<Value = DateSpec> {
    prop_oneof![
        date_point().prop_map(DateSpec::Single),
        (date_point(), date_point()).prop_map(|(a, b)| DateSpec::Range(Some(a), Some(b))),
        date_point().prop_map(|a| DateSpec::Range(Some(a), None)),
        date_point().prop_map(|b| DateSpec::Range(None, Some(b))),
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
        4 => (field, value_text()).prop_map(|(f, v)| Term::Text(f, Value::new(&v))),
        1 => prop::sample::select(Status::ALL.to_vec()).prop_map(Term::Is),
        1 => Just(Term::HasAttachment),
        1 => date_spec().prop_map(Term::Date),
        1 => any::<u32>().prop_map(Term::Larger),
        1 => any::<u32>().prop_map(Term::Smaller),
        1 => value_text().prop_map(|v| Term::Folder(Value::new(&v))),
        1 => value_text().prop_map(|v| Term::Account(Value::new(&v))),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    term()
        .prop_map(Expr::Term)
        .prop_recursive(5, 40, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
                prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
                prop::collection::vec(inner, 2..4).prop_map(Expr::Or),
            ]
        })
}

/// The shape the parser gives: an AND holds no AND, an OR no OR.
fn normal(e: Expr) -> Expr {
    fn flat(v: Vec<Expr>, and: bool) -> Vec<Expr> {
        let mut out = Vec::new();
        for e in v.into_iter().map(normal) {
            match e {
                Expr::And(inner) if and => out.extend(inner),
                Expr::Or(inner) if !and => out.extend(inner),
                e => out.push(e),
            }
        }
        out
    }
    match e {
        Expr::Not(e) => Expr::Not(Box::new(normal(*e))),
        Expr::And(v) => Expr::And(flat(v, true)),
        Expr::Or(v) => Expr::Or(flat(v, false)),
        t => t,
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn printed_queries_parse_back(e in expr()) {
        let q = Query::from_expr(normal(e));
        let mut terms = 0;
        q.expr().each_term(&mut |_| terms += 1);
        prop_assume!(terms <= MAX_TERMS);
        let text = q.to_string();
        let back = parse(&text);
        prop_assert_eq!(back.as_ref(), Ok(&q), "{}", text);
    }

    #[test]
    fn imap_criteria_are_well_formed(e in expr(), exchange in any::<bool>(), sent in any::<bool>()) {
        let opts = ImapOptions {
            profile: if exchange { Profile::Exchange } else { Profile::Standard },
            sent_dates: sent,
            ascii_only: exchange,
        };
        let s = Query::from_expr(e).server_search(&NOW, opts);
        let c = &s.criteria;
        // One step per literal, each announcing the next literal's length.
        let steps = c.steps(false);
        prop_assert_eq!(steps.len(), c.literals() + 1);
        let lits: Vec<&Vec<u8>> = c
            .segments()
            .iter()
            .filter_map(|s| match s {
                Segment::Literal(b) => Some(b),
                Segment::Text(_) => None,
            })
            .collect();
        for (step, lit) in steps.iter().zip(&lits) {
            let marker = format!("{{{}}}", lit.len());
            prop_assert!(step.ends_with(marker.as_bytes()));
        }
        prop_assert_eq!(
            c.charset_utf8,
            lits.iter().any(|b| !b.is_ascii())
        );
        for seg in c.segments() {
            if let Segment::Text(t) = seg {
                prop_assert!(t.is_ascii() && !t.contains(['\r', '\n']), "{:?}", t);
            }
        }
        let tokens = imap_tokens(c.segments());
        prop_assert!(tokens.is_some(), "{}", c);
        let tokens = tokens.unwrap_or_default();
        let mut at = 0;
        while at < tokens.len() {
            prop_assert!(search_key(&tokens, &mut at), "{} at {}", c, at);
        }
        prop_assert!(!tokens.is_empty());
    }
}

/// Criteria as tokens: `(`, `)`, atoms, and `"` for any string (quoted or
/// literal). None when a quoted string is unterminated.
fn imap_tokens(segments: &[Segment]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for seg in segments {
        let text = match seg {
            Segment::Literal(_) => {
                out.push("\"".to_string());
                continue;
            }
            Segment::Text(t) => t,
        };
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                ' ' => {}
                '(' | ')' => out.push(c.to_string()),
                '"' => {
                    loop {
                        match chars.next()? {
                            '"' => break,
                            '\\' => {
                                chars.next()?;
                            }
                            _ => {}
                        }
                    }
                    out.push("\"".into());
                }
                _ => {
                    let mut atom = c.to_string();
                    while let Some(&n) = chars.peek() {
                        if matches!(n, ' ' | '(' | ')' | '"') {
                            break;
                        }
                        atom.push(n);
                        chars.next();
                    }
                    out.push(atom);
                }
            }
        }
    }
    Some(out)
}

/// One RFC 3501 search key (the ones the translation writes) at `at`.
fn search_key(t: &[String], at: &mut usize) -> bool {
    let Some(tok) = t.get(*at) else {
        return false;
    };
    *at += 1;
    let next = |at: &mut usize, ok: &dyn Fn(&str) -> bool| {
        let r = t.get(*at).is_some_and(|s| ok(s));
        *at += 1;
        r
    };
    match tok.as_str() {
        "ALL" | "SEEN" | "UNSEEN" | "FLAGGED" | "ANSWERED" | "DRAFT" | "DELETED" => true,
        "FROM" | "TO" | "CC" | "SUBJECT" | "BODY" | "TEXT" => next(at, &|s| s == "\""),
        "LARGER" | "SMALLER" => next(at, &|s| s.parse::<u32>().is_ok()),
        "SINCE" | "BEFORE" | "ON" | "SENTSINCE" | "SENTBEFORE" | "SENTON" => next(at, &|s| {
            chrono::NaiveDate::parse_from_str(s, "%d-%b-%Y").is_ok()
        }),
        "NOT" => search_key(t, at),
        "OR" => search_key(t, at) && search_key(t, at),
        "(" => {
            if !search_key(t, at) {
                return false;
            }
            while t.get(*at).is_some_and(|s| s != ")") {
                if !search_key(t, at) {
                    return false;
                }
            }
            next(at, &|s| s == ")")
        }
        _ => false,
    }
}

#[test]
fn pathological_inputs_end_in_an_error_or_a_query() {
    for text in [
        "(".repeat(MAX_QUERY_CHARS),
        ")".repeat(MAX_QUERY_CHARS),
        "-".repeat(MAX_QUERY_CHARS),
        "NOT ".repeat(MAX_QUERY_CHARS / 4),
        "\"".repeat(MAX_QUERY_CHARS),
        "a OR ".repeat(MAX_QUERY_CHARS / 5),
        "date:".repeat(MAX_QUERY_CHARS / 5),
        "(a ".repeat(MAX_QUERY_CHARS / 3),
        "\\".repeat(MAX_QUERY_CHARS),
    ] {
        let _ = parse(&text);
    }
}
