//! Properties over generated input: format=flowed, the editor file and
//! addresses go there and back unchanged; nothing a user or a sender
//! writes can add a header.

use proptest::prelude::*;

use super::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: crate::fuzz_cases(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Lines of words and spaces, no trailing spaces (a hard break never
/// keeps them in format=flowed).
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec("( {0,2}[a-zA-Zäß>]{1,12}){0,30}", 0..8).prop_map(|lines| {
        let mut t = lines.join("\n");
        if !t.is_empty() {
            t.push('\n');
        }
        t
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn flowed_text_reads_back_as_written(t in text()) {
        let f = to_flowed(&t);
        for line in f.lines() {
            prop_assert!(line.chars().count() <= 79 || line.starts_with('>') || !line.trim().contains(' '), "{line:?}");
        }
        prop_assert_eq!(unflow(&f, false), t);
    }

    #[test]
    fn the_editor_file_reads_back(
        to in "[^\r\n]{0,40}",
        subject in "\\PC{0,60}",
        extra in prop::collection::vec(("X-[A-Za-z]{1,8}", "[^\r\n]{1,20}"), 0..3),
        body in "\\PC{0,200}",
    ) {
        let d = Draft {
            from: "Alice <alice@example.org>".into(),
            to: address::one_line(to.trim()).trim().to_string(),
            subject: address::one_line(subject.trim()).trim().to_string(),
            extra: extra
                .into_iter()
                .map(|(n, v)| (n, address::one_line(v.trim()).trim().to_string()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
            body,
            ..Draft::default()
        };
        let file = to_editor(&d);
        if let Ok(back) = from_editor(&file, &d) {
            prop_assert_eq!(back, d);
        }
    }

    #[test]
    fn any_name_survives_formatting(name in "\\PC{0,30}", user in "[a-z0-9_-]{1,5}(\\.[a-z0-9_+-]{1,5}){0,2}") {
        let a = Address { name: Some(name.clone()), email: format!("{user}@example.org") };
        let list = parse_addresses(&format_address(&a));
        prop_assert!(list.is_ok(), "{:?}", format_address(&a));
        let list = list.unwrap_or_default();
        prop_assert_eq!(list.len(), 1);
        prop_assert_eq!(&list[0].email, &a.email);
        let want = address::one_line(name.trim());
        let want = want.trim();
        prop_assert_eq!(list[0].name.as_deref().unwrap_or(""), if want == a.email { "" } else { want });
    }

    #[test]
    fn no_value_adds_a_header(
        subject in "\\PC{0,80}|[a-z\r\n:]{0,40}",
        name in "[^\r\n]{0,20}|.{0,20}",
        value in "\\PC{0,40}|[a-z\r\n:]{0,40}",
    ) {
        let d = Draft {
            from: format!("{} <alice@example.org>", name.replace(['<', '>', '"', '\\', ',', '(', ')', ';', ':', '@'], "")),
            to: "bob@x.example".into(),
            subject,
            extra: vec![("X-Note".into(), value)],
            body: "hi\n".into(),
            ..Draft::default()
        };
        if let Ok(built) = build(&d, &BuildOptions { now: 0, zone_offset_secs: 0, keep_bcc: false, message_id: None, format_flowed: false }) {
            let text = String::from_utf8_lossy(&built.bytes);
            let head = text.split("\r\n\r\n").next().unwrap_or_default();
            for line in head.split("\r\n") {
                prop_assert!(!line.contains('\r') && !line.contains('\n'));
                if line.starts_with([' ', '\t']) {
                    continue;
                }
                let field = line.split(':').next().unwrap_or_default();
                prop_assert!(
                    ["From", "Date", "Message-ID", "To", "Subject", "X-Note", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"].contains(&field),
                    "{line:?} in {head}"
                );
            }
        }
    }
}
