//! `msp-conformance`: stateful property tests that drive the generated `msp-client` against a
//! server (the in-process msp-mock, a separately started `msp-mock`, or a real service) and
//! check, step after step, that both keep the contract in `openapi/`.
//!
//! The suite is a library so `cargo test` and the `msp-conformance run` binary share it:
//! describe the server as a [`Target`], pick [`Family`]s (every vendor's are in
//! [`properties::VENDORS`]), and run them with a [`SuiteConfig`].
//!
//! ```no_run
//! # fn demo() -> anyhow::Result<()> {
//! use anyhow::Context as _;
//! use msp_conformance::{Family, SuiteConfig, Target};
//! let rt = tokio::runtime::Runtime::new()?;
//! let target = rt.block_on(Target::mock("http://127.0.0.1:8080"))?;
//! let family = Family::named("glp.crud").context("no such family")?;
//! let outcome = family.run(&target, &SuiteConfig::from_env(), rt.handle());
//! outcome.assert_passed();
//! # Ok(()) }
//! ```
//!
//! # Families and properties
//! | family | steps | needs admin |
//! |---|---|---|
//! | `glp.crud` | create, update, delete, get, contact, filtered/paged list, page walks, cap changes, tenant-token reads, cross-MSP probes | cap changes only |
//! | `glp.tokens` | clock advances past token expiry with tenant-token traffic | yes |
//! | `glp.rate_limits` | writes and lists after injected 429s | yes |
//! | `glp.malformed` | bad bodies, filters, paging, content types, ids | no |
//! | `nsa.crud` | nSA tenant create/update/delete, paged lists with MSP-wide figures, the cap, provisioning across clock advances, usage reports, the schedule, a second nSA MSP going after the first's tenants (isolation) | clock advances only |
//! | `ruckus.crud` | RUCKUS One tenant create/rename/delete (asynchronous: 202 and an activity), tech-partner delegations, paged and sorted tenant queries, activity polls across clock advances, `x-rks-tenantid` calls, a second RUCKUS MSP going after the first's tenants, call-bucket bursts (429, `Retry-After`), malformed queries and creates | clock advances and bursts only |
//!
//! Every step checks the properties in [`properties::PROPERTIES`]: the response status and
//! body against the spec, the body against the generated types, the answer against the
//! reference [`model`] of each vendor, the cap, name uniqueness, isolation, no surfaced 401, the retry budget;
//! each case ends with full listings of both MSPs and a journal check that token fetches
//! respect the token lifetime. A failure shrinks to a minimal sequence and prints it step by
//! step with the request and response that broke the property.
//!
//! # Case count
//! `MSP_CONFORMANCE_CASES` sets the cases per family (default 256, what CI runs);
//! `MSP_CONFORMANCE_SEED` fixes the seed. Raise the count for soak runs, e.g.
//! `MSP_CONFORMANCE_CASES=5000 cargo test -p msp-conformance --release`; shard with
//! `cargo nextest run -p msp-conformance --partition count:1/4` (one test per family).

pub mod check;
pub mod model;
pub mod properties;
pub mod report;
pub mod target;

pub use properties::{
    CASES_ENV, FailingCase, Failure, Family, FamilyOutcome, SEED_ENV, SuiteConfig, Verdict,
};
pub use target::{Admin, Target, TargetCredentials};
