//! The RUCKUS One runtime against the in-process mock: one token however many tasks ask,
//! refresh before expiry and once after a 401, the EC handle's `x-rks-tenantid`, query paging,
//! activities awaited on the mock clock (success, failure, the brief 404, the deadline) and 429s.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use common::SharedClock;
use futures::TryStreamExt;
use msp_client::generated::ruckus_msp::types::AddTenantRequestHolder;
use msp_client::generated::ruckus_msp_queries::types::DynamicQueryPayloadDto;
use msp_client::ruckus::{ActivityWait, RuckusCredentials, RuckusSession};
use msp_client::{Error, ManualClock, RetryPolicy, SessionOptions, TimeSource};
use msp_mock_server::{Clock, Fixture, MockServer};
use serde_json::{Value, json};

const MSP: &str = "9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4";
const ACME: &str = "5e1a0000000000000000000000000001";
/// A customer of the other RUCKUS MSP.
const UMBRELLA: &str = "6f2b0000000000000000000000000001";

fn start_time() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

/// The default world with `settings` as the RUCKUS section's settings.
async fn mock_with(settings: Value) -> MockServer {
    let world = serde_json::to_value(&Fixture::default_world().world).unwrap();
    let mut ruckus = world["ruckus"].clone();
    ruckus["settings"] = settings;
    MockServer::builder()
        .fixture(Fixture::from_yaml(&json!({ "ruckus": ruckus }).to_string()).unwrap())
        .clock(Clock::manual(start_time()))
        .start()
        .await
}

async fn mock() -> MockServer {
    mock_with(json!({})).await
}

fn creds(mock: &MockServer) -> RuckusCredentials {
    let doc = mock.credentials();
    let msp = &doc.other["ruckus"]["msps"][0];
    assert_eq!(msp["tenant_id"], MSP);
    RuckusCredentials::new(
        msp["tenant_id"].as_str().unwrap(),
        msp["client_id"].as_str().unwrap(),
        msp["client_secret"].as_str().unwrap(),
    )
    .unwrap()
    .with_base_url(mock.uri())
    .unwrap()
}

fn shared(mock: &MockServer) -> SessionOptions {
    SessionOptions::default().with_clock(Arc::new(SharedClock(mock.clock().clone())))
}

async fn session(mock: &MockServer) -> RuckusSession {
    RuckusSession::connect_with(creds(mock), shared(mock))
        .await
        .unwrap()
}

fn count(mock: &MockServer, method: &str, path: &str) -> usize {
    mock.received_requests(Some(path), Some(method)).len()
}

fn token_path() -> String {
    format!("/oauth2/token/{MSP}")
}

fn batch(names: &[&str]) -> AddTenantRequestHolder {
    let data: Vec<Value> = names.iter().map(|n| json!({ "name": n })).collect();
    serde_json::from_value(json!({ "data": data })).unwrap()
}

/// Creates `names` at the MSP level; answers each new tenant's `(tenantId, requestId)`.
async fn create(msp: &RuckusSession, names: &[&str]) -> Vec<(String, String)> {
    let accepted = msp
        .api()
        .msp
        .create_tenants()
        .body(batch(names))
        .send()
        .await
        .unwrap()
        .into_inner();
    accepted
        .data
        .into_iter()
        .map(|d| (d.tenant_id.unwrap(), d.request_id))
        .collect()
}

#[tokio::test]
async fn bad_credentials_fail_at_connect_with_the_token_error() {
    let mock = mock().await;
    let wrong = RuckusCredentials::new(MSP, "demo-ruckus-client", "not-the-secret")
        .unwrap()
        .with_base_url(mock.uri())
        .unwrap();
    let err = RuckusSession::connect_with(wrong, shared(&mock))
        .await
        .unwrap_err();
    match &err {
        Error::Token { status, error, .. } => {
            assert_eq!(*status, Some(401), "{err}");
            assert_eq!(error.as_deref(), Some("invalid_client"), "{err}");
        }
        other => panic!("expected a token error, got {other}"),
    }
}

