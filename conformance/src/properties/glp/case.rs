//! One GreenLake case: its live state (sessions, model, the witness MSP), its setup, the
//! resolution of symbolic picks, throttling through the admin API and the step dispatch.

use std::sync::Arc;
use std::time::Duration;

use msp_client::generated::glp_workspaces as gw;
use msp_client::{Credentials, MspSession, RetryPolicy, SessionOptions};
use serde_json::{Value, json};
use uuid::Uuid;

use super::steps::{FilterPick, Pick, Step, name_of, ownership_of};
use super::strategy::Init;
use crate::model::glp::{Cmp, FilterSpec, MspModel, Op};
use crate::properties::SuiteConfig;
use crate::properties::harness::{R, Resp, Wire, setup_failure};
use crate::target::{Admin, ServerClock, Target};

/// One case's live state.
pub struct Case<'a> {
    pub(crate) config: &'a SuiteConfig,
    pub(crate) wire: Wire<'a>,
    /// The generated client whose builders make the valid requests.
    pub(crate) api: gw::Client,
    pub(crate) admin: Option<Admin>,
    pub(crate) clock: Arc<ServerClock>,
    pub(crate) msp: MspSession,
    pub(crate) model: MspModel,
    pub(crate) witness: Option<(MspSession, MspModel)>,
    pub(crate) retry: RetryPolicy,
}

fn suite_retry() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(2),
        max_total_wait: Duration::from_secs(5),
        request_timeout: Some(Duration::from_secs(20)),
        ..RetryPolicy::default()
    }
}

impl<'a> Case<'a> {
    /// Resets the server (when the admin API is there), signs both MSPs in, sets the cap and
    /// learns both MSPs' starting tenants.
    pub(crate) async fn start(
        target: &'a Target,
        config: &'a SuiteConfig,
        init: &Init,
        wire: Wire<'a>,
    ) -> R<Case<'a>> {
        let setup = |detail: String| setup_failure("transport", detail);
        let admin = target.admin();
        let clock = ServerClock::new();
        if let Some(a) = &admin {
            a.reset()
                .await
                .map_err(|e| setup(format!("admin reset: {e:#}")))?;
            a.clear_requests()
                .await
                .map_err(|e| setup(format!("admin journal: {e:#}")))?;
            let now = a
                .clock_now()
                .await
                .map_err(|e| setup(format!("admin clock: {e:#}")))?;
            clock.sync_to(now);
        }
        let Some(first) = target.credentials.msps.first() else {
            return Err(setup("the target has no MSP credentials".into()));
        };
        let retry = suite_retry();
        let options = || {
            SessionOptions::default()
                .with_clock(clock.clone())
                .with_retry(retry.clone())
                .with_refresh_skew(config.refresh_skew)
        };
        let connect = |c: &crate::target::MspCredential| {
            let creds = Credentials::new(
                c.client_id.clone(),
                c.client_secret.clone(),
                c.workspace_id.clone(),
            )
            .with_base_url_for_all(&target.base_url);
            let opts = options();
            async move {
                let creds = creds.map_err(|e| format!("credentials: {e}"))?;
                MspSession::connect_with(creds, opts)
                    .await
                    .map_err(|e| format!("connect: {e}"))
            }
        };
        let msp_id = Uuid::parse_str(&first.workspace_id)
            .map_err(|e| setup(format!("MSP workspace id {:?}: {e}", first.workspace_id)))?;
        let msp = connect(first).await.map_err(|e| {
            setup_failure(
                "auth.no_401",
                format!("the MSP under test cannot sign in: {e}"),
            )
        })?;
        if let Some(a) = &admin {
            a.set_tenant_cap(&first.workspace_id, init.cap)
                .await
                .map_err(|e| setup(format!("admin set cap: {e:#}")))?;
        }
        let witness_session = match target.credentials.msps.get(1) {
            Some(w) => {
                let id = Uuid::parse_str(&w.workspace_id)
                    .map_err(|e| setup(format!("witness workspace id: {e}")))?;
                let s = connect(w)
                    .await
                    .map_err(|e| setup(format!("witness MSP: {e}")))?;
                Some((s, MspModel::new(id)))
            }
            None => None,
        };
        let api =
            gw::Client::new_with_client(&wire.base, wire.http.clone(), wire.builder_context());
        let mut case = Case {
            config,
            wire,
            api,
            admin,
            clock,
            msp,
            model: MspModel::new(msp_id),
            witness: None,
            retry,
        };
        if case.admin.is_some() {
            case.model.cap = Some(init.cap);
        }
        // Learn the starting state of both MSPs.
        let listed = case.walk_all(&case.msp.context(), 300).await?;
        for item in &listed {
            case.model
                .learn_listed(item)
                .map_err(|d| case.wire.fail("model.equality", d))?;
        }
        if let Some((ws, mut wm)) = witness_session {
            let ctx = ws.context();
            let items = case.walk_all(&ctx, 300).await?;
            for item in &items {
                wm.learn_listed(item)
                    .map_err(|d| case.wire.fail("model.equality", d))?;
            }
            case.witness = Some((ws, wm));
        }
        Ok(case)
    }
}

