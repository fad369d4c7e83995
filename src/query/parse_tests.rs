use super::*;

fn q(text: &str) -> Expr {
    match parse(text) {
        Ok(q) => q.expr().clone(),
        Err(e) => panic!("{text:?}: {e}"),
    }
}

fn err(text: &str) -> QueryError {
    match parse(text) {
        Ok(q) => panic!("{text:?} parsed as {:?}", q.expr()),
        Err(e) => e,
    }
}

/// The error's span as the text it covers.
fn at(text: &str) -> (String, String) {
    let e = err(text);
    (text[e.span.clone()].to_string(), e.message)
}

fn word(field: TextField, v: &str) -> Expr {
    Expr::Term(Term::Text(field, Value::new(v)))
}

fn any(v: &str) -> Expr {
    word(TextField::Any, v)
}

fn not(e: Expr) -> Expr {
    Expr::Not(Box::new(e))
}

#[test]
fn blank_is_the_empty_query() {
    assert!(parse("").expect("empty").is_empty());
    assert!(parse("   ").expect("blank").is_empty());
    assert_eq!(parse("").expect("empty").to_string(), "");
}

#[test]
fn text_fields_and_bare_words() {
    assert_eq!(q("from:bob"), word(TextField::From, "bob"));
    assert_eq!(q("to:Alice"), word(TextField::To, "Alice"));
    assert_eq!(
        q("cc:carol@example.org"),
        word(TextField::Cc, "carol@example.org")
    );
    assert_eq!(q("subject:report"), word(TextField::Subject, "report"));
    assert_eq!(q("body:invoice"), word(TextField::Body, "invoice"));
    assert_eq!(q("hello"), any("hello"));
    assert_eq!(q("e-mail"), any("e-mail"));
    assert_eq!(q("10:30"), any("10:30"));
}

#[test]
fn field_names_ignore_case_and_values_keep_it() {
    let e = q("FROM:Bob SuBjEcT:Weekly");
    assert_eq!(
        e,
        Expr::And(vec![
            word(TextField::From, "Bob"),
            word(TextField::Subject, "Weekly")
        ])
    );
    let Expr::And(v) = e else { panic!() };
    let Expr::Term(Term::Text(_, value)) = &v[0] else {
        panic!()
    };
    assert_eq!(value.as_str(), "Bob");
    assert_eq!(value.folded(), "bob");
    assert_eq!(Value::new("ÄRGER").folded(), "ärger");
}

