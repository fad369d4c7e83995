//! MIME building (read back with mail-parser), attachments, warnings.

use std::sync::Arc;

use mail_parser::{HeaderValue, MessageParser, MimeHeaders};

use super::*;

fn opts(keep_bcc: bool) -> BuildOptions {
    BuildOptions {
        now: 1_800_000_000,
        zone_offset_secs: 3600,
        keep_bcc,
        message_id: None,
        format_flowed: false,
    }
}

fn draft() -> Draft {
    Draft {
        from: "Jürgen Müller <jm@example.de>".into(),
        to: "\"Okafor, Bob\" <bob@x.example>, Zoë Ðorđević <zoe@y.example>".into(),
        cc: "carol@x.example".into(),
        bcc: "Boss <boss@example.org>, BOB@x.example".into(),
        subject: "Grüße aus Köln – 日本語の件名".into(),
        body: "Grüße,\nanbei der Bericht: naïve café ✓\n".into(),
        ..Draft::default()
    }
}

fn addrs(v: Option<&HeaderValue<'_>>) -> Vec<(Option<String>, String)> {
    match v {
        Some(HeaderValue::Address(a)) => a
            .iter()
            .map(|a| {
                (
                    a.name().map(str::to_string),
                    a.address().unwrap_or_default().to_string(),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn non_ascii_everywhere_reads_back_the_same() {
    let mut d = draft();
    d.attachments = vec![DraftAttachment {
        name: "Bericht März – ÜBERSICHT.pdf".into(),
        mime: String::new(),
        source: AttachmentSource::Bytes(Arc::new(b"%PDF-1.4\n\x00\x01\xff".to_vec())),
    }];
    let built = build(&d, &opts(false)).expect("builds");
    let head = String::from_utf8_lossy(&built.bytes);
    assert!(built.bytes.is_ascii(), "{head}");
    let m = MessageParser::new().parse(&built.bytes).expect("parses");
    assert_eq!(m.subject(), Some(d.subject.as_str()));
    assert_eq!(
        addrs(m.header("From")),
        [(Some("Jürgen Müller".into()), "jm@example.de".into())]
    );
    assert_eq!(
        addrs(m.header("To")),
        [
            (Some("Okafor, Bob".into()), "bob@x.example".into()),
            (Some("Zoë Ðorđević".into()), "zoe@y.example".into())
        ]
    );
    let text = m.body_text(0).map(|t| t.replace("\r\n", "\n"));
    assert_eq!(text.as_deref(), Some(d.body.as_str()));
    let att = m.attachment(0).expect("attachment");
    assert_eq!(att.attachment_name(), Some("Bericht März – ÜBERSICHT.pdf"));
    assert_eq!(att.contents(), b"%PDF-1.4\n\x00\x01\xff");
    assert_eq!(
        att.content_type().map(|c| (c.ctype(), c.subtype())),
        Some(("application", Some("pdf")))
    );
    // Threading-free new mail: no In-Reply-To; a Date in the given zone.
    assert!(
        head.contains("Date: Fri, 15 Jan 2027 09:00:00 +0100\r\n"),
        "{head}"
    );
    assert!(!head.contains("In-Reply-To"));
    assert_eq!(built.envelope_from, "jm@example.de");
    assert!(
        built.message_id.ends_with("@example.de"),
        "{}",
        built.message_id
    );
    assert!(head.contains(&format!("Message-ID: <{}>", built.message_id)));
}

#[test]
fn bcc_is_only_kept_for_drafts() {
    let d = draft();
    let sent = build(&d, &opts(false)).expect("builds");
    let text = String::from_utf8_lossy(&sent.bytes);
    // No Bcc field (a header line, not the letters: a random Message-ID
    // or base64 may hold "bcc").
    assert!(
        !text
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "{text}"
    );
    assert!(!text.contains("boss@example.org"), "{text}");
    assert_eq!(
        sent.recipients,
        [
            "bob@x.example",
            "zoe@y.example",
            "carol@x.example",
            "boss@example.org"
        ]
    );
    let kept = build(&d, &opts(true)).expect("builds");
    let m = MessageParser::new().parse(&kept.bytes).expect("parses");
    assert_eq!(
        addrs(m.header("Bcc")),
        [
            (Some("Boss".into()), "boss@example.org".into()),
            (None, "BOB@x.example".into())
        ]
    );
    assert_eq!(kept.recipients, sent.recipients);
}

#[test]
fn threading_headers_and_a_given_message_id() {
    let d = Draft {
        in_reply_to: Some("parent@x.example".into()),
        references: vec!["root@x.example".into(), "parent@x.example".into()],
        ..draft()
    };
    let o = BuildOptions {
        message_id: Some("<fixed@example.de>".into()),
        ..opts(false)
    };
    let built = build(&d, &o).expect("builds");
    assert_eq!(built.message_id, "fixed@example.de");
    let m = MessageParser::new().parse(&built.bytes).expect("parses");
    assert_eq!(m.message_id(), Some("fixed@example.de"));
    assert_eq!(m.in_reply_to().as_text(), Some("parent@x.example"));
    assert_eq!(m.references().as_text_list().map(|l| l.len()), Some(2));
}

#[test]
fn no_value_from_outside_can_add_a_header() {
    let d = Draft {
        from: "Alice\r\nBcc: evil@x <alice@example.org>".into(),
        to: "bob@x.example".into(),
        subject: "Hi\r\nBcc: evil@x.example\r\n\r\nfake body".into(),
        extra: vec![
            ("X-Note".into(), "one\r\nBcc: evil@x.example".into()),
            ("Reply-To".into(), "team@example.org".into()),
        ],
        attachments: vec![DraftAttachment {
            name: "a\r\nContent-Type: text/html\r\n.txt".into(),
            mime: "text/plain\r\nX-Evil: 1".into(),
            source: AttachmentSource::Bytes(Arc::new(b"x".to_vec())),
        }],
        ..Draft::default()
    };
    let built = build(&d, &opts(false)).expect("builds");
    let text = String::from_utf8_lossy(&built.bytes);
    for line in text.lines() {
        assert!(!line.starts_with("Bcc:"), "{text}");
        assert!(!line.starts_with("X-Evil"), "{text}");
        assert!(!line.starts_with("Content-Type: text/html"), "{text}");
    }
    let m = MessageParser::new().parse(&built.bytes).expect("parses");
    assert_eq!(m.subject(), Some("Hi  Bcc: evil@x.example    fake body"));
    assert_eq!(built.recipients, ["bob@x.example"]);
    let bad = Draft {
        extra: vec![("X Bad".into(), "v".into())],
        ..d
    };
    assert!(matches!(
        build(&bad, &opts(false)),
        Err(BuildError::HeaderName(_))
    ));
}

#[test]
fn format_flowed_breaks_softly_and_reads_back() {
    let para = "This paragraph is long enough that it has to be broken into several lines by the sender, softly, so that the reader can join it again.";
    let body = format!(
        "{para}\nFrom here on\n>not a quote after stuffing\n> a quote that is itself very long and must not be rewrapped by the sender at all ever\n\n-- \nAlice\n"
    );
    let d = Draft {
        body: body.clone(),
        ..draft()
    };
    let built = build(
        &d,
        &BuildOptions {
            format_flowed: true,
            ..opts(false)
        },
    )
    .expect("builds");
    let m = MessageParser::new().parse(&built.bytes).expect("parses");
    let part = m.part(m.text_body[0]).expect("text part");
    let ct = part.content_type().expect("content type");
    assert_eq!(ct.attribute("format"), Some("flowed"));
    let sent = m.body_text(0).expect("text").replace("\r\n", "\n");
    for line in sent.lines() {
        assert!(
            line.chars().count() <= 78 || line.starts_with('>'),
            "{line:?}"
        );
    }
    let first: Vec<&str> = sent.lines().take_while(|l| l.ends_with(' ')).collect();
    assert!(!first.is_empty(), "{sent}");
    assert!(sent.contains("\n From here on\n"), "stuffed: {sent}");
    assert!(sent.contains("\n-- \nAlice\n"), "{sent}");
    assert_eq!(unflow(&sent, false), body);
}

#[test]
fn flowed_round_trips_by_itself() {
    for text in [
        "short\n",
        "",
        "a\n\nb\n",
        " leading space\n",
        &format!("{}\n", "word ".repeat(50).trim_end()),
        &format!("{}\n", "x".repeat(200)),
    ] {
        let f = to_flowed(text);
        assert_eq!(unflow(&f, false), text, "{f:?}");
    }
}

#[test]
fn an_attached_message_travels_unencoded() {
    let inner = b"From: a@x\r\nSubject: inner\r\n\r\nhello\r\n".to_vec();
    let d = Draft {
        attachments: vec![DraftAttachment {
            name: "inner.eml".into(),
            mime: "message/rfc822".into(),
            source: AttachmentSource::Bytes(Arc::new(inner.clone())),
        }],
        ..draft()
    };
    let built = build(&d, &opts(false)).expect("builds");
    let text = String::from_utf8_lossy(&built.bytes);
    assert!(text.contains("Content-Type: message/rfc822"), "{text}");
    assert!(
        text.contains("Content-Transfer-Encoding: 7bit\r\n\r\nFrom: a@x\r\n"),
        "{text}"
    );
    let m = MessageParser::new().parse(&built.bytes).expect("parses");
    let att = m.attachment(0).expect("attachment");
    assert_eq!(
        att.message().and_then(|n| n.subject().map(str::to_string)),
        Some("inner".to_string())
    );
}

#[test]
fn addresses_that_do_not_parse_are_named() {
    assert_eq!(
        parse_addresses(
            "a@b.example, \"Smith, John\" <j@x.example>, Ann (work) <ann@x.example>, c@d (Cee), team: e@f.example, g@h.example;"
        ),
        Ok(vec![
            Address {
                name: None,
                email: "a@b.example".into()
            },
            Address {
                name: Some("Smith, John".into()),
                email: "j@x.example".into()
            },
            Address {
                name: Some("Ann".into()),
                email: "ann@x.example".into()
            },
            Address {
                name: Some("Cee".into()),
                email: "c@d".into()
            },
            Address {
                name: None,
                email: "e@f.example".into()
            },
            Address {
                name: None,
                email: "g@h.example".into()
            },
        ])
    );
    assert_eq!(
        parse_addresses("ok@x.example, bob at example dot org"),
        Err(BadAddress("bob at example dot org".into()))
    );
    for bad in [
        "bob@",
        "@x",
        "a b@x",
        "a@x..y",
        "Bob <bob>",
        "<a@x> trailing",
    ] {
        assert!(parse_addresses(bad).is_err(), "{bad}");
    }
    let d = Draft {
        to: "ok@x.example, nobody".into(),
        ..draft()
    };
    match build(&d, &opts(false)) {
        Err(e @ BuildError::Address { .. }) => {
            assert_eq!(e.to_string(), "To: “nobody” is not an email address.")
        }
        other => panic!("{other:?}"),
    }
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn build_with(path: &std::path::Path) -> Result<Built, BuildError> {
    let d = Draft {
        attachments: vec![DraftAttachment::file(path)],
        ..draft()
    };
    build(&d, &opts(false))
}

#[test]
fn a_file_attachment_is_read_when_built() {
    let dir = tmp();
    let path = dir.path().join("Übersicht.csv");
    std::fs::write(&path, "a;b\n1;2\n").expect("write");
    let built = build_with(&path).expect("builds");
    let m = MessageParser::new().parse(&built.bytes).expect("parses");
    let att = m.attachment(0).expect("attachment");
    assert_eq!(att.attachment_name(), Some("Übersicht.csv"));
    assert_eq!(att.contents(), b"a;b\n1;2\n");
    assert_eq!(att.content_type().map(|c| c.ctype()), Some("text"));
}

#[test]
fn attachment_paths_that_are_not_files_fail_with_a_sentence() {
    let dir = tmp();
    let missing = dir.path().join("nope.pdf");
    let e = build_with(&missing).expect_err("missing").to_string();
    assert_eq!(
        e,
        format!("The attachment {} does not exist.", missing.display())
    );

    let e = build_with(dir.path()).expect_err("directory").to_string();
    assert!(e.contains("is a directory"), "{e}");
    assert!(e.contains(&dir.path().display().to_string()), "{e}");

    let fifo = dir.path().join("pipe");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path; mkfifo only creates the node.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let e = build_with(&fifo).expect_err("fifo").to_string();
    assert!(e.contains("is not a regular file"), "{e}");
    assert!(e.contains("pipe"), "{e}");

    // 200 MB without writing them: a sparse file.
    let big = dir.path().join("big.iso");
    let f = std::fs::File::create(&big).expect("create");
    f.set_len(200 << 20).expect("set_len");
    let e = build_with(&big).expect_err("too big").to_string();
    assert_eq!(
        e,
        format!(
            "The attachment {} is 200 MB; attachments are limited to {} MB.",
            big.display(),
            MAX_ATTACHMENT_BYTES >> 20
        )
    );
    assert!(check_file(&big).is_err());
}

#[test]
fn warnings_say_what_looks_wrong() {
    let d = Draft {
        from: "Alice <alice@example.org>".into(),
        to: "bob@x.example, bob at example".into(),
        subject: " ".into(),
        body: "Hi Bob,\nthe report is attached.\n\nOn Mon, Bob wrote:\n> no attachment here\n"
            .into(),
        ..Draft::default()
    };
    let w = warnings(&d, Some(40 << 20), Some(35 << 20));
    assert_eq!(
        w,
        [
            Warning::BadRecipient {
                field: "To",
                text: "bob at example".into()
            },
            Warning::EmptySubject,
            Warning::MissingAttachment("attached".into()),
            Warning::TooBig {
                size: 40 << 20,
                limit: 35 << 20
            },
        ]
    );
    assert_eq!(
        w[0].to_string(),
        "To: “bob at example” is not an email address."
    );
    assert_eq!(
        w[3].to_string(),
        "The message is 40.0 MB, more than the 35.0 MB the server accepts."
    );

    let quiet = Draft {
        from: "Alice <alice@example.org>".into(),
        to: "bob@x.example".into(),
        subject: "Re: report".into(),
        body: "Thanks!\n\nOn Mon, Bob wrote:\n> see the attachment\n> attached\n\n-- \nAttachments are scanned.\n".into(),
        ..Draft::default()
    };
    assert_eq!(warnings(&quiet, Some(1000), Some(35 << 20)), []);

    for body in [
        "Den Bericht habe ich angehängt.",
        "Anbei die Zahlen.",
        "Vous trouverez la pièce jointe.",
        "Te envío el adjunto.",
        "ATTACHMENT: see below",
    ] {
        let d = Draft {
            body: body.into(),
            ..quiet.clone()
        };
        assert!(
            matches!(
                warnings(&d, None, None).as_slice(),
                [Warning::MissingAttachment(_)]
            ),
            "{body}"
        );
    }
    for body in ["We are attachedness fans", "reattach nothing"] {
        let d = Draft {
            body: body.into(),
            ..quiet.clone()
        };
        assert_eq!(warnings(&d, None, None), [], "{body}");
    }
    let nobody = Draft {
        to: String::new(),
        ..quiet
    };
    assert_eq!(warnings(&nobody, None, None), [Warning::NoRecipient]);
}

/// An answer to an invitation: the text and the REPLY as alternatives,
/// the method in the calendar part's Content-Type, the object intact.
#[test]
fn an_invitation_answer_carries_its_calendar_object() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mailtui//EN\r\nMETHOD:REPLY\r\n\
               BEGIN:VEVENT\r\nUID:abc@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:jm@example.de\r\n\
               END:VEVENT\r\nEND:VCALENDAR\r\n";
    let d = Draft {
        subject: "Accepted: Quartalsbericht".into(),
        body: "Jürgen has accepted this invitation.\n".into(),
        calendar: Some(ics.into()),
        ..draft()
    };
    let built = build(&d, &opts(false)).expect("builds");
    let m = MessageParser::new().parse(&built.bytes).expect("parses");
    let root = m.content_type().expect("a content type");
    assert_eq!(
        (root.ctype(), root.subtype()),
        ("multipart", Some("alternative"))
    );
    let cal = m
        .parts
        .iter()
        .find(|p| {
            p.content_type()
                .is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("calendar"))
        })
        .expect("the calendar part");
    let ct = cal.content_type().unwrap();
    assert_eq!(ct.attribute("method"), Some("REPLY"));
    assert_eq!(cal.text_contents(), Some(ics));
    assert!(m.body_text(0).unwrap().starts_with("Jürgen has accepted"));
}
