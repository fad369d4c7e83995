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
