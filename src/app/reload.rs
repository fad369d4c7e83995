//! `:reload`: the config file read again. Keys, theme, `[ui]`,
//! `[notify]`, `[files]`, `[pipe]` and `[compose] forward_as_attachment`
//! change at once; accounts, `[cache]`/`[sync]`, the mouse and the rest
//! of `[compose]` are fixed by the running parts, so a change there is
//! named as needing a restart. A file that does not read leaves all as it
//! was.

use std::path::{Path, PathBuf};

use crate::config::{Account, Config};
use crate::keymap::Keymap;
use crate::state::reloaded::Reloaded;

/// What the running app was started with, to compare against.
pub struct Running<'a> {
    /// None: nothing to reload (the demo).
    pub path: Option<PathBuf>,
    pub accounts: &'a [Account],
    pub settings: &'a super::RunSettings,
}

/// The new keys and styles for the loop, and the rest for the state.
pub struct Fresh {
    pub keymap: Keymap,
    pub theme: crate::config::theme::ThemeConfig,
    pub state: Box<Reloaded>,
}

pub fn reload(running: &Running<'_>) -> Result<Fresh, String> {
    let Some(path) = &running.path else {
        return Err("there is no config file to read (the demo)".into());
    };
    let config = crate::config::load(path).map_err(|e| e.to_string())?;
    apply(path, config, running)
}

fn apply(path: &Path, config: Config, running: &Running<'_>) -> Result<Fresh, String> {
    let keymap =
        Keymap::new(&config.keys).map_err(|e| format!("{}: [keys] {e}", path.display()))?;
    let restart = needs_restart(&config, running);
    Ok(Fresh {
        state: Box::new(Reloaded {
            help: keymap.help(),
            notify: config.notify,
            files: config.files.settings(),
            dates: config.dates,
            side_panes: config.side_panes,
            columns: config.columns,
            searches: config.searches,
            pipe: config.pipe,
            forward_as_attachment: config.compose.forward_as_attachment,
            restart,
        }),
        keymap,
        theme: config.theme,
    })
}

/// The parts that changed but only take effect after a restart.
fn needs_restart(new: &Config, running: &Running<'_>) -> Vec<String> {
    let s = running.settings;
    let mut out = Vec::new();
    // Accounts hold no comparable form; their debug text covers every
    // field (secrets stay redacted in both, so a new password is missed).
    let old_accounts: Vec<String> = running.accounts.iter().map(|a| format!("{a:?}")).collect();
    let new_accounts: Vec<String> = new.accounts.iter().map(|a| format!("{a:?}")).collect();
    if old_accounts != new_accounts {
        out.push("accounts".to_string());
    }
    if new.sync.body_budget != s.body_budget || new.sync.prefetch != s.worker.prefetch {
        out.push("[cache]".to_string());
    }
    if new.mouse != s.mouse {
        out.push("[ui] mouse".to_string());
    }
    if new.notify.title != s.notify.title {
        out.push("[notify] title".to_string());
    }

    let compose = crate::config::ComposeConfig {
        forward_as_attachment: s.compose.forward_as_attachment,
        ..new.compose.clone()
    };
    if compose != s.compose {
        out.push("[compose]".to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(config: &Config) -> super::super::RunSettings {
        super::super::RunSettings {
            cache_dir: None,
            body_budget: config.sync.body_budget,
            worker: crate::worker::WorkerOptions {
                prefetch: config.sync.prefetch,
                ..Default::default()
            },
            notify: config.notify,
            files: config.files.settings(),
            theme: Default::default(),
            mouse: config.mouse,
            side_panes: config.side_panes,
            dates: config.dates.clone(),
            compose: config.compose.clone(),
            data_dir: PathBuf::new(),
            columns: config.columns.clone(),
            searches: config.searches.clone(),
            views_file: None,
            command_line: Default::default(),
        }
    }

    const START: &str = r#"
[[accounts]]
name = "local"
provider = "maildir"
maildir = "/tmp/mail"

[notify]
bell = false
"#;

    fn reload_text(text: &str) -> Result<Fresh, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("config.toml");
        let first = crate::config::parse(&path, START).map_err(|e| e.to_string())?;
        let settings = settings(&first);
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        reload(&Running {
            path: Some(path.clone()),
            accounts: &first.accounts,
            settings: &settings,
        })
    }

    #[test]
    fn run_time_settings_change_and_restarts_are_named() {
        let same = reload_text(START).unwrap();
        assert!(same.state.restart.is_empty(), "{:?}", same.state.restart);
        let changed = format!(
            "{}\n[keys]\nx = \"quit\"\n[theme]\npreset = \"light\"\n[ui]\nmouse = true\nside_panes = \"hide\"\n",
            START
                .replace("bell = false", "bell = true")
                .replace("/tmp/mail", "/tmp/other")
        );
        let r = reload_text(&changed).unwrap();
        assert_eq!(r.state.restart, ["accounts", "[ui] mouse"]);
        assert!(r.state.notify.bell);
        assert_eq!(r.state.side_panes, crate::config::SidePanes::Hide);
        assert_eq!(r.theme.preset, crate::config::theme::Preset::Light);
        assert!(
            r.state
                .help
                .iter()
                .any(|e| e.name == "quit" && e.keys.contains('x'))
        );
    }

    #[test]
    fn a_config_that_does_not_read_is_an_error_to_show() {
        let e = reload_text("[[accounts]\nname = ").err().unwrap();
        assert!(e.contains("config.toml"), "{e}");
        let e = reload_text(&format!("{START}\n[keys]\nx = \"fly\"\n"))
            .err()
            .unwrap();
        assert!(e.contains("unknown action \"fly\""), "{e}");
        let e = reload(&Running {
            path: None,
            accounts: &[],
            settings: &settings(&Config::default()),
        })
        .err()
        .unwrap();
        assert!(e.contains("demo"));
    }
}