#[tokio::test]
async fn query_ecs_pages_from_one_until_total_count() {
    let mock = mock().await;
    let msp = session(&mock).await;
    let query: DynamicQueryPayloadDto = serde_json::from_value(json!({
        "pageSize": 2, "sortField": "name", "sortOrder": "ASC"
    }))
    .unwrap();
    let names: Vec<String> = msp
        .query_ecs(query)
        .map_ok(|ec| ec.name.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["Acme Sales", "Globex Retail", "Initech"]);
    let pages: Vec<u16> = mock
        .received_requests(Some("/tenants/query"), Some("POST"))
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(
        pages,
        [200, 200],
        "three customers at two a page: two pages"
    );
    // Without the EC filter the tech partners come too.
    let all: Vec<_> = msp
        .query_tenants(DynamicQueryPayloadDto::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_share_one_token_and_refresh_before_expiry() {
    let mock = mock().await;
    let msp = session(&mock).await;
    assert_eq!(count(&mock, "POST", &token_path()), 1);
    let calls = |msp: RuckusSession| async move {
        let tasks: Vec<_> = (0..24)
            .map(|_| {
                let msp = msp.clone();
                tokio::spawn(async move { msp.api().tenant.get_own_tenant().send().await.is_ok() })
            })
            .collect();
        for t in tasks {
            assert!(t.await.unwrap());
        }
    };
    calls(msp.clone()).await;
    assert_eq!(
        count(&mock, "POST", &token_path()),
        1,
        "no task fetched again"
    );
    // 3600 s tokens renew a minute early: at +3541 s the next calls share one new token.
    mock.clock().advance(3541.0);
    calls(msp.clone()).await;
    assert_eq!(count(&mock, "POST", &token_path()), 2);
    assert_eq!(msp.token_fetch_count(), 2);
    assert_eq!(
        count(&mock, "GET", "/tenants/self"),
        48,
        "every call reached the mock once, none was refused"
    );
}

#[tokio::test]
async fn a_401_renews_the_token_once_and_the_call_goes_through() {
    let mock = mock().await;
    // The client's clock stands still, so it cannot know the token expired on the mock.
    let options = SessionOptions::default().with_clock(ManualClock::starting_2026());
    let msp = RuckusSession::connect_with(creds(&mock), options)
        .await
        .unwrap();
    mock.clock().advance(3601.0);
    let own = msp.api().tenant.get_own_tenant().send().await;
    assert!(own.is_ok(), "{own:?}");
    let statuses: Vec<u16> = mock
        .received_requests(Some("/tenants/self"), Some("GET"))
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses, [401, 200]);
    assert_eq!(count(&mock, "POST", &token_path()), 2);
}

#[tokio::test]
async fn the_ec_handle_acts_inside_the_customer_and_nowhere_else() {
    let mock = mock().await;
    let msp = session(&mock).await;
    let acme = msp.ec(ACME).unwrap();
    let venues: Vec<String> = acme
        .venues()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(venues, ["Acme HQ", "Acme Warehouse"]);
    // Without the handle, the MSP has no venues of its own.
    let own = msp.api().venues.list_venues().send().await.unwrap();
    assert!(own.into_inner().is_empty());
    // Another MSP's customer: the header is refused by the server.
    let err = msp.ec(UMBRELLA).unwrap().venues().await.unwrap_err();
    assert_eq!(err.status(), Some(403), "{err}");
    // A request naming another tenant in the header is refused before it is sent.
    let sent = count(&mock, "GET", "/venues");
    let clash = acme
        .api()
        .venues
        .list_venues()
        .x_rks_tenantid("5e1a0000000000000000000000000002")
        .send()
        .await
        .unwrap_err();
    assert!(clash.to_string().contains("x-rks-tenantid"), "{clash}");
    assert_eq!(count(&mock, "GET", "/venues"), sent);
    assert!(msp.ec("Acme Sales").is_err());
}

#[tokio::test]
async fn await_activity_follows_pending_and_inprogress_to_success() {
    let mock = mock().await;
    let clock = mock.clock().clone();
    let msp = session(&mock).await;
    let before = clock.now();
    let created = create(&msp, &["Hooli"]).await;
    let (tenant_id, request_id) = &created[0];
    let done = msp.await_activity(request_id).await.unwrap();
    assert_eq!(done.request_id.as_deref(), Some(request_id.as_str()));
    // PENDING 1 s, INPROGRESS 2 s: polled at 0 s, 1 s (after 1 s) and 3 s (after 2 s).
    assert_eq!((clock.now() - before).num_seconds(), 3);
    assert_eq!(count(&mock, "GET", &format!("/activities/{request_id}")), 3);
    let names: Vec<String> = msp
        .query_ecs(DynamicQueryPayloadDto::default())
        .map_ok(|ec| ec.name.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert!(names.contains(&"Hooli".to_string()), "{names:?}");
    let read = msp.api().msp.get_tenant().tenant_id(tenant_id).send().await;
    assert!(read.is_ok(), "{read:?}");
}

#[tokio::test]
async fn a_failed_activity_is_an_error_with_its_reason() {
    let mock = mock().await;
    let msp = session(&mock).await;
    let created = create(&msp, &["Acme Sales"]).await;
    let err = msp.await_activity(&created[0].1).await.unwrap_err();
    match &err {
        Error::ActivityFailed { request_id, reason } => {
            assert_eq!(request_id, &created[0].1);
            assert!(reason.contains("already exists"), "{reason}");
        }
        other => panic!("expected ActivityFailed, got {other}"),
    }
}

#[tokio::test]
async fn the_brief_404_after_a_202_is_tolerated_only_for_the_grace() {
    let mock = mock_with(json!({"activity_visible_after_secs": 2, "pending_secs": 0})).await;
    let msp = session(&mock).await;
    let created = create(&msp, &["Pied Piper"]).await;
    let done = msp.await_activity(&created[0].1).await;
    assert!(done.is_ok(), "{done:?}");
    let statuses: Vec<u16> = mock
        .received_requests(Some(&format!("/activities/{}", created[0].1)), Some("GET"))
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses.first(), Some(&404), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&200), "{statuses:?}");
    // Without the grace the first 404 is the answer.
    let created = create(&msp, &["Aviato"]).await;
    let wait = ActivityWait::default().with_not_found_grace(Duration::ZERO);
    let err = msp
        .await_activity_with(&created[0].1, &wait)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
}

