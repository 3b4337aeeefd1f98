//! nSA MSP portal: form login and DSID sessions, tenants (provisioning, cap, sub-domain rules),
//! cap-increase requests, usage reports and the schedule, through the generated `nsa_msp`
//! client and raw HTTP where the wire form matters.

mod common;

use common::frozen;
use msp_client::generated::nsa_msp::{self, types};
use msp_mock_server::MockServer;
use reqwest::header::{COOKIE, HeaderMap, HeaderValue, SET_COOKIE};
use serde_json::{Value, json};

const WORLD: &str = r#"
msps:
  - workspace_id: 11111111-1111-4111-8111-111111111111
    name: Alpha MSP
    client_id: alpha-client
    client_secret: alpha-secret
nsa:
  settings:
    provisioning_secs: 30
  msps:
    - username: alpha-admin
      password: alpha-pass
      name: Alpha
      tenant_cap_limit: 2
      subscriptions:
        - { id: 6f0b8c2e-4d1a-4e3b-9c7d-2a5f1e8b3c90, category: ZTA, total_users: 1000, display_name: nZTA Advanced }
      tenants:
        - id: 0c9e3b52-7a41-4f6d-8e2b-5d1c7a9f3e64
          sub_domain: acme
          name: Acme
          user: { username: acme-admin, email: it@acme.example }
          subscriptions: [{ id: 6f0b8c2e-4d1a-4e3b-9c7d-2a5f1e8b3c90, category: ZTA, total_users: 250 }]
    - username: beta-admin
      password: beta-pass
      realm: Beta Realm
      tenant_cap_limit: 5
"#;

const SUB: &str = "6f0b8c2e-4d1a-4e3b-9c7d-2a5f1e8b3c90";
const ACME: &str = "0c9e3b52-7a41-4f6d-8e2b-5d1c7a9f3e64";

async fn mock() -> MockServer {
    frozen(WORLD).await
}

