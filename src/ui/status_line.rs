//! A status line's parts and how they give way on a short line: plain
//! functions, so the decisions are tested apart from drawing.

use ratatui::style::Style;
use unicode_width::UnicodeWidthStr;

use crate::text::format::truncate;

/// A piece of a status line and how it gives way on a short line.
#[derive(Clone, Debug)]
pub struct Part {
    pub text: String,
    /// A shorter form, taken before anything is dropped.
    pub short: Option<String>,
    /// Lower ranks give way later.
    pub rank: u8,
    /// May go altogether; else it is only cut (ending in "…").
    pub droppable: bool,
    pub style: Style,
}

impl Part {
    pub fn new(text: impl Into<String>, rank: u8, style: Style) -> Part {
        Part {
            text: text.into(),
            short: None,
            rank,
            droppable: true,
            style,
        }
    }

    /// With a shorter form to fall back on.
    pub fn short(self, short: Option<String>) -> Part {
        Part { short, ..self }
    }

    /// Never dropped; cut at most.
    pub fn kept(self) -> Part {
        Part {
            droppable: false,
            ..self
        }
    }
}

/// What each part shows within `room` cells, parts joined by `sep` cells:
/// None where dropped. Least important first, each part gives way until
/// the line fits: its short form, then dropped if it may go. What still
/// does not fit is cut with "…", the most important last (a trailing key
/// hint such as "(u: undo)" is kept).
pub fn lay_out(parts: &[Part], sep: usize, room: usize) -> Vec<Option<String>> {
    let mut shown: Vec<Option<String>> = parts.iter().map(|p| Some(p.text.clone())).collect();
    let width = |shown: &[Option<String>]| {
        let present: Vec<usize> = shown.iter().flatten().map(|t| t.width()).collect();
        present.iter().sum::<usize>() + sep * present.len().saturating_sub(1)
    };
    let mut order: Vec<usize> = (0..parts.len()).collect();
    // Equal ranks: the one further right gives way first.
    order.sort_by_key(|&i| std::cmp::Reverse((parts[i].rank, i)));
    for &i in &order {
        if width(&shown) <= room {
            break;
        }
        if let Some(short) = &parts[i].short {
            shown[i] = Some(short.clone());
        }
        if width(&shown) > room && parts[i].droppable {
            shown[i] = None;
        }
    }
    // A part that went early may fit again beside a later one's short
    // form: back, the most important first.
    for &i in order.iter().rev() {
        let before = shown[i].clone();
        for candidate in [Some(&parts[i].text), parts[i].short.as_ref()] {
            let Some(text) = candidate else { continue };
            if before.as_ref().is_some_and(|b| b.width() >= text.width()) {
                break;
            }
            shown[i] = Some(text.clone());
            if width(&shown) <= room {
                break;
            }
            shown[i] = before.clone();
        }
    }
    for &i in &order {
        let over = width(&shown).saturating_sub(room);
        if over == 0 {
            break;
        }
        let Some(text) = &shown[i] else { continue };
        let w = text.width();
        // Cut to at least one cell of text and the "…", else it goes.
        shown[i] = (w >= over + 2).then(|| cut(text, w - over));
    }
    shown
}

/// `text` in `width` cells, ending in "…" when cut; a trailing key hint
/// in parentheses ("(u: undo)", "(a: sign in)") stays whole when it can.
pub fn cut(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    if let Some(at) = hint_start(text) {
        let tail = &text[at..];
        let tail_w = tail.width();
        if tail_w + 2 <= width {
            return ellipsis(&text[..at], width - tail_w) + tail;
        }
    }
    ellipsis(text, width)
}

/// Cut with "…", no space left before it ("end of…", not "end of …").
fn ellipsis(text: &str, width: usize) -> String {
    let cut = truncate(text, width);
    match cut.strip_suffix('…') {
        Some(head) if head.ends_with(' ') => format!("{}…", head.trim_end()),
        _ => cut,
    }
}

