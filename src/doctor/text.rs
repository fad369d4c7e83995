//! The checklist as text: one line per step, marked ✓ (passed), ! (passed
//! with a warning) or ✗ (failed), with the fix under it. Readable without
//! colour; every text in a step is already cleaned.

use super::account::AccountReport;
use super::step::Step;

/// Labels are padded to this width, so the details line up.
const LABEL: usize = 16;

fn continuation(text: &str) -> String {
    format!("\n{:width$}{text}", "", width = 4 + LABEL + 1)
}

/// "work: IMAP imap.example.org:993, password".
pub fn header(name: &str, summary: &str) -> String {
    format!("{name}: {summary}")
}

pub fn step(s: &Step) -> String {
    let mark = match (s.ok, &s.warning) {
        (false, _) => '✗',
        (true, Some(_)) => '!',
        (true, None) => '✓',
    };
    let mut out = format!(
        "  {mark} {:<LABEL$} {} ({} ms)",
        s.name.label(),
        s.detail,
        s.duration_ms
    );
    if let Some(w) = &s.warning {
        out.push_str(&continuation(&format!("warning: {w}")));
    }
    if let Some(f) = &s.fix {
        out.push_str(&continuation(&format!("fix: {f}")));
    }
    out
}

/// The `[notify]` section: a line per thing the terminal gets, marked as
/// the steps are (! where a setting may want changing).
pub fn notify(r: &super::notify::NotifyReport) -> String {
    let mut out = String::from("[notify]");
    for l in &r.lines {
        let mark = if l.warning.is_some() { '!' } else { '✓' };
        out.push_str(&format!("\n  {mark} {:<LABEL$} {}", l.name, l.detail));
        if let Some(w) = &l.warning {
            out.push_str(&continuation(&format!("warning: {w}")));
        }
    }
    out
}

/// The last line: how many accounts passed, warned, failed.
pub fn summary(reports: &[AccountReport]) -> String {
    let failed = reports.iter().filter(|r| !r.ok).count();
    let warned = reports
        .iter()
        .filter(|r| r.ok && r.steps.iter().any(|s| s.warning.is_some()))
        .count();
    let passed = reports.len() - failed;
    let n = reports.len();
    let mut out = format!(
        "{n} account{} checked: {passed} passed",
        if n == 1 { "" } else { "s" }
    );
    if warned > 0 {
        out.push_str(&format!(" ({warned} with warnings)"));
    }
    out.push_str(&format!(", {failed} failed"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::step::Check;

    #[test]
    fn steps_line_up_and_say_the_fix() {
        let s = Step {
            name: Check::Tcp,
            ok: false,
            detail: "cannot connect to h:1: Connection refused".into(),
            warning: None,
            fix: Some("nothing listens on port 1".into()),
            duration_ms: 3,
        };
        assert_eq!(
            step(&s),
            "  ✗ TCP              cannot connect to h:1: Connection refused (3 ms)\n                     fix: nothing listens on port 1"
        );
        let s = Step {
            ok: true,
            warning: Some("expires in 5 days".into()),
            fix: Some("renew".into()),
            ..s
        };
        assert!(step(&s).starts_with("  ! TCP"), "{}", step(&s));
        assert!(step(&s).contains("\n                     warning: expires in 5 days\n"));
    }
}
