//! Wire-level tests of the generated `glp_workspaces` client (openapi/glp-workspaces.yaml):
//! every operation sends the right method, path, query and body, and parses the vendor's
//! success and error bodies.

use msp_client::generated::glp_workspaces::{Client, Error, types};
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

fn tenant_json(id: &str, name: &str, ownership: &str) -> serde_json::Value {
    json!({
        "id": id,
        "type": "workspace",
        "workspaceName": name,
        "generation": 2,
        "createdAt": "2025-10-01T09:30:00.000Z",
        "updatedAt": "2025-10-20T11:42:07.913Z",
        "createdBy": "admin@contoso.example",
        "resourceUri": format!("/workspaces/v1/workspaces/{id}"),
        "inventoryOwnership": ownership,
    })
}

fn error_json(status: u16, code: &str) -> serde_json::Value {
    json!({
        "debugId": "7d3c9a1e5b2f4e6d8c0a1b2c3d4e5f60",
        "httpStatusCode": status,
        "errorCode": code,
        "message": format!("failure {status}"),
    })
}

fn fabrikam_body() -> types::TenantDetails {
    types::TenantDetails::builder()
        .workspace_name("Fabrikam")
        .description(Some("Retail stores".to_string()))
        .email(Some("it-ops@fabrikam.example".to_string()))
        .phone_number(Some("+1 415 555 0142".to_string()))
        .inventory_ownership(Some(types::InventoryOwnership::CustomerOwnedInventory))
        .address(Some(
            types::Address::builder()
                .country_code(types::CountryCode::Us)
                .street_address(Some("1 Market Street".to_string()))
                .street_address_complement(Some("Suite 300".try_into().unwrap()))
                .city(Some("San Francisco".try_into().unwrap()))
                .state_or_region(Some("CA".try_into().unwrap()))
                .zip(Some("94105".try_into().unwrap()))
                .try_into()
                .unwrap(),
        ))
        .try_into()
        .unwrap()
}

fn fabrikam_json() -> serde_json::Value {
    json!({
        "workspaceName": "Fabrikam",
        "description": "Retail stores",
        "email": "it-ops@fabrikam.example",
        "phoneNumber": "+1 415 555 0142",
        "inventoryOwnership": "CUSTOMER_OWNED_INVENTORY",
        "address": {
            "countryCode": "US",
            "streetAddress": "1 Market Street",
            "streetAddressComplement": "Suite 300",
            "city": "San Francisco",
            "stateOrRegion": "CA",
            "zip": "94105"
        }
    })
}

#[tokio::test]
async fn get_workspace_sends_get_and_parses_workspace() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/workspaces/v1/workspaces/{MSP_ID}")))
        .and(QueryIs(vec![]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": MSP_ID,
            "type": "workspace",
            "workspaceName": "Contoso MSP",
            "workspaceType": "MSP",
            "generation": 3,
            "createdAt": "2025-09-17T13:06:59.001Z",
            "updatedAt": "2025-10-02T08:15:20.432Z",
            "createdBy": "admin@contoso.example",
            "resourceUri": format!("/workspaces/v1/workspaces/{MSP_ID}")
        })))
        .expect(1)
        .mount(&server)
        .await;

    let ws = client(&server)
        .get_workspace()
        .workspace_id(MSP_ID.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ws.id.to_string(), MSP_ID);
    assert_eq!(ws.workspace_name, "Contoso MSP");
    assert_eq!(ws.workspace_type, Some(types::WorkspaceType::Msp));
    assert_eq!(ws.generation, 3);
    assert_eq!(
        ws.created_at.unwrap().to_rfc3339(),
        "2025-09-17T13:06:59.001+00:00"
    );
}

#[tokio::test]
async fn get_workspace_defaults_generation_when_absent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/workspaces/v1/workspaces/{TENANT_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": TENANT_ID, "type": "workspace", "workspaceName": "Fabrikam"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let ws = client(&server)
        .get_workspace()
        .workspace_id(TENANT_ID.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ws.generation, 0);
    assert_eq!(ws.workspace_type, None);
}

