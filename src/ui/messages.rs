//! Message list: the columns `[ui] columns` names (markers, date, sender,
//! subject by default); their widths follow the terminal's.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use crate::config::columns::{Column, ColumnKind};
use crate::layout::{inner_height, inner_width};
use crate::mail::types::Envelope;
use crate::state::{AccountState, Reach, State};
use crate::text::format::{fit, spinner, thousands};
use crate::worker::ConnState;

/// `rows`: how many the pane shows, for the marks off screen.
fn title(acc: &AccountState, state: &State, rows: usize) -> String {
    let Some(name) = acc.open_folder_name() else {
        return " Messages ".into();
    };
    let l = &acc.list;
    let mut extra = String::new();
    if !l.marked.is_empty() {
        let off = l.marked_off_screen(rows);
        if off > 0 {
            extra.push_str(&format!(
                "· {} marked, {} off screen ",
                thousands(l.marked.len() as u64),
                thousands(off as u64)
            ));
        } else {
            extra.push_str(&format!("· {} marked ", thousands(l.marked.len() as u64)));
        }
    }
    if let Some(s) = &l.search {
        extra.push_str(&format!(
            "· /{} {} ",
            fit(&s.text, 20).trim_end(),
            thousands(s.matches.len() as u64)
        ));
    }
    if l.threads() {
        extra.push_str("· threads ");
    } else if !l.sort.is_default() {
        extra.push_str(&format!("· {} ", l.sort.label()));
    }
    let base = match &l.limit {
        Some(limit) => {
            let asking = if limit.asking.is_some() {
                format!(" {}", spinner(state.frame))
            } else {
                String::new()
            };
            // Of the whole folder, also while its rows are still coming.
            let total = if l.remaining > 0 {
                (l.items.len() as u64 + u64::from(l.remaining)).max(u64::from(l.exists))
            } else {
                l.items.len() as u64
            };
            format!(
                " {name} · limit: {} · {} of {}{asking} ",
                fit(&limit.text, 30).trim_end(),
                thousands(l.len() as u64),
                thousands(total)
            )
        }
        None => title_base(acc, state, &name),
    };
    if extra.is_empty() {
        base
    } else {
        format!("{base}{extra}")
    }
}

fn title_base(acc: &AccountState, state: &State, name: &str) -> String {
    let l = &acc.list;
    if l.opening && l.items.is_empty() {
        if !acc.online() {
            return format!(" {name} ");
        }
        return format!(" {name} {} ", spinner(state.frame));
    }
    let shown = thousands(l.items.len() as u64);
    if l.remaining > 0 {
        let total = (l.items.len() as u64 + u64::from(l.remaining)).max(u64::from(l.exists));
        let moving = if acc.online() {
            spinner(state.frame)
        } else {
            "(rest when online)"
        };
        return format!(" {name} · {shown} of {} {moving} ", thousands(total));
    }
    if l.syncing && !acc.online() {
        return format!(" {name} · {shown} ");
    }
    if l.syncing {
        return format!(" {name} · {shown} · syncing {} ", spinner(state.frame));
    }
    format!(" {name} · {shown} ")
}

/// Why the list is empty, when it is.
fn placeholder(acc: &AccountState, state: &State, theme: &Theme) -> Line<'static> {
    let l = &acc.list;
    if let Some(e) = &l.error {
        return Line::styled(e.to_string(), theme.error);
    }
    match &acc.conn {
        ConnState::Failed(e) => {
            return Line::styled(format!("Not connected: {e} (a: retry)"), theme.error);
        }
        ConnState::Retrying { error, .. } if l.path.is_none() => {
            let when = match acc.retry_in(state.now) {
                Some(s) if s > 0 => format!("retrying in {s}s (a: now)"),
                _ => "retrying".to_string(),
            };
            return Line::styled(
                format!("Cannot reach the server, {when}: {error}"),
                theme.warning,
            );
        }
        _ => {}
    }
    match acc.reach() {
        Reach::SignIn if l.path.is_none() => {
            return Line::styled(
                "Sign in to see this account's mail (a)".to_string(),
                theme.dim,
            );
        }
        Reach::SigningIn if l.path.is_none() => {
            return Line::styled("Waiting for the sign-in".to_string(), theme.dim);
        }
        Reach::Connecting if l.path.is_none() => {
            return Line::styled(format!("{} connecting…", spinner(state.frame)), theme.dim);
        }
        _ => {}
    }
    if l.loading() && !acc.online() {
        Line::styled(
            "Not stored — loads when the account is back online".to_string(),
            theme.dim,
        )
    } else if l.loading() {
        Line::styled(format!("{} loading…", spinner(state.frame)), theme.dim)
    } else if l.path.is_some() {
        Line::styled("No messages".to_string(), theme.dim)
    } else {
        Line::styled(String::new(), theme.dim)
    }
}

fn markers(e: &Envelope) -> String {
    let unread = if e.flags.seen { ' ' } else { '●' };
    let flag = if e.flags.flagged {
        '!'
    } else if e.flags.answered {
        '↩'
    } else {
        ' '
    };
    let att = if e.has_attachment { '+' } else { ' ' };
    format!("{unread}{flag}{att}")
}

