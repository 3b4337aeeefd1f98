//! nSA MSP portal: log in through the DSID form flow, list tenants, create and delete a usage
//! report (the hand-written delete that answers 204 or a partial 200).
//!
//! ```sh
//! cargo run -p msp-client --example nsa_portal
//! ```

mod common;

use futures::TryStreamExt;
use msp_client::{DeleteReportsOutcome, Error, NsaSession};

/// Runs the example; returns the lines it printed.
pub async fn run(credentials: msp_client::NsaCredentials) -> msp_client::Result<Vec<String>> {
    let nsa = NsaSession::login(credentials).await?;
    let tenants: Vec<_> = nsa.tenants().try_collect().await?;
    let mut out = vec![format!("{} nSA tenants", tenants.len())];
    for t in &tenants {
        out.push(format!("  {} {}", t.sub_domain, t.name));
    }
    let report = match nsa.client().generate_usage_report().send().await {
        Ok(r) => r.into_inner(),
        Err(e) => return Err(Error::from_generated("generateUsageReport", e).await),
    };
    out.push(format!("generated report {}", report.file_name));
    let id = report.id.to_string();
    match nsa.delete_usage_reports(&[id.as_str()]).await? {
        DeleteReportsOutcome::AllDeleted => out.push("deleted it".to_string()),
        DeleteReportsOutcome::Partial {
            message, failed, ..
        } => out.push(format!("partial delete: {message} ({} left)", failed.len())),
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
    run(common::nsa_credentials()?).await?;
    Ok(())
}
