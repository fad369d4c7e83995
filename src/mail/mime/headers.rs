//! Header blocks: where one ends, and what its fields say. Finding the
//! block is ours (mail-parser takes the first body line for a header when
//! the empty line is missing, and a first line of spaces for the end of
//! the headers); reading the fields is mail-parser's, on a block whose
//! folded lines were joined first (it drops a parameter whose value starts
//! on a continuation line: `name=` CRLF TAB `"report.pdf"`).

use std::ops::Range;

use mail_parser::{Address, HeaderName, HeaderValue, MessageParser};

use super::lines::Lines;
use crate::mail::envelope::full_address;

/// Where an entity's header block lies and where its body starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub header: Range<usize>,
    pub body_start: usize,
}

/// A header field line: a name of printable ASCII other than the colon,
/// then a colon (spaces before it are old but legal syntax).
fn is_field_line(line: &[u8]) -> bool {
    let name_len = line
        .iter()
        .position(|&b| !(33..=126).contains(&b) || b == b':')
        .unwrap_or(line.len());
    if name_len == 0 {
        return false;
    }
    let rest = &line[name_len..];
    let rest = &rest[rest
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count()..];
    rest.first() == Some(&b':')
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&b| b == b' ' || b == b'\t')
}

/// Reads the header block that starts at `start`. It ends at an empty line
/// (the body starts after it), at a line that is not a header (the body
/// starts with it), at a line `is_delimiter` accepts (no body) or at `end`.
/// Leading lines of spaces and an mbox `From ` line are skipped.
pub fn find_block(
    raw: &[u8],
    start: usize,
    end: usize,
    is_delimiter: impl Fn(&[u8]) -> bool,
) -> Block {
    let mut header_start = start;
    let mut seen_field = false;
    for (pos, line) in Lines::new(raw, start, end) {
        let text = line.content;
        if is_delimiter(text) {
            return Block {
                header: header_start..pos,
                body_start: pos,
            };
        }
        if text.is_empty() {
            return Block {
                header: header_start..pos,
                body_start: pos + line.len_with_eol(),
            };
        }
        if !seen_field {
            if is_blank(text) || (pos == start && text.starts_with(b"From ")) {
                header_start = pos + line.len_with_eol();
                continue;
            }
            if text[0] == b' ' || text[0] == b'\t' {
                // A continuation of nothing: dropped, as other readers do.
                header_start = pos + line.len_with_eol();
                continue;
            }
        }
        if is_field_line(text) {
            seen_field = true;
        } else if !(seen_field && (text[0] == b' ' || text[0] == b'\t')) {
            return Block {
                header: header_start..pos,
                body_start: pos,
            };
        }
    }
    Block {
        header: header_start..end,
        body_start: end,
    }
}

/// The block with folded lines joined (RFC 5322 unfolding: a line break
/// before a space or tab goes), ending in an empty line.
fn unfold(block: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(block.len() + 2);
    let mut i = 0;
    while i < block.len() {
        let b = block[i];
        let eol = match (b, block.get(i + 1)) {
            (b'\r', Some(b'\n')) => 2,
            (b'\n', _) => 1,
            _ => 0,
        };
        if eol > 0 && matches!(block.get(i + eol), Some(b' ' | b'\t')) {
            i += eol;
            continue;
        }
        out.push(b);
        i += 1;
    }
    if !out.ends_with(b"\n") && !out.is_empty() {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferEncoding {
    /// 7bit, 8bit, binary, none or unknown: the bytes are the content.
    Identity,
    Base64,
    QuotedPrintable,
}

/// The MIME fields of one entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartInfo {
    /// Lower case; "text" when the header is missing or unreadable.
    pub ctype: String,
    /// Lower case; empty when missing ("text" alone is read as text/plain).
    pub subtype: String,
    pub boundary: Option<String>,
    pub charset: Option<String>,
    /// File name from Content-Disposition, else the Content-Type name.
    pub name: Option<String>,
    /// Content-Disposition: attachment.
    pub attachment: bool,
    pub encoding: TransferEncoding,
}

impl PartInfo {
    /// RFC 2045's default type (RFC 2046's in a digest).
    pub fn default_for(in_digest: bool) -> Self {
        let (ctype, subtype) = if in_digest {
            ("message", "rfc822")
        } else {
            ("text", "plain")
        };
        PartInfo {
            ctype: ctype.into(),
            subtype: subtype.into(),
            boundary: None,
            charset: None,
            name: None,
            attachment: false,
            encoding: TransferEncoding::Identity,
        }
    }

    pub fn mime(&self) -> String {
        if self.subtype.is_empty() {
            self.ctype.clone()
        } else {
            format!("{}/{}", self.ctype, self.subtype)
        }
    }

    pub fn is(&self, ctype: &str, subtype: &str) -> bool {
        self.ctype == ctype && self.subtype == subtype
    }

    pub fn is_multipart(&self) -> bool {
        self.ctype == "multipart"
    }

    /// message/rfc822 and message/global hold a whole message.
    pub fn is_message(&self) -> bool {
        self.ctype == "message" && matches!(self.subtype.as_str(), "rfc822" | "global")
    }
}

/// The MIME fields of the block at `header` (a range of `raw`).
pub fn part_info(raw: &[u8], header: Range<usize>, in_digest: bool) -> PartInfo {
    let mut info = PartInfo::default_for(in_digest);
    let Some(block) = raw.get(header).filter(|b| !b.is_empty()) else {
        return info;
    };
    let buf = unfold(block);
    let Some(msg) = MessageParser::new().parse_headers(&buf) else {
        return info;
    };
    let headers = msg.headers();
    let first = |name: HeaderName<'static>| headers.iter().find(|h| h.name == name);
    if let Some(ct) = first(HeaderName::ContentType).and_then(|h| h.value.as_content_type()) {
        info.ctype = ct.ctype().trim().to_ascii_lowercase();
        info.subtype = ct
            .subtype()
            .map(|s| s.trim().to_ascii_lowercase())
            .unwrap_or_default();
        info.boundary = ct
            .attribute("boundary")
            .filter(|b| !b.is_empty())
            .map(str::to_string);
        info.charset = ct.attribute("charset").map(|c| c.trim().to_string());
        info.name = ct.attribute("name").map(str::to_string);
    }
    if let Some(cd) = first(HeaderName::ContentDisposition).and_then(|h| h.value.as_content_type())
    {
        info.attachment = cd.is_attachment();
        if let Some(f) = cd.attribute("filename") {
            info.name = Some(f.to_string());
        }
    }
    if let Some(cte) = first(HeaderName::ContentTransferEncoding).and_then(|h| h.value.as_text()) {
        let cte = cte.trim();
        if cte.eq_ignore_ascii_case("base64") {
            info.encoding = TransferEncoding::Base64;
        } else if cte.eq_ignore_ascii_case("quoted-printable") {
            info.encoding = TransferEncoding::QuotedPrintable;
        }
    }
    if info.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        info.name = None;
    }
    info
}

