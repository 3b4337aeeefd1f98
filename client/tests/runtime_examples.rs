//! The examples in `client/examples/` run against the in-process mock (each example exposes
//! `run(credentials)`; `main` only picks credentials and logging).

// Each example file declares `mod common;`, so including several loads it more than once.
#![allow(clippy::duplicate_mod)]

#[path = "../examples/all_tenants_devices.rs"]
mod all_tenants_devices;
#[path = "../examples/common/mod.rs"]
mod common;
#[path = "../examples/msp_central.rs"]
mod msp_central;
#[path = "../examples/msp_glp.rs"]
mod msp_glp;
#[path = "../examples/nsa_portal.rs"]
mod nsa_portal;
#[path = "../examples/ruckus_msp.rs"]
mod ruckus_msp;
#[path = "../examples/tenant_calls.rs"]
mod tenant_calls;

use std::sync::Arc;

use msp_mock_server::{Clock, MockServer};

#[path = "common/mod.rs"]
mod shared_clock;

#[tokio::test]
async fn example_ruckus_msp() {
    let mock = MockServer::builder()
        .clock(Clock::manual(chrono::Utc::now()))
        .start()
        .await;
    // The example's activity waits move the mock's clock instead of sleeping.
    let options = msp_client::SessionOptions::default()
        .with_clock(Arc::new(shared_clock::SharedClock(mock.clock().clone())));
    let out = ruckus_msp::run(
        common::demo_ruckus_credentials(mock.uri()).unwrap(),
        options,
        "Example Co",
    )
    .await
    .unwrap();
    assert_eq!(out[0], "3 customers", "{out:?}");
    assert!(out[1].ends_with("Acme Sales"), "{out:?}");
    assert!(out.iter().any(|l| l.ends_with("ended SUCCESS")), "{out:?}");
    assert!(
        out.contains(&"venues in Example Co: 0".to_string()),
        "{out:?}"
    );
    assert!(out.iter().any(|l| l.ends_with(": Acme HQ")), "{out:?}");
}

#[tokio::test]
async fn example_msp_glp() {
    let mock = MockServer::start().await;
    let out = msp_glp::run(common::demo_credentials(mock.uri()).unwrap())
        .await
        .unwrap();
    assert!(out[0].contains("Demo MSP"), "{out:?}");
    assert!(out.iter().any(|l| l.contains("Acme Retail")), "{out:?}");
}

#[tokio::test]
async fn example_msp_central() {
    let mock = MockServer::start().await;
    let out = msp_central::run(common::demo_credentials(mock.uri()).unwrap())
        .await
        .unwrap();
    assert!(out.iter().any(|l| l.contains("Acme Retail")), "{out:?}");
    assert!(!out.iter().any(|l| l.contains("Umbrella Labs")), "{out:?}");
}

#[tokio::test]
async fn example_tenant_calls() {
    let mock = MockServer::start().await;
    let out = tenant_calls::run(common::demo_credentials(mock.uri()).unwrap(), "Acme Retail")
        .await
        .unwrap();
    assert!(
        out.iter().any(|l| l.contains("GreenLake devices: 2")),
        "{out:?}"
    );
    assert!(out.iter().any(|l| l.contains("CNACME0001")), "{out:?}");
    assert!(
        out.iter().any(|l| l.starts_with("Central inventory: 2")),
        "{out:?}"
    );
}

#[tokio::test]
async fn example_all_tenants_devices() {
    let mock = MockServer::start().await;
    let out = all_tenants_devices::run(common::demo_credentials(mock.uri()).unwrap())
        .await
        .unwrap();
    assert_eq!(out.len(), 3, "{out:?}");
    assert!(out[0].starts_with("Acme Retail: 2 devices"), "{out:?}");
    assert!(out[1].starts_with("Globex Clinics: 1 devices"), "{out:?}");
    assert!(out[2].starts_with("Initech Offices: 2 devices"), "{out:?}");
}

#[tokio::test]
async fn example_nsa_portal() {
    let mock = MockServer::start().await;
    let creds = msp_client::NsaCredentials::new(
        mock.uri(),
        common::DEMO_NSA_USER,
        common::DEMO_NSA_PASSWORD,
    )
    .unwrap();
    let out = nsa_portal::run(creds).await.unwrap();
    assert_eq!(out[0], "2 nSA tenants", "{out:?}");
    assert!(out.iter().any(|l| l == "deleted it"), "{out:?}");
}
