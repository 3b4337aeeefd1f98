//! Wire-level tests of the generated `glp_platform` client (openapi/glp-platform.yaml): the
//! devices and audit-log list calls send the right method, path and paging/filter query, and
//! parse the vendor's page envelope and error body.

use msp_client::generated::glp_platform::{Client, Error, types};
use msp_client::hooks::Context;
use serde_json::json;
use std::num::NonZeroU64;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod wire;
use wire::{NoBody, QueryIs};

fn client(server: &MockServer) -> Client {
    Client::new(&server.uri(), Context::default())
}

fn error_json(status: u16, code: &str) -> serde_json::Value {
    json!({
        "debugId": "4d1f0c9e-7b2a-4e3c-9d8f-0a1b2c3d4e5f",
        "httpStatusCode": status,
        "errorCode": code,
        "message": format!("failure {status}"),
    })
}

fn device_json(id: &str, serial: &str, tenant: Option<&str>) -> serde_json::Value {
    json!({
        "id": id,
        "type": "devices/device",
        "serialNumber": serial,
        "partNumber": "R4W02A",
        "macAddress": "20:4c:03:1a:2b:3c",
        "deviceType": "AP",
        "model": "AP-515",
        "region": "us-west",
        "archived": false,
        "assignedState": "ASSIGNED_TO_SERVICE",
        "tenantWorkspaceId": tenant,
        "application": {"id": "0f2b5e6c-1a2b-4c3d-8e9f-a0b1c2d3e4f5"},
        "subscription": [{"id": "sub-1", "resourceUri": "/subscriptions/v1/subscriptions/sub-1"}],
        "tags": {"site": "HQ"},
        "createdAt": "2026-03-02T10:15:30Z",
        "updatedAt": "2026-10-18T08:02:11.250Z",
        "generation": 3,
        "resourceUri": format!("/devices/v1/devices/{id}")
    })
}

#[tokio::test]
async fn list_devices_sends_filter_sort_offset_limit_and_parses_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/devices/v1/devices"))
        .and(QueryIs(vec![
            (
                "filter",
                "serialNumber eq 'O''Hare-01' and archived eq false",
            ),
            ("sort", "createdAt desc,serialNumber"),
            ("offset", "2000"),
            ("limit", "2000"),
        ]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [
                device_json("5b0e3a6c-8d1f-4b7e-9a52-3c1d2e4f6a70", "CNK9KXR0TQ",
                    Some("7f3c2a1b9e8d4c6fa5b4c3d2e1f0a9b8")),
                {"id": "d2", "type": "devices/device", "serialNumber": "SG2BLM00Q7",
                 "macAddress": null, "createdAt": "2026-01-01T00:00:00Z",
                 "updatedAt": "2026-01-01T00:00:00Z"}
            ],
            "count": 2,
            "offset": 2000,
            "total": 2002
        })))
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server)
        .list_devices()
        .filter("serialNumber eq 'O''Hare-01' and archived eq false")
        .sort("createdAt desc,serialNumber")
        .offset(2000u64)
        .limit(NonZeroU64::new(2000).unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((page.count, page.offset, page.total), (2, 2000, 2002));
    let d = &page.items[0];
    assert_eq!(d.serial_number, "CNK9KXR0TQ");
    assert_eq!(d.id, "5b0e3a6c-8d1f-4b7e-9a52-3c1d2e4f6a70");
    assert_eq!(d.mac_address.as_deref(), Some("20:4c:03:1a:2b:3c"));
    assert_eq!(d.device_type.as_deref(), Some("AP"));
    assert_eq!(
        d.assigned_state,
        Some(types::DeviceAssignedState::AssignedToService)
    );
    assert_eq!(
        d.tenant_workspace_id.as_deref(),
        Some("7f3c2a1b9e8d4c6fa5b4c3d2e1f0a9b8")
    );
    assert_eq!(d.subscription.len(), 1);
    assert_eq!(d.tags.get("site").map(String::as_str), Some("HQ"));
    assert_eq!(d.created_at.to_rfc3339(), "2026-03-02T10:15:30+00:00");
    // The second item carries only the required fields (and an explicit null MAC).
    let bare = &page.items[1];
    assert_eq!(bare.serial_number, "SG2BLM00Q7");
    assert_eq!(bare.mac_address, None);
    assert_eq!(bare.tenant_workspace_id, None);
    assert!(bare.subscription.is_empty());
}

#[tokio::test]
async fn list_devices_without_parameters_sends_empty_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/devices/v1/devices"))
        .and(QueryIs(vec![]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [], "count": 0, "offset": 0, "total": 0
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .list_devices()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(page.items.is_empty());
    assert_eq!(page.total, 0);
}

#[tokio::test]
async fn list_devices_rejects_item_without_serial_number() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/devices/v1/devices"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [{"id": "d1", "type": "devices/device",
                       "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"}],
            "count": 1, "offset": 0, "total": 1
        })))
        .mount(&server)
        .await;
    let err = client(&server).list_devices().send().await.unwrap_err();
    assert!(
        matches!(err, Error::InvalidResponsePayload(..)),
        "a device without serialNumber must not parse: {err:?}"
    );
}

