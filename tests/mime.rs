//! Real-world and hostile mail through the parser: each class of MIME
//! damage as a minimal message, messages shaped like the ones mail
//! programs write, and the inputs that used to abort or hang mailtui.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mailtui::mail::MailBackend;
use mailtui::mail::envelope::{EnvelopeMeta, envelope_from_raw};
use mailtui::mail::maildir::MaildirBackend;
use mailtui::mail::message::{BodySource, MessageView, parse, parse_detached};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mime")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn view(name: &str) -> MessageView {
    parse(1, &fixture(name))
}

fn header<'a>(v: &'a MessageView, name: &str) -> &'a str {
    v.headers
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.as_str())
        .unwrap_or("")
}

fn names(v: &MessageView) -> Vec<&str> {
    v.attachments.iter().map(|a| a.name.as_str()).collect()
}

// --- each class as a minimal message ---

#[test]
fn a_parameter_value_on_a_folded_line_is_kept() {
    let v = view("folded-name.eml");
    assert_eq!(names(&v), ["report.pdf"]);
    assert_eq!(v.attachments[0].mime.as_str(), "application/pdf");
    assert!(v.body.as_str().contains("Here is the report."));
}

#[test]
fn a_boundary_on_a_folded_line_is_kept() {
    let v = view("folded-boundary.eml");
    assert_eq!(v.source, BodySource::Plain);
    assert_eq!(
        v.body.as_str().trim(),
        "The plain text of a folded boundary."
    );
}

#[test]
fn a_last_part_without_closing_boundary_is_shown() {
    let v = view("unclosed-last-part.eml");
    let b = v.body.as_str();
    assert!(
        b.contains("First part.") && b.contains("Second part, never closed."),
        "{b}"
    );
    assert!(v.attachments.is_empty(), "{:?}", v.attachments);
}

#[test]
fn a_truncated_inner_multipart_does_not_swallow_the_outer_message() {
    let v = view("truncated-inner-multipart.eml");
    let b = v.body.as_str();
    assert!(b.contains("Inner text."), "{b}");
    assert!(b.contains("Outer text after the broken inner part."), "{b}");
    assert!(!b.contains("--outer") && !b.contains("xyz"), "{b}");
    assert_eq!(names(&v), ["data.bin"]);
}

#[test]
fn content_type_text_without_subtype_is_text() {
    let v = view("text-no-subtype.eml");
    assert_eq!(v.source, BodySource::Plain);
    assert!(
        v.body
            .as_str()
            .contains("Body of a message whose type is just text.")
    );
    assert!(v.attachments.is_empty());
}

#[test]
fn headers_without_an_empty_line_after_them_are_headers() {
    let v = view("no-blank-after-headers.eml");
    assert_eq!(header(&v, "Subject"), "no empty line");
    assert_eq!(header(&v, "From"), "Ann <ann@example.org>");
    assert!(v.date.is_some());
    assert_eq!(
        v.body.as_str().trim(),
        "This line is the body, right after the headers.\nAnd a second line."
    );
}

#[test]
fn a_first_line_of_spaces_does_not_end_the_headers() {
    let v = view("first-line-spaces.eml");
    assert_eq!(header(&v, "Subject"), "spaces first");
    assert_eq!(
        v.body.as_str().trim(),
        "The body after a first line of spaces."
    );
}

#[test]
fn repeated_from_subject_and_date_show_the_first_and_warn() {
    let v = view("two-from.eml");
    assert_eq!(header(&v, "From"), "Real Sender <real@example.org>");
    assert_eq!(header(&v, "Subject"), "Invoice");
    assert_eq!(v.date, Some(1_793_700_000));
    let w: Vec<&str> = v.warnings.iter().map(|w| w.as_str()).collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("2 From, 2 Subject, 2 Date fields"), "{w:?}");
    // The list shows the same sender as the reader.
    let e = envelope_from_raw(&fixture("two-from.eml"), EnvelopeMeta::default());
    assert_eq!(e.from.as_str(), "Real Sender");
    assert_eq!(e.subject.as_str(), "Invoice");
}

#[test]
fn quoted_display_names_keep_their_quotes() {
    let v = view("quoted-display-name.eml");
    assert_eq!(
        header(&v, "From"),
        "\"Smith, John\" <john.smith@example.org>"
    );
    assert_eq!(
        header(&v, "To"),
        "\"Ann Lee\" <ann@example.org>, bob@example.org"
    );
}

