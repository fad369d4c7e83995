//! tracing: a file in the state directory (rotated), warnings on stderr
//! for the plain subcommands, and a layer that hands each record to the
//! log pane. Nothing here formats a secret: secrets are
//! [`Secret`](crate::auth::Secret) values, which print as `***`. Text in a
//! record may come from a server or an identity provider, so every output
//! is cleaned like the screen.

mod file;

use std::fmt::Write as _;
use std::path::Path;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

use file::{CleanLines, LineSink, Stderr};
pub use file::{LOG_FILE_MAX, LOG_LINE_MAX, LogFile};

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

/// A span's fields as ` k=v …`, kept with the span for its events.
struct SpanFields(String);

impl<S> Layer<S> for PaneLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut f = Fields {
            message: String::new(),
            rest: String::new(),
        };
        attrs.record(&mut f);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(f.rest));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        // The event's own fields, then its spans' (one span per account
        // worker gives every line its account).
        let mut text = format_event(event);
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(f) = span.extensions().get::<SpanFields>() {
                    text.push_str(&f.0);
                }
            }
        }
        let record = LogRecord {
            time: chrono::Utc::now().timestamp(),
            level: *event.metadata().level(),
            text: Clean::line(&text),
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
    "tokio_rustls",
    "oauth2",
];

/// The cap as a filter of its own, next to the user's: an event must pass
/// both, so no directive in MAILTUI_LOG (a more specific target, a span
/// filter) can lift it.
fn protocol_cap() -> Targets {
    Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_targets(CAPPED.iter().map(|t| (*t, LevelFilter::INFO)))
}

/// What MAILTUI_LOG asks for (or the default: warnings, and mailtui's
/// info): `level` and `target=level` directives. Not `EnvFilter`, whose
/// span and field filters bring a regex engine (0.3 MB of the binary) for
/// what nobody needs from a mail client's log.
fn user_filter(spec: Option<&str>) -> Targets {
    spec.and_then(|s| s.parse::<Targets>().ok())
        .unwrap_or_else(|| {
            Targets::new()
                .with_default(LevelFilter::WARN)
                .with_target("mailtui", LevelFilter::INFO)
        })
}

/// The whole logging stack: filters, the file, optionally stderr
/// (warnings) and the log pane. Every line any of them writes is cleaned.
fn subscriber<F: LineSink, E: LineSink>(
    spec: Option<&str>,
    file: F,
    stderr: Option<E>,
    pane: Option<UnboundedSender<LogRecord>>,
) -> impl Subscriber + Send + Sync {
    tracing_subscriber::registry()
        .with(user_filter(spec))
        .with(protocol_cap())
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(CleanLines(file)),
        )
        .with(stderr.map(|w| {
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(CleanLines(w))
                .with_target(false)
                .without_time()
                .with_filter(LevelFilter::WARN)
        }))
        .with(pane.map(|tx| PaneLayer { tx }))
}

fn spec() -> Option<String> {
    std::env::var("MAILTUI_LOG").ok()
}

/// Logging for the TUI: the file and the pane; nothing on the terminal.
pub fn init_tui(log_file: &Path) -> std::io::Result<UnboundedReceiver<LogRecord>> {
    let file = LogFile::open(log_file, LOG_FILE_MAX)?;
    let (tx, rx) = unbounded_channel();
    subscriber(spec().as_deref(), file, None::<Stderr>, Some(tx))
        .try_init()
        .map_err(std::io::Error::other)?;
    Ok(rx)
}

