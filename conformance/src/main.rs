//! `msp-conformance`: runs the conformance properties against any server and reports.
//!
//! ```text
//! msp-conformance run --target http://127.0.0.1:8080 [--admin URL] [--credentials FILE]
//!                     [--ruckus-tenant-id ID --ruckus-client-id ID --ruckus-client-secret S]
//!                     [--cases N] [--seed S] [--junit FILE] [--family NAME]...
//! ```
//! Without `--admin` the tool tries `{target}/__admin`; properties that need it (clock,
//! faults) are skipped with a notice when no admin API answers. Exits 1 when a property fails.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use msp_conformance::target::RuckusCredential;
use msp_conformance::{Admin, Family, SuiteConfig, Target, TargetCredentials, report};

#[derive(Parser)]
#[command(
    name = "msp-conformance",
    version,
    about = "Stateful conformance properties for MSP platform APIs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the properties against a server.
    Run(Box<RunArgs>),
    /// List the properties and families.
    List,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Base URL of the server (APIs and token endpoints).
    #[arg(long)]
    target: String,
    /// Base URL of the msp-mock admin API (default: `{target}/__admin` if it answers).
    #[arg(long)]
    admin: Option<String>,
    /// Never use an admin API (skip the properties that need it).
    #[arg(long, conflicts_with = "admin")]
    no_admin: bool,
    /// Credentials JSON: `{"msps": [{"workspace_id", "client_id", "client_secret"}, ...],
    /// "nsa": [{"username", "password"}, ...], "ruckus": {"msps": [{"tenant_id", "client_id",
    /// "client_secret"}, ...]}}`, any section optional (in each, the first account is tested, a
    /// second one is the isolation witness). Default: the admin API's `/credentials`.
    #[arg(long)]
    credentials: Option<PathBuf>,
    /// RUCKUS One MSP tenant id to test (replaces the first `ruckus` MSP of the credentials;
    /// needs the client id and secret too).
    #[arg(long, env = "MSP_CONFORMANCE_RUCKUS_TENANT_ID", requires_all = ["ruckus_client_id", "ruckus_client_secret"])]
    ruckus_tenant_id: Option<String>,
    /// The RUCKUS One MSP's Application Token client id.
    #[arg(
        long,
        env = "MSP_CONFORMANCE_RUCKUS_CLIENT_ID",
        requires = "ruckus_tenant_id"
    )]
    ruckus_client_id: Option<String>,
    /// The RUCKUS One MSP's Application Token client secret.
    #[arg(
        long,
        env = "MSP_CONFORMANCE_RUCKUS_CLIENT_SECRET",
        hide_env_values = true,
        requires = "ruckus_tenant_id"
    )]
    ruckus_client_secret: Option<String>,
    /// Cases per family (default: `MSP_CONFORMANCE_CASES` or 256).
    #[arg(long)]
    cases: Option<u32>,
    /// Seed for a reproducible run.
    #[arg(long)]
    seed: Option<u64>,
    /// Longest step sequence.
    #[arg(long, default_value_t = 20)]
    max_steps: usize,
    /// Write JUnit XML here.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Run only these families (repeatable): glp.crud, glp.tokens, glp.rate_limits, glp.malformed,
    /// nsa.crud, ruckus.crud.
    #[arg(long = "family")]
    families: Vec<String>,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::List => {
            for f in Family::all() {
                let admin = if f.needs_admin() {
                    " (needs the admin API)"
                } else {
                    ""
                };
                println!("family {}{admin}", f.name());
            }
            for (p, what) in msp_conformance::properties::PROPERTIES {
                println!("property {p:<22} {what}");
            }
            ExitCode::SUCCESS
        }
        Command::Run(args) => match run(*args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("msp-conformance: {e:#}");
                ExitCode::from(2)
            }
        },
    }
}

fn run(args: RunArgs) -> anyhow::Result<bool> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let base = args.target.trim_end_matches('/').to_string();
    let admin_url = if args.no_admin {
        None
    } else {
        let candidate = args
            .admin
            .clone()
            .unwrap_or_else(|| format!("{base}/__admin"));
        if rt.block_on(Admin::new(&candidate).healthy()) {
            Some(candidate)
        } else {
            if args.admin.is_some() {
                bail!("the admin API at {candidate} does not answer GET /health");
            }
            eprintln!("notice: no admin API at {candidate}; properties that need it are skipped");
            None
        }
    };
    let ruckus = match (
        &args.ruckus_tenant_id,
        &args.ruckus_client_id,
        &args.ruckus_client_secret,
    ) {
        (Some(tenant_id), Some(client_id), Some(client_secret)) => Some(RuckusCredential {
            name: "RUCKUS One MSP (--ruckus-*)".into(),
            tenant_id: tenant_id.clone(),
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
        }),
        _ => None,
    };
    let mut credentials = match (&args.credentials, &admin_url) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            TargetCredentials::from_json(&text)?
        }
        (None, Some(admin)) => rt
            .block_on(Admin::new(admin).credentials())
            .context("reading credentials from the admin API")?,
        (None, None) if ruckus.is_some() => TargetCredentials::default(),
        (None, None) => {
            bail!(
                "no credentials: pass --credentials FILE or --ruckus-* (no admin API to read \
                 them from)"
            )
        }
    };
    if let Some(r) = ruckus {
        let msps = &mut credentials.ruckus.msps;
        msps.retain(|m| m.tenant_id != r.tenant_id);
        msps.insert(0, r);
    }
    let target = Target::new(&base, admin_url.as_deref(), credentials);
    let mut config = SuiteConfig::from_env();
    if let Some(n) = args.cases {
        config.cases = n;
    }
    if args.seed.is_some() {
        config.seed = args.seed;
    }
    config.max_steps = args.max_steps.max(1);
    let families: Vec<Family> = if args.families.is_empty() {
        Family::all().collect()
    } else {
        let mut v = Vec::new();
        for name in &args.families {
            match Family::named(name) {
                Some(f) => v.push(f),
                None => bail!("unknown family {name:?} (see `msp-conformance list`)"),
            }
        }
        v
    };
    let mut outcomes = Vec::new();
    for f in families {
        eprintln!("running {} ({} cases)...", f.name(), config.cases);
        outcomes.push(f.run(&target, &config, rt.handle()));
    }
    print!("{}", report::summary(&outcomes));
    if let Some(path) = &args.junit {
        let xml = report::junit(&outcomes).context("serialising JUnit XML")?;
        std::fs::write(path, xml).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(!outcomes.iter().any(|o| o.failed()))
}