/// Who a row is to: the recipients; a dash when there are none (a draft
/// not addressed yet) or none are known (rows stored before recipients
/// were kept: never the sender, who in Sent is the user).
fn recipient(e: &Envelope) -> &str {
    if e.to.is_empty() {
        "—"
    } else {
        e.to.as_str()
    }
}

/// A row's look: unread, flagged, deleted, a search match, the cursor.
pub(super) fn row_style(
    e: &Envelope,
    matched: bool,
    cursor: bool,
    focused: bool,
    theme: &Theme,
) -> Style {
    let mut style = Style::new();
    if !e.flags.seen {
        style = style.patch(theme.unread);
    }
    if e.flags.flagged {
        style = style.patch(theme.flagged);
    }
    if e.flags.deleted {
        style = style.patch(theme.deleted);
    }
    if matched {
        style = style.patch(theme.search_match);
    }
    if cursor {
        style = style.patch(theme.cursor(focused));
    }
    style
}

/// Where a row of the results is: its account and folder names.
#[derive(Clone, Copy, Default)]
pub(super) struct RowPlace<'a> {
    pub account: &'a str,
    pub folder: &'a str,
}

/// One column of a row, `w` wide.
#[allow(clippy::too_many_arguments)]
pub(super) fn cell(
    kind: ColumnKind,
    w: usize,
    e: &Envelope,
    depth: u8,
    date: &str,
    outgoing: bool,
    place: RowPlace<'_>,
    theme: &Theme,
) -> Span<'static> {
    match kind {
        ColumnKind::Flags => Span::styled(fit(&markers(e), w), theme.accent),
        ColumnKind::Date => Span::styled(fit(date, w), theme.dim),
        ColumnKind::Sender => Span::raw(fit(e.from.as_str(), w)),
        ColumnKind::Recipient => Span::raw(fit(recipient(e), w)),
        ColumnKind::Correspondent if outgoing => Span::raw(fit(recipient(e), w)),
        ColumnKind::Correspondent => Span::raw(fit(e.from.as_str(), w)),
        ColumnKind::Size => {
            let size = format!("{:>w$}", super::columns::size(e.size));
            Span::styled(fit(&size, w), theme.dim)
        }
        ColumnKind::Subject => {
            let subject = if e.subject.is_empty() {
                "(no subject)"
            } else {
                e.subject.as_str()
            };
            // Replies indented under what they answer, a little at most.
            let indent = if depth > 0 {
                format!("{}↳ ", "  ".repeat(usize::from(depth.min(8)) - 1))
            } else {
                String::new()
            };
            Span::raw(fit(&format!("{indent}{subject}"), w))
        }
        ColumnKind::Account => Span::styled(fit(place.account, w), theme.accent),
        ColumnKind::Folder => Span::styled(fit(place.folder, w), theme.dim),
    }
}

pub fn draw(state: &State, theme: &Theme, f: &mut Frame<'_>, area: Rect, focused: bool) {
    let Some(acc) = state.account() else {
        f.render_widget(theme.pane(" Messages ".into(), focused), area);
        return;
    };
    let block = theme.pane(title(acc, state, inner_height(area)), focused);
    let l = &acc.list;
    if l.is_empty() {
        let text = Paragraph::new(placeholder(acc, state, theme)).wrap(Wrap { trim: true });
        f.render_widget(text.block(block), area);
        return;
    }
    let width = inner_width(area);
    let rows = inner_height(area);
    let visible = l.offset..(l.offset + rows).min(l.len());
    // Rows of one folder carry no account or folder of their own: those
    // columns are for results across folders and accounts.
    let columns: Vec<Column> = state
        .columns
        .iter()
        .copied()
        .filter(|c| !matches!(c.kind, ColumnKind::Account | ColumnKind::Folder))
        .collect();
    let dates: Vec<String> = visible
        .clone()
        .map(|i| {
            let date = l.row(i).and_then(|(e, _)| e.date);
            state.dates.short_in(date, state.now, &state.zone)
        })
        .collect();
    // This year's width unless an older date is on screen: a narrow
    // terminal keeps its columns for names and subjects.
    let date_w = if dates.iter().any(|d| d.width() > state.dates.width()) {
        state.dates.width_with_older()
    } else {
        state.dates.width()
    };
    let widths = super::columns::widths(&columns, width, date_w);
    let outgoing = acc.open_folder_is_outgoing();
    let matches = l.search.as_ref().map(|s| &s.matches);
    let lines: Vec<Line> = visible
        .zip(dates)
        .filter_map(|(i, date)| l.row(i).map(|(e, depth)| (i, e, depth, date)))
        .map(|(i, e, depth, date)| {
            let matched = matches.is_some_and(|m| m.contains(&e.uid));
            let style = row_style(e, matched, i == l.selected, focused, theme);
            let marked = l.marked.contains(&e.uid);
            let mut spans = vec![Span::styled(if marked { "*" } else { " " }, theme.mark)];
            for (n, (c, w)) in columns.iter().zip(&widths).enumerate() {
                if n > 0 {
                    spans.push(Span::raw(" "));
                }
                spans.push(cell(
                    c.kind,
                    *w,
                    e,
                    depth,
                    &date,
                    outgoing,
                    RowPlace::default(),
                    theme,
                ));
            }
            Line::from(spans).style(style)
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(block), area);
}
