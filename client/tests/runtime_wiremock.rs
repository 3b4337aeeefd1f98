//! Edge cases of the MSP/tenant token runtime and the retry policy, against `wiremock`:
//! single-flight exchanges, refresh ahead of expiry, 401 handling, 429 waits and bounds,
//! no retries of non-idempotent requests, token response checks, secrets kept out of `Debug`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use msp_client::{
    Credentials, Error, ManualClock, MspSession, RetryPolicy, SessionOptions, TenantRef, TimeSource,
};
use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const MSP_WS: &str = "11111111-2222-4333-8444-555555555555";
const TENANT: &str = "0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0";
const TENANT_HEX: &str = "0f1e2d3c4b5a49688776a5b4c3d2e1f0";
const SECRET: &str = "client-secret-must-not-leak-7f3a";

/// Answers token requests with `prefix-1`, `prefix-2`, ...
struct TokenSeq {
    prefix: &'static str,
    n: AtomicUsize,
    expires_in: u64,
    delay: Duration,
}

impl TokenSeq {
    fn new(prefix: &'static str) -> Self {
        Self {
            prefix,
            n: AtomicUsize::new(0),
            expires_in: 900,
            delay: Duration::ZERO,
        }
    }
}

impl Respond for TokenSeq {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.n.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .set_body_json(json!({
                "access_token": format!("{}-{i}", self.prefix),
                "token_type": "Bearer",
                "expires_in": self.expires_in,
            }))
            .set_delay(self.delay)
    }
}

fn msp_token_path() -> String {
    format!("/authorization/v2/oauth2/{MSP_WS}/token")
}

fn exchange_path() -> String {
    format!("/authorization/v2/oauth2/{TENANT_HEX}/token")
}

async fn mount_msp_tokens(server: &MockServer, seq: TokenSeq) {
    Mock::given(method("POST"))
        .and(path(msp_token_path()))
        .and(body_string_contains("grant_type=client_credentials"))
        .respond_with(seq)
        .mount(server)
        .await;
}

async fn mount_exchange(server: &MockServer, responder: impl Respond + 'static) {
    Mock::given(method("POST"))
        .and(path(exchange_path()))
        .and(body_string_contains("token-exchange"))
        .respond_with(responder)
        .mount(server)
        .await;
}

fn creds(server: &MockServer) -> Credentials {
    Credentials::new("client-id", SECRET, MSP_WS)
        .with_base_url_for_all(&server.uri())
        .unwrap()
}

async fn count(server: &MockServer, p: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == p)
        .count()
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(10),
        ..RetryPolicy::default()
    }
}

