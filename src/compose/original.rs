//! What a reply, forward or recall takes from the message it starts from:
//! the header fields (decoded by mail-parser, cleaned of terminal escapes)
//! and the main text. The structure comes from mailtui's own bounded
//! splitter, as for the reader.

use std::borrow::Cow;
use std::sync::Arc;

use mail_parser::{HeaderName, HeaderValue, MessageParser, MimeHeaders};

use super::address::{Address, one_line};
use super::thread::clean_id;
use super::{AttachmentSource, DraftAttachment};
use crate::mail::mime::decode::{to_text, transfer_decode};
use crate::mail::mime::headers::{PartInfo, find_block, message_headers};
use crate::mail::mime::split::{Budget, Kind, Tree, split};
use crate::sanitize::Clean;

/// Most bytes of the original's text taken into a quote or a recalled
/// draft; the rest is left out with a note.
pub const MAX_QUOTED_BYTES: usize = 1 << 20;

#[derive(Clone, Debug, Default)]
pub struct Original {
    pub from: Vec<Address>,
    pub reply_to: Vec<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub bcc: Vec<Address>,
    pub followup_to: Vec<Address>,
    /// Delivered-To / X-Original-To: where the server delivered it.
    pub delivered_to: Vec<Address>,
    pub subject: String,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// Seconds since the epoch and the sender's offset from UTC.
    pub date: Option<(i64, i32)>,
    /// Every other field, name as written and value decoded, in order.
    pub other: Vec<(String, String)>,
}

/// The main text of a message as the user should see it in the editor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MainText {
    pub text: String,
    /// The text was converted from HTML (no plain text part).
    pub from_html: bool,
}

fn followup() -> HeaderName<'static> {
    HeaderName::Other(Cow::Borrowed("Mail-Followup-To"))
}

pub fn read_headers(raw: &[u8]) -> Original {
    let block = find_block(raw, 0, raw.len(), |_| false);
    let mut buf = raw.get(block.header).unwrap_or_default().to_vec();
    buf.extend_from_slice(b"\r\n\r\n");
    let mut out = Original::default();
    // mail-parser reads the fields it knows only while no field of its own
    // is asked for: the others come from a second reading.
    let Some(msg) = MessageParser::new().parse_headers(&buf) else {
        return out;
    };
    // The second reading: the address fields mail-parser does not know,
    // and every field it leaves raw as decoded text.
    let mut others = MessageParser::new()
        .header_address(followup())
        .header_address(HeaderName::Other(Cow::Borrowed("Delivered-To")))
        .header_address(HeaderName::Other(Cow::Borrowed("X-Original-To")));
    for h in msg.headers() {
        if is_raw_text(&h.name) {
            others = others.header_text(h.name.clone().into_owned());
        }
    }
    let second = others.parse_headers(&buf);
    let second = second.as_ref().map(|m| m.headers()).unwrap_or_default();
    let mut seen: Vec<String> = Vec::new();
    for (i, first_h) in msg.headers().iter().enumerate() {
        let from_second =
            matches!(first_h.name, HeaderName::Other(_)) || is_raw_text(&first_h.name);
        let h = match second.get(i) {
            Some(h) if from_second && h.name == first_h.name => h,
            _ => first_h,
        };
        let name = h.name.as_str().to_string();
        let lower = name.to_ascii_lowercase();
        let first = !seen.contains(&lower);
        seen.push(lower.clone());
        match lower.as_str() {
            "from" if first => out.from = addresses(&h.value),
            "reply-to" if first => {
                out.reply_to = addresses(&h.value);
                // Also a field a recalled draft keeps.
                out.other
                    .push((name, super::address::format_list(&out.reply_to)));
            }
            "to" => out.to.extend(addresses(&h.value)),
            "cc" => out.cc.extend(addresses(&h.value)),
            "bcc" => out.bcc.extend(addresses(&h.value)),
            "mail-followup-to" if first => out.followup_to = addresses(&h.value),
            "delivered-to" | "x-original-to" => out.delivered_to.extend(addresses(&h.value)),
            "subject" if first => out.subject = Clean::line(&text(&h.value, &buf, h)).to_string(),
            "message-id" if first => out.message_id = ids(&h.value).into_iter().next(),
            "in-reply-to" if first => out.in_reply_to = ids(&h.value).into_iter().next(),
            "references" if first => out.references = ids(&h.value),
            "date" if first => {
                if let HeaderValue::DateTime(d) = &h.value
                    && d.is_valid()
                {
                    let zone = i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60;
                    out.date = Some((d.to_timestamp(), if d.tz_before_gmt { -zone } else { zone }));
                }
            }
            _ => {
                let value = Clean::line(&text(&h.value, &buf, h)).to_string();
                out.other.push((name, value.trim().to_string()));
            }
        }
    }
    out
}

