//! Counts in words: "1 message", "14 matches", never "1 msgs".

/// `one` for a count of 1, else its plural. English rules cover the nouns
/// mailtui counts (message, match, folder, body, attachment, file …).
pub fn noun(n: u64, one: &str) -> String {
    if n == 1 {
        return one.to_string();
    }
    let ends = |s: &str| one.ends_with(s);
    if ends("s") || ends("x") || ends("z") || ends("ch") || ends("sh") {
        format!("{one}es")
    } else if let Some(stem) = one.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{one}s")
    }
}

/// `n` and the noun that fits it: `count(14, "match")` is "14 matches".
pub fn count(n: usize, one: &str) -> String {
    format!("{n} {}", noun(n as u64, one))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_english() {
        assert_eq!(count(1, "message"), "1 message");
        assert_eq!(count(0, "message"), "0 messages");
        assert_eq!(count(14, "match"), "14 matches");
        assert_eq!(count(1, "match"), "1 match");
        assert_eq!(count(3, "body"), "3 bodies");
        assert_eq!(count(2, "day"), "2 days");
        assert_eq!(count(2, "box"), "2 boxes");
        assert_eq!(count(2, "address"), "2 addresses");
        assert_eq!(count(2, "folder"), "2 folders");
        assert_eq!(noun(1_000_000, "file"), "files");
    }
}
