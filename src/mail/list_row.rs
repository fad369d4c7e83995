//! A list row from the header fields a server sends for it: the envelope,
//! the ids the store keeps for threads, and the attachment marker guessed
//! from Content-Type alone (so listing never asks the server to parse a
//! body; BODYSTRUCTURE waits until a message is opened).

use mail_parser::{HeaderValue, MessageParser, MimeHeaders};

use super::envelope::{self, EnvelopeMeta};
use super::types::{NewMessage, Sender, ThreadIds};

/// The header fields a list row is made of; IMAP fetches exactly these.
pub const LIST_HEADERS: &str =
    "DATE FROM TO SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE";

/// Longest id or References value kept; real ones are far shorter, and a
/// hostile header should not bloat the store.
const MAX_ID_LEN: usize = 998;
const MAX_REFERENCES_LEN: usize = 8 * 1024;

pub fn from_headers(headers: &[u8], mut meta: EnvelopeMeta) -> NewMessage {
    let parsed = MessageParser::new().parse_headers(headers);
    let Some(m) = parsed.as_ref() else {
        return NewMessage {
            envelope: envelope::from_message(None, meta),
            ids: ThreadIds::default(),
            sender: None,
        };
    };
    if let Some(ct) = m.content_type() {
        meta.has_attachment |= attachment_by_type(ct.ctype(), ct.subtype());
    }
    let one = |v: &HeaderValue<'_>| -> Option<String> {
        let id = match v {
            HeaderValue::Text(t) => Some(t.to_string()),
            HeaderValue::TextList(l) => l.first().map(|t| t.to_string()),
            _ => None,
        }?;
        (id.len() <= MAX_ID_LEN).then_some(id)
    };
    let references = match m.references() {
        HeaderValue::Text(t) => Some(t.to_string()),
        HeaderValue::TextList(l) => Some(
            l.iter()
                .map(|s| s.as_ref())
                .collect::<Vec<&str>>()
                .join(" "),
        ),
        _ => None,
    }
    .map(|r| truncate_ids(r, MAX_REFERENCES_LEN));
    NewMessage {
        envelope: envelope::from_message(Some(m), meta),
        ids: ThreadIds {
            message_id: m
                .message_id()
                .filter(|id| id.len() <= MAX_ID_LEN)
                .map(str::to_string),
            in_reply_to: one(m.in_reply_to()),
            references,
        },
        sender: sender(m),
    }
}

/// The first mailbox of the first From field that has an address (groups
/// flattened); the first field, as the list's name is taken from it.
fn sender(m: &mail_parser::Message<'_>) -> Option<Sender> {
    let from = m
        .headers()
        .iter()
        .find(|h| h.name == mail_parser::HeaderName::From)?
        .value
        .as_address()?;
    let a = from.iter().find(|a| a.address().is_some())?;
    Some(Sender {
        address: a.address()?.to_string(),
        name: a.name().map(str::to_string).unwrap_or_default(),
    })
}

/// Keeps the newest ids (the end of References) within `max` bytes.
fn truncate_ids(refs: String, max: usize) -> String {
    if refs.len() <= max {
        return refs;
    }
    let mut kept: Vec<&str> = Vec::new();
    let mut len = 0;
    for id in refs.split(' ').rev() {
        if len + id.len() + 1 > max {
            break;
        }
        len += id.len() + 1;
        kept.push(id);
    }
    kept.reverse();
    kept.join(" ")
}

/// The marker mutt and Thunderbird users know: a message that is
/// multipart/mixed, or not text at all, carries something besides text.
/// multipart/alternative and multipart/related (inline images) do not.
fn attachment_by_type(ctype: &str, subtype: Option<&str>) -> bool {
    let sub = subtype.unwrap_or("").to_ascii_lowercase();
    match ctype.to_ascii_lowercase().as_str() {
        "multipart" => sub == "mixed",
        "text" | "message" => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(h: &str) -> NewMessage {
        from_headers(
            h.as_bytes(),
            EnvelopeMeta {
                uid: 3,
                ..Default::default()
            },
        )
    }

    #[test]
    fn ids_and_marker_come_from_the_header_fields() {
        let m = row("From: A <a@x>\r\nSubject: Re: hi\r\nMessage-ID: <m2@x>\r\n\
In-Reply-To: <m1@x>\r\nReferences: <m0@x>\r\n <m1@x>\r\n\
Content-Type: multipart/mixed;\r\n\tboundary=\"b\"\r\n\r\n");
        assert_eq!(m.ids.message_id.as_deref(), Some("m2@x"));
        assert_eq!(m.ids.in_reply_to.as_deref(), Some("m1@x"));
        assert_eq!(m.ids.references.as_deref(), Some("m0@x m1@x"));
        assert!(m.envelope.has_attachment);
        assert_eq!(m.envelope.subject.as_str(), "Re: hi");
        assert_eq!(m.envelope.uid, 3);
        let s = m.sender.unwrap();
        assert_eq!((s.address.as_str(), s.name.as_str()), ("a@x", "A"));
    }

    #[test]
    fn the_sender_is_the_first_address_of_from() {
        let s = row("From: =?UTF-8?Q?J=C3=BCrgen?= <JM@Example.DE>, b@x\r\n\r\n").sender;
        assert_eq!(
            s,
            Some(Sender {
                address: "JM@Example.DE".into(),
                name: "Jürgen".into()
            })
        );
        assert_eq!(row("From: undisclosed:;\r\n\r\n").sender, None);
        assert_eq!(row("Subject: no from\r\n\r\n").sender, None);
        let twice = row("From: first@x\r\nFrom: second@x\r\n\r\n").sender;
        assert_eq!(twice.map(|s| s.address).as_deref(), Some("first@x"));
    }

    #[test]
    fn alternative_and_plain_messages_have_no_marker() {
        assert!(
            !row("Content-Type: multipart/alternative; boundary=x\r\n\r\n")
                .envelope
                .has_attachment
        );
        assert!(
            !row("Content-Type: text/plain\r\n\r\n")
                .envelope
                .has_attachment
        );
        assert!(!row("Subject: none\r\n\r\n").envelope.has_attachment);
        assert!(
            row("Content-Type: application/pdf\r\n\r\n")
                .envelope
                .has_attachment
        );
    }

    #[test]
    fn hostile_ids_are_bounded() {
        let long = format!("Message-ID: <{}@x>\r\n\r\n", "a".repeat(5000));
        assert_eq!(row(&long).ids.message_id, None);
        let refs: Vec<String> = (0..2000).map(|i| format!("<id{i}@example.org>")).collect();
        let m = row(&format!("References: {}\r\n\r\n", refs.join(" ")));
        let kept = m.ids.references.unwrap_or_default();
        assert!(kept.len() <= MAX_REFERENCES_LEN);
        assert!(kept.ends_with("id1999@example.org"), "newest ids are kept");
    }
}