/// Fields mail-parser's first reading leaves as raw text (RFC 2047 words
/// not decoded): everything but the structured fields it knows.
fn is_raw_text(name: &HeaderName<'_>) -> bool {
    match name {
        HeaderName::Other(n) => !matches!(
            n.to_ascii_lowercase().as_str(),
            "mail-followup-to" | "delivered-to" | "x-original-to"
        ),
        HeaderName::From
        | HeaderName::To
        | HeaderName::Cc
        | HeaderName::Bcc
        | HeaderName::ReplyTo
        | HeaderName::Sender
        | HeaderName::Subject
        | HeaderName::Comments
        | HeaderName::Date
        | HeaderName::MessageId
        | HeaderName::InReplyTo
        | HeaderName::References
        | HeaderName::ContentType
        | HeaderName::ContentDisposition
        | HeaderName::Received
        | HeaderName::Keywords => false,
        _ => true,
    }
}

fn addresses(value: &HeaderValue<'_>) -> Vec<Address> {
    let HeaderValue::Address(a) = value else {
        return Vec::new();
    };
    a.iter()
        .filter_map(|a| {
            let email = a.address()?.trim();
            if email.is_empty() {
                return None;
            }
            let name = a
                .name()
                .map(|n| Clean::line(crate::mail::envelope::unwrapped(n.trim())).to_string())
                .filter(|n| !n.trim().is_empty());
            Some(Address {
                name,
                email: Clean::line(email).to_string(),
            })
        })
        .collect()
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let list: Vec<&str> = match value {
        HeaderValue::Text(t) => t.split_whitespace().collect(),
        HeaderValue::TextList(l) => l.iter().map(|s| s.as_ref()).collect(),
        _ => Vec::new(),
    };
    list.into_iter().filter_map(clean_id).collect()
}

/// A field's value as text: decoded where mail-parser decoded it, else
/// the raw value unfolded.
fn text(value: &HeaderValue<'_>, buf: &[u8], h: &mail_parser::Header<'_>) -> String {
    match value {
        HeaderValue::Text(t) => t.to_string(),
        HeaderValue::TextList(l) => l.join(", "),
        HeaderValue::Address(a) => {
            let list: Vec<Address> = addresses(&HeaderValue::Address(a.clone()));
            super::address::format_list(&list)
        }
        _ => {
            let raw = buf
                .get(h.offset_start as usize..h.offset_end as usize)
                .unwrap_or_default();
            one_line(String::from_utf8_lossy(raw).trim())
        }
    }
}

/// The main text: the plain text parts (format=flowed undone), else the
/// HTML parts converted to text; cleaned of escapes, within
/// [`MAX_QUOTED_BYTES`].
pub fn main_text(raw: &[u8]) -> MainText {
    let mut budget = Budget::default();
    let tree = split(raw, 0, &mut budget);
    if tree.nodes.is_empty() {
        return MainText::default();
    }
    let mut found = Found::default();
    collect(raw, &tree, 0, &mut found);
    let (text, from_html) = if !found.plain.is_empty() {
        (found.plain.join("\n"), false)
    } else if !found.html.is_empty() {
        let html: Vec<String> = found
            .html
            .iter()
            .map(|h| super::quote::html_to_text(h))
            .collect();
        (html.join("\n"), true)
    } else {
        (String::new(), false)
    };
    let mut text = Clean::text(&text).to_string();
    if text.len() > MAX_QUOTED_BYTES {
        let mut end = MAX_QUOTED_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str(&format!(
            "\n[… the rest of the text, over {} KB, is left out]\n",
            MAX_QUOTED_BYTES >> 10
        ));
    }
    MainText { text, from_html }
}

#[derive(Default)]
struct Found {
    plain: Vec<String>,
    html: Vec<String>,
}

fn is_plain(info: &PartInfo) -> bool {
    info.ctype == "text" && matches!(info.subtype.as_str(), "" | "plain")
}

