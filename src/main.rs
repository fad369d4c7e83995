#![deny(clippy::unwrap_used)]
//! mailtui: a terminal mail reader for Microsoft 365, Outlook.com and any
//! IMAP mailbox.

use std::process::ExitCode;

use clap::Parser;

use mailtui::auth::store::TokenStore;
use mailtui::cli::{CacheCmd, Cli, Cmd};
use mailtui::config;
use mailtui::paths::Paths;
use mailtui::{app, commands, demo, doctor, keymap, logging, ui};

fn main() -> ExitCode {
    tune_malloc();
    mailtui::startup::begin();
    exit_on_panic();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // Errors can quote a server or identity provider: cleaned.
            eprintln!(
                "mailtui: {}",
                mailtui::sanitize::Clean::text(&format!("{e:#}"))
            );
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // These need no home, config or log.
    match cli.command {
        Some(Cmd::Completions { shell }) => {
            mailtui::cli::completions(shell, &mut std::io::stdout())?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Cmd::Man) => {
            mailtui::cli::man(&mut std::io::stdout())?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let paths = Paths::discover()?;
    let config_path = cli
        .config
        .clone()
        .unwrap_or_else(|| paths.config_file.clone());
    match cli.command {
        Some(Cmd::Paths) => {
            println!("config  {}", config_path.display());
            println!("data    {}", paths.data_dir.display());
            println!("state   {}", paths.state_dir.display());
            println!("cache   {}", paths.cache_dir.display());
            println!("log     {}", paths.log_file().display());
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Cache { action }) => {
            let config = load_config(&config_path)?;
            match action {
                None => commands::cache_info(&config.accounts, &paths.cache_dir),
                Some(CacheCmd::Clear { account }) => {
                    commands::cache_clear(&config.accounts, &paths.cache_dir, account.as_deref())?
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Addresses { query, limit }) => {
            let config = load_config(&config_path)?;
            let found = mailtui::addresses::stored_matches(
                &config.accounts,
                &paths.cache_dir,
                &query.join(" "),
                chrono::Utc::now().timestamp(),
                limit,
            );
            for p in &found.problems {
                eprintln!("mailtui: {}", mailtui::sanitize::Clean::line(p));
            }
            mailtui::addresses::print(&found.candidates, &mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Doctor { account, json }) => {
            logging::init_cli(&paths.log_file())?;
            let config = match config::load(&config_path) {
                Ok(c) => c,
                Err(e) => return Ok(doctor::config_failed(&config_path, &e, json)),
            };
            for w in &config.warnings {
                tracing::warn!("{w}");
            }
            let store = TokenStore::open(&paths.data_dir);
            let rt = tokio::runtime::Runtime::new()?;
            let code = rt.block_on(doctor::run(
                &config_path,
                &config.accounts,
                account.as_deref(),
                &store,
                json,
                &config.notify,
            ));
            // Nothing the checks left running is waited for.
            rt.shutdown_timeout(std::time::Duration::from_millis(100));
            Ok(code)
        }
        Some(Cmd::Login { account }) => {
            logging::init_cli(&paths.log_file())?;
            let config = load_config(&config_path)?;
            let account = commands::find(&config.accounts, &account)?;
            let store = TokenStore::open(&paths.data_dir);
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(commands::login(account, &store))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::SetPassword { account }) => {
            logging::init_cli(&paths.log_file())?;
            let config = load_config(&config_path)?;
            commands::set_password(commands::find(&config.accounts, &account)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Logout { account }) => {
            logging::init_cli(&paths.log_file())?;
            let config = load_config(&config_path)?;
            let account = commands::find(&config.accounts, &account)?;
            commands::logout(account, &TokenStore::open(&paths.data_dir))?;
            Ok(ExitCode::SUCCESS)
        }
        // Printed above, before any path is looked up.
        Some(Cmd::Completions { .. } | Cmd::Man) => Ok(ExitCode::SUCCESS),
        None | Some(Cmd::Tui) => {
            // Logging first, so config warnings reach the log; config before
            // the terminal switches to the full-screen view, so errors show.
            let log_started = std::time::Instant::now();
            let log_rx = logging::init_tui(&paths.log_file())?;
            mailtui::startup::since("log open", log_started).end();
            // While the config is read and the terminal set up (a wasted
            // few ms of another core for local-only accounts).
            if !cli.demo {
                mailtui::imap::preload_trust_roots();
            }
            let config_read = mailtui::startup::step("config read");
            let (_demo_dir, config) = if cli.demo {
                let (dir, accounts) = demo::unpack()?;
                let config = config::Config {
                    accounts,
                    ..Default::default()
                };
                (Some(dir), config)
            } else {
                if !config_path.exists() {
                    eprintln!(
                        "mailtui: no config at {}.\nWrite one (see the README, or assets/config.example.toml), \
                         or look around with `mailtui --demo`.",
                        config_path.display()
                    );
                    return Ok(ExitCode::from(2));
                }
                (None, load_config(&config_path)?)
            };
            config_read.end();
            let config::Config {
                accounts,
                keys,
                sync,
                notify,
                theme,
                files,
                mouse,
                side_panes,
                dates,
                columns,
                searches,
                compose,
                pipe,
                ..
            } = config;
            // The demo keeps its outbox and message files with its mail.
            let data_dir = match &_demo_dir {
                Some(d) => d.path().join("data"),
                None => paths.data_dir.clone(),
            };
            let keymap = keymap::Keymap::new(&keys)
                .map_err(|e| anyhow::anyhow!("{}: [keys] {e}", config_path.display()))?;
            let no_color = ui::theme::no_color(std::env::var_os("NO_COLOR").as_deref());
            let theme_config = theme.clone();
            let theme = ui::Theme::new(&theme, no_color);
            install_panic_hook();
            let rt = tokio::runtime::Runtime::new()?;
            // Only OAuth accounts keep tokens: don't make everyone wait for
            // a keyring probe (up to 3 s on a half-set-up D-Bus).
            let oauth = accounts
                .iter()
                .any(|a| matches!(a.kind, config::AccountKind::OAuth2 { .. }));
            let store = if oauth {
                TokenStore::open(&paths.data_dir)
            } else {
                TokenStore::Files(paths.data_dir.join("tokens"))
            };
            let settings = app::RunSettings {
                cache_dir: (!cli.demo).then(|| paths.cache_dir.clone()),
                body_budget: sync.body_budget,
                worker: mailtui::worker::WorkerOptions {
                    prefetch: sync.prefetch,
                    sync_text: sync.sync_text.map(|(m, a)| mailtui::worker::TextSync {
                        message_max: m,
                        account_max: a,
                    }),
                    ..Default::default()
                },
                notify,
                theme,
                files: files.settings(),
                mouse,
                side_panes,
                dates,
                columns,
                searches,
                compose,
                data_dir,
                views_file: (!cli.demo).then(|| mailtui::folder_views::file_name(&paths.state_dir)),
                command_line: app::CommandLineSettings {
                    config_path: (!cli.demo).then(|| config_path.clone()),
                    history_file: (!cli.demo).then(|| paths.state_dir.join("command_history")),
                    theme: theme_config,
                    pipe,
                },
            };
            let result = rt.block_on(app::run(accounts, keymap, store, log_rx, settings));
            // Quitting never waits for background work (a parse, a transfer).
            rt.shutdown_timeout(std::time::Duration::from_millis(100));
            // 0 after `q`; 128 + the signal after SIGTERM, SIGHUP, SIGINT.
            Ok(ExitCode::from(result?.exit_status()))
        }
    }
}

fn load_config(path: &std::path::Path) -> anyhow::Result<config::Config> {
    let config = config::load(path)?;
    for w in &config.warnings {
        tracing::warn!("{w}");
    }
    Ok(config)
}

/// Release builds abort on a panic (`panic = "abort"`: no unwinding tables,
/// a smaller binary). The message is printed by the default hook as before,
/// then the process ends with 101, as an unwinding panic in `main` would
/// have, instead of with SIGABRT. The TUI's hook below adds its own steps.
fn exit_on_panic() {
    #[cfg(panic = "abort")]
    {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            default(info);
            std::process::exit(101);
        }));
    }
}

/// A panic anywhere (UI or a worker task) logs itself and ends the process:
/// ratatui's hook, installed on top of this one, restores the terminal
/// first, and a half-dead app on a restored terminal helps nobody.
/// glibc's malloc, set for a process that keeps a folder's rows for
/// hours. Rows are parsed on the runtime's threads and kept by the UI's,
/// and each thread that allocates under contention gets an arena of its
/// own whose freed space no other thread reuses: two arenas are enough for
/// two busy threads. And a big buffer (a batch's answer, a SEARCH of a
/// million UIDs) is always mapped on its own, so freeing it gives the
/// memory back; by default the first such free raises the threshold and
/// later ones are carved out of an arena, where they stay resident.
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters, before any other
    // thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("panic: {info}");
        // Mouse reporting left on would fill the shell with escapes.
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
        previous(info);
        std::process::exit(101);
    }));
}
