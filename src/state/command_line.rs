//! The `:` command line as plain functions: what a typed line means,
//! what Tab makes of it, and the history Up/Down walk. Every action is
//! there by its `[keys]` name ([`UiAction::NAMED`]); a few take
//! arguments, and a few words exist only here (`set`, `reload`, `pipe`).

use std::collections::VecDeque;

use super::list::SortBy;
use crate::action::UiAction;

/// Lines the history keeps (the oldest go first).
pub const HISTORY_ENTRIES: usize = 100;
/// The most of a history file read back (a bigger one is cut).
pub const HISTORY_FILE_BYTES: usize = 64 * 1024;
/// The longest line typed at `:` or `|`.
pub const MAX_COMMAND_CHARS: usize = 1000;
/// Longest command typed at `|`: room is left for the `pipe_text ` it is
/// kept in the history with.
pub const MAX_PIPE_COMMAND_CHARS: usize = MAX_COMMAND_CHARS - 16;

/// Words that are commands but not actions.
const EXTRA: &[(&str, &str)] = &[
    ("set", "set theme|side_panes VALUE"),
    ("reload", "re-read the config file"),
    ("saved", "saved NAME: a saved search (All inboxes too)"),
    ("pipe", "pipe CMD: the message source to a shell command"),
    (
        "pipe_text",
        "pipe_text CMD: the message text to a shell command",
    ),
];

/// Settings `:set` changes while running, with the values each takes.
pub const SETTINGS: &[(&str, &[&str])] = &[
    ("theme", &["dark", "light", "16", "none"]),
    ("side_panes", &["auto", "show", "hide"]),
];

/// What a line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cmd {
    /// A bare action name: as its key would.
    Action(UiAction),
    /// `move FOLDER`: the folder as typed, matched like the move picker.
    Move(String),
    /// `go_to_folder FOLDER`.
    GoTo(String),
    /// `search QUERY`, `limit QUERY`.
    Search(String),
    Limit(String),
    /// `search_everywhere QUERY`: the results view.
    Everywhere(String),
    /// `saved NAME`: a saved search (or All inboxes) by its name.
    Saved(String),
    Sort {
        by: SortBy,
        reverse: bool,
    },
    /// `set NAME VALUE`, both checked against [`SETTINGS`].
    Set {
        name: &'static str,
        value: &'static str,
    },
    Reload,
    /// `pipe CMD` (the source) or `pipe_text CMD` (the text shown).
    Pipe {
        command: String,
        text: bool,
    },
}

/// Every command word: action names, then the words only `:` knows.
pub fn names() -> impl Iterator<Item = &'static str> {
    UiAction::NAMED
        .iter()
        .map(|(n, _, _)| *n)
        .chain(EXTRA.iter().map(|(n, _)| *n))
}

/// `pipe-text` reads as `pipe_text`: both spellings are common.
fn normalize(word: &str) -> String {
    word.to_lowercase().replace('-', "_")
}

/// Splits off the first word; the rest trimmed.
fn split(line: &str) -> (&str, &str) {
    let line = line.trim();
    match line.split_once(char::is_whitespace) {
        Some((w, rest)) => (w, rest.trim()),
        None => (line, ""),
    }
}

/// Reads a line typed at `:`; the error says what is wrong with it.
pub fn parse(line: &str) -> Result<Cmd, String> {
    let (word, rest) = split(line);
    if word.is_empty() {
        return Err("type a command (Tab lists them)".into());
    }
    let name = normalize(word);
    let needs = |what: &str| format!("“{name}” needs {what}");
    match name.as_str() {
        "move" if !rest.is_empty() => return Ok(Cmd::Move(rest.into())),
        "go_to_folder" if !rest.is_empty() => return Ok(Cmd::GoTo(rest.into())),
        "search" if !rest.is_empty() => return Ok(Cmd::Search(rest.into())),
        "limit" if !rest.is_empty() => return Ok(Cmd::Limit(rest.into())),
        "search_everywhere" if !rest.is_empty() => return Ok(Cmd::Everywhere(rest.into())),
        "saved" if !rest.is_empty() => return Ok(Cmd::Saved(rest.into())),
        "saved" => return Err(needs("the name of a saved search (Tab completes)")),
        "sort" if !rest.is_empty() => {
            let mut words = rest.split_whitespace();
            let by = words.next().unwrap_or_default();
            let (by, reverse) = sort_words(by, words.next())?;
            if let Some(extra) = words.next() {
                return Err(format!("“sort” takes a name and “reverse”, not “{extra}”"));
            }
            return Ok(Cmd::Sort { by, reverse });
        }
        "set" => return set(rest),
        "reload" if rest.is_empty() => return Ok(Cmd::Reload),
        "reload" => return Err(format!("“{name}” takes no arguments (got “{rest}”)")),
        "pipe_text" if rest.is_empty() => {
            return Err(needs("a shell command, e.g. “pipe wc -c”"));
        }
        "pipe" | "pipe_text" if !rest.is_empty() => {
            return Ok(Cmd::Pipe {
                command: rest.into(),
                text: name == "pipe_text",
            });
        }
        _ => {}
    }
    let Some(action) = UiAction::from_name(&name) else {
        return Err(match did_you_mean(&name) {
            Some(s) => format!("unknown command “{word}”; did you mean “{s}”?"),
            None => format!("unknown command “{word}” (Tab lists them)"),
        });
    };
    if !rest.is_empty() {
        return Err(format!("“{name}” takes no arguments (got “{rest}”)"));
    }
    Ok(Cmd::Action(action))
}