fn collect(raw: &[u8], tree: &Tree, id: usize, found: &mut Found) {
    let node = &tree.nodes[id];
    match node.kind {
        Kind::Multipart if node.info.subtype == "alternative" => {
            if let Some(&child) =
                crate::mail::mime::assemble::pick_alternative_by(tree, &node.children, &is_plain)
            {
                collect(raw, tree, child, found);
            }
        }
        Kind::Multipart => {
            for &child in &node.children {
                collect(raw, tree, child, found);
            }
        }
        // Attached messages are attachments, not the text.
        Kind::Message => {}
        Kind::Leaf => {
            let info = &node.info;
            if info.attachment || node.opaque {
                return;
            }
            let html = info.is("text", "html");
            if !is_plain(info) && !html {
                return;
            }
            let body = raw.get(node.body.clone()).unwrap_or_default();
            let text = to_text(
                &transfer_decode(body, info.encoding),
                info.charset.as_deref(),
            );
            if html {
                found.html.push(text);
            } else {
                let (flowed, delsp) = flowed_params(raw, node.header.clone());
                found.plain.push(if flowed {
                    super::flowed::unflow(&text, delsp)
                } else {
                    text
                });
            }
        }
    }
}

/// format=flowed and DelSp=yes of a part's Content-Type.
fn flowed_params(raw: &[u8], header: std::ops::Range<usize>) -> (bool, bool) {
    let mut buf = raw.get(header).unwrap_or_default().to_vec();
    buf.extend_from_slice(b"\r\n\r\n");
    let Some(msg) = MessageParser::new().parse_headers(&buf) else {
        return (false, false);
    };
    let Some(ct) = msg.content_type() else {
        return (false, false);
    };
    let is = |name: &str, want: &str| {
        ct.attribute(name)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case(want))
    };
    (is("format", "flowed"), is("delsp", "yes"))
}

/// The original's attachments (named parts, parts that are not text,
/// attached messages whole; not the text), each with its decoded bytes,
/// for a forward or a recalled draft. One pass over the part tree.
pub fn attachments(raw: &[u8]) -> Vec<DraftAttachment> {
    let mut budget = Budget::default();
    let tree = split(raw, 0, &mut budget);
    let mut out = Vec::new();
    if !tree.nodes.is_empty() {
        collect_attachments(raw, &tree, 0, &mut out);
    }
    out
}

fn collect_attachments(raw: &[u8], tree: &Tree, id: usize, out: &mut Vec<DraftAttachment>) {
    let node = &tree.nodes[id];
    let info = &node.info;
    let body = raw.get(node.body.clone()).unwrap_or_default();
    match node.kind {
        Kind::Multipart => {
            for &child in &node.children {
                collect_attachments(raw, tree, child, out);
            }
        }
        // Parts of an attached message travel inside it.
        Kind::Message => out.push(attached(
            info,
            body.to_vec(),
            out.len(),
            message_name(raw, tree, node),
        )),
        Kind::Leaf => {
            // Text parts are the message's text (a single-part message's
            // own part too), unless named or marked as attachments.
            let file = info.attachment
                || node.opaque
                || info.name.is_some()
                || info.is_message()
                || info.ctype != "text";
            if !file {
                return;
            }
            let bytes = transfer_decode(body, info.encoding).into_owned();
            let name = if info.is_message() && info.name.is_none() {
                let inner = split(&bytes, node.depth + 1, &mut Budget::default());
                inner
                    .nodes
                    .first()
                    .and_then(|n| message_headers(&bytes, n.header.clone()).subject)
            } else {
                None
            };
            out.push(attached(
                info,
                bytes,
                out.len(),
                name.map(|s| format!("{s}.eml")),
            ));
        }
    }
}

/// "Subject.eml" for an attached message without a name of its own.
fn message_name(raw: &[u8], tree: &Tree, node: &crate::mail::mime::split::Node) -> Option<String> {
    node.children
        .first()
        .and_then(|&c| message_headers(raw, tree.nodes[c].header.clone()).subject)
        .filter(|s| !s.trim().is_empty())
        .map(|s| format!("{s}.eml"))
}

fn attached(
    info: &PartInfo,
    bytes: Vec<u8>,
    n: usize,
    fallback: Option<String>,
) -> DraftAttachment {
    let mime = info.mime();
    let name = info
        .name
        .clone()
        .or(fallback)
        .map(|n| file_name(&n))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| {
            let ext = mime_guess::get_mime_extensions_str(&mime)
                .and_then(|e| e.first())
                .map(|e| format!(".{e}"))
                .unwrap_or_default();
            format!("attachment-{}{ext}", n + 1)
        });
    DraftAttachment {
        name,
        mime,
        source: AttachmentSource::Bytes(Arc::new(bytes)),
    }
}

/// A name a file can have: one line, no path separators.
fn file_name(name: &str) -> String {
    let clean = Clean::line(name).to_string();
    let base = clean.rsplit(['/', '\\']).next().unwrap_or_default();
    base.trim().to_string()
}
