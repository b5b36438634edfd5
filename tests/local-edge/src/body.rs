//! The body of the edge's responses: a cached object's bytes in one piece, or
//! an object too large to cache, streamed from the origin as it arrives.

use std::io;
use std::ops::Range;
use std::pin::Pin;
use std::task::{Context, Poll};

use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::sync::mpsc;

pub enum Body {
    Full(Option<Bytes>),
    Streaming(mpsc::Receiver<io::Result<Bytes>>),
}

impl Body {
    pub fn empty() -> Self {
        Body::Full(None)
    }

    pub fn full(bytes: impl Into<Bytes>) -> Self {
        Body::Full(Some(bytes.into()))
    }

    /// The bytes of `range` out of `stream`, read as they arrive: a slow viewer
    /// holds back the origin read (the channel is small) instead of filling memory.
    pub fn from_origin(mut stream: ByteStream, range: Range<u64>) -> Self {
        let (sender, receiver) = mpsc::channel(4);
        tokio::spawn(async move {
            let mut offset = 0u64;
            while offset < range.end {
                let chunk = match stream.next().await {
                    Some(Ok(chunk)) => chunk,
                    Some(Err(e)) => {
                        let _ = sender.send(Err(io::Error::other(e))).await;
                        return;
                    }
                    None => return,
                };
                let (start, end) = (offset, offset + chunk.len() as u64);
                offset = end;
                let (from, to) = (range.start.max(start), range.end.min(end));
                if from < to {
                    let piece = chunk.slice((from - start) as usize..(to - start) as usize);
                    if sender.send(Ok(piece)).await.is_err() {
                        return;
                    }
                }
            }
        });
        Body::Streaming(receiver)
    }

    /// Everything left, in one piece (for tests and small answers).
    pub async fn collect(self) -> io::Result<Bytes> {
        match self {
            Body::Full(bytes) => Ok(bytes.unwrap_or_default()),
            Body::Streaming(mut receiver) => {
                let mut all = Vec::new();
                while let Some(chunk) = receiver.recv().await {
                    all.extend_from_slice(&chunk?);
                }
                Ok(all.into())
            }
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<io::Result<Frame<Bytes>>>> {
        match self.get_mut() {
            Body::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Body::Streaming(receiver) => receiver.poll_recv(cx).map(|chunk| chunk.map(|c| c.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Body::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Body::Streaming(_) => SizeHint::default(),
        }
    }
}
