//! Aruba Central routes through the generated `central` client: the MSP's tenant list and each
//! tenant's device inventory, page-number paging with an exact `total`, and token-kind rules.

mod common;

use common::*;
use msp_client::generated::central;
use msp_mock_server::MockServer;

fn client(mock: &MockServer, token: &str) -> central::Client {
    central::Client::new_with_client(mock.uri(), bearer_http(token), Default::default())
}

const WORLD: &str = r#"
msps:
  - workspace_id: 11111111-1111-4111-8111-111111111111
    name: Alpha MSP
    client_id: alpha-client
    client_secret: alpha-secret
    tenants:
      - id: aaaaaaaa-0000-4000-8000-000000000001
        name: Zulu
        devices:
          - { serial_number: SN-Z5, model: AP-635, name: z5 }
          - { serial_number: SN-Z1, model: CX-6200, status: OFFLINE }
          - { serial_number: SN-Z3, model: GW-9004, name: z3 }
          - { serial_number: SN-Z2, model: AP-515, name: z2 }
          - { serial_number: SN-Z4, model: AP-515, name: z4 }
      - id: aaaaaaaa-0000-4000-8000-000000000002
        name: alpha tenant
        devices:
          - { serial_number: SN-X1, model: AP-515 }
      - id: aaaaaaaa-0000-4000-8000-000000000003
        name: Mike
  - workspace_id: 22222222-2222-4222-8222-222222222222
    name: Other MSP
    client_id: other-client
    client_secret: other-secret
    tenants:
      - id: bbbbbbbb-0000-4000-8000-000000000001
        name: Umbrella
        devices:
          - { serial_number: SN-U1, model: AP-515 }
"#;

const Z: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const X: &str = "aaaaaaaa-0000-4000-8000-000000000002";

async fn mock() -> MockServer {
    MockServer::builder().fixture(fixture(WORLD)).start().await
}

#[tokio::test]
async fn list_tenants_pages_by_number_with_exact_total() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let c = client(&mock, &msp);
    let p1 = c
        .list_central_tenants()
        .limit(2u64)
        .next(1u64)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((p1.count, p1.total, p1.next), (2, 3, Some(2)));
    let names: Vec<_> = p1.items.iter().map(|t| t.tenant_name.as_str()).collect();
    assert_eq!(names, ["alpha tenant", "Mike"]);
    assert_eq!(p1.items[0].tenant_id, X);
    let p2 = c
        .list_central_tenants()
        .limit(2u64)
        .next(2u64)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((p2.count, p2.total, p2.next), (1, 3, None));
    assert_eq!(p2.items[0].tenant_name, "Zulu");
    let health = p2.items[0].device_health_status.as_ref().unwrap();
    assert_eq!((health.total, health.good, health.poor), (5, 4, 1));
    // Past the end: empty, same total.
    let p9 = c
        .list_central_tenants()
        .limit(2u64)
        .next(9u64)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((p9.count, p9.total, p9.next), (0, 3, None));
    // `next` is required; a tenant token is refused.
    let r = bearer_http(&msp)
        .get(format!("{}/network-msp/v1/list-tenants", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["httpStatusCode"], 400);
    assert!(body["message"].as_str().unwrap().contains("next"));
    let tz = tenant_token(&mock, &msp, Z).await;
    let e = client(&mock, &tz)
        .list_central_tenants()
        .next(1u64)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(403));
}

#[tokio::test]
async fn inventory_walk_like_pycentral_collects_exactly_total() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let tz = tenant_token(&mock, &msp, Z).await;
    let c = client(&mock, &tz);
    // PyCentral's loop: next=1,2,... until `total` items are collected (bounded here).
    let mut got = vec![];
    let mut next = 1u64;
    let mut total = u64::MAX;
    while (got.len() as u64) < total && next <= 10 {
        let p = c
            .list_device_inventory()
            .limit(2u64)
            .next(next)
            .send()
            .await
            .unwrap()
            .into_inner();
        total = p.total;
        got.extend(p.items.into_iter().map(|d| d.serial_number));
        next += 1;
    }
    assert_eq!(got, ["SN-Z1", "SN-Z2", "SN-Z3", "SN-Z4", "SN-Z5"]);
    assert_eq!(total, 5);
    let p = c.list_device_inventory().send().await.unwrap().into_inner();
    let z1 = &p.items[0];
    // A device without a host name shows its serial.
    assert_eq!(z1.device_name, "SN-Z1");
    assert_eq!(z1.device_type.as_deref(), Some("SWITCH"));
    assert_eq!(p.next, None);
}

#[tokio::test]
async fn tenant_tokens_are_isolated_and_msp_tokens_refused() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let tz = tenant_token(&mock, &msp, Z).await;
    let tx = tenant_token(&mock, &msp, X).await;
    let other = other_token(&mock).await;
    let tu = tenant_token(&mock, &other, UMBRELLA).await;
    let serials = |p: central::types::DeviceInventoryPage| {
        p.items
            .into_iter()
            .map(|d| d.serial_number)
            .collect::<Vec<_>>()
    };
    let a = serials(
        client(&mock, &tz)
            .list_device_inventory()
            .send()
            .await
            .unwrap()
            .into_inner(),
    );
    let b = serials(
        client(&mock, &tx)
            .list_device_inventory()
            .send()
            .await
            .unwrap()
            .into_inner(),
    );
    let u = serials(
        client(&mock, &tu)
            .list_device_inventory()
            .send()
            .await
            .unwrap()
            .into_inner(),
    );
    assert_eq!(b, ["SN-X1"]);
    assert_eq!(u, ["SN-U1"]);
    assert!(a.iter().all(|s| s.starts_with("SN-Z")));
    // An MSP token is not a tenant token.
    let e = client(&mock, &msp)
        .list_device_inventory()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(403));
    // Other MSP's tenant list does not show Alpha's tenants.
    let p = client(&mock, &other)
        .list_central_tenants()
        .next(1u64)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(p.total, 1);
    assert_eq!(p.items[0].tenant_name, "Umbrella");
    // site-assigned: the mock's devices have no site.
    let p = client(&mock, &tz)
        .list_device_inventory()
        .site_assigned(central::types::ListDeviceInventorySiteAssigned::Assigned)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(p.total, 0);
}

#[tokio::test]
async fn inventory_filter_supports_eq_and_ne() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let tz = tenant_token(&mock, &msp, Z).await;
    let c = client(&mock, &tz);
    let p = c
        .list_device_inventory()
        .filter("deviceType eq 'ACCESS_POINT' and status eq 'ONLINE'")
        .send()
        .await
        .unwrap()
        .into_inner();
    let got: Vec<_> = p.items.iter().map(|d| d.serial_number.as_str()).collect();
    assert_eq!(got, ["SN-Z2", "SN-Z4", "SN-Z5"]);
    assert_eq!(p.total, 3);
    let p = c
        .list_device_inventory()
        .filter("status ne 'ONLINE'")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(p.items[0].serial_number, "SN-Z1");
    // Central's filter has no ordering operators.
    let e = c
        .list_device_inventory()
        .filter("model gt 'A'")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(400));
}
