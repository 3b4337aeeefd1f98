//! Rate limits: 429 with the `ratelimit-*` and `Retry-After` headers, then success once the
//! window ends on the mock clock (advanced, never slept).

mod common;

use common::*;
use msp_mock_server::{Clock, MockServer, RateLimitMode, RateLimits};
use serde_json::{Value, json};

async fn limited(per_client: u32, tenant_create: u32) -> MockServer {
    MockServer::builder()
        .fixture(fixture(SMALL))
        .clock(Clock::manual(chrono::Utc::now()))
        .tenant_cap(1000)
        .rate_limits(RateLimits {
            window_secs: 60,
            per_client,
            per_workspace: 2,
            tenant_create,
            token_requests: 5,
        })
        .start()
        .await
}

#[tokio::test]
async fn per_client_limit_answers_429_then_recovers() {
    let mock = limited(3, 10).await;
    let h = bearer_http(&alpha_token(&mock).await);
    let url = format!("{}/workspaces/v1/msp-tenants", mock.uri());
    for _ in 0..3 {
        assert_eq!(h.get(&url).send().await.unwrap().status(), 200);
    }
    let r = h.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 429);
    let hd = r.headers();
    assert_eq!(hd["ratelimit-limit"], "3");
    assert_eq!(hd["ratelimit-remaining"], "0");
    assert_eq!(hd["ratelimit-reset"], "60");
    assert_eq!(hd["retry-after"], "60");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["errorCode"], "HPE_GL_ERROR_TOO_MANY_REQUESTS");
    assert_eq!(v["httpStatusCode"], 429);
    // Another client has its own quota.
    let other = bearer_http(&other_token(&mock).await);
    assert_eq!(other.get(&url).send().await.unwrap().status(), 200);
    // Half the window later: still limited, reset counts down.
    mock.clock().advance(30.0);
    let r = h.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["ratelimit-reset"], "30");
    // Window over: success.
    mock.clock().advance(30.0);
    assert_eq!(h.get(&url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn tenant_creation_has_its_own_class() {
    let mock = limited(1000, 2).await;
    let h = bearer_http(&alpha_token(&mock).await);
    let url = format!("{}/workspaces/v1/msp-tenants", mock.uri());
    for i in 0..2 {
        let r = h
            .post(&url)
            .json(&json!({"workspaceName": format!("N{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let r = h
        .post(&url)
        .json(&json!({"workspaceName": "N2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["ratelimit-limit"], "2");
    // The document view shares the creation quota, in its own error shape.
    let r = h
        .post(format!(
            "{}/workspace-management/v1/msp-tenants",
            mock.uri()
        ))
        .json(&json!({"workspace_name": "N2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "RATE_LIMITED"
    );
    // Reads are not creation-limited.
    assert_eq!(h.get(&url).send().await.unwrap().status(), 200);
    mock.clock().advance(60.0);
    let r = h
        .post(&url)
        .json(&json!({"workspaceName": "N2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn tenant_tokens_are_limited_per_workspace() {
    let mock = limited(1000, 10).await; // per_workspace: 2
    let msp = alpha_token(&mock).await;
    let t = bearer_http(&tenant_token(&mock, &msp, ACME).await);
    let url = format!("{}/workspaces/v1/workspaces/{ACME}", mock.uri());
    assert_eq!(t.get(&url).send().await.unwrap().status(), 200);
    assert_eq!(t.get(&url).send().await.unwrap().status(), 200);
    assert_eq!(t.get(&url).send().await.unwrap().status(), 429);
}

#[tokio::test]
async fn tenant_token_calls_count_against_the_msp_client() {
    let mock = limited(4, 10).await; // per_client 4, per_workspace 2
    let msp = alpha_token(&mock).await;
    let m = bearer_http(&msp);
    let acme = bearer_http(&tenant_token(&mock, &msp, ACME).await);
    let bravo = bearer_http(&tenant_token(&mock, &msp, BRAVO).await);
    let ws = |id: &str| format!("{}/workspaces/v1/workspaces/{id}", mock.uri());
    assert_eq!(acme.get(ws(ACME)).send().await.unwrap().status(), 200);
    assert_eq!(acme.get(ws(ACME)).send().await.unwrap().status(), 200);
    assert_eq!(bravo.get(ws(BRAVO)).send().await.unwrap().status(), 200);
    assert_eq!(m.get(ws(ALPHA)).send().await.unwrap().status(), 200);
    // The MSP's client quota (4) is used up by its own and its tenants' calls.
    let r = m.get(ws(ALPHA)).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["ratelimit-limit"], "4");
}

#[tokio::test]
async fn token_endpoint_is_rate_limited_per_client() {
    let mock = limited(1000, 10).await; // token_requests: 5
    let url = format!("{}/as/token.oauth2", mock.uri());
    let ask = |id: &'static str, secret: &'static str| {
        http()
            .post(&url)
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
    };
    for _ in 0..5 {
        assert_eq!(
            ask("alpha-client", "alpha-secret").await.unwrap().status(),
            200
        );
    }
    let r = ask("alpha-client", "alpha-secret").await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["ratelimit-remaining"], "0");
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "temporarily_unavailable"
    );
    assert_eq!(
        ask("other-client", "other-secret").await.unwrap().status(),
        200
    );
    mock.clock().advance(60.0);
    assert_eq!(
        ask("alpha-client", "alpha-secret").await.unwrap().status(),
        200
    );
}

/// A mock whose fixture allows 3 calls per client per window, with `mode` applied.
async fn tight_with(mode: RateLimitMode) -> MockServer {
    MockServer::builder()
        .fixture(fixture(SMALL))
        .clock(Clock::manual(chrono::Utc::now()))
        .rate_limits(RateLimits {
            window_secs: 60,
            per_client: 3,
            per_workspace: 2,
            tenant_create: 1,
            token_requests: 100,
        })
        .rate_limit_mode(mode)
        .start()
        .await
}

#[tokio::test]
async fn rate_limits_off_never_answers_429() {
    let mock = tight_with(RateLimitMode::Off).await;
    let h = bearer_http(&alpha_token(&mock).await);
    let url = format!("{}/workspaces/v1/msp-tenants", mock.uri());
    for i in 0..50 {
        let r = h.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200, "call {i}");
    }
    // Tenant creation (quota 1 in the fixture) is not limited either.
    for i in 0..3 {
        let r = h
            .post(&url)
            .json(&json!({"workspaceName": format!("Off{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "create {i}");
    }
    // Tenant tokens (per-workspace quota 2) are not limited.
    let msp = alpha_token(&mock).await;
    let t = bearer_http(&tenant_token(&mock, &msp, ACME).await);
    let dev = format!("{}/devices/v1/devices", mock.uri());
    for i in 0..10 {
        assert_eq!(
            t.get(&dev).send().await.unwrap().status(),
            200,
            "tenant call {i}"
        );
    }
}

#[tokio::test]
async fn scaled_rate_limits_multiply_every_quota() {
    let mock = tight_with(RateLimitMode::Scaled(10)).await;
    let h = bearer_http(&alpha_token(&mock).await);
    let url = format!("{}/workspaces/v1/msp-tenants", mock.uri());
    for i in 0..30 {
        assert_eq!(h.get(&url).send().await.unwrap().status(), 200, "call {i}");
    }
    let r = h.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["ratelimit-limit"], "30");
    // The window is unchanged: it ends after 60 s on the mock clock.
    mock.clock().advance(60.0);
    assert_eq!(h.get(&url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn the_default_mode_keeps_the_configured_quotas() {
    let mock = tight_with(RateLimitMode::default()).await;
    let h = bearer_http(&alpha_token(&mock).await);
    let url = format!("{}/workspaces/v1/msp-tenants", mock.uri());
    for _ in 0..3 {
        assert_eq!(h.get(&url).send().await.unwrap().status(), 200);
    }
    let r = h.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["ratelimit-limit"], "3");
}
