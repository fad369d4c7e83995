//! One part of a message as the reader shows it on its own: an attached
//! message parsed as a message, a text part as text. Above `parts` (which
//! finds the part) and `assemble` (which parses a message).

use std::time::Instant;

use super::assemble::parse_as;
use super::decode::to_text;
use super::html;
use super::limits::{HTML_TIME_BUDGET, MAX_RAW_BYTES, MAX_TEXT_BYTES};
use super::parts::extract;
use crate::mail::view::{BodySource, MessageView};
use crate::sanitize::Clean;

/// The part at `section` as the reader shows it: an attached message as a
/// message, a text part as text. None for other parts.
pub fn view(uid: u32, raw: &[u8], section: &str) -> Option<MessageView> {
    let part = extract(raw, section)?;
    let (ctype, subtype) = part.mime.split_once('/').unwrap_or((&part.mime, ""));
    if ctype == "message" && matches!(subtype, "rfc822" | "global") {
        return Some(parse_as(uid, &part.bytes, false));
    }
    if ctype != "text" {
        return None;
    }
    let text = to_text(&part.bytes, part.charset.as_deref());
    let (body, source, note, styles, links) = if subtype == "html" {
        let h = html::to_text(&text, Instant::now() + HTML_TIME_BUDGET);
        let links = crate::mail::links::from_targets(h.links.iter().map(String::as_str));
        (h.text, BodySource::Html, h.note, h.styles, links)
    } else {
        (text, BodySource::Plain, None, Vec::new(), Vec::new())
    };
    let mut notes: Vec<Clean> = note.iter().map(|n| Clean::line(n)).collect();
    if part.damaged {
        notes.push(Clean::line(
            "The transfer encoding of this part is damaged; what could be decoded is shown.",
        ));
    }
    let cleaned = Clean::text(&body);
    // The runs point into the laid-out text, as long as cleaning left it.
    let styles = if cleaned.as_str() == body {
        styles
    } else {
        Vec::new()
    };
    let body = cleaned;
    let body = if body.len() > MAX_TEXT_BYTES {
        notes.push(Clean::line(&format!(
            "Text over {} MB is not shown.",
            MAX_TEXT_BYTES >> 20
        )));
        body.truncated(MAX_TEXT_BYTES)
    } else {
        body
    };
    let mut headers = vec![("Part", Clean::line(&format!("{section} {}", part.mime)))];
    if let Some(name) = part.file_name.as_deref() {
        headers.push(("Name", Clean::line(name)));
    }
    Some(MessageView {
        uid,
        headers,
        date: None,
        date_zone: None,
        raw: body.truncated(MAX_RAW_BYTES),
        raw_bytes: std::sync::Arc::from(body.truncated(MAX_RAW_BYTES).as_str().as_bytes()),
        html_links: links,
        body_styles: super::html_styles::within(styles, body.len()),
        body,
        source,
        attachments: Vec::new(),
        notes,
        warnings: Vec::new(),
        nested: Vec::new(),
        parts: Vec::new(),
        calendar: None,
    })
}
