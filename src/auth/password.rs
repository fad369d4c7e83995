//! Where an account's password comes from.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Command;

use super::secret::Secret;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordSource {
    /// A shell command whose first line of output is the password
    /// (`pass show mail/home`, `secret-tool lookup …`).
    Command(String),
    /// Written in the config file; works, with a warning in the log.
    Plain(Secret),
    /// In the OS keyring under "password:<account>".
    Keyring(String),
}

/// Long enough for a gpg pinentry on another terminal, short enough that a
/// hung command doesn't hold the account forever.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// Why no password could be had. Never holds the password itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password_command could not start: {0}")]
    Start(String),
    #[error("password_command output unreadable: {0}")]
    Output(String),
    #[error("password_command gave no answer in {0}s")]
    Timeout(u64),
    /// Its exit status and the first line of its stderr (its own message).
    #[error("password_command exited with {status}: {message}")]
    Failed { status: String, message: String },
    #[error("password_command printed non-UTF-8 output")]
    NotText,
    #[error("password_command printed nothing")]
    Empty,
    #[error("no password in the keyring for {0}: store one with `mailtui set-password {0}`")]
    NotInKeyring(String),
    #[error("the keyring could not be read: {0}")]
    Keyring(String),
}

impl PasswordSource {
    pub async fn resolve(&self) -> Result<Secret, PasswordError> {
        match self {
            PasswordSource::Plain(s) => Ok(s.clone()),
            PasswordSource::Command(cmd) => run_password_command(cmd).await,
            PasswordSource::Keyring(account) => {
                let user = super::store::password_entry(account);
                let lookup =
                    tokio::task::spawn_blocking(move || super::keyring::Keyring.get(&user));
                match lookup
                    .await
                    .map_err(|e| PasswordError::Keyring(e.to_string()))?
                {
                    Ok(Some(p)) => Ok(Secret::new(p)),
                    Ok(None) => Err(PasswordError::NotInKeyring(account.clone())),
                    Err(e) => Err(PasswordError::Keyring(e.to_string())),
                }
            }
        }
    }
}

async fn run_password_command(cmd: &str) -> Result<Secret, PasswordError> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| PasswordError::Start(e.to_string()))?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| PasswordError::Start("no stdout".into()))?;
    let mut stderr = child
        .stderr
        .take()
        .ok_or_else(|| PasswordError::Start("no stderr".into()))?;
    let run = async {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let (r1, r2) = tokio::join!(stdout.read_to_end(&mut out), stderr.read_to_end(&mut err));
        r1.and(r2)
            .map_err(|e| PasswordError::Output(e.to_string()))?;
        let status = child
            .wait()
            .await
            .map_err(|e| PasswordError::Output(e.to_string()))?;
        Ok::<_, PasswordError>((status, out, err))
    };
    let (status, out, err) = tokio::time::timeout(COMMAND_TIMEOUT, run)
        .await
        .map_err(|_| PasswordError::Timeout(COMMAND_TIMEOUT.as_secs()))??;
    if !status.success() {
        // stderr is the command's own message (never the password); keep it short.
        let msg = String::from_utf8_lossy(&err);
        let first = msg.lines().next().unwrap_or("").trim();
        return Err(PasswordError::Failed {
            status: status.to_string(),
            message: first.to_string(),
        });
    }
    let text = String::from_utf8(out).map_err(|_| PasswordError::NotText)?;
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err(PasswordError::Empty);
    }
    Ok(Secret::new(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn command_first_line_is_the_password() {
        let s = PasswordSource::Command("printf 'pa ss\\nsecond\\n'".into())
            .resolve()
            .await
            .unwrap();
        assert_eq!(s.expose(), "pa ss");
    }

    #[tokio::test]
    async fn failing_command_reports_stderr_not_stdout() {
        let e = PasswordSource::Command("echo topsecret; echo 'no such entry' >&2; exit 3".into())
            .resolve()
            .await
            .unwrap_err();
        let PasswordError::Failed { status, message } = &e else {
            panic!("{e:?}")
        };
        assert!(message == "no such entry" && status.contains('3'), "{e}");
        assert!(!e.to_string().contains("topsecret"));
    }

    #[tokio::test]
    async fn empty_output_is_an_error() {
        assert!(
            PasswordSource::Command("true".into())
                .resolve()
                .await
                .is_err()
        );
    }
}
