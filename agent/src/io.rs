//! A WebSocket as a byte stream, so that HTTP/2 can run over it: each write goes out as one
//! binary message, and reads take the bytes of the binary messages in order.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Buf, Bytes};
use futures::{Sink, Stream};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// The largest message either end writes; HTTP/2 frames are smaller still.
const MESSAGE_BYTES: usize = 64 * 1024;

/// What the receiving end of a tunnel accepts: a message or frame larger than a few HTTP/2
/// frames is a misbehaving peer, refused before it is buffered.
pub fn websocket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(4 * MESSAGE_BYTES))
        .max_frame_size(Some(4 * MESSAGE_BYTES))
}

/// A WebSocket read and written as bytes.
pub struct WebSocketIo<S> {
    socket: WebSocketStream<S>,
    /// What is left of the binary message read last.
    unread: Bytes,
}

impl<S> WebSocketIo<S> {
    /// Bytes over `socket`, whose handshake is done.
    pub fn new(socket: WebSocketStream<S>) -> Self {
        Self {
            socket,
            unread: Bytes::new(),
        }
    }
}

fn broken(error: tokio_tungstenite::tungstenite::Error) -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, error)
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for WebSocketIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            if !self.unread.is_empty() {
                let count = buf.remaining().min(self.unread.len());
                buf.put_slice(&self.unread[..count]);
                self.unread.advance(count);
                return Poll::Ready(Ok(()));
            }
            match ready!(Pin::new(&mut self.socket).poll_next(cx)) {
                Some(Ok(Message::Binary(bytes))) => self.unread = bytes,
                // The end of the stream, as a closed socket reads.
                Some(Ok(Message::Close(_))) | None => return Poll::Ready(Ok(())),
                // Pings are answered by the socket itself; nothing else carries tunnel bytes.
                Some(Ok(_)) => {}
                Some(Err(error)) => return Poll::Ready(Err(broken(error))),
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for WebSocketIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut socket = Pin::new(&mut self.socket);
        ready!(socket.as_mut().poll_ready(cx)).map_err(broken)?;
        let count = buf.len().min(MESSAGE_BYTES);
        socket
            .start_send(Message::Binary(Bytes::copy_from_slice(&buf[..count])))
            .map_err(broken)?;
        Poll::Ready(Ok(count))
    }

    /// Gathers the slices into one message: HTTP/2 writes a frame's header and its payload as
    /// two slices, which would otherwise cost a message each.
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let mut socket = Pin::new(&mut self.socket);
        ready!(socket.as_mut().poll_ready(cx)).map_err(broken)?;
        let total: usize = bufs.iter().map(|buf| buf.len()).sum();
        let mut message = Vec::with_capacity(total.min(MESSAGE_BYTES));
        for buf in bufs {
            let room = MESSAGE_BYTES - message.len();
            if room == 0 {
                break;
            }
            message.extend_from_slice(&buf[..buf.len().min(room)]);
        }
        let count = message.len();
        socket
            .start_send(Message::Binary(Bytes::from(message)))
            .map_err(broken)?;
        Poll::Ready(Ok(count))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.socket).poll_flush(cx).map_err(broken)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.socket).poll_close(cx).map_err(broken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_tungstenite::tungstenite::protocol::Role;

    #[tokio::test]
    async fn bytes_written_at_one_end_are_read_in_order_at_the_other() {
        let (left, right) = tokio::io::duplex(1 << 20);
        let client = WebSocketStream::from_raw_socket(left, Role::Client, None).await;
        let server =
            WebSocketStream::from_raw_socket(right, Role::Server, Some(websocket_config())).await;
        let mut client = WebSocketIo::new(client);
        let mut server = WebSocketIo::new(server);
        let sent: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let writer = {
            let sent = sent.clone();
            tokio::spawn(async move {
                client.write_all(&sent).await.unwrap();
                client.shutdown().await.unwrap();
            })
        };
        let mut received = Vec::new();
        server.read_to_end(&mut received).await.unwrap();
        writer.await.unwrap();
        assert_eq!(received, sent);
    }

    #[tokio::test]
    async fn a_message_larger_than_the_limit_breaks_the_stream() {
        let (left, right) = tokio::io::duplex(1 << 20);
        let mut client = WebSocketStream::from_raw_socket(left, Role::Client, None).await;
        let server =
            WebSocketStream::from_raw_socket(right, Role::Server, Some(websocket_config())).await;
        let mut server = WebSocketIo::new(server);
        let huge = Bytes::from(vec![0u8; 8 * MESSAGE_BYTES]);
        tokio::spawn(
            async move { futures::SinkExt::send(&mut client, Message::Binary(huge)).await },
        );
        let mut buf = [0u8; 16];
        let error = server.read(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
    }
}
