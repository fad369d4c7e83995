//! Which stored addresses match what was typed, best first.
//!
//! Matching: the query is lower-cased and split at white space into terms
//! (at most [`MAX_TERMS`], from at most [`MAX_QUERY_CHARS`] characters);
//! an address matches when every term is a substring of its name or of
//! its address, lower-cased. So "jo sm" finds "John Smith", and also
//! "Major Smalls"; "smith@" finds the address. No accent folding:
//! "jurgen" does not find "Jürgen". An empty query matches everything.
//!
//! Ranking, a frecency score: for each of "wrote to" and "heard from",
//! `ln(1 + count)` halved for every [`HALF_LIFE_DAYS`] since the last
//! time, the "wrote to" part weighing [`SENT_WEIGHT`] times as much;
//! doubled when every term starts a word (of the name or the address:
//! after a space, `.`, `-`, `@`, …), so "sm" puts Smith before Osmond.
//! Ties go to the address in alphabetical order, so answers are stable.

use std::collections::HashMap;

use super::Candidate;
use crate::store::Contact;

/// How much more writing to an address counts than mail from it.
pub const SENT_WEIGHT: f64 = 4.0;
/// Days after which a use counts half as much.
pub const HALF_LIFE_DAYS: f64 = 60.0;
/// Query text looked at, in characters, and terms taken from it.
pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_TERMS: usize = 8;

const DAY: f64 = 86_400.0;

/// The frecency of an address at `now` (Unix seconds); higher is better.
pub fn score(c: &Contact, now: i64) -> f64 {
    let part = |count: u32, at: Option<i64>| {
        let Some(at) = at.filter(|_| count > 0) else {
            return 0.0;
        };
        let days = (now.saturating_sub(at)).max(0) as f64 / DAY;
        f64::from(count).ln_1p() * 0.5f64.powf(days / HALF_LIFE_DAYS)
    };
    SENT_WEIGHT * part(c.sent, c.sent_at) + part(c.received, c.received_at)
}

/// The lower-cased terms of a query.
pub fn terms(query: &str) -> Vec<String> {
    let limited: String = query.chars().take(MAX_QUERY_CHARS).collect();
    limited
        .to_lowercase()
        .split_whitespace()
        .take(MAX_TERMS)
        .map(str::to_string)
        .collect()
}

/// Whether `term` occurs in `hay`, and whether it occurs at a word start.
fn find(hay: &str, term: &str) -> Option<bool> {
    let mut found = false;
    for (i, _) in hay.match_indices(term) {
        found = true;
        let before = hay[..i].chars().next_back();
        if before.is_none_or(|c| !c.is_alphanumeric()) {
            return Some(true);
        }
    }
    found.then_some(false)
}

/// None when the contact does not match; else whether every term starts
/// a word. `terms` come from [`terms`].
pub fn matches(c: &Contact, terms: &[String]) -> Option<bool> {
    let name = c.name.to_lowercase();
    let email = c.email.to_lowercase();
    let mut all_at_start = true;
    for t in terms {
        let at_start = match (find(&name, t), find(&email, t)) {
            (None, None) => return None,
            (a, b) => a.unwrap_or(false) || b.unwrap_or(false),
        };
        all_at_start &= at_start;
    }
    Some(all_at_start)
}

/// The same address from several stores (accounts) as one: counts added,
/// the newest times and the newest name kept.
pub fn combine(contacts: impl IntoIterator<Item = Contact>) -> Vec<Contact> {
    let mut by_email: HashMap<String, Contact> = HashMap::new();
    for c in contacts {
        let key = c.email.to_lowercase();
        match by_email.get_mut(&key) {
            None => {
                by_email.insert(key, c);
            }
            Some(have) => {
                have.received = have.received.saturating_add(c.received);
                have.sent = have.sent.saturating_add(c.sent);
                have.received_at = have.received_at.max(c.received_at);
                have.sent_at = have.sent_at.max(c.sent_at);
                if !c.name.is_empty() && (have.name.is_empty() || c.name_at > have.name_at) {
                    have.name = c.name;
                    have.name_at = c.name_at;
                }
            }
        }
    }
    by_email.into_values().collect()
}

