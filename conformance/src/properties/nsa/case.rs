//! One nSA case: its live state (session, model, the second MSP), its setup, the resolution
//! of symbolic picks, the provisioning rule and the step dispatch.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use msp_client::generated::nsa_msp as nm;
use msp_client::hooks::Context;
use msp_client::nsa::{NsaCredentials, NsaSession};
use msp_client::{RetryPolicy, SessionOptions};
use serde_json::Value;
use uuid::Uuid;

use super::steps::{ADVANCES, FREQUENCIES, Pick, Step};
use crate::model::nsa::{
    NsaModel, ReportModel, ScheduleModel, TenantModel, id_of, report_of, status_text, subs_of, time,
};
use crate::properties::SuiteConfig;
use crate::properties::harness::{R, Wire, setup_failure};
use crate::target::{Admin, NsaCredential, ServerClock, Target};

/// One case's live state.
pub struct Case<'a> {
    pub(crate) wire: Wire<'a>,
    /// The generated client whose builders make the valid requests.
    pub(crate) api: nm::Client,
    pub(crate) admin: Option<Admin>,
    pub(crate) clock: Arc<ServerClock>,
    /// The session's hooks (DSID cookie, renewal, retries); the other MSP's during a
    /// [`Step::Foreign`].
    pub(crate) ctx: Context,
    pub(crate) model: NsaModel,
    /// Seconds a new tenant stays `initializing` (known only with the admin API).
    pub(crate) provisioning: Option<i64>,
    /// Fresh sub-domains handed out so far.
    pub(crate) fresh_subs: usize,
    /// The target's second nSA MSP, signed in (HTTP client and hooks), for [`Step::Foreign`].
    pub(crate) foreign: Option<(reqwest::Client, Context)>,
}

impl<'a> Case<'a> {
    /// Resets the server (when the admin API is there), signs both nSA MSPs in and learns the
    /// starting tenants, reports and schedule.
    pub(crate) async fn start(
        target: &'a Target,
        config: &'a SuiteConfig,
        creds: &'a NsaCredential,
        mut wire: Wire<'a>,
    ) -> R<Case<'a>> {
        let setup = |detail: String| setup_failure("transport", detail);
        let admin = target.admin();
        let clock = ServerClock::new();
        let mut provisioning = None;
        if let Some(a) = &admin {
            a.reset()
                .await
                .map_err(|e| setup(format!("admin reset: {e:#}")))?;
            let now = a
                .clock_now()
                .await
                .map_err(|e| setup(format!("admin clock: {e:#}")))?;
            clock.sync_to(now);
            let world = a
                .state()
                .await
                .map_err(|e| setup(format!("admin state: {e:#}")))?;
            provisioning = Some(
                world
                    .pointer("/nsa/settings/provisioning_secs")
                    .and_then(Value::as_i64)
                    .unwrap_or(60),
            );
        }
        let retry = RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(2),
            max_total_wait: Duration::from_secs(5),
            request_timeout: Some(Duration::from_secs(20)),
            ..RetryPolicy::default()
        };
        let options = SessionOptions::default()
            .with_clock(clock.clone())
            .with_retry(retry)
            .with_refresh_skew(config.refresh_skew);
        let session = sign_in(target, creds, options.clone(), "the nSA MSP").await?;
        // The other MSP of isolation steps: the target's next nSA login, when it has one.
        let mut foreign = None;
        if let Some(other) = target
            .credentials
            .nsa
            .iter()
            .find(|o| o.username != creds.username)
        {
            let s = sign_in(target, other, options, "the second nSA MSP").await?;
            foreign = Some((s.http().clone(), s.context()));
        }
        wire.http = session.http().clone();
        let api =
            nm::Client::new_with_client(&wire.base, wire.http.clone(), wire.builder_context());
        let mut case = Case {
            wire,
            api,
            admin,
            clock,
            ctx: session.context(),
            model: NsaModel::default(),
            provisioning,
            fresh_subs: 0,
            foreign,
        };
        case.learn_start().await?;
        Ok(case)
    }

    /// After every step: the MSP never holds more tenants than its cap.
    pub(crate) fn cap_holds(&mut self) -> R<()> {
        self.wire.stats.check("domain.cap");
        if self.model.tenants.len() > self.model.cap {
            return Err(self.wire.fail(
                "domain.cap",
                format!(
                    "the MSP holds {} tenants, above its cap {}",
                    self.model.tenants.len(),
                    self.model.cap
                ),
            ));
        }
        Ok(())
    }
}

