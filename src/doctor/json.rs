//! `doctor --json`: one document for scripts.
//!
//! `{"ok": bool, "config": path, "error": null | text, "accounts": [{"name",
//! "summary", "ok", "steps": [{"name", "ok", "detail", "warning", "fix",
//! "duration_ms"}]}], "notify": null | {"bell", "title", "desktop", "tmux",
//! "screen", "ssh", "terminal", "lines": [{"name", "detail", "warning"}]}}`

use std::path::Path;

use serde::Serialize;

use super::account::AccountReport;

#[derive(Serialize)]
struct Document<'a> {
    ok: bool,
    config: String,
    /// A problem before any account could be checked (the config file).
    error: Option<String>,
    accounts: &'a [AccountReport],
    /// What the terminal gets for new mail (null when the config failed).
    notify: Option<&'a super::notify::NotifyReport>,
}

pub fn document(
    config: &Path,
    reports: &[AccountReport],
    error: Option<String>,
    notify: Option<&super::notify::NotifyReport>,
) -> String {
    let doc = Document {
        ok: error.is_none() && reports.iter().all(|r| r.ok),
        config: config.display().to_string(),
        error,
        accounts: reports,
        notify,
    };
    // Plain data with string keys: serializing cannot fail.
    serde_json::to_string_pretty(&doc)
        .unwrap_or_else(|e| format!("{{\"ok\":false,\"error\":\"{e}\"}}"))
}
