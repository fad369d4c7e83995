//! How a folder's rows are ordered: the key, and whether it runs the other
//! way. Each key has its natural direction (the newest, the largest, A to
//! Z first); reverse flips it. A folder's order (with threads on or off)
//! is remembered per folder in [`FolderViews`], which the app keeps in a
//! small file under the state dir.

use std::collections::BTreeMap;

use crate::mail::types::Envelope;

/// How rows are ordered on screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Arrival (UID), newest first.
    #[default]
    Arrival,
    /// The Date header, newest first.
    Date,
    Sender,
    Subject,
    /// Largest first.
    Size,
}

const ALL: [SortBy; 5] = [
    SortBy::Arrival,
    SortBy::Date,
    SortBy::Sender,
    SortBy::Subject,
    SortBy::Size,
];

impl SortBy {
    /// Every key, in the order the sort key goes through them.
    pub const ALL: [SortBy; 5] = ALL;

    /// The key the sort key moves on to.
    pub fn next(self) -> Self {
        let at = ALL.iter().position(|s| *s == self).unwrap_or(0);
        ALL[(at + 1) % ALL.len()]
    }

    pub fn label(self) -> &'static str {
        match self {
            SortBy::Arrival => "arrival",
            SortBy::Date => "date",
            SortBy::Sender => "sender",
            SortBy::Subject => "subject",
            SortBy::Size => "size",
        }
    }

    /// A key by its name (as [`SortBy::label`] writes it; `from` is
    /// `sender` too).
    pub fn parse(name: &str) -> Result<SortBy, String> {
        let name = name.trim().to_ascii_lowercase();
        if name == "from" {
            return Ok(SortBy::Sender);
        }
        ALL.iter()
            .copied()
            .find(|s| s.label() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = ALL.iter().map(|s| s.label()).collect();
                format!(
                    "unknown sort key \"{}\" (one of: {})",
                    crate::sanitize::Clean::line(&name),
                    names.join(", ")
                )
            })
    }

    /// Whether the natural direction puts the greatest first (the newest,
    /// the largest); names run A to Z.
    fn descending(self) -> bool {
        matches!(self, SortBy::Arrival | SortBy::Date | SortBy::Size)
    }
}

/// A sort key and its direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SortOrder {
    pub by: SortBy,
    #[serde(default)]
    pub reverse: bool,
}

/// Longest sort text read (`:sort …`); real ones are two words.
pub const MAX_SORT_TEXT: usize = 64;

impl From<SortBy> for SortOrder {
    fn from(by: SortBy) -> Self {
        SortOrder { by, reverse: false }
    }
}

impl SortOrder {
    /// "date", "size reverse", "subject rev", "-date" (reversed).
    pub fn parse(text: &str) -> Result<SortOrder, String> {
        if text.len() > MAX_SORT_TEXT {
            return Err(format!("a sort is at most {MAX_SORT_TEXT} bytes"));
        }
        let mut words = text.split_whitespace();
        let Some(first) = words.next() else {
            return Err("name a sort key: arrival, date, sender, subject or size".into());
        };
        let (name, mut reverse) = match first.strip_prefix('-') {
            Some(rest) => (rest, true),
            None => (first, false),
        };
        let by = SortBy::parse(name)?;
        for w in words {
            match w.to_ascii_lowercase().as_str() {
                "reverse" | "rev" | "reversed" => reverse = !reverse,
                "desc" => reverse = !by.descending(),
                "asc" => reverse = by.descending(),
                _ => {
                    return Err(format!(
                        "\"{}\" after the sort key: only \"reverse\" (or asc/desc) may follow",
                        crate::sanitize::Clean::line(w)
                    ));
                }
            }
        }
        Ok(SortOrder { by, reverse })
    }

    pub fn is_default(self) -> bool {
        self == SortOrder::default()
    }

    /// Whether the greatest comes first on screen.
    pub fn descending(self) -> bool {
        self.by.descending() != self.reverse
    }

    /// "size ↓", "sender ↑", "arrival ↑" (oldest first): the key and
    /// which way the values run down the list.
    pub fn label(self) -> String {
        let arrow = if self.descending() { '↓' } else { '↑' };
        format!("{} {arrow}", self.by.label())
    }

    /// The text [`SortOrder::parse`] reads back.
    pub fn text(self) -> String {
        if self.reverse {
            format!("{} reverse", self.by.label())
        } else {
            self.by.label().to_string()
        }
    }

    /// UIDs of `items` (newest first) in this order; stable, so equal keys
    /// keep arrival order (newest first, or oldest first reversed).
    pub fn order(self, items: &[Envelope], arrival: impl Fn(u32) -> u32) -> Vec<u32> {
        let mut order: Vec<&Envelope> = items.iter().collect();
        match self.by {
            SortBy::Arrival => order.sort_by_key(|e| std::cmp::Reverse(arrival(e.uid))),
            SortBy::Date => order.sort_by_key(|e| std::cmp::Reverse(e.date)),
            SortBy::Size => order.sort_by_key(|e| std::cmp::Reverse(e.size)),
            SortBy::Sender => order.sort_by_cached_key(|e| e.from.as_str().to_lowercase()),
            SortBy::Subject => {
                order.sort_by_cached_key(|e| crate::mail::threads::base_subject(e.subject.as_str()))
            }
        }
        if self.reverse {
            order.reverse();
        }
        order.into_iter().map(|e| e.uid).collect()
    }
}

/// What a folder shows: its order and whether threads are on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FolderView {
    #[serde(default)]
    pub sort: SortOrder,
    #[serde(default)]
    pub threads: bool,
}

/// Most folders remembered per account; past it a new folder's view is
/// not kept (the file stays small whatever happens).
pub const MAX_FOLDER_VIEWS: usize = 1000;

/// One account's folder views other than the default, by folder path.
pub type AccountViews = BTreeMap<String, FolderView>;

/// Records a folder's view in `views`; true when that changed anything.
pub fn remember(views: &mut AccountViews, path: &str, view: FolderView) -> bool {
    if views.get(path).copied().unwrap_or_default() == view {
        return false;
    }
    if view == FolderView::default() {
        views.remove(path);
        return true;
    }
    if views.len() >= MAX_FOLDER_VIEWS && !views.contains_key(path) {
        return false;
    }
    views.insert(path.to_string(), view);
    true
}

/// Every account's folder views, by account name: what the app keeps in
/// a file under the state dir. Kept outside the store on purpose: it is
/// the user's choice, not a copy of the server, so `mailtui cache clear`
/// or a new UIDVALIDITY does not lose it, Maildir accounts have it too,
/// and the store's schema needs no migration for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FolderViews {
    #[serde(default)]
    pub accounts: BTreeMap<String, AccountViews>,
}

#[cfg(test)]
#[path = "sort_tests.rs"]
mod tests;
