//! The help overlay's geometry: how many columns fit, how many lines show,
//! how far it scrolls. The state scrolls by it and the view draws by it,
//! so both agree at every screen size.

use unicode_width::UnicodeWidthStr;

/// One line of the help overlay. (Here, not in keymap.rs, so that what
/// `:reload` brings can carry it without a circle through the actions.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    /// The keys, as `[keys]` spells them: "q ctrl-c".
    pub keys: String,
    /// The action's name in `[keys]`: "quit".
    pub name: String,
    pub description: String,
}

/// Rows the box spends on other things: two borders, the column titles
/// and the line saying how to close it.
const CHROME_ROWS: usize = 4;
/// A long key list is cut (with …) rather than squeeze the other columns.
pub const MAX_KEYS_WIDTH: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HelpLayout {
    /// Entries side by side: 2 where the screen is wide enough and one
    /// column would not fit, else 1 (and scrolling).
    pub columns: usize,
    /// Entries in each column.
    pub per_column: usize,
    /// Entry lines on screen at once.
    pub visible: usize,
    /// Widths of the keys, name and description fields.
    pub widths: [usize; 3],
}

impl HelpLayout {
    pub fn new(entries: &[HelpEntry], width: u16, height: u16) -> HelpLayout {
        let widths = entries.iter().fold([0; 3], |w, e| {
            [
                w[0].max(e.keys.width().min(MAX_KEYS_WIDTH)),
                w[1].max(e.name.width()),
                w[2].max(e.description.width()),
            ]
        });
        let room = usize::from(height).saturating_sub(CHROME_ROWS).max(1);
        let two_fit = 2 * Self::entry_width(widths) + 2 <= usize::from(width);
        let columns = if entries.len() > room && two_fit {
            2
        } else {
            1
        };
        let per_column = entries.len().div_ceil(columns);
        HelpLayout {
            columns,
            per_column,
            visible: per_column.min(room),
            widths,
        }
    }

    /// One entry's cells: " keys  name  description ".
    pub fn entry_width(widths: [usize; 3]) -> usize {
        1 + widths[0] + 2 + widths[1] + 2 + widths[2] + 1
    }

    /// The box's width, borders included.
    pub fn box_width(&self) -> usize {
        self.columns * Self::entry_width(self.widths) + 2
    }

    /// The box's height, borders included.
    pub fn box_height(&self) -> usize {
        self.visible + CHROME_ROWS
    }

    /// The last scroll position: the last entry on the last line.
    pub fn max_scroll(&self) -> usize {
        self.per_column - self.visible
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(n: usize) -> Vec<HelpEntry> {
        (0..n)
            .map(|i| HelpEntry {
                keys: format!("k{i}"),
                name: format!("action_{i}"),
                description: "does a thing".into(),
            })
            .collect()
    }

    #[test]
    fn one_column_when_it_fits_two_when_wide_else_scrolls() {
        let few = HelpLayout::new(&entries(10), 80, 24);
        assert_eq!((few.columns, few.visible, few.max_scroll()), (1, 10, 0));
        assert_eq!(few.box_height(), 14);

        let many = entries(45);
        let narrow = HelpLayout::new(&many, 80, 24);
        assert_eq!(narrow.columns, 2, "two short columns fit in 80");
        assert_eq!(narrow.per_column, 23);
        assert_eq!((narrow.visible, narrow.max_scroll()), (20, 3));

        let tiny = HelpLayout::new(&many, 40, 24);
        assert_eq!(tiny.columns, 1);
        assert_eq!((tiny.visible, tiny.max_scroll()), (20, 25));
        assert!(tiny.box_height() <= 24);
    }

    #[test]
    fn widths_in_cells_and_long_keys_capped() {
        let e = vec![HelpEntry {
            keys: "a b c d e f g h i j k l m n".into(),
            name: "über".into(),
            description: "日本".into(),
        }];
        let l = HelpLayout::new(&e, 80, 24);
        assert_eq!(l.widths, [MAX_KEYS_WIDTH, 4, 4]);
        assert_eq!(l.box_width(), 2 + 1 + 16 + 2 + 4 + 2 + 4 + 1);
    }

    #[test]
    fn a_screen_too_small_still_shows_a_line() {
        let l = HelpLayout::new(&entries(5), 40, 3);
        assert_eq!(l.visible, 1);
        assert_eq!(l.max_scroll(), 4);
    }
}
