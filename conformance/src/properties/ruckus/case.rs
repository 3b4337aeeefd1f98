//! One RUCKUS One case: its live state (token, generated clients, model, clock, the other MSP),
//! its setup, the activity timing rules, the resolution of symbolic picks, and the step
//! dispatch.
//!
//! **Time.** The server runs the accepted activities in order, each `pending + running` seconds
//! after it was accepted, so its tenants are always the model's applied tenants plus a prefix of
//! the in-flight changes. [`Case::window`] bounds that prefix from the clock (exactly on a manual
//! mock clock, with a margin on a real one); every observation must match some prefix in the
//! window, and narrows it ([`Case::judged`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use msp_client::generated::{
    ruckus_activities as ra, ruckus_msp as rm, ruckus_msp_queries as rq, ruckus_tenant as rt,
    ruckus_token as rk, ruckus_venues as rv,
};
use msp_client::hooks::Context;
use msp_client::ruckus::{RuckusCredentials, RuckusSession};
use msp_client::{RetryPolicy, SessionOptions};
use serde_json::{Value, json};

use super::steps::{ADVANCES, NAMES, Pick, Step};
use crate::model::ruckus::{ActivityModel, Kind, RuckusModel, TenantModel, Tenants, Verdict};
use crate::properties::SuiteConfig;
use crate::properties::harness::{R, Resp, Wire, setup_failure};
use crate::target::{Admin, RuckusCredential, ServerClock, Target};

/// Seconds an activity may take when the server's timing is unknown (no admin API).
pub(crate) const UNKNOWN_BOUND: f64 = 60.0;

/// How the server times activities and calls (from the admin API's state when there is one).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timing {
    /// Seconds an activity is `PENDING`.
    pub pending: Option<f64>,
    /// Seconds it is then `INPROGRESS`.
    pub running: Option<f64>,
    /// Seconds after its 202 an activity may still answer 404.
    pub visible_after: f64,
    /// Whether the server clock moves only when advanced.
    pub manual: bool,
    /// Calls a minute per tenant.
    pub limit: Option<u32>,
}

impl Timing {
    /// The clock's uncertainty, in seconds.
    pub fn margin(&self) -> f64 {
        if self.manual { 0.0 } else { 1.0 }
    }

    /// Earliest and latest seconds after acceptance that an activity leaves `PENDING`.
    pub fn start_range(&self) -> (f64, f64) {
        match self.pending {
            Some(p) => (p, p),
            None => (0.0, UNKNOWN_BOUND),
        }
    }

    /// Earliest and latest seconds after acceptance that an activity ends.
    pub fn end_range(&self) -> (f64, f64) {
        match (self.pending, self.running) {
            (Some(p), Some(r)) => (p + r, p + r),
            _ => (0.0, UNKNOWN_BOUND),
        }
    }
}

/// The other RUCKUS MSP of isolation steps.
pub(crate) struct Foreign {
    /// Its hooks (its token, retries).
    pub ctx: Context,
    /// Its tenants' ids, learned at the start.
    pub tenants: Vec<String>,
}

/// One case's live state.
pub struct Case<'a> {
    pub(crate) wire: Wire<'a>,
    pub(crate) msp: rm::Client,
    pub(crate) queries: rq::Client,
    pub(crate) activities: ra::Client,
    pub(crate) tenant: rt::Client,
    pub(crate) venues: rv::Client,
    pub(crate) admin: Option<Admin>,
    pub(crate) clock: Arc<ServerClock>,
    /// The server time last read (what "now" is on a manual clock).
    pub(crate) server_now: DateTime<Utc>,
    pub(crate) timing: Timing,
    /// This MSP's hooks: its token, retries.
    pub(crate) ctx: Context,
    /// This MSP's token, without retries (a 429 is seen as it is).
    pub(crate) once: Context,
    /// This MSP's session from msp-client (its token, shared by `ctx` and `once`).
    pub(crate) session: RuckusSession,
    pub(crate) model: RuckusModel,
    pub(crate) fresh_names: usize,
    pub(crate) foreign: Option<Foreign>,
    /// Requests of the case that went to the other MSP's bucket.
    pub(crate) foreign_calls: u64,
    /// Seconds the server clock was advanced in the case.
    pub(crate) advanced: f64,
    pub(crate) started: Instant,
}

