//! The real `mailtui` binary, run with a private home: its own XDG dirs
//! and token files, nothing of the user's environment.

use std::path::Path;
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_mailtui");

pub fn run(home: &Path, args: &[&str]) -> Output {
    let h = home.display().to_string();
    Command::new(BIN)
        .args(args)
        .env_clear()
        .env("MAILTUI_TOKEN_STORE", "file")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &h)
        .env("XDG_CONFIG_HOME", format!("{h}/cfg"))
        .env("XDG_DATA_HOME", format!("{h}/data"))
        .env("XDG_STATE_HOME", format!("{h}/state"))
        .env("XDG_CACHE_HOME", format!("{h}/cache"))
        .output()
        .expect("run mailtui")
}

/// Standard output and error, as text.
pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}
