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

/// The seed nodes of the Redis Cluster for the tests: `REDIS_CLUSTER_NODES`,
/// or the local cluster of `scripts/redis-cluster.sh`, started on first
/// use when it is not running. `None` when there is none, which under
/// `CI=true` fails the test instead.
pub fn cluster_nodes() -> Option<Vec<String>> {
    static NODES: std::sync::OnceLock<Option<Vec<String>>> = std::sync::OnceLock::new();
    NODES
        .get_or_init(|| {
            if let Ok(list) = std::env::var("REDIS_CLUSTER_NODES") {
                return Some(list.split(',').map(str::to_string).collect());
            }
            let started = cluster_script("start");
            if started.is_none() {
                assert!(
                    std::env::var("CI").map_or(true, |ci| ci != "true"),
                    "the local Redis Cluster did not start and CI=true forbids skipping"
                );
                eprintln!("skipping the Redis Cluster half: scripts/redis-cluster.sh start failed");
                return None;
            }
            cluster_script("nodes").map(|list| list.trim().split(',').map(str::to_string).collect())
        })
        .clone()
}

/// Runs `scripts/redis-cluster.sh <command>`; its output when it succeeds.
pub fn cluster_script(command: &str) -> Option<String> {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("scripts/redis-cluster.sh"))
        .find(|path| path.exists())?;
    let output = std::process::Command::new(script)
        .arg(command)
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}
