//! The file the user's editor opens: the editable headers (From, To, Cc,
//! Bcc, Subject always, then any others), an empty line, the text. The
//! threading headers and attachments are not in it: they are carried
//! over from the draft the file was made from.

use std::fmt;

use super::Draft;
use super::address::one_line;

/// Most header fields read back from the file.
pub const MAX_EDITOR_HEADERS: usize = 100;

/// Fields mailtui sets itself when it builds the message; written in the
/// file they would be sent twice or contradict the real ones.
const SET_BY_MAILTUI: &[&str] = &[
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "in-reply-to",
    "references",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditorErrorKind {
    /// The file is empty, or has no recipient, subject or text.
    NothingWritten,
    /// A line of the header block is not a header.
    BadHeader,
}

/// What is wrong with the file the editor left; `line` counts from 1
/// (0 when the whole file is meant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditorError {
    pub line: usize,
    pub message: String,
    pub kind: EditorErrorKind,
}

impl EditorError {
    fn at(line: usize, message: impl Into<String>) -> Self {
        EditorError {
            line,
            message: message.into(),
            kind: EditorErrorKind::BadHeader,
        }
    }
}

impl fmt::Display for EditorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            EditorErrorKind::NothingWritten => f.write_str(&self.message),
            EditorErrorKind::BadHeader => write!(f, "Line {}: {}", self.line, self.message),
        }
    }
}

impl std::error::Error for EditorError {}

/// The editor file for `draft`.
pub fn to_editor(draft: &Draft) -> String {
    let mut out = String::with_capacity(draft.body.len() + 256);
    for (name, value) in [
        ("From", &draft.from),
        ("To", &draft.to),
        ("Cc", &draft.cc),
        ("Bcc", &draft.bcc),
        ("Subject", &draft.subject),
    ] {
        out.push_str(&format!("{name}: {}\n", one_line(value.trim())));
    }
    for (name, value) in &draft.extra {
        let name: String = name
            .chars()
            .filter(|c| c.is_ascii_graphic() && *c != ':')
            .collect();
        if name.is_empty() {
            continue;
        }
        out.push_str(&format!("{name}: {}\n", one_line(value.trim())));
    }
    out.push('\n');
    out.push_str(&draft.body.replace("\r\n", "\n"));
    out
}

/// The draft the edited file describes; threading headers and
/// attachments come from `previous`.
pub fn from_editor(text: &str, previous: &Draft) -> Result<Draft, EditorError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n");
    if text.trim().is_empty() {
        return Err(nothing("The file is empty: nothing was written."));
    }
    // (first line number, name, value) of each field.
    let mut fields: Vec<(usize, String, String)> = Vec::new();
    let mut body_start = text.len();
    let mut pos = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let n = i + 1;
        let content = line.trim_end_matches('\n');
        if content.trim().is_empty() {
            body_start = pos + line.len();
            break;
        }
        pos += line.len();
        if content.starts_with([' ', '\t']) {
            let Some(last) = fields.last_mut() else {
                return Err(EditorError::at(
                    n,
                    "the file starts with an indented line; a header (Name: value) must come first.",
                ));
            };
            last.2.push(' ');
            last.2.push_str(content.trim());
            continue;
        }
        let Some((name, value)) = content.split_once(':') else {
            return Err(EditorError::at(
                n,
                format!(
                    "“{}” is not a header (Name: value). The headers end at the first empty line; the text comes after it.",
                    shown(content)
                ),
            ));
        };
        let name = name.trim_end();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_graphic()) {
            return Err(EditorError::at(
                n,
                format!(
                    "“{}” is not a header name (letters, digits and dashes, no spaces).",
                    shown(name)
                ),
            ));
        }
        if SET_BY_MAILTUI.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(EditorError::at(
                n,
                format!("{name} is set by mailtui when the message is sent; remove this line."),
            ));
        }
        if fields.len() >= MAX_EDITOR_HEADERS {
            return Err(EditorError::at(
                n,
                format!("more than {MAX_EDITOR_HEADERS} headers; mailtui reads no more."),
            ));
        }
        fields.push((n, name.to_string(), value.trim().to_string()));
    }
    let mut draft = Draft {
        in_reply_to: previous.in_reply_to.clone(),
        references: previous.references.clone(),
        attachments: previous.attachments.clone(),
        calendar: previous.calendar.clone(),
        body: text.get(body_start..).unwrap_or_default().to_string(),
        ..Draft::default()
    };
    let mut once: Vec<(String, usize)> = Vec::new();
    for (n, name, value) in fields {
        let value = one_line(value.trim());
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "from" | "subject" => {
                if let Some((_, first)) = once.iter().find(|(l, _)| *l == lower) {
                    return Err(EditorError::at(
                        n,
                        format!("{name} is written twice (also on line {first}); keep one."),
                    ));
                }
                once.push((lower.clone(), n));
                if lower == "from" {
                    draft.from = value;
                } else {
                    draft.subject = value;
                }
            }
            "to" => append(&mut draft.to, &value),
            "cc" => append(&mut draft.cc, &value),
            "bcc" => append(&mut draft.bcc, &value),
            _ if !value.is_empty() => draft.extra.push((name, value)),
            _ => {}
        }
    }
    if !once.iter().any(|(l, _)| l == "from") {
        // The From line was deleted: the sender stays who it was.
        draft.from = previous.from.clone();
    }
    let no_text = super::quote::drop_signature(&draft.body).trim().is_empty();
    if draft.to.is_empty()
        && draft.cc.is_empty()
        && draft.bcc.is_empty()
        && draft.subject.is_empty()
        && no_text
    {
        return Err(nothing(
            "Nothing was written: no recipient, no subject and no text.",
        ));
    }
    Ok(draft)
}

fn nothing(message: &str) -> EditorError {
    EditorError {
        line: 0,
        message: message.to_string(),
        kind: EditorErrorKind::NothingWritten,
    }
}

fn append(list: &mut String, value: &str) {
    if value.is_empty() {
        return;
    }
    if !list.is_empty() {
        list.push_str(", ");
    }
    list.push_str(value);
}

/// A line as quoted in an error: one line, not too long.
fn shown(s: &str) -> String {
    let s = crate::sanitize::Clean::line(s).to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}
