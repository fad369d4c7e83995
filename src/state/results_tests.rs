use super::*;
use crate::mail::types::FlagKind;
use crate::state::test_kit::env;
use crate::store::everywhere::FolderHits;

fn now() -> Now {
    Now {
        unix: 1_800_000_000,
        utc_offset: 0,
    }
}

fn results(q: &str) -> Results {
    let query = crate::query::parse(q).expect("query");
    Results::new("r".into(), query, now(), vec![0, 1])
}

fn hits(path: &str, uids: &[u32]) -> FolderHits {
    FolderHits {
        path: path.into(),
        uid_validity: 7,
        rows: uids.iter().rev().map(|u| env(*u, false)).collect(),
    }
}

fn answer(r: &mut Results, account: usize, name: &str, folders: Vec<FolderHits>) {
    let found = Everywhere {
        searched: folders.len(),
        folders,
        ..Everywhere::default()
    };
    r.answer(account, name, found, 20);
}

fn keys(r: &Results) -> Vec<(usize, &str, u32)> {
    r.rows
        .iter()
        .map(|x| (x.account, x.folder.path.as_str(), x.env.uid))
        .collect()
}

#[test]
fn answers_merge_newest_first_and_replace_the_accounts_rows() {
    let mut r = results("");
    answer(&mut r, 0, "work", vec![hits("INBOX", &[1, 5])]);
    answer(&mut r, 1, "home", vec![hits("INBOX", &[3])]);
    assert_eq!(
        keys(&r),
        vec![(0, "INBOX", 5), (1, "INBOX", 3), (0, "INBOX", 1)]
    );
    assert!(!r.loading());
    // A later answer of work replaces all of work's rows.
    answer(&mut r, 0, "work", vec![hits("INBOX", &[6])]);
    assert_eq!(keys(&r), vec![(0, "INBOX", 6), (1, "INBOX", 3)]);
}

#[test]
fn the_matcher_drops_what_the_store_widened() {
    // The store takes folder: as true; the matcher knows the place.
    let mut r = results("folder:INBOX");
    answer(
        &mut r,
        0,
        "work",
        vec![hits("INBOX", &[1]), hits("Archive", &[2])],
    );
    assert_eq!(keys(&r), vec![(0, "INBOX", 1)]);
    let mut r = results("account:home");
    answer(&mut r, 0, "work", vec![hits("INBOX", &[1])]);
    answer(&mut r, 1, "home", vec![hits("INBOX", &[2])]);
    assert_eq!(keys(&r), vec![(1, "INBOX", 2)]);
}

#[test]
fn the_selection_stays_on_its_message_as_answers_come() {
    let mut r = results("");
    answer(&mut r, 0, "work", vec![hits("INBOX", &[1, 2, 3])]);
    r.move_by(1, 20);
    assert_eq!(r.selected_row().map(|x| x.env.uid), Some(2));
    answer(&mut r, 1, "home", vec![hits("INBOX", &[9, 8])]);
    assert_eq!(r.selected_row().map(|x| x.env.uid), Some(2));
    assert_eq!(r.selected_row().map(|x| x.account), Some(0));
}

#[test]
fn rows_moved_from_here_stay_out_until_the_worker_answers() {
    let mut r = results("");
    answer(&mut r, 0, "work", vec![hits("INBOX", &[1, 2])]);
    let key: RowKey = (0, "INBOX".into(), 2);
    r.take(0, 42, std::slice::from_ref(&key), 20);
    assert_eq!(keys(&r), vec![(0, "INBOX", 1)]);
    // The store still has it (the move is on its way): kept out.
    answer(&mut r, 0, "work", vec![hits("INBOX", &[1, 2])]);
    assert_eq!(keys(&r), vec![(0, "INBOX", 1)]);
    // Refused: it comes back.
    assert!(r.put_back(0, 42, 20));
    assert_eq!(keys(&r), vec![(0, "INBOX", 2), (0, "INBOX", 1)]);
    assert!(!r.put_back(0, 42, 20));
}

#[test]
fn a_flag_set_here_holds_until_the_store_agrees() {
    let mut r = results("");
    answer(&mut r, 0, "work", vec![hits("INBOX", &[1])]);
    let key: RowKey = (0, "INBOX".into(), 1);
    r.set_flag(std::slice::from_ref(&key), FlagKind::Flagged, true);
    assert!(r.rows[0].env.flags.flagged);
    // An answer from before the worker stored it: the flag stays.
    answer(&mut r, 0, "work", vec![hits("INBOX", &[1])]);
    assert!(r.rows[0].env.flags.flagged);
    // The store agrees: nothing held any more.
    let mut agreed = hits("INBOX", &[1]);
    agreed.rows[0].flags.flagged = true;
    answer(&mut r, 0, "work", vec![agreed]);
    assert!(r.flags.is_empty());
    // Then the store's word counts again (another device cleared it).
    answer(&mut r, 0, "work", vec![hits("INBOX", &[1])]);
    assert!(!r.rows[0].env.flags.flagged);
}

#[test]
fn marks_follow_their_messages_and_go_with_them() {
    let mut r = results("");
    answer(&mut r, 0, "work", vec![hits("INBOX", &[1, 2])]);
    r.toggle_mark();
    assert_eq!(r.targets().len(), 1);
    assert_eq!(r.targets()[0].env.uid, 2);
    answer(&mut r, 0, "work", vec![hits("INBOX", &[1])]);
    assert!(r.marked.is_empty(), "a mark on a row that went goes too");
    assert_eq!(r.targets()[0].env.uid, 1, "no marks: the selected row");
}

#[test]
fn what_the_stores_lack_is_counted() {
    let mut r = results("");
    let found = Everywhere {
        folders: vec![hits("INBOX", &[1])],
        searched: 1,
        not_stored: vec!["Archive".into(), "Old".into()],
        cut: true,
        validities: vec![("INBOX".into(), 7)],
    };
    r.answer(0, "work", found, 20);
    assert_eq!(r.gaps(), (1, 2, true));
    assert!(r.loading(), "home has not answered");
}

#[test]
fn the_row_being_read_stays_until_the_reader_is_left() {
    let mut r = results("is:unread");
    answer(&mut r, 0, "work", vec![hits("INBOX", &[1, 2, 3])]);
    r.reading = Some((0, "INBOX".into(), 2));
    // Read now: the store no longer gives it for is:unread.
    answer(&mut r, 0, "work", vec![hits("INBOX", &[1, 3])]);
    assert_eq!(
        keys(&r),
        vec![(0, "INBOX", 3), (0, "INBOX", 2), (0, "INBOX", 1)]
    );
    r.reading = None;
    answer(&mut r, 0, "work", vec![hits("INBOX", &[1, 3])]);
    assert_eq!(keys(&r), vec![(0, "INBOX", 3), (0, "INBOX", 1)]);
}
