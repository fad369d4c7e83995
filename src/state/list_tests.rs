use super::*;
use crate::mail::row_text::{BoxedClean, SharedClean};
use crate::mail::types::Flags;

fn env(uid: u32) -> Envelope {
    Envelope {
        uid,
        date: None,
        from: SharedClean::line("x"),
        to: SharedClean::default(),
        subject: BoxedClean::line("s"),
        flags: Flags::default(),
        has_attachment: false,
        size: 0,
    }
}

fn list(n: u32) -> MessageList {
    let mut l = MessageList::default();
    l.add((1..=n).rev().map(env).collect());
    l
}

fn uids(l: &MessageList) -> Vec<u32> {
    l.items.iter().map(|e| e.uid).collect()
}

#[test]
fn selection_is_clamped_and_kept_visible() {
    let mut l = list(50);
    l.move_by(-3, 10);
    assert_eq!((l.selected, l.offset), (0, 0));
    l.move_by(12, 10);
    assert_eq!((l.selected, l.offset), (12, 3));
    l.move_by(1000, 10);
    assert_eq!((l.selected, l.offset), (49, 40));
    l.move_by(-45, 10);
    assert_eq!((l.selected, l.offset), (4, 4));
    l.move_by(-100, 10);
    assert_eq!(l.selected_envelope().map(|e| e.uid), Some(50));
}

#[test]
fn empty_list_does_nothing() {
    let mut l = MessageList::default();
    l.move_by(5, 10);
    assert_eq!((l.selected, l.offset), (0, 0));
    assert!(l.selected_envelope().is_none());
}

#[test]
fn new_mail_shows_at_the_top_and_the_selection_stays_on_its_message() {
    let mut l = list(10);
    l.move_by(2, 5);
    assert_eq!(l.selected_envelope().map(|e| e.uid), Some(8));
    l.add(vec![env(12), env(11)]);
    assert_eq!(&uids(&l)[..3], [12, 11, 10]);
    assert_eq!(l.selected_envelope().map(|e| e.uid), Some(8));
    assert_eq!(l.offset, 0, "the top of the list stays in view");
    assert_eq!(l.unread, 12);
}

#[test]
fn a_scrolled_view_does_not_jump_when_mail_arrives() {
    let mut l = list(100);
    l.move_by(60, 10);
    let (sel, off) = (l.selected, l.offset);
    l.add(vec![env(101), env(102)]);
    assert_eq!(l.selected, sel + 2);
    assert_eq!(l.offset, off + 2);
}

#[test]
fn expunging_the_selected_row_selects_its_neighbour() {
    let mut l = list(5);
    l.move_by(1, 5);
    l.remove(&[4, 99]);
    assert_eq!(uids(&l), [5, 3, 2, 1]);
    assert_eq!(l.selected_envelope().map(|e| e.uid), Some(3));
    l.remove(&[1, 2, 3, 5]);
    assert!(l.items.is_empty());
    assert_eq!(l.selected, 0);
}

#[test]
fn older_rows_and_duplicates_merge_in_order() {
    let mut l = list(3);
    l.add(vec![env(2), env(7), env(5)]);
    assert_eq!(uids(&l), [7, 5, 3, 2, 1]);
    l.add(vec![env(9)]);
    assert_eq!(uids(&l), [9, 7, 5, 3, 2, 1]);
    let mut replaced = env(5);
    replaced.flags.seen = true;
    l.add(vec![replaced]);
    assert!(
        l.items[2].flags.seen,
        "a known row is replaced by the new copy"
    );
    assert_eq!((l.items.len(), l.unread), (6, 5));
}

#[test]
fn flag_updates_change_rows_and_the_unread_count() {
    let mut l = list(3);
    let seen = Flags {
        seen: true,
        ..Flags::default()
    };
    l.set_flags(&[
        FlagUpdate {
            uid: 2,
            flags: seen,
        },
        FlagUpdate {
            uid: 9,
            flags: seen,
        },
    ]);
    assert!(l.items[1].flags.seen);
    assert_eq!(l.unread, 2);
}

fn subject(uid: u32, from: &str, subject: &str, date: i64) -> Envelope {
    Envelope {
        from: SharedClean::line(from),
        subject: BoxedClean::line(subject),
        date: Some(date),
        ..env(uid)
    }
}

#[test]
fn marks_are_the_targets_and_follow_expunges() {
    let mut l = list(5);
    assert_eq!(l.targets(), [5], "nothing marked: the selected message");
    l.toggle_mark();
    l.move_by(2, 10);
    l.toggle_mark();
    assert_eq!(l.targets(), [5, 3]);
    l.toggle_mark();
    assert_eq!(l.targets(), [5]);
    l.move_by(1, 10);
    l.toggle_mark();
    l.remove(&[5]);
    assert_eq!(l.targets(), [2], "an expunged message is no longer marked");
}

