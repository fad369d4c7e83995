//! The message itself: headers, attachments, body (wrapped, scrollable).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::format::{date_long, human_size, spinner};
use super::theme;
use crate::mail::message::{BodySource, MessageView};
use crate::state::{ReaderContent, State};

/// Lines before the body; `update` uses this to bound scrolling.
pub fn header_rows(m: &MessageView) -> usize {
    let notes = usize::from(m.date.is_some())
        + if m.attachments.is_empty() {
            0
        } else {
            1 + m.attachments.len()
        }
        + usize::from(matches!(
            m.source,
            BodySource::Html | BodySource::Raw | BodySource::None
        ));
    m.headers.len() + notes + 1
}

fn lines(m: &MessageView, utc_offset: i32) -> Vec<Line<'_>> {
    let label = Style::new().fg(theme::ACCENT);
    let mut out: Vec<Line> = Vec::new();
    for (name, value) in &m.headers {
        let v = if *name == "Subject" {
            Span::styled(value.as_str(), Style::new().add_modifier(Modifier::BOLD))
        } else {
            Span::raw(value.as_str())
        };
        out.push(Line::from(vec![
            Span::styled(format!("{name}: "), label),
            v,
        ]));
    }
    if let Some(ts) = m.date {
        out.push(Line::from(vec![
            Span::styled("Date: ", label),
            Span::raw(date_long(ts, utc_offset)),
        ]));
    }
    if !m.attachments.is_empty() {
        out.push(Line::styled(
            format!("Attachments ({}):", m.attachments.len()),
            label,
        ));
        for a in &m.attachments {
            out.push(Line::from(vec![
                Span::raw("  + "),
                Span::raw(a.name.as_str()),
                Span::styled(
                    format!("  {}  {}", a.mime, human_size(a.size)),
                    theme::dim(),
                ),
            ]));
        }
    }
    match m.source {
        BodySource::Html => out.push(Line::styled("(converted from HTML)", theme::dim())),
        BodySource::Raw => out.push(Line::styled(
            "(could not parse this message; raw text follows)",
            theme::dim(),
        )),
        BodySource::None => out.push(Line::styled("(no text in this message)", theme::dim())),
        BodySource::Plain => {}
    }
    out.push(Line::raw(""));
    out.extend(m.body.as_str().lines().map(Line::raw));
    out
}

pub fn draw(state: &State, f: &mut Frame<'_>, area: Rect, focused: bool) {
    let block = theme::pane(" Message ".into(), focused);
    let Some(acc) = state.account() else {
        f.render_widget(block, area);
        return;
    };
    let r = &acc.reader;
    let para = match &r.content {
        ReaderContent::Empty => Paragraph::new(Line::styled("No message selected", theme::dim())),
        ReaderContent::Loading => Paragraph::new(Line::styled(
            format!("{} loading message…", spinner(state.frame)),
            theme::dim(),
        )),
        ReaderContent::Failed(e) => {
            Paragraph::new(Line::styled(e.to_string(), Style::new().fg(theme::ERROR)))
        }
        ReaderContent::Loaded(m) => Paragraph::new(lines(m, state.utc_offset))
            .wrap(Wrap { trim: false })
            .scroll((r.scroll.min(u16::MAX as usize) as u16, 0)),
    };
    f.render_widget(para.block(block), area);
}
