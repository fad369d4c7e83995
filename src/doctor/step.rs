//! One line of the checklist: what was checked, how it went, why it failed
//! and what to do, and how long it took.

use std::future::Future;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::sanitize::Clean;

/// The checks, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Config,
    Dns,
    Tcp,
    Starttls,
    Tls,
    Capabilities,
    Password,
    IdentityProvider,
    Tokens,
    Login,
    Features,
    Folders,
}

impl Check {
    /// The name in the text checklist.
    pub fn label(self) -> &'static str {
        match self {
            Check::Config => "config",
            Check::Dns => "DNS",
            Check::Tcp => "TCP",
            Check::Starttls => "STARTTLS",
            Check::Tls => "TLS",
            Check::Capabilities => "capabilities",
            Check::Password => "password",
            Check::IdentityProvider => "sign-in service",
            Check::Tokens => "tokens",
            Check::Login => "login",
            Check::Features => "features",
            Check::Folders => "folders",
        }
    }
}

/// How one check went. Every text in it is cleaned: servers and identity
/// providers write some of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    pub name: Check,
    pub ok: bool,
    /// What was found; for a failure, the cause.
    pub detail: String,
    /// Passed, but something needs attention soon.
    pub warning: Option<String>,
    /// What to do about the failure or the warning.
    pub fix: Option<String>,
    pub duration_ms: u64,
}

/// A check that passed: what it found, and perhaps a warning with its fix.
#[derive(Debug)]
pub struct Passed {
    detail: String,
    warning: Option<(String, String)>,
}

impl Passed {
    pub fn new(detail: impl Into<String>) -> Self {
        Passed {
            detail: detail.into(),
            warning: None,
        }
    }

    pub fn warn(mut self, warning: impl Into<String>, fix: impl Into<String>) -> Self {
        self.warning = Some((warning.into(), fix.into()));
        self
    }
}

/// A check that failed: the cause in words and the fix.
#[derive(Debug)]
pub struct Failed {
    cause: String,
    fix: String,
}

impl Failed {
    pub fn new(cause: impl Into<String>, fix: impl Into<String>) -> Self {
        Failed {
            cause: cause.into(),
            fix: fix.into(),
        }
    }
}

/// What a check hands on to the next ones, and how it went.
pub type Outcome<T> = Result<(T, Passed), Failed>;

fn clean(s: &str) -> String {
    Clean::line(s).as_str().to_string()
}

impl Check {
    /// Whether the check waits on a server (and so gets the step limit).
    /// The password and the sign-in service have bounds of their own.
    fn talks_to_the_server(self) -> bool {
        !matches!(
            self,
            Check::Config | Check::Password | Check::IdentityProvider | Check::Tokens
        )
    }
}

/// Runs an account's checks in order, reporting each as it ends.
pub struct Run<'a> {
    account: String,
    steps: Vec<Step>,
    on_step: &'a mut dyn FnMut(&Step),
    /// Longest time one server check may take in all: a server that
    /// trickles a byte a second is never silent, and without this doctor
    /// would wait on it for good. Each command has a shorter limit of its
    /// own; this is the backstop.
    limit: Option<Duration>,
}

impl<'a> Run<'a> {
    pub fn new(account: &str, on_step: &'a mut dyn FnMut(&Step)) -> Self {
        Run {
            account: account.to_string(),
            steps: Vec::new(),
            on_step,
            limit: None,
        }
    }

    /// Bounds each server check from here on.
    pub fn limit_steps(&mut self, limit: Duration) {
        self.limit = Some(limit);
    }

    /// Times one check and records it; `None` once it failed, so the
    /// caller stops there (`?`).
    pub async fn step<T>(
        &mut self,
        check: Check,
        work: impl Future<Output = Outcome<T>>,
    ) -> Option<T> {
        let started = Instant::now();
        let result = match self.limit.filter(|_| check.talks_to_the_server()) {
            Some(limit) => match tokio::time::timeout(limit, work).await {
                Ok(r) => r,
                Err(_) => Err(Failed::new(
                    format!(
                        "{}: no result within {}s (the limit for one check)",
                        check.label(),
                        limit.as_secs()
                    ),
                    "the server answers too slowly or not at all; run doctor again, and if it \
                     repeats, see the log (`mailtui paths`)",
                )),
            },
            None => work.await,
        };
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (value, step) = match result {
            Ok((value, passed)) => {
                let (warning, fix) = match passed.warning {
                    Some((w, f)) => (Some(clean(&w)), Some(clean(&f))),
                    None => (None, None),
                };
                let step = Step {
                    name: check,
                    ok: true,
                    detail: clean(&passed.detail),
                    warning,
                    fix,
                    duration_ms,
                };
                (Some(value), step)
            }
            Err(failed) => {
                let step = Step {
                    name: check,
                    ok: false,
                    detail: clean(&failed.cause),
                    warning: None,
                    fix: Some(clean(&failed.fix)),
                    duration_ms,
                };
                (None, step)
            }
        };
        // The log gets how each step went and why one failed; the details
        // (capability lists, mechanisms) stay on stdout, where they were asked for.
        if step.ok {
            tracing::info!(account = %self.account, step = check.label(), "doctor: passed");
        } else {
            tracing::info!(account = %self.account, step = check.label(), "doctor: failed: {}", step.detail);
        }
        (self.on_step)(&step);
        self.steps.push(step);
        value
    }

    pub fn into_steps(self) -> Vec<Step> {
        self.steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failed_step_stops_the_run_and_texts_are_cleaned() {
        let mut seen = Vec::new();
        let mut on_step = |s: &Step| seen.push(s.name);
        let mut run = Run::new("a", &mut on_step);
        let v = run
            .step(Check::Dns, async {
                Ok((7, Passed::new("ok\u{1b}[31m red").warn("soon", "do it")))
            })
            .await;
        assert_eq!(v, Some(7));
        let v: Option<()> = run
            .step(Check::Tcp, async {
                Err(Failed::new("refused\n\u{7}", "listen"))
            })
            .await;
        assert_eq!(v, None);
        let steps = run.into_steps();
        assert_eq!(steps[0].detail, "ok red");
        assert_eq!(steps[0].warning.as_deref(), Some("soon"));
        assert!(!steps[1].ok && !steps[1].detail.contains('\u{7}'));
        assert_eq!(steps[1].fix.as_deref(), Some("listen"));
        assert_eq!(seen, [Check::Dns, Check::Tcp]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_check_past_the_limit_fails_with_the_limit_named() {
        let mut on_step = |_: &Step| {};
        let mut run = Run::new("a", &mut on_step);
        run.limit_steps(Duration::from_secs(30));
        let v: Option<()> = run.step(Check::Features, std::future::pending()).await;
        assert_eq!(v, None);
        // The password may wait on a prompt: no limit there.
        let p = run
            .step(Check::Password, async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Ok(((), Passed::new("ok")))
            })
            .await;
        assert_eq!(p, Some(()));
        let steps = run.into_steps();
        assert!(!steps[0].ok);
        assert!(
            steps[0].detail.contains("features: no result within 30s"),
            "{}",
            steps[0].detail
        );
    }
}
