//! Wire-level tests of the generated `glp_workspace_management` client
//! (openapi/glp-workspace-management.yaml): every operation sends the right method, path, query
//! and snake_case JSON body, and parses the success bodies and the `{"error": {...}}` envelope.

use msp_client::generated::glp_workspace_management::{Client, Error, types};
use msp_client::hooks::Context;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod wire;
use wire::{NoBody, QueryIs};

const MSP_ID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const TENANT_ID: &str = "0d5c2b1e-8f4a-4c3b-9e2d-7a6b5c4d3e2f";

fn client(server: &MockServer) -> Client {
    Client::new(&server.uri(), Context::default())
}

fn uuid(s: &str) -> uuid::Uuid {
    s.parse().unwrap()
}

fn msp_workspace_json(name: &str) -> serde_json::Value {
    json!({
        "workspace_id": MSP_ID,
        "workspace_name": name,
        "workspace_type": "MSP",
        "email": "noc@contoso.example",
        "created_at": "2025-09-17T13:06:59.001Z",
        "updated_at": "2025-10-02T08:15:20.432Z",
        "created_by": "admin@contoso.example",
        "device_count": 12,
        "user_count": 4,
        "tenant_count": 1
    })
}

fn tenant_json(name: &str) -> serde_json::Value {
    json!({
        "workspace_id": TENANT_ID,
        "workspace_name": name,
        "workspace_type": "MSP_TENANT",
        "msp_workspace_id": MSP_ID,
        "inventory_ownership": "MSP_OWNED_INVENTORY",
        "email": "it-ops@fabrikam.example",
        "address": {"city": "San Francisco", "country_code": "US"},
        "created_at": "2025-10-01T09:30:00.000Z",
        "updated_at": "2025-10-01T09:30:00.000Z",
        "created_by": "admin@contoso.example",
        "device_count": 3,
        "user_count": 1
    })
}

fn address() -> types::Address {
    types::Address::builder()
        .country_code("US")
        .street_address(Some("1 Market Street".to_string()))
        .street_address_complement(Some("Suite 300".try_into().unwrap()))
        .city(Some("San Francisco".try_into().unwrap()))
        .state_or_region(Some("CA".try_into().unwrap()))
        .zip(Some("94105".try_into().unwrap()))
        .try_into()
        .unwrap()
}

fn address_json() -> serde_json::Value {
    json!({
        "country_code": "US",
        "street_address": "1 Market Street",
        "street_address_complement": "Suite 300",
        "city": "San Francisco",
        "state_or_region": "CA",
        "zip": "94105"
    })
}

fn tenant_input() -> types::TenantInput {
    types::TenantInput::builder()
        .workspace_name("Fabrikam")
        .description(Some("Fabrikam retail stores.".to_string()))
        .email(Some("it-ops@fabrikam.example".to_string()))
        .phone_number(Some("+1 415 555 0142".to_string()))
        .inventory_ownership(Some(types::InventoryOwnership::MspOwnedInventory))
        .address(Some(address()))
        .try_into()
        .unwrap()
}

fn tenant_input_json() -> serde_json::Value {
    json!({
        "workspace_name": "Fabrikam",
        "description": "Fabrikam retail stores.",
        "email": "it-ops@fabrikam.example",
        "phone_number": "+1 415 555 0142",
        "inventory_ownership": "MSP_OWNED_INVENTORY",
        "address": address_json()
    })
}

