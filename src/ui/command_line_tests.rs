//! The `:` prompt with Tab's choices, and a piped command's output, as
//! the screen shows them.

use insta::assert_snapshot;

use super::tests::{sample_state, screen};
use crate::action::{Action, PromptKey, UiAction};
use crate::state::pipe::{PipeDone, PipeEnd};

fn typed(s: &mut crate::state::State, text: &str) {
    for c in text.chars() {
        s.update(Action::Prompt(PromptKey::Char(c)));
    }
}

#[test]
fn the_command_prompt_lists_what_tab_found() {
    let mut s = sample_state(80, 24);
    s.update(Action::Ui(UiAction::CommandLine));
    typed(&mut s, "toggle_");
    s.update(Action::Prompt(PromptKey::Complete));
    let shown = screen(&s);
    let last = shown
        .lines()
        .rfind(|l| l.contains(":toggle_"))
        .unwrap_or_default();
    assert!(last.contains("toggle_log"), "{shown}");
    assert_snapshot!(shown);
}

#[test]
fn piped_output_80x24() {
    let mut s = sample_state(80, 24);
    s.update(Action::Ui(UiAction::CommandLine));
    typed(&mut s, "pipe grep -n e");
    let cmds = s.update(Action::Prompt(PromptKey::Enter));
    let Some(crate::action::Command::Pipe(req)) = cmds.into_iter().next() else {
        panic!("no pipe")
    };
    let output: String = (1..=40)
        .map(|i| format!("{i}:line \x1b[1mbold\x1b[0m {i}\n"))
        .collect();
    s.update(Action::Piped(Box::new(PipeDone {
        id: req.id,
        command: req.command,
        output: output.into_bytes(),
        end: PipeEnd::Exited(1),
        interactive: false,
    })));
    s.update(Action::Ui(UiAction::Down));
    let shown = screen(&s);
    assert!(
        shown.contains("| pipe grep -n e") || shown.contains("| grep -n e"),
        "{shown}"
    );
    assert!(!shown.contains('\x1b'), "{shown}");
    assert_snapshot!(shown);
}
