//! Small text helpers for the views: times, sizes, fitting to a width
//! (dates are in `crate::text::dates`).

use chrono::{DateTime, FixedOffset, Utc};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

fn local(ts: i64, utc_offset: i32) -> Option<DateTime<FixedOffset>> {
    let tz = FixedOffset::east_opt(utc_offset)?;
    Some(DateTime::<Utc>::from_timestamp(ts, 0)?.with_timezone(&tz))
}

pub fn clock(ts: i64, utc_offset: i32) -> String {
    local(ts, utc_offset)
        .map(|d| d.format("%H:%M:%S").to_string())
        .unwrap_or_default()
}

pub fn human_size(bytes: usize) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else if v < 10.0 {
        format!("{v:.1} {}", UNITS[unit])
    } else {
        format!("{v:.0} {}", UNITS[unit])
    }
}

/// 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Cuts `s` to `width` display columns (ending in "…" when cut) and pads
/// it with spaces to exactly `width`.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = truncate(s, width);
    let w = out.width();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > width - 1 {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// "45s", "52m", "1h05m", "3d": a span of time, coarse enough to read at a glance.
pub fn duration(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d", s / 86400),
    }
}

/// "14:32": minutes and seconds left.
pub fn countdown(secs: i64) -> String {
    let s = secs.max(0);
    format!("{:02}:{:02}", s / 60, s % 60)
}

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn spinner(frame: u64) -> &'static str {
    SPINNER[(frame % SPINNER.len() as u64) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_793_711_100; // Tue 03 Nov 2026 13:05 UTC

    #[test]
    fn clock_and_sizes() {
        assert_eq!(clock(NOW, 3600), "14:05:00");
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(2048), "2.0 KB");
        assert_eq!(human_size(15 * 1024 * 1024), "15 MB");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
    }

    #[test]
    fn durations_and_countdowns() {
        assert_eq!(duration(45), "45s");
        assert_eq!(duration(52 * 60 + 10), "52m");
        assert_eq!(duration(3900), "1h05m");
        assert_eq!(duration(3 * 86400 + 5), "3d");
        assert_eq!(duration(-5), "0s");
        assert_eq!(countdown(14 * 60 + 32), "14:32");
        assert_eq!(countdown(-1), "00:00");
    }

    #[test]
    fn fit_counts_display_columns() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("日本語テキスト", 7), "日本語…");
        assert_eq!(fit("日本語テキスト", 7).width(), 7);
        assert_eq!(fit("x", 0), "");
    }
}
