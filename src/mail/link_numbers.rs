//! Links of laid-out HTML numbered in the text as the links menu numbers
//! them, so "status page[1]" is entry 1 of the menu.

use super::links::{Link, clean};
use super::view::{StyleRun, TextStyle};
use crate::sanitize::Clean;

/// `body` with "[N]" after each link, N its place in `links` (what the
/// links menu lists, the HTML links first), and the runs moved to match,
/// each number a run of its own. A link not in the list (not a web
/// address) gets no number.
pub fn number_links(body: &Clean, runs: &[StyleRun], links: &[Link]) -> (Clean, Vec<StyleRun>) {
    if !runs.iter().any(|r| r.style.contains(TextStyle::LINK)) {
        return (body.clone(), runs.to_vec());
    }
    let text = body.as_str();
    let number = |target: &str| {
        // As the hrefs were kept: trimmed, tabs and line breaks dropped.
        let url: String = target
            .trim()
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let url = clean(&url)?.url;
        links.iter().position(|l| l.url == url).map(|i| i + 1)
    };
    let mut out = Clean::default();
    let mut moved = Vec::with_capacity(runs.len());
    let mut at = 0;
    // Where the link the run belongs to starts.
    let mut link_start = 0;
    for (i, r) in runs.iter().enumerate() {
        let Some(piece) = text.get(at..r.end) else {
            continue;
        };
        let by = out.len() - at;
        out.push(&Clean::text(piece));
        at = r.end;
        moved.push(StyleRun {
            start: r.start + by,
            end: r.end + by,
            ..r.clone()
        });
        let link_came_before =
            i > 0 && runs[i - 1].end == r.start && runs[i - 1].target == r.target;
        if !link_came_before {
            link_start = r.start;
        }
        let next = runs.get(i + 1);
        let link_goes_on = next.is_some_and(|n| n.start == r.end && n.target == r.target);
        if let Some(target) = r.target.as_deref().filter(|_| !link_goes_on)
            && let Some(n) = number(target)
        {
            // A link written out as an address would run into its number
            // (a text link "https://x/a[1]"): a space keeps them apart.
            let written_out = text
                .get(link_start..r.end)
                .is_some_and(|t| t.contains("://"));
            let gap = if written_out { " " } else { "" };
            out.push(&Clean::text(gap));
            let start = out.len();
            out.push(&Clean::line(&format!("[{n}]")));
            moved.push(StyleRun {
                start,
                end: out.len(),
                style: TextStyle::LINK_NUMBER,
                target: None,
            });
        }
    }
    out.push(&Clean::text(text.get(at..).unwrap_or_default()));
    (out, moved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::links::from_targets;

    #[test]
    fn links_are_numbered_as_the_menu_lists_them() {
        let h = crate::mail::mime::html::to_text(
            "<p><a href=\"https://b.example/\">B</a> and <a href=\"mailto:x@y\">mail</a>, \
<a href=\" https://a.example/\n\"><b>bold</b> A</a>, <a href=\"https://b.example/\">B again</a></p>",
            std::time::Instant::now() + std::time::Duration::from_secs(30),
        );
        let links = from_targets(h.links.iter().map(String::as_str));
        let body = Clean::text(&h.text);
        let (text, runs) = number_links(&body, &h.styles, &links);
        assert_eq!(text.as_str(), "B[1] and mail, bold A[2], B again[1]");
        let numbers: Vec<&str> = runs
            .iter()
            .filter(|r| r.style == TextStyle::LINK_NUMBER)
            .map(|r| &text.as_str()[r.start..r.end])
            .collect();
        assert_eq!(numbers, ["[1]", "[2]", "[1]"]);
        let bold = runs
            .iter()
            .find(|r| &text.as_str()[r.start..r.end] == "bold")
            .unwrap();
        assert!(bold.style.contains(TextStyle::LINK) && bold.style.contains(TextStyle::STRONG));
        // A link written out keeps apart from its number, so the address
        // found in the text is the link's own.
        let h = crate::mail::mime::html::to_text(
            "<p>See <a href=\"https://c.example/x\">https://c.example/x</a>.</p>",
            std::time::Instant::now() + std::time::Duration::from_secs(30),
        );
        let links = from_targets(h.links.iter().map(String::as_str));
        let (text, _) = number_links(&Clean::text(&h.text), &h.styles, &links);
        assert_eq!(text.as_str(), "See https://c.example/x [1].");
        assert_eq!(crate::mail::links::find(text.as_str()), links);
        // Without links, nothing changes.
        let plain = Clean::text("no links");
        assert_eq!(number_links(&plain, &[], &links).0, plain);
    }
}
