//! GreenLake platform collections: `/devices/v1/devices` and `/audit-log/v1/logs` through the
//! generated `glp_platform` client, MSP versus tenant token views, offset paging and the audit
//! trail derived from the journal of writes.

mod common;

use common::*;
use msp_client::generated::glp_platform;
use msp_mock_server::MockServer;
use serde_json::json;

fn platform(mock: &MockServer, token: &str) -> glp_platform::Client {
    glp_platform::Client::new_with_client(mock.uri(), bearer_http(token), Default::default())
}

fn serials(page: &glp_platform::types::DevicePage) -> Vec<String> {
    page.items.iter().map(|d| d.serial_number.clone()).collect()
}

const WORLD: &str = r#"
msps:
  - workspace_id: 11111111-1111-4111-8111-111111111111
    name: Alpha MSP
    client_id: alpha-client
    client_secret: alpha-secret
    tenants:
      - id: aaaaaaaa-0000-4000-8000-000000000001
        name: Acme
        devices:
          - { serial_number: SN-A3, model: AP-635, name: a3 }
          - { serial_number: SN-A1, model: CX-6200, name: a1, status: OFFLINE }
          - { serial_number: SN-A2, model: GW-9004, name: a2 }
      - id: aaaaaaaa-0000-4000-8000-000000000002
        name: Bravo
        inventory_ownership: CUSTOMER_OWNED_INVENTORY
        devices:
          - { serial_number: SN-B1, model: AP-515 }
      - id: aaaaaaaa-0000-4000-8000-000000000003
        name: Charlie
        devices:
          - { serial_number: SN-C1, model: AP-515 }
"#;

async fn mock() -> MockServer {
    frozen(WORLD).await
}

const A: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const B: &str = "aaaaaaaa-0000-4000-8000-000000000002";

#[tokio::test]
async fn msp_token_sees_its_own_inventory_and_tenant_tokens_only_theirs() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let page = platform(&mock, &msp).list_devices().send().await.unwrap();
    // MSP-owned inventory of Acme and Charlie, by serial; Bravo owns its devices.
    assert_eq!(serials(&page), ["SN-A1", "SN-A2", "SN-A3", "SN-C1"]);
    assert_eq!((page.count, page.total, page.offset), (4, 4, 0));
    let a1 = &page.items[0];
    assert_eq!(a1.tenant_workspace_id.as_deref(), Some(A));
    assert_eq!(a1.device_type.as_deref(), Some("SWITCH"));
    assert_eq!(a1.type_, "devices/device");

    let ta = tenant_token(&mock, &msp, A).await;
    let page = platform(&mock, &ta).list_devices().send().await.unwrap();
    assert_eq!(serials(&page), ["SN-A1", "SN-A2", "SN-A3"]);
    assert!(page.items.iter().all(|d| d.tenant_workspace_id.is_none()));
    let tb = tenant_token(&mock, &msp, B).await;
    let page = platform(&mock, &tb).list_devices().send().await.unwrap();
    assert_eq!(serials(&page), ["SN-B1"]);
}

#[tokio::test]
async fn devices_page_by_offset_and_sort() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let c = platform(&mock, &msp);
    let mut seen = vec![];
    let mut offset = 0u64;
    loop {
        let p = c
            .list_devices()
            .offset(offset)
            .limit(3u64)
            .send()
            .await
            .unwrap();
        assert_eq!(p.total, 4);
        seen.extend(serials(&p));
        offset += p.count as u64;
        if offset >= p.total {
            break;
        }
    }
    assert_eq!(seen, ["SN-A1", "SN-A2", "SN-A3", "SN-C1"]);
    let p = c
        .list_devices()
        .sort("serialNumber desc")
        .send()
        .await
        .unwrap();
    assert_eq!(serials(&p), ["SN-C1", "SN-A3", "SN-A2", "SN-A1"]);
    // Out-of-range paging and unknown sort keys answer 400 in GreenLake's shape.
    let r = bearer_http(&msp)
        .get(format!("{}/devices/v1/devices?limit=2001", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errorCode"], "HPE_GL_ERROR_BAD_REQUEST");
    assert!(body["message"].as_str().unwrap().contains("limit"));
    let e = c.list_devices().sort("colour").send().await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(400));
}

