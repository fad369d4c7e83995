use super::*;

fn msg(uid: u32, id: &str, refs: &str, subject: &str, date: i64) -> ThreadInput {
    ThreadInput {
        uid,
        message_id: (!id.is_empty()).then(|| id.to_string()),
        in_reply_to: None,
        references: (!refs.is_empty()).then(|| refs.to_string()),
        subject: subject.into(),
        date: Some(date),
    }
}

#[test]
fn replies_follow_what_they_answer() {
    let t = thread(&[
        msg(1, "a", "", "Plan", 10),
        msg(2, "b", "a", "Re: Plan", 20),
        msg(3, "c", "a b", "Re: Plan", 30),
        msg(4, "d", "a", "Re: Plan", 25),
        msg(5, "e", "", "Other", 15),
    ]);
    assert_eq!(t, [(1, 0), (2, 1), (3, 2), (4, 1), (5, 0)]);
}

#[test]
fn in_reply_to_alone_is_enough() {
    let mut r = msg(2, "b", "", "Re: x", 20);
    r.in_reply_to = Some("a".into());
    assert_eq!(thread(&[msg(1, "a", "", "x", 10), r]), [(1, 0), (2, 1)]);
}

#[test]
fn a_missing_parent_keeps_the_rest_of_the_chain() {
    // b was deleted; c and d still say they follow it.
    let t = thread(&[
        msg(1, "a", "", "Plan", 10),
        msg(3, "c", "a b", "Re: Plan", 30),
        msg(4, "d", "a b c", "Re: Plan", 40),
    ]);
    assert_eq!(t, [(1, 0), (3, 1), (4, 2)]);
}

#[test]
fn a_broken_chain_is_joined_by_subject() {
    // The reply lost its References (a client that drops them).
    let t = thread(&[
        msg(1, "a", "", "Lunch on Friday", 10),
        msg(2, "b", "", "RE: Lunch on Friday", 20),
        msg(3, "c", "", "Something else", 5),
    ]);
    assert_eq!(t, [(1, 0), (2, 1), (3, 0)]);
}

#[test]
fn a_thread_whose_root_is_gone_is_still_one_thread() {
    let t = thread(&[msg(2, "b", "a", "Re: x", 20), msg(3, "c", "a", "Re: x", 30)]);
    // With the root missing, both replies stand at the top, newest thread first.
    assert_eq!(t.len(), 2);
    assert!(t.iter().all(|(_, d)| *d == 0 || *d == 1));
}

#[test]
fn loops_duplicates_and_self_references_do_not_break_it() {
    let t = thread(&[
        msg(1, "a", "b", "x", 10),
        msg(2, "b", "a", "Re: x", 20),
        msg(3, "a", "", "duplicate id", 30),
        msg(4, "d", "d", "self", 40),
        msg(5, "", "", "no id", 50),
    ]);
    let mut uids: Vec<u32> = t.iter().map(|(u, _)| *u).collect();
    uids.sort_unstable();
    assert_eq!(uids, [1, 2, 3, 4, 5], "every message once: {t:?}");
}

#[test]
fn a_hostile_chain_is_bounded_and_does_not_recurse() {
    let mut msgs = Vec::new();
    let mut refs = String::new();
    for i in 0..20_000u32 {
        msgs.push(msg(i + 1, &format!("m{i}"), &refs, "deep", i64::from(i)));
        refs.push_str(&format!(" m{i}"));
        if refs.len() > 4000 {
            refs = refs[refs.len() - 4000..].to_string();
        }
    }
    let t = thread(&msgs);
    assert_eq!(t.len(), 20_000);
    assert!(t.iter().all(|(_, d)| usize::from(*d) <= MAX_DEPTH));
}

#[test]
fn subjects_lose_prefixes_and_list_tags() {
    assert_eq!(base_subject("Re: Fwd: [team] RE[2]: Plan"), "plan");
    assert_eq!(base_subject("AW: WG: Termin"), "termin");
    assert_eq!(base_subject("Reply needed"), "reply needed");
    assert_eq!(base_subject("  "), "");
}
