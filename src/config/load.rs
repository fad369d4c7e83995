//! Reading the config file, and the warning for a password in a file
//! other users can read.

use std::path::Path;

use super::account::AccountKind;
use super::error::ConfigError;
use super::parse::parse;
use super::settings::Config;
use crate::auth::PasswordSource;

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        at: None,
        key: None,
        message: format!("cannot read: {e}"),
    })?;
    let mut config = parse(path, &text)?;
    if let Some(w) = readable_secret(path, &config) {
        config.warnings.push(w);
    }
    Ok(config)
}

/// A config file holding a password that other local users can read: the
/// warning, with the chmod that fixes it.
fn readable_secret(path: &Path, config: &Config) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let holds_secret = config.accounts.iter().any(|a| {
        matches!(
            &a.kind,
            AccountKind::Imap {
                password: PasswordSource::Plain(_),
                ..
            }
        )
    });
    if !holds_secret {
        return None;
    }
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o044 != 0).then(|| {
        format!(
            "{} holds a password and other users can read it (mode {mode:o}); run `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}
