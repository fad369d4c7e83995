//! The `:` and `|` prompts driven through `update`.

use super::super::test_kit::*;
use super::*;
use crate::action::{Action, PromptKey};
use crate::state::SortBy;
use crate::state::pipe::{MAX_PIPE_LINES, PipeEnd};
use crate::worker::{WorkerCommand, WorkerEvent};

const NOTE: &str = "From: Ann <a@x>\r\nSubject: a patch\r\n\r\nline one\r\nline two\r\n";

/// INBOX with 5 messages, the selected one open in the reader.
fn reading() -> State {
    let mut s = state();
    loaded(&mut s, 0, 5);
    let (uid, req) = {
        let r = &s.accounts[0].reader;
        (r.uid.unwrap(), r.req)
    };
    worker(
        &mut s,
        0,
        WorkerEvent::Message {
            req,
            message: Box::new(crate::mail::message::parse(uid, NOTE.as_bytes())),
        },
    );
    s
}

fn typed(s: &mut State, keys: &str) -> Vec<Command> {
    let mut cmds = Vec::new();
    for c in keys.chars() {
        cmds.extend(s.update(Action::Prompt(PromptKey::Char(c))));
    }
    cmds
}

/// `:` LINE Enter.
fn run(s: &mut State, line: &str) -> Vec<Command> {
    s.update(Action::Ui(UiAction::CommandLine));
    assert_eq!(
        s.prompt.as_ref().map(|p| &p.kind),
        Some(&PromptKind::Command)
    );
    typed(s, line);
    s.update(Action::Prompt(PromptKey::Enter))
}

fn notice(s: &State) -> (String, bool) {
    let n = s.notice.as_ref().expect("a notice");
    (n.text.as_str().to_string(), n.error)
}

#[test]
fn bare_names_run_actions_as_their_keys_do() {
    let mut s = reading();
    run(&mut s, "toggle_flag");
    let uid = s.accounts[0].list.selected_envelope().unwrap().uid;
    assert!(s.accounts[0].list.envelope(uid).unwrap().flags.flagged);
    run(&mut s, "help");
    assert!(s.show_help);
    s.update(Action::Ui(UiAction::Back));
    let cmds = run(&mut s, "quit");
    assert!(cmds.contains(&Command::Quit));
}

#[test]
fn move_takes_a_folder_by_name_and_says_when_there_is_none() {
    let mut s = reading();
    let uid = s.accounts[0].list.selected_envelope().unwrap().uid;
    let cmds = run(&mut s, "move apollo");
    assert!(
        cmds.iter().any(|c| matches!(c,
            Command::Worker { command: WorkerCommand::Move { to, uids, .. }, .. }
                if to == "Projects/Apollo" && uids == &vec![uid])),
        "{cmds:?}"
    );
    let cmds = run(&mut s, "move Nowhere");
    assert!(cmds.is_empty());
    assert_eq!(
        notice(&s),
        ("no folder “Nowhere” (Tab lists them)".into(), true)
    );
    run(&mut s, "mvoe Archive");
    assert_eq!(
        notice(&s),
        ("unknown command “mvoe”; did you mean “move”?".into(), true)
    );
    // Several folders fit: nothing is moved, and they are named.
    let cmds = run(&mut s, "move e");
    assert!(cmds.is_empty(), "{cmds:?}");
    let (text, error) = notice(&s);
    assert!(
        error && text.starts_with("“e” fits ") && text.contains("Archive"),
        "{text}"
    );
}

#[test]
fn search_limit_and_sort_call_what_their_prompts_do() {
    let mut s = reading();
    run(&mut s, "limit is:unread");
    let l = &s.accounts[0].list;
    assert!(l.limit.is_some());
    assert!((0..l.len()).all(|i| !l.row(i).unwrap().0.flags.seen));
    run(&mut s, "limit from:(");
    assert!(
        s.prompt
            .as_ref()
            .is_some_and(|p| p.kind == PromptKind::Limit && p.error.is_some()),
        "a query that does not read stays, with why"
    );
    s.update(Action::Prompt(PromptKey::Esc));
    run(&mut s, "search from:alice");
    assert!(s.accounts[0].list.search.is_some());
    run(&mut s, "sort subject");
    assert_eq!(s.accounts[0].list.sort.by, SortBy::Subject);
    assert_eq!(notice(&s), ("sorted by subject ↑".into(), false));
    run(&mut s, "sort date reverse");
    assert_eq!(s.accounts[0].list.sort.by, SortBy::Date);
    assert!(s.accounts[0].list.sort.reverse);
    assert_eq!(notice(&s), ("sorted by date ↑".into(), false));
}

