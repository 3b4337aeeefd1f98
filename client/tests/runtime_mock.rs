//! The runtime against the in-process `msp-mock-server`: real token minting, tenant ownership,
//! rate limits and clock, counted through the mock's request journal.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use futures::TryStreamExt;
use msp_client::{
    Credentials, DeleteReportsOutcome, ManualClock, MspSession, NsaCredentials, NsaSession,
    RetryPolicy, SessionOptions, TenantRef, TimeSource, auth::normalise_workspace_id,
};
use msp_mock_server::{Clock, MockServer, RateLimits};

mod common;
use common::SharedClock;

fn start_time() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

async fn mock() -> MockServer {
    MockServer::builder()
        .clock(Clock::manual(start_time()))
        .start()
        .await
}

fn demo_credentials(mock: &MockServer) -> Credentials {
    let doc = mock.credentials();
    let msp = &doc.msps[0];
    Credentials::new(
        msp.client_id.clone(),
        msp.client_secret.clone(),
        msp.workspace_id.to_string(),
    )
    .with_base_url_for_all(mock.uri())
    .unwrap()
}

fn shared(mock: &MockServer) -> SessionOptions {
    SessionOptions::default().with_clock(Arc::new(SharedClock(mock.clock().clone())))
}

/// Journal entries for `method path`, as `(status, query)`.
fn journal(mock: &MockServer, method: &str, path: &str) -> Vec<u16> {
    mock.received_requests(Some(path), Some(method))
        .iter()
        .map(|e| e.status)
        .collect()
}

fn msp_token_path(mock: &MockServer) -> String {
    format!(
        "/authorization/v2/oauth2/{}/token",
        mock.credentials().msps[0].workspace_id
    )
}

fn acme(mock: &MockServer) -> (String, String) {
    let doc = mock.credentials();
    let t = doc.msps[0]
        .tenants
        .iter()
        .find(|t| t.name == "Acme Retail")
        .unwrap();
    (t.id.to_string(), t.name.clone())
}

