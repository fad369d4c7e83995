//! One message turned into what the reader shows: header lines, a body as
//! text, the attachment list, attached messages, and notes on anything
//! that was left out. Runs off the UI task: [`parse_detached`] in the app.

use mail_parser::{Message, MimeHeaders, PartType};

pub use super::mime::assemble::parse_as;
pub use super::mime::detached::{parse_detached, parse_fetched};
pub use super::view::{Attachment, BodySource, MessageView, NestedMessage, PartEntry, PartKind};

/// Parses on the calling thread; bounded by the limits in
/// [`crate::mail::mime::limits`]. Prefer [`parse_detached`] from async code.
pub fn parse(uid: u32, raw: &[u8]) -> MessageView {
    parse_as(uid, raw, false)
}

/// Whether a parsed message carries something the list should mark as an
/// attachment: a part the sender marked as one, or a named non-text part.
/// Only for messages already parsed by mail-parser; for a raw message use
/// [`super::envelope::envelope_from_raw`], which stays within the limits.
pub fn has_attachment(msg: &Message<'_>) -> bool {
    msg.attachments().any(|p| {
        p.content_disposition().is_some_and(|d| d.is_attachment())
            || (p.attachment_name().is_some() && !matches!(p.body, PartType::InlineBinary(_)))
    })
}

#[cfg(test)]
mod tests {
    use crate::sanitize::Clean;
    use mail_parser::MessageParser;

    use super::*;

    fn view(raw: &str) -> MessageView {
        parse(1, raw.as_bytes())
    }

    #[test]
    fn prefers_plain_text_in_alternative() {
        let v = view(
            "From: A <a@x>\r\nSubject: hi\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nplain words\r\n\
--b\r\nContent-Type: text/html\r\n\r\n<p>html words</p>\r\n--b--\r\n",
        );
        assert_eq!(v.source, BodySource::Plain);
        assert!(v.body.as_str().contains("plain words"));
        assert!(!v.body.as_str().contains("html words"));
        assert_eq!(v.headers[0], ("From", Clean::line("A <a@x>")));
    }

    #[test]
    fn converts_html_when_it_is_all_there_is() {
        let v = view(
            "Subject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<html><head><style>p{color:red}</style></head><body><h1>Title</h1>\
<p>First <a href=\"https://example.com/x\">link</a>.</p><ul><li>one</li><li>two</li></ul>\
<script>alert(1)</script></body></html>",
        );
        assert_eq!(v.source, BodySource::Html);
        let b = v.body.as_str();
        assert!(
            b.contains("Title") && b.contains("First link.") && b.contains("* one"),
            "{b}"
        );
        assert!(!b.contains('#'), "{b}");
        // The link's target is kept whole for the links menu, which
        // numbers it; the text carries the link as a styled run.
        assert_eq!(v.html_links[0].url, "https://example.com/x");
        let link = v
            .body_styles
            .iter()
            .find(|r| r.target.is_some())
            .map(|r| &b[r.start..r.end]);
        assert_eq!(link, Some("link"));
        assert!(
            !b.contains("<p>") && !b.contains("alert") && !b.contains("color:red"),
            "{b}"
        );
    }

    #[test]
    fn decodes_charsets() {
        let latin1 = b"Subject: =?iso-8859-1?q?caf=E9?=\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe\r\n";
        let v = parse(1, latin1);
        assert!(v.body.as_str().contains("Grüße"));
        assert_eq!(v.headers[0], ("Subject", Clean::line("café")));

        let mut sjis = b"Content-Type: text/plain; charset=Shift_JIS\r\n\r\n".to_vec();
        sjis.extend_from_slice(&[0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea]);
        assert_eq!(parse(1, &sjis).body.as_str().trim(), "日本語");

        let koi8 = b"Content-Type: text/plain; charset=koi8-r\r\n\r\n\xf0\xd2\xc9\xd7\xc5\xd4";
        assert_eq!(parse(1, koi8).body.as_str().trim(), "Привет");
    }

    #[test]
    fn lists_attachments_with_sizes() {
        let v = view(
            "Subject: files\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n\
--m\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
--m\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--m--\r\n",
        );
        assert_eq!(v.attachments.len(), 1);
        assert_eq!(v.attachments[0].name.as_str(), "report.pdf");
        assert_eq!(v.attachments[0].mime.as_str(), "application/pdf");
        assert_eq!(v.attachments[0].size, 9);
        assert!(has_attachment(&MessageParser::default().parse(
            "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nx\r\n--m\r\nContent-Disposition: attachment; filename=a.bin\r\n\r\nxx\r\n--m--\r\n".as_bytes()
        ).unwrap()));
    }

    #[test]
    fn broken_mime_still_shows_something() {
        // Unterminated multipart, bogus encoding, no headers.
        let v = view(
            "Content-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64\r\n",
        );
        assert!(matches!(
            v.source,
            BodySource::Plain | BodySource::None | BodySource::Raw
        ));
        let v = view("just some text without headers");
        assert!(v.body.as_str().contains("just some text") || v.source == BodySource::None);
    }

    #[test]
    fn escape_sequences_in_bodies_are_removed() {
        let v =
            view("Subject: \x1b]0;title\x07ok\r\n\r\nline\x1b[2J one\r\n\x1b[31mred\x1b[0m\r\n");
        assert_eq!(v.headers[0].1.as_str(), "ok");
        assert!(!v.body.as_str().contains('\x1b'));
        assert!(v.body.as_str().contains("line one"));
    }
}