/// Display names as mail programs write them: quoted with escaped quotes
/// and backslashes, RFC 2047 encoded (with quotes or a comma inside),
/// comments. Shown for reading: no backslash escapes, one pair of quotes.
#[test]
fn display_names_are_shown_without_escapes() {
    let v = view("display-name-shapes.eml");
    assert_eq!(header(&v, "From"), "\"ötzi\" <oetzi@web.de>");
    assert_eq!(
        header(&v, "To"),
        "\"ötzi\" <oetzi@web.de>, \"C:\\Users\\bob\" <bob@example.org>, \
         Hans \"der Große\" Meier <hans.meier@example.de>"
    );
    assert_eq!(
        header(&v, "Cc"),
        "Ötzi Tyrol <oetzi@web.de>, Bob (Sales) <bob.sales@example.org>, \
         \"'Bob Smith'\" <bob.smith@example.org>, \"Müller, Jürgen\" <jm@example.de>"
    );
    assert!(v.headers.iter().all(|(_, h)| !h.as_str().contains("\\\"")));
    let raw = fixture("display-name-shapes.eml");
    let e = envelope_from_raw(&raw, EnvelopeMeta::default());
    assert_eq!(e.from.as_str(), "ötzi");
}

#[test]
fn text_only_inside_an_attached_message_is_shown_with_its_headers() {
    let v = view("forward-only-text.eml");
    assert_eq!(v.nested.len(), 1);
    let n = &v.nested[0];
    assert_eq!(n.level, 1);
    assert!(
        n.headers
            .iter()
            .any(|(k, h)| *k == "Subject" && h.as_str() == "minutes")
    );
    assert!(
        n.headers
            .iter()
            .any(|(k, h)| *k == "From" && h.as_str() == "Carl <carl@example.net>")
    );
    assert!(
        n.body
            .as_str()
            .contains("The minutes are only in the attached message.")
    );
    assert_eq!(names(&v), ["minutes.eml"]);
}

#[test]
fn a_windows_1250_body_labelled_iso_8859_2_keeps_all_its_text() {
    let v = view("windows-1250-as-iso-8859-2.eml");
    let b = v.body.as_str();
    assert!(b.contains("Dobrý den,"), "{b}");
    assert!(
        b.contains("potřebuji vaši odpověď. Děkuji, že jste se ozvali."),
        "{b}"
    );
    assert!(b.contains("next part of the text"), "{b}");
    assert_eq!(header(&v, "From"), "Jiří <jiri@example.cz>");
}

// --- shaped like real mail programs ---

#[test]
fn outlook() {
    let v = view("outlook.eml");
    assert_eq!(
        header(&v, "From"),
        "\"Okafor, Bob\" <bob.okafor@contoso.example>"
    );
    assert_eq!(header(&v, "Subject"), "RE: Q4 figures");
    assert_eq!(v.source, BodySource::Plain);
    assert!(
        v.body
            .as_str()
            .contains("attached – the East region is 4\u{a0}% ahead"),
        "{}",
        v.body
    );
    assert!(v.body.as_str().contains("Could you send the Q4 figures?"));
    assert!(!v.body.as_str().contains("HTML version"));
    assert_eq!(names(&v), ["Q4 figures.xlsx"]);
    assert_eq!(v.attachments[0].size, 13);
}