#[test]
fn set_changes_what_can_change_and_names_what_cannot() {
    let mut s = reading();
    run(&mut s, "set side_panes hide");
    assert_eq!(s.side_panes, SidePanes::Hide);
    let cmds = run(&mut s, "set theme light");
    assert_eq!(
        cmds,
        [Command::SetTheme(crate::config::theme::Preset::Light)]
    );
    run(&mut s, "set editor vim");
    assert_eq!(
        notice(&s),
        (
            "unknown setting “editor”; what can change now: theme, side_panes".into(),
            true
        )
    );
}

#[test]
fn tab_completes_and_up_down_walk_the_history() {
    let mut s = reading();
    s.update(Action::Ui(UiAction::CommandLine));
    typed(&mut s, "mo");
    s.update(Action::Prompt(PromptKey::Complete));
    typed(&mut s, "pro");
    s.update(Action::Prompt(PromptKey::Complete));
    assert_eq!(s.prompt.as_ref().unwrap().text, "move Projects/Apollo");
    s.update(Action::Prompt(PromptKey::Esc));
    s.update(Action::Ui(UiAction::CommandLine));
    typed(&mut s, "toggle_");
    s.update(Action::Prompt(PromptKey::Complete));
    assert!(s.cli.hint.as_ref().unwrap().contains("toggle_flag"));
    s.update(Action::Prompt(PromptKey::Esc));
    run(&mut s, "sort date");
    run(&mut s, "sort sender");
    s.update(Action::Ui(UiAction::CommandLine));
    typed(&mut s, "dr");
    s.update(Action::Prompt(PromptKey::Up));
    assert_eq!(s.prompt.as_ref().unwrap().text, "sort sender");
    s.update(Action::Prompt(PromptKey::Up));
    assert_eq!(s.prompt.as_ref().unwrap().text, "sort date");
    s.update(Action::Prompt(PromptKey::Down));
    s.update(Action::Prompt(PromptKey::Down));
    assert_eq!(s.prompt.as_ref().unwrap().text, "dr");
}

#[test]
fn a_pipe_is_kept_in_the_history_as_the_command_it_is() {
    let mut s = reading();
    s.update(Action::Ui(UiAction::Pipe));
    typed(&mut s, "wc -c");
    s.update(Action::Prompt(PromptKey::Enter));
    s.cli.running = None;
    run(&mut s, "sort date");
    s.update(Action::Ui(UiAction::CommandLine));
    s.update(Action::Prompt(PromptKey::Up));
    s.update(Action::Prompt(PromptKey::Up));
    assert_eq!(s.prompt.as_ref().unwrap().text, "pipe wc -c");
    s.update(Action::Prompt(PromptKey::Esc));
    s.update(Action::Ui(UiAction::Pipe));
    s.update(Action::Prompt(PromptKey::Up));
    assert_eq!(s.prompt.as_ref().unwrap().text, "wc -c");
}

