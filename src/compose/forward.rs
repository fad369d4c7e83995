//! Forwarding: inline (a header block and the text, the attachments
//! carried along) or the whole message attached as message/rfc822.

use std::sync::Arc;

use super::address::format_list;
use super::original::{MainText, Original};
use super::quote::readable_date;
use super::{AttachmentSource, DraftAttachment};

pub const FORWARD_SEPARATOR: &str = "---------- Forwarded message ----------";

/// Longest file name given to an attached message (from its subject).
const MAX_EML_NAME_CHARS: usize = 80;

/// The block an inline forward puts below the user's text.
pub fn inline_block(original: &Original, text: &MainText) -> String {
    let mut out = String::new();
    out.push_str(FORWARD_SEPARATOR);
    out.push('\n');
    let mut field = |name: &str, value: String| {
        if !value.trim().is_empty() {
            out.push_str(&format!("{name}: {value}\n"));
        }
    };
    field("From", format_list(&original.from));
    field(
        "Date",
        original
            .date
            .and_then(|(ts, zone)| {
                let sign = if zone < 0 { '-' } else { '+' };
                let z = zone.unsigned_abs();
                readable_date(ts, zone)
                    .map(|d| format!("{d} {sign}{:02}{:02}", z / 3600, z % 3600 / 60))
            })
            .unwrap_or_default(),
    );
    field("Subject", original.subject.clone());
    field("To", format_list(&original.to));
    field("Cc", format_list(&original.cc));
    out.push('\n');
    let body = text.text.trim_end();
    let body = body.trim_start_matches('\n');
    out.push_str(body);
    out.push('\n');
    out
}

/// The whole original as one attachment, named after its subject.
pub fn as_attachment(original: &Original, raw: &[u8]) -> DraftAttachment {
    DraftAttachment {
        name: eml_name(&original.subject),
        mime: "message/rfc822".to_string(),
        source: AttachmentSource::Bytes(Arc::new(raw.to_vec())),
    }
}

/// "Subject.eml" with characters file systems refuse replaced.
fn eml_name(subject: &str) -> String {
    let base: String = subject
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .take(MAX_EML_NAME_CHARS)
        .collect();
    let base = base.trim().trim_matches('.');
    if base.is_empty() {
        "forwarded message.eml".to_string()
    } else {
        format!("{base}.eml")
    }
}
