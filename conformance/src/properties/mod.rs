//! Property families: the registry ([`Family`], [`VENDORS`]), failures, the readable report of
//! a shrunk failing sequence, per-family outcomes and statistics.
//!
//! Each family is one [`harness::Machine`] (a vendor folder's steps, start, step executors and
//! end-of-case checks), run by the one [`harness::run`] against a [`Target`]; every step checks
//! the spec, the model and the domain rules. One family = one test function, so
//! `cargo nextest --partition` splits the suite meaningfully.

pub mod glp;
pub mod harness;
pub mod nsa;
pub mod ruckus;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use proptest::test_runner::{Config, RngSeed};

use crate::target::Target;

/// Every property the suite checks, with a one-line meaning (the names used in reports).
pub const PROPERTIES: &[(&str, &str)] = &[
    (
        "spec.status",
        "every response status is declared by the spec for the operation",
    ),
    (
        "spec.body",
        "every response body validates against the spec's schema",
    ),
    (
        "client.types",
        "every body deserialises into the generated client's types",
    ),
    (
        "model.equality",
        "what the server answers is what the reference model predicts",
    ),
    (
        "domain.cap",
        "a create never succeeds at or above the tenant cap",
    ),
    (
        "domain.unique_names",
        "tenant names stay unique per MSP (case-insensitively)",
    ),
    (
        "isolation",
        "a token (or nSA session) never reads or changes data outside its scope",
    ),
    (
        "auth.no_401",
        "the client never surfaces a 401 while its credentials are valid",
    ),
    (
        "auth.exchange_once",
        "at most one token fetch per principal per token lifetime",
    ),
    (
        "retry.budget",
        "after injected 429s the client succeeds within its retry budget",
    ),
    (
        "domain.delegation",
        "a delegation goes only to a tech partner of its type, and only customers are delegated",
    ),
    (
        "activity.terminal",
        "every accepted asynchronous write's activity ends (SUCCESS or FAIL) within the model's bound",
    ),
    (
        "query.totals",
        "a query's totalCount, 1-based page and sort order are what the model computes",
    ),
    (
        "rate.limit",
        "an empty per-tenant call bucket answers 429 with Retry-After, and calls pass again after it",
    ),
    (
        "input.malformed",
        "malformed input gets a 4xx in the API's error shape and changes nothing",
    ),
    ("transport", "the server answers every request"),
];

/// One request and its response, as shown in a failure report.
#[derive(Clone, Debug, Default)]
pub struct Exchange {
    /// Method.
    pub method: String,
    /// Path and query.
    pub url: String,
    /// Request body (truncated), if any.
    pub request_body: Option<String>,
    /// Response status.
    pub status: u16,
    /// Response body (truncated).
    pub response_body: String,
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "    request:  {} {}", self.method, self.url)?;
        if let Some(b) = &self.request_body {
            write!(f, "\n              {b}")?;
        }
        write!(f, "\n    response: {}", self.status)?;
        if !self.response_body.is_empty() {
            write!(f, " {}", self.response_body)?;
        }
        Ok(())
    }
}

/// Truncates text for reports.
pub fn clip(s: &str) -> String {
    const MAX: usize = 600;
    if s.len() <= MAX {
        s.to_string()
    } else {
        let mut end = MAX;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}… ({} bytes)", &s[..end], s.len())
    }
}

/// A broken property.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The property's name (one of [`PROPERTIES`]).
    pub property: &'static str,
    /// What was wrong.
    pub detail: String,
    /// The request and response that showed it, if one did.
    pub exchange: Option<Exchange>,
    /// Index of the step that broke it (`None`: the end-of-case checks).
    pub step: Option<usize>,
}

/// A failing case after shrinking: the minimal step sequence and what broke.
#[derive(Clone, Debug)]
pub struct FailingCase {
    /// The steps, in order, as readable text.
    pub steps: Vec<String>,
    /// The failure.
    pub failure: Failure,
}

impl fmt::Display for FailingCase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = match self.failure.step {
            Some(i) => format!("step {}", i + 1),
            None => "the end-of-case checks".to_string(),
        };
        writeln!(
            f,
            "property `{}` failed at {at} of this minimal sequence:",
            self.failure.property
        )?;
        for (i, s) in self.steps.iter().enumerate() {
            let mark = if self.failure.step == Some(i) {
                "  <-- broke here"
            } else {
                ""
            };
            writeln!(f, "  {:>2}. {s}{mark}", i + 1)?;
        }
        if self.failure.step.is_none() {
            writeln!(f, "  --. end-of-case checks  <-- broke here")?;
        }
        writeln!(f, "  what: {}", self.failure.detail)?;
        if let Some(x) = &self.failure.exchange {
            writeln!(f, "{x}")?;
        }
        Ok(())
    }
}