#[tokio::test]
async fn an_activity_that_never_ends_times_out_at_the_deadline() {
    let mock = mock_with(json!({"running_secs": 1_000_000})).await;
    let clock = mock.clock().clone();
    let msp = session(&mock).await;
    let created = create(&msp, &["Endless Ltd"]).await;
    let before = clock.now();
    let wait = ActivityWait::default().with_deadline(Duration::from_secs(45));
    let err = msp
        .await_activity_with(&created[0].1, &wait)
        .await
        .unwrap_err();
    match &err {
        Error::ActivityTimeout {
            last_status,
            waited,
            ..
        } => {
            assert_eq!(last_status, "INPROGRESS");
            assert_eq!(*waited, Duration::from_secs(45));
        }
        other => panic!("expected ActivityTimeout, got {other}"),
    }
    assert_eq!((clock.now() - before).num_seconds(), 45);
    // Polls at 0, 1, 3, 7, 15, 25, 35 s (waits doubling to the 10 s cap), and a last one at
    // the 45 s deadline itself.
    assert_eq!(
        count(&mock, "GET", &format!("/activities/{}", created[0].1)),
        8
    );
}

#[tokio::test]
async fn a_429_waits_for_retry_after_on_the_mock_clock() {
    let mock = mock_with(json!({"calls_per_minute": 3})).await;
    let clock = Arc::new(SharedClock(mock.clock().clone()));
    let options = SessionOptions::default()
        .with_clock(clock.clone())
        .with_retry(RetryPolicy {
            max_rate_limit_retries: 4,
            ..RetryPolicy::default()
        });
    let msp = RuckusSession::connect_with(creds(&mock), options)
        .await
        .unwrap();
    let before = clock.now();
    for _ in 0..5 {
        let own = msp.api().tenant.get_own_tenant().send().await;
        assert!(own.is_ok(), "{own:?}");
    }
    let statuses: Vec<u16> = mock
        .received_requests(Some("/tenants/self"), Some("GET"))
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5);
    assert!(statuses.contains(&429), "{statuses:?}");
    let waited = clock.now().duration_since(before).unwrap();
    // The bucket refills 3 calls a minute: two more calls need at least 20 s of waiting.
    assert!(waited >= Duration::from_secs(20), "{waited:?}");
    assert!(waited <= Duration::from_secs(60), "{waited:?}");
}