#[tokio::test]
async fn msp_and_tenant_sessions_work_end_to_end() {
    let mock = mock().await;
    let msp = MspSession::connect_with(demo_credentials(&mock), shared(&mock))
        .await
        .unwrap();
    let tenants: Vec<_> = msp.msp_tenants().try_collect().await.unwrap();
    let names: Vec<&str> = tenants.iter().map(|t| t.workspace_name.as_str()).collect();
    assert!(
        names.contains(&"Acme Retail") && names.contains(&"Globex Clinics"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"Umbrella Labs"),
        "another MSP's tenant leaked: {names:?}"
    );

    let (acme_id, acme_name) = acme(&mock);
    let tenant = msp.tenant(TenantRef::Name(acme_name)).await.unwrap();
    assert_eq!(tenant.id(), normalise_workspace_id(&acme_id).unwrap());
    let mut serials: Vec<String> = tenant
        .glp_devices()
        .map_ok(|d| d.serial_number)
        .try_collect()
        .await
        .unwrap();
    serials.sort();
    assert_eq!(serials, vec!["CNACME0001", "CNACME0002"]);
    // The exchange went to the 32-hex tenant path.
    let exchange = format!("/authorization/v2/oauth2/{}/token", tenant.id());
    assert_eq!(journal(&mock, "POST", &exchange), vec![200]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_tenant_calls_cost_one_exchange_in_the_journal() {
    let mock = mock().await;
    let msp = MspSession::connect_with(demo_credentials(&mock), shared(&mock))
        .await
        .unwrap();
    let (acme_id, _) = acme(&mock);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let msp = msp.clone();
            let id = acme_id.clone();
            tokio::spawn(async move { msp.tenant(TenantRef::Id(id)).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let hex = normalise_workspace_id(&acme_id).unwrap();
    let exchanges = journal(
        &mock,
        "POST",
        &format!("/authorization/v2/oauth2/{hex}/token"),
    );
    assert_eq!(exchanges, vec![200]);
    assert_eq!(journal(&mock, "POST", &msp_token_path(&mock)), vec![200]);
}

#[tokio::test]
async fn tokens_refresh_before_the_mock_expires_them() {
    let mock = mock().await;
    let msp = MspSession::connect_with(demo_credentials(&mock), shared(&mock))
        .await
        .unwrap();
    let (acme_id, _) = acme(&mock);
    let tenant = msp.tenant(TenantRef::Id(acme_id)).await.unwrap();
    let devices = || async { tenant.glp_devices().try_collect::<Vec<_>>().await.unwrap() };
    assert_eq!(devices().await.len(), 2);

    // 841 s later (token lifetime 900 s, skew 60 s) both tokens are renewed before use, so the
    // mock never sees an expired token.
    mock.clock().advance(841.0);
    assert_eq!(devices().await.len(), 2);
    assert_eq!(
        journal(&mock, "POST", &msp_token_path(&mock)),
        vec![200, 200]
    );
    let exchange = format!("/authorization/v2/oauth2/{}/token", tenant.id());
    assert_eq!(journal(&mock, "POST", &exchange), vec![200, 200]);
    assert!(
        !journal(&mock, "GET", "/devices/v1/devices").contains(&401),
        "no call was made with an expired token"
    );
}

#[tokio::test]
async fn a_server_side_expiry_costs_one_reexchange_and_one_msp_renewal() {
    let mock = mock().await;
    // The client's clock stays put while the mock's moves past expiry: the client cannot
    // refresh ahead, so it meets a 401 and must recover reactively.
    let options = SessionOptions::default().with_clock(ManualClock::starting_2026());
    let msp = MspSession::connect_with(demo_credentials(&mock), options)
        .await
        .unwrap();
    let (acme_id, _) = acme(&mock);
    let tenant = msp.tenant(TenantRef::Id(acme_id)).await.unwrap();
    mock.clock().advance(901.0);
    let devices: Vec<_> = tenant.glp_devices().try_collect().await.unwrap();
    assert_eq!(devices.len(), 2);

    assert_eq!(journal(&mock, "GET", "/devices/v1/devices"), vec![401, 200]);
    let exchange = format!("/authorization/v2/oauth2/{}/token", tenant.id());
    let ex = journal(&mock, "POST", &exchange);
    assert_eq!(
        ex.len(),
        3,
        "initial, refused (expired subject), accepted: {ex:?}"
    );
    assert_eq!(ex[0], 200);
    assert!((400..500).contains(&ex[1]), "{ex:?}");
    assert_eq!(ex[2], 200);
    assert_eq!(
        journal(&mock, "POST", &msp_token_path(&mock)),
        vec![200, 200],
        "the MSP token was renewed exactly once"
    );
}

#[tokio::test]
async fn the_mocks_rate_limit_is_waited_out_as_its_headers_say() {
    let mock = MockServer::builder()
        .clock(Clock::manual(start_time()))
        .rate_limits(RateLimits {
            window_secs: 60,
            per_client: 3,
            ..RateLimits::default()
        })
        .start()
        .await;
    let clock = Arc::new(SharedClock(mock.clock().clone()));
    let options = SessionOptions::default()
        .with_clock(clock.clone())
        .with_retry(RetryPolicy {
            max_delay: Duration::from_secs(120),
            max_total_wait: Duration::from_secs(300),
            ..RetryPolicy::default()
        });
    let msp = MspSession::connect_with(demo_credentials(&mock), options)
        .await
        .unwrap();
    let before = clock.now();
    for _ in 0..6 {
        let page = msp
            .glp()
            .workspaces
            .list_msp_tenants()
            .send()
            .await
            .unwrap();
        assert!(!page.items.is_empty());
    }
    let statuses = journal(&mock, "GET", "/workspaces/v1/msp-tenants");
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        6,
        "{statuses:?}"
    );
    assert!(statuses.contains(&429), "the limit was hit: {statuses:?}");
    let waited = clock.now().duration_since(before).unwrap();
    // Waiting as told (`Retry-After` = time left in the window) crosses window boundaries
    // only: at most one full window per 429, never a fixed 1 s per 429 that would fail again.
    let limited = statuses.iter().filter(|s| **s == 429).count() as u64;
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    assert!(
        waited <= Duration::from_secs(60 * limited),
        "{waited:?} for {limited} 429s"
    );
    assert_eq!(limited, 1, "one wait per window: {statuses:?}");

    // The default policy refuses to wait longer than max_delay (30 s): the 429 comes back.
    let clock2 = Arc::new(SharedClock(mock.clock().clone()));
    let strict = MspSession::connect_with(
        demo_credentials(&mock),
        SessionOptions::default().with_clock(clock2),
    )
    .await
    .unwrap();
    let mut last = None;
    for _ in 0..4 {
        last = Some(strict.glp().workspaces.list_msp_tenants().send().await);
    }
    let err = last.unwrap().unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
}

#[tokio::test]
async fn nsa_session_against_the_mock() {
    let mock = mock().await;
    let doc = mock.credentials();
    let account = &doc.nsa[0];
    let creds = NsaCredentials::new(
        mock.uri(),
        account.username.clone(),
        account.password.clone(),
    )
    .unwrap()
    .with_realm(account.realm.clone());
    let nsa = NsaSession::login_with(creds, shared(&mock)).await.unwrap();
    let tenants: Vec<_> = nsa.tenants().try_collect().await.unwrap();
    assert_eq!(tenants.len(), 2);

    let report = nsa
        .client()
        .generate_usage_report()
        .send()
        .await
        .unwrap()
        .into_inner();
    let reports: Vec<_> = nsa.usage_reports().try_collect().await.unwrap();
    assert!(reports.iter().any(|r| r.id == report.id));

    let id = report.id.to_string();
    assert_eq!(
        nsa.delete_usage_reports(&[id.as_str()]).await.unwrap(),
        DeleteReportsOutcome::AllDeleted
    );
    match nsa.delete_usage_reports(&[id.as_str()]).await.unwrap() {
        DeleteReportsOutcome::Partial { failed, .. } => {
            assert_eq!(failed.len(), 1);
            assert_eq!(failed[0].id, id);
        }
        other => panic!("deleting a deleted report must report it: {other:?}"),
    }
    assert_eq!(journal(&mock, "GET", "/login/msp").len(), 1);
}
