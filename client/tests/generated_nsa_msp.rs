//! Wire-level tests of the generated `nsa_msp` client (openapi/nsa-msp.yaml): every generated
//! operation sends the right method, path, query and body, and parses the portal's success and
//! error bodies. The report delete is hand-written (`NsaSession::delete_usage_reports`); its
//! exploded `report_ids` query is checked at the end through a session logged in against wiremock.

use futures::TryStreamExt;
use msp_client::generated::nsa_msp::{Client, Error, types};
use msp_client::hooks::Context;
use msp_client::{DeleteReportsOutcome, NsaCredentials, NsaSession};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod wire;
use wire::{FormIs, NoBody, QueryIs, nz};

const TENANT_ID: &str = "0c9e3b52-7a41-4f6d-8e2b-5d1c7a9f3e64";
const SUB_ID: &str = "6f0b8c2e-4d1a-4e3b-9c7d-2a5f1e8b3c90";
const REPORT_ID: &str = "8d2f6a4b-1c3e-4f5a-9b7c-0e1d2f3a4b5c";
const OTHER_REPORT_ID: &str = "1f0e9d8c-7b6a-4594-8372-6150a4b3c2d1";

fn client(server: &MockServer) -> Client {
    Client::new(&server.uri(), Context::default())
}

fn tenant_id() -> uuid::Uuid {
    TENANT_ID.parse().unwrap()
}

fn zta_subscription(users: u64) -> types::SubscriptionEntity {
    types::SubscriptionEntity::builder()
        .id(SUB_ID.parse::<uuid::Uuid>().unwrap())
        .category(types::SubscriptionEntityCategory::Zta)
        .total_users(nz(users))
        .try_into()
        .unwrap()
}

fn tenant_json(name: &str, status: &str, users: u64) -> serde_json::Value {
    json!({
        "id": TENANT_ID,
        "sub_domain": "acme-retail",
        "user": {"username": "acme-admin", "email": "it-admin@acme-retail.example"},
        "name": name,
        "created": "2026-10-02T09:30:00Z",
        "subscriptions": [{
            "id": SUB_ID,
            "display_name": "nZTA Advanced",
            "category": "ZTA",
            "total_users": users,
            "display_category": "Zero Trust Access"
        }],
        "login_url": "https://acme-retail.pulsezta.net/login/admin",
        "status": status
    })
}

fn report_json(id: &str, file: &str) -> serde_json::Value {
    json!({"id": id, "file_name": file, "created": "2026-11-22T19:40:05Z"})
}

/// The error of a call whose success type (a byte stream) has no `Debug`.
fn expect_err<T, E>(result: Result<T, E>) -> E {
    match result {
        Ok(_) => panic!("expected the call to fail"),
        Err(e) => e,
    }
}

