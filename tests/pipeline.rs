//! The list-row FETCH pipeline (src/imap/pipeline.rs: the next window's
//! command goes out before the current answer is read) against a server
//! that floods the current answer past its response cap and answers the
//! command sent ahead inside it: behaviour no real server shows, so the
//! scripted fake (tests/support/fake_imap.rs).

mod support;

use std::time::Duration;

use mailtui::imap::{ImapBackend, Timeouts};
use mailtui::mail::{MailBackend, MailError};
use support::fake_imap::{FakeImap, Flow, Folder, fetch_response, junk_lines};

/// Untagged lines before the rows: past the cap of a 5-row window
/// (2 per row and 10,000 spare).
const FLOOD: u32 = 20_000;
/// Failure guard only: each call ends in well under a second when right.
const GUARD: Duration = Duration::from_secs(30);

const CURRENT: [u32; 5] = [1, 2, 3, 4, 5];
const AHEAD: [u32; 5] = [6, 7, 8, 9, 10];

/// When the command sent ahead gets its tagged OK: inside the current
/// answer, or after it.
#[derive(Clone, Copy)]
enum AheadDone {
    Inside,
    After,
}

/// A server whose first UID FETCH waits for the client's next one (sent
/// ahead), then sends a flood, the rows of the command ahead, and both
/// completions; later UID FETCHes get the default answer.
fn flooding_server(done: AheadDone) -> FakeImap {
    FakeImap::builder()
        .folders(vec![Folder::new("INBOX", 1, 1..=10)])
        .on("UID FETCH", move |c, cmd| {
            if c.seen("UID FETCH") > 1 {
                return Ok(Flow::Default);
            }
            let Some(next) = c.read_line()? else {
                return Ok(Flow::Close);
            };
            // `tag UID FETCH set items`
            let mut words = next.splitn(5, ' ');
            let tag = words.next().unwrap_or_default().to_string();
            let items = words.nth(3).unwrap_or_default().to_string();
            c.send(&junk_lines(FLOOD))?;
            for uid in AHEAD {
                c.send(&fetch_response(uid, uid, &items, false))?;
            }
            let ahead_ok = format!("{tag} OK UID FETCH done");
            if matches!(done, AheadDone::Inside) {
                c.line(&ahead_ok)?;
            }
            c.ok(cmd)?;
            if matches!(done, AheadDone::After) {
                c.line(&ahead_ok)?;
            }
            Ok(Flow::Handled)
        })
        .start()
}

async fn selected(fake: &FakeImap) -> ImapBackend {
    let timeouts = Timeouts {
        connect: Duration::from_secs(5),
        command: Duration::from_secs(3),
        ..Timeouts::default()
    };
    let mut b = support::fake_imap::backend_at(fake.port, timeouts);
    b.connect().await.expect("login");
    b.select("INBOX", None).await.expect("select");
    b
}

/// The current window fails (its answer is too big); the window sent
/// ahead then comes whole, on the same session.
async fn ahead_survives_the_flood(done: AheadDone) {
    let fake = flooding_server(done);
    let mut b = selected(&fake).await;
    let first = tokio::time::timeout(GUARD, b.fetch_rows_then(&CURRENT, Some(&AHEAD)))
        .await
        .expect("the flooded window ends");
    match first {
        Err(MailError::Command(e)) => assert!(e.contains("too big"), "{e}"),
        other => panic!("expected the flooded window refused, got {other:?}"),
    }
    let rows = tokio::time::timeout(GUARD, b.fetch_rows_then(&AHEAD, None))
        .await
        .expect("the window ahead ends")
        .expect("the window ahead");
    let mut uids: Vec<u32> = rows.iter().map(|r| r.envelope.uid).collect();
    uids.sort_unstable();
    assert_eq!(uids, AHEAD, "the rows of the window ahead");
    assert_eq!(fake.stats().sessions(), 1, "no reconnect");
    // The session is still in step: a plain command gets its own answer.
    let more = b.fetch_rows(&[1]).await.expect("one more row");
    assert_eq!(more.len(), 1);
}

/// A tagged OK of the command ahead, arriving past the current answer's
/// cap, is still noticed: nothing waits for a tag that already went by.
#[tokio::test]
async fn an_ahead_completion_past_the_cap_is_noticed() {
    ahead_survives_the_flood(AheadDone::Inside).await;
}

/// Rows of the command ahead dropped past the current answer's cap are
/// asked for again, not reported missing.
#[tokio::test]
async fn ahead_rows_dropped_past_the_cap_are_asked_again() {
    ahead_survives_the_flood(AheadDone::After).await;
}