/// The contacts matching `query`, best first, at most `limit`.
pub fn search(contacts: &[Contact], query: &str, now: i64, limit: usize) -> Vec<Candidate> {
    let terms = terms(query);
    let mut hits: Vec<(f64, &Contact)> = contacts
        .iter()
        .filter_map(|c| {
            let at_start = matches(c, &terms)?;
            let s = score(c, now) * if at_start { 2.0 } else { 1.0 };
            Some((s, c))
        })
        .collect();
    hits.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.email.cmp(&b.1.email)));
    hits.into_iter()
        .take(limit)
        .map(|(_, c)| Candidate {
            email: c.email.clone(),
            name: c.name.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const D: i64 = 86_400;

    fn c(email: &str, name: &str, received: (u32, i64), sent: (u32, i64)) -> Contact {
        Contact {
            email: email.into(),
            name: name.into(),
            name_at: NOW,
            received: received.0,
            received_at: (received.0 > 0).then_some(NOW - received.1 * D),
            sent: sent.0,
            sent_at: (sent.0 > 0).then_some(NOW - sent.1 * D),
        }
    }

    fn emails(v: &[Candidate]) -> Vec<&str> {
        v.iter().map(|c| c.email.as_str()).collect()
    }

    #[test]
    fn written_to_weighs_more_than_heard_from() {
        let wrote = c("w@x", "", (0, 0), (3, 5));
        let heard = c("h@x", "", (10, 5), (0, 0));
        assert!(score(&wrote, NOW) > score(&heard, NOW));
    }

    #[test]
    fn recency_and_frequency_both_count() {
        let recent = c("r@x", "", (5, 1), (0, 0));
        let old = c("o@x", "", (5, 300), (0, 0));
        assert!(score(&recent, NOW) > score(&old, NOW));
        let often = c("f@x", "", (50, 10), (0, 0));
        let once = c("n@x", "", (1, 10), (0, 0));
        assert!(score(&often, NOW) > score(&once, NOW));
        // A regular correspondent of last month beats yesterday's one-off.
        let regular = c("g@x", "", (0, 0), (20, 30));
        let one_off = c("1@x", "", (1, 1), (0, 0));
        assert!(score(&regular, NOW) > score(&one_off, NOW));
        // Dates from the future count as now, not more.
        let future = c("u@x", "", (1, -1000), (0, 0));
        assert_eq!(
            score(&future, NOW),
            score(&c("v@x", "", (1, 0), (0, 0)), NOW)
        );
        assert_eq!(score(&c("z@x", "", (0, 0), (0, 0)), NOW), 0.0);
    }

    #[test]
    fn terms_match_name_or_address_case_insensitively() {
        let john = c("jsmith@example.com", "John Smith", (1, 1), (0, 0));
        let t = |q: &str| matches(&john, &terms(q));
        assert_eq!(t("jo sm"), Some(true));
        assert_eq!(t("JOHN"), Some(true));
        assert_eq!(t("smith@exa"), Some(false), "inside the address");
        assert_eq!(t("ohn"), Some(false), "inside a word");
        assert_eq!(t("example.com"), Some(true));
        assert_eq!(t("jo xx"), None, "every term must match");
        assert_eq!(t(""), Some(true));
        assert_eq!(t("   "), Some(true));
        let umlaut = c("jm@x.de", "Jürgen Müller", (1, 1), (0, 0));
        assert_eq!(matches(&umlaut, &terms("JÜR mü")), Some(true));
        assert_eq!(
            matches(&umlaut, &terms("jurgen")),
            None,
            "no accent folding"
        );
    }

    #[test]
    fn queries_are_bounded() {
        let many = (0..20)
            .map(|i| format!("t{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(terms(&many).len(), MAX_TERMS);
        let long = "a".repeat(MAX_QUERY_CHARS * 2);
        assert_eq!(terms(&long)[0].len(), MAX_QUERY_CHARS);
    }

    #[test]
    fn search_ranks_and_limits() {
        let book = vec![
            c("osmond@x", "Donny Osmond", (4, 1), (0, 0)),
            c("smith@x", "Ann Smith", (2, 1), (0, 0)),
            c("news@smithy.example", "", (90, 1), (0, 0)),
            c("colleague@x", "Sam Mills", (0, 0), (5, 2)),
            c("other@x", "Bob", (99, 0), (0, 0)),
        ];
        // Word starts first (doubled), then the rest; Bob does not match.
        let hits = search(&book, "sm", NOW, 10);
        assert_eq!(
            emails(&hits),
            ["news@smithy.example", "smith@x", "osmond@x"]
        );
        let hits = search(&book, "m", NOW, 2);
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].email, "colleague@x", "written to ranks first");
        assert!(search(&book, "nobody", NOW, 10).is_empty());
        assert_eq!(search(&book, "", NOW, 100).len(), book.len());
        // Ties: alphabetical, so the order never flickers.
        let twins = vec![c("b@x", "", (1, 1), (0, 0)), c("a@x", "", (1, 1), (0, 0))];
        assert_eq!(emails(&search(&twins, "", NOW, 10)), ["a@x", "b@x"]);
    }

    #[test]
    fn the_same_address_from_two_accounts_is_one() {
        let mut work = c("ann@x", "Ann (work)", (3, 10), (1, 20));
        work.name_at = NOW - 10 * D;
        let mut home = c("ANN@x", "Ann", (2, 1), (0, 0));
        home.name_at = NOW - D;
        let one = combine([work, home]);
        assert_eq!(one.len(), 1);
        let a = &one[0];
        assert_eq!((a.received, a.sent), (5, 1));
        assert_eq!(a.received_at, Some(NOW - D));
        assert_eq!(a.name, "Ann", "the newer name");
    }
}
