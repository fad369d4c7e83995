//! `mailtui doctor`: each account checked step by step (config, DNS, TCP,
//! STARTTLS, TLS, capabilities, credentials, login, features, folders),
//! stopping at the first failure with its cause and the fix. Text for
//! people, `--json` for scripts.
//!
//! The steps call the same connect, TLS, login and token code the account
//! workers use, one stage at a time. No password, token or code is ever
//! printed; text from servers, certificates and identity providers is
//! cleaned before it is.

mod account;
mod certificate;
mod json;
mod network;
pub mod notify;
mod place;
mod session;
mod settings;
mod signin;
mod step;
mod text;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use step::{Check, Step};

use crate::auth::store::TokenStore;
use crate::config::{Account, ConfigError};
use crate::sanitize::Clean;

/// A closed pipe (`| head`) ends the output, not the program.
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Checks the accounts (or the one named) and prints the checklist.
/// Exit code 1 when any account failed, 2 when there was none to check.
pub async fn run(
    config_path: &Path,
    accounts: &[Account],
    only: Option<&str>,
    store: &TokenStore,
    json: bool,
    notify: &crate::notify::NotifySettings,
) -> ExitCode {
    let notice = notify::report(notify, &notify::TermEnv::current());
    let chosen: Vec<&Account> = accounts
        .iter()
        .filter(|a| only.is_none_or(|n| n == a.name))
        .collect();
    if chosen.is_empty() {
        let why = match only {
            Some(n) => format!("no account named \"{}\"", Clean::line(n)),
            None => "no account in the config".to_string(),
        };
        if json {
            say(&json::document(config_path, &[], Some(why), Some(&notice)));
        } else {
            eprintln!("{why}");
        }
        return ExitCode::from(2);
    }
    let ctx = account::Context { config_path, store };
    let mut reports = Vec::new();
    for a in chosen {
        if !json {
            say(&text::header(&a.name, &account::summary(a)));
        }
        let mut on_step = |s: &Step| {
            if !json {
                say(&text::step(s));
            }
        };
        reports.push(account::check(a, &ctx, &mut on_step).await);
        if !json {
            say("");
        }
    }
    if json {
        say(&json::document(config_path, &reports, None, Some(&notice)));
    } else {
        say(&text::summary(&reports));
        say("");
        say(&text::notify(&notice));
    }
    if reports.iter().all(|r| r.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The config file itself did not parse: the first (and only) step.
pub fn config_failed(path: &Path, error: &ConfigError, json: bool) -> ExitCode {
    let cause = error.to_string();
    let fix = match error.at {
        Some(at) => format!(
            "correct line {} of {} (the README's Configure section shows every setting)",
            at.line,
            path.display()
        ),
        None => format!("check that {} exists and can be read", path.display()),
    };
    if json {
        say(&json::document(
            path,
            &[],
            Some(Clean::line(&cause).to_string()),
            None,
        ));
    } else {
        let step = Step {
            name: Check::Config,
            ok: false,
            detail: Clean::line(&cause).to_string(),
            warning: None,
            fix: Some(fix),
            duration_ms: 0,
        };
        say(&text::header("config", &path.display().to_string()));
        say(&text::step(&step));
    }
    ExitCode::from(1)
}
