use super::*;

/// Friday 27 November 2026, 12:00 UTC.
const NOW: Now = Now {
    unix: 1_795_780_800,
    utc_offset: 0,
};

fn search(query: &str) -> ServerSearch {
    parse(query)
        .expect(query)
        .server_search(&NOW, ImapOptions::default())
}

fn line(query: &str) -> String {
    search(query)
        .criteria
        .line()
        .unwrap_or_else(|| panic!("{query}: literals"))
}

#[test]
fn text_fields_become_their_keys() {
    assert_eq!(line("from:bob"), "FROM \"bob\"");
    assert_eq!(line("to:Alice"), "TO \"Alice\"");
    assert_eq!(line("cc:carol"), "CC \"carol\"");
    assert_eq!(
        line("subject:\"weekly report\""),
        "SUBJECT \"weekly report\""
    );
    assert_eq!(line("body:Invoice"), "BODY \"Invoice\"");
    assert_eq!(line("lunch"), "TEXT \"lunch\"");
    assert_eq!(line("from:bob subject:x"), "FROM \"bob\" SUBJECT \"x\"");
}

#[test]
fn flags_sizes_and_dates() {
    assert_eq!(line("is:unread"), "UNSEEN");
    assert_eq!(line("is:read"), "SEEN");
    assert_eq!(line("is:flagged"), "FLAGGED");
    assert_eq!(line("is:answered"), "ANSWERED");
    assert_eq!(line("is:draft"), "DRAFT");
    assert_eq!(line("is:deleted"), "DELETED");
    assert_eq!(line("larger:10k"), "LARGER 10240");
    assert_eq!(line("smaller:2M"), "SMALLER 2097152");
    assert_eq!(line("date:2026-11-27"), "ON 27-Nov-2026");
    assert_eq!(line("date:2026-11"), "SINCE 1-Nov-2026 BEFORE 1-Dec-2026");
    assert_eq!(line("date:2025"), "SINCE 1-Jan-2025 BEFORE 1-Jan-2026");
    assert_eq!(
        line("date:2025-01-01..2025-03-31"),
        "SINCE 1-Jan-2025 BEFORE 1-Apr-2025"
    );
    assert_eq!(line("date:2025-01-01.."), "SINCE 1-Jan-2025");
    assert_eq!(line("date:..2025-01-31"), "BEFORE 1-Feb-2025");
    // Relative bounds fall within a day: the whole day is asked for.
    assert_eq!(line("date:..7d"), "SINCE 20-Nov-2026");
    assert_eq!(line("date:7d.."), "BEFORE 21-Nov-2026");
    // Under NOT the server asks for less, never more.
    assert_eq!(line("-date:..7d"), "NOT SINCE 21-Nov-2026");
    assert_eq!(
        line("-date:2026-11"),
        "NOT (SINCE 1-Nov-2026 BEFORE 1-Dec-2026)"
    );
    let sent = parse("date:2026-11-27")
        .expect("q")
        .server_search(
            &NOW,
            ImapOptions {
                sent_dates: true,
                ..ImapOptions::default()
            },
        )
        .criteria
        .line();
    assert_eq!(sent.as_deref(), Some("SENTON 27-Nov-2026"));
    let ranged = parse("date:2026-11")
        .expect("q")
        .server_search(
            &NOW,
            ImapOptions {
                sent_dates: true,
                ..ImapOptions::default()
            },
        )
        .criteria
        .line();
    assert_eq!(
        ranged.as_deref(),
        Some("SENTSINCE 1-Nov-2026 SENTBEFORE 1-Dec-2026")
    );
}

#[test]
fn or_and_not_in_prefix_form() {
    assert_eq!(line("a OR b"), "OR TEXT \"a\" TEXT \"b\"");
    assert_eq!(
        line("a OR b OR c"),
        "OR TEXT \"a\" OR TEXT \"b\" TEXT \"c\""
    );
    assert_eq!(
        line("from:x is:unread OR is:flagged"),
        "OR (FROM \"x\" UNSEEN) FLAGGED"
    );
    assert_eq!(
        line("is:unread (from:a OR from:b)"),
        "UNSEEN OR FROM \"a\" FROM \"b\""
    );
    assert_eq!(line("-is:read"), "NOT SEEN");
    assert_eq!(line("-(is:read is:flagged)"), "NOT (SEEN FLAGGED)");
    assert_eq!(line("--is:read"), "NOT NOT SEEN");
    assert_eq!(line(""), "ALL");
}

#[test]
fn a_negated_bare_word_looks_only_where_the_matcher_does() {
    // TEXT would also find the word in Received: and other fields.
    assert_eq!(
        line("-lunch"),
        "NOT OR FROM \"lunch\" OR TO \"lunch\" OR CC \"lunch\" OR SUBJECT \"lunch\" BODY \"lunch\""
    );
}

