//! tracing: a file in the state directory, plus a layer that hands each
//! record to the log pane. Nothing here formats a secret: secrets are
//! [`Secret`](crate::auth::Secret) values, which print as `***`.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::path::Path;
use std::sync::Mutex;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::sanitize::Clean;

/// One line of the log pane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRecord {
    /// Unix seconds.
    pub time: i64,
    pub level: Level,
    pub text: Clean,
}

/// Sends every event to the UI as a [`LogRecord`].
struct PaneLayer {
    tx: UnboundedSender<LogRecord>,
}

struct Fields {
    message: String,
    rest: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.rest, " {}={}", field.name(), value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.rest, " {}={:?}", field.name(), value);
        }
    }
}

/// `message k=v …` for an event.
pub fn format_event(event: &Event<'_>) -> String {
    let mut f = Fields {
        message: String::new(),
        rest: String::new(),
    };
    event.record(&mut f);
    f.message + &f.rest
}

impl<S: Subscriber> Layer<S> for PaneLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let record = LogRecord {
            time: chrono::Utc::now().timestamp(),
            level: *event.metadata().level(),
            text: Clean::line(&format_event(event)),
        };
        let _ = self.tx.send(record);
    }
}

fn filter() -> EnvFilter {
    // MAILTUI_LOG=debug for more; dependencies stay at warn unless asked.
    EnvFilter::try_from_env("MAILTUI_LOG").unwrap_or_else(|_| EnvFilter::new("warn,mailtui=info"))
}

fn open_log_file(path: &Path) -> std::io::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Logging for the TUI: the file and the pane; nothing on the terminal.
pub fn init_tui(log_file: &Path) -> std::io::Result<UnboundedReceiver<LogRecord>> {
    let file = open_log_file(log_file)?;
    let (tx, rx) = unbounded_channel();
    tracing_subscriber::registry()
        .with(filter())
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(Mutex::new(file)),
        )
        .with(PaneLayer { tx })
        .try_init()
        .map_err(std::io::Error::other)?;
    Ok(rx)
}

/// Logging for the plain subcommands: the file, and warnings on stderr.
pub fn init_cli(log_file: &Path) -> std::io::Result<()> {
    let file = open_log_file(log_file)?;
    tracing_subscriber::registry()
        .with(filter())
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(Mutex::new(file)),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_target(false)
                .without_time()
                .with_filter(tracing_subscriber::filter::LevelFilter::WARN),
        )
        .try_init()
        .map_err(std::io::Error::other)
}