#[tokio::test]
async fn list_workspaces_sends_paging_filter_and_sort() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/workspace-management/v1/workspaces"))
        .and(QueryIs(vec![
            ("limit", "1000"),
            ("offset", "50"),
            (
                "filter",
                "workspace_type eq 'MSP_TENANT' and workspace_name ne 'A&B'",
            ),
            ("sort", "name:desc"),
        ]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [msp_workspace_json("Contoso MSP")],
            "offset": 50,
            "count": 1,
            "total": 51
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .list_workspaces()
        .limit(std::num::NonZeroU64::new(1000).unwrap())
        .offset(50u64)
        .filter("workspace_type eq 'MSP_TENANT' and workspace_name ne 'A&B'")
        .sort("name:desc")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((page.offset, page.count, page.total), (50, 1, 51));
    let ws = &page.items[0];
    assert_eq!(ws.workspace_type, types::WorkspaceType::Msp);
    assert_eq!(ws.tenant_count, Some(1));
    assert_eq!(ws.msp_workspace_id, None);
}

#[tokio::test]
async fn list_workspaces_without_parameters_sends_empty_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/workspace-management/v1/workspaces"))
        .and(QueryIs(vec![]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [], "offset": 0, "count": 0, "total": 0
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .list_workspaces()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(page.items.is_empty());
}

#[tokio::test]
async fn list_workspaces_refuses_malformed_sort_without_sending() {
    let server = MockServer::start().await;
    for bad in [
        "name",
        "name:up",
        "workspace_name:asc",
        "name:asc,created_at:desc",
    ] {
        let err = client(&server)
            .list_workspaces()
            .sort(bad)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{bad}: {err:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn get_workspace_details_parses_workspace() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/workspace-management/v1/workspaces/{MSP_ID}"
        )))
        .and(QueryIs(vec![]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(msp_workspace_json("Contoso MSP")))
        .expect(1)
        .mount(&server)
        .await;
    let ws = client(&server)
        .get_workspace_details()
        .workspace_id(uuid(MSP_ID))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ws.workspace_id, uuid(MSP_ID));
    assert_eq!(ws.workspace_name.as_str(), "Contoso MSP");
    assert_eq!((ws.device_count, ws.user_count), (12, 4));
    assert_eq!(ws.created_at.to_rfc3339(), "2025-09-17T13:06:59.001+00:00");
}

#[tokio::test]
async fn update_workspace_puts_snake_case_json() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(format!(
            "/workspace-management/v1/workspaces/{MSP_ID}"
        )))
        .and(QueryIs(vec![]))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "workspace_name": "Contoso Managed Services",
            "phone_number": "+1 206 555 0100",
            "address": address_json()
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(msp_workspace_json("Contoso Managed Services")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let ws = client(&server)
        .update_workspace()
        .workspace_id(uuid(MSP_ID))
        .body_map(|b| {
            b.workspace_name("Contoso Managed Services")
                .phone_number(Some("+1 206 555 0100".to_string()))
                .address(Some(address()))
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ws.workspace_name.as_str(), "Contoso Managed Services");
}

#[tokio::test]
async fn delete_workspace_sends_delete_and_accepts_204() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!(
            "/workspace-management/v1/workspaces/{TENANT_ID}"
        )))
        .and(QueryIs(vec![]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let rv = client(&server)
        .delete_workspace()
        .workspace_id(uuid(TENANT_ID))
        .send()
        .await
        .unwrap();
    assert_eq!(rv.status().as_u16(), 204);
}

#[tokio::test]
async fn get_workspace_contact_details_parses_contact() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/workspace-management/v1/workspaces/{TENANT_ID}/contact"
        )))
        .and(QueryIs(vec![]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "workspace_id": TENANT_ID,
            "email": "it-ops@fabrikam.example",
            "address": address_json()
        })))
        .expect(1)
        .mount(&server)
        .await;
    let contact = client(&server)
        .get_workspace_contact_details()
        .workspace_id(uuid(TENANT_ID))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(contact.workspace_id, uuid(TENANT_ID));
    assert_eq!(
        serde_json::to_value(contact.address.unwrap()).unwrap(),
        address_json()
    );
    assert_eq!(contact.phone_number, None);
}

#[tokio::test]
async fn list_tenants_sends_required_msp_workspace_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/workspace-management/v1/msp-tenants"))
        .and(QueryIs(vec![
            ("msp-workspace-id", MSP_ID),
            ("limit", "10"),
            ("offset", "0"),
            ("filter", "workspace_name eq 'O''Brien'"),
        ]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [tenant_json("O'Brien")],
            "offset": 0,
            "count": 1,
            "total": 1
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .list_tenants()
        .msp_workspace_id(uuid(MSP_ID))
        .limit(std::num::NonZeroU64::new(10).unwrap())
        .offset(0u64)
        .filter("workspace_name eq 'O''Brien'")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.total, 1);
    let tenant = &page.items[0];
    assert_eq!(tenant.workspace_name.as_str(), "O'Brien");
    assert_eq!(tenant.msp_workspace_id, uuid(MSP_ID));
    assert_eq!(
        tenant.inventory_ownership,
        types::InventoryOwnership::MspOwnedInventory
    );
}

