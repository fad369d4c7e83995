//! Config errors: each names the file, line, column and key.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A place in the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    pub path: PathBuf,
    pub at: Option<Location>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(at) = self.at {
            write!(f, ":{}:{}", at.line, at.column)?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A problem found in one account's settings: where (a span; `None` for
/// the account's `name`), which key below the account, and why.
pub(super) type FieldError = (Option<Range<usize>>, &'static str, String);

/// The config file being read, to turn byte spans into places.
#[derive(Clone, Copy)]
pub(super) struct Source<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl Source<'_> {
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        key: Option<String>,
        message: String,
    ) -> ConfigError {
        ConfigError {
            path: self.path.to_path_buf(),
            at: span.map(|s| self.location(s.start)),
            key,
            message,
        }
    }

    pub fn location(&self, offset: usize) -> Location {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        Location { line, column }
    }

    /// The line (1-based) where a span starts.
    pub fn line(&self, span: Range<usize>) -> usize {
        self.location(span.start).line
    }
}

/// A deserializer path as the user wrote it: without the wrapper that
/// carries spans, and without the `?` that stands for a map key.
pub(super) fn user_key(path: &str) -> String {
    path.replace("$__serde_spanned_private_value", "")
        .split('.')
        .filter(|part| !part.is_empty() && *part != "?")
        .collect::<Vec<_>>()
        .join(".")
        .replace(".[", "[")
}
