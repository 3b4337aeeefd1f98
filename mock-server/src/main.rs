//! `msp-mock`: the command-line front of the mock server (flags only; the server is the library).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use msp_mock_server::{Clock, Fixture, MockServer, RateLimitMode};
use tracing_subscriber::EnvFilter;

/// mimalloc rather than the system allocator: a list page is a few small buffers per request,
/// and glibc's malloc/free were the largest user-space cost left in the read path's profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const AFTER_HELP: &str = "\
Examples:
  msp-mock                                   # default world on http://127.0.0.1:8080
  msp-mock --listen 127.0.0.1:9000 --fixture world.yaml
  msp-mock --token-ttl 60 --tenant-cap 5     # short-lived tokens, tiny cap
  msp-mock --rate-limits off                 # fuzzing/load tests: never answer 429
  msp-mock --rate-limits x100                # every quota a hundred times the vendor's
  msp-mock --admin-token s3cret              # /__admin needs 'Authorization: Bearer s3cret'
  msp-mock --tls --ca-out ca.pem             # HTTPS; trust ca.pem (REQUESTS_CA_BUNDLE=ca.pem)
  RUST_LOG=msp_mock_server=debug,tower_http=debug msp-mock

Admin API (under /__admin): GET health, GET credentials, POST reset, GET clock,
POST clock/advance {\"seconds\": N}, POST/GET/DELETE faults, GET/DELETE requests,
GET/PUT state, GET nsa/cap-requests, POST nsa/cap-requests/{id}/approve|reject.
Specs: GET /openapi/{name}.yaml.

RUCKUS One (default world): MSP tenant 9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4, Application Token
demo-ruckus-client / demo-ruckus-secret, customers Acme Sales 5e1a0000000000000000000000000001,
Globex Retail ...0002, Initech ...0003 (with venues), an integrator and an installer; a second
MSP 0b2e5f8a3d6c49f4a7b1e0d9c8b7a6f5 (other-ruckus-client / other-ruckus-secret) for isolation.
Token, the MSP's tenants, a create (202 + requestId, an activity on the mock clock), venues in a
customer with x-rks-tenantid (needs jq):
  M=http://127.0.0.1:8080
  TOKEN=$(curl -s -d grant_type=client_credentials -d client_id=demo-ruckus-client \\
    -d client_secret=demo-ruckus-secret $M/oauth2/token/9b1d4e7a2c5f48e3b6a0d9c8f7e6a5b4 \\
    | jq -r .access_token)
  AUTH=\"Authorization: Bearer $TOKEN\"; JSON='Content-Type: application/json'
  curl -s -H \"$AUTH\" -H \"$JSON\" -d '{\"fields\": [\"name\"], \"sortField\": \"name\"}' $M/mspecs/query
  REQ=$(curl -s -H \"$AUTH\" -H \"$JSON\" -d '{\"data\": [{\"name\": \"Hooli\"}]}' $M/tenants \\
    | jq -r '.data[0].requestId')                                       # 202
  curl -s -H \"$AUTH\" $M/activities/$REQ                                 # PENDING
  curl -s -H \"$JSON\" -d '{\"seconds\": 5}' $M/__admin/clock/advance       # move the mock clock
  curl -s -H \"$AUTH\" $M/activities/$REQ                                 # SUCCESS
  curl -s -H \"$AUTH\" -H 'x-rks-tenantid: 5e1a0000000000000000000000000001' $M/venues";

/// A stateful offline mock of HPE GreenLake SSO, workspaces and MSP tenants, the Aruba Central
/// calls PyCentral uses, Ivanti nSA's MSP portal and RUCKUS One's MSP Services.
#[derive(Debug, Parser)]
#[command(name = "msp-mock", version, about, after_help = AFTER_HELP)]
struct Cli {
    /// Address to listen on (loopback recommended).
    #[arg(long, default_value = "127.0.0.1:8080", env = "MSP_MOCK_LISTEN")]
    listen: SocketAddr,

    /// YAML fixture (MSPs, credentials, tenants, devices, caps, TTLs, limits) instead of the
    /// embedded default world.
    #[arg(long, value_name = "FILE")]
    fixture: Option<PathBuf>,

    /// Lifetime of every issued token in seconds (default: 900, legacy endpoint 7200).
    #[arg(long, value_name = "SECS")]
    token_ttl: Option<u64>,

    /// Maximum tenants per MSP (default: 1000, or the fixture's value).
    #[arg(long, value_name = "N")]
    tenant_cap: Option<usize>,

    /// Require 'Authorization: Bearer TOKEN' on /__admin.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "MSP_MOCK_ADMIN_TOKEN",
        hide_env_values = true
    )]
    admin_token: Option<String>,

    /// RSA private key (PEM) to sign tokens with (default: the embedded test-only key).
    #[arg(long, value_name = "PEM_FILE")]
    signing_key: Option<PathBuf>,

    /// Start with a frozen clock that moves only through POST /__admin/clock/advance.
    #[arg(long)]
    manual_clock: bool,

    /// Rate limits: 'fixture' keeps the fixture's quotas (GreenLake's documented numbers by
    /// default); 'off' never answers 429 (for fuzzers and load tests); 'xN' (e.g. x100)
    /// multiplies every quota by N, keeping the window and the ratelimit-* headers.
    #[arg(
        long,
        value_name = "MODE",
        default_value = "fixture",
        env = "MSP_MOCK_RATE_LIMITS"
    )]
    rate_limits: RateLimitMode,

    /// Serve HTTPS with a certificate signed by a CA generated at start (for clients that
    /// refuse plain http, e.g. requests-oauthlib, httpx). Use --ca-out to get the CA.
    #[arg(long)]
    tls: bool,

    /// With --tls: write the generated CA certificate (PEM) to FILE, for clients to trust.
    #[arg(long, value_name = "FILE", requires = "tls")]
    ca_out: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();

    let mut fixture = match &cli.fixture {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading fixture {}", path.display()))?;
            Fixture::from_yaml(&text).map_err(anyhow::Error::msg)?
        }
        None => Fixture::default_world(),
    };
    if let Some(ttl) = cli.token_ttl {
        fixture.settings.token_ttl_secs = ttl;
        fixture.settings.exchange_ttl_secs = ttl;
        fixture.settings.legacy_token_ttl_secs = ttl;
    }
    if let Some(cap) = cli.tenant_cap {
        fixture.settings.tenant_cap = cap;
    }
    if let Some(path) = &cli.signing_key {
        let pem = std::fs::read_to_string(path)
            .with_context(|| format!("reading signing key {}", path.display()))?;
        fixture.settings.signing_key_pem = Some(pem);
    }
    let clock = if cli.manual_clock {
        Clock::manual(Clock::real().now())
    } else {
        Clock::real()
    };

    let mut builder = MockServer::builder()
        .fixture(fixture)
        .clock(clock)
        .listen(cli.listen)
        .rate_limit_mode(cli.rate_limits)
        .tls(cli.tls);
    if let Some(token) = cli.admin_token.clone() {
        builder = builder.admin_token(token);
    }
    let mock = builder
        .try_start()
        .await
        .with_context(|| format!("starting on {}", cli.listen))?;
    if let (Some(path), Some(pem)) = (&cli.ca_out, mock.ca_pem()) {
        std::fs::write(path, pem)
            .with_context(|| format!("writing the CA certificate to {}", path.display()))?;
    }
    // Parsing a large fixture peaks far above what the world keeps (the YAML event stream is
    // held whole); the builder has dropped the fixture, so hand the freed pages back to the OS
    // now rather than on mimalloc's schedule, so the resident size right after start is the
    // world's, not the parser's.
    // SAFETY: `mi_collect` has no preconditions; it only frees memory no one holds.
    unsafe { libmimalloc_sys::mi_collect(true) };

    print!("{}", mock.banner());
    if let Some(path) = &cli.ca_out {
        println!("  CA certificate: {}", path.display());
    }

    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("Ctrl-C received, shutting down");
    mock.shutdown().await;
    Ok(())
}
