//! The `:` command line and `|` in the state: keys in their prompts
//! (Tab, the history), running what was typed, the piped command's output
//! view, and what `:reload` brought. What a line means is
//! [`super::command_line`]'s; running the pipe is the app's.

use super::command_line::{self, Cmd, History};
use super::pipe::{PipeDone, PipeRequest, PipeView};
use super::prompt::{Outcome, Prompt, PromptKind};
use super::{Pane, State};
use crate::action::{Command, PromptKey, UiAction};
use crate::config::SidePanes;
use crate::config::pipe::PipeConfig;

/// How a `|` line is kept in the history: as the `:` command it is.
const PIPE_PREFIX: &str = "pipe ";

/// The command line's own state.
#[derive(Clone, Debug, Default)]
pub struct CommandLine {
    pub history: History,
    /// Under the prompt: the choices Tab found, or why the line failed.
    pub hint: Option<String>,
    /// The last piped command's output, while shown.
    pub view: Option<PipeView>,
    /// The piped command on its way: its id and command line.
    pub running: Option<(u64, String)>,
    next_id: u64,
    /// `[pipe]`: the programs that get the terminal.
    pub pipe: PipeConfig,
}

pub use super::reloaded::Reloaded;

impl State {
    pub(super) fn open_command_line(&mut self) {
        self.cli.history.reset();
        self.cli.hint = None;
        self.prompt = Some(Prompt::new(PromptKind::Command));
    }

    /// `|`: a prompt for the command, when there is a message to pipe.
    fn open_pipe_prompt(&mut self, text: bool) {
        if self.open_message().is_none() {
            self.notify("open a message to pipe it", true);
            return;
        }
        self.cli.history.reset();
        self.cli.hint = None;
        self.prompt = Some(Prompt::new(PromptKind::Pipe { text }));
    }

    /// The message in the reader.
    fn open_message(&self) -> Option<&crate::mail::view::MessageView> {
        match &self.account()?.reader.content {
            super::ReaderContent::Loaded(m) => Some(m),
            _ => None,
        }
    }

    /// Keys in the `:` and `|` prompts.
    pub(super) fn on_command_key(&mut self, mut p: Prompt, key: PromptKey) -> Vec<Command> {
        match key {
            PromptKey::Up | PromptKey::Down => {
                // `|` lines are kept as `pipe …`, so `:` can run them too.
                let prefix = match p.kind {
                    PromptKind::Pipe { .. } => PIPE_PREFIX,
                    _ => "",
                };
                let line = if key == PromptKey::Up {
                    self.cli.history.up_in(&p.text, prefix)
                } else {
                    self.cli.history.down_in(prefix)
                };
                if let Some(line) = line {
                    p.text = line;
                }
                self.prompt = Some(p);
                return Vec::new();
            }
            PromptKey::Complete if p.kind == PromptKind::Command => {
                let folders: Vec<String> = self
                    .account()
                    .map(|a| a.folders.iter().map(|f| f.path.clone()).collect())
                    .unwrap_or_default();
                let saved: Vec<String> =
                    self.virtual_folders().into_iter().map(|s| s.name).collect();
                let c = command_line::complete(&p.text, &folders, &saved);
                // Folder names come from the server: shown cleaned.
                p.text = c.line.chars().filter(|c| !c.is_control()).collect();
                self.cli.hint = (!c.choices.is_empty()).then(|| {
                    crate::sanitize::Clean::line(&c.choices.join("  "))
                        .as_str()
                        .to_string()
                });
                self.prompt = Some(p);
                return Vec::new();
            }
            _ => {}
        }
        let outcome = p.key(key);
        match outcome {
            Outcome::Done => {
                let line = p.text.trim().to_string();
                match p.kind {
                    PromptKind::Pipe { .. } if !line.is_empty() => {
                        self.cli.history.push(&format!("{PIPE_PREFIX}{line}"))
                    }
                    _ => self.cli.history.push(&line),
                }
                self.cli.hint = None;
                match p.kind {
                    PromptKind::Pipe { text } if !line.is_empty() => self.pipe(line, text),
                    PromptKind::Command if !line.is_empty() => self.run_line(&line),
                    _ => Vec::new(),
                }
            }
            Outcome::Cancelled => {
                self.cli.hint = None;
                Vec::new()
            }
            _ => {
                self.cli.hint = None;
                self.prompt = Some(p);
                Vec::new()
            }
        }
    }

