//! Envelope fields from raw headers. IMAP fetches only the header fields
//! the list needs and Maildir reads the file; both end up here, so both
//! decode RFC 2047 words and charsets the same way, and both take the
//! first of repeated fields, as the reader does.

use mail_parser::{Address, HeaderName, HeaderValue, Message};

use super::mime;

use super::row_text::{BoxedClean, SharedClean};
use super::types::{Envelope, Flags};

/// What the list needs that is not in the header block.
#[derive(Clone, Copy, Debug, Default)]
pub struct EnvelopeMeta {
    pub uid: u32,
    pub flags: Flags,
    pub size: u32,
    /// Arrival time, used when the Date header is missing or broken.
    pub received: Option<i64>,
    pub has_attachment: bool,
}

/// From a header block (IMAP fetches only the header fields it needs).
pub fn from_headers(headers: &[u8], meta: EnvelopeMeta) -> Envelope {
    let block = mime::headers::find_block(headers, 0, headers.len(), |_| false);
    from_fields(&mime::headers::message_headers(headers, block.header), meta)
}

/// From a whole raw message (Maildir): the structure is read within the
/// MIME limits to see whether it has attachments, nothing is decoded, and
/// nothing in it can make this panic, recurse deeply or take long.
pub fn envelope_from_raw(raw: &[u8], meta: EnvelopeMeta) -> Envelope {
    let tree = mime::split::split(raw, 0, &mut mime::split::Budget::default());
    let fields = tree
        .nodes
        .first()
        .map(|n| mime::headers::message_headers(raw, n.header.clone()))
        .unwrap_or_default();
    let meta = EnvelopeMeta {
        has_attachment: meta.has_attachment || mime::assemble::has_attachment(&tree),
        ..meta
    };
    from_fields(&fields, meta)
}

fn from_fields(f: &mime::headers::MessageHeaders, meta: EnvelopeMeta) -> Envelope {
    Envelope {
        uid: meta.uid,
        date: f.date.or(meta.received),
        from: SharedClean::line(f.from_names.as_deref().unwrap_or_default()),
        to: SharedClean::line(list_names(f.to_names.as_deref().unwrap_or_default())),
        subject: BoxedClean::line(f.subject.as_deref().unwrap_or_default()),
        flags: meta.flags,
        has_attachment: meta.has_attachment,
        size: meta.size,
    }
}

/// From a message mail-parser already parsed (headers only, or whole).
/// Where a field appears twice the first counts, as in the reader.
pub fn from_message(parsed: Option<&Message<'_>>, meta: EnvelopeMeta) -> Envelope {
    let first = |name: HeaderName<'static>| {
        parsed.and_then(|m| {
            m.headers()
                .iter()
                .find(|h| h.name == name)
                .map(|h| &h.value)
        })
    };
    let fields = mime::headers::MessageHeaders {
        from_names: first(HeaderName::From).and_then(|v| match v {
            HeaderValue::Address(a) => Some(display_address(a)),
            HeaderValue::Text(t) => Some(t.to_string()),
            _ => None,
        }),
        to_names: first(HeaderName::To).and_then(|v| match v {
            HeaderValue::Address(a) => Some(display_address(a)),
            HeaderValue::Text(t) => Some(t.to_string()),
            _ => None,
        }),
        subject: first(HeaderName::Subject).and_then(|v| v.as_text().map(str::to_string)),
        date: first(HeaderName::Date).and_then(|v| match v {
            HeaderValue::DateTime(d) if d.is_valid() => Some(d.to_timestamp()),
            _ => None,
        }),
        ..Default::default()
    };
    from_fields(&fields, meta)
}

/// Most of a To field the list keeps: the first names are what a row has
/// room for, and a message to 500 people should not cost 500 names a row.
pub const MAX_LIST_NAMES: usize = 200;

/// The first [`MAX_LIST_NAMES`] bytes of `names` (whole characters).
fn list_names(names: &str) -> &str {
    if names.len() <= MAX_LIST_NAMES {
        return names;
    }
    let mut end = MAX_LIST_NAMES;
    while !names.is_char_boundary(end) {
        end -= 1;
    }
    &names[..end]
}

