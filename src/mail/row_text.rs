//! Clean text in the compact forms a list row keeps. A folder can hold a
//! million rows, so each text field costs what it holds and no more: a
//! subject is an exact-size box (16 bytes, no spare capacity), a sender's
//! name is shared between every row that has it (senders repeat: a
//! mailbox has far fewer senders than messages), so it costs 16 bytes a
//! row and one copy of the text.
//!
//! Both are made only from [`Clean`] text, so they are as safe to show.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex};

use crate::sanitize::Clean;

/// Clean text, boxed at its exact size.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BoxedClean(Box<str>);

impl BoxedClean {
    /// As [`Clean::line`].
    pub fn line(raw: &str) -> Self {
        Clean::line(raw).into()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl From<Clean> for BoxedClean {
    fn from(c: Clean) -> Self {
        BoxedClean(c.into_string().into_boxed_str())
    }
}

impl fmt::Display for BoxedClean {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for BoxedClean {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Clean text shared by every holder of the same text: made through one
/// table, so equal texts made while one is alive are one allocation, and
/// a clone is a count.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedClean(Arc<str>);

impl SharedClean {
    /// As [`Clean::line`].
    pub fn line(raw: &str) -> Self {
        Self::from(&Clean::line(raw))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl Default for SharedClean {
    fn default() -> Self {
        static EMPTY: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from(""));
        SharedClean(EMPTY.clone())
    }
}

impl From<&Clean> for SharedClean {
    fn from(c: &Clean) -> Self {
        SharedClean(intern(c.as_str()))
    }
}

impl From<Clean> for SharedClean {
    fn from(c: Clean) -> Self {
        SharedClean::from(&c)
    }
}

impl fmt::Display for SharedClean {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for SharedClean {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Longer texts are not looked up: names are short, and a long one is
/// most likely unique (or hostile), so it would only grow the table.
const MAX_INTERNED_LEN: usize = 256;

/// The table never holds more than twice the texts in use, plus this: it
/// drops the ones nobody holds any more each time it doubles.
const MIN_PRUNE_AT: usize = 4096;

struct Table {
    texts: HashSet<Arc<str>>,
    prune_at: usize,
}

impl Table {
    fn new() -> Self {
        Table {
            texts: HashSet::new(),
            prune_at: MIN_PRUNE_AT,
        }
    }

    fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(a) = self.texts.get(text) {
            return a.clone();
        }
        if self.texts.len() >= self.prune_at {
            self.texts.retain(|a| Arc::strong_count(a) > 1);
            self.prune_at = (self.texts.len() * 2).max(MIN_PRUNE_AT);
        }
        let a: Arc<str> = Arc::from(text);
        self.texts.insert(a.clone());
        a
    }
}

static TABLE: LazyLock<Mutex<Table>> = LazyLock::new(|| Mutex::new(Table::new()));

fn intern(text: &str) -> Arc<str> {
    if text.is_empty() {
        return SharedClean::default().0;
    }
    if text.len() > MAX_INTERNED_LEN {
        return Arc::from(text);
    }
    // A poisoned lock only means another thread panicked mid-insert; the
    // set is still a valid set.
    TABLE.lock().unwrap_or_else(|e| e.into_inner()).get(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_comes_out() {
        for raw in ["", "Alice", "Grüße aus Köln 🎉", &"x".repeat(1000)] {
            assert_eq!(BoxedClean::line(raw).as_str(), Clean::line(raw).as_str());
            assert_eq!(SharedClean::line(raw).as_str(), Clean::line(raw).as_str());
            assert_eq!(SharedClean::line(raw).to_string(), raw);
            assert_eq!(BoxedClean::line(raw).len(), raw.len());
        }
    }

    #[test]
    fn text_is_cleaned_as_clean_does() {
        let raw = "a\x1b]0;title\x07b\tc\u{202e}d\ne";
        assert_eq!(BoxedClean::line(raw).as_str(), Clean::line(raw).as_str());
        assert_eq!(SharedClean::line(raw).as_str(), Clean::line(raw).as_str());
        assert!(!SharedClean::line(raw).as_str().contains('\x1b'));
    }

    #[test]
    fn equal_names_share_one_allocation() {
        let a = SharedClean::line("Sender shared-test");
        let b = SharedClean::line("Sender shared-test");
        assert_eq!(a, b);
        assert!(Arc::ptr_eq(&a.0, &b.0));
        let c = SharedClean::line("Sender other-test");
        assert_ne!(a, c);
        assert!(!Arc::ptr_eq(&a.0, &c.0));
    }

    #[test]
    fn long_texts_are_equal_by_content() {
        let long = "n".repeat(MAX_INTERNED_LEN + 1);
        let (a, b) = (SharedClean::line(&long), SharedClean::line(&long));
        assert_eq!(a, b);
        assert!(!Arc::ptr_eq(&a.0, &b.0));
    }

    #[test]
    fn order_and_equality_are_those_of_the_text() {
        let words = ["b", "B", "a", "", "ä", "ab", "a b"];
        let mut by_str: Vec<&str> = words.to_vec();
        by_str.sort();
        let mut shared: Vec<SharedClean> = words.iter().map(|w| SharedClean::line(w)).collect();
        shared.sort();
        let mut boxed: Vec<BoxedClean> = words.iter().map(|w| BoxedClean::line(w)).collect();
        boxed.sort();
        assert_eq!(
            shared.iter().map(SharedClean::as_str).collect::<Vec<_>>(),
            by_str
        );
        assert_eq!(
            boxed.iter().map(BoxedClean::as_str).collect::<Vec<_>>(),
            by_str
        );
        assert_eq!(SharedClean::default(), SharedClean::line(""));
        assert!(SharedClean::default().is_empty() && BoxedClean::default().is_empty());
    }

    #[test]
    fn texts_nobody_holds_leave_the_table() {
        // Many distinct names made and dropped: the table prunes them
        // instead of keeping every name ever seen.
        let mut t = Table::new();
        let kept = t.get("kept");
        for i in 0..(MIN_PRUNE_AT * 3) {
            drop(t.get(&format!("dropped-{i}")));
            assert!(t.texts.len() <= MIN_PRUNE_AT + 1, "{}", t.texts.len());
        }
        assert!(Arc::ptr_eq(&kept, &t.get("kept")));
        // Names in use are never dropped, and the table makes room for them.
        let held: Vec<Arc<str>> = (0..MIN_PRUNE_AT * 2)
            .map(|i| t.get(&format!("held-{i}")))
            .collect();
        assert!(
            held.iter()
                .enumerate()
                .all(|(i, a)| Arc::ptr_eq(a, &t.get(&format!("held-{i}"))))
        );
        assert!(t.texts.len() <= MIN_PRUNE_AT * 4 + 2);
    }
}
