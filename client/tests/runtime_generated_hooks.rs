//! The runtime plugged into the generated clients (progenitor `ClientHooks`), against
//! `wiremock`: bearer tokens on generated calls, 429 retries that replay progenitor's buffered
//! bodies, tenant 401 re-exchange, typed listings as streams, typed errors.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::TryStreamExt;
use msp_client::generated::glp_workspaces;
use msp_client::hooks::Context;
use msp_client::{Credentials, Error, ManualClock, MspSession, RetryPolicy, SessionOptions};
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const MSP_WS: &str = "11111111-2222-4333-8444-555555555555";
const TENANT_HEX: &str = "0f1e2d3c4b5a49688776a5b4c3d2e1f0";

struct TokenSeq(&'static str, AtomicUsize);

impl Respond for TokenSeq {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.1.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": format!("{}-{i}", self.0), "token_type": "Bearer", "expires_in": 900
        }))
    }
}

async fn server_with_tokens() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/authorization/v2/oauth2/{MSP_WS}/token")))
        .and(body_string_contains("client_credentials"))
        .respond_with(TokenSeq("msp", AtomicUsize::new(0)))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/authorization/v2/oauth2/{TENANT_HEX}/token")))
        .respond_with(TokenSeq("tenant", AtomicUsize::new(0)))
        .mount(&server)
        .await;
    server
}

async fn connect(server: &MockServer) -> MspSession {
    let creds = Credentials::new("cid", "secret", MSP_WS)
        .with_base_url_for_all(&server.uri())
        .unwrap();
    let options = SessionOptions::default()
        .with_clock(ManualClock::starting_2026())
        .with_retry(RetryPolicy {
            base_delay: Duration::from_millis(5),
            ..RetryPolicy::default()
        });
    MspSession::connect_with(creds, options).await.unwrap()
}

async fn requests_to(server: &MockServer, p: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == p)
        .collect()
}

/// Answers `first` once, then `then`.
struct Once {
    seen: AtomicUsize,
    first: ResponseTemplate,
    then: ResponseTemplate,
}

impl Respond for Once {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.seen.fetch_add(1, Ordering::SeqCst) == 0 {
            self.first.clone()
        } else {
            self.then.clone()
        }
    }
}

fn tenant_json(i: usize) -> Value {
    json!({
        "id": format!("00000000-0000-4000-8000-{i:012x}"),
        "type": "TENANT",
        "workspaceName": format!("tenant {i}"),
        "generation": 1
    })
}

#[tokio::test]
async fn generated_calls_carry_the_msp_token_and_retry_a_429() {
    let server = server_with_tokens().await;
    Mock::given(method("GET"))
        .and(path("/workspaces/v1/msp-tenants"))
        .respond_with(Once {
            seen: AtomicUsize::new(0),
            first: ResponseTemplate::new(429).insert_header("Retry-After", "0"),
            then: ResponseTemplate::new(200).set_body_json(json!({
                "offset": 0, "count": 1, "total": 1, "items": [tenant_json(1)]
            })),
        })
        .mount(&server)
        .await;
    let msp = connect(&server).await;
    let page = msp
        .glp()
        .workspaces
        .list_msp_tenants()
        .limit(10u64)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let reqs = requests_to(&server, "/workspaces/v1/msp-tenants").await;
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(r.headers.get("authorization").unwrap(), "Bearer msp-1");
    }
}

#[tokio::test]
async fn a_post_body_is_replayed_intact_after_a_429() {
    let server = server_with_tokens().await;
    Mock::given(method("POST"))
        .and(path("/workspaces/v1/msp-tenants"))
        .respond_with(Once {
            seen: AtomicUsize::new(0),
            first: ResponseTemplate::new(429).insert_header("ratelimit-reset", "1"),
            then: ResponseTemplate::new(201)
                .insert_header("Location", "/workspaces/v1/msp-tenants/x")
                .set_body_json(json!({"message": "created"})),
        })
        .mount(&server)
        .await;
    let msp = connect(&server).await;
    let created = msp
        .glp()
        .workspaces
        .create_msp_tenant()
        .body_map(|b| b.workspace_name("Retry Corp".to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let reqs = requests_to(&server, "/workspaces/v1/msp-tenants").await;
    assert_eq!(reqs.len(), 2);
    assert!(!reqs[0].body.is_empty());
    assert_eq!(
        reqs[0].body, reqs[1].body,
        "progenitor bodies are buffered and replayable"
    );
    assert!(String::from_utf8_lossy(&reqs[1].body).contains("Retry Corp"));
}

#[tokio::test]
async fn a_post_answered_500_is_not_retried_through_the_generated_client() {
    let server = server_with_tokens().await;
    Mock::given(method("POST"))
        .and(path("/workspaces/v1/msp-tenants"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "debugId": "d1", "httpStatusCode": 500, "errorCode": "HPE_GL_ERROR_INTERNAL", "message": "boom"
        })))
        .mount(&server)
        .await;
    let msp = connect(&server).await;
    let err = msp
        .glp()
        .workspaces
        .create_msp_tenant()
        .body_map(|b| b.workspace_name("Once Only".to_string()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(
        requests_to(&server, "/workspaces/v1/msp-tenants")
            .await
            .len(),
        1
    );
    // Converted to the runtime's error, it names the call and carries the server's body.
    let err = Error::from_generated("createMspTenant", err).await;
    let text = err.to_string();
    assert!(
        text.contains("createMspTenant") && text.contains("500") && text.contains("boom"),
        "{text}"
    );
}

#[tokio::test]
async fn a_tenant_401_on_a_generated_call_reexchanges_once() {
    let server = server_with_tokens().await;
    Mock::given(method("GET"))
        .and(path("/devices/v1/devices"))
        .respond_with(|req: &Request| {
            if req.headers.get("authorization").is_some_and(|v| v == "Bearer tenant-2") {
                ResponseTemplate::new(200).set_body_json(json!({
                    "offset": 0, "count": 1, "total": 1,
                    "items": [{
                        "id": "d1", "serialNumber": "SN1", "type": "compute",
                        "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"
                    }]
                }))
            } else {
                ResponseTemplate::new(401).set_body_json(json!({
                    "debugId": "x", "httpStatusCode": 401, "errorCode": "HPE_GL_ERROR_UNAUTHORIZED", "message": "expired"
                }))
            }
        })
        .mount(&server)
        .await;
    let msp = connect(&server).await;
    let tenant = msp.tenant_by_id(TENANT_HEX).await.unwrap();
    let devices: Vec<_> = tenant.glp_devices().try_collect().await.unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].serial_number, "SN1");
    let exchanges = requests_to(
        &server,
        &format!("/authorization/v2/oauth2/{TENANT_HEX}/token"),
    )
    .await;
    assert_eq!(exchanges.len(), 2);
    let msp_tokens =
        requests_to(&server, &format!("/authorization/v2/oauth2/{MSP_WS}/token")).await;
    assert_eq!(msp_tokens.len(), 1);
}

