//! The Ivanti nSA MSP-portal state machine (`/api/msp`): random sequences of tenant create,
//! update, block/unblock, delete and paged lists, clock advances across the provisioning
//! delay, usage-report generate/list/delete and schedule set/get, each checked against the
//! spec and a reference model of the portal (tenants with their statuses, the tenant cap, reports, the schedule).
//!
//! Steps are symbolic ("the k-th live tenant", "a sub-domain from the pool"), resolved against
//! the model when executed, so every sequence stays meaningful while proptest shrinks it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use msp_client::generated::nsa_msp::types as nt;
use msp_client::hooks::Context;
use msp_client::nsa::{NsaCredentials, NsaSession};
use msp_client::{RetryPolicy, SessionOptions};
use proptest::prelude::*;
use proptest_state_machine::ReferenceStateMachine;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Exchange, Failure, FamilyOutcome, Stats, SuiteConfig, check_answer, clip, run_machine,
};
use crate::check::SpecChecker;
use crate::target::{Admin, ServerClock, Target};

/// Family name.
pub const NAME: &str = "nsa.crud";

/// Sub-domains the creates draw from: `acme-retail` is taken by the mock fixture, `Bad_Sub` is
/// not a DNS label (always 400), the rest are free at the start of a case.
pub const SUB_DOMAINS: &[&str] = &[
    "alpha",
    "beta-2",
    "gamma",
    "delta",
    "acme-retail",
    "Bad_Sub",
];

/// Tenant names the creates and updates draw from.
pub const NAMES: &[&str] = &["Alpha Ltd", "Beta", "O'Brien & Co", "Gamma Corp"];

/// `total_users` values: 0 breaks the schema's minimum (400, nothing changes).
pub const USERS: &[u64] = &[0, 1, 250, 1000];

/// Clock advances: multiples of 45 s never land near the 60 s provisioning boundary.
pub const ADVANCES: &[u64] = &[45, 90];

/// Schedule frequencies (the last is not in the enum: 400).
pub const FREQUENCIES: &[&str] = &["daily", "weekly", "monthly", "hourly"];

const ZTA_SUBSCRIPTION: &str = "6f0b8c2e-4d1a-4e3b-9c7d-2a5f1e8b3c90";
const PCS_SUBSCRIPTION: &str = "7a1c9d3f-5e2b-4f4c-8d8e-3b6a2f9c4da1";

/// Which tenant (or report) a step addresses, resolved at execution time.
#[derive(Clone, Debug, PartialEq)]
pub enum Pick {
    /// The k-th live one (modulo the count); a fresh id when there is none.
    Live(u8),
    /// The most recently deleted one (a fresh id when none).
    Gone,
    /// An id that never existed.
    Fresh(u16),
}

/// One step of an nSA sequence.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `POST /api/msp/tenants`.
    Create {
        /// Index into [`SUB_DOMAINS`]; `None`: a sub-domain not used before in the case.
        sub: Option<usize>,
        /// Index into [`NAMES`].
        name: usize,
        /// Index into [`USERS`].
        users: usize,
        /// ZTA (else PCS) subscription.
        zta: bool,
    },
    /// `PUT /api/msp/tenants/{id}`.
    Update {
        /// Which tenant.
        who: Pick,
        /// Index into [`NAMES`].
        name: usize,
        /// Index into [`USERS`].
        users: usize,
        /// ZTA (else PCS) subscription.
        zta: bool,
    },
    /// `POST /api/msp/tenants/{id}/block` or `/unblock`.
    Block {
        /// Which tenant.
        who: Pick,
        /// Block (else unblock).
        block: bool,
    },
    /// `DELETE /api/msp/tenants/{id}`.
    Delete {
        /// Which tenant.
        who: Pick,
    },
    /// `GET /api/msp/tenants?start=&limit=`.
    List {
        /// `start`.
        start: u8,
        /// `limit`.
        limit: u8,
    },
    /// `POST /__admin/clock/advance` (needs the admin API).
    Advance {
        /// Index into [`ADVANCES`].
        secs: usize,
    },
    /// `POST /api/msp/reports/usage`.
    GenerateReport,
    /// `GET /api/msp/reports/usage?start=&limit=`.
    ListReports {
        /// `start`.
        start: u8,
        /// `limit`.
        limit: u8,
    },
    /// `DELETE /api/msp/reports/usage?report_ids=...`.
    DeleteReports {
        /// The reports named (1 to 3).
        picks: Vec<Pick>,
    },
    /// `POST /api/msp/reports/usage/schedule` with the given (or omitted) fields.
    SetSchedule {
        /// Index into [`FREQUENCIES`], if sent.
        frequency: Option<usize>,
        /// `start_day`, if sent.
        start_day: Option<u8>,
        /// `disabled`, if sent.
        disabled: Option<bool>,
    },
    /// `GET /api/msp/reports/usage/schedule`.
    GetSchedule,
    /// `POST /api/msp/tenants/requests/tenant-cap-limit` asking for the cap plus `delta`
    /// (400 unless above the cap; a filed request leaves the cap unchanged).
    CapRequest {
        /// Requested limit minus the current cap.
        delta: i8,
    },
    /// A malformed request: a 4xx in the error shape, never a 5xx, and no state change.
    Bad(Bad),
    /// The target's second nSA MSP (when it has one) goes after one of this MSP's tenants: it
    /// must get the answer for an unknown tenant (404), find none of them in its own list, and
    /// change nothing (later steps compare everything with the model).
    Foreign {
        /// Which of this MSP's tenants.
        who: Pick,
        /// What the other MSP tries.
        action: ForeignAction,
    },
}

/// What the other nSA MSP tries in a [`Step::Foreign`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForeignAction {
    /// `PUT /api/msp/tenants/{id}` with a valid body.
    Update,
    /// `POST /api/msp/tenants/{id}/block`.
    Block,
    /// `DELETE /api/msp/tenants/{id}`.
    Delete,
    /// `GET /api/msp/tenants`, every page of its own list.
    List,
}