#[test]
fn search_matches_sender_and_subject_without_case_and_jumps_around() {
    let mut l = MessageList::default();
    l.add(vec![
        subject(4, "Ann", "Invoice March", 40),
        subject(3, "Bob", "lunch?", 30),
        subject(2, "INVOICES Dept", "Reminder", 20),
        subject(1, "Zoë", "Grüße", 10),
    ]);
    let now = crate::query::Now {
        unix: 1_700_000_000,
        utc_offset: 0,
    };
    let here = crate::query::Place {
        account: "work",
        folder: "INBOX",
        delimiter: None,
    };
    assert!(l.search_local("invoice", &now, here).is_ok());
    let mut m: Vec<u32> = l.search.as_ref().unwrap().matches.iter().copied().collect();
    m.sort_unstable();
    assert_eq!(m, [2, 4]);
    assert!(l.jump_to_match(true, true, 10));
    assert_eq!(l.selected_envelope().map(|e| e.uid), Some(4));
    assert!(l.jump_to_match(true, false, 10));
    assert_eq!(l.selected_envelope().map(|e| e.uid), Some(2));
    assert!(l.jump_to_match(true, false, 10), "wraps around");
    assert_eq!(l.selected_envelope().map(|e| e.uid), Some(4));
    assert!(l.jump_to_match(false, false, 10));
    assert_eq!(l.selected_envelope().map(|e| e.uid), Some(2));
    assert!(l.search_local("GRÜSSE", &now, here).is_ok());
    assert!(
        l.search.as_ref().unwrap().matches.is_empty(),
        "no folding beyond case"
    );
    assert!(l.search_local("grüße", &now, here).is_ok());
    assert_eq!(l.search.as_ref().unwrap().matches.len(), 1);
}

#[test]
fn sorting_keeps_the_selection_and_new_rows_land_in_order() {
    let mut l = MessageList::default();
    l.add(vec![
        subject(3, "carol", "Re: b", 100),
        subject(2, "Alice", "a", 300),
        subject(1, "bob", "c", 200),
    ]);
    l.move_by(1, 10);
    assert_eq!(l.selected_envelope().map(|e| e.uid), Some(2));
    l.set_sort(SortBy::Sender);
    let order = |l: &MessageList| {
        (0..l.len())
            .map(|i| l.row(i).unwrap().0.uid)
            .collect::<Vec<_>>()
    };
    assert_eq!(order(&l), [2, 1, 3]);
    assert_eq!(l.selected_envelope().map(|e| e.uid), Some(2));
    l.set_sort(SortBy::Date);
    assert_eq!(order(&l), [2, 1, 3]);
    l.set_sort(SortBy::Subject);
    assert_eq!(order(&l), [2, 3, 1], "Re: is not part of the subject");
    l.add(vec![subject(4, "dan", "aa", 50)]);
    assert_eq!(order(&l), [2, 4, 3, 1]);
    l.set_sort(SortBy::Arrival);
    assert_eq!(order(&l), [4, 3, 2, 1]);
    assert!(l.view.is_none());
}

#[test]
fn a_thread_view_shows_depths_and_takes_new_mail_on_top() {
    let mut l = list(3);
    l.set_threads(Some(vec![(3, 0), (1, 1), (2, 0)]));
    let rows: Vec<(u32, u8)> = (0..l.len())
        .map(|i| l.row(i).map(|(e, d)| (e.uid, d)).unwrap())
        .collect();
    assert_eq!(rows, [(3, 0), (1, 1), (2, 0)]);
    l.add(vec![env(4)]);
    assert_eq!(l.row(0).map(|(e, d)| (e.uid, d)), Some((4, 0)));
    l.remove(&[1]);
    assert_eq!(l.len(), 3);
    l.set_threads(None);
    assert_eq!(l.row(0).map(|(e, _)| e.uid), Some(4));
}

#[test]
fn a_message_restored_twice_keeps_its_first_place() {
    let mut l = list(5);
    // 3 left and came back as 7; then 7 left and came back as 9.
    l.remove(&[3]);
    l.place([(7, 3)]);
    l.add(vec![env(7)]);
    assert_eq!(shown(&l), [5, 4, 7, 2, 1]);
    l.remove(&[7]);
    l.place([(9, 7)]);
    l.add(vec![env(9)]);
    assert_eq!(shown(&l), [5, 4, 9, 2, 1]);
}

fn shown(l: &MessageList) -> Vec<u32> {
    (0..l.len())
        .filter_map(|i| l.row(i).map(|(e, _)| e.uid))
        .collect()
}

/// Loads `n` rows newest first in batches of `batch`, as a full load does.
fn loaded(n: u32, batch: u32, exists: u32) -> MessageList {
    let mut l = MessageList {
        exists,
        ..MessageList::default()
    };
    let mut top = n;
    while top > 0 {
        let low = top.saturating_sub(batch);
        l.add(((low + 1)..=top).rev().map(env).collect());
        top = low;
    }
    l
}

#[test]
fn a_full_load_ends_with_no_spare_rows() {
    let l = loaded(10_000, 1000, 10_000);
    assert_eq!(uids(&l), (1..=10_000).rev().collect::<Vec<_>>());
    assert_eq!(l.items.capacity(), 10_000);
}

#[test]
fn a_count_from_the_server_never_reserves_more_than_doubling() {
    // A hostile or stale EXISTS: growth as without it.
    for exists in [u32::MAX, 0, 3] {
        let l = loaded(10_000, 1000, exists);
        assert_eq!(l.items.len(), 10_000);
        assert!(
            l.items.capacity() <= 20_000,
            "{exists}: {}",
            l.items.capacity()
        );
    }
}
