//! The RUCKUS One MSP state machine (MSP Services, MSP queries, activities, tenant management,
//! venues): random sequences of tenant creates (with tech-partner delegations), renames,
//! deletes, tech-partner delegations, paged and sorted tenant queries, activity polls, clock
//! advances, `x-rks-tenantid` calls, a second MSP going after this MSP's tenants, bucket
//! bursts and malformed requests, each checked against the specs and the reference model of
//! the MSP ([`crate::model::ruckus`]).
//!
//! Steps are symbolic ("the k-th tenant", "a tech partner with the wrong delegation type"),
//! resolved against the model when executed, so every sequence stays meaningful while proptest
//! shrinks it.

mod case;
mod checks;
mod exec;
pub mod steps;
mod strategy;

use std::future::Future;

use msp_client::generated::{
    ruckus_activities as ra, ruckus_msp as rm, ruckus_msp_queries as rq, ruckus_tenant as rt,
    ruckus_token as rk, ruckus_venues as rv,
};
use proptest::prelude::*;
use serde_json::Value;

pub use steps::{ADVANCES, Bad, HeaderTarget, NAMES, NewKind, Pick, Step};

use super::harness::{Machine, R, Running, Wire, decodes};
use super::{Family, SuiteConfig};
use crate::target::{RuckusCredential, Target};
use case::Case;

/// Family name.
pub const NAME: &str = "ruckus.crud";

/// The largest call bucket a [`Step::Burst`] drains (a bigger one is skipped: too many calls
/// per case). The suite's own tests run the mock with a smaller bucket.
pub const MAX_DRAIN: u64 = 500;

/// The RUCKUS One families.
pub const FAMILIES: &[Family] = &[Family::of::<RuckusMachine>(false)];

/// The RUCKUS One machine: tenants, delegations, activities, queries, isolation, the bucket.
#[derive(Debug)]
pub struct RuckusMachine;

/// Checks a body deserialises into the generated client's type for the operation's answer.
fn typed(op: &str, status: u16, json: &Value) -> Result<(), String> {
    match (op, status >= 400) {
        ("create_access_token", true) => decodes::<rk::types::OAuthError>(json),
        ("create_access_token", false) => decodes::<rk::types::TokenResponse>(json),
        ("query_tenants", true) => decodes::<rq::types::RestErrorResponse>(json),
        ("query_tenants", false) => decodes::<rq::types::QueryResponseMspEcDto>(json),
        ("get_activity", true) => decodes::<ra::types::RestErrorResponse>(json),
        ("get_activity", false) => decodes::<ra::types::ActivityDto>(json),
        ("get_own_tenant", true) => decodes::<rt::types::RestErrorResponse>(json),
        ("get_own_tenant", false) => decodes::<rt::types::Tenant>(json),
        ("list_venues", true) => decodes::<rv::types::RestErrorResponse>(json),
        ("list_venues", false) => decodes::<Vec<rv::types::Venue>>(json),
        (_, true) => decodes::<rm::types::RestErrorResponse>(json),
        ("create_tenants", false) => decodes::<rm::types::ResponseBoV2>(json),
        ("update_tenant" | "delete_tenant" | "update_tenant_delegations", false) => {
            decodes::<rm::types::ResponseBo>(json)
        }
        ("get_tenant", false) => decodes::<rm::types::MspEcAccountView>(json),
        _ => Ok(()),
    }
}

impl Machine for RuckusMachine {
    const NAME: &'static str = NAME;
    const SPEC: &'static str = "ruckus-msp";
    const MORE_SPECS: &'static [&'static str] = &[
        "ruckus-msp-queries",
        "ruckus-activities",
        "ruckus-tenant",
        "ruckus-venues",
        "ruckus-token",
    ];
    type Init = ();
    type Step = Step;
    type Setup = RuckusCredential;
    type Case<'a> = Case<'a>;

    fn prepare(target: &Target) -> Result<RuckusCredential, String> {
        target
            .credentials
            .ruckus
            .msps
            .first()
            .cloned()
            .ok_or_else(|| {
                "the credentials name no RUCKUS One MSP (`ruckus: {msps: [{tenant_id, client_id, \
             client_secret}]}`)"
                    .to_string()
            })
    }

    fn init() -> BoxedStrategy<()> {
        Just(()).boxed()
    }

    fn step() -> BoxedStrategy<Step> {
        strategy::step()
    }

    /// Short sequences: each step may run a query, and a burst drains the bucket.
    fn max_steps(config: &SuiteConfig) -> usize {
        config.max_steps.clamp(1, 15)
    }

    fn describe_start(creds: &RuckusCredential, _: &()) -> String {
        format!("start: RUCKUS One MSP {}", creds.tenant_id)
    }

    fn typed(op: &str, status: u16, json: &Value) -> Result<(), String> {
        typed(op, status, json)
    }

    fn start<'a>(
        target: &'a Target,
        config: &'a SuiteConfig,
        creds: &'a RuckusCredential,
        _: &'a (),
        wire: Wire<'a>,
    ) -> impl Future<Output = R<Case<'a>>> {
        Case::start(target, config, creds, wire)
    }
}

impl<'a> Running<'a, Step> for Case<'a> {
    fn wire(&mut self) -> &mut Wire<'a> {
        &mut self.wire
    }

    async fn run_step(&mut self, step: &Step) -> R<()> {
        self.exec(step).await
    }

    async fn finish(&mut self) -> R<()> {
        self.final_checks().await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use msp_client::hooks::Context;

    use super::*;

    #[test]
    fn a_ruckus_builders_request_goes_through_the_hooks() {
        // The generated RUCKUS clients carry the runtime's hooks, so the wire can keep their
        // requests (and a token source can stamp them).
        #[derive(Debug, Default)]
        struct Refuse(std::sync::Mutex<Option<String>>);
        impl msp_client::hooks::Authorizer for Refuse {
            fn authorize<'a>(
                &'a self,
                request: &'a mut reqwest::Request,
            ) -> futures::future::BoxFuture<'a, msp_client::Result<()>> {
                *self.0.lock().unwrap() = Some(request.url().path().to_string());
                Box::pin(async { Err(msp_client::Error::InvalidInput("kept".into())) })
            }
            fn renew<'a>(
                &'a self,
                _: &'a reqwest::Request,
            ) -> futures::future::BoxFuture<'a, msp_client::Result<()>> {
                Box::pin(async { Ok(()) })
            }
        }
        let seen = Arc::new(Refuse::default());
        let ctx = Context::default().with_authorizer(seen.clone());
        let api = ra::Client::new_with_client("http://127.0.0.1:9", reqwest::Client::new(), ctx);
        let sent = futures::executor::block_on(api.get_activity().activity_id("abc").send());
        assert!(sent.is_err());
        assert_eq!(seen.0.lock().unwrap().as_deref(), Some("/activities/abc"));
    }
}
