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
