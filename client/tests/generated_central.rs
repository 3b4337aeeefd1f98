//! Wire-level tests of the generated `central` client (openapi/central.yaml): the MSP tenant list
//! and the tenant device inventory send the right method, path and `limit`/`next` paging query,
//! and parse the `{items, count, total, next}` page and Central's error body.

use msp_client::generated::central::{Client, Error, types};
use msp_client::hooks::Context;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod wire;
use wire::{NoBody, QueryIs, nz};

fn client(server: &MockServer) -> Client {
    Client::new(&server.uri(), Context::default())
}

fn error_json(status: u16, code: &str) -> serde_json::Value {
    json!({
        "httpStatusCode": status,
        "errorCode": code,
        "message": format!("failure {status}"),
        "debugId": "1e2d3c4b-5a69-4788-97a6-b5c4d3e2f1a0",
    })
}

#[tokio::test]
async fn list_central_tenants_sends_limit_and_next_and_parses_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/network-msp/v1/list-tenants"))
        .and(QueryIs(vec![("limit", "100"), ("next", "1")]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [
                {
                    "tenantId": "7f3c2a1b9e8d4c6fa5b4c3d2e1f0a9b8",
                    "tenantName": "Acme Retail",
                    "totalSites": 12,
                    "degradedSites": 1,
                    "deviceHealthStatus": {"total": 148, "good": 140, "fair": 6, "poor": 2},
                    "alerts": {"total": 5, "critical": 1, "major": 2, "minor": 2},
                    "deviceOwnership": "MSP_OWNED_INVENTORY",
                    "lastUpdatedTime": 1795600000000i64
                },
                {"tenantId": "0d5c2b1e-8f4a-4c3b-9e2d-7a6b5c4d3e2f", "tenantName": "Northwind"}
            ],
            "count": 2,
            "total": 3,
            "next": 2
        })))
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server)
        .list_central_tenants()
        .limit(nz(100))
        .next(nz(1))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((page.count, page.total, page.next), (2, 3, Some(2)));
    let acme = &page.items[0];
    assert_eq!(acme.tenant_id, "7f3c2a1b9e8d4c6fa5b4c3d2e1f0a9b8");
    assert_eq!(acme.tenant_name, "Acme Retail");
    assert_eq!(acme.total_sites, Some(12));
    assert_eq!(acme.device_health_status.as_ref().map(|h| h.poor), Some(2));
    assert_eq!(acme.alerts.as_ref().map(|a| a.critical), Some(1));
    assert_eq!(
        acme.device_ownership,
        Some(types::TenantDeviceOwnership::MspOwnedInventory)
    );
    assert_eq!(acme.last_updated_time, Some(1_795_600_000_000));
    let bare = &page.items[1];
    assert_eq!(bare.tenant_name, "Northwind");
    assert!(bare.device_health_status.is_none());
}

#[tokio::test]
async fn list_central_tenants_requires_next() {
    // The live service answers 400 without `next`, so the spec makes it required and the
    // generated builder refuses to send without it.
    let server = MockServer::start().await;
    let err = client(&server)
        .list_central_tenants()
        .limit(nz(10))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn last_page_with_null_or_absent_next_parses_as_none() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/network-msp/v1/list-tenants"))
        .and(QueryIs(vec![("next", "2")]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [{"tenantId": "7f3c2a1b9e8d4c6fa5b4c3d2e1f0a9b8", "tenantName": "Zeta"}],
            "count": 1, "total": 3, "next": null
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/network-monitoring/v1/device-inventory"))
        .and(QueryIs(vec![("next", "4")]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [], "count": 0, "total": 3
        })))
        .expect(1)
        .mount(&server)
        .await;

    let c = client(&server);
    let tenants = c
        .list_central_tenants()
        .next(nz(2))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(tenants.next, None);
    assert_eq!(tenants.total, 3);
    let devices = c
        .list_device_inventory()
        .next(nz(4))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(devices.next, None);
    assert!(devices.items.is_empty());
}

