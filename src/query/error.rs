//! A query that cannot be read: where (a byte span of the query) and what,
//! in a sentence that names the column.

use std::fmt;
use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    /// Bytes of the query the message is about; empty at the end of the
    /// query when something is missing there.
    pub span: Range<usize>,
    pub message: String,
}

impl QueryError {
    pub(crate) fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        QueryError {
            span,
            message: message.into(),
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueryError {}

/// The 1-based column (in characters) of byte `at` of `query`.
pub fn column(query: &str, at: usize) -> usize {
    let at = at.min(query.len());
    // A span always starts on a character boundary; be safe anyway.
    let at = (0..=at)
        .rev()
        .find(|&i| query.is_char_boundary(i))
        .unwrap_or(0);
    query[..at].chars().count() + 1
}

/// `text` in quotes for a message, cut if long.
pub(crate) fn quoted(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        format!("“{cut}…”")
    } else {
        format!("“{text}”")
    }
}

/// "a, b, c or d".
pub(crate) fn list_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}
