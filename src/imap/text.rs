//! What a server said, or how the connection failed, as text for an error
//! message: one line, short, clean.

use crate::mail::MailError;

/// Text for a server response in an error message: one line, short, clean.
pub fn excerpt(text: &str) -> String {
    cut(text, 200)
}

/// `text` on one line, cleaned, at most `max` characters (then `…`).
fn cut(text: &str, max: usize) -> String {
    let clean = crate::sanitize::Clean::line(text);
    let mut s: String = clean.as_str().trim().chars().take(max).collect();
    if clean.as_str().trim().chars().count() > max {
        s.push('…');
    }
    s
}

/// Longest piece of an unreadable response quoted in a message.
const UNREADABLE_EXCERPT: usize = 80;

/// One sentence for a response the parser rejected: the command and the
/// start of the offending line, as text.
pub fn unreadable(what: &str, response: &str) -> String {
    format!("{what}: {}", unreadable_text(response))
}

fn unreadable_text(response: &str) -> String {
    let line = response
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let shown = cut(line, UNREADABLE_EXCERPT);
    if shown.is_empty() {
        "the server sent a response mailtui cannot read".to_string()
    } else {
        format!("the server sent a response mailtui cannot read: “{shown}”")
    }
}

/// async-imap words a parse failure as `{nom error:?} during parsing of
/// {text:?}`: the nom error dumps the server's bytes in decimal. Only the
/// text is worth showing; `None` for any other error.
pub fn parse_failure_text(message: &str) -> Option<String> {
    let (_, quoted) = message.split_once(" during parsing of ")?;
    // The text is the whole unread buffer (a body can be megabytes); its
    // first line is all that is shown.
    let end = quoted
        .char_indices()
        .nth(4 * UNREADABLE_EXCERPT)
        .map_or(quoted.len(), |(i, _)| i);
    Some(undebug(&quoted[..end]))
}

/// The text of a string printed with `{:?}`: quotes gone, escapes undone.
/// Unknown escapes are kept as written; control characters come back as
/// they were, so the caller still has to clean the result.
pub fn undebug(quoted: &str) -> String {
    let inner = quoted.strip_prefix('"').unwrap_or(quoted);
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some('u') if chars.peek() == Some(&'{') => {
                chars.next();
                let hex: String = chars.by_ref().take_while(|c| *c != '}').collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(c) => out.push(c),
                    None => out.push(crate::sanitize::PLACEHOLDER),
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// What a read error says, fit for the screen and the log: the offending
/// text for a parse failure, the error's own words otherwise.
pub fn io_text(e: &std::io::Error) -> String {
    let message = e.to_string();
    match parse_failure_text(&message) {
        Some(text) => unreadable_text(&text),
        None => excerpt(&message),
    }
}

/// Maps a failed read: a parse failure or a guard limit is a protocol
/// error (reconnecting won't fix it); everything else is the network.
pub fn read_error(what: &str, e: &std::io::Error) -> MailError {
    let said = e.to_string();
    // A limit of the guard or the reader explains itself.
    if e.kind() == std::io::ErrorKind::InvalidData
        && (said.starts_with("the server sent") || said.starts_with("the server announced"))
    {
        return MailError::Protocol(format!("{what}: {}", excerpt(&said)));
    }
    match e.kind() {
        std::io::ErrorKind::Other | std::io::ErrorKind::InvalidData if !is_tls_error(e) => {
            let message = e.to_string();
            MailError::Protocol(match parse_failure_text(&message) {
                Some(text) => unreadable(what, &text),
                None => format!(
                    "{what}: the server sent something mailtui cannot read: {}",
                    excerpt(&message)
                ),
            })
        }
        _ => MailError::Network(format!("{what}: connection failed: {}", io_text(e))),
    }
}

fn is_tls_error(e: &std::io::Error) -> bool {
    e.get_ref()
        .is_some_and(|inner| inner.is::<tokio_rustls::rustls::Error>())
}
