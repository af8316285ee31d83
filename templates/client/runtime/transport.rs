//! Sends one logical call, with retries: the same request (and the same
//! `Idempotency-Key`) on every attempt, waits chosen by [`RetryPolicy`].

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};

use crate::runtime::retry::{Failure, Next, RetryPolicy};

static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The connection settings every call shares.
#[derive(Clone)]
pub struct Transport {
    pub http: reqwest::Client,
    /// The API's base URL without a trailing slash: `https://api.example.com/v1`.
    pub base_url: String,
    /// Headers sent with every request (credentials, user agent, your own).
    pub default_headers: HeaderMap,
    /// Query parameters sent with every request (API keys sent in the query).
    pub default_query: Vec<(String, String)>,
    pub retry: RetryPolicy,
    /// The limit for one attempt (default 60 s).
    pub timeout: Duration,
}

/// Credentials stay out of logs: header credentials are marked sensitive,
/// and query parameters (where API keys may travel) show only their names.
impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let query: Vec<&str> = self.default_query.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Transport")
            .field("base_url", &self.base_url)
            .field("default_headers", &self.default_headers)
            .field("default_query", &query)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Transport {
    pub fn new(base_url: &str) -> Self {
        Transport {
            http: reqwest::Client::new(),
            base_url: base_url.trim_end_matches('/').to_string(),
            default_headers: HeaderMap::new(),
            default_query: Vec::new(),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
        }
    }
}

/// One logical call: what to send, and how this call may differ from the
/// transport's settings.
#[derive(Debug, Clone, Default)]
pub struct Call {
    pub method: Method,
    /// The path after the base URL, parameters already in it: `/users/5`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    /// The body, already encoded.
    pub body: Option<Body>,
    /// Whether the operation deduplicates by `Idempotency-Key`: a key is
    /// then made once for the call unless [`Call::idempotency_key`] is set.
    pub idempotent: bool,
    pub idempotency_key: Option<String>,
    /// This call's retry policy and per-attempt timeout, if not the transport's.
    pub retry: Option<RetryPolicy>,
    pub timeout: Option<Duration>,
}

/// An encoded request body and its media type.
#[derive(Debug, Clone)]
pub struct Body {
    /// Its media type: fixed for most bodies, with a fresh boundary for multipart ones.
    pub content_type: Cow<'static, str>,
    pub bytes: Vec<u8>,
    /// Sent instead of `bytes` when set: a body read as it is sent, which
    /// can be sent only once, so the call is not retried.
    pub stream: Option<StreamSlot>,
}

/// A body sent as it is read, shared by a call's copies and taken by the
/// one attempt that sends it.
#[derive(Clone)]
pub struct StreamSlot(Arc<Mutex<Option<reqwest::Body>>>);

impl StreamSlot {
    pub fn new(body: reqwest::Body) -> Self {
        StreamSlot(Arc::new(Mutex::new(Some(body))))
    }

    fn take(&self) -> Option<reqwest::Body> {
        self.0.lock().map_or(None, |mut slot| slot.take())
    }
}

impl std::fmt::Debug for StreamSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StreamSlot")
    }
}

impl Body {
    /// `bytes` sent as `content_type`.
    pub fn new(content_type: impl Into<Cow<'static, str>>, bytes: Vec<u8>) -> Self {
        Body {
            content_type: content_type.into(),
            bytes,
            stream: None,
        }
    }

    /// `value` as JSON.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self, TransportError> {
        serde_json::to_vec(value)
            .map(|bytes| Body::new("application/json", bytes))
            .map_err(|error| TransportError::Request(format!("the body is not JSON: {error}")))
    }
}

/// The final answer of a call, whatever its status.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// How many attempts it took (1 without retries).
    pub attempts: u32,
    /// The key the call was sent with, if any.
    pub idempotency_key: Option<String>,
}

