use super::*;
use crate::mail::backend::Changes;
use crate::mail::envelope::{EnvelopeMeta, from_headers};
use crate::mail::types::{Flags, ThreadIds};

fn seen() -> Flags {
    Flags {
        seen: true,
        ..Flags::default()
    }
}

fn known(uids: &[u32]) -> Known {
    Known::new(uids.iter().map(|u| (*u, Flags::default())).collect())
}

fn selected(validity: u32, uid_next: u32, modseq: Option<u64>) -> Selected {
    Selected {
        exists: 0,
        uid_validity: validity,
        uid_next: Some(uid_next),
        highest_modseq: modseq,
        changes: None,
        read_only: false,
    }
}

fn stored(validity: u32, uid_next: u32, modseq: Option<u64>) -> FolderSync {
    FolderSync {
        uid_validity: validity,
        uid_next: Some(uid_next),
        highest_modseq: modseq,
        synced_at: Some(1),
    }
}

fn row(uid: u32) -> NewMessage {
    NewMessage {
        envelope: from_headers(
            b"Subject: x\r\n\r\n",
            EnvelopeMeta {
                uid,
                ..Default::default()
            },
        ),
        ids: ThreadIds::default(),
        sender: None,
    }
}

#[test]
fn first_open_lists_everything_and_scans_no_known_rows() {
    let p = on_select(None, &Known::default(), &selected(7, 10, Some(5)));
    assert_eq!(p.reset, None);
    assert!(p.list_uids);
}

#[test]
fn rows_without_folder_state_are_dropped() {
    let p = on_select(None, &known(&[1, 2]), &selected(7, 10, None));
    assert!(p.reset.is_some());
}

#[test]
fn uidvalidity_change_resets() {
    let p = on_select(
        Some(&stored(7, 10, None)),
        &known(&[1]),
        &selected(8, 10, None),
    );
    assert!(
        p.reset.as_deref().is_some_and(|r| r.contains("7 to 8")),
        "{p:?}"
    );
    assert!(p.list_uids);
}

#[test]
fn uidvalidity_zero_is_never_trusted() {
    let p = on_select(
        Some(&stored(0, 10, None)),
        &known(&[1]),
        &selected(0, 10, None),
    );
    assert!(p.reset.is_some());
}

#[test]
fn uidnext_going_down_resets() {
    let p = on_select(
        Some(&stored(7, 10, None)),
        &known(&[1]),
        &selected(7, 4, None),
    );
    assert!(
        p.reset.as_deref().is_some_and(|r| r.contains("UIDNEXT")),
        "{p:?}"
    );
}

#[test]
fn modseq_decides_the_flag_plan() {
    let k = known(&[1, 2, 3]);
    let same = on_select(Some(&stored(7, 4, Some(50))), &k, &selected(7, 4, Some(50)));
    assert_eq!(same.flags, FlagPlan::UpToDate);
    let up = on_select(Some(&stored(7, 4, Some(50))), &k, &selected(7, 4, Some(60)));
    assert_eq!(up.flags, FlagPlan::ChangedSince(50));
    let down = on_select(Some(&stored(7, 4, Some(50))), &k, &selected(7, 4, Some(40)));
    assert_eq!(
        down.flags,
        FlagPlan::Scan,
        "a modseq going down is not trusted"
    );
    let exchange = on_select(Some(&stored(7, 4, None)), &k, &selected(7, 4, None));
    assert_eq!(exchange.flags, FlagPlan::Scan);
    let nomodseq = on_select(Some(&stored(7, 4, Some(50))), &k, &selected(7, 4, None));
    assert_eq!(nomodseq.flags, FlagPlan::Scan);
}

#[test]
fn a_qresync_answer_needs_no_uid_list() {
    let mut sel = selected(7, 4, Some(60));
    sel.changes = Some(Changes::default());
    let p = on_select(Some(&stored(7, 4, Some(50))), &known(&[1]), &sel);
    assert_eq!(
        (p.reset, p.flags, p.list_uids),
        (None, FlagPlan::UpToDate, false)
    );
}

#[test]
fn known_state_needs_a_modseq() {
    assert_eq!(stored(7, 1, None).known_state(), None);
    assert_eq!(stored(7, 1, Some(0)).known_state(), None);
    assert_eq!(
        stored(7, 1, Some(9)).known_state(),
        Some(KnownState {
            uid_validity: 7,
            highest_modseq: 9
        })
    );
}

#[test]
fn diff_finds_expunged_and_missing_ignoring_junk() {
    let (gone, missing) = diff_uids(&known(&[1, 2, 5, 9]), &[2, 9, 12, 10, 12, 0]);
    assert_eq!(gone, [1, 5]);
    assert_eq!(missing, [10, 12]);
}

#[test]
fn windows_start_with_the_newest() {
    let uids: Vec<u32> = (1..=10).collect();
    assert_eq!(
        windows_newest_first(&uids, 3, 4),
        vec![vec![8, 9, 10], vec![4, 5, 6, 7], vec![1, 2, 3]]
    );
    assert!(windows_newest_first(&[], 3, 4).is_empty());
    assert_eq!(
        flag_ranges(&known(&[2, 4, 6, 8, 10]), 2),
        [(8, 10), (4, 6), (2, 2)]
    );
}