async fn read_all(stream: msp_client::generated::nsa_msp::ByteStream) -> String {
    let bytes: Vec<u8> = stream
        .into_inner()
        .map_ok(|b| b.to_vec())
        .try_concat()
        .await
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn get_msp_login_page_returns_html_and_the_dssignin_cookie() {
    let server = MockServer::start().await;
    let page = "<!DOCTYPE html><html><body><form></form></body></html>";
    Mock::given(method("GET"))
        .and(path("/login/msp"))
        .and(QueryIs(vec![]))
        .and(NoBody)
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Set-Cookie", "DSSIGNIN=url_msp; path=/; secure; HttpOnly")
                .set_body_raw(page, "text/html"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let rv = client(&server).get_msp_login_page().send().await.unwrap();
    assert_eq!(rv.status().as_u16(), 200);
    assert_eq!(
        rv.headers().get("set-cookie").unwrap(),
        "DSSIGNIN=url_msp; path=/; secure; HttpOnly"
    );
    assert_eq!(read_all(rv.into_inner()).await, page);
}

#[tokio::test]
async fn submit_msp_login_posts_the_form_to_the_signin_path() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/dana-na/auth/url_msp/login.cgi"))
        .and(QueryIs(vec![]))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(FormIs(vec![
            ("username", "msp-admin@example.com"),
            ("password", "p&ss=word +1"),
            ("realm", "Admin Users"),
        ]))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Set-Cookie", "DSID=4f1c2b9a8e7d; path=/; secure; HttpOnly")
                .set_body_raw("<html>Signed in.</html>", "text/html"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let rv = client(&server)
        .submit_msp_login()
        .dssignin("url_msp")
        .body_map(|b| {
            b.username("msp-admin@example.com")
                .password("p&ss=word +1")
                .realm("Admin Users")
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        rv.headers().get("set-cookie").unwrap(),
        "DSID=4f1c2b9a8e7d; path=/; secure; HttpOnly"
    );
}

#[tokio::test]
async fn submit_msp_login_wrong_password_is_an_nsa_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/dana-na/auth/url_msp/login.cgi"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "code": "invalid_credentials",
            "message": "Invalid username or password."
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = expect_err(
        client(&server)
            .submit_msp_login()
            .dssignin("url_msp")
            .body_map(|b| b.username("admin").password("wrong").realm("Admin Users"))
            .send()
            .await,
    );
    match err {
        Error::ErrorResponse(rv) => {
            assert_eq!(rv.status().as_u16(), 401);
            assert_eq!(rv.into_inner().code, "invalid_credentials");
        }
        other => panic!("expected ErrorResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn submit_msp_login_refuses_a_dssignin_that_is_not_a_path_segment() {
    let server = MockServer::start().await;
    let err = expect_err(
        client(&server)
            .submit_msp_login()
            .dssignin("../admin")
            .body_map(|b| b.username("admin").password("pw").realm("Admin Users"))
            .send()
            .await,
    );
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn create_tenant_posts_snake_case_json_and_accepts_202_without_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/msp/tenants"))
        .and(QueryIs(vec![]))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "sub_domain": "acme-retail",
            "user": {"username": "acme-admin", "email": "it-admin@acme-retail.example"},
            "name": "Acme Retail",
            "subscriptions": [{"id": SUB_ID, "category": "ZTA", "total_users": 250}]
        })))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&server)
        .await;
    let rv = client(&server)
        .create_tenant()
        .body_map(|b| {
            b.sub_domain("acme-retail")
                .user(
                    types::TenantAdminUserEntity::builder()
                        .username("acme-admin")
                        .email("it-admin@acme-retail.example"),
                )
                .name("Acme Retail")
                .subscriptions(vec![zta_subscription(250)])
        })
        .send()
        .await
        .unwrap();
    assert_eq!(rv.status().as_u16(), 202);
}

