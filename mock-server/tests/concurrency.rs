//! Caps and uniqueness hold under concurrent creates.

mod common;

use common::*;
use futures::future::join_all;
use msp_mock_server::{MockServer, RateLimits};
use serde_json::{Value, json};

/// Alpha's credentials, no tenants yet.
const EMPTY_ALPHA: &str = r#"
msps:
  - workspace_id: 11111111-1111-4111-8111-111111111111
    name: Alpha MSP
    client_id: alpha-client
    client_secret: alpha-secret
"#;

async fn roomy(cap: usize) -> MockServer {
    MockServer::builder()
        .fixture(fixture(EMPTY_ALPHA))
        .tenant_cap(cap)
        .rate_limits(RateLimits {
            window_secs: 60,
            per_client: 100_000,
            per_workspace: 100_000,
            tenant_create: 100_000,
            ..RateLimits::default()
        })
        .start()
        .await
}

async fn statuses(mock: &MockServer, bodies: Vec<Value>) -> (usize, usize, usize) {
    let h = bearer_http(&alpha_token(mock).await);
    let url = format!("{}/workspaces/v1/msp-tenants", mock.uri());
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(64));
    let tasks = bodies.into_iter().map(|b| {
        let (h, url, sem) = (h.clone(), url.clone(), sem.clone());
        tokio::spawn(async move {
            let _permit = sem.acquire().await.unwrap();
            h.post(url).json(&b).send().await.unwrap().status().as_u16()
        })
    });
    let results: Vec<u16> = join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    let created = results.iter().filter(|s| **s == 201).count();
    let conflicts = results.iter().filter(|s| **s == 409).count();
    (created, conflicts, results.len() - created - conflicts)
}

async fn total(mock: &MockServer) -> u64 {
    let h = bearer_http(&alpha_token(mock).await);
    let v: Value = h
        .get(format!(
            "{}/workspaces/v1/msp-tenants?limit=300",
            mock.uri()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["total"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousand_concurrent_creates_respect_a_cap_of_100() {
    let mock = roomy(100).await;
    let bodies = (0..1000)
        .map(|i| json!({"workspaceName": format!("c-{i}")}))
        .collect();
    let (created, refused, other) = statuses(&mock, bodies).await;
    assert_eq!(created, 100);
    assert_eq!(refused, 900);
    assert_eq!(other, 0);
    assert_eq!(total(&mock).await, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_creates_of_one_name_create_one() {
    let mock = roomy(1000).await;
    let bodies = (0..200)
        .map(|_| json!({"workspaceName": "Same Name"}))
        .collect();
    let (created, refused, other) = statuses(&mock, bodies).await;
    assert_eq!((created, refused, other), (1, 199, 0));
    assert_eq!(total(&mock).await, 1);
}
