//! Sign-in in a browser: authorization code with PKCE (S256), the answer
//! arriving on a loopback port (reachable from another machine through
//! `ssh -L`). The `state` parameter is checked before the code is used.

use std::collections::HashMap;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::errors::{AuthError, AuthErrorKind, explain};
use super::oauth::OAuth;
use super::tokens::TokenSet;

/// How long to wait for the browser.
const WAIT: Duration = Duration::from_secs(600);

/// Where the user must go, and the loopback port the answer comes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserPrompt {
    pub url: String,
    pub port: u16,
}

impl BrowserPrompt {
    /// The line to run on the machine with the browser when mailtui runs
    /// elsewhere.
    pub fn ssh_hint(&self) -> String {
        format!("ssh -L {p}:localhost:{p} <this host>", p = self.port)
    }
}

fn page(status: &str, text: &str) -> String {
    let body = format!("<!doctype html><meta charset=utf-8><title>mailtui</title><p>{text}</p>");
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Runs the whole flow. `prompt` is called once the URL is known.
pub async fn sign_in(
    oauth: &OAuth,
    prompt: impl FnOnce(BrowserPrompt),
) -> Result<TokenSet, AuthError> {
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| {
        AuthError::new(
            AuthErrorKind::Config,
            "listen",
            format!("Cannot listen on loopback: {e}"),
        )
    })?;
    let port = listener
        .local_addr()
        .map_err(|e| AuthError::transient(e.to_string()))?
        .port();
    // Microsoft matches "localhost" redirects on any port; [::1] is not supported.
    let redirect = format!("http://localhost:{port}/");
    let (url, state, verifier) = oauth.authorize_url(&redirect)?;
    prompt(BrowserPrompt {
        url: url.to_string(),
        port,
    });

    let wait = async {
        loop {
            let (mut stream, _) = listener
                .accept()
                .await
                .map_err(|e| AuthError::transient(e.to_string()))?;
            let mut buf = vec![0u8; 8192];
            let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            let target = request
                .lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("/");
            let query: HashMap<String, String> =
                url::Url::parse(&format!("http://localhost{target}"))
                    .map(|u| u.query_pairs().into_owned().collect())
                    .unwrap_or_default();
            if query.get("state").map(String::as_str) != Some(state.secret().as_str()) {
                // Not our request (or forged): refuse it and keep waiting.
                let _ = stream
                    .write_all(
                        page(
                            "400 Bad Request",
                            "This sign-in link is not the one mailtui is waiting for.",
                        )
                        .as_bytes(),
                    )
                    .await;
                continue;
            }
            if let Some(error) = query.get("error") {
                let e = explain(error, query.get("error_description").map(String::as_str));
                let _ = stream
                    .write_all(page("200 OK", &format!("Sign-in failed: {}", e.message)).as_bytes())
                    .await;
                return Err(e);
            }
            let Some(code) = query.get("code").cloned() else {
                let _ = stream
                    .write_all(
                        page("400 Bad Request", "No authorization code in this request.")
                            .as_bytes(),
                    )
                    .await;
                continue;
            };
            let _ = stream
                .write_all(
                    page("200 OK", "Signed in to mailtui. You can close this tab.").as_bytes(),
                )
                .await;
            return Ok(code);
        }
    };
    let code = tokio::time::timeout(WAIT, wait).await.map_err(|_| {
        AuthError::new(
            AuthErrorKind::Expired,
            "browser_timeout",
            "No answer from the browser within 10 minutes. Press a to try again.",
        )
    })??;
    oauth.exchange_code(code, verifier, &redirect).await
}
