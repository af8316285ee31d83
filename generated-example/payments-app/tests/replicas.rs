//! Two instances of the app on one Redis, or on one Redis Cluster, behave
//! as one server: a charge retried across both runs once, and a limit of N
//! per window holds for both together. Real processes, real sockets, the
//! Redis at `REDIS_URL` (default `redis://127.0.0.1:6379`) and the cluster
//! of `scripts/redis-cluster.sh` (or `REDIS_CLUSTER_NODES`); under
//! `CI=true` a missing one fails the test.

#[path = "../../../tests/support/redis.rs"]
mod redis_support;
#[path = "support/replica.rs"]
mod support;

use reqwest::StatusCode;

use support::{charge, charges_on, replica, shared_backends, Shared, KEY};

#[tokio::test]
async fn one_key_split_across_replicas_charges_once() {
    for shared in shared_backends().await {
        split_key_charges_once(&shared).await;
    }
}

async fn split_key_charges_once(shared: &Shared) {
    let prefix = redis_support::unique_prefix("replicas-once");
    let limits = "default=100000/60,burst=100000/1";
    let replicas = [
        replica(shared, &prefix, limits).await,
        replica(shared, &prefix, limits).await,
    ];
    let client = reqwest::Client::new();
    let body = r#"{"amount": 1999, "currency": "USD", "source": "tok_visa"}"#;
    let requests = (0..30).map(|n| {
        let client = client.clone();
        let base = replicas[n % 2].base.clone();
        tokio::spawn(async move { charge(&client, &base, "split-key", body).await })
    });
    let mut replies = Vec::new();
    for request in requests {
        replies.push(request.await.unwrap());
    }
    let originals: Vec<_> = replies
        .iter()
        .filter(|answer| answer.status == StatusCode::CREATED && !answer.replay)
        .collect();
    assert_eq!(
        originals.len(),
        1,
        "exactly one request ran the charge on {shared:?}"
    );
    for answer in &replies {
        match answer.status {
            StatusCode::CREATED => assert_eq!(answer.body, originals[0].body),
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    let total = charges_on(&client, &replicas[0]).await + charges_on(&client, &replicas[1]).await;
    assert_eq!(total, 1, "one charge exists across both replicas");
    // Later retries on either replica replay it.
    for replica in &replicas {
        let answer = charge(&client, &replica.base, "split-key", body).await;
        assert_eq!(answer.status, StatusCode::CREATED);
        assert!(answer.replay);
        assert_eq!(answer.body, originals[0].body);
    }
}

#[tokio::test]
async fn a_limit_holds_for_both_replicas_together() {
    for shared in shared_backends().await {
        limit_holds_together(&shared).await;
    }
}

async fn limit_holds_together(shared: &Shared) {
    let prefix = redis_support::unique_prefix("replicas-limit");
    // 6 per minute, shared: the fourth request on each replica is refused.
    let limits = "default=6/60";
    let replicas = [
        replica(shared, &prefix, limits).await,
        replica(shared, &prefix, limits).await,
    ];
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    let mut remaining = Vec::new();
    for n in 0..10 {
        let response = client
            .get(format!("{}/v1/users", replicas[n % 2].base))
            .header("X-API-Key", KEY)
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
        remaining.push(
            response.headers()["x-ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_string(),
        );
    }
    let allowed = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(allowed, 6, "{statuses:?} on {shared:?}");
    assert!(statuses[6..]
        .iter()
        .all(|s| *s == StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(remaining[..6], ["5", "4", "3", "2", "1", "0"]);
}
