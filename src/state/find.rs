//! `/` in the reader: the places the message's text holds what was typed,
//! the one in view, and `n` / `N` between them. Case is ignored unless
//! the text has a capital (as `less` and vim's smartcase do).

use super::State;
use super::prompt::{Outcome, Prompt, PromptKind};
use super::reader::{Doc, Layout};
use crate::action::{Command, UiAction};

/// Most places found in one message: the count says "+" past it.
pub const MAX_HITS: usize = 10_000;

/// One place found: a byte range within a logical line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub line: usize,
    pub start: usize,
    pub end: usize,
}

/// The reader's search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Find {
    pub text: String,
    pub hits: Vec<Hit>,
    /// The hit in view (`n` / `N` move it).
    pub current: usize,
    /// More than [`MAX_HITS`] were there.
    pub capped: bool,
}

impl Find {
    /// "3/7", "0/0", or "3/10000+".
    pub fn count(&self) -> String {
        if self.hits.is_empty() {
            return "0/0".to_string();
        }
        let plus = if self.capped { "+" } else { "" };
        format!("{}/{}{plus}", self.current + 1, self.hits.len())
    }
}

/// `s` with each character lowered where that gives one character (so
/// positions map back), and the byte offset of each character in `s`.
fn lowered(s: &str) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len());
    for (at, c) in s.char_indices() {
        map.push((out.len(), at));
        let mut low = c.to_lowercase();
        match (low.next(), low.next()) {
            (Some(l), None) => out.push(l),
            _ => out.push(c),
        }
    }
    map.push((out.len(), s.len()));
    (out, map)
}

/// Where `needle` is in the doc's lines, in order, at most [`MAX_HITS`].
pub fn find_in(doc: &Doc, needle: &str) -> (Vec<Hit>, bool) {
    let mut hits = Vec::new();
    if needle.is_empty() {
        return (hits, false);
    }
    let fold = !needle.chars().any(char::is_uppercase);
    let needle = if fold {
        lowered(needle).0
    } else {
        needle.to_string()
    };
    for (i, text) in doc.lines_text().enumerate() {
        let found: Vec<(usize, usize)> = if fold && !text.is_ascii() {
            let (low, map) = lowered(text);
            let back = |b: usize| {
                map.binary_search_by_key(&b, |&(l, _)| l)
                    .map_or(text.len(), |k| map[k].1)
            };
            low.match_indices(needle.as_str())
                .map(|(at, m)| (back(at), back(at + m.len())))
                .collect()
        } else if fold {
            let low = text.to_ascii_lowercase();
            low.match_indices(needle.as_str())
                .map(|(at, m)| (at, at + m.len()))
                .collect()
        } else {
            text.match_indices(needle.as_str())
                .map(|(at, m)| (at, at + m.len()))
                .collect()
        };
        for (start, end) in found {
            if hits.len() == MAX_HITS {
                return (hits, true);
            }
            hits.push(Hit {
                line: i,
                start,
                end,
            });
        }
    }
    (hits, false)
}

/// The row of the layout that shows the start of `hit`.
pub fn row_of(layout: &Layout, hit: Hit) -> Option<usize> {
    let first = layout.rows.partition_point(|r| r.line < hit.line);
    let rows = layout.rows.get(first..)?;
    let last_of_line = rows.iter().take_while(|r| r.line == hit.line).count();
    let within = rows[..last_of_line]
        .iter()
        .rposition(|r| r.start <= hit.start)?;
    Some(first + within)
}