/// Sends a GET through a session context, as a generated client's hooks would.
async fn get(
    ctx: &msp_client::hooks::Context,
    http: &reqwest::Client,
    url: String,
) -> reqwest::Response {
    let req = http.get(url).build().unwrap();
    ctx.send(http, req, "test call").await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_tenant_calls_perform_one_exchange() {
    let server = MockServer::start().await;
    mount_msp_tokens(&server, TokenSeq::new("msp")).await;
    let mut ex = TokenSeq::new("tenant");
    ex.delay = Duration::from_millis(200);
    mount_exchange(&server, ex).await;
    let msp = MspSession::connect(creds(&server)).await.unwrap();

    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let msp = msp.clone();
            // Mix id spellings: all normalise to the same tenant.
            let id = if i % 2 == 0 {
                TENANT.to_string()
            } else {
                TENANT_HEX.to_string()
            };
            tokio::spawn(async move { msp.tenant(TenantRef::Id(id)).await })
        })
        .collect();
    for t in tasks {
        let tenant = t.await.unwrap().unwrap();
        assert_eq!(tenant.id(), TENANT_HEX);
        assert_eq!(tenant.access_token().await.unwrap().expose(), "tenant-1");
    }
    assert_eq!(count(&server, &exchange_path()).await, 1);
    assert_eq!(count(&server, &msp_token_path()).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn different_tenants_exchange_in_parallel() {
    let server = MockServer::start().await;
    mount_msp_tokens(&server, TokenSeq::new("msp")).await;
    let ids: Vec<String> = (0..5).map(|i| format!("{i:032x}")).collect();
    for id in &ids {
        let mut seq = TokenSeq::new("t");
        seq.delay = Duration::from_millis(500);
        Mock::given(method("POST"))
            .and(path(format!("/authorization/v2/oauth2/{id}/token")))
            .respond_with(seq)
            .mount(&server)
            .await;
    }
    let msp = MspSession::connect(creds(&server)).await.unwrap();
    let started = Instant::now();
    let opened =
        futures::future::join_all(ids.iter().map(|id| msp.tenant(TenantRef::Id(id.clone())))).await;
    assert!(opened.iter().all(|r| r.is_ok()));
    // Five 500 ms exchanges in series would take 2.5 s.
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn tokens_refresh_before_expiry_when_the_clock_moves() {
    let server = MockServer::start().await;
    mount_msp_tokens(&server, TokenSeq::new("msp")).await;
    mount_exchange(&server, TokenSeq::new("tenant")).await;
    Mock::given(method("GET"))
        .and(path("/api"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let clock = ManualClock::starting_2026();
    let options = SessionOptions::default().with_clock(clock.clone());
    let msp = MspSession::connect_with(creds(&server), options)
        .await
        .unwrap();
    let tenant = msp.tenant(TenantRef::Id(TENANT.into())).await.unwrap();
    let ctx = tenant.context();

    // 900 s tokens, 60 s skew: still fresh at 839 s.
    clock.advance(Duration::from_secs(839));
    get(&ctx, tenant.http(), format!("{}/api", server.uri())).await;
    assert_eq!(count(&server, &exchange_path()).await, 1);

    // At 840 s the tenant token is due: the next call re-exchanges first (and the MSP token,
    // due at the same time, is renewed to be the subject).
    clock.advance(Duration::from_secs(1));
    get(&ctx, tenant.http(), format!("{}/api", server.uri())).await;
    assert_eq!(count(&server, &exchange_path()).await, 2);
    assert_eq!(count(&server, &msp_token_path()).await, 2);
    let calls: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/api")
        .map(|r| {
            r.headers
                .get("authorization")
                .unwrap()
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(calls, vec!["Bearer tenant-1", "Bearer tenant-2"]);
    assert_eq!(tenant.token_fetch_count(), 2);
    assert!(clock.sleeps().is_empty(), "no retries were needed");
}

/// 200 only for one bearer token, 401 otherwise.
struct OnlyToken(&'static str);

impl Respond for OnlyToken {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        if auth == Some(&format!("Bearer {}", self.0)[..]) {
            ResponseTemplate::new(200).set_body_json(json!({"ok": true}))
        } else {
            ResponseTemplate::new(401).set_body_json(json!({"message": "token expired"}))
        }
    }
}

#[tokio::test]
async fn a_tenant_401_costs_one_exchange_and_no_msp_reauth() {
    let server = MockServer::start().await;
    mount_msp_tokens(&server, TokenSeq::new("msp")).await;
    mount_exchange(&server, TokenSeq::new("tenant")).await;
    Mock::given(method("GET"))
        .and(path("/api"))
        .respond_with(OnlyToken("tenant-2"))
        .mount(&server)
        .await;
    let msp = MspSession::connect(creds(&server)).await.unwrap();
    let tenant = msp.tenant(TenantRef::Id(TENANT.into())).await.unwrap();
    let resp = get(
        &tenant.context(),
        tenant.http(),
        format!("{}/api", server.uri()),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        count(&server, &exchange_path()).await,
        2,
        "initial + one re-exchange"
    );
    assert_eq!(count(&server, &msp_token_path()).await, 1, "no MSP re-auth");
    assert_eq!(count(&server, "/api").await, 2);
}

#[tokio::test]
async fn a_request_is_retried_at_most_once_for_auth() {
    let server = MockServer::start().await;
    mount_msp_tokens(&server, TokenSeq::new("msp")).await;
    mount_exchange(&server, TokenSeq::new("tenant")).await;
    Mock::given(method("GET"))
        .and(path("/api"))
        .respond_with(OnlyToken("never"))
        .mount(&server)
        .await;
    let msp = MspSession::connect(creds(&server)).await.unwrap();
    let tenant = msp.tenant(TenantRef::Id(TENANT.into())).await.unwrap();
    let resp = get(
        &tenant.context(),
        tenant.http(),
        format!("{}/api", server.uri()),
    )
    .await;
    assert_eq!(resp.status(), 401);
    assert_eq!(count(&server, "/api").await, 2);
    assert_eq!(count(&server, &exchange_path()).await, 2);
    assert_eq!(count(&server, &msp_token_path()).await, 1);
}

/// Token exchange that refuses subject `msp-1` and accepts any other.
struct RefuseSubject(&'static str);

impl Respond for RefuseSubject {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&req.body);
        if body.contains(&format!("subject_token={}&", self.0))
            || body.ends_with(&format!("subject_token={}", self.0))
        {
            ResponseTemplate::new(401).set_body_json(json!({
                "error": "invalid_token", "error_description": "subject token expired"
            }))
        } else {
            ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "tenant-ok", "token_type": "Bearer", "expires_in": 900
            }))
        }
    }
}

#[tokio::test]
async fn a_refused_exchange_renews_the_msp_token_once() {
    let server = MockServer::start().await;
    mount_msp_tokens(&server, TokenSeq::new("msp")).await;
    mount_exchange(&server, RefuseSubject("msp-1")).await;
    let msp = MspSession::connect(creds(&server)).await.unwrap();
    let tenant = msp.tenant(TenantRef::Id(TENANT.into())).await.unwrap();
    assert_eq!(tenant.access_token().await.unwrap().expose(), "tenant-ok");
    assert_eq!(count(&server, &msp_token_path()).await, 2);
    assert_eq!(count(&server, &exchange_path()).await, 2);
    assert_eq!(msp.access_token().await.unwrap().expose(), "msp-2");
}

#[tokio::test]
async fn an_always_refused_exchange_fails_after_one_msp_renewal() {
    let server = MockServer::start().await;
    mount_msp_tokens(&server, TokenSeq::new("msp")).await;
    mount_exchange(
        &server,
        ResponseTemplate::new(400).set_body_json(
            json!({"error": "invalid_grant", "error_description": "not your tenant"}),
        ),
    )
    .await;
    let msp = MspSession::connect(creds(&server)).await.unwrap();
    let err = msp.tenant(TenantRef::Id(TENANT.into())).await.unwrap_err();
    match &err {
        Error::Token { status, error, .. } => {
            assert_eq!(*status, Some(400));
            assert_eq!(error.as_deref(), Some("invalid_grant"));
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(err.to_string().contains(TENANT_HEX), "{err}");
    assert_eq!(count(&server, &msp_token_path()).await, 2);
    assert_eq!(count(&server, &exchange_path()).await, 2);
    // The failure is not cached: a later call tries again.
    assert!(msp.tenant(TenantRef::Id(TENANT.into())).await.is_err());
    assert_eq!(count(&server, &exchange_path()).await, 4);
}

/// Answers with `first` for the first `n` calls, then 200.
struct FirstN {
    n: usize,
    seen: AtomicUsize,
    first: ResponseTemplate,
}

impl Respond for FirstN {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.seen.fetch_add(1, Ordering::SeqCst) < self.n {
            self.first.clone()
        } else {
            ResponseTemplate::new(200).set_body_json(json!({"ok": true}))
        }
    }
}

async fn api_server(responder: impl Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    mount_msp_tokens(&server, TokenSeq::new("msp")).await;
    Mock::given(path("/api"))
        .respond_with(responder)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_429_with_retry_after_1_waits_about_a_second() {
    let server = api_server(FirstN {
        n: 1,
        seen: AtomicUsize::new(0),
        first: ResponseTemplate::new(429).insert_header("Retry-After", "1"),
    })
    .await;
    let msp = MspSession::connect(creds(&server)).await.unwrap();
    let started = Instant::now();
    let resp = get(&msp.context(), msp.http(), format!("{}/api", server.uri())).await;
    let waited = started.elapsed();
    assert_eq!(resp.status(), 200);
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert!(waited < Duration::from_millis(2500), "{waited:?}");
    assert_eq!(count(&server, "/api").await, 2);
}

#[tokio::test]
async fn ratelimit_reset_and_http_dates_set_the_wait() {
    let clock = ManualClock::starting_2026();
    let server = api_server(FirstN {
        n: 1,
        seen: AtomicUsize::new(0),
        first: ResponseTemplate::new(429).insert_header("ratelimit-reset", "7"),
    })
    .await;
    let msp = MspSession::connect_with(
        creds(&server),
        SessionOptions::default().with_clock(clock.clone()),
    )
    .await
    .unwrap();
    let resp = get(&msp.context(), msp.http(), format!("{}/api", server.uri())).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(7)]);

    // Retry-After as an HTTP date, 12 s after the manual clock's now.
    let now: chrono::DateTime<chrono::Utc> = (clock.now() + Duration::from_secs(12)).into();
    let server = api_server(FirstN {
        n: 1,
        seen: AtomicUsize::new(0),
        first: ResponseTemplate::new(503)
            .insert_header("Retry-After", now.to_rfc2822().replace("+0000", "GMT")),
    })
    .await;
    let clock = ManualClock::new(clock.now());
    let msp = MspSession::connect_with(
        creds(&server),
        SessionOptions::default().with_clock(clock.clone()),
    )
    .await
    .unwrap();
    get(&msp.context(), msp.http(), format!("{}/api", server.uri())).await;
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(12)]);
}

