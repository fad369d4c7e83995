//! The message list's columns: how wide each is at a given width, and
//! what a row shows in it.

use crate::config::columns::{Column, ColumnKind};

/// Columns of the who-columns (sender, recipient) when no width is set:
/// a quarter of the list, within these bounds (today's list).
const WHO_MIN: usize = 8;
const WHO_MAX: usize = 28;
/// Account and folder names, when no width is set.
const PLACE_WIDTH: usize = 12;
/// `1023`, `4.2K`, `123M`: never wider.
pub const SIZE_WIDTH: usize = 4;
const FLAGS_WIDTH: usize = 3;

/// The width of each of `columns` in a list `width` wide (after the mark
/// column), one space between columns. The subject (else the last column)
/// takes what the others leave; `date_w` is the date column's.
pub fn widths(columns: &[Column], width: usize, date_w: usize) -> Vec<usize> {
    let who = (width / 4).clamp(WHO_MIN, WHO_MAX);
    let flex = columns
        .iter()
        .position(|c| c.kind == ColumnKind::Subject)
        .unwrap_or(columns.len().saturating_sub(1));
    let mut out: Vec<usize> = columns
        .iter()
        .map(|c| match (c.kind, c.width) {
            (ColumnKind::Flags, _) => FLAGS_WIDTH,
            (ColumnKind::Date, _) => date_w,
            (_, Some(w)) => usize::from(w),
            (ColumnKind::Size, None) => SIZE_WIDTH,
            (ColumnKind::Account | ColumnKind::Folder, None) => PLACE_WIDTH,
            (ColumnKind::Subject, None) => 0,
            (_, None) => who,
        })
        .collect();
    if let Some(f) = out.get(flex).copied() {
        let others: usize = out
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != flex)
            .map(|(_, w)| w)
            .sum();
        let gaps = columns.len().saturating_sub(1);
        let room = width.saturating_sub(1 + others + gaps);
        out[flex] = if columns[flex].kind == ColumnKind::Subject && columns[flex].width.is_none() {
            room
        } else {
            f.max(room)
        };
    }
    out
}

/// Sizes as `ls -h` writes them, in at most [`SIZE_WIDTH`] columns:
/// `512`, `4.2K`, `38K`, `1.3M`.
pub fn size(bytes: u32) -> String {
    let mut v = f64::from(bytes);
    if v < 1000.0 {
        return bytes.to_string();
    }
    for unit in ['K', 'M', 'G'] {
        v /= 1024.0;
        // 9.96 would round to "10.0": shown whole from there.
        if v < 9.95 {
            return format!("{v:.1}{unit}");
        }
        if v < 999.5 {
            return format!("{v:.0}{unit}");
        }
    }
    format!("{v:.0}T")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::columns::{default_columns, parse_columns};

    fn cols(e: &[&str]) -> Vec<Column> {
        parse_columns(&e.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn the_default_is_todays_list() {
        // mark(1) markers(3) date(6) from(20) subject: 80 columns less the
        // pane's borders.
        assert_eq!(widths(&default_columns(), 78, 6), [3, 6, 19, 46]);
        assert_eq!(widths(&default_columns(), 200, 10), [3, 10, 28, 155]);
        assert_eq!(widths(&default_columns(), 20, 6), [3, 6, 8, 0]);
    }

    #[test]
    fn set_widths_hold_and_the_subject_takes_the_rest() {
        let c = cols(&["flags", "date", "correspondent:22", "size", "subject"]);
        assert_eq!(widths(&c, 78, 6), [3, 6, 22, 4, 38]);
        // No subject: the last column grows to the edge.
        let c = cols(&["date", "sender:10"]);
        assert_eq!(widths(&c, 40, 6), [6, 32]);
        let c = cols(&["subject:10", "size"]);
        assert_eq!(widths(&c, 40, 6), [34, 4]);
    }

    #[test]
    fn sizes_are_short() {
        assert_eq!(size(0), "0");
        assert_eq!(size(999), "999");
        assert_eq!(size(1000), "1.0K");
        assert_eq!(size(4300), "4.2K");
        assert_eq!(size(10_199), "10K");
        assert_eq!(size(38 * 1024), "38K");
        assert_eq!(size(1_363_149), "1.3M");
        assert_eq!(size(1_023_999), "1000K".replace("1000K", "1.0M"));
        assert_eq!(size(u32::MAX), "4.0G");
        for b in [0, 999, 1000, 9_999, 10_240, 1_048_575, 1_048_576, u32::MAX] {
            assert!(size(b).len() <= SIZE_WIDTH, "{b}: {}", size(b));
        }
    }
}
