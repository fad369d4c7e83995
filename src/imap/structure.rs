//! From the server's BODYSTRUCTURE to the parts of a big message worth
//! fetching for reading (see [`crate::mail::partial`]).

use std::borrow::Cow;

use async_imap::imap_proto::{
    BodyContentCommon, BodyContentSinglePart, BodyStructure, ContentEncoding,
};

use crate::mail::mime::limits::{MAX_DEPTH, MAX_PARTS};
use crate::mail::partial::{PartUse, Planner, part_header};

type Params = Vec<(String, String)>;

fn params(p: &Option<Vec<(Cow<'_, str>, Cow<'_, str>)>>) -> Params {
    p.iter()
        .flatten()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn encoding(e: &ContentEncoding<'_>) -> String {
    match e {
        ContentEncoding::SevenBit => "7bit".into(),
        ContentEncoding::EightBit => "8bit".into(),
        ContentEncoding::Binary => "binary".into(),
        ContentEncoding::Base64 => "base64".into(),
        ContentEncoding::QuotedPrintable => "quoted-printable".into(),
        ContentEncoding::Other(o) => o.to_string(),
    }
}

fn is_attachment(common: &BodyContentCommon<'_>) -> bool {
    common
        .disposition
        .as_ref()
        .is_some_and(|d| d.ty.eq_ignore_ascii_case("attachment"))
}

/// The plan for a message whose structure the server sent.
pub fn plan(body: &BodyStructure<'_>) -> Planner {
    let mut p = Planner::default();
    match body {
        // A multipart message's children are parts 1, 2, …
        BodyStructure::Multipart { .. } => walk(body, "", &mut p, 0),
        // A single-part message's body is part 1.
        _ => walk(body, "1", &mut p, 0),
    }
    p
}

fn section(prefix: &str, n: usize) -> String {
    if prefix.is_empty() {
        n.to_string()
    } else {
        format!("{prefix}.{n}")
    }
}

fn leaf(
    p: &mut Planner,
    sec: &str,
    common: &BodyContentCommon<'_>,
    other: &BodyContentSinglePart<'_>,
    used: PartUse,
) {
    let dparams = common
        .disposition
        .as_ref()
        .map(|d| (d.ty.to_string(), params(&d.params)));
    let header = part_header(
        &common.ty.ty,
        &common.ty.subtype,
        &params(&common.ty.params),
        dparams.as_ref().map(|(k, v)| (k.as_str(), v.as_slice())),
        &encoding(&other.transfer_encoding),
    );
    p.add(sec.to_string(), header, other.octets, used);
}

fn is_text(body: &BodyStructure<'_>, subtype: &str) -> bool {
    matches!(body, BodyStructure::Text { common, .. }
        if !is_attachment(common) && common.ty.subtype.eq_ignore_ascii_case(subtype))
}

/// Whether `body` or a part under it satisfies `want`.
fn holds(
    body: &BodyStructure<'_>,
    want: &dyn Fn(&BodyStructure<'_>) -> bool,
    depth: usize,
) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match body {
        BodyStructure::Multipart { bodies, .. } => bodies.iter().any(|b| holds(b, want, depth + 1)),
        other => want(other),
    }
}

/// As the reader chooses: the first alternative with plain text, else the
/// first with HTML, else the last.
fn pick_alternative(bodies: &[BodyStructure<'_>], depth: usize) -> Option<usize> {
    let find = |subtype: &str| {
        bodies
            .iter()
            .position(|b| holds(b, &|x| is_text(x, subtype), depth))
    };
    find("plain")
        .or_else(|| find("html"))
        .or_else(|| bodies.len().checked_sub(1))
}

/// Walks `body`, a part with section `sec` ("" only for a multipart
/// message itself).
fn walk(body: &BodyStructure<'_>, sec: &str, p: &mut Planner, depth: usize) {
    if depth > MAX_DEPTH || p.parts.len() >= MAX_PARTS {
        return;
    }
    match body {
        BodyStructure::Multipart { common, bodies, .. } => {
            if common.ty.subtype.eq_ignore_ascii_case("alternative")
                && let Some(i) = pick_alternative(bodies, depth + 1)
            {
                walk(&bodies[i], &section(sec, i + 1), p, depth + 1);
                return;
            }
            for (i, b) in bodies.iter().enumerate() {
                walk(b, &section(sec, i + 1), p, depth + 1);
            }
        }
        BodyStructure::Text { common, other, .. } => {
            let shown = !is_attachment(common)
                && matches!(
                    common.ty.subtype.to_ascii_lowercase().as_str(),
                    "plain" | "html"
                );
            let used = if shown {
                PartUse::Text
            } else {
                PartUse::Attachment
            };
            leaf(p, sec, common, other, used);
        }
        // Fetched whole when small, so its text shows like any attached
        // message's; never walked into.
        BodyStructure::Message { common, other, .. } => {
            leaf(p, sec, common, other, PartUse::Message)
        }
        BodyStructure::Basic { common, other, .. } => {
            leaf(p, sec, common, other, PartUse::Attachment)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_imap::imap_proto::{AttributeValue, Response};

    fn plan_of(fetch: &str) -> Vec<(String, Option<u32>, u32)> {
        let line = format!("* 1 FETCH (UID 7 BODYSTRUCTURE {fetch})\r\n");
        let (_, r) = Response::parse(line.as_bytes()).expect("parses");
        let Response::Fetch(_, attrs) = r else {
            panic!("not a fetch")
        };
        let body = attrs
            .iter()
            .find_map(|a| match a {
                AttributeValue::BodyStructure(b) => Some(b),
                _ => None,
            })
            .expect("a structure");
        plan(body)
            .parts
            .into_iter()
            .map(|p| (p.section, p.fetch, p.size))
            .collect()
    }

    #[test]
    fn a_single_part_message_is_part_one() {
        let p = plan_of(
            r#"("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 3000000 40000 NIL NIL NIL NIL)"#,
        );
        assert_eq!(p, [("1".to_string(), Some(1 << 20), 3_000_000)]);
    }

    #[test]
    fn text_is_fetched_attachments_listed_alternatives_chosen() {
        let p = plan_of(concat!(
            r#"((("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 120 3 NIL NIL NIL NIL)"#,
            r#"("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 900 10 NIL NIL NIL NIL)"#,
            r#" "ALTERNATIVE" ("BOUNDARY" "b2") NIL NIL NIL)"#,
            r#"("APPLICATION" "PDF" ("NAME" "r.pdf") NIL NIL "BASE64" 9000000 NIL ("ATTACHMENT" ("FILENAME" "r.pdf")) NIL NIL)"#,
            r#"("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "BASE64" 400 NIL ("ATTACHMENT" ("FILENAME" "notes.txt")) NIL NIL)"#,
            r#" "MIXED" ("BOUNDARY" "b1") NIL NIL NIL)"#
        ));
        assert_eq!(
            p,
            [
                ("1.1".to_string(), Some(120), 120),
                ("2".to_string(), None, 9_000_000),
                ("3".to_string(), None, 400),
            ]
        );
    }

    #[test]
    fn html_only_alternative_and_attached_messages() {
        let p = plan_of(concat!(
            r#"(("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 500 10 NIL NIL NIL NIL)"#,
            r#"("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 300 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 20 1 NIL NIL NIL NIL) 8 NIL NIL NIL NIL)"#,
            r#" "MIXED" ("BOUNDARY" "b1") NIL NIL NIL)"#
        ));
        assert_eq!(
            p,
            [
                ("1".to_string(), Some(500), 500),
                ("2".to_string(), Some(300), 300),
            ]
        );
    }
}
