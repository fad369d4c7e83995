//! Shared test bench: a private Dovecot on loopback with its own CA, and
//! helpers. Each test binary includes this with `mod support;`.
#![allow(dead_code)]

/// One test per server profile: `both_profiles!(a, b)` makes modules `a`
/// and `b`, each with a `full` and an `exchange` test calling `a(Profile)`
/// of the file, which defines `enum Profile { Full, Exchange, .. }`.
#[allow(unused_macros)]
macro_rules! both_profiles {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn full() {
                super::$name(super::Profile::Full).await
            }
            #[tokio::test]
            async fn exchange() {
                super::$name(super::Profile::Exchange).await
            }
        }
    )*};
}

pub mod bin;
pub mod certs;
pub mod dovecot;
pub mod events;
pub mod fake_imap;
pub mod fake_smtp;
pub mod fixtures;
pub mod graph;
pub mod idp;
pub mod other;
pub mod proxy;
pub mod relay;
pub mod signed_in;
pub mod tmux;
pub mod writing;

use std::net::TcpListener;

/// A port that was free a moment ago on 127.0.0.1, and never handed out
/// before in this test process: the kernel may give the same ephemeral
/// port to two binds in a row once the first is closed, and two servers
/// told the same port fail with "duplicate listener".
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    // Held until a new one is found, so the kernel cannot repeat them.
    let mut held = Vec::new();
    loop {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port on 127.0.0.1");
        let port = l.local_addr().expect("local addr").port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
        held.push(l);
    }
}