#[tokio::test]
async fn retries_stop_at_the_configured_bounds() {
    // Attempt budget: 3 rate-limit retries, then the 429 is returned.
    let clock = ManualClock::starting_2026();
    let server = api_server(ResponseTemplate::new(429)).await;
    let retry = RetryPolicy {
        max_rate_limit_retries: 3,
        ..fast_retry()
    };
    let options = SessionOptions::default()
        .with_clock(clock.clone())
        .with_retry(retry);
    let msp = MspSession::connect_with(creds(&server), options)
        .await
        .unwrap();
    let resp = get(&msp.context(), msp.http(), format!("{}/api", server.uri())).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(count(&server, "/api").await, 4);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 3);
    // Full-jitter backoff: each wait is at most base * 2^n.
    for (n, s) in sleeps.iter().enumerate() {
        assert!(*s <= Duration::from_millis(10 << n), "{n}: {s:?}");
    }

    // Total-wait budget: Retry-After 10 s with 15 s allowed gives one retry, not four.
    let clock = ManualClock::starting_2026();
    let server = api_server(ResponseTemplate::new(429).insert_header("Retry-After", "10")).await;
    let retry = RetryPolicy {
        max_total_wait: Duration::from_secs(15),
        ..fast_retry()
    };
    let options = SessionOptions::default()
        .with_clock(clock.clone())
        .with_retry(retry);
    let msp = MspSession::connect_with(creds(&server), options)
        .await
        .unwrap();
    let resp = get(&msp.context(), msp.http(), format!("{}/api", server.uri())).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(count(&server, "/api").await, 2);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(10)]);

    // A hint beyond max_delay is not waited for at all.
    let clock = ManualClock::starting_2026();
    let server = api_server(ResponseTemplate::new(429).insert_header("Retry-After", "3600")).await;
    let options = SessionOptions::default()
        .with_clock(clock.clone())
        .with_retry(fast_retry());
    let msp = MspSession::connect_with(creds(&server), options)
        .await
        .unwrap();
    let resp = get(&msp.context(), msp.http(), format!("{}/api", server.uri())).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(count(&server, "/api").await, 1);
    assert!(clock.sleeps().is_empty());

    // Transient budget is separate: 503s get max_transient_retries.
    let clock = ManualClock::starting_2026();
    let server = api_server(ResponseTemplate::new(503)).await;
    let retry = RetryPolicy {
        max_transient_retries: 2,
        ..fast_retry()
    };
    let options = SessionOptions::default()
        .with_clock(clock.clone())
        .with_retry(retry);
    let msp = MspSession::connect_with(creds(&server), options)
        .await
        .unwrap();
    let resp = get(&msp.context(), msp.http(), format!("{}/api", server.uri())).await;
    assert_eq!(resp.status(), 503);
    assert_eq!(count(&server, "/api").await, 3);
}

