//! What the review screen warns about before a message is sent.

use std::fmt;

use super::Draft;
use super::address::parse_lenient;

/// Words that say something is attached, in the languages mailtui's users
/// write most (whole words, any case).
const ATTACHMENT_WORDS: &[&str] = &[
    "attach",
    "attached",
    "attaching",
    "attachment",
    "attachments",
    "anhang",
    "anhänge",
    "angehängt",
    "anbei",
    "pièce jointe",
    "pièces jointes",
    "ci-joint",
    "ci-jointe",
    "adjunto",
    "adjunta",
    "adjuntos",
    "adjuntas",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    EmptySubject,
    /// The text mentions an attachment (the word found) and none is attached.
    MissingAttachment(String),
    /// A To/Cc/Bcc entry that is not an address, as written.
    BadRecipient {
        field: &'static str,
        text: String,
    },
    /// The From field is not one address.
    BadFrom(String),
    NoRecipient,
    TooBig {
        size: u64,
        limit: u64,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::EmptySubject => f.write_str("The subject is empty."),
            Warning::MissingAttachment(word) => write!(
                f,
                "The text mentions an attachment (“{word}”) but nothing is attached."
            ),
            Warning::BadRecipient { field, text } => {
                write!(f, "{field}: “{text}” is not an email address.")
            }
            Warning::BadFrom(text) if text.is_empty() => f.write_str("There is no From address."),
            Warning::BadFrom(text) => write!(f, "From: “{text}” is not one email address."),
            Warning::NoRecipient => f.write_str("There is no recipient in To, Cc or Bcc."),
            Warning::TooBig { size, limit } => write!(
                f,
                "The message is {}, more than the {} the server accepts.",
                megabytes(*size),
                megabytes(*limit)
            ),
        }
    }
}

fn megabytes(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MB", n as f64 / f64::from(1u32 << 20))
    } else {
        format!("{} KB", n.div_ceil(1024))
    }
}

/// Everything that looks wrong with `draft`; `built_size` is the size of
/// the built message, `server_size_limit` the server's SIZE (EHLO).
pub fn warnings(
    draft: &Draft,
    built_size: Option<u64>,
    server_size_limit: Option<u64>,
) -> Vec<Warning> {
    let mut out = Vec::new();
    match parse_lenient(&draft.from) {
        (good, bad) if good.len() == 1 && bad.is_empty() => {}
        _ => out.push(Warning::BadFrom(draft.from.trim().to_string())),
    }
    let mut any = false;
    for (field, value) in [("To", &draft.to), ("Cc", &draft.cc), ("Bcc", &draft.bcc)] {
        let (good, bad) = parse_lenient(value);
        any |= !good.is_empty();
        out.extend(
            bad.into_iter()
                .map(|b| Warning::BadRecipient { field, text: b.0 }),
        );
    }
    if !any {
        out.push(Warning::NoRecipient);
    }
    if draft.subject.trim().is_empty() {
        out.push(Warning::EmptySubject);
    }
    if draft.attachments.is_empty()
        && let Some(word) = mentions_attachment(&draft.body)
    {
        out.push(Warning::MissingAttachment(word));
    }
    if let (Some(size), Some(limit)) = (built_size, server_size_limit)
        && limit > 0
        && size > limit
    {
        out.push(Warning::TooBig { size, limit });
    }
    out
}

/// The first attachment word in the user's own lines: not in quoted
/// lines, the attribution above them, a forwarded message or the
/// signature.
pub fn mentions_attachment(body: &str) -> Option<String> {
    let own = super::quote::drop_signature(body);
    let own = own
        .split(super::forward::FORWARD_SEPARATOR)
        .next()
        .unwrap_or(own);
    let lines: Vec<&str> = own.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with('>') {
            continue;
        }
        // The attribution: the line just above the quote.
        if lines
            .get(i + 1)
            .is_some_and(|next| next.trim_start().starts_with('>'))
            && line.trim_end().ends_with(':')
        {
            continue;
        }
        let lower = line.to_lowercase();
        for word in ATTACHMENT_WORDS {
            if has_word(&lower, word) {
                return Some((*word).to_string());
            }
        }
    }
    None
}

fn has_word(line: &str, word: &str) -> bool {
    let mut from = 0;
    while let Some(i) = line[from..].find(word) {
        let start = from + i;
        let end = start + word.len();
        let before = line[..start].chars().next_back();
        let after = line[end..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return true;
        }
        from = end;
    }
    false
}