fn cookie_value(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The portal's form login; returns the raw login.cgi response.
async fn form_login(mock: &MockServer, user: &str, pass: &str, realm: &str) -> reqwest::Response {
    let http = reqwest::Client::new();
    let page = http
        .get(format!("{}/login/msp", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let signin = cookie_value(&page, "DSSIGNIN").expect("DSSIGNIN cookie");
    http.post(format!("{}/dana-na/auth/{signin}/login.cgi", mock.uri()))
        .header(COOKIE, format!("DSSIGNIN={signin}"))
        .form(&[("username", user), ("password", pass), ("realm", realm)])
        .send()
        .await
        .unwrap()
}

async fn login(mock: &MockServer, user: &str, pass: &str) -> String {
    let r = form_login(mock, user, pass, "MSP Admin Users").await;
    assert_eq!(r.status(), 200);
    cookie_value(&r, "DSID").expect("DSID cookie")
}

fn dsid_http(dsid: &str) -> reqwest::Client {
    let mut h = HeaderMap::new();
    h.insert(
        COOKIE,
        HeaderValue::from_str(&format!("DSID={dsid}")).unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(h)
        .build()
        .unwrap()
}

fn client(mock: &MockServer, dsid: &str) -> nsa_msp::Client {
    nsa_msp::Client::new_with_client(mock.uri(), dsid_http(dsid), Default::default())
}

/// Status and `NsaError` body of a generated-client error.
fn err_of(e: nsa_msp::Error<types::NsaError>) -> (u16, String, Option<String>) {
    match e {
        nsa_msp::Error::ErrorResponse(r) => {
            let status = r.status().as_u16();
            let b = r.into_inner();
            (status, b.code, b.field)
        }
        other => panic!("expected an NsaError response, got {other:?}"),
    }
}

fn new_tenant(sub: &str, users: u64) -> Value {
    json!({
        "sub_domain": sub,
        "user": {"username": format!("{sub}-admin"), "email": format!("admin@{sub}.example")},
        "name": format!("Tenant {sub}"),
        "subscriptions": [{"id": SUB, "category": "ZTA", "total_users": users}],
    })
}

fn create_body(sub: &str, users: u64) -> types::TenantCreateEntity {
    serde_json::from_value(new_tenant(sub, users)).unwrap()
}

async fn raw(
    mock: &MockServer,
    dsid: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut rb = dsid_http(dsid).request(method, format!("{}{path}", mock.uri()));
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn form_login_sets_dsid_and_rejects_bad_credentials() {
    let mock = mock().await;
    let r = form_login(&mock, "alpha-admin", "wrong", "x").await;
    assert_eq!(r.status(), 401);
    assert!(cookie_value(&r, "DSID").is_none());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "invalid_credentials");

    // An MSP with a fixed realm needs it.
    let r = form_login(&mock, "beta-admin", "beta-pass", "Other").await;
    assert_eq!(r.status(), 401);
    let r = form_login(&mock, "beta-admin", "beta-pass", "Beta Realm").await;
    assert_eq!(r.status(), 200);

    // A missing field is named.
    let r = reqwest::Client::new()
        .post(format!("{}/dana-na/auth/url_msp/login.cgi", mock.uri()))
        .form(&[("username", "alpha-admin"), ("password", "alpha-pass")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["field"], "realm");

    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let page = client(&mock, &dsid).list_tenants().send().await.unwrap();
    assert_eq!(page.total, 1);
}

#[tokio::test]
async fn missing_or_dead_dsid_is_401_and_sessions_expire_on_the_clock() {
    let mock = mock().await;
    // No cookie at all.
    let e = nsa_msp::Client::new(mock.uri(), Default::default())
        .list_tenants()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err_of(e).0, 401);
    // An unknown DSID.
    let e = client(&mock, "not-a-session")
        .list_tenants()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err_of(e).0, 401);

    // Idle timeout: 10 minutes without a request.
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let c = client(&mock, &dsid);
    mock.clock().advance(599.0);
    c.list_tenants().send().await.unwrap();
    mock.clock().advance(601.0);
    let (status, code, _) = err_of(c.list_tenants().send().await.unwrap_err());
    assert_eq!((status, code.as_str()), (401, "session_expired"));

    // Absolute timeout: 60 minutes even when busy.
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let c = client(&mock, &dsid);
    for _ in 0..11 {
        mock.clock().advance(300.0);
        c.get_usage_report_schedule().send().await.unwrap();
    }
    mock.clock().advance(300.0);
    let (status, code, _) = err_of(c.get_usage_report_schedule().send().await.unwrap_err());
    assert_eq!((status, code.as_str()), (401, "session_expired"));
}

#[tokio::test]
async fn client_runtime_nsa_session_logs_in_against_the_mock() {
    let mock = mock().await;
    let creds =
        msp_client::nsa::NsaCredentials::new(mock.uri(), "alpha-admin", "alpha-pass").unwrap();
    let session = msp_client::nsa::NsaSession::login(creds).await.unwrap();
    let c = nsa_msp::Client::new(mock.uri(), session.context());
    let page = c.list_tenants().send().await.unwrap();
    assert_eq!(page.tenants[0].sub_domain, "acme");
}

/// `POST /__admin/nsa/sessions`: signs `username` in without the form; answers the DSID.
async fn admin_session(mock: &MockServer, username: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/__admin/nsa/sessions", mock.uri()))
        .json(&json!({ "username": username }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn admin_credentials_list_the_logins_and_admin_sessions_are_ready_to_use() {
    let mock = mock().await;
    let doc: Value = reqwest::get(format!("{}/__admin/credentials", mock.uri()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let nsa = doc["nsa"].as_array().expect("nsa credentials");
    assert_eq!(nsa.len(), 2);
    assert_eq!(nsa[0]["username"], "alpha-admin");
    assert_eq!(nsa[0]["password"], "alpha-pass");
    // Reading credentials starts no session.
    assert!(nsa[0].get("dsid").is_none());
    assert_eq!(msp_mock_server::bench::nsa_sessions(&mock), 0);
    mock.credentials();
    assert_eq!(msp_mock_server::bench::nsa_sessions(&mock), 0);

    let r = admin_session(&mock, nsa[0]["username"].as_str().unwrap()).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["username"], "alpha-admin");
    let dsid = body["dsid"].as_str().unwrap();
    let page = client(&mock, dsid).list_tenants().send().await.unwrap();
    assert_eq!(page.total, 1);
    // The second MSP's DSID sees its own (empty) tenant list.
    let body: Value = admin_session(&mock, nsa[1]["username"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    let page = client(&mock, body["dsid"].as_str().unwrap())
        .list_tenants()
        .send()
        .await
        .unwrap();
    assert_eq!(page.total, 0);
    // An unknown MSP is 404; a malformed body is 400.
    let r = admin_session(&mock, "nobody").await;
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("nobody"));
    let r = reqwest::Client::new()
        .post(format!("{}/__admin/nsa/sessions", mock.uri()))
        .json(&json!({ "user": "alpha-admin" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn created_tenant_is_initializing_until_the_delay_passes() {
    let mock = mock().await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let c = client(&mock, &dsid);
    let r = c
        .create_tenant()
        .body(create_body("globex", 40))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let page = c.list_tenants().send().await.unwrap();
    assert_eq!(page.total, 2);
    let t = page
        .tenants
        .iter()
        .find(|t| t.sub_domain == "globex")
        .unwrap();
    assert_eq!(t.status, types::TenantEntityStatus::Initializing);
    assert_eq!(t.login_url, "https://globex.pulsezta.net/login/admin");
    assert_eq!(
        t.subscriptions[0].display_name.as_deref(),
        Some("nZTA Advanced")
    );
    assert_eq!(
        (page.tenant_stats.active, page.tenant_stats.initializing),
        (1, 1)
    );
    assert_eq!((page.users.zta, page.users.pcs), (290, 0));

    mock.clock().advance(29.0);
    let page = c.list_tenants().send().await.unwrap();
    assert_eq!(page.tenant_stats.initializing, 1);
    mock.clock().advance(1.0);
    let page = c.list_tenants().send().await.unwrap();
    assert_eq!(
        (page.tenant_stats.active, page.tenant_stats.initializing),
        (2, 0)
    );
    let t = page
        .tenants
        .iter()
        .find(|t| t.sub_domain == "globex")
        .unwrap();
    assert_eq!(t.status, types::TenantEntityStatus::Active);
}

#[tokio::test]
async fn bad_tenant_bodies_name_the_field_and_create_nothing() {
    let mock = mock().await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let post = reqwest::Method::POST;
    let mut cases = vec![];
    let mut b = new_tenant("Bad_Label", 1);
    cases.push((b.clone(), "sub_domain"));
    b = new_tenant("-x", 1);
    cases.push((b.clone(), "sub_domain"));
    b = new_tenant("ok", 1);
    b["user"]["email"] = json!("not-an-email");
    cases.push((b.clone(), "user.email"));
    b = new_tenant("ok", 1);
    b["subscriptions"][0]["category"] = json!("VPN");
    cases.push((b.clone(), "subscriptions[0].category"));
    b = new_tenant("ok", 0);
    cases.push((b.clone(), "subscriptions[0].total_users"));
    b = new_tenant("ok", 1);
    b["subscriptions"] = json!([]);
    cases.push((b.clone(), "subscriptions"));
    b = new_tenant("ok", 1);
    b.as_object_mut().unwrap().remove("name");
    cases.push((b.clone(), "name"));
    for (body, field) in cases {
        let (status, e) = raw(&mock, &dsid, post.clone(), "/api/msp/tenants", Some(body)).await;
        assert_eq!(status, 400, "{field}: {e}");
        assert_eq!(e["field"], field, "{e}");
        assert_eq!(e["code"], "invalid_field");
        assert!(e["message"].as_str().unwrap().contains(field));
    }
    // Sub-domain taken: 409 and nothing created.
    let (status, e) = raw(
        &mock,
        &dsid,
        post.clone(),
        "/api/msp/tenants",
        Some(new_tenant("acme", 5)),
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str()),
        (409, Some("sub_domain_taken"))
    );
    let page = client(&mock, &dsid).list_tenants().send().await.unwrap();
    assert_eq!(page.total, 1);
}

#[tokio::test]
async fn cap_refuses_then_an_approved_request_raises_it() {
    let mock = mock().await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let c = client(&mock, &dsid);
    c.create_tenant()
        .body(create_body("t2", 1))
        .send()
        .await
        .unwrap();
    let (status, code, _) = err_of(
        c.create_tenant()
            .body(create_body("t3", 1))
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!((status, code.as_str()), (409, "tenant_cap_reached"));
    let page = c.list_tenants().send().await.unwrap();
    assert_eq!((page.total, page.tenant_cap_limit), (2, 2));

    // A request at or below the cap is refused.
    let (status, _, field) = err_of(
        c.request_tenant_cap_increase()
            .body(types::TenantCapLimitRequest {
                requested_limit: std::num::NonZeroU64::new(2).unwrap(),
                reason: None,
            })
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!((status, field.as_deref()), (400, Some("requested_limit")));

    let req = c
        .request_tenant_cap_increase()
        .body(types::TenantCapLimitRequest {
            requested_limit: std::num::NonZeroU64::new(4).unwrap(),
            reason: Some("growing".to_owned().try_into().unwrap()),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    // Pending: the cap has not moved.
    let list: Value = reqwest::get(format!("{}/__admin/nsa/cap-requests", mock.uri()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["cap_requests"][0]["status"], "pending");
    assert_eq!(list["cap_requests"][0]["id"], req.id.to_string());
    assert_eq!(c.list_tenants().send().await.unwrap().tenant_cap_limit, 2);

    let r = reqwest::Client::new()
        .post(format!(
            "{}/__admin/nsa/cap-requests/{}/approve",
            mock.uri(),
            req.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Approving twice is a conflict.
    let r = reqwest::Client::new()
        .post(format!(
            "{}/__admin/nsa/cap-requests/{}/approve",
            mock.uri(),
            req.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(c.list_tenants().send().await.unwrap().tenant_cap_limit, 4);
    c.create_tenant()
        .body(create_body("t3", 1))
        .send()
        .await
        .unwrap();
    assert_eq!(c.list_tenants().send().await.unwrap().total, 3);
}

#[tokio::test]
async fn cap_requests_can_be_auto_approved_after_a_delay() {
    let yaml = WORLD.replace(
        "provisioning_secs: 30",
        "provisioning_secs: 30\n    cap_request_auto_approve_secs: 120",
    );
    let mock = frozen(&yaml).await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let c = client(&mock, &dsid);
    c.request_tenant_cap_increase()
        .body(types::TenantCapLimitRequest {
            requested_limit: std::num::NonZeroU64::new(7).unwrap(),
            reason: None,
        })
        .send()
        .await
        .unwrap();
    mock.clock().advance(119.0);
    assert_eq!(c.list_tenants().send().await.unwrap().tenant_cap_limit, 2);
    mock.clock().advance(1.0);
    assert_eq!(c.list_tenants().send().await.unwrap().tenant_cap_limit, 7);
}

#[tokio::test]
async fn update_changes_name_and_subscriptions_and_404s_unknown_ids() {
    let mock = mock().await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let c = client(&mock, &dsid);
    let body: types::TenantUpdateEntity = serde_json::from_value(json!({
        "name": "Acme Group",
        "subscriptions": [
            {"id": SUB, "category": "ZTA", "total_users": 400},
            {"id": "7a1c9d3f-5e2b-4f4c-8d8e-3b6a2f9c4da1", "category": "PCS", "total_users": 20},
        ],
    }))
    .unwrap();
    let t = c
        .update_tenant()
        .tenant_id(ACME.parse::<uuid::Uuid>().unwrap())
        .body(body.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(t.name, "Acme Group");
    assert_eq!(t.subscriptions.len(), 2);
    assert_eq!(t.sub_domain, "acme");
    let page = c.list_tenants().send().await.unwrap();
    assert_eq!((page.users.zta, page.users.pcs), (400, 20));

    let (status, code, _) = err_of(
        c.update_tenant()
            .tenant_id(uuid::Uuid::new_v4())
            .body(body.clone())
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!((status, code.as_str()), (404, "not_found"));

    // Another MSP cannot touch this MSP's tenant.
    let other = login_beta(&mock).await;
    let (status, _, _) = err_of(
        client(&mock, &other)
            .update_tenant()
            .tenant_id(ACME.parse::<uuid::Uuid>().unwrap())
            .body(body)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(status, 404);
}

async fn login_beta(mock: &MockServer) -> String {
    let r = form_login(mock, "beta-admin", "beta-pass", "Beta Realm").await;
    cookie_value(&r, "DSID").unwrap()
}

#[tokio::test]
async fn tenant_list_pages_with_start_and_limit() {
    let yaml = WORLD.replace("tenant_cap_limit: 2", "tenant_cap_limit: 20");
    let mock = frozen(&yaml).await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let c = client(&mock, &dsid);
    for i in 0..4 {
        c.create_tenant()
            .body(create_body(&format!("t{i}"), 1))
            .send()
            .await
            .unwrap();
    }
    let p = c
        .list_tenants()
        .start(1u64)
        .limit(2u64)
        .send()
        .await
        .unwrap();
    assert_eq!(p.total, 5);
    let subs: Vec<_> = p.tenants.iter().map(|t| t.sub_domain.as_str()).collect();
    assert_eq!(subs, ["t0", "t1"]);
    let p = c
        .list_tenants()
        .start(4u64)
        .limit(2u64)
        .send()
        .await
        .unwrap();
    assert_eq!(p.tenants.len(), 1);
    let (status, _, field) = err_of(c.list_tenants().limit(101u64).send().await.unwrap_err());
    assert_eq!((status, field.as_deref()), (400, Some("limit")));
}

#[tokio::test]
async fn usage_reports_generate_list_download_and_expire() {
    let mock = mock().await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let c = client(&mock, &dsid);
    let mut ids = vec![];
    for _ in 0..3 {
        ids.push(c.generate_usage_report().send().await.unwrap().into_inner());
        mock.clock().advance(1.0);
    }
    let page = c
        .list_usage_reports()
        .start(0u64)
        .limit(2u64)
        .send()
        .await
        .unwrap();
    assert_eq!(page.total, 3);
    // Newest first.
    assert_eq!(page.items[0].id, ids[2].id);
    assert_eq!(page.items[1].id, ids[1].id);

    let url = c
        .get_usage_report_download_url()
        .report_id(ids[0].id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .url;
    // No session needed for the URL itself.
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("tenant_id,tenant_name,sub_domain,status,zta_users,pcs_users")
    );
    assert_eq!(
        lines.next(),
        Some(format!("{ACME},Acme,acme,active,250,0").as_str())
    );
    // A tampered token does not work.
    let r = reqwest::get(format!("{url}x")).await.unwrap();
    assert_eq!(r.status(), 404);
    // The URL expires on the mock clock.
    mock.clock().advance(301.0);
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "not_found");

    let e = c
        .get_usage_report_download_url()
        .report_id(uuid::Uuid::new_v4())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err_of(e).0, 404);
}

#[tokio::test]
async fn report_delete_accepts_comma_and_exploded_forms() {
    let mock = mock().await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let c = client(&mock, &dsid);
    let mut ids = vec![];
    for _ in 0..5 {
        ids.push(
            c.generate_usage_report()
                .send()
                .await
                .unwrap()
                .into_inner()
                .id
                .to_string(),
        );
    }
    let http = dsid_http(&dsid);
    let url = format!("{}/api/msp/reports/usage", mock.uri());
    // Comma form, all known: 204.
    let r = http
        .delete(format!("{url}?report_ids={},{}", ids[0], ids[1]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(c.list_usage_reports().send().await.unwrap().total, 3);
    // Exploded form, all known: 204.
    let r = http
        .delete(&url)
        .query(&[("report_ids", &ids[2]), ("report_ids", &ids[3])])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(c.list_usage_reports().send().await.unwrap().total, 1);
    // One known, one unknown (comma form): 200 naming the unknown; the known one goes.
    let unknown = uuid::Uuid::new_v4().to_string();
    let r = http
        .delete(format!("{url}?report_ids={},{unknown}", ids[4]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["total"], 1);
    assert_eq!(body["error"][0]["id"], unknown);
    assert_eq!(body["error"][0]["file_name"], "");
    assert_eq!(body["message"], "1 of 2 reports could not be deleted.");
    assert_eq!(c.list_usage_reports().send().await.unwrap().total, 0);
    // Exploded form with an already-deleted id: 200 again.
    let r = http
        .delete(&url)
        .query(&[("report_ids", &ids[0])])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // No ids: 400 naming report_ids.
    let r = http.delete(&url).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["field"], "report_ids");
}

#[tokio::test]
async fn client_runtime_delete_usage_reports_sees_both_outcomes() {
    let mock = mock().await;
    let creds =
        msp_client::nsa::NsaCredentials::new(mock.uri(), "alpha-admin", "alpha-pass").unwrap();
    let session = msp_client::nsa::NsaSession::login(creds).await.unwrap();
    let c = nsa_msp::Client::new(mock.uri(), session.context());
    let a = c
        .generate_usage_report()
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
        .to_string();
    let b = c
        .generate_usage_report()
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
        .to_string();
    let out = session.delete_usage_reports(&[&a, &b]).await.unwrap();
    assert_eq!(out, msp_client::nsa::DeleteReportsOutcome::AllDeleted);
    let out = session.delete_usage_reports(&[&a]).await.unwrap();
    assert!(matches!(
        out,
        msp_client::nsa::DeleteReportsOutcome::Partial { total: 1, .. }
    ));
}

#[tokio::test]
async fn schedule_defaults_validates_and_stores() {
    let mock = mock().await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let c = client(&mock, &dsid);
    let s = c
        .get_usage_report_schedule()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (s.frequency, s.start_day, s.disabled),
        (types::UsageReportScheduleEntityFrequency::Daily, 1, false)
    );
    let bad = [
        (
            json!({"frequency": "weekly", "start_day": 7}),
            "start_day",
            "weekly",
        ),
        (
            json!({"frequency": "monthly", "start_day": 0}),
            "start_day",
            "monthly",
        ),
        (
            json!({"frequency": "monthly", "start_day": 29}),
            "start_day",
            "28",
        ),
        (
            json!({"frequency": "hourly"}),
            "frequency",
            "daily, weekly, monthly",
        ),
        (json!({"disabled": "yes"}), "disabled", "boolean"),
    ];
    for (body, field, rule) in bad {
        let (status, e) = raw(
            &mock,
            &dsid,
            reqwest::Method::POST,
            "/api/msp/reports/usage/schedule",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(e["field"], field, "{e}");
        assert!(e["message"].as_str().unwrap().contains(rule), "{e}");
    }
    // Nothing stored by the failures.
    let s = c
        .get_usage_report_schedule()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        s.frequency,
        types::UsageReportScheduleEntityFrequency::Daily
    );

    let set = c
        .set_usage_report_schedule()
        .body(types::UsageReportScheduleEntity {
            frequency: types::UsageReportScheduleEntityFrequency::Weekly,
            start_day: 6,
            disabled: true,
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(set.start_day, 6);
    let s = c
        .get_usage_report_schedule()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (s.frequency, s.start_day, s.disabled),
        (types::UsageReportScheduleEntityFrequency::Weekly, 6, true)
    );
}

#[tokio::test]
async fn block_unblock_and_delete_follow_the_rules() {
    let mock = mock().await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let c = client(&mock, &dsid);
    let acme: uuid::Uuid = ACME.parse().unwrap();
    let t = c
        .block_tenant()
        .tenant_id(acme)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(t.status, types::TenantEntityStatus::Blocked);
    assert_eq!(
        c.list_tenants().send().await.unwrap().tenant_stats.blocked,
        1
    );
    let t = c
        .unblock_tenant()
        .tenant_id(acme)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(t.status, types::TenantEntityStatus::Active);

    // A tenant still initializing cannot be blocked.
    c.create_tenant()
        .body(create_body("fresh", 1))
        .send()
        .await
        .unwrap();
    let fresh = c
        .list_tenants()
        .send()
        .await
        .unwrap()
        .into_inner()
        .tenants
        .into_iter()
        .find(|t| t.sub_domain == "fresh")
        .unwrap();
    let (status, code, _) = err_of(
        c.block_tenant()
            .tenant_id(fresh.id)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!((status, code.as_str()), (409, "tenant_initializing"));

    // Deleting frees a place under the cap.
    c.delete_tenant().tenant_id(acme).send().await.unwrap();
    c.create_tenant()
        .body(create_body("again", 1))
        .send()
        .await
        .unwrap();
    let e = c.delete_tenant().tenant_id(acme).send().await.unwrap_err();
    assert_eq!(err_of(e).0, 404);
}

#[tokio::test]
async fn reset_restores_the_nsa_world_and_ends_sessions() {
    let mock = mock().await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let c = client(&mock, &dsid);
    c.create_tenant()
        .body(create_body("gone", 1))
        .send()
        .await
        .unwrap();
    mock.reset();
    assert_eq!(err_of(c.list_tenants().send().await.unwrap_err()).0, 401);
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    assert_eq!(
        client(&mock, &dsid)
            .list_tenants()
            .send()
            .await
            .unwrap()
            .total,
        1
    );
}

#[tokio::test]
async fn middleware_errors_on_nsa_paths_use_the_nsa_shape() {
    let mock = mock().await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    // Unknown path under the portal API.
    let (status, e) = raw(&mock, &dsid, reqwest::Method::GET, "/api/msp/nope", None).await;
    assert_eq!((status, e["code"].as_str()), (404, Some("not_found")));
    assert!(e.get("errorCode").is_none(), "{e}");
    // An injected fault answers in the NsaError shape too, and the generated client decodes it.
    let r = reqwest::Client::new()
        .post(format!("{}/__admin/faults", mock.uri()))
        .json(&json!({"path": "/api/msp/tenants", "status": 503, "times": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let e = client(&mock, &dsid)
        .list_tenants()
        .send()
        .await
        .unwrap_err();
    match e {
        nsa_msp::Error::UnexpectedResponse(r) => {
            assert_eq!(r.status(), 503);
            let b: Value = r.json().await.unwrap();
            assert_eq!(b["code"], "internal_error");
            assert!(b["message"].as_str().unwrap().contains("503"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn concurrent_creates_never_break_the_cap_or_sub_domain_uniqueness() {
    let mock = mock().await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    // Cap 2 with one tenant: of 16 concurrent creates with distinct sub-domains, one wins.
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let c = client(&mock, &dsid);
            tokio::spawn(async move {
                c.create_tenant()
                    .body(create_body(&format!("race{i}"), 1))
                    .send()
                    .await
                    .is_ok()
            })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        wins += usize::from(t.await.unwrap());
    }
    assert_eq!(wins, 1);
    assert_eq!(
        client(&mock, &dsid)
            .list_tenants()
            .send()
            .await
            .unwrap()
            .total,
        2
    );

    // Two concurrent creates of one sub-domain: exactly one gets it.
    let beta = login_beta(&mock).await;
    let tasks: Vec<_> = [beta.clone(), beta]
        .into_iter()
        .map(|d| {
            let c = client(&mock, &d);
            tokio::spawn(async move {
                c.create_tenant()
                    .body(create_body("contested", 1))
                    .send()
                    .await
                    .is_ok()
            })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        wins += usize::from(t.await.unwrap());
    }
    assert_eq!(wins, 1);
}

#[tokio::test]
async fn nsa_calls_are_rate_limited_in_the_nsa_shape() {
    let yaml = format!("settings:\n  rate_limits: {{ per_client: 3 }}\n{WORLD}");
    let mock = frozen(&yaml).await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let c = client(&mock, &dsid);
    for _ in 0..3 {
        c.get_usage_report_schedule().send().await.unwrap();
    }
    let r = dsid_http(&dsid)
        .get(format!("{}/api/msp/reports/usage/schedule", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["ratelimit-limit"], "3");
    assert!(r.headers().contains_key("retry-after"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    mock.clock().advance(60.0);
    c.get_usage_report_schedule().send().await.unwrap();
}

#[tokio::test]
async fn nsa_state_survives_export_and_import_without_sessions() {
    let mock = mock().await;
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let c = client(&mock, &dsid);
    c.generate_usage_report().send().await.unwrap();
    let http = reqwest::Client::new();
    let state: Value = http
        .get(format!("{}/__admin/state", mock.uri()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = state.to_string();
    assert!(!text.contains(&dsid), "sessions must not be exported");
    assert_eq!(
        state["nsa"]["msps"][0]["reports"].as_array().unwrap().len(),
        1
    );
    mock.reset();
    let r = http
        .put(format!("{}/__admin/state", mock.uri()))
        .json(&state)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let dsid = login(&mock, "alpha-admin", "alpha-pass").await;
    let page = client(&mock, &dsid)
        .list_usage_reports()
        .send()
        .await
        .unwrap();
    assert_eq!(page.total, 1);
}
