//! The line the user types into: a search, a folder picked by name, a
//! yes/no question. While one is open, keys are text, not commands.

use crate::action::PromptKey;
use crate::mail::types::Folder;
use crate::query::limits::MAX_QUERY_CHARS;

/// Longest text a prompt takes.
pub const MAX_PROMPT_CHARS: usize = 200;
/// The longest To or Cc typed into the review's prompt.
pub const MAX_RECIPIENT_CHARS: usize = 4000;
/// Suggestions shown under the recipients prompt.
pub const MAX_SUGGESTIONS: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptKind {
    /// A query: highlights the open folder's matches as you type; Enter
    /// asks the server too.
    Search,
    /// A query: Enter shows only the matching rows (empty: all of them).
    Limit,
    /// Type to narrow the folder list; Enter opens the one highlighted.
    GoToFolder,
    /// The same list; Enter moves the messages acted on there.
    MoveTo { uids: Vec<u32> },
    /// y deletes these for good; anything else keeps them.
    ConfirmExpunge { uids: Vec<u32> },
    /// A file to attach to the message being written; Tab completes.
    AttachPath,
    /// To (or Cc) of the message being written; addresses complete.
    Recipients { cc: bool },
    /// One key: a accepts, t accepts tentatively, d declines the
    /// invitation; anything else leaves it.
    InvitationAnswer,
    /// An optional comment for the organizer, then the answer's review.
    InvitationComment { answer: crate::calendar::Answer },
    /// Searches the message in the reader as you type.
    FindInMessage,
    /// A query: Enter marks the shown rows it matches.
    MarkMatching,
    /// A query: Enter shows its matches in every folder of every account.
    Everywhere,
    /// `:`: an action by name, with arguments; Tab completes, Up/Down
    /// walk the history.
    Command,
    /// `|`: a shell command to pipe the message to (its source, or with
    /// `text` the text shown).
    Pipe { text: bool },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
    /// Highlighted entry of `choices`.
    pub cursor: usize,
    /// For folder pickers: indices into the account's folders that match.
    pub choices: Vec<usize>,
    /// For the recipients prompt: addresses that fit what is typed.
    pub suggestions: Vec<crate::addresses::Candidate>,
    /// For a query: why the text does not read as one (yet).
    pub error: Option<crate::query::QueryError>,
}

/// What a key did to the prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Still open; the text or the highlight changed.
    Edited,
    Done,
    Cancelled,
    /// Tab in a path prompt: complete the text.
    Complete,
    /// The highlight moved; the text is as it was.
    Moved,
}

impl Prompt {
    pub fn new(kind: PromptKind) -> Self {
        Prompt {
            kind,
            text: String::new(),
            cursor: 0,
            choices: Vec::new(),
            suggestions: Vec::new(),
            error: None,
        }
    }

    pub fn is_picker(&self) -> bool {
        matches!(
            self.kind,
            PromptKind::GoToFolder | PromptKind::MoveTo { .. }
        )
    }

    /// Whether the text is a query (search, limit).
    pub fn is_query(&self) -> bool {
        matches!(
            self.kind,
            PromptKind::Search
                | PromptKind::Limit
                | PromptKind::MarkMatching
                | PromptKind::Everywhere
        )
    }

    pub fn key(&mut self, key: PromptKey) -> Outcome {
        if let PromptKind::ConfirmExpunge { .. } = self.kind {
            return match key {
                PromptKey::Char('y' | 'Y') => Outcome::Done,
                _ => Outcome::Cancelled,
            };
        }
        if let PromptKind::InvitationAnswer = self.kind {
            return match key {
                PromptKey::Char(c @ ('a' | 't' | 'd')) => {
                    self.text = c.to_string();
                    Outcome::Done
                }
                _ => Outcome::Cancelled,
            };
        }
        match key {
            // A query takes control characters in, for the parser to point
            // at (it refuses them); shown, they are U+FFFD.
            PromptKey::Char(c) if !c.is_control() || self.is_query() => {
                let max = match self.kind {
                    PromptKind::Recipients { .. } => MAX_RECIPIENT_CHARS,
                    // One past the query's limit, so its own error shows.
                    PromptKind::Search
                    | PromptKind::Limit
                    | PromptKind::MarkMatching
                    | PromptKind::Everywhere => MAX_QUERY_CHARS + 1,
                    PromptKind::Pipe { .. } => super::command_line::MAX_PIPE_COMMAND_CHARS,
                    PromptKind::Command => super::command_line::MAX_COMMAND_CHARS,
                    _ => MAX_PROMPT_CHARS,
                };
                if self.text.chars().count() < max {
                    self.text.push(c);
                }
                self.cursor = 0;
            }
            PromptKey::Char(_) => {}
            PromptKey::Backspace => {
                self.text.pop();
                self.cursor = 0;
            }
            PromptKey::Clear => {
                self.text.clear();
                self.cursor = 0;
            }
            PromptKey::Up => self.cursor = self.cursor.saturating_sub(1),
            PromptKey::Down => {
                let n = self.choices.len().max(self.suggestions.len());
                self.cursor = (self.cursor + 1).min(n.saturating_sub(1))
            }
            // Tab in the recipients prompt: the next suggestion, or ask
            // the address book when there is none.
            PromptKey::Complete if matches!(self.kind, PromptKind::Recipients { .. }) => {
                if self.suggestions.is_empty() {
                    return Outcome::Complete;
                }
                self.cursor = (self.cursor + 1) % self.suggestions.len();
                return Outcome::Moved;
            }
            PromptKey::Complete if self.kind == PromptKind::AttachPath => {
                return Outcome::Complete;
            }
            PromptKey::Complete => {
                self.cursor = (self.cursor + 1).min(self.choices.len().saturating_sub(1))
            }
            PromptKey::Enter => return Outcome::Done,
            PromptKey::Esc => return Outcome::Cancelled,
        }
        Outcome::Edited
    }

