//! `cargo xtask`: project automation in Rust (codegen, lint, bench), no shell scripts to rot.

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use xtask::{bench, codegen, lint, read_specs, workspace_root};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "msp-harness project automation", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate client/src/generated/*.rs from openapi/*.yaml with progenitor.
    Codegen {
        /// Write nothing; exit 1 and print a unified diff if any generated file is out of date.
        #[arg(long)]
        check: bool,
    },
    /// Check every spec in openapi/ against the project's rules (see xtask/src/lint.rs).
    Lint,
    /// Measure the mock, the client runtime and the suite (see xtask/src/bench.rs, BENCHMARKS.md).
    Bench {
        /// Also install and measure Prism 5.16 and WireMock 3.13 (npm) on the same page.
        #[arg(long)]
        compare: bool,
        /// Measured seconds per load scenario (1..=60, after a 1 s warm-up).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=60))]
        duration: u64,
        /// Concurrent connections of the load scenarios.
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// Reuse the release binaries already built.
        #[arg(long)]
        no_build: bool,
        /// Skip the 10,000 tenants × 100 devices scenario.
        #[arg(long)]
        no_big: bool,
        /// Skip the in-process client and suite figures.
        #[arg(long)]
        no_client: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<ExitCode> {
    let root = workspace_root();
    let specs = read_specs(&root.join("openapi"))?;
    match command {
        Command::Codegen { check } => {
            let expected = codegen::generate_all(&specs)?;
            let dir = root.join("client/src/generated");
            if check {
                let drifts = codegen::check(&expected, &dir)?;
                if drifts.is_empty() {
                    println!("codegen: {} generated files are up to date", expected.len());
                    return Ok(ExitCode::SUCCESS);
                }
                for d in &drifts {
                    print!("{}", d.diff);
                }
                eprintln!(
                    "codegen --check: {} file(s) differ from what the specs produce: {}\n\
                     run `cargo xtask codegen` and commit the result",
                    drifts.len(),
                    drifts
                        .iter()
                        .map(|d| d.file.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                Ok(ExitCode::FAILURE)
            } else {
                let changed = codegen::write(&expected, &dir)?;
                if changed.is_empty() {
                    println!(
                        "codegen: nothing to do, {} files up to date",
                        expected.len()
                    );
                } else {
                    println!("codegen: wrote {}", changed.join(", "));
                }
                Ok(ExitCode::SUCCESS)
            }
        }
        Command::Bench {
            compare,
            duration,
            connections,
            no_build,
            no_big,
            no_client,
        } => bench::run(
            &root,
            &bench::Options {
                compare,
                duration,
                connections,
                no_build,
                no_big,
                no_client,
            },
        ),
        Command::Lint => {
            let mut findings = Vec::new();
            for spec in &specs {
                findings.extend(lint::lint_spec(spec));
            }
            if findings.is_empty() {
                println!("lint: {} specs clean", specs.len());
                Ok(ExitCode::SUCCESS)
            } else {
                for f in &findings {
                    eprintln!("{f}");
                }
                eprintln!("lint: {} finding(s)", findings.len());
                Ok(ExitCode::FAILURE)
            }
        }
    }
}