/// `sort NAME [reverse]`: the order and whether it runs backwards (read
/// as the sort key's own text is: `asc` and `desc` too).
pub fn sort_words(name: &str, reverse: Option<&str>) -> Result<(SortBy, bool), String> {
    let text = match reverse {
        Some(r) => format!("{name} {r}"),
        None => name.to_string(),
    };
    let order = super::sort::SortOrder::parse(&text)?;
    Ok((order.by, order.reverse))
}

fn set(rest: &str) -> Result<Cmd, String> {
    let (name, value) = split(rest);
    let known = || {
        SETTINGS
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if name.is_empty() {
        return Err(format!("“set” needs a setting: {}", known()));
    }
    let key = normalize(name);
    let Some((name, values)) = SETTINGS.iter().find(|(n, _)| *n == key) else {
        return Err(format!(
            "unknown setting “{name}”; what can change now: {}",
            known()
        ));
    };
    let want = value.to_lowercase();
    match values.iter().find(|v| **v == want) {
        Some(value) => Ok(Cmd::Set { name, value }),
        None if value.is_empty() => {
            Err(format!("“set {name}” needs a value: {}", values.join(", ")))
        }
        None => Err(format!(
            "“{value}” is no value for {name}: one of {}",
            values.join(", ")
        )),
    }
}

/// The closest known name to a mistyped one, if it is close enough.
pub fn did_you_mean(word: &str) -> Option<&'static str> {
    let word = normalize(word);
    names()
        .map(|n| (distance(&word, n), n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 4) && *d < n.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Levenshtein distance with adjacent swaps counted as one edit.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// What Tab did: the new line, and the choices when more than one fits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    pub line: String,
    pub choices: Vec<String>,
}

/// Tab on `line`: the command word, then a folder for `move` and
/// `go_to_folder`, a setting and its value for `set`, an order for
/// `sort`. `folders` are the account's folder paths.
pub fn complete(line: &str, folders: &[String], saved: &[String]) -> Completion {
    let trimmed = line.trim_start();
    let Some((word, rest)) = trimmed.split_once(char::is_whitespace) else {
        return complete_word("", trimmed, names(), " ");
    };
    let name = normalize(word);
    let head = format!("{name} ");
    let rest = rest.trim_start();
    match name.as_str() {
        "move" | "go_to_folder" => {
            complete_word(&head, rest, folders.iter().map(String::as_str), "")
        }
        "saved" => complete_word(&head, rest, saved.iter().map(String::as_str), ""),
        "sort" => complete_word(&head, rest, SortBy::ALL.iter().map(|s| s.label()), " "),
        "set" => match rest.split_once(char::is_whitespace) {
            None => complete_word(&head, rest, SETTINGS.iter().map(|(n, _)| *n), " "),
            Some((setting, value)) => {
                let key = normalize(setting);
                let values = SETTINGS
                    .iter()
                    .find(|(n, _)| *n == key)
                    .map_or(&[][..], |(_, v)| *v);
                complete_word(
                    &format!("{head}{key} "),
                    value.trim_start(),
                    values.iter().copied(),
                    "",
                )
            }
        },
        _ => Completion {
            line: line.to_string(),
            choices: Vec::new(),
        },
    }
}

/// Completes `typed` among `options` (without regard to case): one fits,
/// it is taken whole (then `after`); several, their common start.
fn complete_word<'a>(
    head: &str,
    typed: &str,
    options: impl Iterator<Item = &'a str>,
    after: &str,
) -> Completion {
    let lower = typed.to_lowercase();
    let fits: Vec<&str> = options
        .filter(|o| o.to_lowercase().starts_with(&lower))
        .collect();
    let line = match fits.as_slice() {
        [] => format!("{head}{typed}"),
        [one] => format!("{head}{one}{after}"),
        many => {
            let common = common_start(many);
            // What was typed stays when the common start is no longer
            // (it differs only in case).
            let keep = if common.chars().count() >= typed.chars().count() {
                common
            } else {
                typed.to_string()
            };
            format!("{head}{keep}")
        }
    };
    Completion {
        line,
        choices: if fits.len() > 1 {
            fits.iter().map(|s| s.to_string()).collect()
        } else {
            Vec::new()
        },
    }
}

