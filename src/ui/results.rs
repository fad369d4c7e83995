//! The results view in the list pane: rows of several folders and
//! accounts, each with its account (when more than one is asked) and its
//! folder (when the rows come from more than one), newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::messages::{RowPlace, cell, row_style};
use super::theme::Theme;
use crate::config::columns::{Column, ColumnKind};
use crate::layout::{inner_height, inner_width};
use crate::state::State;
use crate::state::results::Results;
use crate::text::format::{fit, spinner, thousands};

fn title(state: &State, r: &Results, rows: usize) -> String {
    let mut t = format!(
        " {} · {}",
        fit(&r.name, 30).trim_end(),
        thousands(r.rows.len() as u64)
    );
    let unread = r.unread();
    if unread > 0 {
        t.push_str(&format!(" ({} unread)", thousands(unread as u64)));
    }
    if r.loading() {
        t.push_str(&format!(" {}", spinner(state.frame)));
    }
    if !r.marked.is_empty() {
        let shown = r.offset..r.offset + rows;
        let off = r
            .rows
            .iter()
            .enumerate()
            .filter(|(i, row)| !shown.contains(i) && r.marked.contains(&row.key()))
            .count();
        t.push_str(&format!(" · {} marked", thousands(r.marked.len() as u64)));
        if off > 0 {
            t.push_str(&format!(", {} off screen", thousands(off as u64)));
        }
    }
    let (_, missing, cut) = r.gaps();
    if missing > 0 {
        t.push_str(&format!(
            " · {} not stored yet",
            crate::text::count(missing, "folder")
        ));
    }
    if cut {
        t.push_str(&format!(
            " · newest {} per account",
            thousands(crate::store::EVERYWHERE_MAX as u64)
        ));
    }
    t.push(' ');
    t
}

/// The list's columns, with the account and folder where the rows need
/// them (unless the config placed them).
fn columns(state: &State, r: &Results) -> Vec<Column> {
    let accounts = {
        let mut a: Vec<usize> = r.rows.iter().map(|x| x.account).collect();
        a.dedup();
        r.accounts.len() > 1 || a.len() > 1
    };
    let folders = r
        .rows
        .first()
        .is_some_and(|f| r.rows.iter().any(|x| x.folder.path != f.folder.path));
    let mut cols: Vec<Column> = state
        .columns
        .iter()
        .copied()
        .filter(|c| match c.kind {
            ColumnKind::Account => accounts,
            ColumnKind::Folder => folders,
            _ => true,
        })
        .collect();
    let before = cols
        .iter()
        .position(|c| c.kind == ColumnKind::Subject)
        .unwrap_or(cols.len());
    let has = |cols: &[Column], k| cols.iter().any(|c| c.kind == k);
    if folders && !has(&cols, ColumnKind::Folder) {
        cols.insert(
            before,
            Column {
                kind: ColumnKind::Folder,
                width: None,
            },
        );
    }
    if accounts && !has(&cols, ColumnKind::Account) {
        cols.insert(
            before,
            Column {
                kind: ColumnKind::Account,
                width: None,
            },
        );
    }
    cols
}

pub fn draw(
    state: &State,
    r: &Results,
    theme: &Theme,
    f: &mut Frame<'_>,
    area: Rect,
    focused: bool,
) {
    let rows = inner_height(area);
    let block = theme.pane(title(state, r, rows), focused);
    if r.rows.is_empty() {
        let text = if r.loading() {
            Line::styled(format!("{} searching…", spinner(state.frame)), theme.dim)
        } else {
            Line::styled("No messages match", theme.dim)
        };
        f.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
            area,
        );
        return;
    }
    let width = inner_width(area);
    let visible = r.offset..(r.offset + rows).min(r.rows.len());
    let cols = columns(state, r);
    let dates: Vec<String> = visible
        .clone()
        .map(|i| {
            state
                .dates
                .short_in(r.rows[i].env.date, state.now, &state.zone)
        })
        .collect();
    let date_w = if dates.iter().any(|d| d.width() > state.dates.width()) {
        state.dates.width_with_older()
    } else {
        state.dates.width()
    };
    let widths = super::columns::widths(&cols, width, date_w);
    let lines: Vec<Line> = visible
        .zip(dates)
        .map(|(i, date)| {
            let row = &r.rows[i];
            let e = &row.env;
            let acc = state.accounts.get(row.account);
            let account = acc.map(|a| a.name.as_str()).unwrap_or("");
            let folder = acc
                .and_then(|a| a.folders.iter().find(|f| f.path == row.folder.path))
                .map(|f| f.name.as_str())
                .unwrap_or(row.folder.path.as_str());
            let outgoing = acc.is_some_and(|a| a.folder_is_outgoing(&row.folder.path));
            let style = row_style(e, false, i == r.selected, focused, theme);
            let marked = r.marked.contains(&row.key());
            let mut spans = vec![Span::styled(if marked { "*" } else { " " }, theme.mark)];
            let place = RowPlace { account, folder };
            for (n, (c, w)) in cols.iter().zip(&widths).enumerate() {
                if n > 0 {
                    spans.push(Span::raw(" "));
                }
                spans.push(cell(c.kind, *w, e, 0, &date, outgoing, place, theme));
            }
            Line::from(spans).style(style)
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(block), area);
}
