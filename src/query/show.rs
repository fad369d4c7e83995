//! A query error as text for the screen: the query cut to the width
//! around the place at fault, that place marked (for the status line to
//! highlight) or underlined with carets (for the help popup).
//!
//! The query is shown as typed, except that control and invisible
//! characters (which the parser refuses, and which a terminal would act
//! on) show as U+FFFD.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::error::QueryError;
use crate::sanitize::{PLACEHOLDER, is_unsafe};

/// The query in three parts, `marked` being where the error is (one space
/// when the error is at the end of the query); together they fit the
/// width given, with `…` where the query was cut.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pointer {
    pub before: String,
    pub marked: String,
    pub after: String,
}

impl Pointer {
    pub fn width(&self) -> usize {
        self.before.width() + self.marked.width() + self.after.width()
    }
}

/// Narrowest width the functions here lay out for.
const MIN_WIDTH: usize = 12;

fn shown(c: char) -> (char, usize) {
    let c = if is_unsafe(c) { PLACEHOLDER } else { c };
    (c, c.width().unwrap_or(0))
}

/// Takes cells from `cells` (in order) while they fit in `room`.
fn take(cells: impl Iterator<Item = (char, usize)>, room: usize) -> (String, usize, bool) {
    let mut out = String::new();
    let mut used = 0;
    let mut cut = false;
    for (c, w) in cells {
        if used + w > room {
            cut = true;
            break;
        }
        out.push(c);
        used += w;
    }
    (out, used, cut)
}

pub fn pointer(query: &str, err: &QueryError, width: usize) -> Pointer {
    let width = width.max(MIN_WIDTH);
    let start = err.span.start.min(query.len());
    let end = err.span.end.clamp(start, query.len());
    let part = |r: std::ops::Range<usize>| -> Vec<(char, usize)> {
        query
            .get(r)
            .unwrap_or_default()
            .chars()
            .map(shown)
            .collect()
    };
    let before = part(0..start);
    let mut marked = part(start..end);
    if marked.is_empty() {
        marked.push((' ', 1));
    }
    let after = part(end..query.len());
    let cells = |v: &[(char, usize)]| v.iter().map(|c| c.1).sum::<usize>();
    if cells(&before) + cells(&marked) + cells(&after) <= width {
        let s = |v: &[(char, usize)]| v.iter().map(|c| c.0).collect::<String>();
        return Pointer {
            before: s(&before),
            marked: s(&marked),
            after: s(&after),
        };
    }
    // A third of the width for what comes before, at most; then as much
    // of the marked part as fits (at least its first character).
    let lead_room = (width / 3).min(cells(&before));
    let (before_s, before_w) = if lead_room < cells(&before) {
        let (s, w, _) = take(before.iter().rev().copied(), lead_room.saturating_sub(1));
        (format!("…{}", s.chars().rev().collect::<String>()), w + 1)
    } else {
        let (s, w, _) = take(before.iter().copied(), lead_room);
        (s, w)
    };
    let room = width - before_w;
    let (marked_s, marked_w, marked_cut) = take(marked.iter().copied(), room);
    if marked_cut || (marked_w == room && !after.is_empty()) {
        let (s, _, _) = take(marked.iter().copied(), room.saturating_sub(1).max(1));
        return Pointer {
            before: before_s,
            marked: format!("{s}…"),
            after: String::new(),
        };
    }
    let room = width - before_w - marked_w;
    let (after_s, _, cut) = take(after.iter().copied(), room);
    let after_s = if cut {
        let (s, _, _) = take(after.iter().copied(), room.saturating_sub(1));
        format!("{s}…")
    } else {
        after_s
    };
    Pointer {
        before: before_s,
        marked: marked_s,
        after: after_s,
    }
}

/// For the status line: the message (it names the column), cut to the
/// width.
pub fn one_line(err: &QueryError, width: usize) -> String {
    let (s, _, cut) = take(err.message.chars().map(shown), width);
    if cut {
        let (s, _, _) = take(err.message.chars().map(shown), width.saturating_sub(1));
        format!("{s}…")
    } else {
        s
    }
}

/// For a popup: the query (cut to the width around the error), carets
/// under the place at fault, then the message wrapped to the width.
pub fn with_carets(query: &str, err: &QueryError, width: usize) -> Vec<String> {
    let width = width.max(MIN_WIDTH);
    let p = pointer(query, err, width);
    let mut lines = vec![
        format!("{}{}{}", p.before, p.marked, p.after),
        format!(
            "{}{}",
            " ".repeat(p.before.width()),
            "^".repeat(p.marked.width().max(1))
        ),
    ];
    lines.extend(wrap(&err.message, width));
    lines
}

/// Words into lines of at most `width` cells; a longer word is cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let word: String = word.chars().map(|c| shown(c).0).collect();
        let sep = usize::from(!cur.is_empty());
        if cur.width() + sep + word.width() <= width {
            if sep == 1 {
                cur.push(' ');
            }
            cur.push_str(&word);
            continue;
        }
        if !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        let (s, _, cut) = take(word.chars().map(shown), width);
        cur = if cut {
            format!("{}…", take(word.chars().map(shown), width - 1).0)
        } else {
            s
        };
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}