/// A malformed nSA request.
#[derive(Clone, Debug, PartialEq)]
pub enum Bad {
    /// List tenants with a `start` that is negative or not a number.
    ListStart(&'static str),
    /// List tenants with a `limit` out of 1..=100 or not a number.
    ListLimit(&'static str),
    /// List reports with a `limit` out of range.
    ReportsLimit(&'static str),
    /// Create with a body that is not JSON.
    CreateNotJson,
    /// Create with a JSON array.
    CreateNotObject,
    /// Create without `subscriptions`.
    CreateMissingField,
    /// Update a tenant id that is not a uuid.
    UpdateBadId(&'static str),
    /// Set the schedule with `disabled` of the wrong type.
    ScheduleBadType,
    /// Delete reports without naming any.
    DeleteNoIds,
}

/// One nSA tenant as the model knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantModel {
    /// Tenant id.
    pub id: Uuid,
    /// `sub_domain`.
    pub sub_domain: String,
    /// `name`.
    pub name: String,
    /// Entitlements as (category, total_users), in order.
    pub subscriptions: Vec<(String, u64)>,
    /// `created` (learned).
    pub created: Option<DateTime<Utc>>,
    /// When provisioning ends (`None`: pre-existing, status learned instead).
    pub ready_at: Option<DateTime<Utc>>,
    /// The status seen at the start of the case (pre-existing tenants).
    pub learned_status: Option<String>,
    /// Blocked by the MSP.
    pub blocked: bool,
}

/// One usage report as the model knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportModel {
    /// Report id.
    pub id: Uuid,
    /// File name.
    pub file_name: String,
    /// Generation time.
    pub created: String,
}

/// The usage-report schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleModel {
    /// `frequency`.
    pub frequency: String,
    /// `start_day`.
    pub start_day: u64,
    /// `disabled`.
    pub disabled: bool,
}

impl Default for ScheduleModel {
    fn default() -> Self {
        ScheduleModel {
            frequency: "daily".into(),
            start_day: 1,
            disabled: false,
        }
    }
}

impl ScheduleModel {
    /// What the portal stores for a POST with these fields, or `None` when it must refuse it.
    pub fn from_request(
        frequency: Option<&str>,
        start_day: Option<u8>,
        disabled: Option<bool>,
    ) -> Option<ScheduleModel> {
        let frequency = frequency.unwrap_or("daily");
        let start_day = u64::from(start_day.unwrap_or(1));
        let ok = match frequency {
            "daily" => start_day <= 28,
            "weekly" => start_day <= 6,
            "monthly" => (1..=28).contains(&start_day),
            _ => false,
        };
        ok.then(|| ScheduleModel {
            frequency: frequency.to_string(),
            start_day,
            disabled: disabled.unwrap_or(false),
        })
    }

    fn json(&self) -> Value {
        json!({"frequency": self.frequency, "start_day": self.start_day, "disabled": self.disabled})
    }
}

/// The MSP portal account's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NsaModel {
    /// Tenants, oldest first (the list order).
    pub tenants: Vec<TenantModel>,
    /// Reports, oldest first (the list shows them newest first).
    pub reports: Vec<ReportModel>,
    /// The tenant cap (learned from the first listing).
    pub cap: usize,
    /// The stored schedule (`None`: the default).
    pub schedule: Option<ScheduleModel>,
    /// Tenant ids deleted during the case.
    pub gone_tenants: Vec<Uuid>,
    /// Report ids deleted during the case.
    pub gone_reports: Vec<Uuid>,
}