/// Pages are cut from one total order: for any sort, the pages of a listing put together are
/// the one-page listing (the handler orders only each page's prefix, so this is its check).
#[tokio::test]
async fn device_pages_concatenate_to_the_full_listing() {
    let mut world = String::from(
        "msps:\n  - workspace_id: 11111111-1111-4111-8111-111111111111\n    name: Alpha MSP\n    \
         client_id: alpha-client\n    client_secret: alpha-secret\n    tenants:\n",
    );
    let models = ["AP-635", "CX-6200", "GW-9004", "AP-515"];
    for t in 0..6 {
        world.push_str(&format!(
            "      - {{ id: aaaaaaaa-0000-4000-8000-00000000000{t}, name: T{t}, devices: [\n"
        ));
        for d in 0..9 {
            // Few distinct models and MACs, so the sort keys tie often.
            world.push_str(&format!(
                "          {{ serial_number: SN-{:02}, model: {}, mac_address: \"00:00:00:00:00:{:02x}\" }},\n",
                (t * 9 + d) * 7 % 54,
                models[(t + d) % 4],
                d % 3
            ));
        }
        world.push_str("        ] }\n");
    }
    let mock = frozen(&world).await;
    let c = platform(&mock, &alpha_token(&mock).await);
    for sort in [
        None,
        Some("model"),
        Some("macAddress desc,model"),
        Some("deviceType desc"),
    ] {
        let mut all = c.list_devices().limit(2000u64);
        if let Some(s) = sort {
            all = all.sort(s);
        }
        let all = all.send().await.unwrap();
        assert_eq!(all.total, 54);
        for limit in [1u64, 5, 7, 53] {
            let mut pages = vec![];
            let mut offset = 0u64;
            while offset < all.total {
                let mut req = c.list_devices().offset(offset).limit(limit);
                if let Some(s) = sort {
                    req = req.sort(s);
                }
                let p = req.send().await.unwrap();
                assert_eq!(p.total, all.total);
                pages.extend(serials(&p));
                offset += limit;
            }
            assert_eq!(pages, serials(&all), "sort {sort:?}, limit {limit}");
        }
    }
}

#[tokio::test]
async fn platform_routes_need_a_valid_bearer() {
    let mock = mock().await;
    let e = glp_platform::Client::new(mock.uri(), Default::default())
        .list_devices()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
    let msp = alpha_token(&mock).await;
    mock.clock().advance(901.0);
    let e = platform(&mock, &msp)
        .list_audit_logs()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
}

#[tokio::test]
async fn audit_log_records_writes_per_workspace() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let ta = tenant_token(&mock, &msp, A).await;
    // A tenant create and an update through the vendor API.
    let http = bearer_http(&msp);
    let r = http
        .post(format!("{}/workspaces/v1/msp-tenants", mock.uri()))
        .json(&json!({"workspaceName": "Delta"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    mock.clock().advance(1.0);
    let r = http
        .put(format!("{}/workspaces/v1/msp-tenants/{A}", mock.uri()))
        .json(&json!({"workspaceName": "Acme Renamed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A refused write is not audited.
    let r = http
        .post(format!("{}/workspaces/v1/msp-tenants", mock.uri()))
        .json(&json!({"workspaceName": "Delta"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);

    let logs = platform(&mock, &msp)
        .list_audit_logs()
        .send()
        .await
        .unwrap()
        .into_inner();
    let customer: Vec<_> = logs
        .items
        .iter()
        .filter(|e| e.category == "Customer Management")
        .map(|e| e.description.as_str())
        .collect();
    assert_eq!(customer.len(), 2, "{customer:?}");
    // Newest first: the update, then the create.
    assert!(customer[0].contains("Acme Renamed") && customer[0].contains("updated"));
    assert!(customer[1].contains("created"));
    assert!(logs.items.iter().any(|e| e.category == "Authentication"));
    assert!(logs.items.iter().any(|e| e.category == "Device Management"));
    assert_eq!(logs.total as usize, logs.items.len());

    // The tenant sees its own trail: its exchange, its update, its devices; not Delta.
    let tl = platform(&mock, &ta)
        .list_audit_logs()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        tl.items.iter().all(|e| e.workspace.id == A),
        "{:?}",
        tl.items
    );
    assert!(tl.items.iter().any(|e| e.description.contains("updated")));
    assert!(!tl.items.iter().any(|e| e.description.contains("Delta")));
    assert_eq!(
        tl.items
            .iter()
            .filter(|e| e.category == "Device Management")
            .count(),
        3
    );

    // Paging by offset sees every entry exactly once, with stable ids.
    let c = platform(&mock, &msp);
    let mut ids = vec![];
    let mut offset = 0u64;
    while offset < logs.total {
        let p = c
            .list_audit_logs()
            .offset(offset)
            .limit(2u64)
            .send()
            .await
            .unwrap();
        ids.extend(p.items.iter().map(|e| e.id.clone()));
        offset += p.count as u64;
    }
    let all: Vec<_> = logs.items.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, all);
}

#[tokio::test]
async fn filters_select_devices_and_audit_entries() {
    let mock = mock().await;
    let msp = alpha_token(&mock).await;
    let c = platform(&mock, &msp);
    let p = c
        .list_devices()
        .filter("deviceType eq 'AP' or model eq 'CX-6200'")
        .send()
        .await
        .unwrap();
    assert_eq!(serials(&p), ["SN-A1", "SN-A3", "SN-C1"]);
    assert_eq!(p.total, 3);
    let p = c
        .list_devices()
        .filter(format!("tenantWorkspaceId eq '{A}' and archived eq false"))
        .send()
        .await
        .unwrap();
    assert_eq!(serials(&p), ["SN-A1", "SN-A2", "SN-A3"]);
    // Unknown properties and bad syntax answer 400 naming the problem.
    let r = bearer_http(&msp)
        .get(format!("{}/devices/v1/devices", mock.uri()))
        .query(&[("filter", "colour eq 'red'")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("colour"),
        "{body}"
    );
    let e = c
        .list_devices()
        .filter("model eq 'unterminated")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(400));

    let logs = c
        .list_audit_logs()
        .filter("category eq 'Device Management'")
        .send()
        .await
        .unwrap();
    assert_eq!(logs.total, 4);
    assert!(logs.items.iter().all(|e| e.category == "Device Management"));
}
