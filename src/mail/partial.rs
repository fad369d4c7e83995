//! Big messages are not fetched whole. The server describes the message's
//! parts (IMAP BODYSTRUCTURE); the text parts are fetched, each capped, and
//! put together with the message's header into a stand-in message that the
//! usual MIME path reads. Parts left out (attachments, text over the
//! budget) stay in the stand-in as empty parts marked with their section
//! and size, so the reader lists them and a save can fetch them later.
//!
//! The marks are honoured only for a stand-in built here (the store keeps
//! the kind with the body): a sender who writes the same fields into a
//! mail gains nothing.

use std::collections::HashMap;

/// Messages up to this size are fetched whole, in one round trip. Above it
/// the reader gets the text parts only.
pub const WHOLE_FETCH_MAX: u32 = 2 << 20;
/// Bytes of one text part fetched for reading.
pub const TEXT_PART_MAX: u32 = 1 << 20;
/// Bytes fetched for reading one big message, all parts together.
pub const SHOWN_MAX: u32 = 4 << 20;
/// Attached messages up to this size are fetched whole (so their text
/// shows inline); bigger ones are listed like attachments.
pub const NESTED_WHOLE_MAX: u32 = 512 << 10;
/// Longest parameter value copied from the server's description.
const MAX_PARAM_CHARS: usize = 1000;

/// Field names of the marks (ours; dropped from the message's own header).
const MARK_PARTIAL: &str = "X-Mailtui-Partial";
const MARK_SECTION: &str = "X-Mailtui-Section";
const MARK_LEFT_OUT: &str = "X-Mailtui-Left-Out";
const MARK_CUT: &str = "X-Mailtui-Cut";

/// A message as fetched for reading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    pub raw: Vec<u8>,
    /// `raw` is a stand-in built by [`assemble`], not the message itself.
    pub partial: bool,
}

impl Fetched {
    pub fn whole(raw: Vec<u8>) -> Self {
        Fetched {
            raw,
            partial: false,
        }
    }
}

/// One leaf part of a big message, as the server described it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedPart {
    /// IMAP section ("1", "2.1", …).
    pub section: String,
    /// Its MIME header, built from the description.
    pub header: String,
    /// Size in the message (transfer-encoded).
    pub size: u32,
    /// Bytes to fetch; None: left out, listed only.
    pub fetch: Option<u32>,
}

/// What a part is, as far as choosing what to fetch goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartUse {
    /// text/plain or text/html shown inline.
    Text,
    /// message/rfc822: inline if small enough.
    Message,
    /// Anything else, or a part the sender marked as an attachment.
    Attachment,
}

/// Decides what to fetch of each part in document order: text parts up to
/// [`TEXT_PART_MAX`] each, small attached messages whole, all within
/// [`SHOWN_MAX`]; the rest left out.
#[derive(Debug)]
pub struct Planner {
    left: u32,
    pub parts: Vec<PlannedPart>,
}

impl Default for Planner {
    fn default() -> Self {
        Planner {
            left: SHOWN_MAX,
            parts: Vec::new(),
        }
    }
}

impl Planner {
    pub fn add(&mut self, section: String, header: String, size: u32, used: PartUse) {
        let want = match used {
            PartUse::Text => Some(size.min(TEXT_PART_MAX)),
            PartUse::Message if size <= NESTED_WHOLE_MAX => Some(size),
            PartUse::Message | PartUse::Attachment => None,
        };
        let fetch = want.filter(|w| *w <= self.left);
        if let Some(n) = fetch {
            self.left -= n;
        }
        self.parts.push(PlannedPart {
            section,
            header,
            size,
            fetch,
        });
    }
}

/// A parameter value made safe to write back into a header: no quotes,
/// backslashes or control characters, capped.
fn param_value(v: &str) -> String {
    v.chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .take(MAX_PARAM_CHARS)
        .collect()
}

/// A token (type, subtype, parameter name): what is allowed in one, else "x".
fn token(v: &str) -> String {
    let t: String = v
        .chars()
        .filter(|c| c.is_ascii_graphic() && !"()<>@,;:\\\"/[]?=".contains(*c) || *c == '*')
        .take(100)
        .collect::<String>()
        .to_ascii_lowercase();
    if t.is_empty() { "x".into() } else { t }
}

fn params_text(params: &[(String, String)]) -> String {
    let mut out = String::new();
    for (k, v) in params {
        let k = token(k);
        let v = param_value(v);
        if k.ends_with('*') && !v.contains(' ') {
            // RFC 2231 extended value (charset''percent-encoded): unquoted.
            out.push_str(&format!(";\r\n\t{k}={v}"));
        } else {
            out.push_str(&format!(";\r\n\t{k}=\"{v}\""));
        }
    }
    out
}