#[tokio::test]
async fn create_tenant_refuses_a_sub_domain_that_is_not_a_dns_label() {
    let server = MockServer::start().await;
    for bad in [
        "Acme",
        "-acme",
        "acme-",
        "acme_retail",
        "a.b",
        &"a".repeat(64),
        "",
    ] {
        let err = client(&server)
            .create_tenant()
            .body_map(|b| {
                b.sub_domain(bad)
                    .user(
                        types::TenantAdminUserEntity::builder()
                            .username("admin")
                            .email("admin@example.com"),
                    )
                    .name("Acme")
                    .subscriptions(vec![zta_subscription(10)])
            })
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{bad:?}: {err:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn create_tenant_conflict_parses_the_error_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/msp/tenants"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({
            "code": "tenant_cap_reached",
            "message": "The MSP already has 10 of 10 tenants allowed by tenant_cap_limit."
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .create_tenant()
        .body_map(|b| {
            b.sub_domain("northwind")
                .user(
                    types::TenantAdminUserEntity::builder()
                        .username("nw-admin")
                        .email("admin@northwind.example"),
                )
                .name("Northwind")
                .subscriptions(vec![zta_subscription(10)])
        })
        .send()
        .await
        .unwrap_err();
    match err {
        Error::ErrorResponse(rv) => {
            assert_eq!(rv.status().as_u16(), 409);
            let body = rv.into_inner();
            assert_eq!(body.code, "tenant_cap_reached");
            assert_eq!(body.field, None);
        }
        other => panic!("expected ErrorResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn list_tenants_sends_start_and_limit_and_parses_collection() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/msp/tenants"))
        .and(QueryIs(vec![("start", "20"), ("limit", "20")]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "total": 21,
            "tenants": [tenant_json("Acme Retail", "initializing", 250)],
            "users": {"ZTA": 250, "PCS": 40},
            "tenant_stats": {"active": 19, "blocked": 1, "initializing": 1},
            "tenant_cap_limit": 25
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .list_tenants()
        .start(20u64)
        .limit(nz(20))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.total, 21);
    assert_eq!(page.tenant_cap_limit, 25);
    assert_eq!((page.users.zta, page.users.pcs), (250, 40));
    assert_eq!(
        (
            page.tenant_stats.active,
            page.tenant_stats.blocked,
            page.tenant_stats.initializing
        ),
        (19, 1, 1)
    );
    let t = &page.tenants[0];
    assert_eq!(t.id, tenant_id());
    assert_eq!(t.sub_domain, "acme-retail");
    assert_eq!(t.status, types::TenantEntityStatus::Initializing);
    assert_eq!(t.login_url, "https://acme-retail.pulsezta.net/login/admin");
    assert_eq!(t.user.email.as_str(), "it-admin@acme-retail.example");
    assert_eq!(t.subscriptions[0].total_users.get(), 250);
    assert_eq!(
        t.subscriptions[0].display_name.as_deref(),
        Some("nZTA Advanced")
    );
}

#[tokio::test]
async fn list_tenants_rejects_unknown_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/msp/tenants"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "total": 1,
            "tenants": [tenant_json("Acme", "deleted", 1)],
            "users": {"ZTA": 1, "PCS": 0},
            "tenant_stats": {"active": 0, "blocked": 0, "initializing": 0},
            "tenant_cap_limit": 5
        })))
        .mount(&server)
        .await;
    let err = client(&server).list_tenants().send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
}