/// Counters collected while a family runs.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Cases run (shrinking runs included).
    pub cases: u64,
    /// Steps executed.
    pub steps: u64,
    /// Steps skipped because they need the admin API.
    pub skipped_steps: u64,
    /// HTTP requests made to the API under test.
    pub requests: u64,
    /// Checks made per property.
    pub checks: BTreeMap<&'static str, u64>,
}

impl Stats {
    /// Counts one check of `property`.
    pub fn check(&mut self, property: &'static str) {
        *self.checks.entry(property).or_default() += 1;
    }

    pub(crate) fn merge(&mut self, o: &Stats) {
        self.cases += o.cases;
        self.steps += o.steps;
        self.skipped_steps += o.skipped_steps;
        self.requests += o.requests;
        for (k, v) in &o.checks {
            *self.checks.entry(k).or_default() += v;
        }
    }
}

/// The checks every answered request gets, whatever the family: no surfaced 401, status and
/// body against the spec, and the body accepted by the generated client's type (`typed`).
/// The parsed body, or the property broken and why.
pub(crate) fn check_answer(
    checker: &crate::check::SpecChecker,
    stats: &mut Stats,
    typed: fn(&str, u16, &serde_json::Value) -> Result<(), String>,
    op: &str,
    status: u16,
    text: &str,
) -> Result<Option<serde_json::Value>, (&'static str, String)> {
    use crate::check::SpecViolation;
    stats.check("auth.no_401");
    if status == 401 {
        return Err((
            "auth.no_401",
            format!("{op} surfaced a 401 although the credentials are valid"),
        ));
    }
    stats.check("spec.status");
    stats.check("spec.body");
    let json = match checker.check(op, status, text) {
        Ok(j) => j,
        Err(SpecViolation::Status(d)) => return Err(("spec.status", d)),
        Err(SpecViolation::Body(d)) => return Err(("spec.body", d)),
    };
    if let Some(j) = &json {
        stats.check("client.types");
        typed(op, status, j).map_err(|d| {
            (
                "client.types",
                format!("{op} {status}: the generated type refuses the body: {d}"),
            )
        })?;
    }
    Ok(json)
}

/// A family's verdict.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// Every case passed.
    Passed,
    /// A case failed; the shrunk case (if the runner could rebuild it) and proptest's reason.
    Failed {
        /// The minimal failing case.
        case: Option<FailingCase>,
        /// proptest's message.
        reason: String,
    },
    /// Not run, and why (e.g. it needs the admin API).
    Skipped(String),
}

/// The outcome of one family.
#[derive(Clone, Debug)]
pub struct FamilyOutcome {
    /// Family name, e.g. `glp.crud`.
    pub family: &'static str,
    /// The verdict.
    pub verdict: Verdict,
    /// Counters.
    pub stats: Stats,
    /// Wall time.
    pub elapsed: Duration,
    /// Cases asked for.
    pub cases_requested: u32,
}

impl FamilyOutcome {
    /// Whether the family passed (skipped counts as not failed).
    pub fn failed(&self) -> bool {
        matches!(self.verdict, Verdict::Failed { .. })
    }

    /// The property that failed, if any.
    pub fn failed_property(&self) -> Option<&'static str> {
        match &self.verdict {
            Verdict::Failed { case: Some(c), .. } => Some(c.failure.property),
            _ => None,
        }
    }

    /// Panics with the readable failing case (for `cargo test`).
    pub fn assert_passed(&self) {
        match &self.verdict {
            Verdict::Passed => {}
            Verdict::Skipped(why) => panic!("{} was skipped: {why}", self.family),
            Verdict::Failed { case, reason } => match case {
                Some(c) => panic!("{} failed:\n{c}", self.family),
                None => panic!("{} failed: {reason}", self.family),
            },
        }
    }
}

/// How many cases and how long sequences to run.
#[derive(Clone, Debug)]
pub struct SuiteConfig {
    /// Cases per family.
    pub cases: u32,
    /// Fixed seed for reproducible runs (`None`: random).
    pub seed: Option<u64>,
    /// Longest step sequence.
    pub max_steps: usize,
    /// Most shrink iterations after a failure.
    pub max_shrink_iters: u32,
    /// Token lifetime the server documents (GreenLake: 900 s).
    pub token_ttl: Duration,
    /// How early the client refreshes a token before it expires.
    pub refresh_skew: Duration,
}

/// Environment variable that sets the number of cases per family (default 256).
pub const CASES_ENV: &str = "MSP_CONFORMANCE_CASES";
/// Environment variable that fixes the seed.
pub const SEED_ENV: &str = "MSP_CONFORMANCE_SEED";

