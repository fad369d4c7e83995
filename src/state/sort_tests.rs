use super::*;
use crate::mail::row_text::{BoxedClean, SharedClean};
use crate::mail::types::Flags;

fn row(uid: u32, from: &str, size: u32, date: i64) -> Envelope {
    Envelope {
        uid,
        date: Some(date),
        from: SharedClean::line(from),
        to: SharedClean::default(),
        subject: BoxedClean::line("s"),
        flags: Flags::default(),
        has_attachment: false,
        size,
    }
}

#[test]
fn sort_keys_and_orders_read_from_text() {
    assert_eq!(SortBy::parse("size"), Ok(SortBy::Size));
    assert_eq!(SortBy::parse(" Date "), Ok(SortBy::Date));
    assert_eq!(SortBy::parse("from"), Ok(SortBy::Sender));
    let e = SortBy::parse("colour").unwrap_err();
    assert!(e.contains("\"colour\"") && e.contains("size"), "{e}");
    let o = |t: &str| SortOrder::parse(t);
    assert_eq!(o("date"), Ok(SortBy::Date.into()));
    let size_rev = SortOrder {
        by: SortBy::Size,
        reverse: true,
    };
    assert_eq!(o("size reverse"), Ok(size_rev));
    assert_eq!(o("-size"), Ok(size_rev));
    assert_eq!(o("size asc"), Ok(size_rev), "smallest first");
    assert_eq!(o("size desc"), Ok(SortBy::Size.into()));
    assert_eq!(o("sender desc").map(|s| s.reverse), Ok(true));
    assert!(o("").is_err());
    assert!(o("date upside-down").unwrap_err().contains("upside-down"));
    assert!(o(&"date ".repeat(40)).is_err());
    for by in [
        SortBy::Arrival,
        SortBy::Date,
        SortBy::Sender,
        SortBy::Subject,
        SortBy::Size,
    ] {
        for reverse in [false, true] {
            let s = SortOrder { by, reverse };
            assert_eq!(SortOrder::parse(&s.text()), Ok(s), "{s:?} reads back");
        }
    }
}

#[test]
fn the_key_cycles_through_size_and_labels_say_the_direction() {
    let mut by = SortBy::Arrival;
    let mut seen = Vec::new();
    for _ in 0..5 {
        by = by.next();
        seen.push(by.label());
    }
    assert_eq!(seen, ["date", "sender", "subject", "size", "arrival"]);
    assert_eq!(SortOrder::from(SortBy::Size).label(), "size ↓");
    assert_eq!(
        SortOrder {
            by: SortBy::Size,
            reverse: true
        }
        .label(),
        "size ↑"
    );
    assert_eq!(SortOrder::from(SortBy::Sender).label(), "sender ↑");
    assert!(SortOrder::default().is_default());
}

#[test]
fn size_and_reverse_order_rows_with_ties_in_arrival_order() {
    let items = vec![
        row(4, "b", 10, 400),
        row(3, "a", 300, 300),
        row(2, "c", 10, 200),
        row(1, "d", 50, 100),
    ];
    let by = |by, reverse| SortOrder { by, reverse }.order(&items, |u| u);
    assert_eq!(by(SortBy::Size, false), [3, 1, 4, 2]);
    assert_eq!(by(SortBy::Size, true), [2, 4, 1, 3]);
    assert_eq!(by(SortBy::Arrival, true), [1, 2, 3, 4]);
    assert_eq!(by(SortBy::Date, true), [1, 2, 3, 4]);
    assert_eq!(by(SortBy::Sender, false), [3, 4, 2, 1]);
    assert_eq!(by(SortBy::Sender, true), [1, 2, 4, 3]);
}

#[test]
fn a_folders_view_is_kept_until_it_is_the_default_again() {
    let mut v = AccountViews::new();
    let view = FolderView {
        sort: SortBy::Size.into(),
        threads: false,
    };
    assert!(remember(&mut v, "INBOX", view));
    assert!(!remember(&mut v, "INBOX", view), "no change");
    assert_eq!(v.get("INBOX"), Some(&view));
    assert!(remember(&mut v, "INBOX", FolderView::default()));
    assert!(v.is_empty(), "the default is not stored");
    for i in 0..MAX_FOLDER_VIEWS {
        remember(&mut v, &format!("f{i}"), view);
    }
    assert!(!remember(&mut v, "one more", view));
    assert_eq!(v.len(), MAX_FOLDER_VIEWS);
}