#[tokio::test]
async fn get_workspace_contact_parses_address() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/workspaces/v1/workspaces/{TENANT_ID}/contact"
        )))
        .and(QueryIs(vec![]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "email": "it-ops@fabrikam.example",
            "phoneNumber": "+1 415 555 0142",
            "address": {"city": "San Francisco", "countryCode": "US", "zip": "94105"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let contact = client(&server)
        .get_workspace_contact()
        .workspace_id(TENANT_ID.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(contact.email.as_deref(), Some("it-ops@fabrikam.example"));
    let address = contact.address.unwrap();
    assert_eq!(
        address.city.as_deref().map(String::as_str),
        Some("San Francisco")
    );
    assert_eq!(address.country_code.as_deref(), Some("US"));
    assert_eq!(address.street_address, None);
}

#[tokio::test]
async fn list_msp_tenants_sends_filter_offset_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/workspaces/v1/msp-tenants"))
        .and(QueryIs(vec![
            ("filter", "workspaceName eq 'O''Brien & Co' or createdBy eq 'a+b@x.example'"),
            ("offset", "300"),
            ("limit", "300"),
        ]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "offset": 300,
            "count": 2,
            "total": 302,
            "items": [
                tenant_json(TENANT_ID, "O'Brien & Co", "MSP_OWNED_INVENTORY"),
                tenant_json("6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b", "Northwind", "CUSTOMER_OWNED_INVENTORY"),
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server)
        .list_msp_tenants()
        .filter("workspaceName eq 'O''Brien & Co' or createdBy eq 'a+b@x.example'")
        .offset(300u64)
        .limit(std::num::NonZeroU64::new(300).unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((page.offset, page.count, page.total), (300, 2, 302));
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].workspace_name, "O'Brien & Co");
    assert_eq!(
        page.items[1].inventory_ownership,
        Some(types::InventoryOwnership::CustomerOwnedInventory)
    );
    assert_eq!(page.items[1].generation, 2);
}

#[tokio::test]
async fn list_msp_tenants_without_parameters_sends_empty_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/workspaces/v1/msp-tenants"))
        .and(QueryIs(vec![]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "offset": 0, "count": 0, "total": 0, "items": []
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .list_msp_tenants()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(page.items.is_empty());
    assert_eq!(page.total, 0);
}

#[tokio::test]
async fn list_msp_tenants_rejects_page_missing_required_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/workspaces/v1/msp-tenants"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"offset": 0, "count": 0, "items": []})),
        )
        .mount(&server)
        .await;
    let err = client(&server).list_msp_tenants().send().await.unwrap_err();
    assert!(
        matches!(err, Error::InvalidResponsePayload(..)),
        "a page without `total` must not parse: {err:?}"
    );
}

#[tokio::test]
async fn create_msp_tenant_posts_camel_case_json_and_reads_location() {
    let server = MockServer::start().await;
    let location = format!("/workspaces/v1/workspaces/{TENANT_ID}");
    Mock::given(method("POST"))
        .and(path("/workspaces/v1/msp-tenants"))
        .and(QueryIs(vec![]))
        .and(header("content-type", "application/json"))
        .and(body_json(fabrikam_json()))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("Location", location.as_str())
                .set_body_json(json!({"message": "Tenant Fabrikam created."})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let created = client(&server)
        .create_msp_tenant()
        .body(fabrikam_body())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(
        created.headers().get("location").unwrap().to_str().unwrap(),
        location
    );
    assert_eq!(created.into_inner().message, "Tenant Fabrikam created.");
}

#[tokio::test]
async fn create_msp_tenant_minimal_body_omits_unset_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/workspaces/v1/msp-tenants"))
        .and(body_json(json!({"workspaceName": "Northwind"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"message": "ok"})))
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .create_msp_tenant()
        .body_map(|b| b.workspace_name("Northwind"))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn create_msp_tenant_refuses_empty_name_without_sending() {
    let server = MockServer::start().await;
    let err = client(&server)
        .create_msp_tenant()
        .body_map(|b| b.workspace_name(""))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn update_msp_tenant_puts_json_to_tenant_path() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(format!("/workspaces/v1/msp-tenants/{TENANT_ID}")))
        .and(QueryIs(vec![]))
        .and(header("content-type", "application/json"))
        .and(body_json(fabrikam_json()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": format!("Tenant {TENANT_ID} updated.")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let msg = client(&server)
        .update_msp_tenant()
        .tenant_id(TENANT_ID.parse::<uuid::Uuid>().unwrap())
        .body(fabrikam_body())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(msg.message, format!("Tenant {TENANT_ID} updated."));
}

#[tokio::test]
async fn delete_msp_tenant_sends_delete_and_accepts_204() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/workspaces/v1/msp-tenants/{TENANT_ID}")))
        .and(QueryIs(vec![]))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let done = client(&server)
        .delete_msp_tenant()
        .tenant_id(TENANT_ID.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(done.status().as_u16(), 204);
}

/// Calls one operation against `server` and returns its error, if any.
async fn call(server: &MockServer, op: &str) -> Result<(), Error<types::ErrorResponse>> {
    let c = client(server);
    let tenant: uuid::Uuid = TENANT_ID.parse().unwrap();
    match op {
        "get_workspace" => c
            .get_workspace()
            .workspace_id(tenant)
            .send()
            .await
            .map(drop),
        "get_workspace_contact" => c
            .get_workspace_contact()
            .workspace_id(tenant)
            .send()
            .await
            .map(drop),
        "list_msp_tenants" => c.list_msp_tenants().send().await.map(drop),
        "create_msp_tenant" => c
            .create_msp_tenant()
            .body(fabrikam_body())
            .send()
            .await
            .map(drop),
        "update_msp_tenant" => c
            .update_msp_tenant()
            .tenant_id(tenant)
            .body(fabrikam_body())
            .send()
            .await
            .map(drop),
        "delete_msp_tenant" => c
            .delete_msp_tenant()
            .tenant_id(tenant)
            .send()
            .await
            .map(drop),
        other => panic!("unknown operation {other}"),
    }
}

/// Every error status each operation declares, with the vendor's error code for it.
const DECLARED_ERRORS: &[(&str, &[u16])] = &[
    ("get_workspace", &[401, 403, 404, 412, 422, 429, 500]),
    (
        "get_workspace_contact",
        &[401, 403, 404, 412, 422, 429, 500],
    ),
    ("list_msp_tenants", &[401, 403, 412, 422, 429, 500]),
    (
        "create_msp_tenant",
        &[400, 401, 403, 409, 412, 422, 429, 451, 500],
    ),
    (
        "update_msp_tenant",
        &[401, 403, 404, 409, 412, 422, 429, 451, 500],
    ),
    (
        "delete_msp_tenant",
        &[400, 401, 403, 404, 409, 412, 422, 429, 500],
    ),
];

#[tokio::test]
async fn every_declared_error_status_parses_as_error_response() {
    for (op, statuses) in DECLARED_ERRORS {
        for &status in *statuses {
            let server = MockServer::start().await;
            let code = format!("HPE_GL_ERROR_{status}");
            Mock::given(wiremock::matchers::any())
                .respond_with(
                    ResponseTemplate::new(status).set_body_json(error_json(status, &code)),
                )
                .expect(1)
                .mount(&server)
                .await;
            match call(&server, op).await {
                Err(Error::ErrorResponse(rv)) => {
                    assert_eq!(rv.status().as_u16(), status, "{op}");
                    let body = rv.into_inner();
                    assert_eq!(body.http_status_code, i64::from(status), "{op}");
                    assert_eq!(body.error_code, code, "{op}");
                    assert_eq!(body.debug_id, "7d3c9a1e5b2f4e6d8c0a1b2c3d4e5f60");
                    assert_eq!(body.message, format!("failure {status}"));
                }
                other => panic!("{op} {status}: expected ErrorResponse, got {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn rate_limited_response_exposes_ratelimit_headers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/workspaces/v1/msp-tenants"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("ratelimit-limit", "100")
                .insert_header("ratelimit-remaining", "0")
                .insert_header("ratelimit-reset", "12")
                .insert_header("Retry-After", "12")
                .set_body_json(error_json(429, "HPE_GL_ERROR_TOO_MANY_REQUESTS")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let Err(Error::ErrorResponse(rv)) = client(&server).list_msp_tenants().send().await else {
        panic!("expected a 429 ErrorResponse");
    };
    assert_eq!(rv.status().as_u16(), 429);
    assert_eq!(rv.headers().get("ratelimit-reset").unwrap(), "12");
    assert_eq!(rv.headers().get("retry-after").unwrap(), "12");
    assert_eq!(rv.into_inner().error_code, "HPE_GL_ERROR_TOO_MANY_REQUESTS");
}

#[tokio::test]
async fn error_body_missing_required_field_is_a_payload_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(
                json!({"httpStatusCode": 403, "message": "no debugId, no errorCode"}),
            ),
        )
        .mount(&server)
        .await;
    let err = call(&server, "get_workspace").await.unwrap_err();
    assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
}

#[tokio::test]
async fn undeclared_status_is_unexpected_response() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(418))
        .mount(&server)
        .await;
    let err = call(&server, "delete_msp_tenant").await.unwrap_err();
    assert!(matches!(err, Error::UnexpectedResponse(_)), "{err:?}");
}
