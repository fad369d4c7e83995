use super::*;
use crate::mail::row_text::{BoxedClean, SharedClean};
use crate::mail::types::{Envelope, Flags};

use Verdict::{No, Unknown, Yes};

/// 27 November 2026, 12:00 UTC.
const NOW: Now = Now {
    unix: 1_795_780_800,
    utc_offset: 0,
};

fn row(from: &str, subject: &str) -> Envelope {
    Envelope {
        uid: 1,
        date: Some(NOW.unix - 3 * 86_400),
        from: SharedClean::line(from),
        to: SharedClean::default(),
        subject: BoxedClean::line(subject),
        flags: Flags::default(),
        has_attachment: false,
        size: 20_000,
    }
}

fn check(query: &str, facts: &Facts<'_>) -> Verdict {
    parse(query).expect(query).matches(facts, &NOW)
}

#[test]
fn kleene_logic() {
    for (a, b, and, or) in [
        (Yes, Yes, Yes, Yes),
        (Yes, No, No, Yes),
        (Yes, Unknown, Unknown, Yes),
        (No, No, No, No),
        (No, Unknown, No, Unknown),
        (Unknown, Unknown, Unknown, Unknown),
    ] {
        assert_eq!(a.and(b), and, "{a:?} AND {b:?}");
        assert_eq!(b.and(a), and, "{b:?} AND {a:?}");
        assert_eq!(a.or(b), or, "{a:?} OR {b:?}");
        assert_eq!(b.or(a), or, "{b:?} OR {a:?}");
    }
    assert_eq!(!Yes, No);
    assert_eq!(!No, Yes);
    assert_eq!(!Unknown, Unknown);
}

#[test]
fn subject_is_decided_by_the_row_in_any_case() {
    let e = row("Bob Smith", "Weekly REPORT for Ärger");
    let f = Facts::envelope(&e);
    assert_eq!(check("subject:report", &f), Yes);
    assert_eq!(check("subject:\"weekly report\"", &f), Yes);
    assert_eq!(check("SUBJECT:ärger", &f), Yes);
    assert_eq!(check("subject:ÄRGER", &f), Yes);
    assert_eq!(check("subject:invoice", &f), No);
    assert_eq!(check("-subject:invoice", &f), Yes);
}

#[test]
fn a_senders_name_is_only_part_of_from() {
    let named = row("Bob Smith", "x");
    let f = Facts::envelope(&named);
    assert_eq!(check("from:bob", &f), Yes);
    // The address is not in the row: it may still be bob@example.org.
    assert_eq!(check("from:bob@example.org", &f), Unknown);
    assert_eq!(check("-from:alice", &f), Unknown);
    let bare = row("bob@example.org", "x");
    let f = Facts::envelope(&bare);
    assert_eq!(check("from:alice", &f), No);
    assert_eq!(check("from:EXAMPLE.org", &f), Yes);
}

#[test]
fn recipients_and_bodies_are_unknown_to_a_list_row() {
    let e = row("bob@example.org", "Lunch");
    let f = Facts::envelope(&e);
    assert_eq!(check("to:alice", &f), Unknown);
    assert_eq!(check("cc:alice", &f), Unknown);
    assert_eq!(check("body:sandwich", &f), Unknown);
    // Unknown AND No is No; Unknown OR Yes is Yes.
    assert_eq!(check("to:alice subject:dinner", &f), No);
    assert_eq!(check("to:alice OR subject:lunch", &f), Yes);
    // A bare word looks at the recipients too.
    assert_eq!(check("lunch", &f), Yes);
    assert_eq!(check("dinner", &f), Unknown);
    // Knowing more decides.
    let full = Facts {
        to: Known::Whole("Alice <alice@example.org>"),
        cc: Known::Whole(""),
        body: Known::Whole("A sandwich?"),
        ..f
    };
    assert_eq!(check("to:alice", &full), Yes);
    assert_eq!(check("cc:alice", &full), No);
    assert_eq!(check("body:SANDWICH", &full), Yes);
    assert_eq!(check("dinner", &full), No);
    assert_eq!(check("sandwich", &full), Yes);
    // Without a body, the headers decide a bare word.
    let headers = Facts {
        body: Known::Missing,
        ..full
    };
    assert_eq!(check("dinner", &headers), No);
    assert_eq!(check("body:dinner", &headers), Unknown);
}