#[tokio::test]
async fn list_tenants_without_msp_workspace_id_is_refused_before_sending() {
    let server = MockServer::start().await;
    let err = client(&server).list_tenants().send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn get_tenant_parses_tenant() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/workspace-management/v1/msp-tenants/{TENANT_ID}"
        )))
        .and(QueryIs(vec![]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(tenant_json("Fabrikam")))
        .expect(1)
        .mount(&server)
        .await;
    let tenant = client(&server)
        .get_tenant()
        .tenant_id(uuid(TENANT_ID))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(tenant.workspace_id, uuid(TENANT_ID));
    assert_eq!(tenant.workspace_type, types::WorkspaceType::MspTenant);
    assert_eq!(tenant.device_count, 3);
}

#[tokio::test]
async fn create_tenant_posts_json_and_parses_201_tenant() {
    let server = MockServer::start().await;
    let location = format!("/workspace-management/v1/msp-tenants/{TENANT_ID}");
    Mock::given(method("POST"))
        .and(path("/workspace-management/v1/msp-tenants"))
        .and(QueryIs(vec![]))
        .and(header("content-type", "application/json"))
        .and(body_json(tenant_input_json()))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("Location", location.as_str())
                .set_body_json(tenant_json("Fabrikam")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let rv = client(&server)
        .create_tenant()
        .body(tenant_input())
        .send()
        .await
        .unwrap();
    assert_eq!(rv.status().as_u16(), 201);
    assert_eq!(
        rv.headers().get("location").unwrap().to_str().unwrap(),
        location
    );
    let tenant = rv.into_inner();
    assert_eq!(tenant.workspace_name.as_str(), "Fabrikam");
    assert_eq!(tenant.address.unwrap().country_code.as_str(), "US");
}

#[tokio::test]
async fn create_tenant_refuses_out_of_bounds_fields_without_sending() {
    let server = MockServer::start().await;
    let err = client(&server)
        .create_tenant()
        .body_map(|b| b.workspace_name(""))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
    // The bounds of the address travel into the types too.
    assert!("usa".parse::<types::AddressCountryCode>().is_err());
    assert!("us".parse::<types::AddressCountryCode>().is_err());
    assert!("x".repeat(41).parse::<types::AddressCity>().is_err());
    assert!("x".repeat(40).parse::<types::AddressCity>().is_ok());
    assert!("12345678901".parse::<types::AddressZip>().is_err());
}

#[tokio::test]
async fn update_tenant_puts_json_to_tenant_path() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(format!(
            "/workspace-management/v1/msp-tenants/{TENANT_ID}"
        )))
        .and(QueryIs(vec![]))
        .and(header("content-type", "application/json"))
        .and(body_json(tenant_input_json()))
        .respond_with(ResponseTemplate::new(200).set_body_json(tenant_json("Fabrikam")))
        .expect(1)
        .mount(&server)
        .await;
    let tenant = client(&server)
        .update_tenant()
        .tenant_id(uuid(TENANT_ID))
        .body(tenant_input())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(tenant.workspace_id, uuid(TENANT_ID));
}