/// Signs `creds` in with msp-client's RUCKUS session on the case's HTTP client and clock.
async fn connect(
    wire: &Wire<'_>,
    creds: &RuckusCredential,
    clock: &Arc<ServerClock>,
    retry: &RetryPolicy,
    config: &SuiteConfig,
) -> msp_client::Result<RuckusSession> {
    let rk = RuckusCredentials::new(
        &creds.tenant_id,
        creds.client_id.clone(),
        creds.client_secret.as_str(),
    )?
    .with_base_url(&wire.base)?;
    let mut options = SessionOptions::default()
        .with_clock(clock.clone())
        .with_retry(retry.clone())
        .with_refresh_skew(config.refresh_skew);
    options.http = Some(wire.http.clone());
    RuckusSession::connect_with(rk, options).await
}

fn setup(detail: String) -> Box<crate::properties::Failure> {
    setup_failure("transport", detail)
}

impl<'a> Case<'a> {
    /// Resets the server (when the admin API is there), learns its timing, gets this MSP's
    /// token, learns its tenants and signs the other MSP in.
    pub(crate) async fn start(
        target: &'a Target,
        config: &'a SuiteConfig,
        creds: &'a RuckusCredential,
        mut wire: Wire<'a>,
    ) -> R<Case<'a>> {
        let admin = target.admin();
        let clock = ServerClock::new();
        let mut server_now = Utc::now();
        let mut timing = Timing {
            pending: None,
            running: None,
            visible_after: 0.0,
            manual: false,
            limit: None,
        };
        if let Some(a) = &admin {
            a.reset()
                .await
                .map_err(|e| setup(format!("admin reset: {e:#}")))?;
            let (now, manual) = a
                .clock()
                .await
                .map_err(|e| setup(format!("admin clock: {e:#}")))?;
            clock.sync_to(now);
            server_now = now;
            let world = a
                .state()
                .await
                .map_err(|e| setup(format!("admin state: {e:#}")))?;
            let setting = |k: &str, default: f64| {
                world
                    .pointer(&format!("/ruckus/settings/{k}"))
                    .and_then(Value::as_f64)
                    .unwrap_or(default)
            };
            timing = Timing {
                pending: Some(setting("pending_secs", 1.0)),
                running: Some(setting("running_secs", 2.0)),
                visible_after: setting("activity_visible_after_secs", 0.0),
                manual,
                limit: Some(setting("calls_per_minute", 2000.0) as u32),
            };
        }
        let retry = RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(2),
            max_total_wait: Duration::from_secs(5),
            request_timeout: Some(Duration::from_secs(20)),
            ..RetryPolicy::default()
        };
        let session = connect(&wire, creds, &clock, &retry, config)
            .await
            .map_err(|e| {
                setup_failure(
                    "auth.no_401",
                    format!("the MSP under test cannot sign in: {e}"),
                )
            })?;
        let ctx = session.context();
        let mut once = Context::default().with_retry(RetryPolicy {
            reauth_on_401: true,
            ..RetryPolicy::none()
        });
        if let Some(auth) = ctx.authorizer() {
            once = once.with_authorizer(auth.clone());
        }
        let (base, http, built) = (wire.base.clone(), wire.http.clone(), wire.builder_context());
        // The first token goes through the generated token client, so its answer is checked.
        let tokens = rk::Client::new_with_client(&base, http.clone(), built.clone());
        let form: rk::types::TokenRequest = serde_json::from_value(json!({
            "grant_type": "client_credentials",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
        }))
        .map_err(|e| setup_failure("client.types", format!("TokenRequest: {e}")))?;
        let resp = wire
            .through(
                &Context::default(),
                "create_access_token",
                tokens
                    .create_access_token()
                    .tenant_id(creds.tenant_id.as_str())
                    .body(form)
                    .send(),
            )
            .await?;
        wire.expect(&resp, &[200], "auth.no_401", "the MSP's token")?;
        let doc = wire.body(&resp, "create_access_token")?;
        let Some(access) = doc.get("access_token").and_then(Value::as_str) else {
            return Err(wire.fail("spec.body", "the token answer has no access_token"));
        };
        let life = doc
            .get("expires_in")
            .and_then(Value::as_u64)
            .unwrap_or(3600);
        if access.is_empty() || life == 0 {
            return Err(wire.fail(
                "spec.body",
                format!("the token answer has an empty access_token or expires_in {life}"),
            ));
        }
        let mut case = Case {
            msp: rm::Client::new_with_client(&base, http.clone(), built.clone()),
            queries: rq::Client::new_with_client(&base, http.clone(), built.clone()),
            activities: ra::Client::new_with_client(&base, http.clone(), built.clone()),
            tenant: rt::Client::new_with_client(&base, http.clone(), built.clone()),
            venues: rv::Client::new_with_client(&base, http.clone(), built),
            wire,
            admin,
            clock: clock.clone(),
            server_now,
            timing,
            ctx: ctx.clone(),
            once,
            session,
            model: RuckusModel {
                msp: creds.tenant_id.to_lowercase().replace('-', ""),
                ..RuckusModel::default()
            },
            fresh_names: 0,
            foreign: None,
            foreign_calls: 0,
            advanced: 0.0,
            started: Instant::now(),
        };
        let rows = case
            .walk(
                &ctx,
                100,
                "model.equality",
                "learning the MSP's tenants",
                false,
            )
            .await?;
        let mut tenants = Vec::new();
        for row in &rows {
            match TenantModel::from_row(row) {
                Some(t) => tenants.push(t),
                None => {
                    return Err(case.wire.fail(
                        "model.equality",
                        format!("a tenant row the model cannot read: {row}"),
                    ));
                }
            }
        }
        case.model.applied = Tenants(tenants);
        // The isolation witness: the target's next RUCKUS MSP, when it has one.
        if let Some(other) = target
            .credentials
            .ruckus
            .msps
            .iter()
            .find(|o| o.tenant_id != creds.tenant_id)
        {
            let fctx = connect(&case.wire, other, &clock, &retry, config)
                .await
                .map_err(|e| {
                    setup_failure(
                        "isolation",
                        format!("the other RUCKUS MSP cannot sign in: {e}"),
                    )
                })?
                .context();
            let rows = case
                .walk(
                    &fctx,
                    100,
                    "isolation",
                    "the other MSP listing its tenants",
                    true,
                )
                .await?;
            let tenants = rows
                .iter()
                .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string))
                .collect();
            case.foreign = Some(Foreign { ctx: fctx, tenants });
        }
        Ok(case)
    }

    /// The server's time now, as far as the case knows it.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        if self.timing.manual {
            self.server_now
        } else {
            msp_client::TimeSource::now(self.clock.as_ref()).into()
        }
    }

    /// Seconds since `a` was accepted.
    pub(crate) fn age(&self, a: &ActivityModel) -> f64 {
        (self.now() - a.accepted).num_milliseconds() as f64 / 1000.0
    }

    /// The prefixes of the in-flight activities the server may have run by now: `lo` surely
    /// have, more than `hi` surely have not.
    pub(crate) fn window(&self) -> (usize, usize) {
        let m = self.timing.margin();
        let (earliest, latest) = self.timing.end_range();
        let lo = self
            .model
            .in_flight
            .iter()
            .take_while(|a| self.age(a) - m > latest)
            .count();
        let hi = self
            .model
            .in_flight
            .iter()
            .take_while(|a| self.age(a) + m >= earliest)
            .count();
        (lo, hi.max(lo))
    }

    /// Records the activities that surely ran by now.
    pub(crate) fn settle_certain(&mut self) {
        let (lo, _) = self.window();
        self.model.commit(lo);
    }

    /// Checks an answer against the rules under every prefix in the window: its status must be
    /// what `verdict` predicts for one of them (and the prefixes it rules out are dropped).
    pub(crate) fn judged(
        &mut self,
        resp: &Resp,
        what: &str,
        verdict: impl Fn(&Tenants) -> Verdict,
    ) -> R<()> {
        let (lo, hi) = self.window();
        let mut expected: Vec<Verdict> = Vec::new();
        for k in lo..=hi {
            let (tenants, _) = self.model.after(k);
            let v = verdict(&tenants);
            if v.0 == resp.status {
                self.wire.stats.check(v.1);
                self.model.commit(k);
                return Ok(());
            }
            expected.push(v);
        }
        let property = expected.first().map_or("model.equality", |v| v.1);
        self.wire.stats.check(property);
        let mut statuses: Vec<u16> = expected.iter().map(|v| v.0).collect();
        statuses.dedup();
        let want = match statuses.as_slice() {
            [one] => one.to_string(),
            many => format!("one of {many:?}"),
        };
        Err(self.wire.fail(
            property,
            format!("{what}: expected status {want}, got {}", resp.status),
        ))
    }

    /// A tenant id for `pick` among `pool` (the k-th), the last deleted one, or a fresh id.
    pub(crate) fn resolve_in(&self, pick: &Pick, pool: &[TenantModel]) -> String {
        match pick {
            Pick::Live(k) if !pool.is_empty() => pool[usize::from(*k) % pool.len()].id.clone(),
            Pick::Live(k) => format!("{:032x}", u128::from(*k) << 64 | 0xdead),
            Pick::Gone => self
                .model
                .gone
                .last()
                .cloned()
                .unwrap_or_else(|| format!("{:032x}", 0x60e_u128)),
            Pick::Fresh(u) => format!("{:032x}", u128::from(*u) << 32 | 0xf4e5),
        }
    }

    /// A tenant id for `pick` among every tenant the case may address.
    pub(crate) fn resolve(&self, pick: &Pick) -> String {
        self.resolve_in(pick, &self.model.every_tenant())
    }

    /// The kind of tenant `id` as far as the case knows it.
    pub(crate) fn kind_of(&self, id: &str) -> Option<Kind> {
        self.model
            .every_tenant()
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.kind)
    }

    /// A name from the pool, or a fresh one.
    pub(crate) fn name(&mut self, i: Option<usize>) -> String {
        match i.and_then(|i| NAMES.get(i)) {
            Some(n) => n.to_string(),
            None => {
                self.fresh_names += 1;
                format!("Conformance Tenant {}", self.fresh_names)
            }
        }
    }

    pub(crate) async fn exec(&mut self, step: &Step) -> R<()> {
        self.settle_certain();
        match step {
            Step::Create {
                name,
                kind,
                partner,
            } => self.create(*name, kind.kind(), partner.as_ref()).await,
            Step::Rename { who, name } => {
                let id = self.resolve(who);
                self.rename(&id, *name).await
            }
            Step::Delete { who } => {
                let id = self.resolve(who);
                self.delete(&id).await
            }
            Step::Delegate {
                partner,
                right_type,
                customers,
            } => self.delegate(partner, *right_type, customers).await,
            Step::Query {
                kind,
                sort,
                desc,
                page,
                page_size,
            } => {
                let q = crate::model::ruckus::QuerySpec {
                    kind: *kind,
                    sort: *sort,
                    desc: *desc,
                    page: usize::from(*page).max(1),
                    page_size: usize::from(*page_size).max(1),
                };
                self.query(&q).await
            }
            Step::Poll { which } => self.poll(*which).await,
            Step::Advance { secs } => {
                let secs = ADVANCES.get(*secs).copied().unwrap_or(1);
                self.advance(secs as f64).await
            }
            Step::Header { target } => self.header(target).await,
            Step::Foreign { who } => self.foreign(who).await,
            Step::Burst => self.burst().await,
            Step::Bad(bad) => self.bad(bad).await,
        }
    }

    /// Moves the server clock by `secs` (skipped without the admin API).
    pub(crate) async fn advance(&mut self, secs: f64) -> R<()> {
        let Some(admin) = self.admin.clone() else {
            self.wire.stats.skipped_steps += 1;
            return Ok(());
        };
        let now = admin
            .advance(secs)
            .await
            .map_err(|e| self.wire.fail("transport", format!("admin clock: {e:#}")))?;
        self.clock.sync_to(now);
        self.server_now = now;
        self.advanced += secs;
        Ok(())
    }
}
