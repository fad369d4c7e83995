//! Shared test bench: a private Dovecot on loopback with its own CA, and
//! helpers. Each test binary includes this with `mod support;`.
#![allow(dead_code)]

pub mod bin;
pub mod certs;
pub mod dovecot;
pub mod events;
pub mod fixtures;
pub mod idp;
pub mod other;
pub mod proxy;
pub mod tmux;

use std::net::TcpListener;

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port on 127.0.0.1");
    l.local_addr().expect("local addr").port()
}