    /// Runs a line typed at `:`; what went wrong goes to the status line.
    pub fn run_line(&mut self, line: &str) -> Vec<Command> {
        match command_line::parse(line) {
            Ok(cmd) => self.run_command(cmd),
            Err(e) => {
                self.notify(&e, true);
                Vec::new()
            }
        }
    }

    fn run_command(&mut self, cmd: Cmd) -> Vec<Command> {
        match cmd {
            // As its key would: the first context it applies in.
            Cmd::Action(a) => self.on_key(a),
            Cmd::Move(folder) if self.results_shown() => self.results_move_by_name(&folder),
            Cmd::Move(folder) => self.move_by_name(&folder),
            Cmd::Pipe { .. } if self.results_shown() => {
                self.notify("open a message first (Enter)", false);
                Vec::new()
            }
            Cmd::GoTo(folder) => {
                self.results = None;
                let account = self.current;
                let i = match self.folder_by_name(&folder, false) {
                    Ok(i) => i,
                    Err(why) => return self.no_folder(&why),
                };
                self.focus = Pane::Messages;
                match self.accounts.get_mut(account) {
                    Some(acc) => acc.open_folder(i, account),
                    None => Vec::new(),
                }
            }
            Cmd::Search(q) => {
                let mut p = Prompt::new(PromptKind::Search);
                p.text = q;
                let mut cmds = self.on_query_prompt(p, Outcome::Edited);
                if let Some(p) = self.prompt.take() {
                    cmds.extend(self.on_query_prompt(p, Outcome::Done));
                }
                cmds
            }
            Cmd::Limit(q) => {
                let mut p = Prompt::new(PromptKind::Limit);
                p.text = q;
                self.on_query_prompt(p, Outcome::Done)
            }
            Cmd::Everywhere(q) => {
                let mut p = Prompt::new(PromptKind::Everywhere);
                p.text = q;
                self.on_everywhere_prompt(p, Outcome::Done)
            }
            Cmd::Saved(name) => self.open_saved_by_name(&name),
            Cmd::Sort { by, reverse } => {
                self.set_sort_order(crate::state::sort::SortOrder { by, reverse })
            }
            Cmd::Set { name, value } => self.set(name, value),
            Cmd::Reload => {
                self.notify("reading the config again…", false);
                vec![Command::Reload]
            }
            Cmd::Pipe { command, text } => self.pipe(command, text),
        }
    }

    fn set(&mut self, name: &str, value: &str) -> Vec<Command> {
        use crate::config::theme::Preset;
        match (name, value) {
            ("side_panes", v) => {
                self.side_panes = match v {
                    "show" => SidePanes::Show,
                    "hide" => SidePanes::Hide,
                    _ => SidePanes::Auto,
                };
                if v == "hide" && matches!(self.focus, Pane::Accounts | Pane::Folders) {
                    self.focus = Pane::Messages;
                }
                self.notify(&format!("side_panes = {v}"), false);
                Vec::new()
            }
            ("theme", v) => {
                let preset = match v {
                    "light" => Preset::Light,
                    "16" => Preset::Ansi16,
                    "none" => Preset::None,
                    _ => Preset::Dark,
                };
                self.notify(&format!("theme = {v}"), false);
                vec![Command::SetTheme(preset)]
            }
            (other, _) => {
                self.notify(&format!("unknown setting “{other}”"), true);
                Vec::new()
            }
        }
    }