#[test]
fn flags_attachments_and_sizes() {
    let mut e = row("a@b", "x");
    e.flags = Flags {
        seen: false,
        flagged: true,
        answered: true,
        draft: false,
        deleted: false,
    };
    e.has_attachment = true;
    let f = Facts::envelope(&e);
    assert_eq!(check("is:unread", &f), Yes);
    assert_eq!(check("is:read", &f), No);
    assert_eq!(check("is:flagged is:answered", &f), Yes);
    assert_eq!(check("is:draft OR is:deleted", &f), No);
    assert_eq!(check("has:attachment", &f), Yes);
    assert_eq!(check("larger:10k", &f), Yes);
    assert_eq!(check("larger:20000", &f), No);
    assert_eq!(check("smaller:20000", &f), No);
    assert_eq!(check("smaller:20001", &f), Yes);
    assert_eq!(check("is:unread", &Facts::unknown()), Unknown);
    assert_eq!(check("larger:1", &Facts::unknown()), Unknown);
}

#[test]
fn dates() {
    let e = row("a@b", "x"); // three days ago
    let f = Facts::envelope(&e);
    assert_eq!(check("date:..7d", &f), Yes);
    assert_eq!(check("date:7d", &f), Yes);
    assert_eq!(check("date:2d", &f), No);
    assert_eq!(check("date:2d..", &f), Yes);
    assert_eq!(check("date:2026-11", &f), Yes);
    assert_eq!(check("date:2026-11-24", &f), Yes);
    assert_eq!(check("date:2026-11-25", &f), No);
    assert_eq!(check("date:2025", &f), No);
    assert_eq!(check("date:2025..", &f), Yes);
    let mut undated = e.clone();
    undated.date = None;
    assert_eq!(check("date:2026", &Facts::envelope(&undated)), Unknown);
    // One matcher for many rows.
    let q = parse("date:..7d").expect("query");
    let m = q.matcher(&NOW);
    assert_eq!(m.eval(&f), Yes);
}

#[test]
fn folders_and_accounts_come_from_the_place() {
    let e = row("a@b", "x");
    let place = Place {
        account: "Work",
        folder: "Projects/Été",
        delimiter: Some('/'),
    };
    let f = Facts::envelope(&e).at(place);
    assert_eq!(check("folder:projects/été", &f), Yes);
    assert_eq!(check("folder:ÉTÉ", &f), Yes);
    assert_eq!(check("folder:projects", &f), No);
    assert_eq!(check("account:work", &f), Yes);
    assert_eq!(check("account:home", &f), No);
    assert_eq!(check("folder:inbox", &Facts::envelope(&e)), Unknown);

    let q = parse("account:work (folder:INBOX OR folder:Archive) from:bob").expect("q");
    let inbox = Place {
        account: "work",
        folder: "INBOX",
        delimiter: Some('/'),
    };
    assert!(q.could_match_in(inbox));
    assert!(!q.could_match_in(Place {
        account: "home",
        ..inbox
    }));
    assert!(!q.could_match_in(Place {
        folder: "Sent",
        ..inbox
    }));
    assert!(parse("from:bob").expect("q").could_match_in(inbox));
    assert!(parse("-folder:Sent").expect("q").could_match_in(inbox));
}

#[test]
fn the_empty_query_matches_everything() {
    let e = row("a@b", "x");
    assert_eq!(check("", &Facts::envelope(&e)), Yes);
    assert_eq!(check("", &Facts::unknown()), Yes);
}

#[test]
fn highlights_are_the_words_looked_for() {
    let q = parse("lunch from:Bob -subject:spam (is:unread OR \"weekly report\")").expect("q");
    let h: Vec<(TextField, &str)> = q
        .highlights()
        .into_iter()
        .map(|(f, v)| (f, v.as_str()))
        .collect();
    assert_eq!(
        h,
        vec![
            (TextField::Any, "lunch"),
            (TextField::From, "Bob"),
            (TextField::Any, "weekly report")
        ]
    );
}