#[tokio::test]
async fn request_tenant_cap_increase_posts_json_and_parses_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/msp/tenants/requests/tenant-cap-limit"))
        .and(QueryIs(vec![]))
        .and(body_json(json!({
            "requested_limit": 25,
            "reason": "Onboarding a retail chain."
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "2b7e4c1d-9f3a-4d8e-b6c5-1a0f9e8d7c6b"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let created = client(&server)
        .request_tenant_cap_increase()
        .body_map(|b| {
            b.requested_limit(nz(25)).reason(Some(
                types::TenantCapLimitRequestReason::try_from("Onboarding a retail chain.").unwrap(),
            ))
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        created.id.to_string(),
        "2b7e4c1d-9f3a-4d8e-b6c5-1a0f9e8d7c6b"
    );
}

#[tokio::test]
async fn update_tenant_puts_name_and_subscriptions_and_parses_tenant() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(format!("/api/msp/tenants/{TENANT_ID}")))
        .and(QueryIs(vec![]))
        .and(body_json(json!({
            "name": "Acme Retail Group",
            "subscriptions": [{"id": SUB_ID, "category": "ZTA", "total_users": 400}]
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(tenant_json(
            "Acme Retail Group",
            "active",
            400,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let t = client(&server)
        .update_tenant()
        .tenant_id(tenant_id())
        .body_map(|b| {
            b.name("Acme Retail Group")
                .subscriptions(vec![zta_subscription(400)])
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(t.name, "Acme Retail Group");
    assert_eq!(t.subscriptions[0].total_users.get(), 400);
    assert_eq!(t.status, types::TenantEntityStatus::Active);
}

#[tokio::test]
async fn delete_tenant_sends_delete_and_accepts_204() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/api/msp/tenants/{TENANT_ID}")))
        .and(QueryIs(vec![]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let rv = client(&server)
        .delete_tenant()
        .tenant_id(tenant_id())
        .send()
        .await
        .unwrap();
    assert_eq!(rv.status().as_u16(), 204);
}

#[tokio::test]
async fn block_and_unblock_post_to_their_paths_and_parse_the_tenant() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/api/msp/tenants/{TENANT_ID}/block")))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(tenant_json("Acme", "blocked", 5)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/api/msp/tenants/{TENANT_ID}/unblock")))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(tenant_json("Acme", "active", 5)))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let blocked = c
        .block_tenant()
        .tenant_id(tenant_id())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(blocked.status, types::TenantEntityStatus::Blocked);
    let active = c
        .unblock_tenant()
        .tenant_id(tenant_id())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(active.status, types::TenantEntityStatus::Active);
}

#[tokio::test]
async fn generate_usage_report_posts_without_body_and_parses_report() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/msp/reports/usage"))
        .and(QueryIs(vec![]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(report_json(
            REPORT_ID,
            "usage_report_2026-11-22T19-40-05Z.csv",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let r = client(&server)
        .generate_usage_report()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.id.to_string(), REPORT_ID);
    assert_eq!(r.file_name, "usage_report_2026-11-22T19-40-05Z.csv");
    assert_eq!(r.created.to_rfc3339(), "2026-11-22T19:40:05+00:00");
}

#[tokio::test]
async fn list_usage_reports_sends_start_and_limit_and_parses_collection() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/msp/reports/usage"))
        .and(QueryIs(vec![("start", "0"), ("limit", "100")]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "total": 2,
            "items": [
                report_json(REPORT_ID, "b.csv"),
                report_json(OTHER_REPORT_ID, "a.csv")
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .list_usage_reports()
        .start(0u64)
        .limit(nz(100))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.total, 2);
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[1].id.to_string(), OTHER_REPORT_ID);
}

#[tokio::test]
async fn get_usage_report_download_url_uses_the_report_path() {
    let server = MockServer::start().await;
    let url =
        format!("https://example-msp.pulsezta.net/reports/usage/{REPORT_ID}.csv?token=Zx81kQ2");
    Mock::given(method("GET"))
        .and(path(format!(
            "/api/msp/reports/usage/{REPORT_ID}/download-url"
        )))
        .and(QueryIs(vec![]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"url": url})))
        .expect(1)
        .mount(&server)
        .await;
    let got = client(&server)
        .get_usage_report_download_url()
        .report_id(REPORT_ID.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.url, url);
}

#[tokio::test]
async fn set_usage_report_schedule_posts_every_field_and_parses_the_echo() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/msp/reports/usage/schedule"))
        .and(QueryIs(vec![]))
        .and(body_json(
            json!({"frequency": "weekly", "start_day": 0, "disabled": false}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "frequency": "weekly", "start_day": 0, "disabled": false
        })))
        .expect(1)
        .mount(&server)
        .await;
    let s = client(&server)
        .set_usage_report_schedule()
        .body_map(|b| {
            b.frequency(types::UsageReportScheduleEntityFrequency::Weekly)
                .start_day(0)
                .disabled(false)
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        s.frequency,
        types::UsageReportScheduleEntityFrequency::Weekly
    );
    assert_eq!(s.start_day, 0);
    assert!(!s.disabled);
}

#[tokio::test]
async fn get_usage_report_schedule_fills_documented_defaults() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/msp/reports/usage/schedule"))
        .and(QueryIs(vec![]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let s = client(&server)
        .get_usage_report_schedule()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        s.frequency,
        types::UsageReportScheduleEntityFrequency::Daily
    );
    assert_eq!(s.start_day, 1);
    assert!(!s.disabled);
}

/// Calls one generated operation against `server` and returns its error, if any.
async fn call(server: &MockServer, op: &str) -> Result<(), Error<types::NsaError>> {
    let c = client(server);
    let report: uuid::Uuid = REPORT_ID.parse().unwrap();
    match op {
        "get_msp_login_page" => c.get_msp_login_page().send().await.map(|_| ()),
        "submit_msp_login" => c
            .submit_msp_login()
            .dssignin("url_msp")
            .body_map(|b| b.username("u").password("p").realm("Admin Users"))
            .send()
            .await
            .map(|_| ()),
        "create_tenant" => c
            .create_tenant()
            .body_map(|b| {
                b.sub_domain("acme")
                    .user(
                        types::TenantAdminUserEntity::builder()
                            .username("a")
                            .email("a@example.com"),
                    )
                    .name("Acme")
                    .subscriptions(vec![zta_subscription(1)])
            })
            .send()
            .await
            .map(|_| ()),
        "list_tenants" => c.list_tenants().send().await.map(|_| ()),
        "request_tenant_cap_increase" => c
            .request_tenant_cap_increase()
            .body_map(|b| b.requested_limit(nz(50)))
            .send()
            .await
            .map(|_| ()),
        "update_tenant" => c
            .update_tenant()
            .tenant_id(tenant_id())
            .body_map(|b| b.name("Acme").subscriptions(vec![zta_subscription(1)]))
            .send()
            .await
            .map(|_| ()),
        "delete_tenant" => c
            .delete_tenant()
            .tenant_id(tenant_id())
            .send()
            .await
            .map(|_| ()),
        "block_tenant" => c
            .block_tenant()
            .tenant_id(tenant_id())
            .send()
            .await
            .map(|_| ()),
        "unblock_tenant" => c
            .unblock_tenant()
            .tenant_id(tenant_id())
            .send()
            .await
            .map(|_| ()),
        "generate_usage_report" => c.generate_usage_report().send().await.map(|_| ()),
        "list_usage_reports" => c.list_usage_reports().send().await.map(|_| ()),
        "get_usage_report_download_url" => c
            .get_usage_report_download_url()
            .report_id(report)
            .send()
            .await
            .map(|_| ()),
        "set_usage_report_schedule" => c
            .set_usage_report_schedule()
            .body_map(|b| b.disabled(true))
            .send()
            .await
            .map(|_| ()),
        "get_usage_report_schedule" => c.get_usage_report_schedule().send().await.map(|_| ()),
        other => panic!("unknown operation {other}"),
    }
}

#[tokio::test]
async fn every_declared_error_status_parses_the_nsa_error_body() {
    let tenant_path = format!("/api/msp/tenants/{TENANT_ID}");
    let block_path = format!("{tenant_path}/block");
    let unblock_path = format!("{tenant_path}/unblock");
    let url_path = format!("/api/msp/reports/usage/{REPORT_ID}/download-url");
    let cases: Vec<(&str, &str, &str, &[u16])> = vec![
        ("get_msp_login_page", "GET", "/login/msp", &[429, 500]),
        (
            "submit_msp_login",
            "POST",
            "/dana-na/auth/url_msp/login.cgi",
            &[400, 401, 429, 500],
        ),
        (
            "create_tenant",
            "POST",
            "/api/msp/tenants",
            &[400, 401, 409, 429, 500],
        ),
        (
            "list_tenants",
            "GET",
            "/api/msp/tenants",
            &[400, 401, 429, 500],
        ),
        (
            "request_tenant_cap_increase",
            "POST",
            "/api/msp/tenants/requests/tenant-cap-limit",
            &[400, 401, 429, 500],
        ),
        (
            "update_tenant",
            "PUT",
            &tenant_path,
            &[400, 401, 404, 429, 500],
        ),
        (
            "delete_tenant",
            "DELETE",
            &tenant_path,
            &[401, 404, 429, 500],
        ),
        (
            "block_tenant",
            "POST",
            &block_path,
            &[401, 404, 409, 429, 500],
        ),
        (
            "unblock_tenant",
            "POST",
            &unblock_path,
            &[401, 404, 409, 429, 500],
        ),
        (
            "generate_usage_report",
            "POST",
            "/api/msp/reports/usage",
            &[401, 429, 500],
        ),
        (
            "list_usage_reports",
            "GET",
            "/api/msp/reports/usage",
            &[400, 401, 429, 500],
        ),
        (
            "get_usage_report_download_url",
            "GET",
            &url_path,
            &[401, 404, 429, 500],
        ),
        (
            "set_usage_report_schedule",
            "POST",
            "/api/msp/reports/usage/schedule",
            &[400, 401, 429, 500],
        ),
        (
            "get_usage_report_schedule",
            "GET",
            "/api/msp/reports/usage/schedule",
            &[401, 429, 500],
        ),
    ];
    for (op, verb, route, statuses) in cases {
        for &status in statuses {
            let server = MockServer::start().await;
            let code = format!("code_{status}");
            let mut response = ResponseTemplate::new(status).set_body_json(json!({
                "code": code,
                "message": format!("failure {status}"),
                "field": "name"
            }));
            if status == 429 {
                response = response
                    .insert_header("ratelimit-limit", "60")
                    .insert_header("ratelimit-remaining", "0")
                    .insert_header("ratelimit-reset", "30")
                    .insert_header("Retry-After", "30");
            }
            Mock::given(method(verb))
                .and(path(route))
                .respond_with(response)
                .expect(1)
                .mount(&server)
                .await;
            match call(&server, op).await {
                Err(Error::ErrorResponse(rv)) => {
                    assert_eq!(rv.status().as_u16(), status, "{op}");
                    if status == 429 {
                        assert_eq!(rv.headers().get("retry-after").unwrap(), "30", "{op}");
                    }
                    let body = rv.into_inner();
                    assert_eq!(body.code, code, "{op}");
                    assert_eq!(body.message, format!("failure {status}"));
                    assert_eq!(body.field.as_deref(), Some("name"));
                }
                other => panic!("{op} {status}: expected ErrorResponse, got {other:?}"),
            }
        }
    }
}

/// The report delete is hand-written (204 or 200-with-body cannot be generated). This checks
/// its wire form through a session logged in against wiremock: `report_ids` goes out exploded,
/// one pair per id, with the session's `DSID` cookie, and both vendor answers are understood.
#[tokio::test]
async fn hand_written_delete_usage_reports_sends_report_ids_exploded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/login/msp"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Set-Cookie", "DSSIGNIN=url_msp; path=/")
                .set_body_raw("<html></html>", "text/html"),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/dana-na/auth/url_msp/login.cgi"))
        .respond_with(ResponseTemplate::new(200).insert_header("Set-Cookie", "DSID=sess-1; path=/"))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/msp/reports/usage"))
        .and(QueryIs(vec![
            ("report_ids", REPORT_ID),
            ("report_ids", OTHER_REPORT_ID),
        ]))
        .and(header("cookie", "DSID=sess-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "message": "1 of 2 reports could not be deleted.",
            "total": 1,
            "error": [{"id": OTHER_REPORT_ID, "file_name": ""}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/msp/reports/usage"))
        .and(QueryIs(vec![("report_ids", REPORT_ID)]))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    let session = NsaSession::login(
        NsaCredentials::new(&server.uri(), "msp-admin@example.com", "pw").unwrap(),
    )
    .await
    .unwrap();
    match session
        .delete_usage_reports(&[REPORT_ID, OTHER_REPORT_ID])
        .await
        .unwrap()
    {
        DeleteReportsOutcome::Partial { total, failed, .. } => {
            assert_eq!(total, 1);
            assert_eq!(failed.len(), 1);
            assert_eq!(failed[0].id, OTHER_REPORT_ID);
        }
        other => panic!("expected a partial outcome, got {other:?}"),
    }
    assert_eq!(
        session.delete_usage_reports(&[REPORT_ID]).await.unwrap(),
        DeleteReportsOutcome::AllDeleted
    );
}

/// The login form's password (`format: password`) never shows in `Debug`.
#[test]
fn login_form_debug_redacts_the_password() {
    let form: types::LoginForm = types::LoginForm::builder()
        .username(types::LoginFormUsername::try_from("admin@msp.example.com").unwrap())
        .password(types::LoginFormPassword::try_from("correct-horse-battery-staple").unwrap())
        .realm(types::LoginFormRealm::try_from("Admin Users").unwrap())
        .try_into()
        .unwrap();
    let shown = format!("{form:?}");
    assert!(!shown.contains("correct-horse"), "password in {shown}");
    assert!(shown.contains("LoginFormPassword(***)"), "{shown}");
    assert!(shown.contains("admin@msp.example.com"), "{shown}");
}
