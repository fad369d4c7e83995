//! The calendar part of a message, for the reader's invitation block: the
//! first `text/calendar` part of the message itself (not of an attached
//! message), else an `application/ics` part or a `.ics` attachment, read
//! with its charset and parsed within the calendar limits.

use super::decode::{to_text, transfer_decode};
use super::headers::PartInfo;
use super::split::{Kind, Tree};
use crate::calendar::CalendarPart;
use crate::calendar::limits::MAX_ICS_BYTES;

fn is_calendar(info: &PartInfo) -> bool {
    info.is("text", "calendar")
}

fn is_ics_file(info: &PartInfo) -> bool {
    info.is("application", "ics")
        || info.name.as_deref().is_some_and(|n| {
            n.to_ascii_lowercase()
                .trim_end_matches('"')
                .ends_with(".ics")
        })
}

/// The leaves of the message itself, in document order: multiparts are
/// opened, attached messages are not.
fn own_leaves(tree: &Tree) -> Vec<usize> {
    let mut out = Vec::new();
    let mut stack = vec![0usize];
    while let Some(id) = stack.pop() {
        let Some(n) = tree.nodes.get(id) else {
            continue;
        };
        match n.kind {
            Kind::Leaf if !n.opaque => out.push(id),
            Kind::Multipart => stack.extend(n.children.iter().rev()),
            _ => {}
        }
    }
    out
}

/// The message's calendar part, parsed; None when it has none.
pub fn find(raw: &[u8], tree: &Tree) -> Option<CalendarPart> {
    let leaves = own_leaves(tree);
    let id = leaves
        .iter()
        .find(|&&id| is_calendar(&tree.nodes[id].info))
        .or_else(|| leaves.iter().find(|&&id| is_ics_file(&tree.nodes[id].info)))?;
    let n = &tree.nodes[*id];
    let body = raw.get(n.body.clone()).unwrap_or_default();
    // Transfer encoding grows a part by a third at most: a body far over
    // the limit is not decoded at all.
    if body.len() > MAX_ICS_BYTES * 2 {
        return Some(CalendarPart::NotRead(
            crate::calendar::NotRead::TooBig(body.len() >> 10).to_string(),
        ));
    }
    let bytes = transfer_decode(body, n.info.encoding);
    if bytes.len() > MAX_ICS_BYTES {
        return Some(CalendarPart::NotRead(
            crate::calendar::NotRead::TooBig(bytes.len() >> 10).to_string(),
        ));
    }
    // iCalendar is UTF-8 by default (RFC 5545 §3.1.4).
    let charset = n.info.charset.as_deref().or(Some("utf-8"));
    let text = to_text(&bytes, charset);
    Some(CalendarPart::from_text(&text))
}

#[cfg(test)]
mod tests {
    use crate::calendar::CalendarPart;
    use crate::mail::message::parse;

    fn summary(raw: &[u8]) -> Option<String> {
        match parse(1, raw).calendar? {
            CalendarPart::Invitation(i) => i.summary,
            CalendarPart::NotRead(why) => Some(format!("not read: {why}")),
        }
    }

    const ICS: &str = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Caf\u{e9}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn the_charset_of_the_part_is_honoured() {
        let mut raw =
            b"Content-Type: text/calendar; charset=iso-8859-1; method=REQUEST\r\n\r\n".to_vec();
        raw.extend(
            ICS.replace('\u{e9}', "\u{1}")
                .bytes()
                .map(|b| if b == 1 { 0xe9 } else { b }),
        );
        assert_eq!(summary(&raw).as_deref(), Some("Café"));
        // Unlabelled: UTF-8, iCalendar's default.
        let raw = format!("Content-Type: text/calendar\r\n\r\n{ICS}");
        assert_eq!(summary(raw.as_bytes()).as_deref(), Some("Café"));
    }

    #[test]
    fn an_invitation_inside_an_attached_message_is_not_the_messages_own() {
        let raw = format!(
            "Subject: fwd\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
Content-Type: text/plain\r\n\r\nforwarded\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n\
Subject: inner\r\nContent-Type: text/calendar\r\n\r\n{ICS}\r\n--b--\r\n"
        );
        assert_eq!(summary(raw.as_bytes()), None);
        // The text/calendar part wins over an .ics attachment.
        let raw = format!(
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
Content-Type: application/ics; name=other.ics\r\n\r\n{}\r\n--b\r\n\
Content-Type: text/calendar\r\n\r\n{ICS}\r\n--b--\r\n",
            ICS.replace("Caf\u{e9}", "Other")
        );
        assert_eq!(summary(raw.as_bytes()).as_deref(), Some("Café"));
    }
}
