//! Pattern 4 (iterate every tenant and list its devices): stream every MSP tenant, open each
//! tenant session (exchanges run in parallel, at most 4 at a time), and count its devices.
//!
//! ```sh
//! cargo run -p msp-client --example all_tenants_devices
//! ```

mod common;

use futures::TryStreamExt;
use msp_client::{MspSession, TenantRef};

/// How many tenants are worked on at once.
const CONCURRENCY: usize = 4;

/// Runs the example; returns one line per tenant (sorted by name).
pub async fn run(credentials: msp_client::Credentials) -> msp_client::Result<Vec<String>> {
    let msp = MspSession::connect(credentials).await?;
    let mut out: Vec<String> = msp
        .msp_tenants()
        .map_ok(|t| {
            let msp = msp.clone();
            async move {
                let tenant = msp.tenant(TenantRef::Id(t.id.to_string())).await?;
                let serials: Vec<String> = tenant
                    .glp_devices()
                    .map_ok(|d| d.serial_number)
                    .try_collect()
                    .await?;
                Ok::<_, msp_client::Error>(format!(
                    "{}: {} devices [{}]",
                    t.workspace_name,
                    serials.len(),
                    serials.join(", ")
                ))
            }
        })
        .try_buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    out.sort();
    for line in &out {
        println!("{line}");
    }
    Ok(out)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_logging();
    run(common::credentials()?).await?;
    Ok(())
}