/// Signs `creds` in on `target`; `who` names the account in a failure.
async fn sign_in(
    target: &Target,
    creds: &NsaCredential,
    options: SessionOptions,
    who: &str,
) -> R<NsaSession> {
    let mut nc = NsaCredentials::new(&target.base_url, &creds.username, creds.password.clone())
        .map_err(|e| setup_failure("transport", format!("{who}'s credentials: {e}")))?;
    if let Some(realm) = &creds.realm {
        nc = nc.with_realm(realm);
    }
    NsaSession::login_with(nc, options)
        .await
        .map_err(|e| setup_failure("auth.no_401", format!("{who} cannot sign in: {e}")))
}

impl Case<'_> {
    pub(crate) fn resolve_tenant(&self, pick: &Pick) -> Uuid {
        match pick {
            Pick::Live(k) if !self.model.tenants.is_empty() => {
                self.model.tenants[usize::from(*k) % self.model.tenants.len()].id
            }
            Pick::Live(k) => Uuid::from_u128(u128::from(*k) << 64 | 0xdead),
            Pick::Gone => self
                .model
                .gone_tenants
                .last()
                .copied()
                .unwrap_or(Uuid::from_u128(0x60e)),
            Pick::Fresh(u) => Uuid::from_u128(u128::from(*u) << 32 | 0xf4e5),
        }
    }

    pub(crate) fn resolve_report(&self, pick: &Pick) -> Uuid {
        match pick {
            Pick::Live(k) if !self.model.reports.is_empty() => {
                self.model.reports[usize::from(*k) % self.model.reports.len()].id
            }
            Pick::Live(k) => Uuid::from_u128(u128::from(*k) << 64 | 0xdead),
            Pick::Gone => self
                .model
                .gone_reports
                .last()
                .copied()
                .unwrap_or(Uuid::from_u128(0x60e)),
            Pick::Fresh(u) => Uuid::from_u128(u128::from(*u) << 32 | 0xf4e5),
        }
    }

    /// The statuses a tenant may show now: the provisioning rule when the delay is known and
    /// the clock is clearly on one side of it; otherwise what was seen or `active`.
    pub(crate) fn allowed_statuses(&self, t: &TenantModel) -> Vec<&'static str> {
        let provisioned = if t.blocked { "blocked" } else { "active" };
        if let (Some(ready), Some(_)) = (t.ready_at, self.provisioning) {
            let now: DateTime<Utc> = msp_client::TimeSource::now(self.clock.as_ref()).into();
            let margin = chrono::Duration::seconds(5);
            if now + margin < ready {
                return vec!["initializing"];
            }
            if now > ready + margin {
                return vec![provisioned];
            }
            return vec!["initializing", provisioned];
        }
        match t.learned_status.as_deref() {
            Some("blocked") | Some("active") => vec![provisioned],
            _ => vec!["initializing", provisioned],
        }
    }

    /// Compares a tenant representation with the model's tenant `i`, learning `created`.
    pub(crate) fn observe(&mut self, i: usize, item: &Value) -> R<()> {
        let allowed = self.allowed_statuses(&self.model.tenants[i]);
        let t = &mut self.model.tenants[i];
        let mut diffs = Vec::new();
        match id_of(item) {
            Ok(id) if id == t.id => {}
            Ok(id) => diffs.push(format!("expected tenant {}, got {id}", t.id)),
            Err(e) => diffs.push(e),
        }
        if item.get("sub_domain").and_then(Value::as_str) != Some(t.sub_domain.as_str()) {
            diffs.push(format!("sub_domain should be {:?}", t.sub_domain));
        }
        if item.get("name").and_then(Value::as_str) != Some(t.name.as_str()) {
            diffs.push(format!("name should be {:?}", t.name));
        }
        if subs_of(item) != t.subscriptions {
            diffs.push(format!("subscriptions should be {:?}", t.subscriptions));
        }
        let status = status_text(item).unwrap_or_default();
        if !allowed.contains(&status.as_str()) {
            diffs.push(format!(
                "status is {status:?}, the model allows {allowed:?}"
            ));
        }
        let created = time(item, "created");
        match (t.created, created) {
            (Some(a), Some(b)) if a != b => {
                diffs.push(format!("created changed from {a} to {b}"));
            }
            (None, Some(b)) => t.created = Some(b),
            _ => {}
        }
        let id = t.id;
        self.wire.equality(diffs.is_empty(), || {
            format!("tenant {id}: {}", diffs.join("; "))
        })
    }

    /// Every tenant, walking pages of `limit`, plus the last page's document; a page that is
    /// not a 200 fails `property`.
    pub(crate) async fn walk_tenants(
        &mut self,
        limit: usize,
        property: &'static str,
        what: &str,
    ) -> R<(Vec<Value>, Value)> {
        let mut items = Vec::new();
        let mut start = 0;
        loop {
            let resp = self
                .wire
                .through(
                    &self.ctx,
                    "list_tenants",
                    self.api
                        .list_tenants()
                        .start(start as u64)
                        .limit(limit as u64)
                        .send(),
                )
                .await?;
            self.wire.expect(&resp, &[200], property, what)?;
            let doc = self.wire.body(&resp, "list_tenants")?.clone();
            let page = doc
                .get("tenants")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let total = doc.get("total").and_then(Value::as_u64).unwrap_or(0) as usize;
            let n = page.len();
            items.extend(page);
            start += n;
            if n == 0 || start >= total || start > 500 {
                return Ok((items, doc));
            }
        }
    }

    pub(crate) async fn learn_start(&mut self) -> R<()> {
        let (items, doc) = self
            .walk_tenants(100, "model.equality", "listing tenants")
            .await?;
        self.model.cap = doc
            .get("tenant_cap_limit")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        for item in &items {
            let id = id_of(item).map_err(|d| self.wire.fail("model.equality", d))?;
            self.model.tenants.push(TenantModel {
                id,
                sub_domain: item
                    .get("sub_domain")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                name: item
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                subscriptions: subs_of(item),
                created: time(item, "created"),
                ready_at: None,
                blocked: status_text(item).as_deref() == Some("blocked"),
                learned_status: status_text(item),
            });
        }
        let resp = self
            .wire
            .through(
                &self.ctx,
                "list_usage_reports",
                self.api
                    .list_usage_reports()
                    .start(0u64)
                    .limit(100u64)
                    .send(),
            )
            .await?;
        self.wire
            .expect(&resp, &[200], "model.equality", "listing reports")?;
        let doc = self.wire.body(&resp, "list_usage_reports")?;
        let mut reports: Vec<ReportModel> = doc
            .get("items")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(report_of).collect())
            .unwrap_or_default();
        reports.reverse();
        self.model.reports = reports;
        let resp = self
            .wire
            .through(
                &self.ctx,
                "get_usage_report_schedule",
                self.api.get_usage_report_schedule().send(),
            )
            .await?;
        self.wire
            .expect(&resp, &[200], "model.equality", "reading the schedule")?;
        let doc = self.wire.body(&resp, "get_usage_report_schedule")?;
        self.model.schedule = Some(ScheduleModel {
            frequency: doc
                .get("frequency")
                .and_then(Value::as_str)
                .unwrap_or("daily")
                .to_string(),
            start_day: doc.get("start_day").and_then(Value::as_u64).unwrap_or(1),
            disabled: doc
                .get("disabled")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        });
        Ok(())
    }

    pub(crate) async fn exec(&mut self, step: &Step) -> R<()> {
        match step {
            Step::Create {
                sub,
                name,
                users,
                zta,
            } => self.create(*sub, *name, *users, *zta).await,
            Step::Update {
                who,
                name,
                users,
                zta,
            } => {
                let id = self.resolve_tenant(who);
                self.update(id, *name, *users, *zta).await
            }
            Step::Delete { who } => {
                let id = self.resolve_tenant(who);
                self.delete(id).await
            }
            Step::Block { who, block } => {
                let id = self.resolve_tenant(who);
                self.block(id, *block).await
            }
            Step::List { start, limit } => {
                self.list(usize::from(*start), usize::from(*limit)).await
            }
            Step::Advance { secs } => {
                let Some(admin) = self.admin.clone() else {
                    self.wire.stats.skipped_steps += 1;
                    return Ok(());
                };
                let secs = ADVANCES.get(*secs).copied().unwrap_or(45);
                let now = admin
                    .advance(secs as f64)
                    .await
                    .map_err(|e| self.wire.fail("transport", format!("admin clock: {e:#}")))?;
                self.clock.sync_to(now);
                Ok(())
            }
            Step::GenerateReport => self.generate().await,
            Step::ListReports { start, limit } => {
                self.list_reports(usize::from(*start), usize::from(*limit))
                    .await
            }
            Step::DeleteReports { picks } => {
                let ids: Vec<Uuid> = picks.iter().map(|p| self.resolve_report(p)).collect();
                self.delete_reports(&ids).await
            }
            Step::SetSchedule {
                frequency,
                start_day,
                disabled,
            } => {
                self.set_schedule(
                    frequency.and_then(|f| FREQUENCIES.get(f).copied()),
                    *start_day,
                    *disabled,
                )
                .await
            }
            Step::GetSchedule => self.get_schedule().await,
            Step::CapRequest { delta } => self.cap_request(*delta).await,
            Step::Bad(bad) => self.bad(bad).await,
            Step::Foreign { who, action } => self.foreign(who, *action).await,
        }
    }
}
