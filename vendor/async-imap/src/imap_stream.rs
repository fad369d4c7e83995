use std::fmt;
use std::pin::Pin;

#[cfg(feature = "runtime-async-std")]
use async_std::io::{Read, Write, WriteExt};
use bytes::BytesMut;
use futures_util::stream::Stream;
use futures_util::task::{Context, Poll};
use futures_util::{io, ready};
#[cfg(feature = "runtime-tokio")]
use tokio::io::{AsyncRead as Read, AsyncWrite as Write, AsyncWriteExt};

use crate::framer::{Found, Framer, MAX_RESPONSE};
use crate::types::{Request, ResponseData};

/// Wraps a stream, and parses incoming data as imap server messages. Writes outgoing data
/// as imap client messages.
///
/// mailtui: the buffer is framed before it is parsed (see `framer.rs`),
/// grows geometrically and hands each response an allocation of its own
/// exact size; see vendor/async-imap/MAILTUI.md.
#[derive(Debug)]
pub struct ImapStream<R: Read + Write> {
    /// The underlying stream
    pub(crate) inner: R,
    /// The buffer.
    buffer: Buffer,
    /// Where the response at the front of the buffer ends, as far as known.
    framer: Framer,
    stats: DecodeStats,

    /// True if the stream should not return any more items.
    ///
    /// This is set when reading from a stream
    /// returns an error.
    /// Afterwards the stream returns only `None`
    /// and `poll_next()` does not read
    /// from the underlying stream.
    read_closed: bool,
}

/// mailtui: how much work decoding took, for tests and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeStats {
    /// Calls into the response parser.
    pub parses: u64,
    /// Bytes handed to the parser, over all calls.
    pub parsed_bytes: u64,
    /// Responses decoded.
    pub responses: u64,
}

impl<R: Read + Write + Unpin> ImapStream<R> {
    /// Creates a new `ImapStream` based on the given `Read`er.
    pub fn new(inner: R) -> Self {
        ImapStream {
            inner,
            buffer: Buffer::new(),
            framer: Framer::default(),
            stats: DecodeStats::default(),
            read_closed: false,
        }
    }

    pub async fn encode(&mut self, msg: Request) -> Result<(), io::Error> {
        log::trace!(
            "encode: input: {:?}, {:?}",
            msg.0,
            std::str::from_utf8(&msg.1)
        );

        if let Some(tag) = msg.0 {
            self.inner.write_all(tag.as_bytes()).await?;
            self.inner.write_all(b" ").await?;
        }
        self.inner.write_all(&msg.1).await?;
        self.inner.write_all(b"\r\n").await?;

        Ok(())
    }

    /// Gets a reference to the underlying stream.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// Gets a mutable reference to the underlying stream.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// Returns underlying stream.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Flushes the underlying stream.
    pub async fn flush(&mut self) -> Result<(), io::Error> {
        self.inner.flush().await
    }

    pub fn as_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// mailtui: the decoding work so far.
    pub fn decode_stats(&self) -> DecodeStats {
        self.stats
    }

    /// Attempts to decode a single response from the buffer.
    ///
    /// Returns `None` if the buffer does not contain a whole response.
    /// The parser runs only on a framed response (or, for a text response
    /// ending in `{n}`, on the line before the literal), so a long line
    /// costs one parse, not one per read.
    fn decode(&mut self) -> io::Result<Option<ResponseData>> {
        let mut found = self.framer.scan(self.buffer.pending())?;
        loop {
            let end = match found {
                Found::Partial => return Ok(None),
                Found::End(end) | Found::Maybe(end) => end,
            };
            match self.parse(end)? {
                Some(response) => {
                    self.framer.reset();
                    return Ok(Some(response));
                }
                // The parser wants more: a literal after all (`maybe`), or
                // a response that goes on past this line.
                None => found = self.framer.resume(self.buffer.pending())?,
            }
        }
    }