#[test]
fn rows_outside_the_request_duplicates_and_known_are_dropped() {
    let k = known(&[3]);
    let (ok, dropped) = accept_rows(
        |u| (1..=5).contains(&u),
        &k,
        vec![row(4), row(4), row(9), row(3), row(0), row(1)],
    );
    let uids: Vec<u32> = ok.iter().map(|r| r.envelope.uid).collect();
    assert_eq!(uids, [4, 1]);
    assert_eq!(dropped, 4);
}

#[test]
fn flags_outside_the_range_are_dropped_and_the_last_word_wins() {
    let f = |uid, flags| FlagUpdate { uid, flags };
    let (ok, dropped) = accept_flags(
        10,
        20,
        vec![
            f(5, seen()),
            f(12, Flags::default()),
            f(12, seen()),
            f(25, seen()),
        ],
    );
    assert_eq!(ok, [f(12, seen())]);
    assert_eq!(dropped, 3);
}

mod properties {
    use super::*;
    use crate::mail::types::FlagUpdate;
    use proptest::prelude::*;

    fn uid() -> impl Strategy<Value = u32> {
        prop_oneof![8 => 0u32..80, 1 => Just(u32::MAX)]
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: crate::fuzz_cases(256),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Whatever UIDs a server sends back (out of range, duplicates,
        /// zero, already known), what is kept was asked for, is new and
        /// is there once; nothing asked for and new is lost.
        #[test]
        fn accepted_rows_are_what_was_asked(
            stored in prop::collection::btree_set(1u32..80, 0..40),
            lo in 1u32..60,
            span in 0u32..30,
            sent in prop::collection::vec(uid(), 0..60),
        ) {
            let k = known(&stored.iter().copied().collect::<Vec<_>>());
            let hi = lo + span;
            let rows = sent.iter().map(|u| row(*u)).collect::<Vec<_>>();
            let (kept, dropped) = accept_rows(|u| (lo..=hi).contains(&u), &k, rows);
            prop_assert_eq!(kept.len() + dropped, sent.len());
            let mut uids: Vec<u32> = kept.iter().map(|r| r.envelope.uid).collect();
            prop_assert!(uids.iter().all(|u| (lo..=hi).contains(u) && !k.contains(*u)));
            uids.sort_unstable();
            let n = uids.len();
            uids.dedup();
            prop_assert_eq!(n, uids.len(), "a UID kept twice");
            for u in &sent {
                if (lo..=hi).contains(u) && !k.contains(*u) {
                    prop_assert!(uids.contains(u), "{} lost", u);
                }
            }
        }

        /// Flag answers: inside the range only, one per UID, the last word wins.
        #[test]
        fn accepted_flags_stay_in_range(
            lo in 0u32..60,
            span in 0u32..30,
            sent in prop::collection::vec((uid(), any::<bool>()), 0..60),
        ) {
            let hi = lo + span;
            let updates: Vec<FlagUpdate> = sent
                .iter()
                .map(|(uid, s)| FlagUpdate { uid: *uid, flags: Flags { seen: *s, ..Flags::default() } })
                .collect();
            let (kept, _) = accept_flags(lo, hi, updates);
            prop_assert!(kept.iter().all(|u| u.uid != 0 && (lo..=hi).contains(&u.uid)));
            prop_assert!(kept.windows(2).all(|w| w[0].uid < w[1].uid));
            for u in &kept {
                let last = sent.iter().rev().find(|(x, _)| *x == u.uid).map(|(_, s)| *s);
                prop_assert_eq!(Some(u.flags.seen), last);
            }
        }

        /// Diffing a stored list against any server list: expunged ones
        /// were known and are gone; missing ones are new; together with
        /// what stays they make the server's list.
        #[test]
        fn uid_diff_adds_up(
            stored in prop::collection::btree_set(1u32..80, 0..40),
            server in prop::collection::vec(uid(), 0..60),
        ) {
            let k = known(&stored.iter().copied().collect::<Vec<_>>());
            let (expunged, missing) = diff_uids(&k, &server);
            let on_server: std::collections::BTreeSet<u32> =
                server.iter().copied().filter(|u| *u != 0).collect();
            let mut after: std::collections::BTreeSet<u32> =
                stored.iter().copied().filter(|u| !expunged.contains(u)).collect();
            after.extend(missing.iter().copied());
            prop_assert_eq!(after, on_server);
        }

        /// Windows cover every UID once, newest first.
        #[test]
        fn windows_cover_everything_once(
            uids in prop::collection::btree_set(1u32..10_000, 0..300),
            first in 0usize..50,
            rest in 0usize..80,
        ) {
            let uids: Vec<u32> = uids.into_iter().collect();
            let w = windows_newest_first(&uids, first, rest);
            let mut all: Vec<u32> = w.iter().rev().flatten().copied().collect();
            prop_assert_eq!(&all, &uids);
            all.dedup();
            prop_assert_eq!(all.len(), uids.len());
        }
    }
}