/// Microsoft 365 rewrites every link into a Safe Links address of several
/// hundred characters, in quoted-printable HTML with soft line breaks:
/// listed whole from the hrefs, in document order, each once; the
/// laid-out text's links carry them whole too.
#[test]
fn outlook_safe_links_are_listed_whole_from_the_hrefs() {
    let report = "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fcontoso.sharepoint.com%2F%3Ax%3A%2Fr%2Fsites%2FFinance%2FShared%2520Documents%2FQuarterly%2520Reviews%2F2026%2FQ4%2FRegional%2520figures%2520-%2520East%2520and%2520West%2520%28final%2520draft%2520for%2520the%2520board%29.xlsx%3Fd%3Dw3f6a8c2e9b1d4f7a8c3e5b2d1f0a9e8c%26csf%3D1%26web%3D1%26e%3DXy7KpQ%26nav%3DeyJzIjoiU2hlZXQxIiwiciI6IkExIn0&data=05%7C02%7Calice.martin%40contoso.example%7C8f3b2c1d4e5f46a7b8c9d0e1f2a3b4c5%7C72f988bf86f141af91ab2d7cd011db47%7C1%7C0%7C638686444444444441%7CUnknown%7CTWFpbGZsb3d8eyJFbXB0eU1hcGkiOnRydWUsIlYiOiIwLjAuMDAwMCIsIlAiOiJXaW4zMiIsIkFOIjoiTWFpbCIsIldUIjoyfQ%3D%3D%7C0%7C%7C%7C&sdata=q3Rk0Zx8nV1sW2mYpLhG%2FaTbC7uE9oJfKdI5cRwX4y0%3D&reserved=0";
    let meeting = "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fteams.microsoft.com%2Fl%2Fmeetup-join%2F19%253ameeting_NjM4Njg2NDQ0NDQ0%2540thread.v2%2F0%3Fcontext%3D%257b%2522Tid%2522%253a%252272f988bf-86f1-41af-91ab-2d7cd011db47%2522%257d&data=05%7C02%7Calice.martin%40contoso.example%7C8f3b2c1d4e5f46a7b8c9d0e1f2a3b4c5%7C72f988bf86f141af91ab2d7cd011db47%7C1%7C0%7C638686444444444442%7CUnknown%7CTWFpbGZsb3d8eyJFbXB0eU1hcGkiOnRydWUsIlYiOiIwLjAuMDAwMCIsIlAiOiJXaW4zMiIsIkFOIjoiTWFpbCIsIldUIjoyfQ%3D%3D%7C0%7C%7C%7C&sdata=q3Rk0Zx8nV1sW2mYpLhG%2FaTbC7uE9oJfKdI5cRwX4y0%3D&reserved=0";
    assert!(report.len() > 600);
    let v = view("outlook-safelinks-html.eml");
    assert_eq!(v.source, BodySource::Html);
    let urls: Vec<&str> = v.html_links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(urls, [report, meeting], "mailto: is not a web link");
    assert!(v.html_links.iter().all(|l| !l.cut));
    // The laid-out text's link runs keep each target whole.
    assert!(
        v.body_styles
            .iter()
            .any(|r| r.target.as_deref().is_some_and(|t| t.trim() == report)),
        "{:?}",
        v.body_styles
    );
    let found = mailtui::mail::links::find(v.body.as_str());
    let all = mailtui::mail::links::merge(v.html_links.clone(), found);
    assert_eq!(all.len(), 2, "{all:?}");
}

#[test]
fn apple_mail() {
    let v = view("apple-mail.eml");
    assert_eq!(v.source, BodySource::Plain);
    assert!(
        v.body
            .as_str()
            .contains("Here are the photos from Saturday — the one with the lake is my favourite."),
        "{}",
        v.body
    );
    assert!(v.notes.is_empty() && v.warnings.is_empty());
}

#[test]
fn thunderbird() {
    let v = view("thunderbird.eml");
    assert_eq!(header(&v, "From"), "Jürgen Müller <jm@example.de>");
    assert_eq!(header(&v, "Subject"), "Protokoll der Sitzung – Entwürfe");
    assert!(v.body.as_str().contains("Schöne Grüße aus Köln!"));
    assert!(
        !v.body
            .as_str()
            .contains("multi-part message in MIME format")
    );
    assert_eq!(names(&v), ["Protokoll Entwürfe.pdf"]);
    let e = envelope_from_raw(&fixture("thunderbird.eml"), EnvelopeMeta::default());
    assert!(e.has_attachment);
    assert_eq!(e.from.as_str(), "Jürgen Müller");
}

#[test]
fn gmail_forwards_inline_and_attached() {
    let v = view("gmail-forward.eml");
    assert!(
        v.body
            .as_str()
            .contains("Your booking ABC123 is confirmed.")
    );
    assert_eq!(v.nested.len(), 1);
    let n = &v.nested[0];
    assert!(
        n.headers
            .iter()
            .any(|(k, h)| *k == "Subject" && h.as_str() == "Seat selection")
    );
    assert_eq!(n.source, BodySource::Html);
    // Bold as a style, not as marks.
    assert!(n.body.as_str().contains("Your seat is 14A."), "{}", n.body);
    let body = n.body.as_str();
    assert!(
        n.body_styles.iter().any(|r| &body[r.start..r.end] == "14A"
            && r.style.contains(mailtui::mail::view::TextStyle::STRONG)),
        "{:?}",
        n.body_styles
    );
    assert_eq!(names(&v), ["Seat selection.eml"]);
}

#[test]
fn bounce_report_shows_the_reason_and_the_returned_message() {
    let v = view("bounce-dsn.eml");
    let b = v.body.as_str();
    assert!(b.contains("550 5.1.1 User unknown"), "{b}");
    assert!(
        b.contains("Final-Recipient: rfc822; nobody@example.net"),
        "{b}"
    );
    assert!(!b.contains("MIME-encapsulated"), "{b}");
    assert_eq!(v.nested.len(), 1);
    assert!(
        v.nested[0]
            .body
            .as_str()
            .contains("Shall we have lunch on Friday?")
    );
    assert!(
        v.nested[0]
            .headers
            .iter()
            .any(|(k, h)| *k == "Subject" && h.as_str() == "Lunch on Friday?")
    );
}

