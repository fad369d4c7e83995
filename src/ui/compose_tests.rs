//! Snapshots of writing mail: the review screen, the preview as sent, the
//! outbox, and the unsent count on the status bar. The state gets there
//! through `update`, with the effects' answers fed in as events.

use std::path::PathBuf;

use insta::assert_snapshot;

use crate::action::{Action, Command, StoreCommand, UiAction};
use crate::compose::{AttachmentSource, ComposeKind, Draft, DraftAttachment};
use crate::mail::mime::parts::PartBytes;
use crate::state::State;
use crate::state::compose::{ComposeCommand, ComposeEvent, OutboxRow, RowState};
use crate::ui::compose::REVIEW_KEYS;
use crate::ui::tests::{sample_state, screen};
use crate::worker::WorkerEvent;

const ORIGINAL: &[u8] = b"From: Chen Wei <chen.wei@contoso.example>\r\n\
To: Alice Martin <alice@work.example>\r\nSubject: Q4 numbers for the review\r\n\r\nAlice,\r\n";

fn body() -> String {
    let mut b = String::from(
        "Chen,\n\nThanks. The West comment is below; the new forecast and my notes \
on the slides are attached.\n\nWest is behind plan because two large orders moved \
into January. With them the quarter closes at 97% of plan, and the forecast for \
Q1 already counts them.\n\nAlice\n\nOn Tue, 03 Nov 2026 11:02, Chen Wei wrote:\n",
    );
    for i in 1..=30 {
        b.push_str(&format!("> quoted line {i} of the original message\n"));
    }
    b
}

fn attachment(name: &str, mime: &str) -> DraftAttachment {
    DraftAttachment {
        name: name.into(),
        mime: mime.into(),
        source: AttachmentSource::File(PathBuf::from(format!("/home/alice/{name}"))),
    }
}

fn reply() -> Draft {
    Draft {
        from: "Alice Martin <alice@work.example>".into(),
        to: "Chen Wei <chen.wei@contoso.example>".into(),
        // "dana@" makes the warning.
        cc: "Bob Okafor <bob@contoso.example>, dana@".into(),
        subject: "Re: Q4 numbers for the review".into(),
        body: body(),
        attachments: vec![attachment(
            "forecast-west-Q4.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )],
        ..Draft::default()
    }
}

/// `r` on Chen's message, through the editor, and a second file attached:
/// the review screen with its notice.
fn reviewing(width: u16, height: u16) -> State {
    let mut s = sample_state(width, height);
    let cmds = s.update(Action::Ui(UiAction::Reply));
    let req = cmds
        .iter()
        .find_map(|c| match c {
            Command::Store {
                command: StoreCommand::LoadParts(p),
                ..
            } => Some(p.req),
            _ => None,
        })
        .unwrap_or_else(|| panic!("expected the message asked for, got {cmds:?}"));
    let cmds = s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Parts {
            req,
            parts: vec![PartBytes {
                section: String::new(),
                file_name: None,
                mime: "message/rfc822".into(),
                charset: None,
                bytes: ORIGINAL.to_vec(),
                damaged: false,
            }],
        },
    });
    let id = match cmds.as_slice() {
        [
            Command::Compose(ComposeCommand::Prepare {
                id,
                kind: ComposeKind::Reply,
                ..
            }),
        ] => *id,
        _ => panic!("expected Prepare, got {cmds:?}"),
    };
    let file = PathBuf::from("/home/alice/.local/share/mailtui/drafts/1.eml");
    s.update(Action::Compose(ComposeEvent::Ready {
        id,
        draft: Box::new(reply()),
        file,
        sizes: vec![Some(48_213)],
    }));
    s.update(Action::Compose(ComposeEvent::Edited {
        id,
        result: Ok(Box::new(reply())),
        note: None,
        sizes: vec![Some(48_213)],
    }));
    s.update(Action::Compose(ComposeEvent::Attached {
        id,
        path: "/home/alice/slide-notes.pdf".into(),
        name: "slide-notes.pdf".into(),
        mime: "application/pdf".into(),
        size: 182_004,
    }));
    assert!(s.reviewing());
    s
}

/// Twelve attachments, the cursor on the last: the list shows the rows
/// around it and says which.
#[test]
fn review_with_many_attachments_80x24() {
    let mut s = reviewing(80, 24);
    let id = s.composing.as_ref().map(|c| c.id).unwrap_or_default();
    for i in 3..=12 {
        s.update(Action::Compose(ComposeEvent::Attached {
            id,
            path: format!("/home/alice/photo-{i:02}.jpg").into(),
            name: format!("photo-{i:02}.jpg"),
            mime: "image/jpeg".into(),
            size: 2_400_000 + i,
        }));
    }
    let screen = screen(&s);
    assert!(
        screen.contains("photo-12.jpg"),
        "the cursor's row: {screen}"
    );
    assert!(screen.contains("shown, j/k moves"), "{screen}");
    assert!(screen.contains(REVIEW_KEYS), "{screen}");
    assert_snapshot!(screen);
}

