//! Where the Redis for the tests is, and whether the tests may skip it.

use std::time::{SystemTime, UNIX_EPOCH};

/// `REDIS_URL`, or the local default.
pub fn url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_string())
}

/// `host:port` of [`url`].
pub fn address() -> String {
    let url = url();
    let rest = url.split("://").nth(1).unwrap_or(&url);
    let host = rest.rsplit('@').next().unwrap_or(rest);
    host.split('/').next().unwrap_or(host).to_string()
}

/// Whether Redis answers. Under `CI=true` it must: a missing Redis fails
/// the test instead of skipping it.
pub async fn available() -> bool {
    let up = tokio::net::TcpStream::connect(address()).await.is_ok();
    if !up {
        assert!(
            std::env::var("CI").map_or(true, |ci| ci != "true"),
            "Redis is not reachable at {} and CI=true forbids skipping",
            url()
        );
        eprintln!("skipping the Redis half: nothing listens at {}", url());
    }
    up
}

/// A key prefix no other test run uses.
pub fn unique_prefix(test: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("test:{test}:{}:{nanos}:", std::process::id())
}
