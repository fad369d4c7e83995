//! A loopback TCP proxy in front of Dovecot's plain port that can end a
//! session the way Exchange Online does when a token expires:
//! `* BYE Session invalidated - AccessTokenExpired`, then close.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

pub struct ByeProxy {
    pub port: u16,
    bye: Arc<Notify>,
    pub connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl ByeProxy {
    pub async fn start(upstream_port: u16) -> ByeProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let bye = Arc::new(Notify::new());
        let connections = Arc::new(AtomicUsize::new(0));
        let (b, c) = (bye.clone(), connections.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                let bye = b.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream_port)).await else {
                        return;
                    };
                    let (mut cr, mut cw) = client.into_split();
                    let (mut sr, mut sw) = server.into_split();
                    tokio::select! {
                        _ = tokio::io::copy(&mut cr, &mut sw) => {}
                        _ = tokio::io::copy(&mut sr, &mut cw) => {}
                        _ = bye.notified() => {
                            let _ = cw.write_all(b"* BYE Session invalidated - AccessTokenExpired\r\n").await;
                            let _ = cw.shutdown().await;
                        }
                    }
                });
            }
        });
        ByeProxy {
            port,
            bye,
            connections,
            task,
        }
    }

    /// Ends every session open now.
    pub fn kill_sessions(&self) {
        self.bye.notify_waiters();
    }
}

impl Drop for ByeProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback proxy that can go silent: after `stall()`, the sessions open
/// then get no more bytes either way (a server that stopped answering, a
/// dropped route), while the sockets stay open. New sessions work.
/// It can also meddle: `drop_idle_continuation` swallows the server's
/// `+ idling`, and `inject_after_idle` adds a line after it.
pub struct MeddlingProxy {
    pub port: u16,
    stalled: Arc<std::sync::atomic::AtomicU64>,
    opened: Arc<std::sync::atomic::AtomicU64>,
    rules: Arc<std::sync::Mutex<Rules>>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Default, Clone)]
struct Rules {
    drop_idle_continuation: bool,
    inject_after_idle: Option<Vec<u8>>,
    /// Server bytes replaced on the way to the client.
    replace: Option<(Vec<u8>, Vec<u8>)>,
    /// Once the server says this, the rest of its line is the last thing
    /// the client gets from that session (once).
    cut_after: Option<Vec<u8>>,
}

impl MeddlingProxy {
    pub async fn start(upstream_port: u16) -> MeddlingProxy {
        use tokio::io::AsyncReadExt;
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        // Sessions started before this generation are stalled.
        let stalled = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let rules = Arc::new(std::sync::Mutex::new(Rules::default()));
        let opened = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (st, ru, op) = (stalled.clone(), rules.clone(), opened.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let me = op.fetch_add(1, Ordering::SeqCst) + 1;
                let (st, ru) = (st.clone(), ru.clone());
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream_port)).await else {
                        return;
                    };
                    let (mut cr, mut cw) = client.into_split();
                    let (mut sr, mut sw) = server.into_split();
                    let silent = move || st.load(Ordering::SeqCst) >= me;
                    let silent2 = silent.clone();
                    let up = async move {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            let n = match cr.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            if silent2() {
                                std::future::pending::<()>().await;
                            }
                            if sw.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    };
                    let down = async move {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            let n = match sr.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            if silent() {
                                std::future::pending::<()>().await;
                            }
                            let rules = ru.lock().map(|r| r.clone()).unwrap_or_default();
                            let mut out = buf[..n].to_vec();
                            if let Some(at) = find(&out, b"+ idling\r\n") {
                                let end = at + b"+ idling\r\n".len();
                                let extra = rules.inject_after_idle.clone().unwrap_or_default();
                                if rules.drop_idle_continuation {
                                    out.splice(at..end, extra);
                                } else {
                                    out.splice(end..end, extra);
                                }
                            }
                            if let Some((from, to)) = &rules.replace
                                && let Some(at) = find(&out, from)
                            {
                                out.splice(at..at + from.len(), to.iter().copied());
                            }
                            let cut = rules.cut_after.as_ref().and_then(|p| {
                                let at = find(&out, p)?;
                                let end =
                                    find(&out[at..], b"\r\n").map_or(out.len(), |e| at + e + 2);
                                Some(end)
                            });
                            if let Some(end) = cut {
                                if let Ok(mut r) = ru.lock() {
                                    r.cut_after = None;
                                }
                                let _ = cw.write_all(&out[..end]).await;
                                let _ = cw.shutdown().await;
                                return;
                            }
                            if cw.write_all(&out).await.is_err() {
                                return;
                            }
                        }
                    };
                    tokio::select! {
                        _ = up => {}
                        _ = down => {}
                    }
                });
            }
        });
        MeddlingProxy {
            port,
            stalled,
            opened,
            rules,
            task,
        }
    }

    /// Every session open now goes silent; later ones work.
    pub fn stall(&self) {
        self.stalled
            .store(self.opened.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    pub fn sessions(&self) -> u64 {
        self.opened.load(Ordering::SeqCst)
    }

    pub fn drop_idle_continuation(&self, on: bool) {
        if let Ok(mut r) = self.rules.lock() {
            r.drop_idle_continuation = on;
        }
    }

    /// Ends the session right after the server's line holding `pattern`.
    pub fn cut_after(&self, pattern: &[u8]) {
        if let Ok(mut r) = self.rules.lock() {
            r.cut_after = Some(pattern.to_vec());
        }
    }

    /// Replaces `from` with `to` in what the server sends (within one read).
    pub fn replace(&self, from: &[u8], to: &[u8]) {
        if let Ok(mut r) = self.rules.lock() {
            r.replace = Some((from.to_vec(), to.to_vec()));
        }
    }

    pub fn inject_after_idle(&self, line: Option<&[u8]>) {
        if let Ok(mut r) = self.rules.lock() {
            r.inject_after_idle = line.map(<[u8]>::to_vec);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

impl Drop for MeddlingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