fn piped(cmds: &[Command]) -> PipeRequest {
    cmds.iter()
        .find_map(|c| match c {
            Command::Pipe(r) => Some(r.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no pipe in {cmds:?}"))
}

#[test]
fn the_pipe_gets_the_source_or_the_text_and_shows_what_came_back() {
    let mut s = state();
    loaded(&mut s, 0, 2);
    s.update(Action::Ui(UiAction::Pipe));
    assert!(s.prompt.is_none());
    assert_eq!(notice(&s), ("open a message to pipe it".into(), true));

    let mut s = reading();
    s.update(Action::Ui(UiAction::Pipe));
    typed(&mut s, "wc -c");
    let req = piped(&s.update(Action::Prompt(PromptKey::Enter)));
    assert_eq!(req.command, "wc -c");
    assert!(!req.interactive);
    let raw = String::from_utf8(req.input.clone()).unwrap();
    assert_eq!(raw, NOTE, "the source as received, CRs and all");
    // Another while one runs: said, not started.
    assert!(run(&mut s, "pipe cat").is_empty());
    assert!(notice(&s).0.contains("still running"));
    s.update(Action::Piped(Box::new(PipeDone {
        id: req.id,
        command: req.command.clone(),
        output: b"\x1b[1m58\x1b[0m\n".to_vec(),
        end: PipeEnd::Exited(0),
        interactive: false,
    })));
    let v = s.cli.view.as_ref().expect("the output shows");
    assert_eq!(v.lines[0].as_str(), "58");
    // j, k and PgDn scroll; q closes without quitting.
    s.update(Action::Ui(UiAction::Down));
    assert!(s.update(Action::Ui(UiAction::Quit)).is_empty());
    assert!(s.cli.view.is_none() && !s.quitting);

    let req = piped(&run(&mut s, "pipe-text less"));
    assert!(req.interactive, "less takes the terminal");
    let text = String::from_utf8(req.input.clone()).unwrap();
    assert!(text.contains("Subject: a patch") && text.contains("line one\nline two"));
    s.update(Action::Piped(Box::new(PipeDone {
        id: req.id,
        command: req.command,
        output: Vec::new(),
        end: PipeEnd::Exited(127),
        interactive: true,
    })));
    assert!(s.cli.view.is_none());
    assert_eq!(notice(&s), ("less: command not found: “less”".into(), true));
}

#[test]
fn long_or_failing_output_is_capped_and_says_how_it_ended() {
    let mut s = reading();
    let req = piped(&run(&mut s, "pipe seq 1 20000; exit 2"));
    let output = (1..=20_000).map(|i| format!("{i}\n")).collect::<String>();
    s.update(Action::Piped(Box::new(PipeDone {
        id: req.id,
        command: req.command,
        output: output.into_bytes(),
        end: PipeEnd::Exited(2),
        interactive: false,
    })));
    let v = s.cli.view.as_ref().unwrap();
    assert_eq!(v.lines.len(), MAX_PIPE_LINES);
    assert_eq!(v.notes, ["exit status 2", "output cut at 10000 lines"]);
    assert!(notice(&s).1);
    s.update(Action::Ui(UiAction::Bottom));
    let v = s.cli.view.as_ref().unwrap();
    assert_eq!(v.scroll, v.len() - s.pipe_rows());
    // A stale answer (another id) changes nothing.
    s.update(Action::Ui(UiAction::Back));
    s.update(Action::Piped(Box::new(PipeDone {
        id: 999,
        command: "x".into(),
        output: b"x".to_vec(),
        end: PipeEnd::Exited(0),
        interactive: false,
    })));
    assert!(s.cli.view.is_none());
}

#[test]
fn reload_applies_what_came_and_says_what_needs_a_restart() {
    let mut s = reading();
    assert_eq!(run(&mut s, "reload"), [Command::Reload]);
    s.update(Action::Reloaded(Err(
        "config.toml line 3: expected `]`".into()
    )));
    assert_eq!(
        notice(&s),
        (
            "config not reloaded: config.toml line 3: expected `]`".into(),
            true
        )
    );
    let mut help = s.help.clone();
    help.push(crate::keymap::HelpEntry {
        keys: "x".into(),
        name: "quit".into(),
        description: "quit".into(),
    });
    s.update(Action::Reloaded(Ok(Box::new(Reloaded {
        help: help.clone(),
        notify: s.notify,
        files: s.files.clone(),
        dates: s.dates.clone(),
        side_panes: SidePanes::Show,
        columns: crate::config::columns::parse_columns(&["subject".into(), "size".into()])
            .expect("columns"),
        pipe: PipeConfig {
            interactive: vec!["tig".into()],
        },
        forward_as_attachment: true,
        searches: crate::config::searches::Searches {
            saved: vec![crate::config::searches::SavedSearch {
                name: "Flagged".into(),
                query: crate::query::parse("is:flagged").expect("query"),
                text: "is:flagged".into(),
            }],
            all_inboxes: false,
        },
        restart: vec!["accounts".into()],
    }))));
    assert_eq!(s.help, help);
    assert_eq!(s.side_panes, SidePanes::Show);
    // Saved searches change at once; All inboxes was turned off.
    let names: Vec<String> = s.virtual_folders().into_iter().map(|v| v.name).collect();
    assert_eq!(names, ["Flagged"]);
    assert_eq!(s.columns.len(), 2, "the list's columns change at once");
    assert!(s.forward_as_attachment && s.cli.pipe.is_interactive("tig"));
    assert_eq!(
        notice(&s),
        (
            "config reloaded; restart for the changes to accounts".into(),
            true
        )
    );
}