/// "Name" when there is one, else the address; several are joined. A
/// name the sender wrapped in quotes of its own (`"\"ötzi\""`, Outlook's
/// `'Bob Smith'`) is shown without them: the list has no room for marks.
pub fn display_address(addr: &Address<'_>) -> String {
    let names: Vec<String> = addr
        .iter()
        .filter_map(|a| {
            a.name()
                .map(|n| unwrapped(n.trim()))
                .filter(|n| !n.trim().is_empty())
                .or(a.address())
                .map(|s| s.trim().to_string())
        })
        .collect();
    names.join(", ")
}

/// `name` without one pair of quotes around all of it.
pub fn unwrapped(name: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = name.strip_prefix(q).and_then(|r| r.strip_suffix(q))
            && !inner.contains(q)
        {
            return inner;
        }
    }
    name
}

/// "Name <address>" for every address, for the reader's header block.
pub fn full_address(addr: &Address<'_>) -> String {
    let parts: Vec<String> = addr
        .iter()
        .map(|a| match (a.name(), a.address()) {
            (Some(n), Some(e)) if !n.trim().is_empty() => format!("{} <{}>", n.trim(), e),
            (_, Some(e)) => e.to_string(),
            (Some(n), None) => n.to_string(),
            (None, None) => String::new(),
        })
        .filter(|s| !s.is_empty())
        .collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_encoded_words_and_picks_the_display_name() {
        let h = b"From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@example.de>\r\n\
Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= aus =?UTF-8?B?S8O2bG4=?=\r\n\
Date: Tue, 03 Nov 2026 14:05:00 +0100\r\n\r\n";
        let e = from_headers(
            h,
            EnvelopeMeta {
                uid: 7,
                ..Default::default()
            },
        );
        assert_eq!(e.from.as_str(), "Jürgen Müller");
        assert_eq!(e.subject.as_str(), "Grüße aus Köln");
        assert_eq!(e.date, Some(1_793_711_100));
        assert_eq!(e.uid, 7);
    }

    #[test]
    fn the_list_shows_names_without_their_own_quotes_or_escapes() {
        let from = |h: &str| {
            let raw = format!("From: {h}\r\n\r\n");
            from_headers(raw.as_bytes(), EnvelopeMeta::default())
                .from
                .as_str()
                .to_string()
        };
        assert_eq!(from(r#""\"ötzi\"" <oetzi@web.de>"#), "ötzi");
        assert_eq!(from("=?UTF-8?Q?=22=C3=B6tzi=22?= <oetzi@web.de>"), "ötzi");
        assert_eq!(from(r#""'Bob Smith'" <b@x.example>"#), "Bob Smith");
        assert_eq!(from(r#""C:\\Users\\bob" <b@x.example>"#), r"C:\Users\bob");
        assert_eq!(from("oetzi@web.de (Ötzi Tyrol)"), "Ötzi Tyrol");
        assert_eq!(from(r#""\"\"" <q@x.example>"#), "q@x.example");
        assert_eq!(unwrapped(r#""a" and "b""#), r#""a" and "b""#);
    }

    #[test]
    fn missing_or_broken_date_falls_back_to_arrival() {
        let h = b"From: a@b.c\r\nDate: yesterday-ish\r\n\r\n";
        let e = from_headers(
            h,
            EnvelopeMeta {
                received: Some(42),
                ..Default::default()
            },
        );
        assert_eq!(e.date, Some(42));
        assert_eq!(e.from.as_str(), "a@b.c");
        assert_eq!(e.subject.as_str(), "");
    }

    #[test]
    fn hostile_subject_is_sanitized() {
        let h = b"Subject: =?UTF-8?B?G10wO3B3bmVkBxtbMzFtcmVk?=\r\n\r\n";
        let e = from_headers(h, EnvelopeMeta::default());
        assert_eq!(e.subject.as_str(), "red");
    }

    #[test]
    fn garbage_headers_give_an_empty_envelope() {
        let e = from_headers(
            b"\xff\xfe\x00garbage",
            EnvelopeMeta {
                uid: 1,
                ..Default::default()
            },
        );
        assert_eq!(e.uid, 1);
        assert!(e.subject.as_str().chars().all(|c| !c.is_control()));
    }
}
