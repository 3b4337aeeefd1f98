//! Shared by the examples: where credentials come from, and logging.
//!
//! Credentials, in order: the file named by `MSP_CREDENTIALS_FILE` (PyCentral's unified
//! YAML/JSON), the `MSP_*` environment variables, else the mock's public demo credentials at
//! `MSP_MOCK_URL` (default `http://127.0.0.1:8080`, i.e. `cargo run -p msp-mock-server`).

#![allow(dead_code)]

use msp_client::ruckus::RuckusCredentials;
use msp_client::{Credentials, NsaCredentials};

/// The mock's public demo MSP (from its embedded default fixture).
pub const DEMO_CLIENT_ID: &str = "demo-msp-client";
/// The mock's public demo secret (a demo value, not a real secret).
pub const DEMO_CLIENT_SECRET: &str = "demo-msp-secret";
/// The mock's demo MSP workspace.
pub const DEMO_WORKSPACE_ID: &str = "7d2f9a64-1c3b-4e8a-9f0d-2b6c5e4a1d01";
/// The mock's demo nSA portal administrator.
pub const DEMO_NSA_USER: &str = "msp-admin@demo-msp.example.com";
/// The mock's demo nSA password (a demo value).
pub const DEMO_NSA_PASSWORD: &str = "demo-nsa-password";

/// The mock's demo RUCKUS One MSP tenant.
pub const DEMO_RUCKUS_TENANT: &str = "9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4";
/// The mock's demo RUCKUS One API client.
pub const DEMO_RUCKUS_CLIENT_ID: &str = "demo-ruckus-client";
/// The mock's demo RUCKUS One client secret (a demo value).
pub const DEMO_RUCKUS_CLIENT_SECRET: &str = "demo-ruckus-secret";

/// The mock's base URL for the demo fallback.
pub fn mock_url() -> String {
    std::env::var("MSP_MOCK_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".to_string())
}

/// Credentials from a file, the environment, or the mock's demo account.
pub fn credentials() -> msp_client::Result<Credentials> {
    if let Ok(path) = std::env::var("MSP_CREDENTIALS_FILE") {
        return Credentials::from_file(path);
    }
    if std::env::var("MSP_CLIENT_ID").is_ok() {
        return Credentials::from_env();
    }
    demo_credentials(&mock_url())
}

/// The mock's demo MSP credentials, everything pointed at `base_url`.
pub fn demo_credentials(base_url: &str) -> msp_client::Result<Credentials> {
    Credentials::new(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_WORKSPACE_ID)
        .with_base_url_for_all(base_url)
}

/// nSA credentials from `NSA_*` variables, else the mock's demo administrator.
pub fn nsa_credentials() -> msp_client::Result<NsaCredentials> {
    if std::env::var("NSA_USERNAME").is_ok() {
        return NsaCredentials::from_env();
    }
    NsaCredentials::new(&mock_url(), DEMO_NSA_USER, DEMO_NSA_PASSWORD)
}

/// RUCKUS One credentials from `RUCKUS_*` variables, else the mock's demo MSP at `base_url`.
pub fn ruckus_credentials() -> msp_client::Result<RuckusCredentials> {
    if std::env::var("RUCKUS_CLIENT_ID").is_ok() {
        return RuckusCredentials::from_env();
    }
    demo_ruckus_credentials(&mock_url())
}

/// The mock's demo RUCKUS One MSP, pointed at `base_url`.
pub fn demo_ruckus_credentials(base_url: &str) -> msp_client::Result<RuckusCredentials> {
    RuckusCredentials::new(
        DEMO_RUCKUS_TENANT,
        DEMO_RUCKUS_CLIENT_ID,
        DEMO_RUCKUS_CLIENT_SECRET,
    )?
    .with_base_url(base_url)
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
