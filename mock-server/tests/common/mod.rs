//! Shared helpers for the mock-server integration tests.
#![allow(dead_code)]

use msp_mock_server::{Clock, Fixture, MockServer};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde_json::Value;

pub const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";

/// A small world: two MSPs, the first with two tenants (one with a device).
pub const SMALL: &str = r#"
settings:
  tenant_cap: 5
msps:
  - workspace_id: 11111111-1111-4111-8111-111111111111
    name: Alpha MSP
    client_id: alpha-client
    client_secret: alpha-secret
    email: ops@alpha.example.com
    tenants:
      - id: aaaaaaaa-0000-4000-8000-000000000001
        name: Acme
        created_at: 2026-01-10T00:00:00Z
        devices:
          - { serial_number: SN-ACME-1, mac_address: "00:00:00:00:00:01", model: AP-635, name: ap1 }
      - id: aaaaaaaa-0000-4000-8000-000000000002
        name: Bravo
        created_at: 2026-01-20T00:00:00Z
        inventory_ownership: CUSTOMER_OWNED_INVENTORY
  - workspace_id: 22222222-2222-4222-8222-222222222222
    name: Other MSP
    client_id: other-client
    client_secret: other-secret
    tenants:
      - id: bbbbbbbb-0000-4000-8000-000000000001
        name: Umbrella
"#;

pub const ALPHA: &str = "11111111-1111-4111-8111-111111111111";
pub const OTHER: &str = "22222222-2222-4222-8222-222222222222";
pub const ACME: &str = "aaaaaaaa-0000-4000-8000-000000000001";
pub const BRAVO: &str = "aaaaaaaa-0000-4000-8000-000000000002";
pub const UMBRELLA: &str = "bbbbbbbb-0000-4000-8000-000000000001";

pub fn fixture(yaml: &str) -> Fixture {
    Fixture::from_yaml(yaml).unwrap()
}

/// A mock on the fixture `yaml` with a frozen clock (it moves only when a test advances it).
pub async fn frozen(yaml: &str) -> MockServer {
    MockServer::builder()
        .fixture(fixture(yaml))
        .clock(Clock::manual(chrono::Utc::now()))
        .start()
        .await
}

/// A mock on the small world with a frozen clock.
pub async fn small() -> MockServer {
    frozen(SMALL).await
}

pub fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// client_credentials on the workspace-scoped endpoint with HTTP Basic; returns the body.
pub async fn msp_token_body(mock: &MockServer, ws: &str, id: &str, secret: &str) -> Value {
    let r = http()
        .post(format!("{}/authorization/v2/oauth2/{ws}/token", mock.uri()))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "token request failed");
    r.json().await.unwrap()
}

pub async fn alpha_token(mock: &MockServer) -> String {
    msp_token_body(mock, ALPHA, "alpha-client", "alpha-secret").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub async fn other_token(mock: &MockServer) -> String {
    msp_token_body(mock, OTHER, "other-client", "other-secret").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Exchanges `msp_token` for a token of `tenant` (path form); returns the raw response.
pub async fn exchange(mock: &MockServer, msp_token: &str, tenant_path: &str) -> reqwest::Response {
    http()
        .post(format!(
            "{}/authorization/v2/oauth2/{tenant_path}/token",
            mock.uri()
        ))
        .form(&[
            ("grant_type", EXCHANGE),
            ("subject_token", msp_token),
            ("subject_token_type", ACCESS),
        ])
        .send()
        .await
        .unwrap()
}

pub async fn tenant_token(mock: &MockServer, msp_token: &str, tenant: &str) -> String {
    let r = exchange(mock, msp_token, &tenant.replace('-', "")).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

/// A reqwest client sending `Authorization: Bearer <token>` on every request.
pub fn bearer_http(token: &str) -> reqwest::Client {
    let mut h = HeaderMap::new();
    h.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(h)
        .build()
        .unwrap()
}

/// The generated vendor-contract client, authorised with `token`.
pub fn workspaces_client(
    mock: &MockServer,
    token: &str,
) -> msp_client::generated::glp_workspaces::Client {
    msp_client::generated::glp_workspaces::Client::new_with_client(
        mock.uri(),
        bearer_http(token),
        Default::default(),
    )
}

/// The generated document-view client, authorised with `token`.
pub fn management_client(
    mock: &MockServer,
    token: &str,
) -> msp_client::generated::glp_workspace_management::Client {
    msp_client::generated::glp_workspace_management::Client::new_with_client(
        mock.uri(),
        bearer_http(token),
        Default::default(),
    )
}

/// The status of a generated-client error.
pub fn status_of<E>(e: &msp_client::generated::glp_workspaces::Error<E>) -> u16 {
    e.status().map(|s| s.as_u16()).unwrap_or(0)
}

pub async fn admin_post(mock: &MockServer, path: &str, body: Value) -> reqwest::Response {
    http()
        .post(format!("{}/__admin{path}", mock.uri()))
        .json(&body)
        .send()
        .await
        .unwrap()
}

pub async fn admin_get(mock: &MockServer, path: &str) -> Value {
    let r = http()
        .get(format!("{}/__admin{path}", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "GET /__admin{path}");
    r.json().await.unwrap()
}