#[test]
fn digest_messages_follow_the_table_of_contents() {
    let v = view("digest.eml");
    assert!(v.body.as_str().contains("Today's Topics:"));
    let subjects: Vec<String> = v
        .nested
        .iter()
        .flat_map(|n| {
            n.headers
                .iter()
                .filter(|(k, _)| *k == "Subject")
                .map(|(_, h)| h.to_string())
        })
        .collect();
    assert_eq!(subjects, ["Release 1.2", "Re: Release 1.2"]);
    assert!(v.nested[0].body.as_str().contains("Release 1.2 is out."));
    assert!(v.nested[1].body.as_str().contains("Thanks, Ann!"));
}

// --- the inputs that used to abort or hang ---

/// ~40,000 message/rfc822 parts nested in each other (about 1.3 MB).
fn nested_messages() -> Vec<u8> {
    let mut raw = Vec::new();
    raw.extend_from_slice(b"From: nest@example.org\r\nSubject: nested\r\n");
    for _ in 0..40_000 {
        raw.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
    }
    raw.extend_from_slice(b"Subject: bottom\r\n\r\nthe bottom\r\n");
    raw
}

#[test]
fn deeply_nested_messages_parse_within_the_depth_limit() {
    let raw = nested_messages();
    assert!(raw.len() > 1_250_000);
    // On a thread with the 2 MiB stack the old parser overflowed.
    let v = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || parse(1, &raw))
        .expect("thread")
        .join()
        .expect("parse survives");
    assert_eq!(header(&v, "Subject"), "nested");
    assert!(
        v.notes.iter().any(|n| n.as_str().contains("levels deep")),
        "{:?}",
        v.notes
    );
    assert!(!v.nested.is_empty());
}

#[tokio::test]
async fn deeply_nested_messages_parse_detached() {
    let v = parse_detached(7, nested_messages()).await;
    assert_eq!(v.uid, 7);
    assert_eq!(header(&v, "Subject"), "nested");
}

fn write(dir: &Path, rel: &str, body: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, body).expect("write");
}

#[tokio::test]
async fn a_maildir_folder_holding_the_nested_message_lists() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "cur/1000.a:2,S", b"Subject: before\r\n\r\nx");
    write(tmp.path(), "cur/2000.b:2,", &nested_messages());
    write(tmp.path(), "cur/3000.c:2,", &fixture("thunderbird.eml"));
    let mut b = MaildirBackend::new(tmp.path().to_path_buf());
    b.connect().await.expect("connect");
    assert_eq!(b.select("INBOX", None).await.expect("open").exists, 3);
    let uids = b.all_uids().await.expect("uids");
    let mut rows = b.fetch_rows(&uids).await.expect("rows");
    rows.sort_by_key(|r| r.envelope.uid);
    let envs: Vec<_> = rows.into_iter().map(|r| r.envelope).collect();
    let subjects: Vec<&str> = envs.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(
        subjects,
        ["before", "nested", "Protokoll der Sitzung – Entwürfe"]
    );
    assert!(envs[2].has_attachment && !envs[1].has_attachment);
}

#[test]
fn nested_div_html_answers_within_its_budget() {
    // About 1 MB of nested <div>s: a minute of layout before.
    let depth = 90_000;
    let html = format!(
        "{}deep text{}",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let raw = format!("Subject: divs\r\nContent-Type: text/html\r\n\r\n{html}");
    let start = Instant::now();
    let v = parse(1, raw.as_bytes());
    let took = start.elapsed();
    eprintln!(
        "nested-div HTML ({} KB) parsed in {took:?}",
        raw.len() / 1024
    );
    // Generous bound: "does not hang", not a speed requirement.
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert!(v.body.as_str().contains("deep text"));
    assert!(
        v.notes.iter().any(|n| n.as_str().contains("nested")),
        "{:?}",
        v.notes
    );
}

#[test]
fn an_unterminated_sequence_in_one_part_does_not_eat_the_next() {
    let raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nfirst \x1b]0;title without end\r\n--b\r\n\r\nsecond part\r\n--b--\r\n";
    let v = parse(1, raw.as_bytes());
    assert!(v.body.as_str().contains("first"));
    assert!(v.body.as_str().contains("second part"), "{}", v.body);
    assert!(!v.body.as_str().contains("title"));
}
