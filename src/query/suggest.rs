//! "Did you mean": the known name nearest to what was typed.

/// The candidate within two edits of `typed` (one for very short words),
/// or one `typed` begins (`subj` → `subject`); the nearest wins, the
/// first listed on a tie.
pub fn closest<'a>(typed: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let typed = typed.to_lowercase();
    let n = typed.chars().count();
    if n == 0 || n > 40 {
        return None;
    }
    let allowed = if n <= 3 { 1 } else { 2 };
    candidates
        .iter()
        .filter_map(|c| {
            let d = distance(&typed, c);
            let prefix = n >= 3 && c.starts_with(&typed);
            (d <= allowed || prefix).then_some((if prefix { 0 } else { d }, *c))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edits (insert, delete, replace, swap two neighbours) from `a` to `b`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_suggested() {
        let fields = ["from", "to", "cc", "subject", "body", "date"];
        assert_eq!(closest("form", &fields), Some("from"));
        assert_eq!(closest("subj", &fields), Some("subject"));
        assert_eq!(closest("SUBJET", &fields), Some("subject"));
        assert_eq!(closest("dat", &fields), Some("date"));
        assert_eq!(closest("http", &fields), None);
        assert_eq!(closest("x", &fields), None);
    }
}
