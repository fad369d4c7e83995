//! The start-up timeline: each step from process start to the first frame
//! with rows (config, store, trust roots, TCP, TLS, greeting, password or
//! token, login, SELECT, first FETCH, rows, frame), as debug events on the
//! `mailtui::startup` target, in ms since the process started. Off unless
//! the log filter asks for it (`MAILTUI_LOG=mailtui::startup=debug`);
//! off, a step costs one cached filter check. It ends with the first frame
//! that shows rows, or after [`LIMIT`]: reconnects later are not a start.
//!
//! A leaf module (std and tracing only), so the backends may report steps.

use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tracing::Level;

/// The target the events go to; the filter directive to turn them on.
pub const TARGET: &str = "mailtui::startup";

/// Steps after this long are no longer part of the start (a sign-in that
/// waited for the user, a server that never answered).
pub const LIMIT: Duration = Duration::from_secs(60);

static START: OnceLock<Instant> = OnceLock::new();
static OVER: AtomicBool = AtomicBool::new(false);

/// Marks the process start: the first thing `main` does.
pub fn begin() {
    START.get_or_init(Instant::now);
}

fn start() -> Instant {
    *START.get_or_init(Instant::now)
}

/// Whether steps are being reported now.
pub fn on() -> bool {
    !OVER.load(Ordering::Relaxed)
        && tracing::enabled!(target: TARGET, Level::DEBUG)
        && start().elapsed() < LIMIT
}

/// Milliseconds since the process started, one decimal.
struct Ms(Instant);

impl fmt::Display for Ms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0.saturating_duration_since(start());
        write!(f, "{:.1}", d.as_secs_f64() * 1000.0)
    }
}

/// A step under way; reported when [`end`](Step::end) is called (a step
/// that fails is dropped unreported).
#[must_use]
pub struct Step {
    name: &'static str,
    started: Option<Instant>,
}

/// Starts a step.
pub fn step(name: &'static str) -> Step {
    Step {
        name,
        started: on().then(Instant::now),
    }
}

/// A step that began before the log was set up (reading the config).
pub fn since(name: &'static str, started: Instant) -> Step {
    Step {
        name,
        started: on().then_some(started),
    }
}

impl Step {
    pub fn end(self) {
        if let Some(s) = self.started {
            tracing::debug!(
                target: TARGET,
                step = self.name,
                start_ms = %Ms(s),
                end_ms = %Ms(Instant::now()),
                "startup"
            );
        }
    }
}

/// A moment rather than a span (rows arrived, a frame was drawn).
pub fn mark(name: &'static str) {
    if on() {
        tracing::debug!(target: TARGET, step = name, at_ms = %Ms(Instant::now()), "startup");
    }
}

/// The first frame with rows is on screen: the start is over.
pub fn finish() {
    if on() {
        mark("first frame with rows");
    }
    OVER.store(true, Ordering::Relaxed);
}

/// Whether the start is over (the first frame with rows was drawn).
pub fn over() -> bool {
    OVER.load(Ordering::Relaxed)
}