/// Logging for the plain subcommands: the file, and warnings on stderr.
pub fn init_cli(log_file: &Path) -> std::io::Result<()> {
    let file = LogFile::open(log_file, LOG_FILE_MAX)?;
    subscriber(spec().as_deref(), file, Some(Stderr), None)
        .try_init()
        .map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// What each output of the real stack wrote.
    struct Outputs {
        file: Arc<Mutex<String>>,
        stderr: Arc<Mutex<String>>,
        pane: UnboundedReceiver<LogRecord>,
    }

    impl Outputs {
        fn pane(&mut self) -> Vec<String> {
            let mut v = Vec::new();
            while let Ok(r) = self.pane.try_recv() {
                v.push(r.text.as_str().to_string());
            }
            v
        }
    }

    /// Runs `f` under the production stack with in-memory outputs.
    fn capture(spec: Option<&str>, f: impl FnOnce()) -> Outputs {
        let file = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, pane) = unbounded_channel();
        let sub = subscriber(spec, file.clone(), Some(stderr.clone()), Some(tx));
        tracing::subscriber::with_default(sub, f);
        Outputs { file, stderr, pane }
    }

    fn text(s: &Arc<Mutex<String>>) -> String {
        s.lock().unwrap().clone()
    }

    #[test]
    fn protocol_crates_never_log_below_info_whatever_the_filter() {
        for spec in [
            "trace",
            "async_imap=trace,trace",
            "debug,async_imap=trace,hyper=trace",
            // More specific targets than the cap's.
            "mailtui=debug,async_imap::imap_stream=trace",
            "mailtui=debug,async_imap::imap_stream=trace,hyper::proto::h1=trace",
            // Span filters, with and without a target.
            "mailtui=debug,[conn]=trace",
            "mailtui=debug,async_imap[conn]=trace",
            "mailtui=debug,async_imap::imap_stream[conn{user}]=trace",
        ] {
            let mut out = capture(Some(spec), || {
                let span = tracing::info_span!(target: "mailtui::worker", "conn", user = "bob");
                let _in = span.enter();
                tracing::trace!(target: "async_imap::imap_stream", "encode: input: LOGIN bob hunter2");
                tracing::debug!(target: "hyper::proto::h1", "body bytes");
                tracing::debug!(target: "mailtui::worker", "ours");
                tracing::info!(target: "async_imap::client", "info is fine");
            });
            let (file, pane) = (text(&out.file), out.pane().join("\n"));
            for leak in ["hunter2", "body bytes"] {
                assert!(
                    !file.contains(leak) && !pane.contains(leak),
                    "{spec}: {file}"
                );
            }
            assert!(
                file.contains("ours") && pane.contains("ours"),
                "{spec}: {file}"
            );
        }
        let mut out = capture(Some("trace"), || {
            tracing::info!(target: "async_imap::client", "info is fine");
        });
        assert!(text(&out.file).contains("info is fine"));
        assert_eq!(out.pane().len(), 1);
    }

    #[test]
    fn a_worker_span_names_the_account_in_every_output() {
        let mut out = capture(None, || {
            let span = tracing::info_span!(target: "mailtui::worker", "worker", account = %"work\u{1b}[31m");
            let _in = span.enter();
            tracing::warn!(target: "mailtui::worker::run", "connection lost");
        });
        let pane = out.pane();
        assert_eq!(pane.len(), 1);
        assert!(
            pane[0].starts_with("connection lost") && pane[0].contains("account=work"),
            "{pane:?}"
        );
        assert!(!pane[0].contains('\u{1b}'));
        assert!(
            text(&out.file).contains("worker{account=work"),
            "{}",
            text(&out.file)
        );
    }

    #[test]
    fn default_filter_keeps_dependencies_quiet() {
        let mut out = capture(None, || {
            tracing::info!(target: "tokio_rustls", "noise");
            tracing::info!(target: "mailtui::app", "mailtui started");
            tracing::debug!(target: "mailtui::app", "detail");
        });
        let seen = out.pane();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(seen[0].contains("mailtui started"));
        assert_eq!(text(&out.file).lines().count(), 1);
    }

    #[test]
    fn text_from_a_server_is_cleaned_in_every_output_fields_included() {
        let hostile =
            "x\u{1b}]0;owned\u{7}\u{1b}[31mred\n2099-01-01 ERROR forged\r\u{9b}2J\u{202e}";
        let mut out = capture(Some("mailtui=debug"), || {
            tracing::warn!(
                target: "mailtui::auth::service",
                code = %hostile,
                description = hostile,
                "token refresh failed: {hostile}"
            );
        });
        let pane = out.pane();
        let (file, stderr) = (text(&out.file), text(&out.stderr));
        assert_eq!(pane.len(), 1);
        for (name, written) in [("file", &file), ("stderr", &stderr), ("pane", &pane[0])] {
            assert_eq!(written.trim_end().lines().count(), 1, "{name}: {written:?}");
            assert!(
                !written
                    .trim_end()
                    .chars()
                    .any(|c| c.is_control() || c == '\u{202e}'),
                "{name}: {written:?}"
            );
            // The words stay, the sequences go: three times (message, two fields).
            assert_eq!(written.matches("forged").count(), 3, "{name}: {written:?}");
            assert!(
                written.contains("code=") && written.contains("description="),
                "{name}"
            );
        }
        assert!(stderr.contains("WARN"), "{stderr}");
    }
}
