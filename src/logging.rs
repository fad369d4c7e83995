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

/// Crates whose debug/trace output carries protocol bytes: async-imap logs
/// every command (LOGIN passwords, AUTHENTICATE tokens) and every response
/// (mail); the HTTP stack logs request bodies' surroundings. They are held
/// at info whatever MAILTUI_LOG asks for.
const CAPPED: &[&str] = &[
    "async_imap",
    "imap_proto",
    "hyper",
    "hyper_util",
    "reqwest",
    "h2",
    "rustls",
    "oauth2",
];

fn filter_from(spec: Option<&str>) -> EnvFilter {
    // MAILTUI_LOG=debug for more; dependencies stay at warn unless asked.
    let mut f = spec
        .and_then(|s| EnvFilter::try_new(s).ok())
        .unwrap_or_else(|| EnvFilter::new("warn,mailtui=info"));
    for target in CAPPED {
        if let Ok(d) = format!("{target}=info").parse() {
            f = f.add_directive(d);
        }
    }
    f
}

fn filter() -> EnvFilter {
    filter_from(std::env::var("MAILTUI_LOG").ok().as_deref())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Collects formatted events.
    struct Collect(Arc<Mutex<Vec<String>>>);

    impl<S: Subscriber> Layer<S> for Collect {
        fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
            self.0.lock().unwrap().push(format!(
                "{} {}",
                event.metadata().target(),
                format_event(event)
            ));
        }
    }

    #[test]
    fn protocol_crates_never_log_below_info() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        for spec in [
            "trace",
            "async_imap=trace,trace",
            "debug,async_imap=trace,hyper=trace",
        ] {
            let sub = tracing_subscriber::registry()
                .with(filter_from(Some(spec)))
                .with(Collect(seen.clone()));
            tracing::subscriber::with_default(sub, || {
                tracing::trace!(target: "async_imap::imap_stream", "encode: input: LOGIN bob hunter2");
                tracing::debug!(target: "hyper::proto", "body bytes");
                tracing::debug!(target: "mailtui::worker", "ours");
                tracing::info!(target: "async_imap::client", "info is fine");
            });
        }
        let seen = seen.lock().unwrap();
        assert!(
            !seen
                .iter()
                .any(|l| l.contains("hunter2") || l.contains("body bytes")),
            "{seen:?}"
        );
        assert_eq!(seen.iter().filter(|l| l.contains("ours")).count(), 3);
        assert_eq!(
            seen.iter().filter(|l| l.contains("info is fine")).count(),
            3
        );
    }

    #[test]
    fn default_filter_keeps_dependencies_quiet() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sub = tracing_subscriber::registry()
            .with(filter_from(None))
            .with(Collect(seen.clone()));
        tracing::subscriber::with_default(sub, || {
            tracing::info!(target: "tokio_rustls", "noise");
            tracing::info!(target: "mailtui::app", "mailtui started");
            tracing::debug!(target: "mailtui::app", "detail");
        });
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(seen[0].contains("mailtui started"));
    }
}
