use super::*;
use crate::mail::mime::part_view::view;
use crate::mail::view::BodySource;

/// A forward with everything: alternative text, a PDF, an attached
/// message (itself with an attachment), and a base64-encoded attached
/// message.
const MIXED: &str = "From: a@x\r\nSubject: files\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n\
--m\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n\
--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain words\r\n\
--a\r\nContent-Type: text/html\r\n\r\n<p>html words</p>\r\n--a--\r\n\
--m\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n\
--m\r\nContent-Type: message/rfc822\r\n\r\n\
Subject: Inner note\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n\
--i\r\nContent-Type: text/plain\r\n\r\ninner text\r\n\
--i\r\nContent-Type: text/csv; name=\"data.csv\"\r\n\r\na,b\r\n1,2\r\n--i--\r\n\
--m\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n\
U3ViamVjdDogRW5jb2RlZA0KDQpkZWVwIGJvZHkNCg==\r\n\
--m--\r\n";

fn sections(raw: &str) -> Vec<(String, PartKind, String, bool)> {
    list(raw.as_bytes())
        .into_iter()
        .map(|p| (p.section, p.kind, p.label.to_string(), p.attachment))
        .collect()
}

#[test]
fn parts_are_numbered_as_imap_numbers_them() {
    let s = sections(MIXED);
    let expect = [
        ("1.1", PartKind::Text, "", false),
        ("1.2", PartKind::Html, "", false),
        ("2", PartKind::Other, "report.pdf", true),
        ("3", PartKind::Message, "Inner note", true),
        ("3.1", PartKind::Text, "", false),
        ("3.2", PartKind::Text, "data.csv", true),
        ("4", PartKind::Message, "Encoded", true),
        ("4.1", PartKind::Text, "", false),
    ];
    let got: Vec<(&str, PartKind, &str, bool)> = s
        .iter()
        .map(|(a, k, l, att)| (a.as_str(), *k, l.as_str(), *att))
        .collect();
    assert_eq!(got, expect);
    // A single-part message has one part, "1".
    assert_eq!(
        sections("Subject: x\r\n\r\nhello\r\n"),
        [("1".into(), PartKind::Text, String::new(), false)]
    );
}

#[test]
fn every_listed_part_can_be_taken_back_by_its_number() {
    let raw = MIXED.as_bytes();
    let pdf = extract(raw, "2").unwrap();
    assert_eq!(pdf.bytes, b"%PDF-1.4\n");
    assert_eq!(
        (pdf.file_name.as_deref(), pdf.mime.as_str(), pdf.damaged),
        (Some("report.pdf"), "application/pdf", false)
    );
    assert_eq!(extract(raw, "1.1").unwrap().bytes, b"plain words");
    assert_eq!(extract(raw, "3.2").unwrap().bytes, b"a,b\r\n1,2");
    let inner = extract(raw, "3").unwrap();
    assert!(inner.bytes.starts_with(b"Subject: Inner note\r\n"));
    assert_eq!(inner.file_name.as_deref(), Some("Inner note.eml"));
    let encoded = extract(raw, "4").unwrap();
    assert!(
        encoded.bytes.starts_with(b"Subject: Encoded"),
        "{encoded:?}"
    );
    assert_eq!(encoded.file_name.as_deref(), Some("Encoded.eml"));
    assert_eq!(extract(raw, "4.1").unwrap().bytes, b"deep body\r\n");
    for p in list(raw) {
        assert!(extract(raw, &p.section).is_some(), "{}", p.section);
    }
    for bad in ["", "0", "9", "1", "2.1", "x", "1..1", "3.9"] {
        assert!(extract(raw, bad).is_none(), "{bad}");
    }
}

#[test]
fn a_broken_transfer_encoding_gives_what_decodes_and_says_so() {
    let raw = "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\n\
Content-Type: application/octet-stream; name=\"x.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
SGVs\r\n!!! junk !!!\r\nbG8h\r\n--m--\r\n";
    let p = extract(raw.as_bytes(), "1").unwrap();
    assert!(p.damaged);
    assert!(p.bytes.starts_with(b"Hel"), "{:?}", p.bytes);
}

#[test]
fn text_parts_and_attached_messages_open_as_views() {
    let raw = MIXED.as_bytes();
    let inner = view(7, raw, "3").unwrap();
    assert_eq!(inner.headers[0], ("Subject", Clean::line("Inner note")));
    assert!(inner.body.as_str().contains("inner text"));
    // Its own parts, numbered under it: 3 + 2 = 3.2.
    assert_eq!(inner.parts[1].section, "2");
    assert_eq!(join("3", &inner.parts[1].section), "3.2");
    let csv = view(7, raw, "3.2").unwrap();
    assert!(csv.body.as_str().contains("1,2"));
    let html = view(7, raw, "1.2").unwrap();
    assert_eq!(html.source, BodySource::Html);
    assert!(html.body.as_str().contains("html words"));
    assert!(view(7, raw, "2").is_none(), "a PDF is not shown as text");
}
