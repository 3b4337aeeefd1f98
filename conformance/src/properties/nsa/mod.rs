//! The Ivanti nSA MSP-portal state machine (`/api/msp`): random sequences of tenant create,
//! update, block/unblock, delete and paged lists, clock advances across the provisioning
//! delay, usage-report generate/list/delete and schedule set/get, each checked against the
//! spec and the reference model of the portal ([`crate::model::nsa`]).
//!
//! Steps are symbolic ("the k-th live tenant", "a sub-domain from the pool"), resolved against
//! the model when executed, so every sequence stays meaningful while proptest shrinks it.

mod case;
mod checks;
mod exec;
pub mod steps;
mod strategy;

use std::future::Future;

use msp_client::generated::nsa_msp::types as nt;
use proptest::prelude::*;
use serde_json::Value;

pub use steps::{ADVANCES, Bad, FREQUENCIES, ForeignAction, NAMES, Pick, SUB_DOMAINS, Step, USERS};

use super::harness::{Machine, R, Running, Wire, decodes};
use super::{Family, SuiteConfig};
use crate::target::{NsaCredential, Target};
use case::Case;

/// Family name.
pub const NAME: &str = "nsa.crud";

/// The nSA families.
pub const FAMILIES: &[Family] = &[Family::of::<NsaMachine>(false)];

/// The nSA machine: tenants, reports, the schedule, the cap, provisioning and a second MSP.
#[derive(Debug)]
pub struct NsaMachine;

/// Checks a body deserialises into the generated client's type for the operation's answer.
fn typed(op: &str, status: u16, json: &Value) -> Result<(), String> {
    if status >= 400 {
        return decodes::<nt::NsaError>(json);
    }
    match op {
        "list_tenants" => decodes::<nt::TenantCollectionEntity>(json),
        "update_tenant" | "block_tenant" | "unblock_tenant" => decodes::<nt::TenantEntity>(json),
        "generate_usage_report" => decodes::<nt::MspTenantUsageReportEntity>(json),
        "list_usage_reports" => decodes::<nt::UsageReportCollectionEntity>(json),
        "delete_usage_reports" => decodes::<nt::DeleteErrorReportCollectionEntity>(json),
        "set_usage_report_schedule" | "get_usage_report_schedule" => {
            decodes::<nt::UsageReportScheduleEntity>(json)
        }
        _ => Ok(()),
    }
}

impl Machine for NsaMachine {
    const NAME: &'static str = NAME;
    const SPEC: &'static str = "nsa-msp";
    type Init = ();
    type Step = Step;
    type Setup = NsaCredential;
    type Case<'a> = Case<'a>;

    fn prepare(target: &Target) -> Result<NsaCredential, String> {
        target.credentials.nsa.first().cloned().ok_or_else(|| {
            "the credentials name no nSA MSP (`nsa: [{username, password}]`)".to_string()
        })
    }

    fn init() -> BoxedStrategy<()> {
        Just(()).boxed()
    }

    fn step() -> BoxedStrategy<Step> {
        strategy::step()
    }

    /// Short sequences: the portal's model is small and each step may walk the listing.
    fn max_steps(config: &SuiteConfig) -> usize {
        config.max_steps.clamp(1, 15)
    }

    fn describe_start(creds: &NsaCredential, _: &()) -> String {
        format!("start: nSA MSP {}", creds.username)
    }

    fn typed(op: &str, status: u16, json: &Value) -> Result<(), String> {
        typed(op, status, json)
    }

    fn start<'a>(
        target: &'a Target,
        config: &'a SuiteConfig,
        creds: &'a NsaCredential,
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

    fn after_step(&mut self) -> R<()> {
        self.cap_holds()
    }

    async fn finish(&mut self) -> R<()> {
        self.final_checks().await
    }
}
