//! One line of the checklist: what was checked, how it went, why it failed
//! and what to do, and how long it took.

use std::future::Future;
use std::time::Instant;

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

/// Runs an account's checks in order, reporting each as it ends.
pub struct Run<'a> {
    account: String,
    steps: Vec<Step>,
    on_step: &'a mut dyn FnMut(&Step),
}

impl<'a> Run<'a> {
    pub fn new(account: &str, on_step: &'a mut dyn FnMut(&Step)) -> Self {
        Run {
            account: account.to_string(),
            steps: Vec::new(),
            on_step,
        }
    }

    /// Times one check and records it; `None` once it failed, so the
    /// caller stops there (`?`).
    pub async fn step<T>(
        &mut self,
        check: Check,
        work: impl Future<Output = Outcome<T>>,
    ) -> Option<T> {
        let started = Instant::now();
        let result = work.await;
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
}
