//! Starting drafts: addressing, subjects, threading, quoting, forwards,
//! recall.

use super::*;

fn me() -> Identity {
    Identity {
        name: Some("Alice Martin".into()),
        email: "alice@example.org".into(),
        aliases: vec!["Alice.M@Example.NET".into(), "*@alice.example".into()],
    }
}

fn settings() -> ComposeSettings {
    ComposeSettings::default()
}

fn reply(kind: ComposeKind, raw: &str) -> Draft {
    start(
        kind,
        Some(raw.as_bytes()),
        &me(),
        &settings(),
        1_800_000_000,
        3600,
    )
}

const OUTLOOK: &[u8] = include_bytes!("../../tests/fixtures/mime/outlook.eml");
const OUTLOOK_HTML: &[u8] = include_bytes!("../../tests/fixtures/mime/outlook-safelinks-html.eml");
const THUNDERBIRD: &[u8] = include_bytes!("../../tests/fixtures/mime/thunderbird.eml");
const GMAIL_FORWARD: &[u8] = include_bytes!("../../tests/fixtures/mime/gmail-forward.eml");

#[test]
fn reply_goes_to_reply_to_else_from() {
    let raw = "From: Bob <bob@x.example>\r\nReply-To: list@x.example\r\nTo: alice@example.org\r\nSubject: hi\r\n\r\nbody\r\n";
    let d = reply(ComposeKind::Reply, raw);
    assert_eq!(d.to, "list@x.example");
    assert_eq!(d.cc, "");
    let raw = "From: \"Okafor, Bob\" <bob@x.example>\r\nTo: alice@example.org\r\nSubject: hi\r\n\r\nbody\r\n";
    let d = reply(ComposeKind::Reply, raw);
    assert_eq!(d.to, "\"Okafor, Bob\" <bob@x.example>");
    assert_eq!(d.from, "Alice Martin <alice@example.org>");
}

#[test]
fn reply_all_leaves_out_my_addresses_and_repeats() {
    let raw = "From: Bob <bob@x.example>\r\n\
        To: ALICE@example.org, Carol <carol@x.example>,\r\n \
        alice.m@example.net, bob@X.example\r\n\
        Cc: carol@x.example, Dan <dan@y.example>, me@alice.example\r\n\
        Subject: plans\r\n\r\nbody\r\n";
    let d = reply(ComposeKind::ReplyAll, raw);
    assert_eq!(d.to, "Bob <bob@x.example>");
    assert_eq!(d.cc, "Carol <carol@x.example>, Dan <dan@y.example>");
}

#[test]
fn reply_all_honours_mail_followup_to() {
    let raw = "From: Bob <bob@x.example>\r\n\
        To: dev@lists.example\r\nCc: carol@x.example\r\n\
        Mail-Followup-To: dev@lists.example, alice@example.org\r\n\
        Subject: patch\r\n\r\nbody\r\n";
    let d = reply(ComposeKind::ReplyAll, raw);
    assert_eq!(d.to, "dev@lists.example");
    assert_eq!(d.cc, "");
}

#[test]
fn answers_come_from_the_alias_the_message_reached() {
    let raw =
        "From: Bob <bob@x.example>\r\nTo: Alice <alice.m@example.net>\r\nSubject: s\r\n\r\nb\r\n";
    assert_eq!(
        reply(ComposeKind::Reply, raw).from,
        "Alice Martin <alice.m@example.net>"
    );
    let raw = "From: Bob <bob@x.example>\r\nTo: shop@alice.example\r\nSubject: s\r\n\r\nb\r\n";
    assert_eq!(
        reply(ComposeKind::Reply, raw).from,
        "Alice Martin <shop@alice.example>"
    );
    // Both: the account's own address wins.
    let raw = "From: Bob <bob@x.example>\r\nTo: alice.m@example.net\r\nCc: alice@example.org\r\nSubject: s\r\n\r\nb\r\n";
    assert_eq!(
        reply(ComposeKind::Reply, raw).from,
        "Alice Martin <alice@example.org>"
    );
}

