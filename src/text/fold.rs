//! Case-insensitive matching as the list's search and the query language
//! do it: Unicode lower case on both sides, no allocation for ASCII.

/// Whether `hay` holds `needle_lower` (already lower-cased with
/// `str::to_lowercase`), ignoring case.
pub fn contains_folded(hay: &str, needle_lower: &str) -> bool {
    if hay.is_ascii() && needle_lower.is_ascii() {
        let h = hay.as_bytes();
        let n = needle_lower.as_bytes();
        if n.is_empty() {
            return true;
        }
        return n.len() <= h.len()
            && h.windows(n.len())
                .any(|w| w.iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b));
    }
    hay.to_lowercase().contains(needle_lower)
}

#[cfg(test)]
mod tests {
    use super::contains_folded;

    #[test]
    fn ascii_and_unicode_fold_alike() {
        assert!(contains_folded("Weekly REPORT", "report"));
        assert!(contains_folded("ÄRGER im Büro", "ärger"));
        assert!(!contains_folded("Weekly", "weekly report"));
        assert!(contains_folded("", ""));
        assert!(contains_folded("abc", ""));
    }
}