/// A sub-domain the spec accepts (a DNS label).
pub fn valid_sub_domain(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// The reference state machine: generates the steps. Steps are symbolic, so every step is
/// acceptable in every state (no preconditions), which lets proptest delete any step while
/// shrinking.
#[derive(Debug)]
pub struct NsaMachine;

fn pick_strategy() -> BoxedStrategy<Pick> {
    prop_oneof![
        6 => any::<u8>().prop_map(Pick::Live),
        1 => Just(Pick::Gone),
        1 => any::<u16>().prop_map(Pick::Fresh),
    ]
    .boxed()
}

fn bad_strategy() -> BoxedStrategy<Bad> {
    prop_oneof![
        proptest::sample::select(vec!["-1", "x", "1.5"]).prop_map(Bad::ListStart),
        proptest::sample::select(vec!["0", "101", "-3", "ten"]).prop_map(Bad::ListLimit),
        proptest::sample::select(vec!["0", "101"]).prop_map(Bad::ReportsLimit),
        Just(Bad::CreateNotJson),
        Just(Bad::CreateNotObject),
        Just(Bad::CreateMissingField),
        proptest::sample::select(vec!["not-a-uuid", "1234"]).prop_map(Bad::UpdateBadId),
        Just(Bad::ScheduleBadType),
        Just(Bad::DeleteNoIds),
    ]
    .boxed()
}

/// Mostly valid user counts; index 0 (0 users, refused) now and then.
fn users_strategy() -> BoxedStrategy<usize> {
    prop_oneof![1 => Just(0), 5 => 1..USERS.len()].boxed()
}

impl ReferenceStateMachine for NsaMachine {
    type State = ();
    type Transition = Step;

    fn init_state() -> BoxedStrategy<()> {
        Just(()).boxed()
    }

    fn transitions(_: &()) -> BoxedStrategy<Step> {
        prop_oneof![
            8 => (
                prop_oneof![3 => Just(None), 2 => (0..SUB_DOMAINS.len()).prop_map(Some)],
                0..NAMES.len(),
                users_strategy(),
                any::<bool>()
            )
                .prop_map(|(sub, name, users, zta)| Step::Create { sub, name, users, zta }),
            3 => (pick_strategy(), 0..NAMES.len(), users_strategy(), any::<bool>())
                .prop_map(|(who, name, users, zta)| Step::Update { who, name, users, zta }),
            2 => pick_strategy().prop_map(|who| Step::Delete { who }),
            2 => (pick_strategy(), any::<bool>()).prop_map(|(who, block)| Step::Block { who, block }),
            3 => (0u8..7, 1u8..5).prop_map(|(start, limit)| Step::List { start, limit }),
            2 => (0..ADVANCES.len()).prop_map(|secs| Step::Advance { secs }),
            3 => Just(Step::GenerateReport),
            2 => (0u8..4, 1u8..4).prop_map(|(start, limit)| Step::ListReports { start, limit }),
            2 => proptest::collection::vec(pick_strategy(), 1..=3)
                .prop_map(|picks| Step::DeleteReports { picks }),
            2 => (
                proptest::option::of(0..FREQUENCIES.len()),
                proptest::option::of(0u8..31),
                proptest::option::of(any::<bool>()),
            )
                .prop_map(|(frequency, start_day, disabled)| Step::SetSchedule {
                    frequency,
                    start_day,
                    disabled
                }),
            1 => Just(Step::GetSchedule),
            1 => (-1i8..3).prop_map(|delta| Step::CapRequest { delta }),
            3 => bad_strategy().prop_map(Step::Bad),
            2 => (
                pick_strategy(),
                proptest::sample::select(vec![
                    ForeignAction::Update,
                    ForeignAction::Block,
                    ForeignAction::Delete,
                    ForeignAction::List,
                ]),
            )
                .prop_map(|(who, action)| Step::Foreign { who, action }),
        ]
        .boxed()
    }

    fn apply(state: (), _: &Step) {
        state
    }
}

fn setup_failure(detail: String) -> Box<Failure> {
    Box::new(Failure {
        property: "transport",
        detail,
        exchange: None,
        step: None,
    })
}

/// Runs `nsa.crud` against `target`.
pub fn run(target: &Target, config: &SuiteConfig, rt: &tokio::runtime::Handle) -> FamilyOutcome {
    let failed = |reason: String| FamilyOutcome {
        family: NAME,
        verdict: super::Verdict::Failed { case: None, reason },
        stats: Stats::default(),
        elapsed: Duration::ZERO,
        cases_requested: config.cases,
    };
    let checker = match SpecChecker::load("nsa-msp") {
        Ok(c) => c,
        Err(e) => return failed(format!("cannot load the nsa-msp spec: {e}")),
    };
    let Some(creds) = target.credentials.nsa.first().cloned() else {
        return FamilyOutcome {
            family: NAME,
            verdict: super::Verdict::Skipped(
                "the credentials name no nSA MSP (`nsa: [{username, password}]`)".into(),
            ),
            stats: Stats::default(),
            elapsed: Duration::ZERO,
            cases_requested: config.cases,
        };
    };
    // Short sequences: the portal's model is small and each step may walk the listing.
    let strategy = NsaMachine::sequential_strategy(1..=config.max_steps.clamp(1, 15));
    run_machine(
        NAME,
        config,
        strategy,
        |(_, steps, _)| {
            let mut out = vec![format!("start: nSA MSP {}", creds.username)];
            out.extend(steps.iter().map(|s| format!("{s:?}")));
            out
        },
        |(_, steps, seen)| {
            let mut stats = Stats {
                cases: 1,
                ..Stats::default()
            };
            let r = rt.block_on(Box::pin(run_case(
                target, config, &checker, &creds, &steps, seen, &mut stats,
            )));
            // Step indexes in reports count the "start" line as step 1.
            let r = r.map_err(|f| {
                let mut f = *f;
                f.step = f.step.map(|i| i + 1);
                f
            });
            (r, stats)
        },
    )
}

/// One case's live state.
struct Case<'a> {
    checker: &'a SpecChecker,
    base: String,
    admin: Option<Admin>,
    http: reqwest::Client,
    clock: Arc<ServerClock>,
    ctx: Context,
    model: NsaModel,
    /// Seconds a new tenant stays `initializing` (known only with the admin API).
    provisioning: Option<i64>,
    /// Fresh sub-domains handed out so far.
    fresh_subs: usize,
    last: Option<Exchange>,
    stats: &'a mut Stats,
    step: Option<usize>,
    /// The target's second nSA MSP, signed in (HTTP client and hooks), for [`Step::Foreign`].
    foreign: Option<(reqwest::Client, Context)>,
}

type R<T> = Result<T, Box<Failure>>;

struct Resp {
    status: u16,
    json: Option<Value>,
}

