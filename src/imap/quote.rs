//! Text made into IMAP arguments: folder names as quoted strings, user
//! text quoted or as a literal. Nothing with a control character is ever
//! sent inside quotes.

use super::text::excerpt;
use crate::mail::MailError;

/// A mailbox name as an IMAP quoted string. Names come from the server's
/// own LIST; one with a control character in it (a line break, ESC, BEL …)
/// is refused rather than sent raw inside quotes.
pub fn quote(name: &str) -> Result<String, MailError> {
    if name.chars().any(char::is_control) {
        return Err(MailError::Command(format!(
            "the folder name “{}” contains control characters; mailtui does not send those to the server",
            excerpt(name)
        )));
    }
    Ok(format!(
        "\"{}\"",
        name.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

/// User text as an IMAP argument: a quoted string only when it is plain
/// printable ASCII, else a literal, so that no control character ever sits
/// inside quotes. Control characters are dropped first (the prompt never
/// lets them in, and a search for one means nothing).
pub enum Argument {
    Quoted(String),
    /// `{n}`: text to send after the server's go-ahead (or at once with
    /// LITERAL+).
    Literal(Vec<u8>),
}

pub fn argument(text: &str) -> Argument {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    let plain = clean.bytes().all(|b| (0x20..0x7f).contains(&b));
    match quote(&clean) {
        // Quotes and backslashes are escaped, as the grammar allows.
        Ok(q) if plain => Argument::Quoted(q),
        _ => Argument::Literal(clean.into_bytes()),
    }
}
