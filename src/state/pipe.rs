//! `|`: a message piped to a shell command. The app runs the command
//! (off the update function) and hands back what it printed; here that
//! output becomes a view that is safe to draw: cleaned of escape
//! sequences and control characters, and capped.

use crate::sanitize::Clean;

/// The most output kept; past it the command is stopped.
pub const MAX_PIPE_OUTPUT_BYTES: usize = 1024 * 1024;
/// The most lines shown.
pub const MAX_PIPE_LINES: usize = 10_000;
/// The most characters of one line kept (a 1 MiB line would be laid out
/// on every frame).
pub const MAX_PIPE_LINE_CHARS: usize = 2_000;
/// How long a command may run before it is killed (interactive programs
/// have no limit: the user is at them).
pub const PIPE_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// What to run, fed what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipeRequest {
    pub id: u64,
    /// For `sh -c`.
    pub command: String,
    /// The message, on the command's stdin.
    pub input: Vec<u8>,
    /// The command gets the terminal (the TUI steps aside).
    pub interactive: bool,
}

/// How the command ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PipeEnd {
    Exited(i32),
    /// Killed by a signal (its number).
    Signal(i32),
    /// Killed after [`PIPE_TIME_LIMIT`].
    TimedOut,
    /// Stopped after [`MAX_PIPE_OUTPUT_BYTES`] of output.
    TooMuch,
    /// Could not be started at all.
    Failed(String),
}

/// What came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipeDone {
    pub id: u64,
    pub command: String,
    /// stdout and stderr as they came, at most [`MAX_PIPE_OUTPUT_BYTES`].
    pub output: Vec<u8>,
    pub end: PipeEnd,
    pub interactive: bool,
}

/// The output on screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipeView {
    pub command: Clean,
    pub lines: Vec<Clean>,
    /// How it ended, when worth saying (non-zero, killed, cut).
    pub notes: Vec<String>,
    pub scroll: usize,
}

/// The program a command line starts with, for messages and for
/// `[pipe] interactive`.
pub fn program(command: &str) -> &str {
    command.split_whitespace().next().unwrap_or_default()
}

impl PipeEnd {
    /// What to say about the end; None for a clean exit.
    pub fn describe(&self, command: &str) -> Option<String> {
        let prog = program(command);
        Some(match self {
            PipeEnd::Exited(0) => return None,
            // What sh says when it finds no such program.
            PipeEnd::Exited(127) => format!("command not found: “{prog}”"),
            PipeEnd::Exited(126) => format!("“{prog}” cannot be run (not executable?)"),
            PipeEnd::Exited(n) => format!("exit status {n}"),
            PipeEnd::Signal(n) => format!("killed by signal {n}"),
            PipeEnd::TimedOut => format!(
                "stopped after {} s (the time limit)",
                PIPE_TIME_LIMIT.as_secs()
            ),
            PipeEnd::TooMuch => format!(
                "output cut at {} MiB; the command was stopped",
                MAX_PIPE_OUTPUT_BYTES / (1024 * 1024)
            ),
            PipeEnd::Failed(e) => format!("could not run sh: {e}"),
        })
    }
}

impl PipeView {
    pub fn new(done: &PipeDone) -> PipeView {
        let head = &done.output[..done.output.len().min(MAX_PIPE_OUTPUT_BYTES)];
        let text = Clean::text(&String::from_utf8_lossy(head));
        let mut cut = false;
        let mut lines: Vec<Clean> = text
            .as_str()
            .lines()
            .take(MAX_PIPE_LINES + 1)
            .map(|l| match l.char_indices().nth(MAX_PIPE_LINE_CHARS) {
                Some((at, _)) => {
                    cut = true;
                    Clean::line(&format!("{}…", &l[..at]))
                }
                None => Clean::line(l),
            })
            .collect();
        let mut notes = Vec::new();
        if let Some(end) = done.end.describe(&done.command) {
            notes.push(end);
        }
        if cut {
            notes.push(format!(
                "long lines cut at {MAX_PIPE_LINE_CHARS} characters"
            ));
        }
        if lines.len() > MAX_PIPE_LINES {
            lines.truncate(MAX_PIPE_LINES);
            notes.push(format!("output cut at {MAX_PIPE_LINES} lines"));
        }
        PipeView {
            command: Clean::line(&done.command),
            lines,
            notes,
            scroll: 0,
        }
    }

    /// Rows the view shows: the notes, then the output.
    pub fn len(&self) -> usize {
        self.notes.len() + self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn scroll_by(&mut self, delta: isize, rows: usize) {
        let max = self.len().saturating_sub(rows.max(1));
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(output: &[u8], end: PipeEnd) -> PipeDone {
        PipeDone {
            id: 1,
            command: "cmd --x".into(),
            output: output.to_vec(),
            end,
            interactive: false,
        }
    }

    #[test]
    fn output_is_cleaned_of_escapes_and_controls() {
        let v = PipeView::new(&done(
            b"\x1b[31mred\x1b[0m\r\nbell\x07 \x1b]0;title\x07ok\n\x9b2J\ttab",
            PipeEnd::Exited(0),
        ));
        let lines: Vec<&str> = v.lines.iter().map(Clean::as_str).collect();
        assert_eq!(lines[0], "red");
        assert!(
            !lines.iter().any(|l| l.chars().any(char::is_control)),
            "{lines:?}"
        );
        assert!(
            lines[1].starts_with("bell") && lines[1].ends_with("ok"),
            "{lines:?}"
        );
        assert!(v.notes.is_empty());
    }

    #[test]
    fn output_is_capped_in_bytes_and_lines() {
        let big = "line\n".repeat(MAX_PIPE_LINES + 500);
        let v = PipeView::new(&done(big.as_bytes(), PipeEnd::Exited(0)));
        assert_eq!(v.lines.len(), MAX_PIPE_LINES);
        assert_eq!(v.notes, ["output cut at 10000 lines"]);
        let huge = vec![b'x'; MAX_PIPE_OUTPUT_BYTES * 3];
        let v = PipeView::new(&done(&huge, PipeEnd::TooMuch));
        assert_eq!(v.lines.len(), 1);
        assert_eq!(v.lines[0].as_str().chars().count(), MAX_PIPE_LINE_CHARS + 1);
        assert_eq!(
            v.notes,
            [
                "output cut at 1 MiB; the command was stopped",
                "long lines cut at 2000 characters"
            ]
        );
    }

    #[test]
    fn the_end_is_said_when_it_is_not_a_clean_exit() {
        let say = |end: PipeEnd| end.describe("nosuch --flag");
        assert_eq!(say(PipeEnd::Exited(0)), None);
        assert_eq!(say(PipeEnd::Exited(3)).as_deref(), Some("exit status 3"));
        assert_eq!(
            say(PipeEnd::Exited(127)).as_deref(),
            Some("command not found: “nosuch”")
        );
        assert!(say(PipeEnd::TimedOut).unwrap().contains("time limit"));
        assert!(say(PipeEnd::Signal(9)).unwrap().contains("signal 9"));
    }

    #[test]
    fn scrolling_stays_within_the_rows() {
        let mut v = PipeView::new(&done(b"a\nb\nc\nd\ne\n", PipeEnd::Exited(1)));
        assert_eq!(v.len(), 6);
        v.scroll_by(100, 4);
        assert_eq!(v.scroll, 2);
        v.scroll_by(-1, 4);
        assert_eq!(v.scroll, 1);
        v.scroll_by(isize::MIN / 2, 4);
        assert_eq!(v.scroll, 0);
    }
}