#[tokio::test]
async fn list_device_inventory_sends_every_query_parameter_and_parses_devices() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/network-monitoring/v1/device-inventory"))
        .and(QueryIs(vec![
            ("limit", "1000"),
            ("next", "3"),
            (
                "filter",
                "deviceType eq 'ACCESS_POINT' and status eq 'ONLINE'",
            ),
            ("site-assigned", "UNASSIGNED"),
        ]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [
                {
                    "serialNumber": "CNK9KXR0TQ",
                    "deviceName": "ACME-HQ-AP-01",
                    "status": "ONLINE",
                    "macAddress": "20:4c:03:1a:2b:3c",
                    "deviceType": "ACCESS_POINT",
                    "model": "AP-515",
                    "partNumber": "R4W02A",
                    "ipv4": "10.20.0.31",
                    "firmwareVersion": "10.7.1.0",
                    "deviceFunction": "CAMPUS_AP",
                    "isProvisioned": true
                },
                {"serialNumber": "SG2BLM00Q7", "deviceName": "SG2BLM00Q7"}
            ],
            "count": 2,
            "total": 2002,
            "next": 4
        })))
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server)
        .list_device_inventory()
        .limit(nz(1000))
        .next(nz(3))
        .filter("deviceType eq 'ACCESS_POINT' and status eq 'ONLINE'")
        .site_assigned(types::ListDeviceInventorySiteAssigned::Unassigned)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((page.count, page.total, page.next), (2, 2002, Some(4)));
    let ap = &page.items[0];
    assert_eq!(ap.serial_number, "CNK9KXR0TQ");
    assert_eq!(ap.device_name, "ACME-HQ-AP-01");
    assert_eq!(ap.status, Some(types::InventoryDeviceStatus::Online));
    assert_eq!(ap.device_type.as_deref(), Some("ACCESS_POINT"));
    assert_eq!(ap.is_provisioned, Some(true));
    // A device that never connected has no status.
    assert_eq!(page.items[1].status, None);
}

#[tokio::test]
async fn list_device_inventory_rejects_unknown_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/network-monitoring/v1/device-inventory"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [{"serialNumber": "S1", "deviceName": "d", "status": "MAYBE"}],
            "count": 1, "total": 1
        })))
        .mount(&server)
        .await;
    let err = client(&server)
        .list_device_inventory()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
}

#[tokio::test]
async fn list_device_inventory_without_parameters_sends_empty_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/network-monitoring/v1/device-inventory"))
        .and(QueryIs(vec![]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [], "count": 0, "total": 0, "next": null
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .list_device_inventory()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.total, 0);
}

/// Calls one operation against `server` and returns its error, if any.
async fn call(server: &MockServer, op: &str) -> Result<(), Error<types::CentralError>> {
    let c = client(server);
    match op {
        "list_central_tenants" => c
            .list_central_tenants()
            .next(nz(1))
            .send()
            .await
            .map(|_| ()),
        "list_device_inventory" => c.list_device_inventory().send().await.map(|_| ()),
        other => panic!("unknown operation {other}"),
    }
}

#[tokio::test]
async fn every_declared_error_status_parses_the_central_error_body() {
    let cases: &[(&str, &str)] = &[
        ("list_central_tenants", "/network-msp/v1/list-tenants"),
        (
            "list_device_inventory",
            "/network-monitoring/v1/device-inventory",
        ),
    ];
    for (op, route) in cases {
        for status in [400u16, 401, 403, 429, 500] {
            let server = MockServer::start().await;
            let code = format!("HPE_GL_ERROR_{status}");
            let mut response =
                ResponseTemplate::new(status).set_body_json(error_json(status, &code));
            if status == 429 {
                response = response
                    .insert_header("ratelimit-limit", "100")
                    .insert_header("ratelimit-remaining", "0")
                    .insert_header("ratelimit-reset", "12")
                    .insert_header("Retry-After", "12");
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
                        assert_eq!(rv.headers().get("ratelimit-remaining").unwrap(), "0");
                        assert_eq!(rv.headers().get("retry-after").unwrap(), "12");
                    }
                    let body = rv.into_inner();
                    assert_eq!(body.http_status_code, i64::from(status), "{op}");
                    assert_eq!(body.error_code, code);
                    assert_eq!(body.message, format!("failure {status}"));
                    assert_eq!(body.debug_id, "1e2d3c4b-5a69-4788-97a6-b5c4d3e2f1a0");
                }
                other => panic!("{op} {status}: expected ErrorResponse, got {other:?}"),
            }
        }
    }
}
