//! The editor file: written, read back, and what is wrong with it.

use super::*;

fn draft() -> Draft {
    Draft {
        from: "Alice Martin <alice@example.org>".into(),
        to: "\"Okafor, Bob\" <bob@x.example>, jm@example.de".into(),
        cc: String::new(),
        bcc: "boss@example.org".into(),
        subject: "Re: Grüße".into(),
        extra: vec![("X-Priority".into(), "1".into())],
        body: "Hello,\n\n> quoted\n\n-- \nAlice\n".into(),
        in_reply_to: Some("p@x".into()),
        references: vec!["r@x".into(), "p@x".into()],
        attachments: vec![DraftAttachment::file("/tmp/report.pdf")],
        calendar: None,
    }
}

#[test]
fn the_file_shows_every_editable_header_and_reads_back_the_same() {
    let d = draft();
    let file = to_editor(&d);
    assert_eq!(
        file,
        "From: Alice Martin <alice@example.org>\n\
         To: \"Okafor, Bob\" <bob@x.example>, jm@example.de\n\
         Cc: \n\
         Bcc: boss@example.org\n\
         Subject: Re: Grüße\n\
         X-Priority: 1\n\
         \n\
         Hello,\n\n> quoted\n\n-- \nAlice\n"
    );
    assert_eq!(from_editor(&file, &d), Ok(d));
}

#[test]
fn folded_lines_any_case_and_unknown_headers_are_read() {
    let file = "FROM: Alice <alice@example.org>\r\n\
        to: bob@x.example,\r\n\tcarol@x.example\r\n\
        TO: dan@y.example\r\n\
        subject: a long\r\n   subject\r\n\
        X-Custom: kept\r\n\
        Organization: Example\r\n\
        X-Empty:\r\n\
        \r\n\
        Body\r\nline 2\r\n";
    let previous = draft();
    let d = from_editor(file, &previous).expect("parses");
    assert_eq!(d.from, "Alice <alice@example.org>");
    assert_eq!(d.to, "bob@x.example, carol@x.example, dan@y.example");
    assert_eq!(d.cc, "");
    assert_eq!(d.subject, "a long subject");
    assert_eq!(
        d.extra,
        [
            ("X-Custom".to_string(), "kept".to_string()),
            ("Organization".to_string(), "Example".to_string())
        ]
    );
    assert_eq!(d.body, "Body\nline 2\n");
    // Carried from the draft the file was made from.
    assert_eq!(d.in_reply_to, previous.in_reply_to);
    assert_eq!(d.references, previous.references);
    assert_eq!(d.attachments, previous.attachments);
}

#[test]
fn bad_header_lines_are_named() {
    let previous = draft();
    let err = |file: &str| from_editor(file, &previous).expect_err(file);

    let e = err("From: a@b\nTo: c@d\nthis is text\n\nbody\n");
    assert_eq!((e.line, e.kind), (3, EditorErrorKind::BadHeader));
    assert!(
        e.to_string()
            .starts_with("Line 3: “this is text” is not a header"),
        "{e}"
    );

    let e = err("From: a@b\nReply To: c@d\n\nbody\n");
    assert_eq!(e.line, 2);
    assert!(
        e.to_string().contains("“Reply To” is not a header name"),
        "{e}"
    );

    let e = err("  To: a@b\n\nbody\n");
    assert_eq!(e.line, 1);

    let e = err("To: a@b\nSubject: one\nSubject: two\n\nbody\n");
    assert_eq!(e.line, 3);
    assert!(e.to_string().contains("also on line 2"), "{e}");

    let e = err("To: a@b\nMessage-ID: <x@y>\n\nbody\n");
    assert_eq!(e.line, 2);
    assert!(
        e.to_string().contains("Message-ID is set by mailtui"),
        "{e}"
    );

    let many: String = (0..=MAX_EDITOR_HEADERS)
        .map(|i| format!("X-H{i}: v\n"))
        .collect();
    assert_eq!(err(&format!("{many}\nbody")).line, MAX_EDITOR_HEADERS + 1);
}

#[test]
fn an_empty_file_is_nothing_written() {
    let previous = draft();
    for file in [
        "",
        "\n\n  \n",
        "From: Alice <alice@example.org>\nTo: \nCc:\nBcc: \nSubject: \n\n\n",
        "From: Alice <alice@example.org>\nTo:\nSubject:\n\n\n-- \nAlice\n",
    ] {
        let e = from_editor(file, &previous).expect_err(file);
        assert_eq!(
            (e.kind, e.line),
            (EditorErrorKind::NothingWritten, 0),
            "{file:?}"
        );
        assert!(e.to_string().contains("othing was written"), "{e}");
    }
    // A subject alone is something.
    assert!(from_editor("Subject: note to self\n\n", &previous).is_ok());
}

#[test]
fn a_deleted_from_line_keeps_the_sender() {
    let previous = draft();
    let d = from_editor("To: bob@x.example\nSubject: s\n\nbody\n", &previous).expect("parses");
    assert_eq!(d.from, previous.from);
}
