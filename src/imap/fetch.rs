//! FETCH responses to list rows and flags, and UID sets to text.

use std::borrow::Cow;

use async_imap::imap_proto::AttributeValue;

use crate::mail::envelope::EnvelopeMeta;
use crate::mail::list_row::{self, LIST_HEADERS};
use crate::mail::types::{FlagUpdate, Flags, NewMessage};

/// What a list row is made of. No BODYSTRUCTURE: a server that has not
/// cached it would parse every message body to answer (about 30 s for
/// 100,000 messages on Dovecot).
pub fn row_query(modseq: bool) -> String {
    format!(
        "(UID FLAGS RFC822.SIZE INTERNALDATE{} BODY.PEEK[HEADER.FIELDS ({LIST_HEADERS})])",
        if modseq { " MODSEQ" } else { "" }
    )
}

/// The items of one FETCH response that sync uses.
#[derive(Debug, Default)]
pub struct Items<'a> {
    pub uid: Option<u32>,
    pub flags: Option<Flags>,
    pub size: Option<u32>,
    pub internal_date: Option<i64>,
    /// The first body section (header fields, or the whole message).
    pub section: Option<&'a [u8]>,
    pub modseq: Option<u64>,
}

pub fn items<'a>(attrs: &'a [AttributeValue<'a>]) -> Items<'a> {
    let mut it = Items::default();
    for a in attrs {
        match a {
            AttributeValue::Uid(u) => it.uid = Some(*u),
            AttributeValue::Flags(f) => it.flags = Some(flags(f)),
            AttributeValue::Rfc822Size(s) => it.size = Some(*s),
            AttributeValue::InternalDate(d) => {
                it.internal_date = super::internal_date::parse(d);
            }
            AttributeValue::BodySection { data, .. } if it.section.is_none() => {
                it.section = Some(data.as_deref().unwrap_or_default());
            }
            AttributeValue::Rfc822(Some(data)) if it.section.is_none() => {
                it.section = Some(data);
            }
            AttributeValue::ModSeq(m) => it.modseq = Some(*m),
            _ => {}
        }
    }
    it
}

pub fn flags(list: &[Cow<'_, str>]) -> Flags {
    let mut f = Flags::default();
    for flag in list {
        let flag = flag.as_ref();
        if flag.eq_ignore_ascii_case("\\Seen") {
            f.seen = true;
        } else if flag.eq_ignore_ascii_case("\\Flagged") {
            f.flagged = true;
        } else if flag.eq_ignore_ascii_case("\\Answered") {
            f.answered = true;
        } else if flag.eq_ignore_ascii_case("\\Draft") {
            f.draft = true;
        } else if flag.eq_ignore_ascii_case("\\Deleted") {
            f.deleted = true;
        }
    }
    f
}

/// A list row, when the response carries a UID and the header fields.
pub fn row(it: &Items<'_>) -> Option<NewMessage> {
    let uid = it.uid.filter(|u| *u != 0)?;
    let headers = it.section?;
    Some(list_row::from_headers(
        headers,
        EnvelopeMeta {
            uid,
            flags: it.flags.unwrap_or_default(),
            size: it.size.unwrap_or(0),
            received: it.internal_date,
            has_attachment: false,
        },
    ))
}

pub fn flag_update(it: &Items<'_>) -> Option<FlagUpdate> {
    Some(FlagUpdate {
        uid: it.uid.filter(|u| *u != 0)?,
        flags: it.flags?,
    })
}

/// Ascending UIDs as an IMAP set with ranges: `1:5,7,9:12`.
pub fn uid_set(uids: &[u32]) -> String {
    let mut sorted: Vec<u32> = uids.iter().copied().filter(|u| *u != 0).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// Expands UID ranges from the server, up to `cap` UIDs in all; None if
/// they hold more (the caller then reconciles from scratch instead).
pub fn expand(ranges: &[std::ops::RangeInclusive<u32>], cap: usize) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    for r in ranges {
        let (lo, hi) = ((*r.start()).min(*r.end()), (*r.start()).max(*r.end()));
        if out.len() + (hi - lo) as usize >= cap {
            return None;
        }
        out.extend((lo..=hi).filter(|u| *u != 0));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_imap::imap_proto::Response;

    fn parse(raw: &[u8]) -> Response<'_> {
        Response::parse(raw).expect("parses").1
    }

    #[test]
    fn a_row_response_becomes_a_list_row() {
        let raw = b"* 12 FETCH (UID 4711 FLAGS (\\Seen $Junk) RFC822.SIZE 2048 INTERNALDATE \"03-Nov-2026 14:05:00 +0100\" BODY[HEADER.FIELDS (DATE FROM SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE)] {85}\r\nFrom: Ann <a@x>\r\nSubject: hello\r\nMessage-ID: <1@x>\r\nContent-Type: multipart/mixed\r\n\r\n)\r\n";
        let Response::Fetch(seq, attrs) = parse(raw) else {
            panic!()
        };
        assert_eq!(seq, 12);
        let it = items(&attrs);
        let r = row(&it).expect("row");
        assert_eq!(r.envelope.uid, 4711);
        assert!(r.envelope.flags.seen && !r.envelope.flags.flagged);
        assert_eq!(r.envelope.size, 2048);
        assert_eq!(
            r.envelope.date,
            Some(1_793_711_100),
            "no Date header: arrival time"
        );
        assert_eq!(r.envelope.subject.as_str(), "hello");
        assert!(r.envelope.has_attachment);
        assert_eq!(r.ids.message_id.as_deref(), Some("1@x"));
    }

    #[test]
    fn flags_only_and_uid_less_responses() {
        let Response::Fetch(_, attrs) =
            parse(b"* 3 FETCH (FLAGS (\\Flagged \\Answered) UID 9 MODSEQ (77))\r\n")
        else {
            panic!()
        };
        let it = items(&attrs);
        assert_eq!(it.modseq, Some(77));
        let u = flag_update(&it).expect("update");
        assert_eq!(u.uid, 9);
        assert!(u.flags.flagged && u.flags.answered && !u.flags.seen);
        assert!(row(&it).is_none(), "no header fields, no row");
        let Response::Fetch(_, attrs) = parse(b"* 3 FETCH (FLAGS (\\Seen))\r\n") else {
            panic!()
        };
        assert!(flag_update(&items(&attrs)).is_none());
    }

    #[test]
    fn uid_sets_compress_ranges() {
        assert_eq!(uid_set(&[9, 1, 2, 3, 5, 10, 11, 12, 3, 0]), "1:3,5,9:12");
        assert_eq!(uid_set(&[7]), "7");
        assert_eq!(uid_set(&[]), "");
    }

    #[test]
    fn expansion_is_capped() {
        assert_eq!(expand(&[3..=5, 9..=9], 100), Some(vec![3, 4, 5, 9]));
        assert_eq!(expand(&[1..=u32::MAX], 1000), None);
    }
}
