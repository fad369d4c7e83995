//! `[pipe]`: which programs get the terminal when a message is piped to
//! them (a pager, a browser, an editor), matched on the program's name.

use serde::Deserialize;

/// Programs that take the terminal unless `[pipe] interactive` says
/// otherwise.
const DEFAULT_INTERACTIVE: &[&str] = &[
    "less", "more", "most", "vi", "vim", "nvim", "nano", "emacs", "w3m", "lynx", "elinks",
];

/// The most programs listed.
const MAX_INTERACTIVE: usize = 200;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPipe {
    pub(super) interactive: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipeConfig {
    /// Program names (`w3m`, not `/usr/bin/w3m -dump`).
    pub interactive: Vec<String>,
}

impl Default for PipeConfig {
    fn default() -> Self {
        PipeConfig {
            interactive: DEFAULT_INTERACTIVE.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl PipeConfig {
    pub(super) fn from_raw(raw: Option<&RawPipe>) -> PipeConfig {
        match raw.and_then(|r| r.interactive.as_ref()) {
            Some(list) => PipeConfig {
                interactive: list
                    .iter()
                    .take(MAX_INTERACTIVE)
                    .map(|s| name(s).to_string())
                    .collect(),
            },
            None => PipeConfig::default(),
        }
    }

    /// Whether the command's program is one that takes the terminal.
    pub fn is_interactive(&self, command: &str) -> bool {
        let prog = name(command.split_whitespace().next().unwrap_or_default());
        !prog.is_empty() && self.interactive.iter().any(|p| p == prog)
    }
}

/// A program's name without its directory.
fn name(program: &str) -> &str {
    program.trim().rsplit('/').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_match_by_name() {
        let c = PipeConfig::default();
        assert!(c.is_interactive("less"));
        assert!(c.is_interactive("/usr/bin/w3m -T text/html"));
        assert!(!c.is_interactive("wc -c"));
        assert!(!c.is_interactive("lesser"));
        assert!(!c.is_interactive(""));
        let c = PipeConfig::from_raw(Some(&RawPipe {
            interactive: Some(vec!["/opt/bin/tig".into()]),
        }));
        assert!(c.is_interactive("tig"));
        assert!(!c.is_interactive("less"), "the list replaces the default");
    }

    #[test]
    fn the_section_reads_from_the_config() {
        let path = std::path::Path::new("config.toml");
        let c = crate::config::parse(path, "[pipe]\ninteractive = [\"tig\"]\n").unwrap();
        assert!(c.pipe.is_interactive("tig") && !c.pipe.is_interactive("less"));
        let c = crate::config::parse(path, "").unwrap();
        assert!(c.pipe.is_interactive("less"));
        let e = crate::config::parse(path, "[pipe]\ninteractiv = []\n").unwrap_err();
        assert!(e.to_string().contains("interactiv"), "{e}");
    }
}