    /// A folder by what was typed: its name or path exactly (without
    /// regard to case), else the one folder the picker's matching leaves.
    /// Several left: going takes the picker's first, as Enter would;
    /// moving mail refuses and names them (`:move tr` must not pick Trash
    /// or Travel by list order).
    fn folder_by_name(&self, typed: &str, moving: bool) -> Result<usize, String> {
        let acc = self.account().ok_or_else(|| "no account".to_string())?;
        let exclude = moving.then_some(acc.list.path.as_deref()).flatten();
        let lower = typed.to_lowercase();
        let exact = acc.folders.iter().position(|f| {
            f.selectable
                && Some(f.path.as_str()) != exclude
                && (f.path.to_lowercase() == lower || f.name.as_str().to_lowercase() == lower)
        });
        if let Some(i) = exact {
            return Ok(i);
        }
        let mut p = Prompt::new(PromptKind::GoToFolder);
        p.text = typed.to_string();
        p.filter_folders(&acc.folders, exclude);
        match (p.choices.as_slice(), moving) {
            ([], _) => Err(format!("no folder “{typed}” (Tab lists them)")),
            ([one], _) => Ok(*one),
            (several, false) => Ok(several[0]),
            (several, true) => {
                let names: Vec<&str> = several
                    .iter()
                    .take(4)
                    .filter_map(|i| acc.folders.get(*i))
                    .map(|f| f.name.as_str())
                    .collect();
                let more = if several.len() > 4 { ", …" } else { "" };
                Err(format!(
                    "“{typed}” fits {}{more}: name one (Tab completes)",
                    names.join(", ")
                ))
            }
        }
    }

    fn no_folder(&mut self, why: &str) -> Vec<Command> {
        self.notify(why, true);
        Vec::new()
    }

    /// `:move NAME` in the results: the targets' account's folder.
    fn results_move_by_name(&mut self, typed: &str) -> Vec<Command> {
        if !self.results_move_prompt_for() {
            return Vec::new();
        }
        let to = match self.folder_by_name(typed, false) {
            Ok(i) => match self.account().and_then(|a| a.folders.get(i)) {
                Some(f) => f.path.clone(),
                None => return Vec::new(),
            },
            Err(why) => return self.no_folder(&why),
        };
        self.results_move(to)
    }

    fn move_by_name(&mut self, typed: &str) -> Vec<Command> {
        let Some(acc) = self.account() else {
            return Vec::new();
        };
        if acc.reader.gone {
            self.notify(
                "this message was deleted on the server; move to another message first",
                true,
            );
            return Vec::new();
        }
        let uids = acc.list.targets();
        if uids.is_empty() {
            self.notify("no message to move", true);
            return Vec::new();
        }
        let found = self.folder_by_name(typed, true);
        let to = match found.map(|i| self.account().and_then(|a| a.folders.get(i))) {
            Ok(Some(f)) => f.path.clone(),
            Ok(None) => return Vec::new(),
            Err(why) => return self.no_folder(&why),
        };
        self.move_to(uids, to)
    }

    /// Pipes the message in the reader: its source, or the text shown.
    fn pipe(&mut self, command: String, text: bool) -> Vec<Command> {
        let Some(m) = self.open_message() else {
            self.notify("open a message to pipe it", true);
            return Vec::new();
        };
        let input = if text {
            let mut s = String::new();
            for (name, value) in &m.headers {
                s.push_str(&format!("{name}: {}\n", value.as_str()));
            }
            s.push('\n');
            s.push_str(m.body.as_str());
            s.into_bytes()
        } else if !m.raw_bytes.is_empty() {
            m.raw_bytes.to_vec()
        } else {
            self.notify(
                "this message's source is not all here (over 1 MiB, or read without its attachments): :pipe_text pipes its text",
                true,
            );
            return Vec::new();
        };
        if let Some((_, running)) = &self.cli.running {
            let note = format!("“{running}” is still running");
            self.notify(&note, true);
            return Vec::new();
        }
        self.cli.next_id += 1;
        let id = self.cli.next_id;
        let interactive = self.cli.pipe.is_interactive(&command);
        self.cli.running = Some((id, command.clone()));
        if !interactive {
            self.notify(&format!("running “{command}”…"), false);
        }
        vec![Command::Pipe(PipeRequest {
            id,
            command,
            input,
            interactive,
        })]
    }

