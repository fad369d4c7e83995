//! The byte stream under a session: plain TCP (loopback only) or TLS,
//! every byte read counted and checked against the guard's limits.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::guard::Guard;

/// The transport under a session: plain TCP (loopback only) or TLS, with
/// every byte read checked against the [`Guard`] limits.
pub struct Transport {
    stream: Stream,
    guard: Guard,
    /// Bytes read so far: a long answer that keeps coming is not a dead
    /// connection, however long it takes.
    progress: Arc<AtomicU64>,
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl Transport {
    /// Over an established TLS session.
    pub fn tls(stream: tokio_rustls::client::TlsStream<TcpStream>) -> Self {
        Transport::new(Stream::Tls(Box::new(stream)))
    }

    /// Plain TCP (loopback only, `tls = "none"`).
    pub fn plain(tcp: TcpStream) -> Self {
        Transport::new(Stream::Plain(tcp))
    }

    fn new(stream: Stream) -> Self {
        Transport {
            stream,
            guard: Guard::default(),
            progress: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn progress(&self) -> Arc<AtomicU64> {
        self.progress.clone()
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.stream {
            Stream::Plain(_) => "Transport::Plain",
            Stream::Tls(_) => "Transport::Tls",
        })
    }
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let start = buf.filled().len();
        let polled = match &mut this.stream {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        };
        if let Poll::Ready(Ok(())) = polled {
            let new = &buf.filled()[start..];
            this.progress.fetch_add(new.len() as u64, Ordering::Relaxed);
            if let Err(e) = this.guard.feed(new) {
                return Poll::Ready(Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)));
            }
        }
        polled
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match &mut self.get_mut().stream {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match &mut self.get_mut().stream {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match &mut self.get_mut().stream {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