#[tokio::test]
async fn delete_tenant_sends_delete_and_accepts_204() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!(
            "/workspace-management/v1/msp-tenants/{TENANT_ID}"
        )))
        .and(QueryIs(vec![]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let rv = client(&server)
        .delete_tenant()
        .tenant_id(uuid(TENANT_ID))
        .send()
        .await
        .unwrap();
    assert_eq!(rv.status().as_u16(), 204);
}

/// Calls one operation against `server` and returns its error, if any.
async fn call(server: &MockServer, op: &str) -> Result<(), Error<types::ErrorEnvelope>> {
    let c = client(server);
    match op {
        "list_workspaces" => c.list_workspaces().send().await.map(drop),
        "get_workspace_details" => c
            .get_workspace_details()
            .workspace_id(uuid(MSP_ID))
            .send()
            .await
            .map(drop),
        "update_workspace" => c
            .update_workspace()
            .workspace_id(uuid(MSP_ID))
            .body_map(|b| b.workspace_name("Contoso"))
            .send()
            .await
            .map(drop),
        "delete_workspace" => c
            .delete_workspace()
            .workspace_id(uuid(MSP_ID))
            .send()
            .await
            .map(drop),
        "get_workspace_contact_details" => c
            .get_workspace_contact_details()
            .workspace_id(uuid(MSP_ID))
            .send()
            .await
            .map(drop),
        "list_tenants" => c
            .list_tenants()
            .msp_workspace_id(uuid(MSP_ID))
            .send()
            .await
            .map(drop),
        "get_tenant" => c
            .get_tenant()
            .tenant_id(uuid(TENANT_ID))
            .send()
            .await
            .map(drop),
        "create_tenant" => c
            .create_tenant()
            .body(tenant_input())
            .send()
            .await
            .map(drop),
        "update_tenant" => c
            .update_tenant()
            .tenant_id(uuid(TENANT_ID))
            .body(tenant_input())
            .send()
            .await
            .map(drop),
        "delete_tenant" => c
            .delete_tenant()
            .tenant_id(uuid(TENANT_ID))
            .send()
            .await
            .map(drop),
        other => panic!("unknown operation {other}"),
    }
}

const DECLARED_ERRORS: &[(&str, &[u16])] = &[
    ("list_workspaces", &[400, 401, 403, 429, 500]),
    ("get_workspace_details", &[400, 401, 403, 404, 429, 500]),
    ("update_workspace", &[400, 401, 403, 404, 409, 429, 500]),
    ("delete_workspace", &[400, 401, 403, 404, 409, 429, 500]),
    (
        "get_workspace_contact_details",
        &[400, 401, 403, 404, 429, 500],
    ),
    ("list_tenants", &[400, 401, 403, 429, 500]),
    ("get_tenant", &[400, 401, 403, 404, 429, 500]),
    ("create_tenant", &[400, 401, 403, 409, 429, 500]),
    ("update_tenant", &[400, 401, 403, 404, 409, 429, 500]),
    ("delete_tenant", &[400, 401, 403, 404, 409, 429, 500]),
];

#[tokio::test]
async fn every_declared_error_status_parses_as_error_envelope() {
    for (op, statuses) in DECLARED_ERRORS {
        for &status in *statuses {
            let server = MockServer::start().await;
            let code = format!("E{status}_FAILED");
            Mock::given(wiremock::matchers::any())
                .respond_with(ResponseTemplate::new(status).set_body_json(json!({
                    "error": {
                        "code": code,
                        "message": format!("failure {status}"),
                        "details": [{"field": "workspace_name", "issue": "already used"}]
                    }
                })))
                .expect(1)
                .mount(&server)
                .await;
            match call(&server, op).await {
                Err(Error::ErrorResponse(rv)) => {
                    assert_eq!(rv.status().as_u16(), status, "{op}");
                    let err = rv.into_inner().error;
                    assert_eq!(err.code.as_str(), code, "{op}");
                    assert_eq!(err.message, format!("failure {status}"));
                    assert_eq!(err.details.len(), 1);
                    assert_eq!(err.details[0].field, "workspace_name");
                }
                other => panic!("{op} {status}: expected ErrorResponse, got {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn error_without_details_parses_and_rate_limit_headers_are_exposed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/workspace-management/v1/msp-tenants"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("ratelimit-limit", "10")
                .insert_header("ratelimit-remaining", "0")
                .insert_header("ratelimit-reset", "42")
                .insert_header("Retry-After", "42")
                .set_body_json(json!({
                    "error": {"code": "RATE_LIMITED", "message": "At most 10 tenant creations per minute per MSP."}
                })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let Err(Error::ErrorResponse(rv)) = call(&server, "create_tenant").await else {
        panic!("expected a 429 ErrorResponse");
    };
    assert_eq!(rv.headers().get("ratelimit-limit").unwrap(), "10");
    assert_eq!(rv.headers().get("retry-after").unwrap(), "42");
    let err = rv.into_inner().error;
    assert_eq!(err.code.as_str(), "RATE_LIMITED");
    assert!(err.details.is_empty());
}

#[tokio::test]
async fn vendor_shaped_error_body_is_a_payload_error() {
    // The document view's errors are `{"error": {...}}`; a GreenLake vendor error body must not
    // silently parse as one.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "debugId": "x", "httpStatusCode": 404, "errorCode": "HPE_GL_ERROR_NOT_FOUND", "message": "nope"
        })))
        .mount(&server)
        .await;
    let err = call(&server, "get_tenant").await.unwrap_err();
    assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
}
