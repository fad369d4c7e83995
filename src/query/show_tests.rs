use unicode_width::UnicodeWidthStr;

use super::show::{Pointer, one_line, pointer, with_carets};
use super::*;

fn error(query: &str) -> QueryError {
    match parse(query) {
        Err(e) => e,
        Ok(q) => panic!("{query:?} parsed: {q}"),
    }
}

#[test]
fn a_short_query_is_shown_whole_with_carets_under_the_fault() {
    let q = "from:bob date:2026-13 is:unread";
    let e = error(q);
    assert_eq!(
        pointer(q, &e, 80),
        Pointer {
            before: "from:bob date:".into(),
            marked: "2026-13".into(),
            after: " is:unread".into(),
        }
    );
    let lines = with_carets(q, &e, 40);
    assert_eq!(lines[0], q);
    assert_eq!(lines[1], "              ^^^^^^^");
    assert_eq!(lines[2], "“2026-13” at column 15 is not a date");
    assert!(lines[2..].iter().all(|l| l.width() <= 40), "{lines:#?}");
    assert!(lines.len() > 3);
}

#[test]
fn a_fault_at_the_end_gets_one_caret_after_the_query() {
    let q = "a OR";
    let e = error(q);
    assert_eq!(with_carets(q, &e, 40)[1], "  ^^");
    let q = "a (b";
    let lines = with_carets(q, &error(q), 40);
    assert_eq!(lines[1], "  ^");
    // An empty span (nothing there) still gets a caret.
    let e = QueryError {
        span: 4..4,
        message: "x".into(),
    };
    let p = pointer("abcd", &e, 40);
    assert_eq!(p.marked, " ");
    assert_eq!(with_carets("abcd", &e, 40)[1], "    ^");
}

#[test]
fn a_long_query_is_cut_around_the_fault() {
    let q = format!("{} \"unclosed {}", "word ".repeat(100), "tail ".repeat(100));
    let e = error(&q);
    let p = pointer(&q, &e, 60);
    assert!(p.width() <= 60, "{p:?}");
    assert!(p.before.starts_with('…'), "{p:?}");
    assert!(p.marked.starts_with("\"unclosed"), "{p:?}");
    assert!(p.marked.ends_with('…'), "{p:?}");
    let lines = with_carets(&q, &e, 60);
    assert!(lines.iter().all(|l| l.width() <= 60), "{lines:#?}");
    assert_eq!(lines[1].trim_start().len(), p.marked.width());
    assert_eq!(
        lines[1].len() - lines[1].trim_start().len(),
        p.before.width()
    );

    // Context after a short fault is cut with an ellipsis.
    let q = format!("form:x {}", "word ".repeat(40));
    let e = error(&q);
    let p = pointer(&q, &e, 30);
    assert_eq!(p.before, "");
    assert_eq!(p.marked, "form");
    assert!(p.after.ends_with('…'));
    assert!(p.width() <= 30);
}

#[test]
fn wide_and_unsafe_characters_keep_the_carets_aligned() {
    let q = "件名 \u{7}x";
    let e = error(q);
    let p = pointer(q, &e, 40);
    assert_eq!(p.before, "件名 ");
    assert_eq!(p.marked, "\u{fffd}");
    let lines = with_carets(q, &e, 40);
    assert_eq!(lines[0], "件名 \u{fffd}x");
    assert_eq!(lines[1], "     ^");
}

#[test]
fn the_status_line_is_the_message_cut_to_the_width() {
    let e = error("is:unred");
    let full = one_line(&e, 500);
    assert_eq!(full, e.message);
    let cut = one_line(&e, 30);
    assert_eq!(cut.width(), 30);
    assert!(cut.ends_with('…'));
}

#[test]
fn a_ten_kilobyte_paste_is_refused_quickly_and_shown_in_the_width() {
    let q = "x".repeat(10 * 1024);
    let e = error(&q);
    let lines = with_carets(&q, &e, 80);
    assert!(lines.iter().all(|l| l.width() <= 80), "{lines:#?}");
}
