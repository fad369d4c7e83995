//! Where each pane goes. A pure function of the terminal size and which
//! panes are shown ([`Shape`]: side panes, the reader full screen), used
//! by the views to draw and by `update` to know how many rows a page is.
//! Not drawing, so it sits below both `ui` and `state`.

use ratatui::layout::{Constraint, Layout, Rect};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    pub accounts: Rect,
    pub folders: Rect,
    pub messages: Rect,
    pub reader: Rect,
    pub log: Option<Rect>,
    pub status: Rect,
}

/// Which panes share the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// The accounts and folders panes on the left.
    pub sides: bool,
    /// The reader alone, over the list and the side panes.
    pub reader_only: bool,
    /// The list without the reader under it (results across folders,
    /// whose rows the reader does not show until one is opened).
    pub list_only: bool,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            sides: true,
            reader_only: false,
            list_only: false,
        }
    }
}

/// `status_rows`: 2 when the current account has tokens to describe. A
/// pane left out gets an empty rect at its corner.
pub fn areas(area: Rect, show_log: bool, accounts: usize, status_rows: u16, shape: Shape) -> Areas {
    let [main, status] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(status_rows)]).areas(area);
    let (main, log) = if show_log {
        let log_h = (main.height / 3).max(5).min(main.height.saturating_sub(6));
        let [m, l] = Layout::vertical([Constraint::Min(0), Constraint::Length(log_h)]).areas(main);
        (m, Some(l))
    } else {
        (main, None)
    };
    let side_w = if shape.sides && !shape.reader_only {
        (main.width / 5).clamp(18, 30).min(main.width / 2)
    } else {
        0
    };
    let [side, right] =
        Layout::horizontal([Constraint::Length(side_w), Constraint::Min(0)]).areas(main);
    let acc_h = (accounts as u16 + 2).clamp(3, (side.height / 3).max(3));
    let [accounts, folders] =
        Layout::vertical([Constraint::Length(acc_h), Constraint::Min(0)]).areas(side);
    let list_h = if shape.reader_only {
        0
    } else if shape.list_only {
        right.height
    } else {
        (right.height * 2 / 5).max(5).min(right.height)
    };
    let [messages, reader] =
        Layout::vertical([Constraint::Length(list_h), Constraint::Min(0)]).areas(right);
    Areas {
        accounts,
        folders,
        messages,
        reader,
        log,
        status,
    }
}

/// Rows inside a bordered pane.
pub fn inner_height(r: Rect) -> usize {
    r.height.saturating_sub(2) as usize
}

pub fn inner_width(r: Rect) -> usize {
    r.width.saturating_sub(2) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_tile_the_screen_at_80x24() {
        let a = areas(Rect::new(0, 0, 80, 24), false, 2, 1, Shape::default());
        assert_eq!(a.status, Rect::new(0, 23, 80, 1));
        assert_eq!(a.accounts.width + a.messages.width, 80);
        assert_eq!(a.messages.height + a.reader.height, 23);
        assert_eq!(a.accounts.height + a.folders.height, 23);
        assert_eq!(a.accounts.height, 4);
        assert!(inner_height(a.messages) >= 5);
    }

    #[test]
    fn log_takes_a_third_and_leaves_room() {
        let a = areas(Rect::new(0, 0, 120, 40), true, 3, 1, Shape::default());
        let log = a.log.unwrap();
        assert_eq!(log.height, 13);
        assert_eq!(log.width, 120);
        assert_eq!(a.messages.height + a.reader.height + log.height + 1, 40);
    }

    #[test]
    fn tiny_terminals_do_not_panic() {
        for (w, h) in [(1, 1), (10, 3), (20, 8), (0, 0)] {
            for sides in [true, false] {
                for reader_only in [true, false] {
                    for list_only in [true, false] {
                        let shape = Shape {
                            sides,
                            reader_only,
                            list_only,
                        };
                        let _ = areas(Rect::new(0, 0, w, h), true, 9, 2, shape);
                    }
                }
            }
        }
    }

    #[test]
    fn without_side_panes_the_list_and_reader_take_the_width() {
        let shape = Shape {
            sides: false,
            reader_only: false,
            list_only: false,
        };
        let a = areas(Rect::new(0, 0, 80, 24), false, 2, 1, shape);
        assert_eq!(a.accounts.width + a.folders.width, 0);
        assert_eq!((a.messages.x, a.messages.width), (0, 80));
        assert_eq!(a.reader.width, 80);
        assert_eq!(a.messages.height + a.reader.height, 23);
    }

    #[test]
    fn the_full_screen_reader_takes_all_but_the_status_and_log() {
        let shape = Shape {
            sides: true,
            reader_only: true,
            list_only: false,
        };
        let a = areas(Rect::new(0, 0, 120, 40), false, 2, 1, shape);
        assert_eq!(a.reader, Rect::new(0, 0, 120, 39));
        assert_eq!(a.messages.height, 0);
        assert_eq!(a.folders.width, 0);
        let a = areas(Rect::new(0, 0, 120, 40), true, 2, 1, shape);
        assert_eq!(a.reader.height + a.log.unwrap().height, 39);
    }

    #[test]
    fn results_take_the_reader_place_too() {
        let shape = Shape {
            list_only: true,
            ..Shape::default()
        };
        let a = areas(Rect::new(0, 0, 80, 24), false, 2, 1, shape);
        assert_eq!((a.messages.height, a.reader.height), (23, 0));
    }
}
