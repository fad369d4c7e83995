//! `[[searches]]`: queries kept by name, shown as virtual folders above
//! every account's folders and kept live; and `[ui] all_inboxes`, the
//! built-in one. A query that does not read is a config error at its
//! place, with the parser's own words.

use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, Source};
use crate::query::{Query, parse};

/// The built-in saved search: every account's INBOX in one list.
pub const ALL_INBOXES: &str = "All inboxes";
/// Its query.
pub const ALL_INBOXES_QUERY: &str = "folder:INBOX";

/// Saved searches at most; past it the config is refused.
pub const MAX_SEARCHES: usize = 50;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSearch {
    pub(super) name: Spanned<String>,
    pub(super) query: Spanned<String>,
}

/// A search kept in the config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedSearch {
    pub name: String,
    pub query: Query,
    /// As written.
    pub text: String,
}

/// The saved searches and whether All inboxes is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Searches {
    pub saved: Vec<SavedSearch>,
    pub all_inboxes: bool,
}

impl Default for Searches {
    fn default() -> Self {
        Searches {
            saved: Vec::new(),
            all_inboxes: true,
        }
    }
}

pub(super) fn searches(
    raw: &[RawSearch],
    all_inboxes: Option<bool>,
    src: Source<'_>,
) -> Result<Searches, ConfigError> {
    if raw.len() > MAX_SEARCHES {
        return Err(src.error(
            Some(raw[MAX_SEARCHES].name.span()),
            Some("searches".into()),
            format!("at most {MAX_SEARCHES} saved searches"),
        ));
    }
    let mut saved: Vec<SavedSearch> = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        let name = s.name.get_ref().trim().to_string();
        let here = |key: &str| Some(format!("searches[{i}].{key}"));
        if name.is_empty() || name.chars().any(char::is_control) || name.chars().count() > 60 {
            return Err(src.error(
                Some(s.name.span()),
                here("name"),
                "a name of 1 to 60 characters, no control characters".into(),
            ));
        }
        let taken = saved.iter().any(|o| o.name.eq_ignore_ascii_case(&name))
            || (all_inboxes != Some(false) && name.eq_ignore_ascii_case(ALL_INBOXES));
        if taken {
            return Err(src.error(
                Some(s.name.span()),
                here("name"),
                format!("“{name}” is taken already"),
            ));
        }
        let text = s.query.get_ref().clone();
        // The value's place: inside it, escapes and multi-line strings
        // part the file's columns from the query's, which the message
        // gives ("at column 7").
        let query = parse(&text)
            .map_err(|e| src.error(Some(s.query.span()), here("query"), e.message.clone()))?;
        saved.push(SavedSearch { name, query, text });
    }
    Ok(Searches {
        saved,
        all_inboxes: all_inboxes.unwrap_or(true),
    })
}
