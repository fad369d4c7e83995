//! Command line (clap).

use std::io::Write;
use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};
use clap_complete::Shell;

#[derive(Debug, Parser)]
#[command(
    name = "mailtui",
    version,
    about = "A terminal mail reader for Microsoft 365, Outlook.com and any IMAP mailbox",
    after_help = "With no command, opens the reader. Config: $XDG_CONFIG_HOME/mailtui/config.toml \
                  (see `mailtui paths`); try `mailtui --demo` to look around without an account."
)]
pub struct Cli {
    /// Read this config file instead of the default one.
    #[arg(
        long,
        short,
        global = true,
        value_name = "PATH",
        env = "MAILTUI_CONFIG"
    )]
    pub config: Option<PathBuf>,

    /// Open the bundled demo mailboxes (no account, no network).
    #[arg(long)]
    pub demo: bool,

    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Open the reader (the default).
    Tui,
    /// Check each account (or one) step by step: config, DNS, TCP, TLS,
    /// capabilities, sign-in, login, folders; says the cause and the fix of
    /// the first failure.
    Doctor {
        /// Only this account (by name).
        account: Option<String>,
        /// Print one JSON document instead of the checklist (for scripts).
        #[arg(long)]
        json: bool,
    },
    /// Sign in to an OAuth2 account in plain text (device code or browser) and store its tokens.
    Login {
        /// The account's name in the config.
        account: String,
    },
    /// Forget an OAuth2 account's stored tokens.
    Logout {
        /// The account's name in the config.
        account: String,
    },
    /// Store an account's password in the system keyring (for `keyring = true`);
    /// reads it from the terminal without echo, or from standard input.
    SetPassword {
        /// The account's name in the config.
        account: String,
    },
    /// Print where mailtui reads its config and writes its data and log.
    Paths,
    /// Show each account's local store (size, messages, kept bodies), or clear it.
    Cache {
        #[command(subcommand)]
        action: Option<CacheCmd>,
    },
    /// Print the addresses matching QUERY from every account's local store,
    /// best first, one `email<TAB>name` per line (for aerc's
    /// `address-book-cmd = mailtui addresses %s` and editor plugins);
    /// nothing when none match. Works while mailtui runs.
    Addresses {
        /// Words each found in the name or the address (case-insensitive);
        /// none lists the most used.
        query: Vec<String>,
        /// Print at most this many.
        #[arg(long, default_value_t = crate::addresses::CLI_LIMIT)]
        limit: usize,
    },
    /// Print a shell completion script (see the README for where it goes).
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the manual page (roff): `mailtui man | man -l -`.
    Man,
}

#[derive(Debug, Subcommand)]
pub enum CacheCmd {
    /// Delete the local store (of one account, or all); it is rebuilt from
    /// the server on the next start.
    Clear {
        /// Only this account (by name).
        account: Option<String>,
    },
}

/// The completion script for a shell. Built in memory, so a closed pipe
/// (`| head`) is an error to report, not a panic.
pub fn completions(shell: Shell, out: &mut dyn Write) -> std::io::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "mailtui", &mut script);
    out.write_all(&script)
}

/// The manual page, section 1.
pub fn man(out: &mut dyn Write) -> std::io::Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    out.write_all(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
        let c = Cli::parse_from(["mailtui", "--config", "/tmp/x.toml", "doctor", "work"]);
        assert_eq!(
            c.config.as_deref(),
            Some(std::path::Path::new("/tmp/x.toml"))
        );
        assert!(
            matches!(c.command, Some(Cmd::Doctor { account: Some(ref a), json: false }) if a == "work")
        );
        let c = Cli::parse_from(["mailtui", "doctor", "--json"]);
        assert!(matches!(
            c.command,
            Some(Cmd::Doctor {
                account: None,
                json: true
            })
        ));
        assert!(Cli::parse_from(["mailtui", "--demo"]).demo);
        let c = Cli::parse_from(["mailtui", "addresses", "jo", "sm"]);
        assert!(
            matches!(c.command, Some(Cmd::Addresses { ref query, limit: 50 }) if query == &["jo", "sm"])
        );
        let c = Cli::parse_from(["mailtui", "addresses", "--limit", "3", ""]);
        assert!(
            matches!(c.command, Some(Cmd::Addresses { ref query, limit: 3 }) if query == &[""])
        );
        let c = Cli::parse_from(["mailtui", "cache", "clear", "work"]);
        assert!(
            matches!(c.command, Some(Cmd::Cache { action: Some(CacheCmd::Clear { account: Some(ref a) }) }) if a == "work")
        );
    }
}
