//! Acting on messages: move, expunge, search. Answers are read raw, since
//! async-imap's `uid_mv` / `uid_copy` throw COPYUID away.

use async_imap::imap_proto::rfc4315::UidSetMember;
use async_imap::imap_proto::{MailboxDatum, Response, ResponseCode};

use super::raw::ResponseData;

/// The (UIDVALIDITY, source→target pairs) of a COPYUID, wherever it came
/// (untagged before the expunges, as RFC 6851 says, or in the tagged OK,
/// as Gmail sends it).
pub fn copyuid<'a>(
    responses: impl IntoIterator<Item = &'a ResponseData>,
) -> Option<(u32, Vec<(u32, u32)>)> {
    for r in responses {
        let outcome = match r.parsed() {
            Response::Data { outcome, .. } | Response::Done { outcome, .. } => outcome,
            _ => continue,
        };
        if let Some(ResponseCode::CopyUid(validity, src, dst)) = &outcome.code {
            let (src, dst) = (expand(src), expand(dst));
            if src.len() == dst.len() && !src.is_empty() {
                return Some((*validity, src.into_iter().zip(dst).collect()));
            }
        }
    }
    None
}

/// Sets in COPYUID are small (what was just moved); a huge one is ignored.
fn expand(set: &[UidSetMember]) -> Vec<u32> {
    let mut out = Vec::new();
    for m in set {
        match m {
            UidSetMember::Uid(u) => out.push(*u),
            UidSetMember::UidRange(r) => {
                let (lo, hi) = ((*r.start()).min(*r.end()), (*r.start()).max(*r.end()));
                if (hi - lo) as usize > 1_000_000 {
                    return Vec::new();
                }
                out.extend(lo..=hi);
            }
        }
    }
    out
}

/// UIDs of every SEARCH answer among the responses.
pub fn searched<'a>(responses: impl IntoIterator<Item = &'a ResponseData>) -> Vec<u32> {
    let mut uids: Vec<u32> = responses
        .into_iter()
        .filter_map(|r| match r.parsed() {
            Response::MailboxData(MailboxDatum::Search(found)) => Some(found.clone()),
            _ => None,
        })
        .flatten()
        .filter(|u| *u != 0)
        .collect();
    uids.sort_unstable();
    uids.dedup();
    uids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::quote::{Argument, argument};

    fn data(raw: &str) -> ResponseData {
        let mut all = super::super::raw::parse_responses(raw.as_bytes());
        assert_eq!(all.len(), 1, "one response: {raw}");
        all.remove(0)
    }

    #[test]
    fn copyuid_is_read_from_untagged_or_tagged_answers() {
        let untagged = data("* OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n");
        assert_eq!(
            copyuid([&untagged]),
            Some((38505, vec![(304, 3956), (319, 3957), (320, 3958)]))
        );
        let tagged = data("a1 OK [COPYUID 7 5 9] Move completed.\r\n");
        assert_eq!(copyuid([&tagged]), Some((7, vec![(5, 9)])));
        let none = data("a1 OK Move completed.\r\n");
        assert_eq!(copyuid([&none]), None);
        let lopsided = data("a1 OK [COPYUID 7 5:6 9] odd\r\n");
        assert_eq!(
            copyuid([&lopsided]),
            None,
            "sets of different sizes are ignored"
        );
    }

    #[test]
    fn search_answers_merge() {
        let a = data("* SEARCH 5 3 9\r\n");
        let b = data("* SEARCH 3 12\r\n");
        assert_eq!(searched([&a, &b]), [3, 5, 9, 12]);
    }

    #[test]
    fn search_text_is_quoted_or_sent_as_a_literal() {
        let Argument::Quoted(q) = argument("say \"hi\" \\ now") else {
            panic!()
        };
        assert_eq!(q, "\"say \\\"hi\\\" \\\\ now\"");
        let Argument::Literal(l) = argument("Grüße\r\n\x00") else {
            panic!()
        };
        assert_eq!(l, "Grüße".as_bytes());
        for hostile in ["a\x1b[2Jb", "ring\x07", "c1\u{9b}x", "tab\tnl\n"] {
            match argument(hostile) {
                Argument::Quoted(q) => assert!(!q.chars().any(char::is_control), "{q:?}"),
                Argument::Literal(l) => assert!(!l.iter().any(|b| b.is_ascii_control()), "{l:?}"),
            }
        }
        let Argument::Quoted(q) = argument("\u{9b}31m\x1b") else {
            panic!("plain once the controls are gone")
        };
        assert_eq!(q, "\"31m\"");
    }
}
