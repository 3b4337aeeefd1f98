//! Pattern 1 (MSP-level GreenLake calls): connect as the MSP, read the MSP workspace, list a
//! first page of its tenants with the generated client.
//!
//! ```sh
//! cargo run -p msp-mock-server &          # the mock on 127.0.0.1:8080
//! cargo run -p msp-client --example msp_glp
//! ```

mod common;

use msp_client::{Error, MspSession};

/// Runs the example; returns the lines it printed.
pub async fn run(credentials: msp_client::Credentials) -> msp_client::Result<Vec<String>> {
    let mut out = Vec::new();
    let msp = MspSession::connect(credentials).await?;
    let glp = msp.glp();

    let workspace_id: uuid::Uuid = msp
        .credentials()
        .workspace_id()
        .parse()
        .map_err(|e| Error::Config(format!("workspace_id is not a UUID: {e}")))?;
    let me = glp
        .workspaces
        .get_workspace()
        .workspace_id(workspace_id)
        .send()
        .await;
    let me = match me {
        Ok(w) => w.into_inner(),
        Err(e) => return Err(Error::from_generated("getWorkspace", e).await),
    };
    out.push(format!("MSP workspace: {} ({})", me.workspace_name, me.id));

    let page = match glp.workspaces.list_msp_tenants().limit(10u64).send().await {
        Ok(p) => p.into_inner(),
        Err(e) => return Err(Error::from_generated("listMspTenants", e).await),
    };
    out.push(format!(
        "first page: {} of {} tenants",
        page.items.len(),
        page.total
    ));
    for t in &page.items {
        out.push(format!("  tenant {} {}", t.id, t.workspace_name));
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
