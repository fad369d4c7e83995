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
        if n.len() > h.len() {
            return false;
        }
        // memchr jumps to the places the first byte picks (the list checks
        // every row of a folder on each key).
        let (lower, upper) = (n[0], n[0].to_ascii_uppercase());
        let starts = &h[..=h.len() - n.len()];
        return memchr::memchr2_iter(lower, upper, starts)
            .any(|i| h[i + 1..i + n.len()].eq_ignore_ascii_case(&n[1..]));
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
        assert!(contains_folded("xxABC", "abc"));
        assert!(!contains_folded("xxAB", "abc"));
        assert!(contains_folded("[Re] x", "[re]"));
        assert!(contains_folded("a", "a"));
        assert!(contains_folded("xyzA", "a"));
        assert!(!contains_folded("xyz", "a"));
        assert!(contains_folded("re: Re: RE: report", "report"));
        assert!(!contains_folded("re: Re: RE: repor", "report"));
    }
}
