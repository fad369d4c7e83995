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

impl PasswordSource {
    pub async fn resolve(&self) -> Result<Secret, String> {
        match self {
            PasswordSource::Plain(s) => Ok(s.clone()),
            PasswordSource::Command(cmd) => run_password_command(cmd).await,
            PasswordSource::Keyring(account) => {
                let user = super::store::password_entry(account);
                let lookup =
                    tokio::task::spawn_blocking(move || super::keyring::Keyring.get(&user));
                match lookup.await.map_err(|e| e.to_string())? {
                    Ok(Some(p)) => Ok(Secret::new(p)),
                    Ok(None) => Err(format!(
                        "no password in the keyring for {account}: store one with `mailtui set-password {account}`"
                    )),
                    Err(e) => Err(e.to_string()),
                }
            }
        }
    }
}

async fn run_password_command(cmd: &str) -> Result<Secret, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("password_command could not start: {e}"))?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or("password_command has no stdout")?;
    let mut stderr = child
        .stderr
        .take()
        .ok_or("password_command has no stderr")?;
    let run = async {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let (r1, r2) = tokio::join!(stdout.read_to_end(&mut out), stderr.read_to_end(&mut err));
        r1.and(r2)
            .map_err(|e| format!("password_command output unreadable: {e}"))?;
        let status = child
            .wait()
            .await
            .map_err(|e| format!("password_command failed: {e}"))?;
        Ok::<_, String>((status, out, err))
    };
    let (status, out, err) = tokio::time::timeout(COMMAND_TIMEOUT, run)
        .await
        .map_err(|_| {
            format!(
                "password_command gave no answer in {}s",
                COMMAND_TIMEOUT.as_secs()
            )
        })??;
    if !status.success() {
        // stderr is the command's own message (never the password); keep it short.
        let msg = String::from_utf8_lossy(&err);
        let first = msg.lines().next().unwrap_or("").trim();
        return Err(format!("password_command exited with {status}: {first}"));
    }
    let text = String::from_utf8(out)
        .map_err(|_| "password_command printed non-UTF-8 output".to_string())?;
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err("password_command printed nothing".to_string());
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
        assert!(e.contains("no such entry") && e.contains("3"), "{e}");
        assert!(!e.contains("topsecret"));
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
