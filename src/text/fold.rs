//! Case-insensitive matching as the list's search and the query language
//! do it: Unicode lower case on both sides, no allocation for ASCII.

/// Whether `hay` holds `needle_lower` (already lower-cased with
/// `str::to_lowercase`), ignoring case.
pub fn contains_folded(hay: &str, needle_lower: &str) -> bool {
    if !needle_lower.is_ascii() {
        return hay.to_lowercase().contains(needle_lower);
    }
    let h = hay.as_bytes();
    let n = needle_lower.as_bytes();
    if n.is_empty() {
        return true;
    }
    // ASCII bytes never occur inside a multi-byte UTF-8 character, so an
    // ASCII needle is looked for in the bytes of any text. memchr jumps to
    // the places its first byte picks (the list checks every row of a
    // folder on each key).
    if n.len() <= h.len() {
        let (lower, upper) = (n[0], n[0].to_ascii_uppercase());
        let starts = &h[..=h.len() - n.len()];
        if memchr::memchr2_iter(lower, upper, starts)
            .any(|i| h[i + 1..i + n.len()].eq_ignore_ascii_case(&n[1..]))
        {
            return true;
        }
    }
    // Only two characters lower-case to ASCII letters: the Kelvin sign
    // (to k) and the capital I with a dot (to i and a combining dot).
    let kelvin = "\u{212A}".as_bytes();
    let dotted_i = "\u{130}".as_bytes();
    (memchr::memmem::find(h, kelvin).is_some() || memchr::memmem::find(h, dotted_i).is_some())
        && hay.to_lowercase().contains(needle_lower)
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
        // ASCII words in text that is not.
        assert!(contains_folded("Lieferung für MÜNCHEN – Termin", "termin"));
        assert!(contains_folded("Æble – Report", "report"));
        assert!(!contains_folded("Æble – Repor", "report"));
        assert!(contains_folded("München", "m"));
        // The two characters that lower-case to ASCII.
        assert!(contains_folded("50 \u{212A}elvin", "kelvin"));
        assert!(contains_folded("\u{130}stanbul", "i"));
        assert!(!contains_folded("\u{130}stanbul", "x"));
        assert!(contains_folded("xyzA", "a"));
        assert!(!contains_folded("xyz", "a"));
        assert!(contains_folded("re: Re: RE: report", "report"));
        assert!(!contains_folded("re: Re: RE: repor", "report"));
    }
}

#[cfg(test)]
mod property {
    use super::contains_folded;
    use proptest::prelude::*;

    proptest! {
        /// The fast paths agree with lower-casing the whole text.
        #[test]
        fn agrees_with_to_lowercase(
            hay in "[a-zA-Z äÄ–\u{212A}\u{130}ßΣσ]{0,24}",
            needle in "[a-zäσ\u{307}]{0,4}",
        ) {
            let expected = hay.to_lowercase().contains(&needle);
            prop_assert_eq!(contains_folded(&hay, &needle), expected);
        }
    }
}
