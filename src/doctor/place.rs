//! Where in the config file an account's settings are, for fixes that send
//! the user to the line.

use std::path::Path;

use crate::config::{Account, ConfigLines};

pub struct Place<'a> {
    pub path: &'a Path,
    pub account: &'a str,
    pub lines: ConfigLines,
}

impl<'a> Place<'a> {
    pub fn of(path: &'a Path, a: &'a Account) -> Self {
        Place {
            path,
            account: &a.name,
            lines: a.lines,
        }
    }

    /// "/home/u/.config/mailtui/config.toml line 7": where a setting is
    /// written, else where the account starts.
    pub fn at(&self, line: Option<usize>) -> String {
        let line = line.unwrap_or(self.lines.name);
        if line == 0 {
            // Accounts not read from a file (the demo).
            return format!("account \"{}\"", self.account);
        }
        format!("{} line {line}", self.path.display())
    }

    /// The account's `imap = { … }` setting.
    pub fn imap(&self) -> String {
        self.at(self.lines.imap)
    }

    /// `mailtui login NAME`, quoted when the name needs it.
    pub fn login_command(&self) -> String {
        let name = self.account;
        if name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
        {
            format!("mailtui login {name}")
        } else {
            format!("mailtui login '{}'", name.replace('\'', r"'\''"))
        }
    }
}
