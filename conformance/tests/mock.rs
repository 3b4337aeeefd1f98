//! The suite against an in-process msp-mock: one test per property family (so
//! `cargo nextest --partition` splits them), each on its own server. Cases per family:
//! `MSP_CONFORMANCE_CASES` (default 256).

use msp_conformance::{Family, SuiteConfig, Target};
use msp_mock_server::{MockServer, RateLimits};

mod common;

/// A runtime and a mock whose rate limits leave room for the suite's own traffic (429s are
/// exercised by injected faults in `glp.rate_limits`).
fn mock() -> (tokio::runtime::Runtime, MockServer, Target) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mock = rt.block_on(
        MockServer::builder()
            .rate_limits(RateLimits {
                window_secs: 60,
                per_client: 1_000_000,
                per_workspace: 1_000_000,
                tenant_create: 1_000_000,
                ..RateLimits::default()
            })
            .start(),
    );
    let target = rt.block_on(Target::mock(mock.uri())).unwrap();
    (rt, mock, target)
}

/// The family with this report name.
fn family(name: &str) -> Family {
    Family::named(name).unwrap_or_else(|| panic!("no family named {name:?}"))
}

fn run(family: Family) {
    let (rt, mock, target) = mock();
    run_on(family, rt, mock, target);
}

fn run_on(
    family: Family,
    rt: tokio::runtime::Runtime,
    _mock: MockServer,
    target: Target,
) -> msp_conformance::FamilyOutcome {
    let config = SuiteConfig::from_env();
    let outcome = family.run(&target, &config, rt.handle());
    eprintln!(
        "{}",
        msp_conformance::report::summary(std::slice::from_ref(&outcome))
    );
    outcome.assert_passed();
    assert!(outcome.stats.cases >= u64::from(config.cases));
    outcome
}

#[test]
fn glp_crud() {
    run(family("glp.crud"));
}

#[test]
fn glp_tokens() {
    run(family("glp.tokens"));
}

#[test]
fn glp_rate_limits() {
    run(family("glp.rate_limits"));
}

#[test]
fn glp_malformed() {
    run(family("glp.malformed"));
}

#[test]
fn nsa_crud() {
    run(family("nsa.crud"));
}

/// On the default world's RUCKUS One MSPs, with a small call bucket (so the burst steps drain it
/// cheaply) and a manual clock.
#[test]
fn ruckus_crud() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mock = rt.block_on(common::ruckus_mock().start());
    let target = rt.block_on(Target::mock(mock.uri())).unwrap();
    let outcome = run_on(family("ruckus.crud"), rt, mock, target);
    // Every RUCKUS property was exercised, the bucket burst included (the small bucket).
    for p in [
        "domain.delegation",
        "activity.terminal",
        "query.totals",
        "rate.limit",
        "isolation",
        "input.malformed",
        "model.equality",
    ] {
        let n = outcome.stats.checks.get(p).copied().unwrap_or(0);
        assert!(n > 0, "{p} was never checked: {:?}", outcome.stats.checks);
    }
}