fn common_start(words: &[&str]) -> String {
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut out = String::new();
    for (i, c) in first.chars().enumerate() {
        if words.iter().all(|w| w.chars().nth(i) == Some(c)) {
            out.push(c);
        } else {
            break;
        }
    }
    out
}

/// Lines typed before, newest last; Up walks back, Down forward to what
/// was being typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    entries: VecDeque<String>,
    /// The entry shown while walking (an index into `entries`).
    at: Option<usize>,
    /// What was typed before Up was first pressed.
    draft: String,
}

impl History {
    /// From a history file's text: one entry a line, newest last; only
    /// its last [`HISTORY_FILE_BYTES`] (whole lines) and
    /// [`HISTORY_ENTRIES`] are kept.
    pub fn from_text(text: &str) -> History {
        let mut start = text.len().saturating_sub(HISTORY_FILE_BYTES);
        while !text.is_char_boundary(start) {
            start += 1;
        }
        let tail = &text[start..];
        // Begun mid-line: that line is not whole.
        let tail = if start > 0 && !text[..start].ends_with('\n') {
            tail.split_once('\n').map_or("", |(_, rest)| rest)
        } else {
            tail
        };
        let mut h = History::default();
        for line in tail.lines() {
            h.push(line);
        }
        h
    }

    /// The text to write back, newest last.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for e in &self.entries {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keeps a line run (not blank, not the same as the last, no line
    /// breaks or control characters, at most [`MAX_COMMAND_CHARS`]).
    pub fn push(&mut self, line: &str) {
        self.at = None;
        let line = line.trim();
        if line.is_empty()
            || line.chars().any(char::is_control)
            || line.chars().count() > MAX_COMMAND_CHARS
            || self.entries.back().is_some_and(|l| l == line)
        {
            return;
        }
        if self.entries.len() == HISTORY_ENTRIES {
            self.entries.pop_front();
        }
        self.entries.push_back(line.to_string());
    }

    /// Up: the entry before the one shown (`typed` is kept to come back
    /// to). None at the oldest.
    pub fn up(&mut self, typed: &str) -> Option<String> {
        self.up_in(typed, "")
    }

    /// Down: the entry after the one shown, and past the newest what was
    /// being typed. None when not walking.
    pub fn down(&mut self) -> Option<String> {
        self.down_in("")
    }

    /// [`History::up`] among the entries that start with `prefix`, shown
    /// without it (the `|` prompt walks the `pipe …` lines).
    pub fn up_in(&mut self, typed: &str, prefix: &str) -> Option<String> {
        let from = match self.at {
            None => {
                self.draft = typed.to_string();
                self.entries.len()
            }
            Some(i) => i,
        };
        let i = (0..from)
            .rev()
            .find(|&i| self.entries[i].starts_with(prefix))?;
        self.at = Some(i);
        Some(self.entries[i][prefix.len()..].to_string())
    }

    /// [`History::down`] among the entries that start with `prefix`.
    pub fn down_in(&mut self, prefix: &str) -> Option<String> {
        let i = self.at?;
        let next = (i + 1..self.entries.len()).find(|&j| self.entries[j].starts_with(prefix));
        match next {
            Some(j) => {
                self.at = Some(j);
                Some(self.entries[j][prefix.len()..].to_string())
            }
            None => {
                self.at = None;
                Some(std::mem::take(&mut self.draft))
            }
        }
    }

    /// A new line begins: the walk starts again from the newest.
    pub fn reset(&mut self) {
        self.at = None;
        self.draft.clear();
    }
}

#[cfg(test)]
#[path = "command_line_tests.rs"]
mod tests;
