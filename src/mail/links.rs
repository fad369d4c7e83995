//! The links of a message, for the links menu: the targets of an HTML
//! part's links (whole: a laid-out text cuts long ones), then web
//! addresses found in the text the reader shows (`linkify`), numbered in
//! the order they appear, each once. A link goes to the clipboard (an escape sequence) or to a
//! program as an argument, so it is cleaned first: no control, escape,
//! bidi or zero-width characters, and not longer than a terminal or a
//! browser takes.

use linkify::{LinkFinder, LinkKind};

use crate::sanitize::is_unsafe;

/// Longest link kept (characters). Tracking links run to a few thousand;
/// OSC 52 in common terminals takes some tens of kilobytes.
pub const MAX_LINK_CHARS: usize = 4096;

/// Most links listed for one message.
pub const MAX_LINKS: usize = 500;

/// Schemes listed: what a browser opens. Others (`file:`, `javascript:`,
/// `data:` …) are not offered to a program.
pub const SCHEMES: &[&str] = &["http", "https", "ftp"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub url: String,
    /// The link was longer than [`MAX_LINK_CHARS`] and was cut.
    pub cut: bool,
}

/// The links in `text`, in order, without repeats.
pub fn find(text: &str) -> Vec<Link> {
    find_in_lines(text.lines())
}

/// The links in these lines (a link never spans two), in order, without
/// repeats.
pub fn find_in_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<Link> {
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]);
    let mut out: Vec<Link> = Vec::new();
    for line in lines {
        for l in finder.links(line) {
            let Some(link) = clean(l.as_str()) else {
                continue;
            };
            if !out.iter().any(|o| o.url == link.url) {
                out.push(link);
                if out.len() == MAX_LINKS {
                    return out;
                }
            }
        }
    }
    out
}

/// Link targets (HTML `href`s) as links: web schemes only, cleaned, in
/// order, each once.
pub fn from_targets<'a>(targets: impl IntoIterator<Item = &'a str>) -> Vec<Link> {
    merge(Vec::new(), targets.into_iter().filter_map(clean).collect())
}

/// `first`, then those of `more` not in it already, at most [`MAX_LINKS`].
pub fn merge(mut first: Vec<Link>, more: Vec<Link>) -> Vec<Link> {
    first.truncate(MAX_LINKS);
    let mut out: Vec<Link> = Vec::with_capacity(first.len() + more.len());
    for link in first.into_iter().chain(more) {
        if out.len() == MAX_LINKS {
            break;
        }
        if !out.iter().any(|o| o.url == link.url) {
            out.push(link);
        }
    }
    out
}

/// `raw` without unsafe characters, capped; None unless its scheme is one
/// of [`SCHEMES`].
pub fn clean(raw: &str) -> Option<Link> {
    let all: String = raw.chars().filter(|c| !is_unsafe(*c)).collect();
    let scheme = all.split_once(':').map(|(s, _)| s.to_ascii_lowercase())?;
    if !SCHEMES.contains(&scheme.as_str()) {
        return None;
    }
    let cut = all.chars().count() > MAX_LINK_CHARS;
    let url = if cut {
        all.chars().take(MAX_LINK_CHARS).collect()
    } else {
        all
    };
    Some(Link { url, cut })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(text: &str) -> Vec<String> {
        find(text).into_iter().map(|l| l.url).collect()
    }

    #[test]
    fn finds_links_in_order_once_without_trailing_punctuation() {
        assert_eq!(
            urls(
                "See https://example.com/a. Or (http://example.org/b), \
                 again https://example.com/a and <ftp://files.example.net/x>!"
            ),
            [
                "https://example.com/a",
                "http://example.org/b",
                "ftp://files.example.net/x"
            ]
        );
        assert_eq!(
            urls("[1]: https://example.com/x\n[2]: https://en.wikipedia.org/wiki/Link_(film)"),
            [
                "https://example.com/x",
                "https://en.wikipedia.org/wiki/Link_(film)"
            ]
        );
        assert!(urls("no links, just a@example.com and example.com").is_empty());
    }

    #[test]
    fn targets_come_whole_in_order_once_then_text_links() {
        let long = format!("https://example.com/?q={}", "a".repeat(5000));
        let targets = [
            "https://b.example/",
            "mailto:x@example.com",
            "javascript:alert(1)",
            "https://a.example/",
            "https://b.example/",
            long.as_str(),
        ];
        let links = from_targets(targets);
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(urls[..2], ["https://b.example/", "https://a.example/"]);
        assert_eq!(links.len(), 3);
        assert!(links[2].cut && links[2].url.chars().count() == MAX_LINK_CHARS);
        let all = merge(links, find("see https://a.example/ and https://c.example/"));
        assert_eq!(all.len(), 4);
        assert_eq!(all[3].url, "https://c.example/");
    }

    #[test]
    fn only_web_schemes_are_offered() {
        assert!(urls("javascript:alert(1) file:///etc/passwd data:text/html,x").is_empty());
        assert_eq!(urls("HTTPS://EXAMPLE.COM/"), ["HTTPS://EXAMPLE.COM/"]);
    }

    #[test]
    fn links_are_cleaned_and_capped() {
        let l = clean("https://example.com/\x1b]52;c;bad\x07a\u{202e}b\u{200b}c").unwrap();
        assert!(l.url.chars().all(|c| !is_unsafe(c)), "{:?}", l.url);
        assert!(l.url.starts_with("https://example.com/"));
        let long = format!("https://example.com/{}", "a".repeat(10_000));
        let found = find(&long);
        assert_eq!(found[0].url.chars().count(), MAX_LINK_CHARS);
        assert!(found[0].cut);
        let many: String = (0..MAX_LINKS + 50)
            .map(|i| format!("https://example.com/{i} "))
            .collect();
        assert_eq!(find(&many).len(), MAX_LINKS);
    }
}
