//! The client, how it is built, and the options a call may change.
//!
//! The spec's parts (its default URL, a method per credential scheme, a
//! method per operation) are generated beside this, in the crate root.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use reqwest::Method;

use crate::runtime::retry::RetryPolicy;
use crate::runtime::transport::{Answer, Call, Transport, TransportError};

/// A client of the API. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    transport: Transport,
    options: RequestOptions,
}

/// What one call, or every call of a [`Client::with_options`] copy, does
/// differently from the client.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// The retry policy instead of the client's.
    pub retry: Option<RetryPolicy>,
    /// The limit for one attempt instead of the client's.
    pub timeout: Option<Duration>,
    /// The `Idempotency-Key` to send instead of a fresh one (operations
    /// with `x-idempotency` only): to retry a call yourself, later, safely.
    pub idempotency_key: Option<String>,
    /// More headers for the request.
    pub headers: HeaderMap,
}

impl RequestOptions {
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }
}

impl Client {
    /// A client of the API at `base_url` (scheme, host and any prefix in
    /// front of the spec's paths), without credentials.
    pub fn new(base_url: &str) -> Self {
        Client {
            transport: Transport::new(base_url),
            options: RequestOptions::default(),
        }
    }

    /// A copy of this client whose calls use `options`: a per-call retry
    /// policy, timeout, idempotency key or header.
    pub fn with_options(&self, options: RequestOptions) -> Self {
        Client {
            transport: self.transport.clone(),
            options,
        }
    }

    pub fn base_url(&self) -> &str {
        &self.transport.base_url
    }

    /// A call to `path` (base path included), with this client's options:
    /// with [`Client::send`], a way to reach what the spec does not declare.
    pub fn call(&self, method: Method, path: String) -> Call {
        let options = &self.options;
        Call {
            method,
            path,
            headers: options.headers.clone(),
            idempotency_key: options.idempotency_key.clone(),
            retry: options.retry,
            timeout: options.timeout,
            ..Call::default()
        }
    }

    /// Sends a call, with retries.
    pub async fn send(&self, call: Call) -> Result<Answer, TransportError> {
        self.transport.send(call).await
    }
}

/// Builds a [`Client`]: base URL, credentials, timeout, retries, headers.
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    http: Option<reqwest::Client>,
    headers: HeaderMap,
    query: Vec<(String, String)>,
    retry: RetryPolicy,
    timeout: Duration,
    invalid: Vec<String>,
}

impl ClientBuilder {
    pub fn new(base_url: &str) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"))),
        );
        ClientBuilder {
            base_url: base_url.to_string(),
            http: None,
            headers,
            query: Vec::new(),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
            invalid: Vec::new(),
        }
    }

    /// Scheme, host and any prefix in front of the spec's paths.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The limit for one attempt (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How failed calls are retried (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` (default: this crate's name and version).
    pub fn user_agent(self, user_agent: &str) -> Self {
        self.default_header("user-agent", user_agent)
    }

    /// A header sent with every request.
    pub fn default_header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                self.headers.insert(name, value);
            }
            _ => self.invalid.push(format!("the `{name}` header")),
        }
        self
    }

    /// The `reqwest::Client` to send with, configured as you need (TLS,
    /// proxies, connection pool); its own timeout and default headers
    /// apply beneath the builder's.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// A credential header, kept out of `Debug` output.
    pub fn credential_header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(mut value)) => {
                value.set_sensitive(true);
                self.headers.insert(name, value);
            }
            _ => self.invalid.push(format!("the credential in `{name}`")),
        }
        self
    }

    /// A credential sent in the query of every request.
    pub fn credential_query(mut self, name: &str, value: &str) -> Self {
        self.query.retain(|(key, _)| key != name);
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// The client, or which of the values given is not valid in HTTP.
    pub fn build(self) -> Result<Client, BuildError> {
        if self.base_url.is_empty() {
            return Err(BuildError {
                reason: "no base URL: the spec names no absolute server, so set one with `base_url`"
                    .to_string(),
            });
        }
        if !self.invalid.is_empty() {
            return Err(BuildError {
                reason: format!("{} is not valid in HTTP", self.invalid.join(", ")),
            });
        }
        let mut transport = Transport::new(&self.base_url);
        if let Some(http) = self.http {
            transport.http = http;
        }
        transport.default_headers = self.headers;
        transport.default_query = self.query;
        transport.retry = self.retry;
        transport.timeout = self.timeout;
        Ok(Client {
            transport,
            options: RequestOptions::default(),
        })
    }
}

/// A [`ClientBuilder`] value that cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    reason: String,
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for BuildError {}
