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
pub fn command_error(what: &str, e: async_imap::error::Error) -> MailError {
    use async_imap::error::Error as E;
    match e {
        E::Io(e) => super::raw::read_error(what, &e),
        E::ConnectionLost => MailError::Network(format!("{what}: server closed the connection")),
        E::No(msg) | E::Bad(msg) => MailError::Command(format!("{what}: {}", server_text(&msg))),
        // An unparsable response leaves the stream in an unknown state, but
        // reading it again would fail the same way: not a network error.
        E::Parse(p) => MailError::Protocol(format!(
            "{what}: unreadable server response: {}",
            super::raw::excerpt(&p.to_string())
        )),
        other => MailError::Command(format!("{what}: {other}")),
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

/// async-imap renders NO/BAD as `code: Some(..), info: Some("text")`;
/// the server's own text is what a person wants to read.
/// The text of a NO or BAD answer, without async-imap's wrapping.
pub fn server_text(msg: &str) -> String {
    let info = msg
        .split_once("info: Some(\"")
        .and_then(|(_, rest)| rest.rsplit_once("\")"))
        .map(|(text, _)| text.replace("\\\"", "\""));
    match info {
        Some(text) if !text.trim().is_empty() => text.trim().to_string(),
        _ => msg.trim().to_string(),
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
}