/// The body of a create or update as the generated client's type (the serde message when the
/// type refuses it).
pub(crate) fn tenant_details(
    name: &str,
    ownership: Option<usize>,
    country: Option<&str>,
) -> Result<gw::types::TenantDetails, String> {
    serde_json::from_value(tenant_body(name, ownership, country)).map_err(|e| e.to_string())
}

/// The JSON of a create or update.
pub(crate) fn tenant_body(name: &str, ownership: Option<usize>, country: Option<&str>) -> Value {
    let mut b = json!({ "workspaceName": name });
    if let Some(o) = ownership {
        b["inventoryOwnership"] = json!(ownership_of(o));
    }
    if let Some(c) = country {
        b["address"] = json!({ "countryCode": c });
    }
    b
}

impl Case<'_> {
    /// The typed body of a create or update; a generated type that refuses it (every body the
    /// steps send is valid) fails `client.types`.
    pub(crate) fn details(
        &self,
        name: &str,
        ownership: Option<usize>,
        country: Option<&str>,
    ) -> R<gw::types::TenantDetails> {
        tenant_details(name, ownership, country).map_err(|e| {
            self.wire.fail(
                "client.types",
                format!("the generated TenantDetails refuses a valid body for {name:?}: {e}"),
            )
        })
    }

    /// The tenant picked by `pick`.
    pub(crate) fn resolve(&self, pick: &Pick) -> Uuid {
        match pick {
            Pick::Live(k) => {
                let live = self.model.ordered();
                if live.is_empty() {
                    Uuid::from_u128(u128::from(*k) << 64 | 0xdead)
                } else {
                    live[usize::from(*k) % live.len()].id
                }
            }
            Pick::Gone => self
                .model
                .gone
                .last()
                .copied()
                .unwrap_or(Uuid::from_u128(0x60e)),
            Pick::Fresh(u) => Uuid::from_u128(*u),
            Pick::Msp => self.model.workspace_id,
            Pick::Witness(k) => match &self.witness {
                Some((_, w)) if !w.tenants.is_empty() => {
                    w.ordered()[usize::from(*k) % w.tenants.len()].id
                }
                _ => Uuid::from_u128(u128::from(*k) << 64 | 0xbeef),
            },
        }
    }

    pub(crate) fn is_witness_tenant(&self, id: Uuid) -> bool {
        self.witness
            .as_ref()
            .is_some_and(|(_, w)| w.get(id).is_some())
    }

    /// Injects `n` 429s for the next `method path` and returns the journal count before.
    pub(crate) async fn throttle(&mut self, n: u8, method: &str, path: &str) -> R<Option<usize>> {
        if n == 0 {
            return Ok(None);
        }
        let Some(admin) = self.admin.clone() else {
            return Ok(None);
        };
        let before = self.journal_count(&admin, method, path).await?;
        admin
            .add_fault(json!({
                "method": method, "path": path, "status": 429,
                "times": n, "retry_after": 0
            }))
            .await
            .map_err(|e| self.wire.fail("transport", format!("admin fault: {e:#}")))?;
        Ok(Some(before))
    }

    pub(crate) async fn journal_count(&self, admin: &Admin, method: &str, path: &str) -> R<usize> {
        let entries = admin
            .requests()
            .await
            .map_err(|e| self.wire.fail("transport", format!("admin journal: {e:#}")))?;
        Ok(entries
            .iter()
            .filter(|e| e.method.eq_ignore_ascii_case(method) && e.path == path)
            .count())
    }

    /// After a throttled call: it succeeded (no 429 surfaced) with exactly n+1 attempts, within
    /// the client's retry budget.
    pub(crate) async fn after_throttle(
        &mut self,
        n: u8,
        before: Option<usize>,
        resp: &Resp,
        method: &str,
        path: &str,
    ) -> R<()> {
        let Some(before) = before else { return Ok(()) };
        let Some(admin) = self.admin.clone() else {
            return Ok(());
        };
        self.wire.stats.check("retry.budget");
        if resp.status == 429 {
            return Err(self.wire.fail(
                "retry.budget",
                format!(
                    "{n} injected 429s surfaced although the budget allows {}",
                    self.retry.max_rate_limit_retries
                ),
            ));
        }
        let after = self.journal_count(&admin, method, path).await?;
        let attempts = after - before;
        let budget = self.retry.max_rate_limit_retries as usize + 1;
        if attempts != usize::from(n) + 1 || attempts > budget {
            return Err(self.wire.fail(
                "retry.budget",
                format!(
                    "{n} injected 429s: expected {} attempts (budget {budget}), the server saw {attempts}",
                    usize::from(n) + 1
                ),
            ));
        }
        // Leftover faults would leak into later steps.
        admin
            .clear_faults()
            .await
            .map_err(|e| self.wire.fail("transport", format!("admin faults: {e:#}")))
    }

    pub(crate) async fn exec(&mut self, step: &Step) -> R<()> {
        match step {
            Step::Create {
                name,
                ownership,
                country,
                throttle,
            } => {
                self.create(name_of(*name), *ownership, *country, *throttle)
                    .await
            }
            Step::Update {
                who,
                name,
                ownership,
                country,
                throttle,
            } => {
                let id = self.resolve(who);
                self.update(id, name_of(*name), *ownership, *country, *throttle)
                    .await
            }
            Step::Delete { who, throttle } => {
                let id = self.resolve(who);
                self.delete(id, *throttle).await
            }
            Step::Get { who } => {
                let id = self.resolve(who);
                let ctx = self.msp.context();
                self.get_workspace(&ctx, id, true).await
            }
            Step::Contact { who } => {
                let id = self.resolve(who);
                self.contact(id).await
            }
            Step::List {
                filter,
                offset,
                limit,
                throttle,
            } => {
                let f = filter.as_ref().map(|f| self.filter(f));
                self.list(f, *offset, *limit, *throttle).await
            }
            Step::Walk { limit } => self.walk_and_compare(*limit).await,
            Step::SetCap { cap } => {
                let Some(admin) = self.admin.clone() else {
                    self.wire.stats.skipped_steps += 1;
                    return Ok(());
                };
                admin
                    .set_tenant_cap(&self.model.workspace_id.to_string(), *cap)
                    .await
                    .map_err(|e| self.wire.fail("transport", format!("admin set cap: {e:#}")))?;
                self.model.cap = Some(*cap);
                Ok(())
            }
            Step::Advance { secs } => {
                let Some(admin) = self.admin.clone() else {
                    self.wire.stats.skipped_steps += 1;
                    return Ok(());
                };
                let now = admin
                    .advance(f64::from(*secs))
                    .await
                    .map_err(|e| self.wire.fail("transport", format!("admin clock: {e:#}")))?;
                self.clock.sync_to(now);
                Ok(())
            }
            Step::TenantRead { as_tenant, who } => self.tenant_read(*as_tenant, who).await,
            Step::TenantManage { as_tenant, who } => self.tenant_manage(*as_tenant, who).await,
            Step::CrossMsp { op, k } => self.cross(*op, *k).await,
            Step::Malformed(bad) => Box::pin(self.malformed(bad)).await,
        }
    }

    pub(crate) fn filter(&self, f: &FilterPick) -> FilterSpec {
        fn cmp(c: &Case<'_>, f: &FilterPick) -> Cmp {
            match f {
                FilterPick::Name(op, i) => Cmp::Name(*op, name_of(*i).to_string()),
                FilterPick::Ownership(op, i) => Cmp::Ownership(*op, ownership_of(*i).to_string()),
                FilterPick::Id(p) => Cmp::Id(Op::Eq, c.resolve(p)),
                FilterPick::CreatedAt(op) => Cmp::CreatedAt(
                    *op,
                    chrono::DateTime::parse_from_rfc3339("2000-01-01T00:00:00Z")
                        .map(|d| d.with_timezone(&chrono::Utc))
                        .unwrap_or_default(),
                ),
                // Nested combinations flatten to their first comparison.
                FilterPick::And(a, _) | FilterPick::Or(a, _) => cmp(c, a),
            }
        }
        match f {
            FilterPick::And(a, b) => FilterSpec::And(cmp(self, a), cmp(self, b)),
            FilterPick::Or(a, b) => FilterSpec::Or(cmp(self, a), cmp(self, b)),
            one => FilterSpec::One(cmp(self, one)),
        }
    }
}