#[tokio::test]
async fn msp_tenants_stream_pages_by_offset_without_gaps_or_duplicates() {
    let server = server_with_tokens().await;
    let all: Vec<Value> = (0..650).map(tenant_json).collect();
    Mock::given(method("GET"))
        .and(path("/workspaces/v1/msp-tenants"))
        .respond_with(move |req: &Request| {
            let q: std::collections::HashMap<_, _> = req.url.query_pairs().into_owned().collect();
            let offset: usize = q.get("offset").and_then(|v| v.parse().ok()).unwrap_or(0);
            let limit: usize = q.get("limit").and_then(|v| v.parse().ok()).unwrap_or(300);
            let items: Vec<Value> = all
                .iter()
                .skip(offset)
                .take(limit.min(300))
                .cloned()
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({
                "offset": offset, "count": items.len(), "total": all.len(), "items": items
            }))
        })
        .mount(&server)
        .await;
    let msp = connect(&server).await;
    let tenants: Vec<_> = msp.msp_tenants().try_collect().await.unwrap();
    assert_eq!(tenants.len(), 650);
    let unique: std::collections::HashSet<_> = tenants.iter().map(|t| t.id).collect();
    assert_eq!(unique.len(), 650);
    assert_eq!(
        requests_to(&server, "/workspaces/v1/msp-tenants")
            .await
            .len(),
        3
    );
}

#[tokio::test]
async fn central_inventory_stops_on_an_empty_page_even_when_total_lies() {
    let server = server_with_tokens().await;
    Mock::given(method("GET"))
        .and(path("/network-monitoring/v1/device-inventory"))
        .respond_with(|req: &Request| {
            let next: usize = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "next")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(1);
            // Two real pages of 3 devices, then nothing, while claiming 10,000 in total
            // (PyCentral's get_all_device_inventory would loop forever here).
            let items: Vec<Value> = if next <= 2 {
                (0..3)
                    .map(|i| json!({"serialNumber": format!("SN{next}-{i}"), "deviceName": "ap"}))
                    .collect()
            } else {
                vec![]
            };
            ResponseTemplate::new(200).set_body_json(json!({
                "count": items.len(), "total": 10_000, "items": items, "next": next + 1
            }))
        })
        .mount(&server)
        .await;
    let msp = connect(&server).await;
    let tenant = msp.tenant_by_id(TENANT_HEX).await.unwrap();
    let devices: Vec<_> = tenant
        .central_devices()
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(devices.len(), 6);
    let pages: Vec<String> = requests_to(&server, "/network-monitoring/v1/device-inventory")
        .await
        .iter()
        .map(|r| r.url.query().unwrap_or_default().to_string())
        .collect();
    assert_eq!(pages.len(), 3);
    assert!(
        pages[0].contains("next=1") && pages[2].contains("next=3"),
        "{pages:?}"
    );
    for r in requests_to(&server, "/network-monitoring/v1/device-inventory").await {
        assert_eq!(r.headers.get("authorization").unwrap(), "Bearer tenant-1");
    }
}

#[tokio::test]
async fn a_default_context_is_a_plain_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/workspaces/v1/msp-tenants"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "0")
                .set_body_json(json!({
                    "debugId": "x", "httpStatusCode": 429,
                    "errorCode": "HPE_GL_ERROR_TOO_MANY_REQUESTS", "message": "slow down"
                })),
        )
        .mount(&server)
        .await;
    let client = glp_workspaces::Client::new(&server.uri(), Context::default());
    let err = client.list_msp_tenants().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    let reqs = requests_to(&server, "/workspaces/v1/msp-tenants").await;
    assert_eq!(reqs.len(), 1, "no retries");
    assert!(reqs[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn no_central_base_url_is_a_clear_error() {
    let server = server_with_tokens().await;
    let creds = Credentials::new("cid", "secret", MSP_WS)
        .with_glp_base_url(&server.uri())
        .unwrap();
    let msp = MspSession::connect(creds).await.unwrap();
    let err = msp.central().err().unwrap();
    assert!(err.to_string().contains("cluster_name"), "{err}");
}
