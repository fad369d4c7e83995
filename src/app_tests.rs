//! The whole app headless: the real event loop with keys from a channel,
//! worker events from a channel and a TestBackend for a screen.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::mail::row_text::{BoxedClean, SharedClean};
use crate::mail::types::{Envelope, Flags, Folder, FolderRole};
use crate::state::test_kit::{StateBuilder, info};

fn key(c: char) -> std::io::Result<Event> {
    Ok(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

fn screen(t: &Terminal<TestBackend>) -> String {
    let b = t.backend().buffer();
    (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn row(uid: u32) -> Envelope {
    Envelope {
        uid,
        date: Some(1_790_000_000 + i64::from(uid)),
        from: SharedClean::line("Ann"),
        to: SharedClean::default(),
        subject: BoxedClean::line(&format!("headless note {uid}")),
        flags: Flags::default(),
        has_attachment: false,
        size: 100,
    }
}

#[tokio::test]
async fn keys_and_worker_events_drive_the_app_to_the_screen() {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    let keymap = Keymap::new(&[]).expect("default keys");
    let theme = crate::ui::Theme::default();
    let mut state = StateBuilder::default()
        .account(info("work"))
        .now(1_790_000_000)
        .help()
        .build();
    let (ev_tx, mut ev_rx) = unbounded_channel();
    let (files_tx, mut files_rx) = unbounded_channel();
    let (_log_tx, mut log_rx) = unbounded_channel();
    let (_signal_tx, mut signals) = unbounded_channel();
    // No background parts: what the app asks of them goes nowhere, and the
    // test plays the worker.
    let tasks = vec![AccountTasks::default()];
    let opened = crate::files::OpenedFiles::default();
    let (compose_tx, mut compose_rx) = unbounded_channel();
    let data = tempfile::tempdir().expect("data dir");
    let outgoing = crate::outgoing::Outgoing::new(
        &[],
        &[],
        Vec::new(),
        Default::default(),
        data.path(),
        compose_tx,
        0,
    );
    let (actions_tx, mut actions_rx) = unbounded_channel();
    let effects = Effects {
        tasks: &tasks,
        events: &ev_tx,
        files: &files_tx,
        opened: &opened,
        outgoing: &outgoing,
        actions: &actions_tx,
        running: None,
    };
    let (key_tx, mut keys) = futures::channel::mpsc::unbounded();
    let worker = ev_tx.clone();
    let drive = async move {
        let send = |event| {
            let _ = worker.send((0, event));
        };
        send(WorkerEvent::Conn(ConnState::Connected));
        send(WorkerEvent::Folders(vec![Folder {
            path: "INBOX".into(),
            name: Clean::line("INBOX"),
            depth: 0,
            selectable: true,
            role: FolderRole::Inbox,
        }]));
        tokio::time::sleep(Duration::from_millis(50)).await;
        // The app opened INBOX at start with request 1.
        send(WorkerEvent::Selected {
            req: 1,
            path: "INBOX".into(),
            uid_validity: 7,
            exists: 3,
        });
        send(WorkerEvent::Inserted {
            req: 1,
            envelopes: vec![row(3), row(2), row(1)],
            remaining: 0,
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let _ = key_tx.unbounded_send(key('j'));
        tokio::time::sleep(Duration::from_millis(50)).await;
        let _ = key_tx.unbounded_send(key('q'));
    };
    let run = event_loop(
        &mut terminal,
        &mut keys,
        &mut state,
        &effects,
        Ui {
            keymap: &keymap,
            theme: &theme,
            synchronized: false,
            mouse: false,
        },
        Inputs {
            events: &mut ev_rx,
            log: &mut log_rx,
            files: &mut files_rx,
            signals: &mut signals,
            compose: &mut compose_rx,
            actions: &mut actions_rx,
        },
    );
    let (result, ()) =
        tokio::time::timeout(Duration::from_secs(5), async { tokio::join!(run, drive) })
            .await
            .expect("q ends the loop");
    assert_eq!(result.expect("the loop ran"), Ended::Quit);
    assert!(state.quitting, "q quit");
    let list = &state.accounts[0].list;
    assert_eq!(
        list.selected_envelope().map(|e| e.uid),
        Some(2),
        "j moved down"
    );
    let shown = screen(&terminal);
    assert!(
        shown.contains("headless note 3") && shown.contains("headless note 1"),
        "{shown}"
    );
    assert!(shown.contains("connected"), "{shown}");
}

/// A quit signal ends the loop at once, the way `q` does, though keys and
/// worker events keep coming and nothing else is pending.
#[tokio::test]
async fn a_signal_ends_the_loop_like_quit() {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let keymap = Keymap::new(&[]).expect("default keys");
    let theme = crate::ui::Theme::default();
    let mut state = StateBuilder::default().account(info("work")).build();
    let (ev_tx, mut ev_rx) = unbounded_channel();
    let (files_tx, mut files_rx) = unbounded_channel();
    let (_log_tx, mut log_rx) = unbounded_channel();
    let (signal_tx, mut signals) = unbounded_channel();
    let tasks = vec![AccountTasks::default()];
    let opened = crate::files::OpenedFiles::default();
    let (compose_tx, mut compose_rx) = unbounded_channel();
    let data = tempfile::tempdir().expect("data dir");
    let outgoing = crate::outgoing::Outgoing::new(
        &[],
        &[],
        Vec::new(),
        Default::default(),
        data.path(),
        compose_tx,
        0,
    );
    let (actions_tx, mut actions_rx) = unbounded_channel();
    let effects = Effects {
        tasks: &tasks,
        events: &ev_tx,
        files: &files_tx,
        opened: &opened,
        outgoing: &outgoing,
        actions: &actions_tx,
        running: None,
    };
    // A key stream that never ends: only the signal can stop the loop.
    let (_key_tx, mut keys) = futures::channel::mpsc::unbounded::<std::io::Result<Event>>();
    let _ = signal_tx.send(15);
    let run = event_loop(
        &mut terminal,
        &mut keys,
        &mut state,
        &effects,
        Ui {
            keymap: &keymap,
            theme: &theme,
            synchronized: false,
            mouse: false,
        },
        Inputs {
            events: &mut ev_rx,
            log: &mut log_rx,
            files: &mut files_rx,
            signals: &mut signals,
            compose: &mut compose_rx,
            actions: &mut actions_rx,
        },
    );
    let result = tokio::time::timeout(Duration::from_secs(5), run)
        .await
        .expect("the signal ends the loop");
    let ended = result.expect("the loop ran");
    assert_eq!(ended, Ended::Signal(15));
    assert_eq!(ended.exit_status(), 143);
}

/// A plain key bound to nothing is named for the status bar; a chord is
/// not; in a prompt every key is text.
#[test]
fn unbound_keys_are_named_outside_prompts() {
    let keymap = Keymap::new(&[]).expect("default keys");
    let ev = |code, mods| Event::Key(KeyEvent::new(code, mods));
    assert_eq!(
        key_action(&keymap, ev(KeyCode::Char('w'), KeyModifiers::NONE), false),
        Some(Action::NotBound("w".into()))
    );
    assert_eq!(
        key_action(
            &keymap,
            ev(KeyCode::Char('w'), KeyModifiers::CONTROL),
            false
        ),
        Some(Action::Unbound)
    );
    assert_eq!(
        key_action(&keymap, ev(KeyCode::Char('w'), KeyModifiers::NONE), true),
        Some(Action::Prompt(PromptKey::Char('w')))
    );
    assert_eq!(
        key_action(&keymap, ev(KeyCode::Char(' '), KeyModifiers::NONE), false),
        Some(Action::Keys(vec![
            crate::action::UiAction::NextPage,
            crate::action::UiAction::Mark
        ]))
    );
}
