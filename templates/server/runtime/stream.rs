//! Binary request bodies the spec does not bound, handed to the handler as
//! they arrive instead of read whole: uploads larger than memory, copied to
//! a file or another service chunk by chunk.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::Stream;

use crate::runtime::envelope;
use crate::runtime::error::{ApiError, HandlerError};
use crate::runtime::request::BodyError;

/// A request body read as it arrives: a [`Stream`] of chunks, at most
/// `STREAM_LIMIT_BYTES` in all. Propagate its errors with `?`: a body over
/// the limit is then answered `413 PAYLOAD_TOO_LARGE`.
pub struct BodyStream {
    chunks: axum::body::BodyDataStream,
    content_type: Option<String>,
    limit: u64,
    read: u64,
}

impl BodyStream {
    /// The `Content-Type` the client sent, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// Reads the rest of the body into memory.
    pub async fn into_bytes(mut self) -> Result<Vec<u8>, StreamError> {
        use futures_util::StreamExt;
        let mut bytes = Vec::new();
        while let Some(chunk) = self.next().await {
            bytes.extend_from_slice(&chunk?);
        }
        Ok(bytes)
    }
}

impl std::fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyStream")
            .field("content_type", &self.content_type)
            .field("read", &self.read)
            .finish_non_exhaustive()
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes, StreamError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.read > self.limit {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.chunks).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.read += chunk.len() as u64;
                if self.read > self.limit {
                    let limit = self.limit;
                    return Poll::Ready(Some(Err(StreamError::TooLarge { limit })));
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(error))) => {
                Poll::Ready(Some(Err(StreamError::Interrupted(error.to_string()))))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Why a streamed body could not be read to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamError {
    /// The body went past `STREAM_LIMIT_BYTES`.
    TooLarge { limit: u64 },
    /// The connection failed while the body was being sent.
    Interrupted(String),
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamError::TooLarge { limit } => write!(f, "the body is over {limit} bytes"),
            StreamError::Interrupted(reason) => write!(f, "the body was cut off: {reason}"),
        }
    }
}

impl std::error::Error for StreamError {}

/// The body as a stream, `Ok(None)` for an absent optional one. A body the
/// headers announce as larger than `limit` is refused before it is read.
pub fn stream_body(
    body: Body,
    headers: &HeaderMap,
    required: bool,
    limit: u64,
) -> Result<Option<BodyStream>, BodyError> {
    let length = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if length.is_some_and(|length| length > limit) {
        return Err(BodyError::Rejected(Box::new(ApiError::payload_too_large(
            usize::try_from(limit).unwrap_or(usize::MAX),
        ))));
    }
    let announced = headers.contains_key(CONTENT_TYPE)
        || headers.contains_key(TRANSFER_ENCODING)
        || length.is_some_and(|length| length > 0);
    if !announced {
        return if required {
            Err(BodyError::Rejected(Box::new(ApiError::invalid_json(
                "A body is required.",
            ))))
        } else {
            Ok(None)
        };
    }
    Ok(Some(BodyStream {
        chunks: body.into_data_stream(),
        content_type: headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string),
        limit,
        read: 0,
    }))
}

/// The answer to a handler that failed: `413` when its body stream went
/// past the limit (an error it propagated), else the logged `500`.
pub fn handler_failed(error: &HandlerError, request_id: &str) -> Response {
    match too_large(error) {
        Some(refusal) => envelope::error(&refusal, request_id),
        None => envelope::handler_failed(error, request_id),
    }
}

fn too_large(error: &HandlerError) -> Option<ApiError> {
    match error.downcast_ref::<StreamError>()? {
        StreamError::TooLarge { limit } => Some(ApiError::payload_too_large(
            usize::try_from(*limit).unwrap_or(usize::MAX),
        )),
        StreamError::Interrupted(_) => None,
    }
}
