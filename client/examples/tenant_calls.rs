//! Pattern 3 (tenant-scoped GreenLake and Central calls): open a tenant by name (the token
//! exchange happens once and is cached), then list its GreenLake devices and audit log and its
//! Central device inventory.
//!
//! ```sh
//! cargo run -p msp-client --example tenant_calls -- "Acme Retail"
//! ```

mod common;

use futures::TryStreamExt;
use msp_client::{MspSession, TenantRef};

/// Runs the example for the tenant named `tenant_name`; returns the lines it printed.
pub async fn run(
    credentials: msp_client::Credentials,
    tenant_name: &str,
) -> msp_client::Result<Vec<String>> {
    let msp = MspSession::connect(credentials).await?;
    let tenant = msp.tenant(TenantRef::Name(tenant_name.to_string())).await?;
    let mut out = vec![format!("tenant {tenant_name}: workspace {}", tenant.uuid())];

    let devices: Vec<_> = tenant.glp_devices().try_collect().await?;
    out.push(format!("GreenLake devices: {}", devices.len()));
    for d in &devices {
        out.push(format!("  {} {}", d.id, d.serial_number));
    }

    let logs: Vec<_> = tenant.glp_audit_logs().try_collect().await?;
    out.push(format!("audit log entries: {}", logs.len()));
    for l in logs.iter().take(5) {
        out.push(format!("  [{}] {}", l.category, l.description));
    }

    let inventory: Vec<_> = tenant.central_devices()?.try_collect().await?;
    out.push(format!("Central inventory: {}", inventory.len()));
    for d in &inventory {
        let status = d.status.as_ref().map(|s| s.to_string()).unwrap_or_default();
        out.push(format!("  {} {} {status}", d.serial_number, d.device_name));
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
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Acme Retail".to_string());
    run(common::credentials()?, &name).await?;
    Ok(())
}
