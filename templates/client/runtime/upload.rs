//! Binary bodies the spec does not bound: bytes in memory, or a stream (a
//! file, a download) sent as it is read.

use std::borrow::Cow;

use crate::runtime::transport::{Body, StreamSlot};

/// The body of an operation that takes raw bytes without a size bound.
///
/// Bytes in memory are resent when the call is retried. A stream or a file
/// is sent as it is read, once: a call with one is not retried.
pub struct Upload(Source);

enum Source {
    Bytes(Vec<u8>),
    Stream(reqwest::Body),
}

impl Upload {
    /// Sends the chunks of `stream` as they come.
    pub fn from_stream<S>(stream: S) -> Self
    where
        S: futures_util::TryStream + Send + 'static,
        S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        bytes::Bytes: From<S::Ok>,
    {
        Upload(Source::Stream(reqwest::Body::wrap_stream(stream)))
    }

    /// Sends an open file as it is read.
    pub fn from_file(file: tokio::fs::File) -> Self {
        Upload(Source::Stream(reqwest::Body::from(file)))
    }

    /// The request body, sent as `content_type`.
    pub fn into_body(self, content_type: &'static str) -> Body {
        match self.0 {
            Source::Bytes(bytes) => Body::new(Cow::Borrowed(content_type), bytes),
            Source::Stream(stream) => Body {
                content_type: Cow::Borrowed(content_type),
                bytes: Vec::new(),
                stream: Some(StreamSlot::new(stream)),
            },
        }
    }
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Source::Bytes(bytes) => write!(f, "Upload({} bytes)", bytes.len()),
            Source::Stream(_) => f.write_str("Upload(stream)"),
        }
    }
}

impl From<Vec<u8>> for Upload {
    fn from(bytes: Vec<u8>) -> Self {
        Upload(Source::Bytes(bytes))
    }
}

impl From<&[u8]> for Upload {
    fn from(bytes: &[u8]) -> Self {
        Upload(Source::Bytes(bytes.to_vec()))
    }
}

impl<const N: usize> From<&[u8; N]> for Upload {
    fn from(bytes: &[u8; N]) -> Self {
        Upload(Source::Bytes(bytes.to_vec()))
    }
}

impl From<String> for Upload {
    fn from(text: String) -> Self {
        Upload(Source::Bytes(text.into_bytes()))
    }
}

impl From<&str> for Upload {
    fn from(text: &str) -> Self {
        Upload(Source::Bytes(text.as_bytes().to_vec()))
    }
}