#[tokio::test]
async fn non_idempotent_requests_are_retried_only_when_unprocessed() {
    for (status, expected_attempts) in [(500u16, 1usize), (503, 1), (502, 1), (429, 2)] {
        let clock = ManualClock::starting_2026();
        let server = api_server(FirstN {
            n: 1,
            seen: AtomicUsize::new(0),
            first: ResponseTemplate::new(status),
        })
        .await;
        let options = SessionOptions::default()
            .with_clock(clock)
            .with_retry(fast_retry());
        let msp = MspSession::connect_with(creds(&server), options)
            .await
            .unwrap();
        let req = msp
            .http()
            .post(format!("{}/api", server.uri()))
            .json(&json!({"name": "x"}))
            .build()
            .unwrap();
        let resp = msp.context().send(msp.http(), req, "post").await.unwrap();
        assert_eq!(
            count(&server, "/api").await,
            expected_attempts,
            "POST answered {status}"
        );
        let expect_status = if expected_attempts == 1 { status } else { 200 };
        assert_eq!(resp.status().as_u16(), expect_status);
    }
    // The same 500 on a GET is not retried either (500 is not transient); 502 on GET is.
    let server = api_server(FirstN {
        n: 1,
        seen: AtomicUsize::new(0),
        first: ResponseTemplate::new(502),
    })
    .await;
    let options = SessionOptions::default()
        .with_clock(ManualClock::starting_2026())
        .with_retry(fast_retry());
    let msp = MspSession::connect_with(creds(&server), options)
        .await
        .unwrap();
    let resp = get(&msp.context(), msp.http(), format!("{}/api", server.uri())).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(count(&server, "/api").await, 2);
}