#[test]
fn replying_to_my_own_message_goes_to_its_recipients() {
    let raw =
        "From: Alice <alice@example.org>\r\nTo: Bob <bob@x.example>\r\nSubject: s\r\n\r\nb\r\n";
    assert_eq!(reply(ComposeKind::Reply, raw).to, "Bob <bob@x.example>");
}

#[test]
fn subject_prefixes_in_many_languages_become_one() {
    for (subject, want) in [
        ("Re: Re: RE: plans", "Re: plans"),
        ("AW: WG: Angebot", "Re: Angebot"),
        ("SV: Sv: möte", "Re: möte"),
        ("Antw: Odp: spotkanie", "Re: spotkanie"),
        ("Re[2]: Re^3: numbers", "Re: numbers"),
        ("TR : RE : devis", "Re: devis"),
        ("RIF: R: I: riunione", "Re: riunione"),
        ("VS: Vá: kokous", "Re: kokous"),
        ("ΑΠ: θέμα", "Re: θέμα"),
        ("回复：转发： 会议", "Re: 会议"),
        ("Fwd: Fw: re:news", "Re: news"),
        ("Reunion", "Re: Reunion"),
        ("Re:", "Re:"),
        ("", "Re:"),
    ] {
        assert_eq!(reply_subject(subject), want, "{subject}");
    }
    assert_eq!(forward_subject("Re: AW: Angebot"), "Fwd: Angebot");
    assert_eq!(forward_subject("Fwd: Fwd: x"), "Fwd: x");
    // Words that only start like a prefix stay.
    assert_eq!(strip_prefixes("Recall: Fwdx: y"), "Recall: Fwdx: y");
}

#[test]
fn references_keep_the_root_and_the_latest_ids() {
    let refs: Vec<String> = (0..30).map(|i| format!("id{i}@x.example")).collect();
    let out = references_for(&refs, None, Some("<parent@x.example>"));
    assert_eq!(out.len(), MAX_REFERENCES);
    assert_eq!(out[0], "id0@x.example");
    assert_eq!(out[MAX_REFERENCES - 1], "parent@x.example");
    assert_eq!(out[MAX_REFERENCES - 2], "id29@x.example");
    // Long ids: trimmed by length, still the first and the last.
    let long: Vec<String> = (0..12)
        .map(|i| format!("{i}-{}@x.example", "a".repeat(100)))
        .collect();
    let out = references_for(&long, None, Some("p@x"));
    assert!(out.iter().map(|i| i.len() + 3).sum::<usize>() <= MAX_REFERENCES_CHARS);
    assert_eq!(out[0], long[0]);
    assert_eq!(out.last().map(String::as_str), Some("p@x"));
    // No References: the parent's In-Reply-To; repeats once.
    assert_eq!(
        references_for(&[], Some("gp@x"), Some("p@x")),
        ["gp@x", "p@x"]
    );
    assert_eq!(
        references_for(&["a@x".into(), "<a@x>".into()], None, Some("a@x")),
        ["a@x"]
    );
}

#[test]
fn reply_to_outlook_quotes_the_text_with_threading() {
    let d = start(ComposeKind::Reply, Some(OUTLOOK), &me(), &settings(), 0, 0);
    assert_eq!(d.subject, "Re: Q4 figures");
    assert_eq!(d.to, "\"Okafor, Bob\" <bob.okafor@contoso.example>");
    let id = "DB9PR01MB1234ABCD@DB9PR01MB1234.eurprd01.prod.outlook.com";
    assert_eq!(d.in_reply_to.as_deref(), Some(id));
    assert_eq!(d.references, [id]);
    assert!(
        d.body.starts_with(
            "On Tue, 3 Nov 2026 at 10:15, Okafor, Bob wrote:\n> Hi Alice,\n>\n> The figures are attached – the East region is 4\u{a0}% ahead of plan.\n"
        ),
        "{}",
        d.body
    );
    assert!(
        d.body.contains("> Could you send the Q4 figures?\n\n"),
        "{}",
        d.body
    );
    assert!(d.attachments.is_empty());
}