/// What a message's header block says for the reader and the list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageHeaders {
    /// "Name <address>", several joined; display names quoted as sent.
    pub from: Option<String>,
    /// The names only (or the address without one), for the list.
    pub from_names: Option<String>,
    pub to: Option<String>,
    /// The names only (or the addresses without one), for the list.
    pub to_names: Option<String>,
    pub cc: Option<String>,
    pub subject: Option<String>,
    pub date: Option<i64>,
    /// The Date field's offset from UTC in seconds (the sender's zone).
    pub date_zone: Option<i32>,
    /// Fields that must appear once but appear more often, with the count.
    pub repeated: Vec<(&'static str, usize)>,
}

/// The message fields of the block at `header`. Where a field appears
/// twice, the first is taken: a forged sender is appended below the real
/// one (transport adds its own fields above the message's).
pub fn message_headers(raw: &[u8], header: Range<usize>) -> MessageHeaders {
    let mut out = MessageHeaders::default();
    let Some(block) = raw.get(header).filter(|b| !b.is_empty()) else {
        return out;
    };
    let buf = unfold(block);
    let Some(msg) = MessageParser::new().parse_headers(&buf) else {
        return out;
    };
    let headers = msg.headers();
    let first = |name: HeaderName<'static>| headers.iter().find(|h| h.name == name);
    let address = |name: HeaderName<'static>| {
        first(name).and_then(|h| {
            let raw_value = buf
                .get(h.offset_start as usize..h.offset_end as usize)
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            match &h.value {
                HeaderValue::Address(a) => Some((quoted_full(a, &raw_value), Some(a))),
                HeaderValue::Text(t) => Some((t.to_string(), None)),
                _ => None,
            }
        })
    };
    if let Some((full, addr)) = address(HeaderName::From) {
        out.from_names = Some(match addr {
            Some(a) => crate::mail::envelope::display_address(a),
            None => full.clone(),
        });
        out.from = Some(full);
    }
    if let Some((full, addr)) = address(HeaderName::To) {
        out.to_names = Some(match addr {
            Some(a) => crate::mail::envelope::display_address(a),
            None => full.clone(),
        });
        out.to = Some(full);
    }
    out.cc = address(HeaderName::Cc).map(|(f, _)| f);
    out.subject = first(HeaderName::Subject).and_then(|h| match &h.value {
        HeaderValue::Text(t) => Some(t.to_string()),
        HeaderValue::TextList(l) => Some(l.join(" ")),
        _ => None,
    });
    if let Some(HeaderValue::DateTime(d)) = first(HeaderName::Date).map(|h| &h.value)
        && d.is_valid()
    {
        out.date = Some(d.to_timestamp());
        let zone = i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60;
        out.date_zone = Some(if d.tz_before_gmt { -zone } else { zone });
    }
    for (label, name) in [
        ("From", HeaderName::From),
        ("Subject", HeaderName::Subject),
        ("Date", HeaderName::Date),
        ("Sender", HeaderName::Sender),
    ] {
        let n = headers.iter().filter(|h| h.name == name).count();
        if n > 1 {
            out.repeated.push((label, n));
        }
    }
    out
}