#[tokio::test]
async fn connect_errors_are_retried_even_for_posts() {
    // Nothing listens on this port: every attempt is a connect error, never sent.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = listener.local_addr().unwrap();
    drop(listener);
    let server = MockServer::start().await;
    mount_msp_tokens(&server, TokenSeq::new("msp")).await;
    let clock = ManualClock::starting_2026();
    let retry = RetryPolicy {
        max_transient_retries: 2,
        ..fast_retry()
    };
    let options = SessionOptions::default()
        .with_clock(clock.clone())
        .with_retry(retry);
    let msp = MspSession::connect_with(creds(&server), options)
        .await
        .unwrap();
    let req = msp
        .http()
        .post(format!("http://{dead}/api"))
        .body("{}")
        .build()
        .unwrap();
    let err = msp
        .context()
        .send(msp.http(), req, "post to nowhere")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(clock.sleeps().len(), 2);
}

#[tokio::test]
async fn token_responses_are_checked() {
    // 200 without access_token.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(msp_token_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"token_type": "Bearer"})))
        .mount(&server)
        .await;
    let err = MspSession::connect(creds(&server)).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Token {
                status: Some(200),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("access_token"), "{err}");

    // 401 invalid_client: error and description surface, secret does not.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(msp_token_path()))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(
                json!({"error": "invalid_client", "error_description": "bad secret"}),
            ),
        )
        .mount(&server)
        .await;
    let err = MspSession::connect(creds(&server)).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("401") && text.contains("invalid_client") && text.contains("bad secret"),
        "{text}"
    );
    assert!(!text.contains(SECRET) && !format!("{err:?}").contains(SECRET));
    // Client credentials go as HTTP Basic, not in the form.
    let reqs = server.received_requests().await.unwrap();
    let basic = reqs[0]
        .headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(basic.starts_with("Basic "));
    assert!(!String::from_utf8_lossy(&reqs[0].body).contains(SECRET));
}

