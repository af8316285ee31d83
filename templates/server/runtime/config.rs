//! Server settings with sensible defaults, overridable from the environment.

use std::time::Duration;

use crate::runtime::cursor::CursorCodec;

/// How the generated router behaves. `ServerConfig::default()` suits local
/// use; `ServerConfig::from_env()` reads the variables documented on each field.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest accepted request body (`BODY_LIMIT_BYTES`, default 1 MiB).
    pub body_limit: usize,
    /// How long a request may take before `503 REQUEST_TIMEOUT`
    /// (`REQUEST_TIMEOUT_SECS`, default 30).
    pub request_timeout: Duration,
    /// Signs pagination cursors (`CURSOR_SECRET`). Without it a random key is
    /// made at startup, so cursors do not survive a restart or cross replicas.
    pub cursors: CursorCodec,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            body_limit: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            cursors: CursorCodec::new(random_key()),
        }
    }
}

impl ServerConfig {
    /// The defaults, with any of `BODY_LIMIT_BYTES`, `REQUEST_TIMEOUT_SECS` and
    /// `CURSOR_SECRET` that are set. A variable that does not parse is an error.
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut config = ServerConfig::default();
        if let Some(bytes) = variable("BODY_LIMIT_BYTES")? {
            config.body_limit = bytes;
        }
        if let Some(seconds) = variable::<u64>("REQUEST_TIMEOUT_SECS")? {
            config.request_timeout = Duration::from_secs(seconds);
        }
        if let Ok(secret) = std::env::var("CURSOR_SECRET") {
            config.cursors = CursorCodec::new(secret.into_bytes());
        }
        Ok(config)
    }
}

fn variable<T: std::str::FromStr>(name: &'static str) -> Result<Option<T>, ConfigError> {
    match std::env::var(name) {
        Ok(text) => text.trim().parse().map(Some).map_err(|_| ConfigError {
            variable: name,
            value: text,
        }),
        Err(_) => Ok(None),
    }
}

fn random_key() -> Vec<u8> {
    let mut key = uuid::Uuid::new_v4().as_bytes().to_vec();
    key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    key
}

/// An environment variable that does not hold what its name promises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub value: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} has the invalid value {:?}",
            self.variable, self.value
        )
    }
}

impl std::error::Error for ConfigError {}