#[test]
fn quoted_phrases_bare_and_as_values() {
    assert_eq!(q("\"weekly report\""), any("weekly report"));
    assert_eq!(
        q("subject:\"weekly report\""),
        word(TextField::Subject, "weekly report")
    );
    assert_eq!(q(r#""say \"hi\" \\ there""#), any(r#"say "hi" \ there"#));
    // Quotes make operator words and colons plain text.
    assert_eq!(q("\"OR\""), any("OR"));
    assert_eq!(q("\"http://x\""), any("http://x"));
    assert_eq!(
        q("or and not"),
        Expr::And(vec![any("or"), any("and"), any("not")])
    );
}

#[test]
fn is_and_has() {
    for (text, s) in [
        ("is:unread", Status::Unread),
        ("is:read", Status::Read),
        ("is:flagged", Status::Flagged),
        ("is:answered", Status::Answered),
        ("is:draft", Status::Draft),
        ("IS:Deleted", Status::Deleted),
    ] {
        assert_eq!(q(text), Expr::Term(Term::Is(s)), "{text}");
    }
    assert_eq!(q("has:attachment"), Expr::Term(Term::HasAttachment));
    assert_eq!(q("has:Attachments"), Expr::Term(Term::HasAttachment));
}

fn date(text: &str) -> DateSpec {
    match q(text) {
        Expr::Term(Term::Date(d)) => d,
        e => panic!("{text}: {e:?}"),
    }
}

#[test]
fn date_forms() {
    use DatePoint::*;
    assert_eq!(
        date("date:2026-11-27"),
        DateSpec::Single(Day {
            year: 2026,
            month: 11,
            day: 27
        })
    );
    assert_eq!(
        date("date:2026-1-5"),
        DateSpec::Single(Day {
            year: 2026,
            month: 1,
            day: 5
        })
    );
    assert_eq!(
        date("date:2026-11"),
        DateSpec::Single(Month {
            year: 2026,
            month: 11
        })
    );
    assert_eq!(date("date:2025"), DateSpec::Single(Year(2025)));
    assert_eq!(date("date:7d"), DateSpec::Single(Ago(7, AgoUnit::Days)));
    assert_eq!(date("date:2w"), DateSpec::Single(Ago(2, AgoUnit::Weeks)));
    assert_eq!(date("date:3m"), DateSpec::Single(Ago(3, AgoUnit::Months)));
    assert_eq!(date("date:1Y"), DateSpec::Single(Ago(1, AgoUnit::Years)));
    assert_eq!(
        date("date:2025-01-01..2025-03-31"),
        DateSpec::Range(
            Some(Day {
                year: 2025,
                month: 1,
                day: 1
            }),
            Some(Day {
                year: 2025,
                month: 3,
                day: 31
            })
        )
    );
    assert_eq!(
        date("date:..7d"),
        DateSpec::Range(None, Some(Ago(7, AgoUnit::Days)))
    );
    assert_eq!(
        date("date:2025-01-01.."),
        DateSpec::Range(
            Some(Day {
                year: 2025,
                month: 1,
                day: 1
            }),
            None
        )
    );
    assert_eq!(
        date("date:2024..2025-06"),
        DateSpec::Range(
            Some(Year(2024)),
            Some(Month {
                year: 2025,
                month: 6
            })
        )
    );
}

#[test]
fn sizes() {
    assert_eq!(q("larger:500"), Expr::Term(Term::Larger(500)));
    assert_eq!(q("larger:500b"), Expr::Term(Term::Larger(500)));
    assert_eq!(q("larger:10k"), Expr::Term(Term::Larger(10 * 1024)));
    assert_eq!(q("larger:10KB"), Expr::Term(Term::Larger(10 * 1024)));
    assert_eq!(q("smaller:2M"), Expr::Term(Term::Smaller(2 << 20)));
    assert_eq!(q("smaller:3g"), Expr::Term(Term::Smaller(3 << 30)));
    assert_eq!(q("larger:0"), Expr::Term(Term::Larger(0)));
}

#[test]
fn folder_and_account() {
    assert_eq!(
        q("folder:INBOX account:work"),
        Expr::And(vec![
            Expr::Term(Term::Folder(Value::new("INBOX"))),
            Expr::Term(Term::Account(Value::new("work")))
        ])
    );
    assert_eq!(
        q("folder:\"Sent Items\""),
        Expr::Term(Term::Folder(Value::new("Sent Items")))
    );
}

#[test]
fn operators_and_precedence() {
    let (a, b, c) = (any("a"), any("b"), any("c"));
    assert_eq!(q("a b"), Expr::And(vec![a.clone(), b.clone()]));
    assert_eq!(q("a AND b"), Expr::And(vec![a.clone(), b.clone()]));
    assert_eq!(q("a OR b"), Expr::Or(vec![a.clone(), b.clone()]));
    // AND binds tighter than OR.
    assert_eq!(
        q("a b OR c"),
        Expr::Or(vec![Expr::And(vec![a.clone(), b.clone()]), c.clone()])
    );
    assert_eq!(
        q("a OR b c"),
        Expr::Or(vec![a.clone(), Expr::And(vec![b.clone(), c.clone()])])
    );
    assert_eq!(
        q("a (b OR c)"),
        Expr::And(vec![a.clone(), Expr::Or(vec![b.clone(), c.clone()])])
    );
    // NOT binds tighter than AND.
    assert_eq!(q("NOT a b"), Expr::And(vec![not(a.clone()), b.clone()]));
    assert_eq!(q("-a"), not(a.clone()));
    assert_eq!(q("--a"), not(not(a.clone())));
    assert_eq!(q("-from:bob"), not(word(TextField::From, "bob")));
    assert_eq!(q("-\"x y\""), not(any("x y")));
    assert_eq!(q("NOT (a OR b)"), not(Expr::Or(vec![a.clone(), b.clone()])));
    assert_eq!(q("-(a b)"), not(Expr::And(vec![a.clone(), b.clone()])));
    // Same operators merge; parentheses do not leave a trace.
    assert_eq!(
        q("a OR (b OR c)"),
        Expr::Or(vec![a.clone(), b.clone(), c.clone()])
    );
    assert_eq!(q("((a))"), a);
}

#[test]
fn display_is_canonical_and_parses_back() {
    for (text, canonical) in [
        ("from:Bob AND is:unread", "from:Bob is:unread"),
        ("a OR b c", "a OR b c"),
        ("(a OR b) c", "(a OR b) c"),
        ("NOT (a b)", "-(a b)"),
        ("NOT a", "-a"),
        ("subject:\"weekly report\"", "subject:\"weekly report\""),
        ("\"OR\"", "\"OR\""),
        ("\"-x\"", "\"-x\""),
        ("\"a:b\"", "\"a:b\""),
        ("subject:a:b", "subject:a:b"),
        (r#""q\"uote""#, r#""q\"uote""#),
        ("larger:2048k smaller:1536", "larger:2M smaller:1536"),
        ("date:2026-1-5..7d", "date:2026-01-05..7d"),
        ("date:..2W", "date:..2w"),
        ("has:attachments IS:READ", "has:attachment is:read"),
        (
            "folder:\"Sent Items\" account:work",
            "folder:\"Sent Items\" account:work",
        ),
    ] {
        let parsed = parse(text).expect(text);
        assert_eq!(parsed.to_string(), canonical, "{text}");
        assert_eq!(parse(canonical).expect(canonical), parsed, "{canonical}");
    }
}

#[test]
fn unclosed_quote_points_at_the_quote() {
    let e = err("from:bob \"weekly report");
    assert_eq!(e.span, 9..23);
    assert_eq!(e.message, "the quote opened at column 10 is never closed");
    let e = err("subject:\"weekly");
    assert_eq!(e.span, 8..15);
    assert_eq!(e.message, "the quote opened at column 9 is never closed");
}

#[test]
fn unbalanced_parentheses() {
    assert_eq!(
        at("a (b OR c"),
        (
            "(".into(),
            "the parenthesis opened at column 3 is never closed".into()
        )
    );
    assert_eq!(
        at("(a (b) c"),
        (
            "(".into(),
            "the parenthesis opened at column 1 is never closed".into()
        )
    );
    let e = err("a b) c");
    assert_eq!(e.span, 3..4);
    assert_eq!(
        e.message,
        "the parenthesis at column 4 closes nothing (no “(” before it)"
    );
    assert_eq!(
        at(")a").1,
        "the parenthesis at column 1 closes nothing (no “(” before it)"
    );
    assert_eq!(at("a ()").1, "the parentheses at column 3 hold nothing");
    assert_eq!(
        at("a (").1,
        "the parenthesis opened at column 3 is never closed"
    );
}

#[test]
fn unknown_field_lists_the_known_and_suggests() {
    let e = err("is:unread form:bob");
    assert_eq!(e.span, 10..14);
    assert_eq!(
        e.message,
        "unknown field “form:” at column 11; did you mean “from:”? Fields: from: to: cc: subject: body: is: has: date: larger: smaller: folder: account:"
    );
    assert!(err("subj:x").message.contains("did you mean “subject:”?"));
    let e = err("http://example.org");
    assert_eq!(e.span, 0..4);
    assert_eq!(
        e.message,
        "unknown field “http:” at column 1 (fields: from: to: cc: subject: body: is: has: date: larger: smaller: folder: account:); to search for the text, put it in quotes: \"http://example.org\""
    );
}

#[test]
fn a_long_unknown_field_is_cut_in_the_message() {
    let text = format!("{}:x", "q".repeat(100));
    let e = err(&text);
    assert_eq!(e.span, 0..100);
    assert_eq!(
        e.message,
        format!(
            "unknown field “{}…:” at column 1 (fields: from: to: cc: subject: body: is: has: date: larger: smaller: folder: account:); to search for the text, put it in quotes",
            "q".repeat(40)
        )
    );
}

#[test]
fn empty_values() {
    let e = err("from: bob");
    assert_eq!(e.span, 0..5);
    assert_eq!(
        e.message,
        "from: at column 1 needs a value right after the colon, as in from:alice"
    );
    assert_eq!(
        at("a date:").1,
        "date: at column 3 needs a value right after the colon, as in date:2026-11"
    );
    assert_eq!(
        at("subject:\"\"").1,
        "subject: at column 1 needs a value right after the colon, as in subject:\"weekly report\""
    );
    assert_eq!(at("(to:)").0, "to:");
    assert_eq!(
        at("is:unread FROM:(a OR b)").1,
        "from: at column 11 needs a value right after the colon, as in from:alice (a field takes one value: write (from:a OR from:b), not from:(…))"
    );
    assert_eq!(at("a \"\"").1, "the quotes at column 3 hold nothing");
}

#[test]
fn unknown_is_and_has_values() {
    let e = err("is:unred");
    assert_eq!(e.span, 3..8);
    assert_eq!(
        e.message,
        "unknown value “unred” for is: at column 4; did you mean “is:unread”? is: takes unread, read, flagged, answered, draft or deleted"
    );
    assert_eq!(
        at("is:important").1,
        "unknown value “important” for is: at column 4; is: takes unread, read, flagged, answered, draft or deleted"
    );
    assert_eq!(
        at("has:atachment").1,
        "unknown value “atachment” for has: at column 5; did you mean “has:attachment”? has: takes attachment"
    );
}

const DATE_FORMS: &str = "write a day (2026-11-27), a month (2026-11), a year (2025), a time back from now (7d, 2w, 3m, 1y) or a range (2025-01-01..2025-03-31, ..7d)";

#[test]
fn dates_that_do_not_parse() {
    let e = err("from:bob date:2026-13");
    assert_eq!(e.span, 14..21);
    assert_eq!(
        e.message,
        format!("“2026-13” at column 15 is not a date (there is no month 13); {DATE_FORMS}")
    );
    assert_eq!(
        at("date:2026-02-30").1,
        format!("“2026-02-30” at column 6 is not a date (February 2026 has 28 days); {DATE_FORMS}")
    );
    assert_eq!(
        at("date:yesterday").1,
        format!("“yesterday” at column 6 is not a date; {DATE_FORMS}")
    );
    // Only the bad end of a range is marked.
    assert_eq!(
        at("date:2025-01-01..2025-3-32"),
        (
            "2025-3-32".into(),
            format!(
                "“2025-3-32” at column 18 is not a date (March 2025 has 31 days); {DATE_FORMS}"
            )
        )
    );
    assert_eq!(
        at("date:.."),
        (
            "..".into(),
            format!(
                "“..” at column 6 is not a date (a range needs at least one end); {DATE_FORMS}"
            )
        )
    );
    assert_eq!(
        at("date:26-11").1,
        format!("“26-11” at column 6 is not a date; {DATE_FORMS}")
    );
    assert_eq!(
        at("date:400y").1,
        format!(
            "“400y” at column 6 is not a date (it reaches back more than 300 years); {DATE_FORMS}"
        )
    );
    assert_eq!(at("date:2025..2..3").0, "2..3");
}

#[test]
fn sizes_that_do_not_parse() {
    let forms = "write bytes (500) or a number with k, M or G (10k, 2M)";
    let e = err("larger:10q");
    assert_eq!(e.span, 7..10);
    assert_eq!(
        e.message,
        format!("“10q” at column 8 is not a size; {forms}")
    );
    assert_eq!(
        at("smaller:k").1,
        format!("“k” at column 9 is not a size; {forms}")
    );
    assert_eq!(
        at("smaller:-5").1,
        format!("“-5” at column 9 is not a size; {forms}")
    );
    assert_eq!(
        at("larger:4G").1,
        format!(
            "“4G” at column 8 is not a size (sizes go up to 4294967295 bytes, just under 4G); {forms}"
        )
    );
    assert_eq!(
        at("larger:99999999999999999999").1,
        format!(
            "“99999999999999999999” at column 8 is not a size (sizes go up to 4294967295 bytes, just under 4G); {forms}"
        )
    );
}

#[test]
fn dangling_operators() {
    assert_eq!(
        at("a OR"),
        ("OR".into(), "OR at column 3 has nothing after it".into())
    );
    assert_eq!(
        at("OR a"),
        ("OR".into(), "OR at column 1 has nothing before it".into())
    );
    assert_eq!(at("a AND").1, "AND at column 3 has nothing after it");
    assert_eq!(at("AND a").1, "AND at column 1 has nothing before it");
    assert_eq!(at("a NOT").1, "NOT at column 3 has nothing after it");
    assert_eq!(
        at("a OR OR b").1,
        "OR at column 3 is followed by another operator, OR at column 6"
    );
    assert_eq!(
        at("a AND OR b").1,
        "AND at column 3 is followed by another operator, OR at column 7"
    );
    assert_eq!(
        at("(a OR) b").1,
        "OR at column 4 has nothing after it before the “)” at column 6"
    );
    assert_eq!(at("(OR a)").1, "OR at column 2 has nothing before it");
    assert_eq!(
        at("a - b"),
        (
            "-".into(),
            "“-” at column 3 must be followed by a term, with no space (as in -from:bob)".into()
        )
    );
    assert_eq!(
        at("a -").1,
        "“-” at column 3 must be followed by a term, with no space (as in -from:bob)"
    );
    assert_eq!(
        at("-OR a").1,
        "- at column 1 is followed by another operator, OR at column 2"
    );
}

#[test]
fn control_and_invisible_characters_are_refused_where_they_are() {
    let e = err("from:bob\u{7}x");
    assert_eq!(e.span, 8..9);
    assert_eq!(
        e.message,
        "control character U+0007 at column 9 is not allowed in a query"
    );
    let e = err("é\tb");
    assert_eq!(e.span, 2..3);
    assert_eq!(
        e.message,
        "control character U+0009 at column 2 is not allowed in a query"
    );
    let e = err("ab\u{202e}cd");
    assert_eq!(
        e.message,
        "invisible character U+202E at column 3 is not allowed in a query"
    );
    assert_eq!(err("\u{1b}[31m").span, 0..1);
}

#[test]
fn limits_give_errors() {
    let long = "a ".repeat(limits::MAX_QUERY_CHARS);
    let e = err(&long);
    assert_eq!(e.span, limits::MAX_QUERY_CHARS..long.len());
    assert_eq!(
        e.message,
        "the query is 4000 characters long; the limit is 2000 (it is cut at column 2001)"
    );
    // Exactly at the limit is fine (as far as length goes).
    let at_limit = "x".repeat(limits::MAX_QUERY_CHARS);
    assert!(parse(&at_limit).is_ok());

    let deep = format!("{}a{}", "(".repeat(33), ")".repeat(33));
    let e = err(&deep);
    assert_eq!(e.span, 32..33);
    assert_eq!(
        e.message,
        "the query nests more than 32 levels deep at column 33"
    );
    assert!(parse(&format!("{}a{}", "(".repeat(32), ")".repeat(32))).is_ok());
    let e = err(&format!("{}a", "-".repeat(40)));
    assert_eq!(e.span, 32..33);

    let many = (0..=limits::MAX_TERMS)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let e = err(&many);
    assert_eq!(&many[e.span.clone()], "w64");
    assert_eq!(
        e.message,
        format!(
            "the query has more than 64 terms (the next one is at column {})",
            e.span.start + 1
        )
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    let e = err("naïve übel \"x");
    assert_eq!(e.message, "the quote opened at column 12 is never closed");
    assert_eq!(error::column("naïve", 3), 3);
    assert_eq!(error::column("naïve", 4), 4);
}