impl State {
    pub(super) fn on_find_key(&mut self, a: UiAction) -> Vec<Command> {
        if !self.reading_message() {
            return Vec::new();
        }
        match a {
            UiAction::FindInMessage => {
                self.prompt = Some(Prompt::new(PromptKind::FindInMessage));
            }
            UiAction::FindNext | UiAction::FindPrev => {
                let forward = a == UiAction::FindNext;
                let Some(f) = self.account_mut().and_then(|acc| acc.reader.find.as_mut()) else {
                    return Vec::new();
                };
                let n = f.hits.len();
                if n == 0 {
                    let text = format!("not found: {}", f.text);
                    self.notify(&text, false);
                    return Vec::new();
                }
                let wrapped = if forward {
                    f.current + 1 == n
                } else {
                    f.current == 0
                };
                f.current = if forward {
                    (f.current + 1) % n
                } else {
                    (f.current + n - 1) % n
                };
                self.scroll_to_hit();
                if wrapped && n > 1 {
                    let edge = if forward { "top" } else { "bottom" };
                    self.notify(&format!("search went on from the {edge}"), false);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// The reader's search prompt: each key searches again, Enter keeps
    /// what was found for `n` / `N`, Esc ends the search.
    pub(super) fn on_find_prompt(&mut self, p: Prompt, outcome: Outcome) -> Vec<Command> {
        let scroll = self.account().map_or(0, |a| a.reader.scroll);
        match outcome {
            Outcome::Cancelled => {
                self.end_find();
            }
            Outcome::Done if p.text.is_empty() => {
                self.end_find();
            }
            Outcome::Done => {
                let msg = match self.account().and_then(|a| a.reader.find.as_ref()) {
                    Some(f) if f.hits.is_empty() => format!("not found: {}", f.text),
                    Some(f) => format!("{} found (n / N: next / previous, Esc: clear)", f.count()),
                    None => String::new(),
                };
                self.notify(&msg, false);
            }
            _ => {
                let Some(acc) = self.account_mut() else {
                    return Vec::new();
                };
                let r = &mut acc.reader;
                let Some(doc) = r.layout.doc.as_ref() else {
                    self.prompt = Some(p);
                    return Vec::new();
                };
                let (hits, capped) = find_in(doc, &p.text);
                // The first place at or below the top of the view.
                let current = hits
                    .iter()
                    .position(|h| row_of(&r.layout, *h).is_some_and(|row| row >= scroll))
                    .unwrap_or(0);
                r.find = Some(Find {
                    text: p.text.clone(),
                    hits,
                    current,
                    capped,
                });
                self.prompt = Some(p);
                self.scroll_to_hit();
            }
        }
        Vec::new()
    }

    /// Ends the reader's search; whether there was one.
    pub(super) fn end_find(&mut self) -> bool {
        self.account_mut()
            .is_some_and(|acc| acc.reader.find.take().is_some())
    }

    /// Scrolls the reader so the current hit is in view, a few rows below
    /// the top when it was out of view.
    fn scroll_to_hit(&mut self) {
        let height = self.reader_height();
        let Some(acc) = self.account_mut() else {
            return;
        };
        let r = &mut acc.reader;
        let Some(hit) = r.find.as_ref().and_then(|f| f.hits.get(f.current)) else {
            return;
        };
        let Some(row) = row_of(&r.layout, *hit) else {
            return;
        };
        if row < r.scroll || row >= r.scroll + height {
            r.scroll = row.saturating_sub(2).min(r.layout.max_scroll(height));
        }
    }

    /// After the doc was laid out anew (headers or quotes toggled): the
    /// same search in the new lines.
    pub(super) fn refind(&mut self) {
        let Some(acc) = self.account_mut() else {
            return;
        };
        let r = &mut acc.reader;
        let (Some(f), Some(doc)) = (r.find.as_mut(), r.layout.doc.as_ref()) else {
            return;
        };
        (f.hits, f.capped) = find_in(doc, &f.text);
        // Lines moved (headers or quotes came or went): the current hit is
        // the first one from the top of the view, not the same number.
        let scroll = r.scroll;
        f.current = f
            .hits
            .iter()
            .position(|h| row_of(&r.layout, *h).is_some_and(|row| row >= scroll))
            .unwrap_or(f.hits.len().saturating_sub(1));
        self.scroll_to_hit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::message::parse;

    fn doc(body: &str) -> Doc {
        let m = parse(1, format!("Subject: s\r\n\r\n{body}").as_bytes());
        Doc::message(&m, 0)
    }

    fn found(d: &Doc, needle: &str) -> Vec<String> {
        let lines: Vec<&str> = d.lines_text().collect();
        find_in(d, needle)
            .0
            .iter()
            .map(|h| lines[h.line][h.start..h.end].to_string())
            .collect()
    }

    #[test]
    fn lower_case_ignores_case_and_a_capital_does_not() {
        let d = doc("Alpha alpha ALPHA\nno\nalphabet");
        assert_eq!(found(&d, "alpha"), ["Alpha", "alpha", "ALPHA", "alpha"]);
        assert_eq!(found(&d, "ALPHA"), ["ALPHA"]);
        assert!(found(&d, "").is_empty());
        assert!(found(&d, "beta").is_empty());
    }

    #[test]
    fn non_ascii_text_maps_back_to_its_own_bytes() {
        let d = doc("Grüße aus MÜNCHEN und münchen");
        assert_eq!(found(&d, "münchen"), ["MÜNCHEN", "münchen"]);
        assert_eq!(found(&d, "üß"), ["üß"]);
        // A character whose lower case is longer stays as it is.
        let d = doc("İstanbul istanbul");
        assert_eq!(found(&d, "stanbul"), ["stanbul", "stanbul"]);
    }

    #[test]
    fn hits_are_capped() {
        let d = doc(&"a ".repeat(MAX_HITS + 10));
        let (hits, capped) = find_in(&d, "a");
        assert_eq!(hits.len(), MAX_HITS);
        assert!(capped);
    }
}
