//! Server data to mailtui types, and async-imap errors to [`MailError`].

use async_imap::imap_proto::{MailboxListData, NameAttribute};

use crate::mail::types::{Folder, FolderRole};
use crate::mail::{MailError, utf7};
use crate::sanitize::Clean;

pub fn folder(name: &MailboxListData<'_>) -> Folder {
    let path = name.name.to_string();
    let delim = name.delimiter.as_deref().filter(|d| !d.is_empty());
    let (depth, last) = match delim {
        Some(d) => {
            let parts: Vec<&str> = path.split(d).collect();
            (
                parts.len().saturating_sub(1),
                parts.last().copied().unwrap_or(""),
            )
        }
        None => (0, path.as_str()),
    };
    let attrs = &name.name_attributes;
    let display = utf7::decode(last);
    let role = attrs
        .iter()
        .find_map(|a| match a {
            NameAttribute::Drafts => Some(FolderRole::Drafts),
            NameAttribute::Sent => Some(FolderRole::Sent),
            NameAttribute::Archive => Some(FolderRole::Archive),
            NameAttribute::Junk => Some(FolderRole::Junk),
            NameAttribute::Trash => Some(FolderRole::Trash),
            _ => None,
        })
        .unwrap_or_else(|| FolderRole::guess(&path, &display));
    let display = if role == FolderRole::Inbox {
        "Inbox".to_string()
    } else {
        display
    };
    Folder {
        selectable: !attrs
            .iter()
            .any(|a| matches!(a, NameAttribute::NoSelect) || matches!(a, NameAttribute::Extension(e) if e.eq_ignore_ascii_case("\\NonExistent"))),
        name: Clean::line(&display),
        depth,
        role,
        path,
    }
}

/// Maps a command failure. `what` says what we were doing, for the message.
/// No arm prints an error with `{:?}`: async-imap's Debug forms dump the
/// server's bytes in decimal, which help no one on the screen or in the log.
pub fn command_error(what: &str, e: async_imap::error::Error) -> MailError {
    use async_imap::error::{Error as E, ParseError as P};
    match e {
        E::Io(e) => super::text::read_error(what, &e),
        E::ConnectionLost => MailError::Network(format!("{what}: server closed the connection")),
        E::No(msg) | E::Bad(msg) => MailError::Command(format!("{what}: {}", server_text(&msg))),
        // An unparsable response leaves the stream in an unknown state, but
        // reading it again would fail the same way: not a network error.
        E::Parse(p) => MailError::Protocol(match p {
            P::Invalid(bytes) => super::text::unreadable(what, &String::from_utf8_lossy(&bytes)),
            P::Unexpected(text) => super::text::unreadable(what, &text),
            P::Authentication(text, _) => format!(
                "{what}: the server's challenge is not base64: “{}”",
                super::text::excerpt(&text)
            ),
            P::DataNotUtf8(bytes, _) => format!(
                "{what}: the server sent text that is not UTF-8: “{}”",
                super::text::excerpt(&String::from_utf8_lossy(&bytes))
            ),
            P::ExpectedResponseNotFound(name) => format!(
                "{what}: the server did not send the {} answer",
                super::text::excerpt(&name)
            ),
        }),
        E::Validate(v) => MailError::Command(format!(
            "{what}: the text holds a character IMAP cannot send here (U+{:04X})",
            u32::from(v.0)
        )),
        other => MailError::Command(format!(
            "{what}: {}",
            super::text::excerpt(&other.to_string())
        )),
    }
}

pub fn login_error(user: &str, e: async_imap::error::Error) -> MailError {
    use async_imap::error::Error as E;
    match e {
        E::No(msg) | E::Bad(msg) => {
            let text = server_text(&msg);
            // RFC 5530: the server's own auth backend is down; try again later.
            if text.contains("UNAVAILABLE") || msg.contains("Unavailable") {
                MailError::Network(format!("server cannot check logins right now: {text}"))
            } else {
                MailError::Auth(format!("login as {user} refused: {text}"))
            }
        }
        other => command_error("login", other),
    }
}

/// The text of a NO or BAD answer. async-imap words them as
/// `code: Some(..), info: Some("text")`, with the text in Debug escapes;
/// the server's own words are what a person wants to read.
pub fn server_text(msg: &str) -> String {
    let Some((_, info)) = msg.split_once("info: ") else {
        return super::text::excerpt(msg);
    };
    let text = info
        .trim()
        .strip_prefix("Some(")
        .and_then(|rest| rest.strip_suffix(')'))
        .map(super::text::undebug)
        .unwrap_or_default();
    if text.trim().is_empty() {
        "refused (the server gave no reason)".to_string()
    } else {
        super::text::excerpt(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_extracts_the_information() {
        assert_eq!(
            server_text(
                r#"code: None, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")"#
            ),
            "[AUTHENTICATIONFAILED] Authentication failed."
        );
        assert_eq!(
            server_text(r#"code: None, info: Some("say \"hi\"")"#),
            "say \"hi\""
        );
        assert_eq!(server_text("odd"), "odd");
    }

    #[test]
    fn unavailable_login_is_transient_and_refusal_is_not() {
        let e = login_error(
            "bob",
            async_imap::error::Error::No(
                r#"code: None, info: Some("[UNAVAILABLE] Temporary failure")"#.into(),
            ),
        );
        assert!(e.is_transient());
        let e = login_error(
            "bob",
            async_imap::error::Error::No(
                r#"code: None, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")"#.into(),
            ),
        );
        assert!(
            matches!(e, MailError::Auth(ref m) if m.contains("bob") && m.contains("Authentication failed")),
            "{e:?}"
        );
    }

    #[test]
    fn no_or_bad_text_loses_the_debug_wrapping() {
        assert_eq!(
            server_text(r#"code: Some(Alert), info: Some("a \\ b \u{1b}[2J \"q\"")"#),
            "a \\ b  \"q\"",
            "escape sequences go whole"
        );
        assert_eq!(
            server_text("code: Some(TryCreate), info: None"),
            "refused (the server gave no reason)"
        );
    }

    #[test]
    fn parse_errors_name_the_command_and_show_text() {
        use async_imap::error::{Error as E, ParseError as P};
        let e = command_error(
            "open INBOX",
            E::Parse(P::Invalid(b"* 42 WHAT \x1b".to_vec())),
        );
        assert_eq!(
            e.to_string(),
            "open INBOX: the server sent a response mailtui cannot read: “* 42 WHAT”"
        );
        let bytes = b"caf\xe9 \x1b[31m".to_vec();
        let Err(utf8) = std::str::from_utf8(&bytes) else {
            panic!()
        };
        let e = command_error("login", E::Parse(P::DataNotUtf8(bytes.clone(), utf8)));
        let text = e.to_string();
        assert!(!text.contains("[99, 97"), "{text}");
        assert!(
            text.starts_with("login: the server sent text that is not UTF-8: “caf"),
            "{text}"
        );
        let e = command_error(
            "search",
            E::Validate(async_imap::error::ValidateError('\x1b')),
        );
        assert_eq!(
            e.to_string(),
            "search: the text holds a character IMAP cannot send here (U+001B)"
        );
    }
}