#[tokio::test]
async fn list_devices_refuses_overlong_filter_without_sending() {
    let server = MockServer::start().await;
    // `filter` is bounded to 2048 characters in the spec; the generated newtype refuses a
    // longer one before any request leaves the client.
    let err = client(&server)
        .list_devices()
        .filter("x".repeat(2049))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn list_audit_logs_sends_filter_offset_limit_and_parses_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/audit-log/v1/logs"))
        .and(QueryIs(vec![
            (
                "filter",
                "category eq 'User Management' and createdAt ge '2026-11-01T00:00:00Z'",
            ),
            ("offset", "50"),
            ("limit", "25"),
        ]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [{
                "id": "9a1d7c3e-52b4-4f0e-8c6d-1e2f3a4b5c6d",
                "type": "audit-log/logs",
                "category": "User Management",
                "description": "User alice@example.com logged in via SSO.",
                "createdAt": "2026-11-20T14:03:27Z",
                "updatedAt": "2026-11-20T14:03:27Z",
                "user": {"username": "alice@example.com"},
                "workspace": {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                              "workspaceName": "Example MSP"},
                "region": "us-west",
                "hasDetails": false,
                "additionalInfo": {"ipAddress": "198.51.100.24"}
            }],
            "count": 1,
            "offset": 50,
            "total": 51
        })))
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server)
        .list_audit_logs()
        .filter("category eq 'User Management' and createdAt ge '2026-11-01T00:00:00Z'")
        .offset(50u64)
        .limit(NonZeroU64::new(25).unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((page.count, page.offset, page.total), (1, 50, 51));
    let log = &page.items[0];
    assert_eq!(log.id, "9a1d7c3e-52b4-4f0e-8c6d-1e2f3a4b5c6d");
    assert_eq!(log.category, "User Management");
    assert_eq!(log.description, "User alice@example.com logged in via SSO.");
    assert_eq!(log.user.username, "alice@example.com");
    assert_eq!(log.workspace.id, "3fa85f64-5717-4562-b3fc-2c963f66afa6");
    assert_eq!(log.workspace.workspace_name.as_deref(), Some("Example MSP"));
    assert_eq!(log.has_details, Some(false));
    assert_eq!(
        log.additional_info
            .as_ref()
            .and_then(|i| i.ip_address.as_deref()),
        Some("198.51.100.24")
    );
}

#[tokio::test]
async fn list_audit_logs_rejects_entry_without_category() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/audit-log/v1/logs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [{"id": "a", "type": "audit-log/logs", "description": "d",
                       "createdAt": "2026-11-20T14:03:27Z", "user": {"username": "u"},
                       "workspace": {"id": "w"}}],
            "count": 1, "offset": 0, "total": 1
        })))
        .mount(&server)
        .await;
    let err = client(&server).list_audit_logs().send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
}

/// Calls one operation against `server` and returns its error, if any.
async fn call(server: &MockServer, op: &str) -> Result<(), Error<types::StandardErrorResponse>> {
    let c = client(server);
    match op {
        "list_devices" => c.list_devices().send().await.map(|_| ()),
        "list_audit_logs" => c.list_audit_logs().send().await.map(|_| ()),
        other => panic!("unknown operation {other}"),
    }
}

#[tokio::test]
async fn every_declared_error_status_parses_the_greenlake_error_body() {
    let cases: &[(&str, &str, &[u16])] = &[
        (
            "list_devices",
            "/devices/v1/devices",
            &[400, 401, 403, 429, 500],
        ),
        (
            "list_audit_logs",
            "/audit-log/v1/logs",
            &[400, 401, 403, 429, 500],
        ),
    ];
    for (op, route, statuses) in cases {
        for &status in *statuses {
            let server = MockServer::start().await;
            let code = format!("HPE_GL_ERROR_{status}");
            let mut response =
                ResponseTemplate::new(status).set_body_json(error_json(status, &code));
            if status == 429 {
                response = response
                    .insert_header("ratelimit-limit", "100")
                    .insert_header("ratelimit-remaining", "0")
                    .insert_header("ratelimit-reset", "27")
                    .insert_header("Retry-After", "27");
            }
            Mock::given(method("GET"))
                .and(path(*route))
                .respond_with(response)
                .expect(1)
                .mount(&server)
                .await;
            match call(&server, op).await {
                Err(Error::ErrorResponse(rv)) => {
                    assert_eq!(rv.status().as_u16(), status, "{op}");
                    if status == 429 {
                        assert_eq!(rv.headers().get("ratelimit-reset").unwrap(), "27");
                        assert_eq!(rv.headers().get("retry-after").unwrap(), "27");
                    }
                    let body = rv.into_inner();
                    assert_eq!(body.http_status_code, i64::from(status), "{op}");
                    assert_eq!(body.error_code, code);
                    assert_eq!(body.message, format!("failure {status}"));
                    assert_eq!(body.debug_id, "4d1f0c9e-7b2a-4e3c-9d8f-0a1b2c3d4e5f");
                }
                other => panic!("{op} {status}: expected ErrorResponse, got {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn undeclared_status_is_an_unexpected_response() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/devices/v1/devices"))
        .respond_with(ResponseTemplate::new(418))
        .mount(&server)
        .await;
    let err = client(&server).list_devices().send().await.unwrap_err();
    assert!(matches!(err, Error::UnexpectedResponse(_)), "{err:?}");
}

#[tokio::test]
async fn error_status_with_a_non_vendor_body_is_reported_as_invalid_payload() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/audit-log/v1/logs"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "nope"})))
        .mount(&server)
        .await;
    let err = client(&server).list_audit_logs().send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
}