/// "Name <address>" with the display name in quotes where the sender
/// quoted it or where it holds characters that need them ("Smith, John"
/// is one person, Smith, John would read as two). Quotes are for reading,
/// not parsing: no backslash escapes are shown, and a name that carries
/// its own quotes (`"ötzi"`) gets no second pair.
fn quoted_full(addr: &Address<'_>, raw_value: &str) -> String {
    let mut parts = Vec::new();
    for a in addr.iter() {
        let name = a.name().map(str::trim).filter(|n| !n.is_empty());
        match (name, a.address()) {
            (Some(n), Some(e)) => parts.push(format!("{} <{e}>", shown_name(n, raw_value))),
            _ => {
                let one = full_address_one(a.name(), a.address());
                if !one.is_empty() {
                    parts.push(one);
                }
            }
        }
    }
    if parts.is_empty() {
        return full_address(addr);
    }
    parts.join(", ")
}

/// A display name as the reader shows it next to its address.
fn shown_name(name: &str, raw_value: &str) -> String {
    let escaped = format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""));
    let needs = name.contains([',', ';', ':', '<', '>', '@', '[', ']']);
    let own_quotes = name.contains('"');
    let wrapped = name.len() >= 2 && name.starts_with('"') && name.ends_with('"');
    if wrapped && !name[1..name.len() - 1].contains('"') {
        name.to_string()
    } else if needs || (raw_value.contains(&escaped) && !own_quotes) {
        format!("\"{name}\"")
    } else {
        name.to_string()
    }
}

fn full_address_one(name: Option<&str>, addr: Option<&str>) -> String {
    match (name, addr) {
        (_, Some(e)) => e.to_string(),
        (Some(n), None) => n.trim().to_string(),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(raw: &str) -> (Block, String, String) {
        let b = find_block(raw.as_bytes(), 0, raw.len(), |_| false);
        let h = raw[b.header.clone()].to_string();
        let body = raw[b.body_start..].to_string();
        (b, h, body)
    }

    #[test]
    fn the_empty_line_ends_the_headers() {
        let (_, h, body) = block("From: a@b\r\nSubject: s\r\n\r\nbody\r\n");
        assert_eq!(h, "From: a@b\r\nSubject: s\r\n");
        assert_eq!(body, "body\r\n");
    }

    #[test]
    fn a_line_that_is_not_a_header_starts_the_body() {
        let (_, h, body) = block("From: a@b\nSubject: s\n  folded\nThis is the body.\nMore.\n");
        assert_eq!(h, "From: a@b\nSubject: s\n  folded\n");
        assert_eq!(body, "This is the body.\nMore.\n");
    }

    #[test]
    fn leading_space_lines_and_mbox_from_are_skipped() {
        let (_, h, body) = block("   \r\nFrom: a@b\r\n\r\nbody");
        assert_eq!(h, "From: a@b\r\n");
        assert_eq!(body, "body");
        let (_, h, _) = block("From someone Tue Nov  3 2026\nFrom: a@b\n\nx");
        assert_eq!(h, "From: a@b\n");
    }

    #[test]
    fn folded_parameters_are_read() {
        let raw = "Content-Type: application/pdf; name=\r\n\t\"report.pdf\"\r\nContent-Disposition: attachment;\r\n filename=\r\n \"report.pdf\"\r\n\r\n";
        let info = part_info(raw.as_bytes(), 0..raw.len() - 2, false);
        assert_eq!(info.mime(), "application/pdf");
        assert_eq!(info.name.as_deref(), Some("report.pdf"));
        assert!(info.attachment);
    }

    #[test]
    fn the_first_of_repeated_fields_counts() {
        let raw =
            "From: Real <real@x>\r\nSubject: one\r\nFrom: Forged <forged@x>\r\nSubject: two\r\n";
        let h = message_headers(raw.as_bytes(), 0..raw.len());
        assert_eq!(h.from.as_deref(), Some("Real <real@x>"));
        assert_eq!(h.subject.as_deref(), Some("one"));
        assert_eq!(h.repeated, [("From", 2), ("Subject", 2)]);
    }

    #[test]
    fn quoted_display_names_keep_their_quotes() {
        let raw = "From: \"Smith, John\" <j@x>, \"Ann Lee\" <a@x>, Bo Ek <b@x>\r\n";
        let h = message_headers(raw.as_bytes(), 0..raw.len());
        assert_eq!(
            h.from.as_deref(),
            Some("\"Smith, John\" <j@x>, \"Ann Lee\" <a@x>, Bo Ek <b@x>")
        );
    }
}