    /// Parses the first `end` bytes of the buffer into a response that
    /// owns an exact-size copy of its bytes; `None` if the parser wants
    /// more.
    fn parse(&mut self, end: usize) -> io::Result<Option<ResponseData>> {
        let frame = &self.buffer.pending()[..end];
        self.stats.parses += 1;
        self.stats.parsed_bytes += end as u64;
        log::trace!("decode: input: {:?}", std::str::from_utf8(frame));
        let mut used = end;
        let res = ResponseData::try_new_or_recover(BytesMut::from(frame), |buf| {
            match imap_proto::Response::parse(buf) {
                Ok((remaining, response)) => {
                    used = buf.len() - remaining.len();
                    Ok(response)
                }
                Err(nom::Err::Incomplete(_)) => Err(None),
                Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                    Err(Some(io::Error::other(format!(
                        "{:?} at byte {} during parsing of {:?}",
                        e.code,
                        buf.len() - e.input.len(),
                        String::from_utf8_lossy(&buf[..buf.len().min(ERROR_EXCERPT)])
                    ))))
                }
            }
        });
        match res {
            Ok(mut response) if used == end => {
                response.with_dependent_mut(|_, r| shrink(r));
                self.buffer.consume(end);
                self.stats.responses += 1;
                Ok(Some(response))
            }
            Ok(_) => {
                // The parser stopped short of the frame's end (text that
                // looked like a literal): take just what it read, in an
                // allocation of that size.
                drop(res);
                self.framer.reset();
                self.parse_prefix(used)
            }
            Err((_, Some(err))) => Err(err),
            Err((_, None)) => Ok(None),
        }
    }

    fn parse_prefix(&mut self, used: usize) -> io::Result<Option<ResponseData>> {
        let frame = &self.buffer.pending()[..used];
        self.stats.parses += 1;
        self.stats.parsed_bytes += used as u64;
        let res = ResponseData::try_new(BytesMut::from(frame), |buf| {
            imap_proto::Response::parse(buf)
                .map(|(_, r)| r)
                .map_err(|e| io::Error::other(format!("{e:?}")))
        })?;
        self.buffer.consume(used);
        self.stats.responses += 1;
        Ok(Some(res))
    }

    fn do_poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<io::Result<ResponseData>>> {
        let this = &mut *self;
        if let Some(response) = this.decode()? {
            return Poll::Ready(Some(Ok(response)));
        }
        loop {
            let buf = this.buffer.free_as_mut_slice()?;

            // The buffer should have at least one byte free
            // before we try reading into it
            // so we can treat 0 bytes read as EOF.
            debug_assert!(!buf.is_empty());

            #[cfg(feature = "runtime-async-std")]
            let num_bytes_read = ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;

            #[cfg(feature = "runtime-tokio")]
            let num_bytes_read = {
                let buf = &mut tokio::io::ReadBuf::new(buf);
                let start = buf.filled().len();
                ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
                buf.filled().len() - start
            };

            if num_bytes_read == 0 {
                if !this.buffer.pending().is_empty() {
                    return Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "bytes remaining in stream",
                    ))));
                }
                return Poll::Ready(None);
            }
            this.buffer.extend_used(num_bytes_read);
            if let Some(response) = this.decode()? {
                return Poll::Ready(Some(Ok(response)));
            }
        }
    }
}

/// mailtui: gives back the spare capacity the parser's lists keep (a
/// FETCH's attribute list has room for four, a long SEARCH up to twice
/// its UIDs), since answers of 100,000 responses are kept whole.
fn shrink(r: &mut imap_proto::Response<'_>) {
    use imap_proto::{AttributeValue, MailboxDatum, Response};
    match r {
        Response::Fetch(_, attrs) => {
            attrs.shrink_to_fit();
            for a in attrs.iter_mut() {
                if let AttributeValue::Flags(f) = a {
                    f.shrink_to_fit();
                }
            }
        }
        Response::MailboxData(MailboxDatum::Search(uids)) => uids.shrink_to_fit(),
        _ => {}
    }
}

/// Longest piece of a response quoted in a parse error.
const ERROR_EXCERPT: usize = 512;

/// mailtui: bytes read but not yet decoded, at `block[start..end]`.
/// Decoded responses are taken off the front by moving `start`; the rest
/// moves down only when that frees at least as much as it copies, and
/// the block doubles when full, so each byte is copied O(1) times.
struct Buffer {
    block: Vec<u8>,
    start: usize,
    end: usize,
}

impl Buffer {
    const BLOCK_SIZE: usize = 1024 * 16;
    /// Free space wanted before a read.
    const MIN_READ: usize = 1024 * 4;
    /// Largest block: the largest response and one read more.
    const MAX_CAPACITY: usize = MAX_RESPONSE + Self::BLOCK_SIZE;
    /// An empty block bigger than this (after a long response) is given
    /// back rather than kept for the rest of the session.
    const KEEP: usize = 1024 * 1024;

    fn new() -> Self {
        Self {
            block: vec![0; Self::BLOCK_SIZE],
            start: 0,
            end: 0,
        }
    }