    pub(super) fn on_piped(&mut self, done: PipeDone) -> Vec<Command> {
        if self
            .cli
            .running
            .as_ref()
            .is_none_or(|(id, _)| *id != done.id)
        {
            return Vec::new();
        }
        self.cli.running = None;
        if done.interactive {
            // It had the terminal: only how it ended is news.
            match done.end.describe(&done.command) {
                Some(e) => self.notify(&format!("{}: {e}", done.command), true),
                None => self.notice = None,
            }
            return Vec::new();
        }
        let view = PipeView::new(&done);
        self.notice = None;
        if !view.notes.is_empty() {
            let note = format!("{}: {}", done.command, view.notes.join("; "));
            self.notify(&note, true);
        }
        self.cli.view = Some(view);
        Vec::new()
    }

    /// Rows of output the view shows (a border above and below, the
    /// status line under it).
    pub fn pipe_rows(&self) -> usize {
        let status = usize::from(self.areas().status.height);
        usize::from(self.height).saturating_sub(status + 2).max(1)
    }

    /// Keys while the output is up: it scrolls, q and Esc close it.
    pub(super) fn on_pipe_view_key(&mut self, a: UiAction) -> Vec<Command> {
        let rows = self.pipe_rows();
        let page = rows.saturating_sub(1).max(1) as isize;
        let Some(v) = self.cli.view.as_mut() else {
            return Vec::new();
        };
        match a {
            UiAction::Up => v.scroll_by(-1, rows),
            UiAction::Down => v.scroll_by(1, rows),
            UiAction::PageUp => v.scroll_by(-page, rows),
            UiAction::PageDown | UiAction::NextPage => v.scroll_by(page, rows),
            UiAction::Top => v.scroll_by(isize::MIN / 2, rows),
            UiAction::Bottom => v.scroll_by(isize::MAX / 2, rows),
            UiAction::CommandLine => {
                self.cli.view = None;
                self.open_command_line();
            }
            UiAction::Quit | UiAction::Back => self.cli.view = None,
            _ => {}
        }
        Vec::new()
    }

    /// `:` and `|` by their keys; None for other actions.
    pub(super) fn on_command_line_key(&mut self, a: UiAction) -> Option<Vec<Command>> {
        match a {
            UiAction::CommandLine => self.open_command_line(),
            UiAction::Pipe => self.open_pipe_prompt(false),
            _ => return None,
        }
        Some(Vec::new())
    }

    pub(super) fn on_reloaded(&mut self, r: Result<Box<Reloaded>, String>) -> Vec<Command> {
        match r {
            Err(e) => self.notify(&format!("config not reloaded: {e}"), true),
            Ok(r) => {
                let r = *r;
                self.help = r.help;
                // The user's title is kept at start only when the title
                // is mailtui's: turning it on or off needs a restart.
                self.notify = crate::notify::NotifySettings {
                    title: self.notify.title,
                    ..r.notify
                };
                self.files = r.files;
                self.dates = r.dates;
                self.side_panes = r.side_panes;
                self.columns = if r.columns.is_empty() {
                    crate::config::columns::default_columns()
                } else {
                    r.columns
                };
                self.cli.pipe = r.pipe;
                self.searches = r.searches.saved;
                self.all_inboxes = r.searches.all_inboxes;
                self.on_virtual = None;
                self.forward_as_attachment = r.forward_as_attachment;
                let note = if r.restart.is_empty() {
                    "config reloaded".to_string()
                } else {
                    format!(
                        "config reloaded; restart for the changes to {}",
                        r.restart.join(", ")
                    )
                };
                self.notify(&note, !r.restart.is_empty());
            }
        }
        Vec::new()
    }
}

#[cfg(test)]
#[path = "commanding_tests.rs"]
mod tests;