/// A call that got no answer at all.
#[derive(Debug)]
pub enum TransportError {
    /// Every attempt timed out.
    Timeout { attempts: u32 },
    /// The connection failed (refused, reset, DNS, TLS...).
    Connection {
        attempts: u32,
        source: reqwest::Error,
    },
    /// The request could not be built (a header value that is not valid, a
    /// body that is not JSON).
    Request(String),
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransportError::Timeout { attempts } => {
                write!(f, "no answer in time after {attempts} attempt(s)")
            }
            TransportError::Connection { attempts, source } => {
                write!(
                    f,
                    "the connection failed after {attempts} attempt(s): {source}"
                )
            }
            TransportError::Request(reason) => write!(f, "the request is invalid: {reason}"),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TransportError::Connection { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Transport {
    /// Sends `call`, retrying as the policy allows.
    pub async fn send(&self, call: Call) -> Result<Answer, TransportError> {
        let key = match (&call.idempotency_key, call.idempotent) {
            (Some(key), _) => Some(key.clone()),
            (None, true) => Some(uuid::Uuid::new_v4().to_string()),
            (None, false) => None,
        };
        let key_value = match &key {
            Some(key) => Some(
                HeaderValue::from_str(key)
                    .map_err(|_| TransportError::Request(
                        "the Idempotency-Key is not a valid header value".to_string(),
                    ))?,
            ),
            None => None,
        };
        let policy = call.retry.unwrap_or(self.retry);
        let streamed = call.body.as_ref().is_some_and(|body| body.stream.is_some());
        let policy = if RetryPolicy::may_retry(call.method.as_str(), key.is_some()) && !streamed {
            policy
        } else {
            RetryPolicy::none()
        };
        let timeout = call.timeout.unwrap_or(self.timeout);
        let url = format!("{}{}", self.base_url, call.path);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let mut request = self
                .http
                .request(call.method.clone(), &url)
                .headers(self.default_headers.clone())
                .headers(call.headers.clone())
                .timeout(timeout);
            if !self.default_query.is_empty() {
                request = request.query(&self.default_query);
            }
            if !call.query.is_empty() {
                request = request.query(&call.query);
            }
            if let Some(value) = &key_value {
                request = request.header(IDEMPOTENCY_KEY.clone(), value.clone());
            }
            if let Some(body) = &call.body {
                request = request.header(reqwest::header::CONTENT_TYPE, body.content_type.as_ref());
                request = match body.stream.as_ref().map(StreamSlot::take) {
                    None => request.body(body.bytes.clone()),
                    Some(Some(stream)) => request.body(stream),
                    Some(None) => {
                        return Err(TransportError::Request(
                            "a streamed body can be sent only once".to_string(),
                        ))
                    }
                };
            }
            let failure = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    match response.bytes().await {
                        Ok(body) => {
                            let answer = Answer {
                                status,
                                headers,
                                body: body.to_vec(),
                                attempts,
                                idempotency_key: key.clone(),
                            };
                            if !status.is_client_error() && !status.is_server_error() {
                                return Ok(answer);
                            }
                            match self.wait(&policy, attempts, &answer) {
                                Some(wait) => tokio::time::sleep(wait).await,
                                None => return Ok(answer),
                            }
                            continue;
                        }
                        Err(error) => error,
                    }
                }
                Err(error) => error,
            };
            let next = policy.next(attempts - 1, Failure::Transport, SystemTime::now());
            match next {
                Next::RetryAfter(wait) => tokio::time::sleep(wait).await,
                Next::GiveUp if failure.is_timeout() => {
                    return Err(TransportError::Timeout { attempts })
                }
                Next::GiveUp => {
                    return Err(TransportError::Connection {
                        attempts,
                        source: failure,
                    })
                }
            }
        }
    }

    /// The wait before retrying an error answer, or `None` to return it.
    fn wait(&self, policy: &RetryPolicy, attempts: u32, answer: &Answer) -> Option<Duration> {
        let header = |name: &str| answer.headers.get(name).and_then(|v| v.to_str().ok());
        let code = serde_json::from_slice::<serde_json::Value>(&answer.body)
            .ok()
            .and_then(|body| body["error"]["code"].as_str().map(str::to_string));
        let failure = Failure::Status {
            status: answer.status.as_u16(),
            code: code.as_deref(),
            retry_after: header("retry-after"),
            retry_after_ms: header("retry-after-ms"),
        };
        match policy.next(attempts - 1, failure, SystemTime::now()) {
            Next::RetryAfter(wait) => Some(wait),
            Next::GiveUp => None,
        }
    }
}