    /// Narrows `folders` to those matching the text: name or path,
    /// without regard to case; a match at the start of the name first, then
    /// anywhere, then letters in order ("sntitm" finds "Sent Items").
    pub fn filter_folders(&mut self, folders: &[Folder], exclude: Option<&str>) {
        let needle = self.text.to_lowercase();
        let mut ranked: Vec<(u8, usize)> = folders
            .iter()
            .enumerate()
            .filter(|(_, f)| f.selectable && Some(f.path.as_str()) != exclude)
            .filter_map(|(i, f)| {
                let name = f.name.as_str().to_lowercase();
                let path = f.path.to_lowercase();
                let rank = if needle.is_empty() || name.starts_with(&needle) {
                    0
                } else if name.contains(&needle) || path.contains(&needle) {
                    1
                } else if in_order(&needle, &name) || in_order(&needle, &path) {
                    2
                } else {
                    return None;
                };
                Some((rank, i))
            })
            .collect();
        ranked.sort();
        self.choices = ranked.into_iter().map(|(_, i)| i).collect();
        self.cursor = self.cursor.min(self.choices.len().saturating_sub(1));
    }

    /// The folder highlighted in a picker.
    pub fn chosen(&self) -> Option<usize> {
        self.choices.get(self.cursor).copied()
    }
}

fn in_order(needle: &str, hay: &str) -> bool {
    let mut hay = hay.chars();
    needle.chars().all(|n| hay.any(|h| h == n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::types::FolderRole;
    use crate::sanitize::Clean;

    fn folder(path: &str, name: &str) -> Folder {
        Folder {
            path: path.into(),
            name: Clean::line(name),
            depth: 0,
            selectable: true,
            role: FolderRole::Other,
        }
    }

    #[test]
    fn typing_edits_text_and_keys_are_not_commands() {
        let mut p = Prompt::new(PromptKind::GoToFolder);
        for c in "q/jk".chars() {
            assert_eq!(p.key(PromptKey::Char(c)), Outcome::Edited);
        }
        assert_eq!(p.text, "q/jk");
        p.key(PromptKey::Backspace);
        assert_eq!(p.text, "q/j");
        p.key(PromptKey::Char('\u{1b}'));
        assert_eq!(p.text, "q/j", "control characters are not text");
        p.key(PromptKey::Clear);
        assert!(p.text.is_empty());
        for _ in 0..500 {
            p.key(PromptKey::Char('x'));
        }
        assert_eq!(p.text.chars().count(), MAX_PROMPT_CHARS);
        assert_eq!(p.key(PromptKey::Enter), Outcome::Done);
        assert_eq!(p.key(PromptKey::Esc), Outcome::Cancelled);
    }

    #[test]
    fn a_query_takes_one_character_past_its_limit_and_control_characters() {
        let mut p = Prompt::new(PromptKind::Limit);
        p.key(PromptKey::Char('\u{7}'));
        assert_eq!(p.text, "\u{7}", "the parser points at it");
        for _ in 0..10_000 {
            p.key(PromptKey::Char('x'));
        }
        assert_eq!(p.text.chars().count(), MAX_QUERY_CHARS + 1);
    }

    #[test]
    fn a_confirmation_takes_only_yes() {
        let mut p = Prompt::new(PromptKind::ConfirmExpunge { uids: vec![1] });
        assert_eq!(p.key(PromptKey::Char('n')), Outcome::Cancelled);
        assert_eq!(p.key(PromptKey::Enter), Outcome::Cancelled);
        assert_eq!(p.key(PromptKey::Char('y')), Outcome::Done);
    }

    #[test]
    fn folders_narrow_by_start_then_anywhere_then_letters_in_order() {
        let folders = vec![
            folder("INBOX", "Inbox"),
            folder("Sent Items", "Sent Items"),
            folder("Archive", "Archive"),
            folder("Projects/Sent", "Sent"),
            folder("Junk", "Junk"),
        ];
        let mut p = Prompt::new(PromptKind::GoToFolder);
        p.filter_folders(&folders, None);
        assert_eq!(p.choices.len(), 5);
        p.text = "sent".into();
        p.filter_folders(&folders, None);
        assert_eq!(p.choices, [1, 3]);
        p.text = "items".into();
        p.filter_folders(&folders, None);
        assert_eq!(p.choices, [1]);
        p.text = "sntitm".into();
        p.filter_folders(&folders, None);
        assert_eq!(p.choices, [1]);
        p.text = "xyz".into();
        p.filter_folders(&folders, None);
        assert!(p.choices.is_empty() && p.chosen().is_none());
        p.text.clear();
        p.filter_folders(&folders, Some("INBOX"));
        assert!(!p.choices.contains(&0), "the open folder is no move target");
        p.key(PromptKey::Down);
        p.key(PromptKey::Down);
        assert_eq!(p.chosen(), Some(p.choices[2]));
        p.key(PromptKey::Up);
        assert_eq!(p.cursor, 1);
    }
}