#[tokio::test]
async fn token_calls_time_out_and_are_retried_within_bounds() {
    let server = MockServer::start().await;
    let mut slow = TokenSeq::new("msp");
    slow.delay = Duration::from_secs(5);
    mount_msp_tokens(&server, slow).await;
    let options = SessionOptions::default()
        .with_timeout(Duration::from_millis(300))
        .with_retry(RetryPolicy {
            max_transient_retries: 1,
            ..fast_retry()
        });
    let started = Instant::now();
    let err = MspSession::connect_with(creds(&server), options)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        count(&server, &msp_token_path()).await,
        2,
        "one try + one retry"
    );
}

#[tokio::test]
async fn a_503_from_the_token_endpoint_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(msp_token_path()))
        .respond_with(FirstN {
            n: 1,
            seen: AtomicUsize::new(0),
            first: ResponseTemplate::new(503),
        })
        .mount(&server)
        .await;
    let options = SessionOptions::default()
        .with_clock(ManualClock::starting_2026())
        .with_retry(fast_retry());
    let err = MspSession::connect_with(creds(&server), options).await;
    // FirstN answers `{"ok": true}` after the 503: a 200 without access_token.
    let err = err.unwrap_err();
    assert!(err.to_string().contains("access_token"), "{err}");
    assert_eq!(count(&server, &msp_token_path()).await, 2);
}

#[tokio::test]
async fn tenant_names_resolve_through_the_filter_query() {
    let server = MockServer::start().await;
    mount_msp_tokens(&server, TokenSeq::new("msp")).await;
    mount_exchange(&server, TokenSeq::new("tenant")).await;
    Mock::given(method("GET"))
        .and(path("/workspaces/v1/msp-tenants"))
        .and(query_param("filter", "workspaceName eq 'O''Brien Ltd'"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "offset": 0, "count": 1, "total": 1,
            "items": [{"id": TENANT.to_lowercase(), "type": "TENANT", "workspaceName": "O'Brien Ltd"}]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/workspaces/v1/msp-tenants"))
        .and(query_param("filter", "workspaceName eq 'Nobody'"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"offset": 0, "count": 0, "total": 0, "items": []})),
        )
        .mount(&server)
        .await;
    let msp = MspSession::connect(creds(&server)).await.unwrap();
    let by_name = msp
        .tenant(TenantRef::Name("O'Brien Ltd".into()))
        .await
        .unwrap();
    let by_id = msp.tenant(TenantRef::Id(TENANT.into())).await.unwrap();
    assert_eq!(by_name.id(), TENANT_HEX);
    assert_eq!(by_id.uuid(), TENANT.to_lowercase());
    assert_eq!(
        count(&server, &exchange_path()).await,
        1,
        "one cache entry per tenant"
    );
    let lookups = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == "/workspaces/v1/msp-tenants")
        .collect::<Vec<_>>();
    assert_eq!(lookups.len(), 1);
    assert_eq!(
        lookups[0].headers.get("authorization").unwrap(),
        "Bearer msp-1"
    );

    let err = msp
        .tenant(TenantRef::Name("Nobody".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::TenantNotFound(ref n) if n == "Nobody"),
        "{err:?}"
    );
    let err = msp
        .tenant(TenantRef::Id("not-a-uuid".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn secrets_never_show_in_debug_output() {
    let server = MockServer::start().await;
    mount_msp_tokens(&server, TokenSeq::new("msp-token-value")).await;
    mount_exchange(&server, TokenSeq::new("tenant-token-value")).await;
    let c = creds(&server);
    let msp = MspSession::connect(c.clone()).await.unwrap();
    let tenant = msp.tenant(TenantRef::Id(TENANT.into())).await.unwrap();
    let dumps = [
        format!("{c:?}"),
        format!("{c:#?}"),
        format!("{msp:?}"),
        format!("{tenant:?}"),
        format!("{:?}", msp.context()),
        format!("{:?}", tenant.context()),
        format!("{:?}", msp.access_token().await.unwrap()),
        format!("{:?}", SessionOptions::default()),
    ];
    for d in &dumps {
        assert!(!d.contains(SECRET), "{d}");
        assert!(!d.contains("msp-token-value-1"), "{d}");
        assert!(!d.contains("tenant-token-value-1"), "{d}");
    }
    assert!(
        dumps[0].contains("client-id"),
        "non-secret fields still show: {}",
        dumps[0]
    );
}
