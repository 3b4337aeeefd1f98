//! Pattern 2 (MSP-level Aruba Central calls): connect as the MSP and list every Central
//! tenant, paging with `limit` + `next` as a stream.
//!
//! ```sh
//! cargo run -p msp-client --example msp_central
//! ```

mod common;

use futures::TryStreamExt;
use msp_client::MspSession;

/// Runs the example; returns the lines it printed.
pub async fn run(credentials: msp_client::Credentials) -> msp_client::Result<Vec<String>> {
    let msp = MspSession::connect(credentials).await?;
    let tenants: Vec<_> = msp.central_tenants()?.try_collect().await?;
    let mut out = vec![format!("{} Central tenants", tenants.len())];
    for t in &tenants {
        out.push(format!("  {} {}", t.tenant_id, t.tenant_name));
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
    run(common::credentials()?).await?;
    Ok(())
}
