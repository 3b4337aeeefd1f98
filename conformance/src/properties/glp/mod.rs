//! The GreenLake MSP-tenant state machine (`/workspaces/v1`): random sequences of create, get,
//! list (filters, pages), update, delete, cap changes, tenant-token reads, cross-MSP probes,
//! clock advances, injected 429s and malformed requests, each checked against the spec and the
//! reference model ([`crate::model::glp`]).
//!
//! The steps are symbolic ("the k-th live tenant", "a name from the pool"), resolved against the
//! model when executed, so every sequence stays meaningful while proptest shrinks it.

mod case;
mod checks;
mod exec;
pub mod steps;
pub mod strategy;

use std::future::Future;
use std::marker::PhantomData;

use msp_client::generated::glp_workspaces::types as gt;
use proptest::prelude::*;
use serde_json::Value;

pub use steps::{Bad, Cross, FilterPick, NAMES, Pick, Step};
pub use strategy::{Crud, Init, Malformed, Mix, RateLimits, Tokens};

use super::harness::{Machine, R, Running, Wire, decodes};
use super::{Family, SuiteConfig};
use crate::target::Target;
use case::Case;

/// The GreenLake families: one machine per step [`Mix`].
pub const FAMILIES: &[Family] = &[
    Family::of::<Glp<Crud>>(false),
    Family::of::<Glp<Tokens>>(true),
    Family::of::<Glp<RateLimits>>(true),
    Family::of::<Glp<Malformed>>(false),
];

/// The GreenLake machine with the step mix `X`.
#[derive(Debug)]
pub struct Glp<X>(PhantomData<X>);

/// Checks a body deserialises into the generated client's type for the operation's answer.
fn typed(op: &str, status: u16, json: &Value) -> Result<(), String> {
    if status >= 400 {
        return decodes::<gt::ErrorResponse>(json);
    }
    match op {
        "list_msp_tenants" => decodes::<gt::TenantPage>(json),
        "get_workspace" => decodes::<gt::Workspace>(json),
        "get_workspace_contact" => decodes::<gt::WorkspaceContact>(json),
        "create_msp_tenant" | "update_msp_tenant" => decodes::<gt::Message>(json),
        _ => Ok(()),
    }
}

impl<X: Mix> Machine for Glp<X> {
    const NAME: &'static str = X::NAME;
    const SPEC: &'static str = "glp-workspaces";
    type Init = Init;
    type Step = Step;
    type Setup = ();
    type Case<'a> = Case<'a>;

    fn prepare(target: &Target) -> Result<(), String> {
        if target.credentials.msps.is_empty() {
            return Err("the credentials name no GreenLake MSP (`msps: [...]`)".into());
        }
        Ok(())
    }

    fn init() -> BoxedStrategy<Init> {
        (3usize..9).prop_map(|cap| Init { cap }).boxed()
    }

    fn step() -> BoxedStrategy<Step> {
        X::step()
    }

    fn describe_start(_: &(), init: &Init) -> String {
        format!(
            "start: tenant cap {} (when the admin API can set it)",
            init.cap
        )
    }

    fn typed(op: &str, status: u16, json: &Value) -> Result<(), String> {
        typed(op, status, json)
    }

    fn start<'a>(
        target: &'a Target,
        config: &'a SuiteConfig,
        _: &'a (),
        init: &'a Init,
        wire: Wire<'a>,
    ) -> impl Future<Output = R<Case<'a>>> {
        Case::start(target, config, init, wire)
    }
}

impl<'a> Running<'a, Step> for Case<'a> {
    fn wire(&mut self) -> &mut Wire<'a> {
        &mut self.wire
    }

    async fn run_step(&mut self, step: &Step) -> R<()> {
        self.exec(step).await
    }

    fn after_step(&mut self) -> R<()> {
        self.invariants()
    }

    async fn finish(&mut self) -> R<()> {
        self.final_checks().await
    }
}