/// A part's MIME header from the server's description of it.
pub fn part_header(
    ctype: &str,
    subtype: &str,
    params: &[(String, String)],
    disposition: Option<(&str, &[(String, String)])>,
    encoding: &str,
) -> String {
    let mut h = format!(
        "Content-Type: {}/{}{}\r\n",
        token(ctype),
        token(subtype),
        params_text(params)
    );
    if let Some((kind, dparams)) = disposition {
        h.push_str(&format!(
            "Content-Disposition: {}{}\r\n",
            token(kind),
            params_text(dparams)
        ));
    }
    h.push_str(&format!(
        "Content-Transfer-Encoding: {}\r\n",
        token(encoding)
    ));
    h
}

/// Whether a header line starts a field this module replaces.
fn replaced_field(line: &[u8]) -> bool {
    let name_end = line.iter().position(|&b| b == b':').unwrap_or(0);
    let name = String::from_utf8_lossy(&line[..name_end]).to_ascii_lowercase();
    let name = name.trim();
    name.starts_with("content-") || name == "mime-version" || name.starts_with("x-mailtui-")
}

/// The message's header without its MIME fields (and without any field
/// named like our marks), line ends kept.
fn outer_header(header: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(header.len());
    let mut dropping = false;
    for line in header.split_inclusive(|&b| b == b'\n') {
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content.is_empty() {
            // The end of the block.
            break;
        }
        let continued = matches!(content.first(), Some(b' ' | b'\t'));
        if !continued {
            dropping = replaced_field(content);
        }
        if !dropping {
            out.extend_from_slice(content);
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// The part of `data` up to its last line break, when it was cut short:
/// no half line, no half quoted-printable escape or base64 group.
fn whole_lines(data: &[u8]) -> &[u8] {
    match data.iter().rposition(|&b| b == b'\n') {
        Some(end) => &data[..=end],
        None => data,
    }
}

/// The stand-in message: the original header (its MIME fields replaced),
/// then every planned part, fetched or marked as left out.
pub fn assemble(
    header: &[u8],
    size: u32,
    parts: &[PlannedPart],
    fetched: &HashMap<String, Vec<u8>>,
) -> Vec<u8> {
    // The boundary must not occur in any fetched part.
    let mut boundary = String::from("mailtui-part");
    while fetched
        .values()
        .any(|d| d.windows(boundary.len()).any(|w| w == boundary.as_bytes()))
    {
        boundary.push('x');
    }
    let mut out = outer_header(header);
    out.extend_from_slice(
        format!(
            "{MARK_PARTIAL}: {size}\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
        )
        .as_bytes(),
    );
    for p in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        out.extend_from_slice(p.header.as_bytes());
        out.extend_from_slice(format!("{MARK_SECTION}: {}\r\n", p.section).as_bytes());
        match fetched.get(&p.section).filter(|_| p.fetch.is_some()) {
            Some(data) => {
                let data = if (data.len() as u64) < u64::from(p.size) {
                    out.extend_from_slice(format!("{MARK_CUT}: {}\r\n", p.size).as_bytes());
                    whole_lines(data)
                } else {
                    data
                };
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(data);
                if !data.ends_with(b"\n") {
                    out.extend_from_slice(b"\r\n");
                }
            }
            None => {
                out.extend_from_slice(format!("{MARK_LEFT_OUT}: {}\r\n\r\n", p.size).as_bytes());
            }
        }
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// A size for a note: "23.4 MB", "512 KB".
pub fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1u32 << 20))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// The marks in one header block of a stand-in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    /// The whole message's size (on the stand-in's own header).
    pub partial: Option<u64>,
    pub section: Option<String>,
    /// Left out; its size in the message.
    pub left_out: Option<u64>,
    /// Fetched only in part; its full size.
    pub cut: Option<u64>,
}

/// Reads the marks of a header block (written by [`assemble`]: one line
/// each, never folded).
pub fn marks(block: &[u8]) -> Marks {
    let mut m = Marks::default();
    for line in block.split(|&b| b == b'\n') {
        let line = String::from_utf8_lossy(line);
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let number = || value.parse::<u64>().ok();
        match name.trim() {
            n if n.eq_ignore_ascii_case(MARK_PARTIAL) => m.partial = number(),
            n if n.eq_ignore_ascii_case(MARK_SECTION) => {
                let ok = !value.is_empty()
                    && value.len() <= 64
                    && value.chars().all(|c| c.is_ascii_digit() || c == '.');
                m.section = ok.then(|| value.to_string());
            }
            n if n.eq_ignore_ascii_case(MARK_LEFT_OUT) => m.left_out = number(),
            n if n.eq_ignore_ascii_case(MARK_CUT) => m.cut = number(),
            _ => {}
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_part(section: &str, size: u32) -> (String, String, u32, PartUse) {
        (
            section.into(),
            part_header(
                "text",
                "plain",
                &[("charset".into(), "utf-8".into())],
                None,
                "7bit",
            ),
            size,
            PartUse::Text,
        )
    }

    #[test]
    fn the_planner_fetches_text_within_the_budget_and_lists_the_rest() {
        let mut p = Planner::default();
        let (s, h, n, u) = text_part("1", 3 << 20);
        p.add(s, h, n, u);
        p.add("2".into(), "x".into(), 30 << 20, PartUse::Attachment);
        p.add("3".into(), "x".into(), 100 << 10, PartUse::Message);
        p.add("4".into(), "x".into(), 5 << 20, PartUse::Message);
        for i in 5..10 {
            let (s, h, n, u) = text_part(&i.to_string(), 900 << 10);
            p.add(s, h, n, u);
        }
        let fetch: Vec<Option<u32>> = p.parts.iter().map(|p| p.fetch).collect();
        assert_eq!(fetch[0], Some(TEXT_PART_MAX), "a big text part is capped");
        assert_eq!(fetch[1], None, "attachments are left out");
        assert_eq!(fetch[2], Some(100 << 10), "a small attached message whole");
        assert_eq!(fetch[3], None, "a big attached message is listed");
        let total: u32 = fetch.iter().flatten().sum();
        assert!(total <= SHOWN_MAX, "{total}");
        assert_eq!(
            fetch.last(),
            Some(&None),
            "text past the budget is left out"
        );
    }

    #[test]
    fn headers_from_the_description_cannot_break_out() {
        let h = part_header(
            "application",
            "pdf\r\nX-Evil: 1",
            &[("name".into(), "a\"b\\c\r\nd.pdf".into())],
            Some((
                "attachment",
                &[("filename*".into(), "utf-8''r%C3%A9.pdf".into())],
            )),
            "base64",
        );
        assert_eq!(h.matches("\r\n").count(), 5, "{h}");
        assert!(h.contains("application/pdfx-evil1"), "{h}");
        assert!(h.contains("name=\"abcd.pdf\""), "{h}");
        assert!(h.contains("filename*=utf-8''r%C3%A9.pdf"), "{h}");
    }

    #[test]
    fn the_stand_in_keeps_the_header_and_marks_each_part() {
        let header = b"From: a@x\r\nContent-Type: multipart/mixed;\r\n\tboundary=zz\r\nSubject: big\r\nX-Mailtui-Partial: 1\r\n\r\n";
        let mut p = Planner::default();
        let (s, h, _, u) = text_part("1", 10);
        p.add(s, h, 40, u);
        p.add(
            "2".into(),
            part_header(
                "application",
                "zip",
                &[],
                Some(("attachment", &[("filename".into(), "a.zip".into())])),
                "base64",
            ),
            9_000_000,
            PartUse::Attachment,
        );
        let mut fetched = HashMap::new();
        fetched.insert("1".to_string(), b"line one\r\nline tw".to_vec());
        let raw = assemble(header, 9_500_000, &p.parts, &fetched);
        let text = String::from_utf8(raw.clone()).unwrap();
        assert!(text.starts_with("From: a@x\r\nSubject: big\r\nX-Mailtui-Partial: 9500000\r\n"));
        assert!(!text.contains("boundary=zz"), "{text}");
        assert!(
            text.contains("X-Mailtui-Cut: 40\r\n\r\nline one\r\n--"),
            "{text}"
        );
        assert!(text.contains("X-Mailtui-Section: 2\r\nX-Mailtui-Left-Out: 9000000\r\n"));
        let m = marks(b"X-Mailtui-Section: 2.1\r\nX-Mailtui-Left-Out: 12\r\n");
        assert_eq!(m.section.as_deref(), Some("2.1"));
        assert_eq!(m.left_out, Some(12));
        assert_eq!(marks(b"X-Mailtui-Section: 1 UID 3\r\n").section, None);
    }

    #[test]
    fn marks_count_only_in_a_stand_in() {
        let mut p = Planner::default();
        p.add(
            "2".into(),
            part_header(
                "application",
                "pdf",
                &[("name".into(), "r.pdf".into())],
                None,
                "base64",
            ),
            3_000_000,
            PartUse::Attachment,
        );
        let raw = assemble(b"Subject: s\r\n", 3_100_000, &p.parts, &HashMap::new());
        let v = crate::mail::message::parse_as(1, &raw, true);
        assert_eq!(v.attachments[0].remote.as_deref(), Some("2"));
        assert_eq!(v.attachments[0].size, 3_000_000);
        assert!(v.notes[0].as_str().contains("3.0 MB"), "{:?}", v.notes);
        // The same bytes sent by a stranger: an empty part, no note.
        let v = crate::mail::message::parse_as(1, &raw, false);
        assert_eq!(
            (v.attachments[0].remote.as_deref(), v.attachments[0].size),
            (None, 0)
        );
        assert!(v.notes.is_empty(), "{:?}", v.notes);
    }

    #[test]
    fn the_boundary_never_occurs_in_a_part() {
        let mut p = Planner::default();
        let (s, h, n, u) = text_part("1", 30);
        p.add(s, h, n, u);
        let mut fetched = HashMap::new();
        fetched.insert(
            "1".to_string(),
            b"--mailtui-part\r\n--mailtui-partx\r\n".to_vec(),
        );
        let raw = String::from_utf8(assemble(b"Subject: s\r\n", 30, &p.parts, &fetched)).unwrap();
        assert!(raw.contains("boundary=\"mailtui-partxx\""), "{raw}");
    }
}