    /// The bytes read and not yet decoded.
    fn pending(&self) -> &[u8] {
        &self.block[self.start..self.end]
    }

    /// Takes `n` decoded bytes off the front.
    fn consume(&mut self, n: usize) {
        self.start += n;
        debug_assert!(self.start <= self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            if self.block.len() > Self::KEEP {
                self.block = vec![0; Self::BLOCK_SIZE];
            }
        }
    }

    /// Free space to read into: at least [`Self::MIN_READ`] bytes.
    fn free_as_mut_slice(&mut self) -> io::Result<&mut [u8]> {
        if self.block.len() - self.end < Self::MIN_READ {
            let used = self.end - self.start;
            if self.start > 0 && self.start >= used {
                self.block.copy_within(self.start..self.end, 0);
                self.start = 0;
                self.end = used;
            }
            if self.block.len() - self.end < Self::MIN_READ {
                let want = (self.block.len() * 2).max(self.end + Self::MIN_READ);
                let size = want.min(Self::MAX_CAPACITY);
                if size <= self.end {
                    return Err(io::Error::other("incoming data too large"));
                }
                self.block.resize(size, 0);
            }
        }
        Ok(&mut self.block[self.end..])
    }

    /// Counts `n` bytes just read into the free space.
    fn extend_used(&mut self, n: usize) {
        self.end = (self.end + n).min(self.block.len());
    }
}

impl fmt::Debug for Buffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Buffer")
            .field("used", &(self.end - self.start))
            .field("capacity", &self.block.len())
            .finish()
    }
}

impl<R: Read + Write + Unpin> Stream for ImapStream<R> {
    type Item = io::Result<ResponseData>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.read_closed {
            return Poll::Ready(None);
        }
        let res = match ready!(self.as_mut().do_poll_next(cx)) {
            None => None,
            Some(Err(err)) => {
                self.read_closed = true;
                Some(Err(err))
            }
            Some(Ok(item)) => Some(Ok(item)),
        };
        Poll::Ready(res)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use pin_project::pin_project;

    /// Wrapper for a stream that
    /// fails once on a first read.
    ///
    /// Writes are discarded.
    #[pin_project]
    struct FailingStream {
        #[pin]
        inner: &'static [u8],
        has_failed: bool,
    }

    impl FailingStream {
        fn new(buf: &'static [u8]) -> Self {
            Self {
                inner: buf,
                has_failed: false,
            }
        }
    }

    #[cfg(feature = "runtime-tokio")]
    impl Read for FailingStream {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> Poll<tokio::io::Result<()>> {
            let this = self.project();
            if !*this.has_failed {
                *this.has_failed = true;

                Poll::Ready(Err(std::io::Error::other("Failure")))
            } else {
                this.inner.poll_read(cx, buf)
            }
        }
    }

    #[cfg(feature = "runtime-async-std")]
    impl Read for FailingStream {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<async_std::io::Result<usize>> {
            let this = self.project();
            if !*this.has_failed {
                *this.has_failed = true;

                Poll::Ready(Err(std::io::Error::other("Failure")))
            } else {
                this.inner.poll_read(cx, buf)
            }
        }
    }

    #[cfg(feature = "runtime-tokio")]
    impl Write for FailingStream {
        fn poll_write(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<tokio::io::Result<usize>> {
            Poll::Ready(Ok(buf.len()))
        }

        fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<tokio::io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<tokio::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[cfg(feature = "runtime-async-std")]
    impl Write for FailingStream {
        fn poll_write(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<async_std::io::Result<usize>> {
            Poll::Ready(Ok(buf.len()))
        }

        fn poll_flush(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<async_std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_close(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<async_std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    /// Tests that stream returns `None` after
    /// a single error of the underlying stream.
    ///
    /// This is need to prevent accidental
    /// reading from a network stream
    /// after a temporary error such as a timeout
    /// or returning an inifinite stream of errors.
    #[cfg_attr(feature = "runtime-tokio", tokio::test)]
    #[cfg_attr(feature = "runtime-async-std", async_std::test)]
    async fn test_imap_stream_error() {
        use futures_util::StreamExt;

        let mock_stream = FailingStream::new(b"* OK\r\n");
        let mut imap_stream = ImapStream::new(mock_stream);

        // First call is an error because underlying stream fails.
        assert!(imap_stream.next().await.unwrap().is_err());

        // IMAP stream should end even though underlying stream fails only once.
        assert!(imap_stream.next().await.is_none());
    }
}