#[test]
fn html_only_originals_are_quoted_without_markup() {
    let d = start(
        ComposeKind::Reply,
        Some(OUTLOOK_HTML),
        &me(),
        &settings(),
        0,
        0,
    );
    let quote: Vec<&str> = d
        .body
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with('>'))
        .collect();
    assert!(quote.len() > 2, "{}", d.body);
    let joined = quote.join("\n");
    assert!(joined.contains("> Hi Alice,"), "{joined}");
    assert!(
        joined.contains("The final draft of the regional figures is here:"),
        "{joined}"
    );
    for mark in ["<", "**", "[1]", "](", "# ", "&nbsp;", "MsoNormal", "{"] {
        assert!(!joined.contains(mark), "{mark:?} in {joined}");
    }
}

#[test]
fn the_signature_goes_and_long_lines_stay() {
    let long = "word ".repeat(40);
    let raw = format!(
        "From: Bob <bob@x.example>\r\nSubject: s\r\nDate: Tue, 3 Nov 2026 10:15:01 +0100\r\n\r\n\r\nHello,\r\n{long}\r\n> earlier\r\n\r\n\r\n-- \r\nBob Okafor\r\n+44 20 7946 0000\r\n\r\n"
    );
    let s = ComposeSettings {
        attribution: "{name} <{email}> wrote on {date}:".into(),
        signature: Some("Alice\nexample.org\n".into()),
        format_flowed: false,
    };
    let d = start(ComposeKind::Reply, Some(raw.as_bytes()), &me(), &s, 0, 0);
    assert_eq!(
        d.body,
        format!(
            "Bob <bob@x.example> wrote on Tue, 3 Nov 2026 at 10:15:\n> Hello,\n> {}\n>> earlier\n\n\n-- \nAlice\nexample.org\n",
            long.trim_end()
        )
    );
}

#[test]
fn escape_sequences_in_the_original_never_reach_the_editor_file() {
    let raw = "From: \"Evil\u{1b}]0;pwned\u{7}\" <e@x.example>\r\nSubject: hi \u{1b}[2J there\r\nTo: alice@example.org\r\n\r\nline \u{1b}[31mred\u{1b}[0m\r\n\u{1b}]52;c;ZWNobyBvd25lZA==\u{7}copied\r\nbell\u{7} and \u{9b}31m csi\r\n";
    for kind in [
        ComposeKind::Reply,
        ComposeKind::Forward {
            as_attachment: false,
        },
        ComposeKind::EditAsNew,
    ] {
        let d = reply(kind, raw);
        let file = to_editor(&d);
        assert!(
            !file.chars().any(|c| c.is_control() && c != '\n'),
            "{kind:?}: {file:?}"
        );
        assert!(file.contains("red"), "{file}");
        assert!(file.contains("copied"), "{file}");
    }
}

