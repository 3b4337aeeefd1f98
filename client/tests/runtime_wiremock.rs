//! Edge cases of the MSP/tenant token runtime and the retry policy, against `wiremock`:
//! single-flight exchanges, refresh ahead of expiry, 401 handling, 429 waits and bounds,
//! no retries of non-idempotent requests, token response checks, secrets kept out of `Debug`.
//! (Parallel exchanges are shown against a small axum server that holds requests at a gate.)
//! No test reads the wall clock: waits are asserted on the manual clock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;

use msp_client::{
    Credentials, Error, ManualClock, MspSession, RetryPolicy, SessionOptions, TenantRef, TimeSource,
};
use serde_json::json;
use tokio::sync::watch;
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

/// How long [`Gate`] waits for every exchange to arrive. Generous on purpose: it only bounds how
/// long a runtime that exchanges one tenant at a time takes to fail, never how fast a good one is.
const GATE_TIMEOUT: Duration = Duration::from_secs(10);

/// Holds each request until `parties` of them are waiting at once.
///
/// The last arrival proves the others are still in flight, so the gate opens only for requests
/// that really run in parallel. If they come one at a time, the first waits `GATE_TIMEOUT`
/// (counted from the first arrival) and every request is refused: a serial runtime fails, it
/// does not hang.
struct Gate {
    parties: usize,
    arrived: watch::Sender<usize>,
    deadline: OnceLock<tokio::time::Instant>,
}

impl Gate {
    fn new(parties: usize) -> Arc<Self> {
        Arc::new(Self {
            parties,
            arrived: watch::Sender::new(0),
            deadline: OnceLock::new(),
        })
    }

    /// Waits until `parties` requests have arrived; `Err(arrived so far)` if they do not in time.
    async fn pass(&self) -> Result<(), usize> {
        let deadline = *self
            .deadline
            .get_or_init(|| tokio::time::Instant::now() + GATE_TIMEOUT);
        let mut seen = self.arrived.subscribe();
        self.arrived.send_modify(|n| *n += 1);
        let all_in = seen.wait_for(|n| *n >= self.parties);
        let passed = tokio::time::timeout_at(deadline, all_in)
            .await
            .is_ok_and(|r| r.is_ok());
        if passed {
            Ok(())
        } else {
            Err(*self.arrived.borrow())
        }
    }
}

/// `POST /authorization/v2/oauth2/{workspace}/token`: the MSP token at once, each tenant's
/// exchange (`token-{workspace}`) only through the gate; a closed gate answers 500.
async fn gated_token(
    State(gate): State<Arc<Gate>>,
    Path(workspace): Path<String>,
) -> (StatusCode, axum::Json<serde_json::Value>) {
    if workspace != MSP_WS
        && let Err(arrived) = gate.pass().await
    {
        let description = format!(
            "only {arrived} of {} exchanges were in flight together",
            gate.parties
        );
        let body = json!({"error": "not_parallel", "error_description": description});
        return (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body));
    }
    let body = json!({
        "access_token": format!("token-{workspace}"),
        "token_type": "Bearer",
        "expires_in": 900,
    });
    (StatusCode::OK, axum::Json(body))
}

/// Serves [`gated_token`] on a loopback port; returns its base URL.
///
/// wiremock cannot play this part: its responders are synchronous and run one at a time on the
/// server's own thread, so a responder that waits for the others would wait forever.
async fn gated_token_server(gate: Arc<Gate>) -> String {
    let app = axum::Router::new()
        .route(
            "/authorization/v2/oauth2/{workspace}/token",
            axum::routing::post(gated_token),
        )
        .with_state(gate);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn different_tenants_exchange_in_parallel() {
    let ids: Vec<String> = (0..5).map(|i| format!("{i:032x}")).collect();
    let gate = Gate::new(ids.len());
    let base = gated_token_server(gate.clone()).await;
    let creds = Credentials::new("client-id", SECRET, MSP_WS)
        .with_base_url_for_all(&base)
        .unwrap();
    let msp = MspSession::connect(creds).await.unwrap();
    // Every exchange is held until all five are in flight: exchanges in series cannot succeed.
    let opened =
        futures::future::join_all(ids.iter().map(|id| msp.tenant(TenantRef::Id(id.clone())))).await;
    for (id, result) in ids.iter().zip(&opened) {
        let tenant = result
            .as_ref()
            .unwrap_or_else(|e| panic!("tenant {id}: {e}"));
        let token = tenant.access_token().await.unwrap();
        assert_eq!(token.expose(), format!("token-{id}"));
    }
    assert!(opened.iter().all(|r| r.is_ok()));
    assert_eq!(*gate.arrived.borrow(), ids.len(), "one exchange per tenant");
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
async fn a_429_with_retry_after_1_waits_one_second() {
    let clock = ManualClock::starting_2026();
    let server = api_server(FirstN {
        n: 1,
        seen: AtomicUsize::new(0),
        first: ResponseTemplate::new(429).insert_header("Retry-After", "1"),
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
    // Exactly the server's second, not the jittered backoff the policy would pick without it.
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(1)]);
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
    // Longer than the 300 ms timeout below and shorter than the 30 s default: a timeout error
    // can only come from the configured timeout (which starts before the server's delay does),
    // and a client that ignored it would get its token after 5 s instead. No stopwatch needed.
    slow.delay = Duration::from_secs(5);
    mount_msp_tokens(&server, slow).await;
    let clock = ManualClock::starting_2026();
    let options = SessionOptions::default()
        .with_clock(clock.clone())
        .with_timeout(Duration::from_millis(300))
        .with_retry(RetryPolicy {
            max_transient_retries: 1,
            ..fast_retry()
        });
    let err = MspSession::connect_with(creds(&server), options)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport { source, .. } if source.is_timeout()),
        "{err:?}"
    );
    assert_eq!(clock.sleeps().len(), 1, "one backoff before the retry");
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