#[test]
fn strings_that_cannot_be_quoted_are_literals() {
    let s = search("subject:naïve from:bob");
    assert!(s.criteria.charset_utf8);
    assert_eq!(s.criteria.literals(), 1);
    assert_eq!(s.criteria.line(), None);
    assert_eq!(
        s.criteria.segments(),
        &[
            Segment::Text("SUBJECT ".into()),
            Segment::Literal("naïve".as_bytes().to_vec()),
            Segment::Text(" FROM \"bob\"".into()),
        ]
    );
    assert_eq!(
        s.criteria.steps(false),
        vec![
            b"SUBJECT {6}".to_vec(),
            "naïve FROM \"bob\"".as_bytes().to_vec()
        ]
    );
    assert_eq!(
        s.criteria.steps(true),
        vec!["SUBJECT {6+}\r\nnaïve FROM \"bob\"".as_bytes().to_vec()]
    );
    // Quotes and backslashes too, but they need no charset.
    let s = search(r#"subject:"say \"hi\"" body:a\b"#);
    assert!(!s.criteria.charset_utf8);
    assert_eq!(s.criteria.literals(), 2);
    assert_eq!(
        s.criteria.to_string(),
        "SUBJECT {8+}\r\nsay \"hi\" BODY {3+}\r\na\\b"
    );
    // Plain ASCII needs neither.
    let s = search("from:bob");
    assert!(!s.criteria.charset_utf8);
    assert_eq!(s.criteria.literals(), 0);
}

#[test]
fn local_terms_are_split_out_and_widened() {
    let s = search("from:bob folder:INBOX has:attachment");
    assert_eq!(s.criteria.line().as_deref(), Some("FROM \"bob\""));
    assert!(s.recheck);
    assert_eq!(
        s.local_terms,
        vec![Term::Folder(Value::new("INBOX")), Term::HasAttachment]
    );
    // In an OR a local term could match anything: the server cannot narrow.
    assert_eq!(line("from:bob OR has:attachment"), "ALL");
    // Under NOT it counts as matching nothing.
    assert_eq!(
        line("from:bob -(account:work OR is:read)"),
        "FROM \"bob\" NOT SEEN"
    );
    assert_eq!(line("-has:attachment"), "ALL");
    assert_eq!(
        line("from:a (has:attachment OR is:flagged) -folder:x"),
        "FROM \"a\""
    );
    let plain = search("from:bob is:unread -larger:1M");
    assert!(!plain.recheck);
    assert!(plain.local_terms.is_empty());
    // Wider on the server than in the query: checked again.
    assert!(search("lunch").recheck);
    assert!(search("from:bob date:2026").recheck);
}

#[test]
fn exchange_gets_lower_case_and_is_always_rechecked() {
    let ex = ImapOptions {
        profile: Profile::Exchange,
        ..ImapOptions::default()
    };
    let s = parse("body:Invoice SUBJECT:Weekly")
        .expect("q")
        .server_search(&NOW, ex);
    assert_eq!(
        s.criteria.line().as_deref(),
        Some("BODY \"invoice\" SUBJECT \"weekly\"")
    );
    assert!(s.recheck);
    // Exchange over-matches, so a NOT of its answer could drop real
    // matches: the server is asked for everything else instead.
    let s = parse("is:unread -subject:weekly")
        .expect("q")
        .server_search(&NOW, ex);
    assert_eq!(s.criteria.line().as_deref(), Some("UNSEEN"));
}

fn exchange(query: &str) -> ServerSearch {
    parse(query).expect(query).server_search(
        &NOW,
        ImapOptions {
            profile: Profile::Exchange,
            sent_dates: false,
            ascii_only: true,
        },
    )
}

#[test]
fn exchange_is_never_sent_non_ascii_text() {
    // Exchange answers CHARSET UTF-8 with NO [BADCHARSET (US-ASCII)].
    let s = exchange("subject:Grüße is:unread");
    assert_eq!(s.criteria.line().as_deref(), Some("UNSEEN"));
    assert!(!s.criteria.charset_utf8);
    assert_eq!(s.unsearchable, vec!["Grüße".to_string()]);
    let s = exchange("-from:José from:bob");
    assert_eq!(s.criteria.line().as_deref(), Some("FROM \"bob\""));
    assert_eq!(s.unsearchable, vec!["José".to_string()]);
    // Elsewhere it is a literal under CHARSET UTF-8, and nothing is left out.
    let s = search("subject:Grüße");
    assert!(s.criteria.charset_utf8);
    assert_eq!(s.criteria.literals(), 1);
    assert!(s.unsearchable.is_empty());
}

#[test]
fn dates_past_four_digit_years_are_no_bound() {
    for q in ["date:9999", "date:9999-12", "date:..9999-12-31"] {
        let l = line(q);
        assert!(!l.contains("10000"), "{q}: {l}");
    }
    assert_eq!(line("date:9999"), "SINCE 1-Jan-9999");
}