#[test]
fn forward_inline_carries_the_text_and_the_attachments() {
    let d = start(
        ComposeKind::Forward {
            as_attachment: false,
        },
        Some(THUNDERBIRD),
        &me(),
        &settings(),
        0,
        0,
    );
    assert_eq!(d.subject, "Fwd: Protokoll der Sitzung – Entwürfe");
    assert_eq!(d.to, "");
    assert!(
        d.body.starts_with(
            "\n\n---------- Forwarded message ----------\n\
             From: Jürgen Müller <jm@example.de>\n\
             Date: Mon, 2 Nov 2026 at 08:30 +0100\n\
             Subject: Protokoll der Sitzung – Entwürfe\n\
             To: Alice Martin <alice@example.org>\n\n\
             Hallo Alice,\n"
        ),
        "{}",
        d.body
    );
    assert_eq!(d.attachments.len(), 1);
    let a = &d.attachments[0];
    assert_eq!(a.name, "Protokoll Entwürfe.pdf");
    assert_eq!(a.mime, "application/pdf");
    match &a.source {
        AttachmentSource::Bytes(b) => assert!(b.starts_with(b"%PDF-1.5")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn forward_inline_carries_attached_messages_whole() {
    let d = start(
        ComposeKind::Forward {
            as_attachment: false,
        },
        Some(GMAIL_FORWARD),
        &me(),
        &settings(),
        0,
        0,
    );
    let names: Vec<(&str, &str)> = d
        .attachments
        .iter()
        .map(|a| (a.name.as_str(), a.mime.as_str()))
        .collect();
    assert_eq!(names, [("Seat selection.eml", "message/rfc822")]);
}

#[test]
fn forward_as_attachment_attaches_the_whole_message() {
    let d = start(
        ComposeKind::Forward {
            as_attachment: true,
        },
        Some(OUTLOOK),
        &me(),
        &settings(),
        0,
        0,
    );
    assert_eq!(d.subject, "Fwd: Q4 figures");
    assert_eq!(d.attachments.len(), 1);
    assert_eq!(d.attachments[0].name, "RE_ Q4 figures.eml");
    assert_eq!(d.attachments[0].mime, "message/rfc822");
    assert_eq!(
        d.attachments[0].source,
        AttachmentSource::Bytes(std::sync::Arc::new(OUTLOOK.to_vec()))
    );
}

#[test]
fn new_mail_has_the_identity_and_the_signature() {
    let s = ComposeSettings {
        signature: Some("-- \nAlice\n".into()),
        ..settings()
    };
    let d = start(ComposeKind::New, None, &me(), &s, 0, 0);
    assert_eq!(d.from, "Alice Martin <alice@example.org>");
    assert_eq!(d.body, "-- \nAlice\n");
    // A reply without its original is a new message.
    assert_eq!(start(ComposeKind::Reply, None, &me(), &s, 0, 0), d);
}

fn opts(keep_bcc: bool, format_flowed: bool) -> BuildOptions {
    BuildOptions {
        now: 1_800_000_000,
        zone_offset_secs: 3600,
        keep_bcc,
        message_id: None,
        format_flowed,
    }
}

#[test]
fn a_recalled_draft_is_the_draft_that_was_postponed() {
    let long = "Ein langer Absatz, der weit über die Zeilenbreite hinausgeht und deshalb beim Versand umbrochen wird, damit er lesbar bleibt.";
    let draft = Draft {
        from: "Alice Martin <alice@example.org>".into(),
        to: "\"Okafor, Bob\" <bob@x.example>, Jürgen Müller <jm@example.de>".into(),
        cc: "carol@x.example".into(),
        bcc: "boss@example.org".into(),
        subject: "Re: Grüße aus Köln".into(),
        extra: vec![("Reply-To".into(), "team@example.org".into())],
        body: format!("{long}\n\n From the start\n> quoted\n\n-- \nAlice\n"),
        in_reply_to: Some("parent@x.example".into()),
        references: vec!["root@x.example".into(), "parent@x.example".into()],
        attachments: vec![DraftAttachment {
            name: "Bericht März.pdf".into(),
            mime: "application/pdf".into(),
            source: AttachmentSource::Bytes(std::sync::Arc::new(b"%PDF-1.4\n\x00\xff".to_vec())),
        }],
        calendar: None,
    };
    for flowed in [false, true] {
        let built = build(&draft, &opts(true, flowed)).expect("builds");
        let back = start(
            ComposeKind::Recall,
            Some(&built.bytes),
            &me(),
            &settings(),
            0,
            0,
        );
        assert_eq!(back, draft, "flowed: {flowed}");
        // Edit as new: no Bcc, no threading, the same text.
        let again = start(
            ComposeKind::EditAsNew,
            Some(&built.bytes),
            &me(),
            &settings(),
            0,
            0,
        );
        assert_eq!(again.bcc, "");
        assert_eq!((again.in_reply_to, again.references.len()), (None, 0));
        assert_eq!(again.body, draft.body);
        assert_eq!(again.extra, draft.extra);
    }
}

#[test]
fn html_is_laid_out_as_plain_text() {
    let raw = "From: Bob <bob@x.example>\r\nSubject: s\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><head><style>p{color:red}</style></head><body><h1>Title</h1><p>Hello <b>Bob</b>, <i>see</i> <a href='https://x.example/'>the link</a>.</p><p>&nbsp;</p><p>&nbsp;</p><ul><li>one</li><li>two</li></ul><ol><li>first</li></ol><blockquote>older text</blockquote><pre>code  here</pre></body></html>\r\n";
    let d = reply(ComposeKind::Reply, raw);
    assert_eq!(
        d.body,
        "On an unknown date, Bob wrote:\n\
         > Title\n\
         >\n\
         > Hello Bob, see the link.\n\
         >\n\
         > - one\n\
         > - two\n\
         > 1. first\n\
         >\n\
         >> older text\n\
         >\n\
         > code  here\n\n"
    );
}

#[test]
fn flowed_originals_are_joined_before_quoting() {
    let raw = "From: Bob <bob@x.example>\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n\r\nOne paragraph \r\nthat was \r\nbroken.\r\n>> quoted \r\n>> on.\r\n";
    let d = reply(ComposeKind::Reply, raw);
    assert_eq!(
        d.body,
        "On an unknown date, Bob wrote:\n> One paragraph that was broken.\n>>> quoted on.\n\n"
    );
    assert_eq!(unflow("Deli \r\ncate\r\n", true), "Delicate\n");
}

#[test]
fn a_draft_from_another_program_keeps_the_users_fields_only() {
    let raw = "From: Alice Martin <alice@example.org>\r\n\
        To: bob@x.example\r\nBcc: boss@example.org\r\n\
        Subject: =?UTF-8?Q?Entw=C3=BCrfe?=\r\n\
        X-Mozilla-Draft-Info: internal/draft; vcard=0; receipt=0\r\n\
        X-Identity-Key: id1\r\nUser-Agent: Mozilla Thunderbird\r\n\
        Organization: =?UTF-8?Q?B=C3=BCro?=\r\nX-Custom: kept\r\n\
        References: <a@x> <b@x>\r\nIn-Reply-To: <b@x>\r\n\
        Content-Type: text/plain; charset=UTF-8; format=flowed\r\n\r\nHallo \r\nBob\r\n";
    let d = reply(ComposeKind::Recall, raw);
    assert_eq!(d.subject, "Entwürfe");
    assert_eq!(d.bcc, "boss@example.org");
    assert_eq!(
        d.extra,
        [
            ("Organization".to_string(), "Büro".to_string()),
            ("X-Custom".to_string(), "kept".to_string())
        ]
    );
    assert_eq!(
        (d.in_reply_to.as_deref(), d.references.len()),
        (Some("b@x"), 2)
    );
    assert_eq!(d.body, "Hallo Bob\n");
    let as_new = reply(ComposeKind::EditAsNew, raw);
    assert_eq!(
        as_new.extra,
        [("Organization".to_string(), "Büro".to_string())]
    );
}

#[test]
fn forwarded_parts_keep_names_types_and_bytes() {
    let raw = "From: Bob <bob@x.example>\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
        --b\r\nContent-Type: text/plain\r\n\r\nthe text\r\n\
        --b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n\
        --b\r\nContent-Type: text/plain; name=\"../../notes.txt\"\r\n\r\nnotes\r\n\
        --b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n\
        U3ViamVjdDogaW5uZXIKCmhp\r\n\
        --b--\r\n";
    let d = reply(
        ComposeKind::Forward {
            as_attachment: false,
        },
        raw,
    );
    let got: Vec<(String, String, Vec<u8>)> = d
        .attachments
        .iter()
        .map(|a| match &a.source {
            AttachmentSource::Bytes(b) => (a.name.clone(), a.mime.clone(), b.to_vec()),
            AttachmentSource::File(_) => panic!("bytes expected"),
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "attachment-1.png".into(),
                "image/png".into(),
                b"\x89PNG\r\n\x1a\n".to_vec()
            ),
            ("notes.txt".into(), "text/plain".into(), b"notes".to_vec()),
            (
                "inner.eml".into(),
                "message/rfc822".into(),
                b"Subject: inner\n\nhi".to_vec()
            ),
        ]
    );
    assert!(d.body.contains("\nthe text\n"), "{}", d.body);
}
