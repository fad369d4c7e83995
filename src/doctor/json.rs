//! `doctor --json`: one document for scripts.
//!
//! `{"ok": bool, "config": path, "error": null | text, "accounts": [{"name",
//! "summary", "ok", "steps": [{"name", "ok", "detail", "warning", "fix",
//! "duration_ms"}]}]}`

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
}

pub fn document(config: &Path, reports: &[AccountReport], error: Option<String>) -> String {
    let doc = Document {
        ok: error.is_none() && reports.iter().all(|r| r.ok),
        config: config.display().to_string(),
        error,
        accounts: reports,
    };
    // Plain data with string keys: serializing cannot fail.
    serde_json::to_string_pretty(&doc)
        .unwrap_or_else(|e| format!("{{\"ok\":false,\"error\":\"{e}\"}}"))
}
