//! RUCKUS One as an MSP: list the customers (ECs), create one, wait for its activity, and read
//! venues inside customers through `x-rks-tenantid`, all with one API client credential.
//!
//! ```sh
//! cargo run -p msp-mock-server -- --listen 127.0.0.1:8080 &   # or RUCKUS_* for the real service
//! cargo run -p msp-client --example ruckus_msp
//! ```

mod common;

use futures::TryStreamExt;
use msp_client::generated::ruckus_msp::types::AddTenantRequestHolder;
use msp_client::generated::ruckus_msp_queries::types::DynamicQueryPayloadDto;
use msp_client::ruckus::{RuckusCredentials, RuckusSession};
use msp_client::{Error, SessionOptions};

/// Runs the example, creating a customer named `new_name`; returns the lines it printed.
pub async fn run(
    credentials: RuckusCredentials,
    options: SessionOptions,
    new_name: &str,
) -> msp_client::Result<Vec<String>> {
    let msp = RuckusSession::connect_with(credentials, options).await?;
    let mut out = Vec::new();

    // 1. The customers, sorted by name, 50 a page.
    let query: DynamicQueryPayloadDto = serde_json::from_value(serde_json::json!({
        "fields": ["id", "name", "tenantType"], "sortField": "name", "sortOrder": "ASC", "pageSize": 50
    }))
    .map_err(|e| Error::InvalidInput(format!("query: {e}")))?;
    let ecs: Vec<_> = msp.query_ecs(query).try_collect().await?;
    out.push(format!("{} customers", ecs.len()));
    for ec in &ecs {
        out.push(format!(
            "  {} {}",
            ec.id.as_deref().unwrap_or("?"),
            ec.name.as_deref().unwrap_or("?")
        ));
    }

    // 2. A new customer: 202 with its tenant id and the activity that creates it.
    let batch: AddTenantRequestHolder = serde_json::from_value(serde_json::json!({
        "data": [{ "name": new_name, "tenant_type": "MSP_EC" }]
    }))
    .map_err(|e| Error::InvalidInput(format!("new customer: {e}")))?;
    let accepted = match msp.api().msp.create_tenants().body(batch).send().await {
        Ok(r) => r.into_inner(),
        Err(e) => return Err(Error::from_generated("create_tenants", e).await),
    };
    let Some(item) = accepted.data.into_iter().next() else {
        return Err(Error::Decode {
            call: "create_tenants".into(),
            detail: "the 202 listed no tenant".into(),
        });
    };
    let request_id = item.request_id;
    let Some(tenant_id) = item.tenant_id else {
        return Err(Error::Decode {
            call: "create_tenants".into(),
            detail: "the 202 has no tenantId".into(),
        });
    };
    out.push(format!(
        "creating {new_name:?} as {tenant_id} (activity {request_id})"
    ));

    // 3. Wait for the activity: PENDING, INPROGRESS, then SUCCESS (or an error saying why).
    let done = msp.await_activity(&request_id).await?;
    out.push(format!(
        "activity {} ended {}",
        request_id,
        done.status.map(|s| s.to_string()).unwrap_or_default()
    ));

    // 4. Inside customers: the new one (no venues yet) and the first listed one.
    let new_ec = msp.ec(&tenant_id)?;
    out.push(format!(
        "venues in {new_name}: {}",
        new_ec.venues().await?.len()
    ));
    if let Some(first) = ecs.iter().find_map(|ec| ec.id.clone()) {
        let ec = msp.ec(&first)?;
        for venue in ec.venues().await? {
            out.push(format!("venue in {first}: {}", venue.name));
        }
    }
    for line in &out {
        println!("{line}");
    }
    Ok(out)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_logging();
    let name = format!("Example Customer {}", std::process::id());
    run(
        common::ruckus_credentials()?,
        SessionOptions::default(),
        &name,
    )
    .await?;
    Ok(())
}