async fn run_case(
    target: &Target,
    config: &SuiteConfig,
    checker: &SpecChecker,
    creds: &crate::target::NsaCredential,
    steps: &[Step],
    seen: Option<Arc<std::sync::atomic::AtomicUsize>>,
    stats: &mut Stats,
) -> R<()> {
    let admin = target.admin();
    let clock = ServerClock::new();
    let mut provisioning = None;
    if let Some(a) = &admin {
        a.reset()
            .await
            .map_err(|e| setup_failure(format!("admin reset: {e:#}")))?;
        let now = a
            .clock_now()
            .await
            .map_err(|e| setup_failure(format!("admin clock: {e:#}")))?;
        clock.sync_to(now);
        let world = a
            .state()
            .await
            .map_err(|e| setup_failure(format!("admin state: {e:#}")))?;
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
    let mut case = Case {
        checker,
        base: target.base_url.clone(),
        admin,
        http: session.http().clone(),
        clock,
        ctx: session.context(),
        model: NsaModel::default(),
        provisioning,
        fresh_subs: 0,
        last: None,
        stats,
        step: None,
        foreign,
    };
    case.learn_start().await?;
    for (i, step) in steps.iter().enumerate() {
        // Tells the shrinker how many steps ran before a failure.
        if let Some(s) = &seen {
            s.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        case.step = Some(i);
        case.last = None;
        case.stats.steps += 1;
        Box::pin(case.exec(step)).await?;
        case.stats.check("domain.cap");
        if case.model.tenants.len() > case.model.cap {
            return Err(case.fail(
                "domain.cap",
                format!(
                    "the MSP holds {} tenants, above its cap {}",
                    case.model.tenants.len(),
                    case.model.cap
                ),
            ));
        }
    }
    case.step = None;
    case.last = None;
    case.final_checks().await
}

/// Signs `creds` in on `target`; `who` names the account in a failure.
async fn sign_in(
    target: &Target,
    creds: &crate::target::NsaCredential,
    options: SessionOptions,
    who: &str,
) -> R<NsaSession> {
    let mut nc = NsaCredentials::new(&target.base_url, &creds.username, creds.password.clone())
        .map_err(|e| setup_failure(format!("{who}'s credentials: {e}")))?;
    if let Some(realm) = &creds.realm {
        nc = nc.with_realm(realm);
    }
    NsaSession::login_with(nc, options).await.map_err(|e| {
        Box::new(Failure {
            property: "auth.no_401",
            detail: format!("{who} cannot sign in: {e}"),
            exchange: None,
            step: None,
        })
    })
}

fn status_text(v: &Value) -> Option<String> {
    v.get("status").and_then(Value::as_str).map(str::to_string)
}

fn time(v: &Value, k: &str) -> Option<DateTime<Utc>> {
    v.get(k)
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

fn subs_of(v: &Value) -> Vec<(String, u64)> {
    v.get("subscriptions")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|s| {
                    (
                        s.get("category")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        s.get("total_users").and_then(Value::as_u64).unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn id_of(v: &Value) -> Result<Uuid, String> {
    v.get("id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| format!("item has no uuid `id`: {v}"))
}

/// Checks a body deserialises into the generated client's type for the operation's answer.
fn typed(op: &str, status: u16, json: &Value) -> Result<(), String> {
    fn de<T: serde::de::DeserializeOwned>(v: &Value) -> Result<(), String> {
        serde_json::from_value::<T>(v.clone())
            .map(drop)
            .map_err(|e| e.to_string())
    }
    if status >= 400 {
        return de::<nt::NsaError>(json);
    }
    match op {
        "list_tenants" => de::<nt::TenantCollectionEntity>(json),
        "update_tenant" | "block_tenant" | "unblock_tenant" => de::<nt::TenantEntity>(json),
        "generate_usage_report" => de::<nt::MspTenantUsageReportEntity>(json),
        "list_usage_reports" => de::<nt::UsageReportCollectionEntity>(json),
        "delete_usage_reports" => de::<nt::DeleteErrorReportCollectionEntity>(json),
        "set_usage_report_schedule" | "get_usage_report_schedule" => {
            de::<nt::UsageReportScheduleEntity>(json)
        }
        _ => Ok(()),
    }
}

fn subscription_body(users: usize, zta: bool) -> Value {
    let (id, cat) = if zta {
        (ZTA_SUBSCRIPTION, "ZTA")
    } else {
        (PCS_SUBSCRIPTION, "PCS")
    };
    json!([{ "id": id, "category": cat, "total_users": USERS.get(users).copied().unwrap_or(1) }])
}

impl Case<'_> {
    fn fail(&self, property: &'static str, detail: impl Into<String>) -> Box<Failure> {
        Box::new(Failure {
            property,
            detail: detail.into(),
            exchange: self.last.clone(),
            step: self.step,
        })
    }

    /// Sends one request through the client runtime (DSID cookie, renewal, retries), then
    /// checks it is not a 401, its status is declared and its body matches the spec and types.
    async fn call(
        &mut self,
        op: &'static str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> R<Resp> {
        let raw = body.map(|b| ("application/json", b.to_string()));
        self.call_raw(op, method, path, query, raw).await
    }

    /// [`Case::call`] with a body sent as-is under the given content type.
    async fn call_raw(
        &mut self,
        op: &'static str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<(&'static str, String)>,
    ) -> R<Resp> {
        let url = format!("{}{path}", self.base);
        let mut rb = self.http.request(method.clone(), &url).query(query);
        let shown_body = body.as_ref().map(|(_, b)| clip(b));
        if let Some((ct, text)) = body {
            rb = rb.header(reqwest::header::CONTENT_TYPE, ct).body(text);
        }
        let request = rb
            .build()
            .map_err(|e| self.fail("transport", format!("building {op}: {e}")))?;
        let shown_url = match request.url().query() {
            Some(q) => format!("{path}?{q}"),
            None => path.to_string(),
        };
        self.stats.requests += 1;
        let response = self.ctx.send(&self.http, request, op).await;
        let mut exchange = Exchange {
            method: method.to_string(),
            url: shown_url,
            request_body: shown_body,
            ..Exchange::default()
        };
        let response = match response {
            Ok(r) => r,
            Err(e) => {
                self.last = Some(exchange);
                return Err(self.fail("transport", format!("{op}: {e}")));
            }
        };
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        exchange.status = status;
        exchange.response_body = clip(&text);
        self.last = Some(exchange);
        let json = check_answer(self.checker, self.stats, typed, op, status, &text)
            .map_err(|(property, detail)| self.fail(property, detail))?;
        Ok(Resp { status, json })
    }

    fn expect(&mut self, resp: &Resp, want: u16, property: &'static str, what: &str) -> R<()> {
        self.stats.check(property);
        if resp.status == want {
            Ok(())
        } else {
            Err(self.fail(
                property,
                format!("{what}: expected status {want}, got {}", resp.status),
            ))
        }
    }

    fn body<'r>(&self, resp: &'r Resp, op: &str) -> R<&'r Value> {
        resp.json
            .as_ref()
            .ok_or_else(|| self.fail("spec.body", format!("{op} {} has no body", resp.status)))
    }

    fn equality(&mut self, ok: bool, detail: impl FnOnce() -> String) -> R<()> {
        self.stats.check("model.equality");
        if ok {
            Ok(())
        } else {
            Err(self.fail("model.equality", detail()))
        }
    }

    fn resolve_tenant(&self, pick: &Pick) -> Uuid {
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

    fn resolve_report(&self, pick: &Pick) -> Uuid {
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
    fn allowed_statuses(&self, t: &TenantModel) -> Vec<&'static str> {
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
    fn observe(&mut self, i: usize, item: &Value) -> R<()> {
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
        self.equality(diffs.is_empty(), || {
            format!("tenant {id}: {}", diffs.join("; "))
        })
    }

    /// Every tenant, walking pages of `limit`, plus the last page's document; a page that is
    /// not a 200 fails `property`.
    async fn walk_tenants(
        &mut self,
        limit: usize,
        property: &'static str,
        what: &str,
    ) -> R<(Vec<Value>, Value)> {
        let mut items = Vec::new();
        let mut start = 0;
        loop {
            let q = [("start", start.to_string()), ("limit", limit.to_string())];
            let resp = self
                .call("list_tenants", Method::GET, "/api/msp/tenants", &q, None)
                .await?;
            self.expect(&resp, 200, property, what)?;
            let doc = self.body(&resp, "list_tenants")?.clone();
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

    async fn learn_start(&mut self) -> R<()> {
        let (items, doc) = self
            .walk_tenants(100, "model.equality", "listing tenants")
            .await?;
        self.model.cap = doc
            .get("tenant_cap_limit")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        for item in &items {
            let id = id_of(item).map_err(|d| self.fail("model.equality", d))?;
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
        let q = [("start", "0".to_string()), ("limit", "100".to_string())];
        let resp = self
            .call(
                "list_usage_reports",
                Method::GET,
                "/api/msp/reports/usage",
                &q,
                None,
            )
            .await?;
        self.expect(&resp, 200, "model.equality", "listing reports")?;
        let doc = self.body(&resp, "list_usage_reports")?;
        let mut reports: Vec<ReportModel> = doc
            .get("items")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(report_of).collect())
            .unwrap_or_default();
        reports.reverse();
        self.model.reports = reports;
        let resp = self
            .call(
                "get_usage_report_schedule",
                Method::GET,
                "/api/msp/reports/usage/schedule",
                &[],
                None,
            )
            .await?;
        self.expect(&resp, 200, "model.equality", "reading the schedule")?;
        let doc = self.body(&resp, "get_usage_report_schedule")?;
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

    async fn exec(&mut self, step: &Step) -> R<()> {
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
                    self.stats.skipped_steps += 1;
                    return Ok(());
                };
                let secs = ADVANCES.get(*secs).copied().unwrap_or(45);
                let now = admin
                    .advance(secs as f64)
                    .await
                    .map_err(|e| self.fail("transport", format!("admin clock: {e:#}")))?;
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

    /// A [`Step::Foreign`]: the call goes out on the other MSP's session, then this MSP's
    /// session is put back whatever happened.
    async fn foreign(&mut self, who: &Pick, action: ForeignAction) -> R<()> {
        let Some((http, ctx)) = self.foreign.clone() else {
            self.stats.skipped_steps += 1;
            return Ok(());
        };
        let id = self.resolve_tenant(who);
        let own_http = std::mem::replace(&mut self.http, http);
        let own_ctx = std::mem::replace(&mut self.ctx, ctx);
        let result = self.foreign_call(id, action).await;
        self.http = own_http;
        self.ctx = own_ctx;
        result
    }

    async fn foreign_call(&mut self, id: Uuid, action: ForeignAction) -> R<()> {
        let path = format!("/api/msp/tenants/{id}");
        let resp = match action {
            ForeignAction::Update => {
                let body = json!({ "name": "Foreign Takeover", "subscriptions": subscription_body(1, true) });
                self.call("update_tenant", Method::PUT, &path, &[], Some(body))
                    .await?
            }
            ForeignAction::Block => {
                let path = format!("{path}/block");
                self.call("block_tenant", Method::POST, &path, &[], None)
                    .await?
            }
            ForeignAction::Delete => {
                self.call("delete_tenant", Method::DELETE, &path, &[], None)
                    .await?
            }
            ForeignAction::List => return self.foreign_list().await,
        };
        self.expect(
            &resp,
            404,
            "isolation",
            "another nSA MSP addressing this MSP's tenant (it must look unknown)",
        )
    }

    /// The other MSP's own list, every page: none of this MSP's tenants (live or deleted).
    async fn foreign_list(&mut self) -> R<()> {
        let ours: std::collections::HashSet<String> = self
            .model
            .tenants
            .iter()
            .map(|t| t.id)
            .chain(self.model.gone_tenants.iter().copied())
            .map(|id| id.to_string())
            .collect();
        let (items, _) = self
            .walk_tenants(100, "isolation", "another nSA MSP listing its tenants")
            .await?;
        self.stats.check("isolation");
        if let Some(leak) = items.iter().find_map(|t| {
            t.get("id")
                .and_then(Value::as_str)
                .filter(|id| ours.contains(*id))
        }) {
            return Err(self.fail(
                "isolation",
                format!("another nSA MSP's tenant list holds this MSP's tenant {leak}"),
            ));
        }
        Ok(())
    }

    async fn create(&mut self, sub: Option<usize>, name: usize, users: usize, zta: bool) -> R<()> {
        let sub_domain = match sub {
            Some(i) => SUB_DOMAINS.get(i).copied().unwrap_or("alpha").to_string(),
            None => {
                self.fresh_subs += 1;
                format!("tenant-{}", self.fresh_subs)
            }
        };
        let sub_domain = sub_domain.as_str();
        let name = NAMES.get(name).copied().unwrap_or("Alpha Ltd");
        let body = json!({
            "sub_domain": sub_domain,
            "user": {"username": "first-admin", "email": format!("admin@{sub_domain}.example")},
            "name": name,
            "subscriptions": subscription_body(users, zta),
        });
        let users_n = USERS.get(users).copied().unwrap_or(1);
        let resp = self
            .call(
                "create_tenant",
                Method::POST,
                "/api/msp/tenants",
                &[],
                Some(body),
            )
            .await?;
        if !valid_sub_domain(sub_domain) || users_n == 0 {
            return self.expect(&resp, 400, "model.equality", "a create the schema refuses");
        }
        if self
            .model
            .tenants
            .iter()
            .any(|t| t.sub_domain == sub_domain)
        {
            return self.expect(
                &resp,
                409,
                "domain.unique_names",
                &format!("creating a second tenant with sub_domain {sub_domain:?}"),
            );
        }
        if self.model.tenants.len() >= self.model.cap {
            return self.expect(
                &resp,
                409,
                "domain.cap",
                &format!(
                    "a create with {} of {} tenants (at the cap)",
                    self.model.tenants.len(),
                    self.model.cap
                ),
            );
        }
        self.expect(&resp, 202, "model.equality", "a create the model accepts")?;
        let create_exchange = self.last.clone();
        // 202 carries no body: find the new tenant in the listing.
        let (items, _) = self
            .walk_tenants(100, "model.equality", "listing tenants")
            .await?;
        let found = items
            .iter()
            .find(|i| i.get("sub_domain").and_then(Value::as_str) == Some(sub_domain))
            .cloned();
        self.last = create_exchange;
        let Some(item) = found else {
            return Err(self.fail(
                "model.equality",
                format!("the created tenant {sub_domain:?} is not in the listing"),
            ));
        };
        let id = id_of(&item).map_err(|d| self.fail("model.equality", d))?;
        let created = time(&item, "created");
        let ready_at = match (self.provisioning, created) {
            (Some(p), Some(c)) => Some(c + chrono::Duration::seconds(p)),
            // Unknown delay: the status may be either until it turns active.
            _ => None,
        };
        self.model.tenants.push(TenantModel {
            id,
            sub_domain: sub_domain.to_string(),
            name: name.to_string(),
            subscriptions: vec![(if zta { "ZTA" } else { "PCS" }.to_string(), users_n)],
            created,
            ready_at,
            learned_status: None,
            blocked: false,
        });
        let i = self.model.tenants.len() - 1;
        self.observe(i, &item)
    }

    async fn update(&mut self, id: Uuid, name: usize, users: usize, zta: bool) -> R<()> {
        let name = NAMES.get(name).copied().unwrap_or("Alpha Ltd");
        let users_n = USERS.get(users).copied().unwrap_or(1);
        let body = json!({ "name": name, "subscriptions": subscription_body(users, zta) });
        let path = format!("/api/msp/tenants/{id}");
        let resp = self
            .call("update_tenant", Method::PUT, &path, &[], Some(body))
            .await?;
        if users_n == 0 {
            return self.expect(&resp, 400, "model.equality", "an update the schema refuses");
        }
        let Some(i) = self.model.tenants.iter().position(|t| t.id == id) else {
            return self.expect(&resp, 404, "model.equality", "updating an unknown tenant");
        };
        self.expect(&resp, 200, "model.equality", "updating a live tenant")?;
        let t = &mut self.model.tenants[i];
        t.name = name.to_string();
        t.subscriptions = vec![(if zta { "ZTA" } else { "PCS" }.to_string(), users_n)];
        let item = self.body(&resp, "update_tenant")?.clone();
        self.observe(i, &item)
    }

    async fn cap_request(&mut self, delta: i8) -> R<()> {
        let requested = (self.model.cap as i64 + i64::from(delta)).max(1);
        let body = json!({ "requested_limit": requested, "reason": "conformance suite" });
        let resp = self
            .call(
                "request_tenant_cap_increase",
                Method::POST,
                "/api/msp/tenants/requests/tenant-cap-limit",
                &[],
                Some(body),
            )
            .await?;
        if requested as usize <= self.model.cap {
            return self.expect(
                &resp,
                400,
                "model.equality",
                "a cap request not above the current cap",
            );
        }
        // Filed, not approved: the cap stays (later lists check `tenant_cap_limit`).
        self.expect(&resp, 200, "model.equality", "a cap request above the cap")
    }

    /// Sends a malformed request: it must get a 4xx (in the spec's error shape, which
    /// [`Case::call`] checks) and change nothing (the model is left as is, so later steps and
    /// the end-of-case checks catch any change).
    async fn bad(&mut self, bad: &Bad) -> R<()> {
        let q = |k: &'static str, v: &str| vec![(k, v.to_string())];
        let (op, method, path, query, body): (_, _, String, Vec<(&str, String)>, _) = match bad {
            Bad::ListStart(v) => (
                "list_tenants",
                Method::GET,
                "/api/msp/tenants".into(),
                q("start", v),
                None,
            ),
            Bad::ListLimit(v) => (
                "list_tenants",
                Method::GET,
                "/api/msp/tenants".into(),
                q("limit", v),
                None,
            ),
            Bad::ReportsLimit(v) => (
                "list_usage_reports",
                Method::GET,
                "/api/msp/reports/usage".into(),
                q("limit", v),
                None,
            ),
            Bad::CreateNotJson => (
                "create_tenant",
                Method::POST,
                "/api/msp/tenants".into(),
                vec![],
                Some(("application/json", "{\"sub_domain\": ".to_string())),
            ),
            Bad::CreateNotObject => (
                "create_tenant",
                Method::POST,
                "/api/msp/tenants".into(),
                vec![],
                Some(("application/json", "[1, 2]".to_string())),
            ),
            Bad::CreateMissingField => (
                "create_tenant",
                Method::POST,
                "/api/msp/tenants".into(),
                vec![],
                Some((
                    "application/json",
                    json!({"sub_domain": "zeta", "name": "Zeta",
                           "user": {"username": "z", "email": "z@zeta.example"}})
                    .to_string(),
                )),
            ),
            Bad::UpdateBadId(id) => (
                "update_tenant",
                Method::PUT,
                format!("/api/msp/tenants/{id}"),
                vec![],
                Some((
                    "application/json",
                    json!({"name": "X", "subscriptions": subscription_body(1, true)}).to_string(),
                )),
            ),
            Bad::ScheduleBadType => (
                "set_usage_report_schedule",
                Method::POST,
                "/api/msp/reports/usage/schedule".into(),
                vec![],
                Some(("application/json", r#"{"disabled": "yes"}"#.to_string())),
            ),
            Bad::DeleteNoIds => (
                "delete_usage_reports",
                Method::DELETE,
                "/api/msp/reports/usage".into(),
                vec![],
                None,
            ),
        };
        let resp = self.call_raw(op, method, &path, &query, body).await?;
        self.stats.check("input.malformed");
        if (400..500).contains(&resp.status) && resp.status != 401 {
            Ok(())
        } else {
            Err(self.fail(
                "input.malformed",
                format!("{bad:?}: expected a 4xx, got {}", resp.status),
            ))
        }
    }

    /// Block/unblock: 404 for an unknown tenant, 409 while it is initializing (nothing
    /// changes), else 200 with the tenant in its new status.
    async fn block(&mut self, id: Uuid, block: bool) -> R<()> {
        let (op, verb) = if block {
            ("block_tenant", "block")
        } else {
            ("unblock_tenant", "unblock")
        };
        let path = format!("/api/msp/tenants/{id}/{verb}");
        let resp = self.call(op, Method::POST, &path, &[], None).await?;
        let Some(i) = self.model.tenants.iter().position(|t| t.id == id) else {
            return self.expect(
                &resp,
                404,
                "model.equality",
                &format!("{verb} an unknown tenant"),
            );
        };
        let allowed = self.allowed_statuses(&self.model.tenants[i]);
        let may_init = allowed.contains(&"initializing");
        let may_ready = allowed.iter().any(|s| *s != "initializing");
        self.stats.check("model.equality");
        match resp.status {
            409 if may_init => Ok(()),
            200 if may_ready => {
                let t = &mut self.model.tenants[i];
                t.blocked = block;
                // Provisioning is over once the portal accepts a block.
                t.ready_at = None;
                t.learned_status = Some("active".into());
                let item = self.body(&resp, op)?.clone();
                self.observe(i, &item)
            }
            s => Err(self.fail(
                "model.equality",
                format!(
                    "{verb} a tenant the model sees as {allowed:?}: got {s}, expected {}",
                    if may_ready { "200" } else { "409" }
                ),
            )),
        }
    }

    async fn delete(&mut self, id: Uuid) -> R<()> {
        let path = format!("/api/msp/tenants/{id}");
        let resp = self
            .call("delete_tenant", Method::DELETE, &path, &[], None)
            .await?;
        if self.model.tenants.iter().any(|t| t.id == id) {
            self.expect(&resp, 204, "model.equality", "deleting a live tenant")?;
            self.model.tenants.retain(|t| t.id != id);
            self.model.gone_tenants.push(id);
            Ok(())
        } else {
            self.expect(&resp, 404, "model.equality", "deleting an unknown tenant")
        }
    }

    /// One page: the right slice, `total`, the per-status counts, the user totals, the cap.
    async fn list(&mut self, start: usize, limit: usize) -> R<()> {
        let q = [("start", start.to_string()), ("limit", limit.to_string())];
        let resp = self
            .call("list_tenants", Method::GET, "/api/msp/tenants", &q, None)
            .await?;
        self.expect(&resp, 200, "model.equality", "listing tenants")?;
        let doc = self.body(&resp, "list_tenants")?.clone();
        self.check_page(&doc, start, limit)
    }

    fn check_page(&mut self, doc: &Value, start: usize, limit: usize) -> R<()> {
        let n = self.model.tenants.len();
        let total = doc.get("total").and_then(Value::as_u64);
        self.equality(total == Some(n as u64), || {
            format!("total is {total:?}, the model holds {n} tenants")
        })?;
        let cap = doc.get("tenant_cap_limit").and_then(Value::as_u64);
        let want_cap = self.model.cap as u64;
        self.equality(cap == Some(want_cap), || {
            format!("tenant_cap_limit is {cap:?}, the model says {want_cap}")
        })?;
        let page = doc
            .get("tenants")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let want: Vec<usize> = (start..n.min(start + limit)).collect();
        self.equality(page.len() == want.len(), || {
            format!(
                "page start={start} limit={limit} has {} tenants, the model expects {}",
                page.len(),
                want.len()
            )
        })?;
        for (item, i) in page.iter().zip(want) {
            self.observe(i, item)?;
        }
        // MSP-wide figures are computed from every tenant, not the page.
        let mut zta = 0;
        let mut pcs = 0;
        for t in &self.model.tenants {
            for (c, u) in &t.subscriptions {
                match c.as_str() {
                    "ZTA" => zta += u,
                    "PCS" => pcs += u,
                    _ => {}
                }
            }
        }
        let users = doc.get("users").cloned().unwrap_or(Value::Null);
        self.equality(users == json!({"ZTA": zta, "PCS": pcs}), || {
            format!("users is {users}, the model sums ZTA {zta}, PCS {pcs}")
        })?;
        let stats = doc.get("tenant_stats").cloned().unwrap_or(Value::Null);
        let count = |k: &str| stats.get(k).and_then(Value::as_u64).unwrap_or(u64::MAX);
        let (a, b, i) = (count("active"), count("blocked"), count("initializing"));
        let mut lo = [0u64; 3];
        let mut hi = [0u64; 3];
        for t in &self.model.tenants {
            let allowed = self.allowed_statuses(t);
            for (k, s) in ["active", "blocked", "initializing"].iter().enumerate() {
                if allowed.contains(s) {
                    hi[k] += 1;
                    if allowed.len() == 1 {
                        lo[k] += 1;
                    }
                }
            }
        }
        let ok = a + b + i == n as u64
            && (lo[0]..=hi[0]).contains(&a)
            && (lo[1]..=hi[1]).contains(&b)
            && (lo[2]..=hi[2]).contains(&i);
        self.equality(ok, || {
            format!(
                "tenant_stats is {stats}, the model expects active {}..={}, blocked {}..={}, \
                 initializing {}..={} (of {n})",
                lo[0], hi[0], lo[1], hi[1], lo[2], hi[2]
            )
        })
    }

    async fn generate(&mut self) -> R<()> {
        let resp = self
            .call(
                "generate_usage_report",
                Method::POST,
                "/api/msp/reports/usage",
                &[],
                None,
            )
            .await?;
        self.expect(&resp, 200, "model.equality", "generating a report")?;
        let doc = self.body(&resp, "generate_usage_report")?;
        let Some(r) = report_of(doc) else {
            return Err(self.fail("model.equality", "the new report has no uuid id"));
        };
        let dup = self.model.reports.iter().any(|x| x.id == r.id);
        self.equality(!dup, || format!("report id {} was already in use", r.id))?;
        self.model.reports.push(r);
        Ok(())
    }

    async fn list_reports(&mut self, start: usize, limit: usize) -> R<()> {
        let q = [("start", start.to_string()), ("limit", limit.to_string())];
        let resp = self
            .call(
                "list_usage_reports",
                Method::GET,
                "/api/msp/reports/usage",
                &q,
                None,
            )
            .await?;
        self.expect(&resp, 200, "model.equality", "listing reports")?;
        let doc = self.body(&resp, "list_usage_reports")?.clone();
        let n = self.model.reports.len();
        let total = doc.get("total").and_then(Value::as_u64);
        self.equality(total == Some(n as u64), || {
            format!("total is {total:?}, the model holds {n} reports")
        })?;
        let got: Vec<ReportModel> = doc
            .get("items")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(report_of).collect())
            .unwrap_or_default();
        let want: Vec<ReportModel> = self
            .model
            .reports
            .iter()
            .rev()
            .skip(start)
            .take(limit)
            .cloned()
            .collect();
        self.equality(got == want, || {
            let ids = |v: &[ReportModel]| v.iter().map(|r| r.id.to_string()).collect::<Vec<_>>();
            format!(
                "page start={start} limit={limit} (newest first) holds {:?}, the model expects {:?}",
                ids(&got),
                ids(&want)
            )
        })
    }

    /// 204 when every named report existed (all go), else 200 naming the missing ones while
    /// the others still go.
    async fn delete_reports(&mut self, ids: &[Uuid]) -> R<()> {
        let q: Vec<(&str, String)> = ids.iter().map(|i| ("report_ids", i.to_string())).collect();
        let resp = self
            .call(
                "delete_usage_reports",
                Method::DELETE,
                "/api/msp/reports/usage",
                &q,
                None,
            )
            .await?;
        let mut failed = Vec::new();
        for id in ids {
            if let Some(i) = self.model.reports.iter().position(|r| r.id == *id) {
                self.model.reports.remove(i);
                self.model.gone_reports.push(*id);
            } else {
                failed.push(id.to_string());
            }
        }
        if failed.is_empty() {
            return self.expect(&resp, 204, "model.equality", "deleting existing reports");
        }
        self.expect(
            &resp,
            200,
            "model.equality",
            "deleting reports of which some do not exist",
        )?;
        let doc = self.body(&resp, "delete_usage_reports")?;
        let got: Vec<String> = doc
            .get("error")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.get("id").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let total = doc.get("total").and_then(Value::as_u64);
        self.equality(got == failed && total == Some(failed.len() as u64), || {
            format!("the failures are {got:?} (total {total:?}), the model expects {failed:?}")
        })
    }

    async fn set_schedule(
        &mut self,
        frequency: Option<&str>,
        start_day: Option<u8>,
        disabled: Option<bool>,
    ) -> R<()> {
        let mut body = json!({});
        if let Some(f) = frequency {
            body["frequency"] = json!(f);
        }
        if let Some(d) = start_day {
            body["start_day"] = json!(d);
        }
        if let Some(d) = disabled {
            body["disabled"] = json!(d);
        }
        let resp = self
            .call(
                "set_usage_report_schedule",
                Method::POST,
                "/api/msp/reports/usage/schedule",
                &[],
                Some(body),
            )
            .await?;
        let Some(want) = ScheduleModel::from_request(frequency, start_day, disabled) else {
            return self.expect(&resp, 400, "model.equality", "a schedule the rules refuse");
        };
        self.expect(&resp, 200, "model.equality", "a valid schedule")?;
        let got = self.body(&resp, "set_usage_report_schedule")?.clone();
        let expected = want.json();
        self.model.schedule = Some(want);
        self.equality(got == expected, || {
            format!("the stored schedule echoes {got}, the model expects {expected}")
        })
    }

    async fn get_schedule(&mut self) -> R<()> {
        let resp = self
            .call(
                "get_usage_report_schedule",
                Method::GET,
                "/api/msp/reports/usage/schedule",
                &[],
                None,
            )
            .await?;
        self.expect(&resp, 200, "model.equality", "reading the schedule")?;
        let got = self.body(&resp, "get_usage_report_schedule")?.clone();
        let expected = self.model.schedule.clone().unwrap_or_default().json();
        self.equality(got == expected, || {
            format!("the schedule is {got}, the model expects {expected}")
        })
    }

    /// The whole listing (in pages of 2, so paging is exercised), unique sub-domains, the
    /// reports and the schedule.
    async fn final_checks(&mut self) -> R<()> {
        let (items, doc) = self
            .walk_tenants(2, "model.equality", "listing tenants")
            .await?;
        let n = self.model.tenants.len();
        self.equality(items.len() == n, || {
            format!(
                "walking the listing found {} tenants, the model holds {n}",
                items.len()
            )
        })?;
        for (i, item) in items.iter().enumerate() {
            self.observe(i, item)?;
        }
        self.stats.check("domain.unique_names");
        let mut subs: Vec<&str> = items
            .iter()
            .filter_map(|i| i.get("sub_domain").and_then(Value::as_str))
            .collect();
        subs.sort_unstable();
        if let Some(w) = subs.windows(2).find(|w| w[0] == w[1]) {
            return Err(self.fail(
                "domain.unique_names",
                format!("sub_domain {:?} appears twice", w[0]),
            ));
        }
        let cap = doc.get("tenant_cap_limit").and_then(Value::as_u64);
        self.stats.check("domain.cap");
        if cap.is_some_and(|c| items.len() as u64 > c) {
            return Err(self.fail(
                "domain.cap",
                format!("{} tenants listed above the cap {cap:?}", items.len()),
            ));
        }
        self.list_reports(0, 100).await?;
        self.get_schedule().await
    }
}

fn report_of(v: &Value) -> Option<ReportModel> {
    Some(ReportModel {
        id: id_of(v).ok()?,
        file_name: v.get("file_name")?.as_str()?.to_string(),
        created: v.get("created")?.as_str()?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_rules() {
        assert_eq!(
            ScheduleModel::from_request(None, None, None),
            Some(ScheduleModel::default())
        );
        assert!(ScheduleModel::from_request(Some("weekly"), Some(7), None).is_none());
        assert!(ScheduleModel::from_request(Some("monthly"), Some(0), None).is_none());
        assert!(ScheduleModel::from_request(Some("daily"), Some(29), None).is_none());
        assert!(ScheduleModel::from_request(Some("hourly"), None, None).is_none());
        assert_eq!(
            ScheduleModel::from_request(Some("daily"), Some(0), Some(true)).map(|s| s.start_day),
            Some(0)
        );
    }

    #[test]
    fn sub_domains_are_dns_labels() {
        assert!(valid_sub_domain("beta-2"));
        assert!(!valid_sub_domain("Bad_Sub"));
        assert!(!valid_sub_domain("-x"));
        assert!(!valid_sub_domain(""));
    }
}