/// The editor failed and the file does not parse: both said whole, above
/// the message, and sending waits for a fix.
#[test]
fn review_after_an_editor_failure_80x24() {
    let mut s = reviewing(80, 24);
    let id = s.composing.as_ref().map(|c| c.id).unwrap_or_default();
    s.update(Action::Ui(UiAction::EditMessage));
    s.update(Action::Compose(ComposeEvent::Edited {
        id,
        result: Err(
            "Line 3: “Too: bob@contoso.example” is not a header (a header is “Name: value”)".into(),
        ),
        note: Some(
            "the editor (vim) ended with exit code 1; the text is kept in \
/home/alice/.local/share/mailtui/drafts/1.eml"
                .into(),
        ),
        sizes: vec![Some(48_213), Some(182_004)],
    }));
    let screen = screen(&s);
    assert!(screen.contains("drafts/1.eml"), "the path whole: {screen}");
    assert!(screen.contains("“Name: value”"), "{screen}");
    assert!(screen.contains("fix the message in the editor"), "{screen}");
    assert_snapshot!(screen);
}

fn last_line(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

#[test]
fn review_of_a_reply_120x40() {
    let s = reviewing(120, 40);
    let screen = screen(&s);
    assert!(screen.contains(REVIEW_KEYS), "{screen}");
    assert!(
        screen.contains("“dana@” is not an email address"),
        "{screen}"
    );
    assert!(
        last_line(&screen).contains("attached slide-notes.pdf"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn review_of_a_reply_80x24() {
    let s = reviewing(80, 24);
    let screen = screen(&s);
    assert!(screen.contains(REVIEW_KEYS), "the keys whole: {screen}");
    assert!(
        screen.contains("“dana@” is not an email address"),
        "{screen}"
    );
    assert!(screen.contains("slide-notes.pdf"), "{screen}");
    assert!(screen.contains("more lines"), "{screen}");
    assert!(
        last_line(&screen).contains("attached slide-notes.pdf"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

/// An invitation's answer says its calendar part goes with it, whole at
/// 60 columns.
#[test]
fn review_of_an_invitation_answer_names_the_calendar_part() {
    for (w, h) in [(80, 24), (60, 20)] {
        let mut s = reviewing(w, h);
        if let Some(c) = s.composing.as_mut() {
            c.draft.calendar = Some("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n".into());
        }
        let screen = screen(&s);
        assert!(
            screen.contains("With the calendar answer (METHOD:REPLY)"),
            "{w}x{h}: {screen}"
        );
    }
}

/// A narrow screen: the keys in two rows, none lost.
#[test]
fn review_of_a_reply_60x20() {
    let s = reviewing(60, 20);
    let screen = screen(&s);
    assert!(
        screen.contains("y send · e edit · a attach · d detach"),
        "{screen}"
    );
    assert!(screen.contains("q discard"), "{screen}");
    assert_snapshot!(screen);
}

/// `q` once: the foot and the status bar say what the next `q` does.
#[test]
fn review_asking_before_throwing_away_80x24() {
    let mut s = reviewing(80, 24);
    s.update(Action::Ui(UiAction::Quit));
    let screen = screen(&s);
    assert!(
        last_line(&screen).contains("not sent: q again throws it away, p postpones it"),
        "the whole notice: {screen}"
    );
    assert!(
        screen.contains("q again: throw the message away · p: postpone it"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

const AS_SENT_HEAD: &str = "From: Alice Martin <alice@work.example>\r\n\
To: Chen Wei <chen.wei@contoso.example>\r\nCc: Bob Okafor <bob@contoso.example>\r\n\
Subject: Re: Q4 numbers for the review\r\nDate: Tue, 03 Nov 2026 13:04:00 +0000\r\n\
Message-ID: <r1@work.example>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nChen,\r\n\r\nThanks. The West comment is below; \
the new forecast and my notes on the slides are attached.\r\n\r\nAlice\r\n\r\n\
On Tue, 03 Nov 2026 11:02, Chen Wei wrote:\r\n";

const AS_SENT_TAIL: &str = "--b\r\n\
Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\
Content-Disposition: attachment; filename=\"forecast-west-Q4.xlsx\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nUEsDBBQABgAIAAAAIQBi7p1oXgEAAJAEAAATAAgCW0NvbnRlbnRfVHlwZXNdLnhtbCCi\r\n\
--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"slide-notes.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K\r\n--b--\r\n";

/// The message as built: the reply with its 30 quoted lines.
fn as_sent() -> Vec<u8> {
    let mut m = AS_SENT_HEAD.to_string();
    for i in 1..=30 {
        m.push_str(&format!("> quoted line {i} of the original message\r\n"));
    }
    m.push_str(AS_SENT_TAIL);
    m.into_bytes()
}

fn previewing(width: u16, height: u16) -> State {
    let mut s = reviewing(width, height);
    let cmds = s.update(Action::Ui(UiAction::Preview));
    let Some(Command::Compose(ComposeCommand::Preview { id, .. })) = cmds.first() else {
        panic!("expected Preview, got {cmds:?}")
    };
    let id = *id;
    s.update(Action::Compose(ComposeEvent::Preview {
        id,
        view: Box::new(crate::mail::message::parse(0, &as_sent())),
    }));
    s
}

#[test]
fn preview_as_sent_80x24() {
    let s = previewing(80, 24);
    let screen = screen(&s);
    assert!(screen.contains("as the recipients will see it"), "{screen}");
    assert!(screen.contains("slide-notes.pdf"), "{screen}");
    assert!(
        screen.contains("lines 1–21 of"),
        "what is below is said: {screen}"
    );
    assert_snapshot!(screen);
}

/// The end of a long preview: reached with the keys, the position shown.
#[test]
fn preview_scrolled_to_the_end_80x24() {
    let mut s = previewing(80, 24);
    s.update(Action::Ui(UiAction::Bottom));
    let screen = screen(&s);
    assert!(
        screen.contains("> quoted line 30 of the original message"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

fn row(entry: &str, subject: &str, to: &str, state: RowState) -> OutboxRow {
    OutboxRow {
        entry: entry.into(),
        account: 0,
        subject: subject.into(),
        recipients: to.into(),
        created: 1_793_711_000,
        state,
    }
}

fn outbox_rows() -> Vec<OutboxRow> {
    vec![
        row(
            "1",
            "Re: Q4 numbers for the review",
            "Chen Wei <chen.wei@contoso.example>",
            RowState::Failed(
                "the server refused the login (535 5.7.139): SMTP AUTH is turned off for \
this tenant; ask your admin to allow it for your mailbox"
                    .into(),
            ),
        ),
        row(
            "2",
            "Lieferung für München",
            "Jürgen Müller <j.mueller@fabrikam.example>",
            RowState::Uncertain,
        ),
        row(
            "3",
            "Slides for Thursday",
            "Bob Okafor <bob@contoso.example>, Chen Wei <chen.wei@contoso.example>",
            RowState::Sending("sending 3.2 MB".into()),
        ),
    ]
}

#[test]
fn outbox_80x24() {
    let mut s = sample_state(80, 24);
    s.update(Action::Compose(ComposeEvent::Outbox(outbox_rows())));
    s.update(Action::Ui(UiAction::Outbox));
    let screen = screen(&s);
    assert!(screen.contains("Outbox (3)"), "{screen}");
    assert!(
        screen.contains("a send again · e edit · d delete · Esc close"),
        "{screen}"
    );
    assert!(
        screen.contains("ask your admin"),
        "the reason whole: {screen}"
    );
    assert!(screen.contains("the server may have it"), "{screen}");
    assert_snapshot!(screen);
}

/// More entries than fit: the ones around the cursor, and which.
#[test]
fn long_outbox_around_the_cursor_80x24() {
    let mut s = sample_state(80, 24);
    let mut rows = outbox_rows();
    for i in 4..=12 {
        rows.push(row(
            &i.to_string(),
            &format!("Message {i}"),
            "Bob Okafor <bob@contoso.example>",
            RowState::Failed("the connection to smtp.contoso.example:587 timed out".into()),
        ));
    }
    s.update(Action::Compose(ComposeEvent::Outbox(rows)));
    s.update(Action::Ui(UiAction::Outbox));
    for _ in 0..11 {
        s.update(Action::Ui(UiAction::Down));
    }
    let screen = screen(&s);
    assert!(
        screen.contains("Message 12"),
        "the cursor's entry: {screen}"
    );
    assert!(screen.contains("shown, j/k moves"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn status_bar_with_unsent_mail_80x24() {
    let mut s = sample_state(80, 24);
    let mut rows = outbox_rows();
    rows.pop();
    s.update(Action::Compose(ComposeEvent::Outbox(rows)));
    let screen = screen(&s);
    assert!(last_line(&screen).contains("2 unsent (Q)"), "{screen}");
    assert_snapshot!(screen);
}

/// A send that failed while the user reads mail: the reason on the status
/// bar, and the outbox key in sight.
#[test]
fn status_bar_after_a_failed_send_80x24() {
    let mut s = sample_state(80, 24);
    let mut rows = outbox_rows();
    rows.truncate(1);
    rows[0].state = RowState::Sending("sending 48 KB".into());
    s.update(Action::Compose(ComposeEvent::Outbox(rows)));
    s.update(Action::Compose(ComposeEvent::SendFailed {
        entry: "1".into(),
        account: 0,
        sentence: "the server refused the login (535 5.7.139): SMTP AUTH is turned off for \
this tenant; ask your admin to allow it for your mailbox"
            .into(),
        sign_in: false,
        approve: None,
    }));
    let screen = screen(&s);
    assert!(
        last_line(&screen).contains("… (Q: outbox)"),
        "cut, with the key to the whole reason: {screen}"
    );
    assert_snapshot!(screen);
}