/// Where a trailing key hint starts: " (u: undo)", " (y copies the
/// link)": short, in parentheses, opening with a key.
fn hint_start(text: &str) -> Option<usize> {
    let inner_end = text.strip_suffix(')')?.len();
    let open = text[..inner_end].rfind(" (")?;
    let inner = &text[open + 2..inner_end];
    let first = inner.split(' ').next().unwrap_or_default();
    let key = first.ends_with(':') || first.chars().count() == 1;
    (key && !inner.contains('(') && inner.width() <= 24).then_some(open)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(text: &str, rank: u8, droppable: bool) -> Part {
        Part {
            text: text.into(),
            short: None,
            rank,
            droppable,
            style: Style::new(),
        }
    }

    fn line(parts: &[Part], room: usize) -> String {
        lay_out(parts, 3, room)
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" | ")
    }

    #[test]
    fn everything_fits_when_there_is_room() {
        let parts = [
            part("a", 1, true),
            part("bb", 0, false),
            part("ccc", 2, true),
        ];
        assert_eq!(line(&parts, 80), "a | bb | ccc");
        assert_eq!(line(&parts, 12), "a | bb | ccc");
    }

    #[test]
    fn short_forms_first_then_drops_then_cuts() {
        let mut conn = part("connected to outlook.office365.com:993", 6, true);
        conn.short = Some("connected".into());
        let parts = [
            part(" work ", 1, false),
            conn,
            part("1 message moved to Deleted Items (u: undo)", 0, false),
            part("Inbox 3,120 msgs, 3 unread so far", 4, true),
        ];
        // Room for all but the connection's details: its short form.
        assert_eq!(
            line(&parts, 100),
            " work  | connected | 1 message moved to Deleted Items (u: undo) | Inbox 3,120 msgs, 3 unread so far"
        );
        // Less: the connection goes before the folder counts.
        assert_eq!(
            line(&parts, 90),
            " work  | 1 message moved to Deleted Items (u: undo) | Inbox 3,120 msgs, 3 unread so far"
        );
        // Less again: only what the last action did, whole, and the account.
        assert_eq!(
            line(&parts, 60),
            " work  | 1 message moved to Deleted Items (u: undo)"
        );
        // Narrower: the account name is cut before the notice is.
        assert_eq!(
            line(&parts, 48),
            " w… | 1 message moved to Deleted Items (u: undo)"
        );
        // Narrower than the notice: cut, its undo key kept.
        assert_eq!(line(&parts, 40), "1 message moved to Deleted It… (u: undo)");
    }

    #[test]
    fn a_part_that_went_early_comes_back_when_a_later_short_form_makes_room() {
        let mut folder = part("Inbox 3,120 msgs, 3 unread so far", 4, true);
        folder.short = Some("Inbox 3 unread".into());
        let parts = [
            part(" work ", 1, false),
            part("1 message moved to Deleted Items (u: undo)", 0, false),
            folder,
            part("?: help ", 5, true),
        ];
        // The help hint goes first, then the folder's short form leaves room
        // for it again.
        assert_eq!(
            line(&parts, 80),
            " work  | 1 message moved to Deleted Items (u: undo) | Inbox 3 unread | ?: help "
        );
    }

    #[test]
    fn whatever_is_cut_ends_in_an_ellipsis_and_fits_in_cells() {
        let parts = [part("日本語のお知らせです、とても長い", 0, false)];
        for room in 2..20 {
            let shown = lay_out(&parts, 3, room);
            let text = shown[0].clone().unwrap_or_default();
            assert!(
                unicode_width::UnicodeWidthStr::width(text.as_str()) <= room,
                "{room}: {text:?}"
            );
            assert!(text.ends_with('…'), "{room}: {text:?}");
        }
        // Too little room for a cell of text and the "…": nothing.
        assert_eq!(lay_out(&parts, 3, 1), [None]);
    }

    #[test]
    fn a_key_hint_stays_whole_when_there_is_room_for_it() {
        assert_eq!(
            cut("sign-in needed — token revoked (a: sign in)", 28),
            "sign-in needed… (a: sign in)"
        );
        assert_eq!(cut("3 messages moved (u: undo)", 12), "3… (u: undo)");
        assert_eq!(cut("3 messages moved (u: undo)", 11), "3 messages…");
        // Not a hint: an ordinary text that ends in a long parenthesis.
        assert_eq!(
            cut(
                "connection failed (the server closed the connection early)",
                20
            ),
            "connection failed (…"
        );
        assert_eq!(cut("refused (os error 111)", 12), "refused (os…");
        assert_eq!(
            cut("end of this part (Esc: back)", 20),
            "end of… (Esc: back)"
        );
        assert_eq!(cut("fits", 4), "fits");
    }
}