impl Default for SuiteConfig {
    fn default() -> Self {
        SuiteConfig {
            cases: 256,
            seed: None,
            max_steps: 20,
            max_shrink_iters: 2048,
            token_ttl: Duration::from_secs(900),
            refresh_skew: Duration::from_secs(60),
        }
    }
}

impl SuiteConfig {
    /// The defaults, with `MSP_CONFORMANCE_CASES` and `MSP_CONFORMANCE_SEED` applied.
    pub fn from_env() -> SuiteConfig {
        let mut c = SuiteConfig::default();
        if let Some(n) = std::env::var(CASES_ENV)
            .ok()
            .and_then(|v| v.trim().parse().ok())
        {
            c.cases = n;
        }
        if let Some(s) = std::env::var(SEED_ENV)
            .ok()
            .and_then(|v| v.trim().parse().ok())
        {
            c.seed = Some(s);
        }
        c
    }

    pub(crate) fn proptest_config(&self) -> Config {
        Config {
            cases: self.cases,
            failure_persistence: None,
            max_shrink_iters: self.max_shrink_iters,
            max_shrink_time: 120_000,
            rng_seed: self.seed.map_or(RngSeed::Random, RngSeed::Fixed),
            ..Config::default()
        }
    }
}

/// One property family: a name, whether it needs the admin API, and the machine that runs it.
///
/// Each vendor's family folder exports its families (`glp::FAMILIES`, `nsa::FAMILIES`,
/// `ruckus::FAMILIES`);
/// [`VENDORS`] lists those slices, so a new vendor is its folder plus one line there.
#[derive(Clone, Copy)]
pub struct Family {
    name: &'static str,
    needs_admin: bool,
    run: fn(&Target, &SuiteConfig, &tokio::runtime::Handle) -> FamilyOutcome,
}

impl fmt::Debug for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Family").field(&self.name).finish()
    }
}

impl PartialEq for Family {
    fn eq(&self, other: &Family) -> bool {
        self.name == other.name
    }
}

impl Eq for Family {}

/// Every vendor's families, in report order: one line per vendor.
pub const VENDORS: &[&[Family]] = &[glp::FAMILIES, nsa::FAMILIES, ruckus::FAMILIES];

impl Family {
    /// The family that runs machine `M`; `needs_admin`: it cannot run without the admin API.
    pub const fn of<M: harness::Machine>(needs_admin: bool) -> Family {
        Family {
            name: M::NAME,
            needs_admin,
            run: harness::run::<M>,
        }
    }

    /// Every family of every vendor, in report order.
    pub fn all() -> impl Iterator<Item = Family> {
        VENDORS.iter().flat_map(|v| v.iter().copied())
    }

    /// The family with this report name.
    pub fn named(name: &str) -> Option<Family> {
        Family::all().find(|f| f.name == name)
    }

    /// The family's report name.
    pub fn name(self) -> &'static str {
        self.name
    }

    /// Whether the family cannot run without the admin API (clock, faults).
    pub fn needs_admin(self) -> bool {
        self.needs_admin
    }

    /// Runs the family against `target`, blocking on `rt` for each case.
    pub fn run(
        self,
        target: &Target,
        config: &SuiteConfig,
        rt: &tokio::runtime::Handle,
    ) -> FamilyOutcome {
        if self.needs_admin() && target.admin_url.is_none() {
            return FamilyOutcome {
                family: self.name(),
                verdict: Verdict::Skipped(
                    "needs the msp-mock admin API (clock and faults); pass --admin".into(),
                ),
                stats: Stats::default(),
                elapsed: Duration::ZERO,
                cases_requested: config.cases,
            };
        }
        // Debug builds nest deep futures and schema validation; a roomy stack keeps a case
        // from overflowing the caller's (e.g. a 2 MiB test thread).
        std::thread::scope(|scope| {
            let worker = std::thread::Builder::new()
                .name(format!("msp-conformance {}", self.name()))
                .stack_size(64 * 1024 * 1024)
                .spawn_scoped(scope, || (self.run)(target, config, rt));
            match worker.map(|w| w.join()) {
                Ok(Ok(outcome)) => outcome,
                Ok(Err(panic)) => std::panic::resume_unwind(panic),
                Err(e) => FamilyOutcome {
                    family: self.name(),
                    verdict: Verdict::Failed {
                        case: None,
                        reason: format!("cannot start the family's thread: {e}"),
                    },
                    stats: Stats::default(),
                    elapsed: Duration::ZERO,
                    cases_requested: config.cases,
                },
            }
        })
    }
}
