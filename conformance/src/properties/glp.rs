//! The GreenLake MSP-tenant state machine (`/workspaces/v1`): random sequences of create, get,
//! list (filters, pages), update, delete, cap changes, tenant-token reads, cross-MSP probes,
//! clock advances, injected 429s and malformed requests, each checked against the spec and the
//! reference model ([`crate::model`]).
//!
//! The steps are symbolic ("the k-th live tenant", "a name from the pool"), resolved against the
//! model when executed, so every sequence stays meaningful while proptest shrinks it.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use msp_client::generated::glp_workspaces::types as gt;
use msp_client::hooks::Context;
use msp_client::{Credentials, MspSession, RetryPolicy, SessionOptions, TenantSession};
use proptest::prelude::*;
use proptest_state_machine::ReferenceStateMachine;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Exchange, Failure, FamilyOutcome, Stats, SuiteConfig, check_answer, clip, run_machine,
};
use crate::check::SpecChecker;
use crate::model::{Cmp, FilterSpec, MspModel, Op, RESTRICTED_COUNTRIES, observe_tenant};
use crate::target::{Admin, ServerClock, Target};

/// Tenant names the steps draw from: case variants collide, one needs quote escaping, one is
/// blank (always refused), and `Acme Retail` is a name the mock's fixture already uses.
pub const NAMES: &[&str] = &[
    "Alpha",
    "alpha",
    "Beta",
    "Gamma Corp",
    "O'Brien & Co",
    "Delta",
    "Acme Retail",
    "   ",
];

const OWNERSHIP: &[&str] = &["MSP_OWNED_INVENTORY", "CUSTOMER_OWNED_INVENTORY"];

/// Which tenant a step addresses, resolved at execution time.
#[derive(Clone, Debug, PartialEq)]
pub enum Pick {
    /// The k-th live tenant (modulo the count) of the MSP under test; a fresh id when none.
    Live(u8),
    /// The most recently deleted tenant (a fresh id when none).
    Gone,
    /// An id that never existed.
    Fresh(u128),
    /// The MSP workspace itself.
    Msp,
    /// The k-th tenant of the other MSP (the isolation witness).
    Witness(u8),
}

/// A cross-MSP probe: the MSP under test touches the witness MSP's tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cross {
    /// `GET` its workspace.
    Read,
    /// `PUT` it.
    Update,
    /// `DELETE` it.
    Delete,
    /// Exchange the MSP token for a token of that tenant.
    Exchange,
}

/// A malformed request.
#[derive(Clone, Debug, PartialEq)]
pub enum Bad {
    /// Create with a body that is not JSON.
    NotJson(String),
    /// Create with JSON that is not an object.
    NotObject(String),
    /// Create with no body.
    EmptyBody,
    /// Create without `workspaceName`.
    MissingName,
    /// Create with `workspaceName` of the wrong type.
    NameNotString,
    /// Create with a city longer than 40 characters.
    LongCity,
    /// Create with a country code outside the list.
    BadCountry(String),
    /// Create with an ownership outside the enum.
    BadOwnership,
    /// Create with `Content-Type: text/plain` and a non-JSON body.
    TextPlain,
    /// List with a filter that does not parse.
    BadFilter(String),
    /// List with `limit` out of range or not a number.
    BadLimit(String),
    /// List with `offset` out of range or not a number.
    BadOffset(String),
    /// Update a live tenant with a body that breaks the schema.
    BadUpdate(u8),
    /// Update a tenant id that is not a uuid.
    UpdateBadId(String),
    /// Delete a tenant id that is not a uuid.
    DeleteBadId(String),
}

/// One step of a GreenLake sequence.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `POST /workspaces/v1/msp-tenants`.
    Create {
        /// Index into [`NAMES`].
        name: usize,
        /// Ownership (index into the enum), if sent.
        ownership: Option<usize>,
        /// Address country, if sent.
        country: Option<&'static str>,
        /// 429s injected before it (rate-limit family).
        throttle: u8,
    },
    /// `PUT /workspaces/v1/msp-tenants/{id}`.
    Update {
        /// Which tenant.
        who: Pick,
        /// Index into [`NAMES`].
        name: usize,
        /// Ownership, if sent.
        ownership: Option<usize>,
        /// Address country, if sent.
        country: Option<&'static str>,
        /// 429s injected.
        throttle: u8,
    },
    /// `DELETE /workspaces/v1/msp-tenants/{id}`.
    Delete {
        /// Which tenant.
        who: Pick,
        /// 429s injected.
        throttle: u8,
    },
    /// `GET /workspaces/v1/workspaces/{id}` with the MSP token.
    Get {
        /// Which workspace.
        who: Pick,
    },
    /// `GET /workspaces/v1/workspaces/{id}/contact` with the MSP token.
    Contact {
        /// Which workspace.
        who: Pick,
    },
    /// `GET /workspaces/v1/msp-tenants` with a filter and paging.
    List {
        /// Filter, if any.
        filter: Option<FilterPick>,
        /// `offset`, if sent.
        offset: Option<u64>,
        /// `limit`, if sent.
        limit: Option<u64>,
        /// 429s injected.
        throttle: u8,
    },
    /// Page through every tenant with a small `limit`: no item missed or repeated.
    Walk {
        /// Page size.
        limit: u64,
    },
    /// Set the MSP's tenant cap (admin API).
    SetCap {
        /// The new cap.
        cap: usize,
    },
    /// Move the server clock (admin API), e.g. past token expiry.
    Advance {
        /// Seconds.
        secs: u32,
    },
    /// A tenant token reads a workspace: only its own is visible.
    TenantRead {
        /// The tenant whose token is used (a live one).
        as_tenant: u8,
        /// The workspace read.
        who: Pick,
    },
    /// A tenant token calls the MSP-only list and update operations: refused.
    TenantManage {
        /// The tenant whose token is used.
        as_tenant: u8,
        /// The tenant it tries to rename.
        who: Pick,
    },
    /// The MSP under test touches the other MSP's tenant: refused, nothing changes.
    CrossMsp {
        /// What it tries.
        op: Cross,
        /// Which of the witness's tenants.
        k: u8,
    },
    /// A malformed request: 4xx in the error shape, no change.
    Malformed(Bad),
}

/// A filter with symbolic parts (ids resolved at execution).
#[derive(Clone, Debug, PartialEq)]
pub enum FilterPick {
    /// `workspaceName op 'NAMES[i]'`.
    Name(Op, usize),
    /// `inventoryOwnership op '...'`.
    Ownership(Op, usize),
    /// `id eq '<picked tenant>'`.
    Id(Pick),
    /// `createdAt gt '2000-01-01T00:00:00Z'` (all) or `lt` (none).
    CreatedAt(Op),
    /// Two comparisons joined with `and`.
    And(Box<FilterPick>, Box<FilterPick>),
    /// Two comparisons joined with `or`.
    Or(Box<FilterPick>, Box<FilterPick>),
}

/// The step mix of one family.
pub trait Mix: 'static + Send + Sync {
    /// Report name.
    const NAME: &'static str;
    /// The strategy for one step.
    fn step() -> BoxedStrategy<Step>;
}

/// CRUD, filters, paging, caps and isolation.
#[derive(Debug)]
pub struct Crud;
/// Clock advances past token expiry with tenant-token traffic.
#[derive(Debug)]
pub struct Tokens;
/// Every write and list preceded by injected 429s.
#[derive(Debug)]
pub struct RateLimits;
/// Malformed requests mixed with ordinary ones.
#[derive(Debug)]
pub struct Malformed;

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => Just(Op::Eq),
        2 => Just(Op::Ne),
        1 => Just(Op::Gt),
        1 => Just(Op::Ge),
        1 => Just(Op::Lt),
        1 => Just(Op::Le),
    ]
}

fn pick_strategy() -> impl Strategy<Value = Pick> {
    prop_oneof![
        8 => any::<u8>().prop_map(Pick::Live),
        2 => Just(Pick::Gone),
        1 => any::<u128>().prop_map(Pick::Fresh),
        1 => Just(Pick::Msp),
        1 => any::<u8>().prop_map(Pick::Witness),
    ]
}

fn simple_filter() -> impl Strategy<Value = FilterPick> {
    prop_oneof![
        4 => (op_strategy(), 0..NAMES.len()).prop_map(|(o, i)| FilterPick::Name(o, i)),
        2 => (prop_oneof![Just(Op::Eq), Just(Op::Ne)], 0..OWNERSHIP.len())
            .prop_map(|(o, i)| FilterPick::Ownership(o, i)),
        2 => pick_strategy().prop_map(FilterPick::Id),
        1 => prop_oneof![Just(Op::Gt), Just(Op::Lt)].prop_map(FilterPick::CreatedAt),
    ]
}

fn filter_strategy() -> impl Strategy<Value = FilterPick> {
    prop_oneof![
        4 => simple_filter(),
        1 => (simple_filter(), simple_filter())
            .prop_map(|(a, b)| FilterPick::And(Box::new(a), Box::new(b))),
        1 => (simple_filter(), simple_filter())
            .prop_map(|(a, b)| FilterPick::Or(Box::new(a), Box::new(b))),
    ]
}

fn country_strategy() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        6 => Just(None),
        2 => Just(Some("US")),
        2 => Just(Some("GB")),
        1 => Just(Some("KP")),
    ]
}

fn create(throttle: BoxedStrategy<u8>) -> BoxedStrategy<Step> {
    (
        0..NAMES.len(),
        proptest::option::of(0..OWNERSHIP.len()),
        country_strategy(),
        throttle,
    )
        .prop_map(|(name, ownership, country, throttle)| Step::Create {
            name,
            ownership,
            country,
            throttle,
        })
        .boxed()
}

fn update(throttle: BoxedStrategy<u8>) -> BoxedStrategy<Step> {
    (
        pick_strategy(),
        0..NAMES.len(),
        proptest::option::of(0..OWNERSHIP.len()),
        country_strategy(),
        throttle,
    )
        .prop_map(|(who, name, ownership, country, throttle)| Step::Update {
            who,
            name,
            ownership,
            country,
            throttle,
        })
        .boxed()
}

fn delete(throttle: BoxedStrategy<u8>) -> BoxedStrategy<Step> {
    (pick_strategy(), throttle)
        .prop_map(|(who, throttle)| Step::Delete { who, throttle })
        .boxed()
}

fn list(throttle: BoxedStrategy<u8>) -> BoxedStrategy<Step> {
    (
        proptest::option::weighted(0.6, filter_strategy()),
        proptest::option::of(0u64..8),
        proptest::option::of(prop_oneof![1u64..5, Just(300u64)]),
        throttle,
    )
        .prop_map(|(filter, offset, limit, throttle)| Step::List {
            filter,
            offset,
            limit,
            throttle,
        })
        .boxed()
}

fn no_throttle() -> BoxedStrategy<u8> {
    Just(0u8).boxed()
}

fn some_throttle() -> BoxedStrategy<u8> {
    (1u8..=3).boxed()
}

fn tenant_read() -> BoxedStrategy<Step> {
    (any::<u8>(), pick_strategy())
        .prop_map(|(as_tenant, who)| Step::TenantRead { as_tenant, who })
        .boxed()
}

impl Mix for Crud {
    const NAME: &'static str = "glp.crud";
    fn step() -> BoxedStrategy<Step> {
        prop_oneof![
            6 => create(no_throttle()),
            3 => update(no_throttle()),
            3 => delete(no_throttle()),
            2 => pick_strategy().prop_map(|who| Step::Get { who }),
            1 => pick_strategy().prop_map(|who| Step::Contact { who }),
            4 => list(no_throttle()),
            2 => (1u64..5).prop_map(|limit| Step::Walk { limit }),
            2 => (0usize..8).prop_map(|cap| Step::SetCap { cap }),
            2 => tenant_read(),
            1 => (any::<u8>(), pick_strategy())
                .prop_map(|(as_tenant, who)| Step::TenantManage { as_tenant, who }),
            2 => (
                prop_oneof![
                    Just(Cross::Read),
                    Just(Cross::Update),
                    Just(Cross::Delete),
                    Just(Cross::Exchange)
                ],
                any::<u8>()
            )
                .prop_map(|(op, k)| Step::CrossMsp { op, k }),
        ]
        .boxed()
    }
}

impl Mix for Tokens {
    const NAME: &'static str = "glp.tokens";
    fn step() -> BoxedStrategy<Step> {
        prop_oneof![
            2 => create(no_throttle()),
            2 => pick_strategy().prop_map(|who| Step::Get { who }),
            2 => list(no_throttle()),
            5 => tenant_read(),
            4 => prop_oneof![0u32..120, 780u32..1000, 1000u32..4000]
                .prop_map(|secs| Step::Advance { secs }),
        ]
        .boxed()
    }
}

impl Mix for RateLimits {
    const NAME: &'static str = "glp.rate_limits";
    fn step() -> BoxedStrategy<Step> {
        prop_oneof![
            3 => create(some_throttle()),
            2 => update(some_throttle()),
            2 => delete(some_throttle()),
            3 => list(some_throttle()),
        ]
        .boxed()
    }
}

fn bad_strategy() -> impl Strategy<Value = Bad> {
    prop_oneof![
        2 => "\\{[a-z:,\"\\[ ]{0,12}".prop_map(Bad::NotJson),
        1 => prop_oneof![Just("[1,2]".to_string()), Just("42".to_string()), Just("\"x\"".to_string()), Just("null".to_string())]
            .prop_map(Bad::NotObject),
        1 => Just(Bad::EmptyBody),
        1 => Just(Bad::MissingName),
        1 => Just(Bad::NameNotString),
        1 => Just(Bad::LongCity),
        1 => "[A-Z]{3}|XX|us|".prop_map(Bad::BadCountry),
        1 => Just(Bad::BadOwnership),
        1 => Just(Bad::TextPlain),
        3 => prop_oneof![
            "zz[a-z' ]{0,10}".prop_map(|s| s),
            Just("workspaceName".to_string()),
            Just("workspaceName eq".to_string()),
            Just("workspaceName eq 'unterminated".to_string()),
            Just("workspaceName EQ 'x'".to_string()),
            Just("workspaceName eq 'x' and".to_string()),
            Just("devices eq 'x'".to_string()),
        ]
        .prop_map(Bad::BadFilter),
        2 => prop_oneof![Just("0"), Just("301"), Just("-1"), Just("abc"), Just("1.5"), Just("99999999999999999999")]
            .prop_map(|s| Bad::BadLimit(s.to_string())),
        1 => prop_oneof![Just("-1"), Just("x"), Just("1e3")].prop_map(|s| Bad::BadOffset(s.to_string())),
        2 => any::<u8>().prop_map(Bad::BadUpdate),
        1 => "[a-z0-9-]{1,20}".prop_map(Bad::UpdateBadId),
        1 => "[a-z0-9-]{1,20}".prop_map(Bad::DeleteBadId),
    ]
}

impl Mix for Malformed {
    const NAME: &'static str = "glp.malformed";
    fn step() -> BoxedStrategy<Step> {
        prop_oneof![
            6 => bad_strategy().prop_map(Step::Malformed),
            2 => create(no_throttle()),
            2 => list(no_throttle()),
            1 => delete(no_throttle()),
        ]
        .boxed()
    }
}

/// What a case starts from: the tenant cap set through the admin API (if there is one).
#[derive(Clone, Debug, PartialEq)]
pub struct Init {
    /// Cap to set at the start of the case.
    pub cap: usize,
}

/// The reference state machine of a family: generates the initial cap and the steps. Steps are
/// symbolic, so every step is acceptable in every state (no preconditions), which lets proptest
/// delete any step while shrinking.
#[derive(Debug)]
pub struct GlpMachine<M>(PhantomData<M>);

impl<M: Mix> ReferenceStateMachine for GlpMachine<M> {
    type State = Init;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Init> {
        (3usize..9).prop_map(|cap| Init { cap }).boxed()
    }

    fn transitions(_: &Init) -> BoxedStrategy<Step> {
        M::step()
    }

    fn apply(state: Init, _: &Step) -> Init {
        state
    }
}

/// Runs the family `M` against `target`.
pub fn run<M: Mix>(
    target: &Target,
    config: &SuiteConfig,
    rt: &tokio::runtime::Handle,
) -> FamilyOutcome {
    let checker = match SpecChecker::load("glp-workspaces") {
        Ok(c) => c,
        Err(e) => {
            return FamilyOutcome {
                family: M::NAME,
                verdict: super::Verdict::Failed {
                    case: None,
                    reason: format!("cannot load the glp-workspaces spec: {e}"),
                },
                stats: Stats::default(),
                elapsed: Duration::ZERO,
                cases_requested: config.cases,
            };
        }
    };
    let strategy = GlpMachine::<M>::sequential_strategy(1..=config.max_steps.max(1));
    run_machine(
        M::NAME,
        config,
        strategy,
        |(init, steps, _)| {
            let mut out = vec![format!(
                "start: tenant cap {} (when the admin API can set it)",
                init.cap
            )];
            out.extend(steps.iter().map(|s| format!("{s:?}")));
            out
        },
        |(init, steps, seen)| {
            let mut stats = Stats {
                cases: 1,
                ..Stats::default()
            };
            let r = rt.block_on(Box::pin(run_case(
                target, config, &checker, &init, &steps, seen, &mut stats,
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
    config: &'a SuiteConfig,
    checker: &'a SpecChecker,
    base: String,
    admin: Option<Admin>,
    http: reqwest::Client,
    clock: Arc<ServerClock>,
    msp: MspSession,
    model: MspModel,
    witness: Option<(MspSession, MspModel)>,
    last: Option<Exchange>,
    stats: &'a mut Stats,
    retry: RetryPolicy,
    step: Option<usize>,
}

/// A response, read.
struct Resp {
    status: u16,
    location: Option<String>,
    json: Option<Value>,
}

enum Body {
    None,
    Json(Value),
    Raw(&'static str, String),
}

type R<T> = Result<T, Box<Failure>>;

fn suite_retry() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(2),
        max_total_wait: Duration::from_secs(5),
        request_timeout: Some(Duration::from_secs(20)),
        ..RetryPolicy::default()
    }
}

async fn run_case(
    target: &Target,
    config: &SuiteConfig,
    checker: &SpecChecker,
    init: &Init,
    steps: &[Step],
    seen: Option<Arc<std::sync::atomic::AtomicUsize>>,
    stats: &mut Stats,
) -> R<()> {
    let setup = |detail: String| {
        Box::new(Failure {
            property: "transport",
            detail,
            exchange: None,
            step: None,
        })
    };
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
        Box::new(Failure {
            property: "auth.no_401",
            detail: format!("the MSP under test cannot sign in: {e}"),
            exchange: None,
            step: None,
        })
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
    let mut case = Case {
        config,
        checker,
        base: target.base_url.clone(),
        admin,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| setup(format!("http client: {e}")))?,
        clock,
        msp,
        model: MspModel::new(msp_id),
        witness: None,
        last: None,
        stats,
        retry,
        step: None,
    };
    if case.admin.is_some() {
        case.model.cap = Some(init.cap);
    }
    // Learn the starting state of both MSPs.
    let listed = case.walk_all(&case.msp.context(), 300).await?;
    for item in &listed {
        case.model
            .learn_listed(item)
            .map_err(|d| case.fail("model.equality", d))?;
    }
    if let Some((ws, mut wm)) = witness_session {
        let ctx = ws.context();
        let items = case.walk_all(&ctx, 300).await?;
        for item in &items {
            wm.learn_listed(item)
                .map_err(|d| case.fail("model.equality", d))?;
        }
        case.witness = Some((ws, wm));
    }
    for (i, step) in steps.iter().enumerate() {
        if let Some(s) = &seen {
            s.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        case.step = Some(i);
        case.last = None;
        case.stats.steps += 1;
        Box::pin(case.exec(step)).await?;
        case.invariants()?;
    }
    case.step = None;
    case.last = None;
    case.final_checks().await
}

fn name_of(i: usize) -> &'static str {
    NAMES.get(i).copied().unwrap_or("Alpha")
}

fn ownership_of(i: usize) -> &'static str {
    OWNERSHIP.get(i).copied().unwrap_or("MSP_OWNED_INVENTORY")
}

fn tenant_body(name: &str, ownership: Option<usize>, country: Option<&str>) -> Value {
    let mut b = json!({ "workspaceName": name });
    if let Some(o) = ownership {
        b["inventoryOwnership"] = json!(ownership_of(o));
    }
    if let Some(c) = country {
        b["address"] = json!({ "countryCode": c });
    }
    b
}

/// Checks a body deserialises into the generated client's type for the operation's answer.
fn typed(op: &str, status: u16, json: &Value) -> Result<(), String> {
    fn de<T: serde::de::DeserializeOwned>(v: &Value) -> Result<(), String> {
        serde_json::from_value::<T>(v.clone())
            .map(drop)
            .map_err(|e| e.to_string())
    }
    if status >= 400 {
        return de::<gt::ErrorResponse>(json);
    }
    match op {
        "list_msp_tenants" => de::<gt::TenantPage>(json),
        "get_workspace" => de::<gt::Workspace>(json),
        "get_workspace_contact" => de::<gt::WorkspaceContact>(json),
        "create_msp_tenant" | "update_msp_tenant" => de::<gt::Message>(json),
        _ => Ok(()),
    }
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

    /// Sends one API request through the client runtime (auth, retries), then checks it is
    /// not a 401, its status is declared and its body matches the spec and the client types.
    async fn call(
        &mut self,
        ctx: &Context,
        op: &'static str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Body,
    ) -> R<Resp> {
        let url = format!("{}{path}", self.base);
        let mut rb = self.http.request(method.clone(), &url).query(query);
        let mut shown_body = None;
        match body {
            Body::None => {}
            Body::Json(v) => {
                shown_body = Some(clip(&v.to_string()));
                rb = rb.json(&v);
            }
            Body::Raw(ct, text) => {
                shown_body = Some(format!("({ct}) {}", clip(&text)));
                rb = rb.header(reqwest::header::CONTENT_TYPE, ct).body(text);
            }
        }
        let request = rb
            .build()
            .map_err(|e| self.fail("transport", format!("building {op}: {e}")))?;
        let shown_url = match request.url().query() {
            Some(q) => format!("{path}?{q}"),
            None => path.to_string(),
        };
        self.stats.requests += 1;
        let response = ctx.send(&self.http, request, op).await;
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
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = response.text().await.unwrap_or_default();
        exchange.status = status;
        exchange.response_body = clip(&text);
        self.last = Some(exchange);
        let json = check_answer(self.checker, self.stats, typed, op, status, &text)
            .map_err(|(property, detail)| self.fail(property, detail))?;
        Ok(Resp {
            status,
            location,
            json,
        })
    }

    fn expect(
        &mut self,
        resp: &Resp,
        allowed: &[u16],
        property: &'static str,
        what: &str,
    ) -> R<()> {
        self.stats.check(property);
        if allowed.contains(&resp.status) {
            Ok(())
        } else {
            Err(self.fail(
                property,
                format!("{what}: expected status {allowed:?}, got {}", resp.status),
            ))
        }
    }

    fn resolve(&self, pick: &Pick) -> Uuid {
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

    fn is_witness_tenant(&self, id: Uuid) -> bool {
        self.witness
            .as_ref()
            .is_some_and(|(_, w)| w.get(id).is_some())
    }

    /// Injects `n` 429s for the next `method path` and returns the journal count before.
    async fn throttle(&mut self, n: u8, method: &str, path: &str) -> R<Option<usize>> {
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
            .map_err(|e| self.fail("transport", format!("admin fault: {e:#}")))?;
        Ok(Some(before))
    }

    async fn journal_count(&self, admin: &Admin, method: &str, path: &str) -> R<usize> {
        let entries = admin
            .requests()
            .await
            .map_err(|e| self.fail("transport", format!("admin journal: {e:#}")))?;
        Ok(entries
            .iter()
            .filter(|e| e.method.eq_ignore_ascii_case(method) && e.path == path)
            .count())
    }

    /// After a throttled call: it succeeded (no 429 surfaced) with exactly n+1 attempts, within
    /// the client's retry budget.
    async fn after_throttle(
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
        self.stats.check("retry.budget");
        if resp.status == 429 {
            return Err(self.fail(
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
            return Err(self.fail(
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
            .map_err(|e| self.fail("transport", format!("admin faults: {e:#}")))
    }

    async fn exec(&mut self, step: &Step) -> R<()> {
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
                    self.stats.skipped_steps += 1;
                    return Ok(());
                };
                admin
                    .set_tenant_cap(&self.model.workspace_id.to_string(), *cap)
                    .await
                    .map_err(|e| self.fail("transport", format!("admin set cap: {e:#}")))?;
                self.model.cap = Some(*cap);
                Ok(())
            }
            Step::Advance { secs } => {
                let Some(admin) = self.admin.clone() else {
                    self.stats.skipped_steps += 1;
                    return Ok(());
                };
                let now = admin
                    .advance(f64::from(*secs))
                    .await
                    .map_err(|e| self.fail("transport", format!("admin clock: {e:#}")))?;
                self.clock.sync_to(now);
                Ok(())
            }
            Step::TenantRead { as_tenant, who } => self.tenant_read(*as_tenant, who).await,
            Step::TenantManage { as_tenant, who } => self.tenant_manage(*as_tenant, who).await,
            Step::CrossMsp { op, k } => self.cross(*op, *k).await,
            Step::Malformed(bad) => Box::pin(self.malformed(bad)).await,
        }
    }

    fn filter(&self, f: &FilterPick) -> FilterSpec {
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

    async fn create(
        &mut self,
        name: &str,
        ownership: Option<usize>,
        country: Option<&str>,
        throttle: u8,
    ) -> R<()> {
        // Creation order is the list order; make sure two creates never share a millisecond,
        // so ties (broken by id per the spec) cannot arise from the suite's own speed.
        if let Some(admin) = self.admin.clone() {
            let now = admin
                .advance(0.002)
                .await
                .map_err(|e| self.fail("transport", format!("admin clock: {e:#}")))?;
            self.clock.sync_to(now);
        }
        let path = "/workspaces/v1/msp-tenants";
        let before = self.throttle(throttle, "POST", path).await?;
        let ctx = self.msp.context();
        let body = tenant_body(name, ownership, country);
        let resp = self
            .call(
                &ctx,
                "create_msp_tenant",
                Method::POST,
                path,
                &[],
                Body::Json(body),
            )
            .await?;
        self.after_throttle(throttle, before, &resp, "POST", path)
            .await?;
        if resp.status == 429 && throttle == 0 {
            return Ok(()); // the server's own rate limit: refused, nothing created
        }
        let mut errors: Vec<(u16, &'static str)> = Vec::new();
        if name.trim().is_empty() {
            errors.push((422, "model.equality"));
        }
        if country.is_some_and(|c| RESTRICTED_COUNTRIES.contains(&c)) {
            errors.push((451, "model.equality"));
        }
        if self.model.name_taken(name, None) {
            errors.push((409, "domain.unique_names"));
        }
        let count = self.model.tenants.len();
        if self.model.cap.is_some_and(|cap| count >= cap) {
            errors.push((409, "domain.cap"));
        }
        for (_, property) in &errors {
            if *property != "model.equality" {
                self.stats.check(property);
            }
        }
        if !errors.is_empty() {
            let allowed: Vec<u16> = errors.iter().map(|e| e.0).collect();
            let property = if resp.status < 300 {
                errors[0].1
            } else {
                "model.equality"
            };
            let property =
                if resp.status < 300 && errors.iter().any(|e| e.1 == "domain.unique_names") {
                    "domain.unique_names"
                } else if resp.status < 300 && errors.iter().any(|e| e.1 == "domain.cap") {
                    "domain.cap"
                } else {
                    property
                };
            return self.expect(
                &resp,
                &allowed,
                property,
                &format!(
                    "create {name:?} (tenants: {count}, cap: {:?})",
                    self.model.cap
                ),
            );
        }
        if self.model.cap.is_none() && resp.status == 409 {
            self.model.cap = Some(count); // learned: the server's cap is the current count
            return Ok(());
        }
        self.expect(&resp, &[201], "model.equality", &format!("create {name:?}"))?;
        let id = resp
            .location
            .as_deref()
            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| {
                self.fail(
                    "model.equality",
                    format!("201 without a tenant id in Location ({:?})", resp.location),
                )
            })?;
        if self.model.get(id).is_some() || self.is_witness_tenant(id) {
            return Err(self.fail(
                "model.equality",
                format!("create returned an id already in use: {id}"),
            ));
        }
        let own = ownership.map_or("MSP_OWNED_INVENTORY", ownership_of);
        self.model
            .add_created(id, name, own, country.map(str::to_string));
        // Read it back: learns its timestamps and checks the Location names the new tenant.
        let ctx = self.msp.context();
        self.get_workspace(&ctx, id, true).await
    }

    async fn update(
        &mut self,
        id: Uuid,
        name: &str,
        ownership: Option<usize>,
        country: Option<&str>,
        throttle: u8,
    ) -> R<()> {
        let path = format!("/workspaces/v1/msp-tenants/{id}");
        let before = self.throttle(throttle, "PUT", &path).await?;
        let ctx = self.msp.context();
        let resp = self
            .call(
                &ctx,
                "update_msp_tenant",
                Method::PUT,
                &path,
                &[],
                Body::Json(tenant_body(name, ownership, country)),
            )
            .await?;
        self.after_throttle(throttle, before, &resp, "PUT", &path)
            .await?;
        if resp.status == 429 && throttle == 0 {
            return Ok(());
        }
        let witness = self.is_witness_tenant(id);
        let mut errors: Vec<u16> = Vec::new();
        if name.trim().is_empty() {
            errors.push(422);
        }
        if country.is_some_and(|c| RESTRICTED_COUNTRIES.contains(&c)) {
            errors.push(451);
        }
        if self.model.get(id).is_none() {
            errors.extend([404, 403]);
        }
        let conflict = self.model.get(id).is_some() && self.model.name_taken(name, Some(id));
        if conflict {
            errors.push(409);
        }
        if !errors.is_empty() {
            let property = if witness && resp.status < 300 {
                "isolation"
            } else if conflict && resp.status < 300 {
                "domain.unique_names"
            } else {
                "model.equality"
            };
            return self.expect(
                &resp,
                &errors,
                property,
                &format!("update {id} to {name:?}"),
            );
        }
        self.expect(
            &resp,
            &[200],
            "model.equality",
            &format!("update {id} to {name:?}"),
        )?;
        if let Some(t) = self.model.get_mut(id) {
            t.name = name.to_string();
            if let Some(o) = ownership {
                t.ownership = ownership_of(o).to_string();
            }
            if let Some(c) = country {
                t.country = Some(Some(c.to_string()));
            }
            t.generation = t.generation.map(|g| g + 1);
            t.updated_at = None;
        }
        Ok(())
    }

    async fn delete(&mut self, id: Uuid, throttle: u8) -> R<()> {
        let path = format!("/workspaces/v1/msp-tenants/{id}");
        let before = self.throttle(throttle, "DELETE", &path).await?;
        let ctx = self.msp.context();
        let resp = self
            .call(
                &ctx,
                "delete_msp_tenant",
                Method::DELETE,
                &path,
                &[],
                Body::None,
            )
            .await?;
        self.after_throttle(throttle, before, &resp, "DELETE", &path)
            .await?;
        if resp.status == 429 && throttle == 0 {
            return Ok(());
        }
        let Some(t) = self.model.get(id) else {
            let property = if self.is_witness_tenant(id) && resp.status < 300 {
                "isolation"
            } else {
                "model.equality"
            };
            return self.expect(
                &resp,
                &[404, 403],
                property,
                &format!("delete {id} (not a live tenant)"),
            );
        };
        match t.has_devices {
            Some(true) => self.expect(
                &resp,
                &[409],
                "model.equality",
                &format!("delete {id} (holds devices)"),
            ),
            Some(false) => {
                self.expect(&resp, &[204], "model.equality", &format!("delete {id}"))?;
                self.model.remove(id);
                Ok(())
            }
            None => {
                self.expect(
                    &resp,
                    &[204, 409],
                    "model.equality",
                    &format!("delete {id}"),
                )?;
                if resp.status == 204 {
                    self.model.remove(id);
                } else if let Some(t) = self.model.get_mut(id) {
                    t.has_devices = Some(true);
                }
                Ok(())
            }
        }
    }

    /// `GET /workspaces/v1/workspaces/{id}` as the MSP (`as_msp`): its own workspace and live
    /// tenants are visible, nothing else.
    async fn get_workspace(&mut self, ctx: &Context, id: Uuid, as_msp: bool) -> R<()> {
        let path = format!("/workspaces/v1/workspaces/{id}");
        let resp = self
            .call(ctx, "get_workspace", Method::GET, &path, &[], Body::None)
            .await?;
        if !as_msp {
            return Ok(());
        }
        if id == self.model.workspace_id {
            self.expect(
                &resp,
                &[200],
                "model.equality",
                "the MSP reads its own workspace",
            )?;
            let got = resp
                .json
                .as_ref()
                .and_then(|j| j.get("id"))
                .and_then(Value::as_str);
            if got != Some(id.to_string().as_str()) {
                return Err(self.fail(
                    "model.equality",
                    format!("read workspace {id}, got id {got:?}"),
                ));
            }
            return Ok(());
        }
        if self.model.get(id).is_none() {
            let property = if self.is_witness_tenant(id) {
                "isolation"
            } else {
                "model.equality"
            };
            return self.expect(
                &resp,
                &[404, 403],
                property,
                &format!("read workspace {id} (not ours)"),
            );
        }
        self.expect(
            &resp,
            &[200],
            "model.equality",
            &format!("read tenant {id}"),
        )?;
        let body = resp.json.unwrap_or(Value::Null);
        if let Some(wt) = body.get("workspaceType").and_then(Value::as_str)
            && wt != "MSP_TENANT"
        {
            return Err(self.fail(
                "model.equality",
                format!("tenant {id} has workspaceType {wt}"),
            ));
        }
        self.stats.check("model.equality");
        let r = match self.model.get_mut(id) {
            Some(t) => observe_tenant(t, &body),
            None => Ok(()),
        };
        r.map_err(|d| self.fail("model.equality", d))
    }

    async fn contact(&mut self, id: Uuid) -> R<()> {
        let path = format!("/workspaces/v1/workspaces/{id}/contact");
        let ctx = self.msp.context();
        let resp = self
            .call(
                &ctx,
                "get_workspace_contact",
                Method::GET,
                &path,
                &[],
                Body::None,
            )
            .await?;
        if id == self.model.workspace_id {
            return self.expect(
                &resp,
                &[200],
                "model.equality",
                "the MSP reads its own contact",
            );
        }
        if self.model.get(id).is_none() {
            let property = if self.is_witness_tenant(id) {
                "isolation"
            } else {
                "model.equality"
            };
            return self.expect(
                &resp,
                &[404, 403],
                property,
                &format!("read contact of {id} (not ours)"),
            );
        }
        self.expect(
            &resp,
            &[200],
            "model.equality",
            &format!("read contact of {id}"),
        )?;
        let country = resp
            .json
            .as_ref()
            .and_then(|j| j.pointer("/address/countryCode"))
            .and_then(Value::as_str)
            .map(str::to_string);
        self.stats.check("model.equality");
        let known = self.model.get(id).and_then(|t| t.country.clone());
        match known {
            Some(k) if k != country => Err(self.fail(
                "model.equality",
                format!("tenant {id}: address country is {country:?}, the model says {k:?}"),
            )),
            Some(_) => Ok(()),
            None => {
                if let Some(t) = self.model.get_mut(id) {
                    t.country = Some(country);
                }
                Ok(())
            }
        }
    }

    /// Compares one page with the model's prediction.
    fn compare_page(
        &mut self,
        page: &Value,
        filter: Option<&FilterSpec>,
        offset: usize,
        limit: usize,
    ) -> R<()> {
        self.stats.check("model.equality");
        let expected: Vec<Uuid> = self.model.matching(filter).iter().map(|t| t.id).collect();
        let total = page
            .get("total")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let count = page
            .get("count")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let got_offset = page
            .get("offset")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let items = page
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let want: Vec<Uuid> = expected.iter().skip(offset).take(limit).copied().collect();
        let got: Vec<Uuid> = items
            .iter()
            .filter_map(|i| crate::model::item_id(i).ok())
            .collect();
        let fdesc = filter.map(|f| f.text()).unwrap_or_else(|| "(none)".into());
        if total != expected.len() as u64 {
            let leaked: Vec<Uuid> = got
                .iter()
                .copied()
                .filter(|id| self.is_witness_tenant(*id))
                .collect();
            let property = if leaked.is_empty() {
                "model.equality"
            } else {
                "isolation"
            };
            return Err(self.fail(
                property,
                format!(
                    "filter {fdesc}: total is {total}, the model has {} matching tenants",
                    expected.len()
                ),
            ));
        }
        if got_offset != offset as u64 || count != got.len() as u64 || items.len() != got.len() {
            return Err(self.fail(
                "model.equality",
                format!(
                    "page fields: offset {got_offset} (asked {offset}), count {count} for {} items",
                    items.len()
                ),
            ));
        }
        if got != want {
            let property = if got.iter().any(|id| self.is_witness_tenant(*id)) {
                "isolation"
            } else {
                "model.equality"
            };
            return Err(self.fail(property, format!(
                "filter {fdesc}, offset {offset}, limit {limit}: got {got:?}, the model predicts {want:?}"
            )));
        }
        for item in &items {
            let id = crate::model::item_id(item).map_err(|d| self.fail("model.equality", d))?;
            let r = match self.model.get_mut(id) {
                Some(t) => observe_tenant(t, item),
                None => Ok(()),
            };
            r.map_err(|d| self.fail("model.equality", d))?;
        }
        Ok(())
    }

    async fn list(
        &mut self,
        filter: Option<FilterSpec>,
        offset: Option<u64>,
        limit: Option<u64>,
        throttle: u8,
    ) -> R<()> {
        let path = "/workspaces/v1/msp-tenants";
        let mut query = Vec::new();
        if let Some(f) = &filter {
            query.push(("filter", f.text()));
        }
        if let Some(o) = offset {
            query.push(("offset", o.to_string()));
        }
        if let Some(l) = limit {
            query.push(("limit", l.to_string()));
        }
        let before = self.throttle(throttle, "GET", path).await?;
        let ctx = self.msp.context();
        let resp = self
            .call(
                &ctx,
                "list_msp_tenants",
                Method::GET,
                path,
                &query,
                Body::None,
            )
            .await?;
        self.after_throttle(throttle, before, &resp, "GET", path)
            .await?;
        if resp.status == 429 && throttle == 0 {
            return Ok(());
        }
        self.expect(&resp, &[200], "model.equality", "list tenants")?;
        let page = resp.json.unwrap_or(Value::Null);
        self.compare_page(
            &page,
            filter.as_ref(),
            offset.unwrap_or(0) as usize,
            limit.unwrap_or(300) as usize,
        )
    }

    /// Every item the list returns, page by page with `limit` (bounded).
    async fn walk_all(&mut self, ctx: &Context, limit: u64) -> R<Vec<Value>> {
        let mut out = Vec::new();
        let mut offset = 0u64;
        for _ in 0..200 {
            let query = [("offset", offset.to_string()), ("limit", limit.to_string())];
            let resp = self
                .call(
                    ctx,
                    "list_msp_tenants",
                    Method::GET,
                    "/workspaces/v1/msp-tenants",
                    &query,
                    Body::None,
                )
                .await?;
            self.expect(&resp, &[200], "model.equality", "list tenants")?;
            let page = resp.json.unwrap_or(Value::Null);
            let items = page
                .get("items")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let total = page.get("total").and_then(Value::as_u64).unwrap_or(0);
            let n = items.len() as u64;
            out.extend(items);
            offset += n;
            if n == 0 || offset >= total {
                return Ok(out);
            }
        }
        Err(self.fail("model.equality", "paging did not end within 200 pages"))
    }

    async fn walk_and_compare(&mut self, limit: u64) -> R<()> {
        let ctx = self.msp.context();
        let items = self.walk_all(&ctx, limit).await?;
        self.compare_all(&items, "walk")
    }

    fn compare_all(&mut self, items: &[Value], what: &str) -> R<()> {
        self.stats.check("model.equality");
        let got: Vec<Uuid> = items
            .iter()
            .filter_map(|i| crate::model::item_id(i).ok())
            .collect();
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = got.iter().find(|id| !seen.insert(**id)) {
            return Err(self.fail(
                "model.equality",
                format!("{what}: tenant {dup} appears on two pages"),
            ));
        }
        let want: Vec<Uuid> = self.model.ordered().iter().map(|t| t.id).collect();
        if got != want {
            let property = if got.iter().any(|id| self.is_witness_tenant(*id)) {
                "isolation"
            } else {
                "model.equality"
            };
            return Err(self.fail(
                property,
                format!("{what}: paging returned {got:?}, the model holds {want:?}"),
            ));
        }
        for item in items {
            let id = crate::model::item_id(item).map_err(|d| self.fail("model.equality", d))?;
            let r = match self.model.get_mut(id) {
                Some(t) => observe_tenant(t, item),
                None => Ok(()),
            };
            r.map_err(|d| self.fail("model.equality", d))?;
        }
        Ok(())
    }

    /// A session for the `as_tenant`-th live tenant (`None` when there is none).
    async fn tenant_session(&mut self, as_tenant: u8) -> R<Option<(Uuid, TenantSession)>> {
        let live = self.model.ordered();
        if live.is_empty() {
            self.stats.skipped_steps += 1;
            return Ok(None);
        }
        let id = live[usize::from(as_tenant) % live.len()].id;
        self.stats.check("auth.no_401");
        match self.msp.tenant_by_id(&id.to_string()).await {
            Ok(s) => Ok(Some((id, s))),
            Err(e) => Err(self.fail(
                "auth.no_401",
                format!("token exchange for own tenant {id} failed: {e}"),
            )),
        }
    }

    async fn tenant_read(&mut self, as_tenant: u8, who: &Pick) -> R<()> {
        let Some((me, session)) = self.tenant_session(as_tenant).await? else {
            return Ok(());
        };
        let target = self.resolve(who);
        let ctx = session.context();
        let path = format!("/workspaces/v1/workspaces/{target}");
        let resp = self
            .call(&ctx, "get_workspace", Method::GET, &path, &[], Body::None)
            .await?;
        if target == me {
            self.expect(
                &resp,
                &[200],
                "model.equality",
                "a tenant reads its own workspace",
            )?;
            self.stats.check("model.equality");
            let body = resp.json.unwrap_or(Value::Null);
            let r = match self.model.get_mut(me) {
                Some(t) => observe_tenant(t, &body),
                None => Ok(()),
            };
            return r.map_err(|d| self.fail("model.equality", d));
        }
        self.expect(
            &resp,
            &[404, 403],
            "isolation",
            &format!("tenant {me} reads workspace {target}"),
        )
    }

    async fn tenant_manage(&mut self, as_tenant: u8, who: &Pick) -> R<()> {
        let Some((me, session)) = self.tenant_session(as_tenant).await? else {
            return Ok(());
        };
        let ctx = session.context();
        let resp = self
            .call(
                &ctx,
                "list_msp_tenants",
                Method::GET,
                "/workspaces/v1/msp-tenants",
                &[],
                Body::None,
            )
            .await?;
        self.expect(
            &resp,
            &[403, 412],
            "isolation",
            &format!("tenant {me} lists MSP tenants"),
        )?;
        let target = self.resolve(who);
        let path = format!("/workspaces/v1/msp-tenants/{target}");
        let body = tenant_body("Hijacked", None, None);
        let resp = self
            .call(
                &ctx,
                "update_msp_tenant",
                Method::PUT,
                &path,
                &[],
                Body::Json(body),
            )
            .await?;
        self.expect(
            &resp,
            &[403, 404, 412],
            "isolation",
            &format!("tenant {me} renames {target}"),
        )
    }

    async fn cross(&mut self, op: Cross, k: u8) -> R<()> {
        if self
            .witness
            .as_ref()
            .is_none_or(|(_, w)| w.tenants.is_empty())
        {
            self.stats.skipped_steps += 1;
            return Ok(());
        }
        let target = self.resolve(&Pick::Witness(k));
        let ctx = self.msp.context();
        match op {
            Cross::Read => {
                let path = format!("/workspaces/v1/workspaces/{target}");
                let resp = self
                    .call(&ctx, "get_workspace", Method::GET, &path, &[], Body::None)
                    .await?;
                self.expect(
                    &resp,
                    &[404, 403],
                    "isolation",
                    &format!("MSP reads another MSP's tenant {target}"),
                )
            }
            Cross::Update => {
                let path = format!("/workspaces/v1/msp-tenants/{target}");
                let body = tenant_body("Hijacked", None, None);
                let resp = self
                    .call(
                        &ctx,
                        "update_msp_tenant",
                        Method::PUT,
                        &path,
                        &[],
                        Body::Json(body),
                    )
                    .await?;
                self.expect(
                    &resp,
                    &[404, 403],
                    "isolation",
                    &format!("MSP renames another MSP's tenant {target}"),
                )
            }
            Cross::Delete => {
                let path = format!("/workspaces/v1/msp-tenants/{target}");
                let resp = self
                    .call(
                        &ctx,
                        "delete_msp_tenant",
                        Method::DELETE,
                        &path,
                        &[],
                        Body::None,
                    )
                    .await?;
                self.expect(
                    &resp,
                    &[404, 403],
                    "isolation",
                    &format!("MSP deletes another MSP's tenant {target}"),
                )
            }
            Cross::Exchange => {
                self.stats.check("isolation");
                match self.msp.tenant_by_id(&target.to_string()).await {
                    Ok(_) => Err(self.fail(
                        "isolation",
                        format!("the MSP obtained a token for another MSP's tenant {target}"),
                    )),
                    Err(_) => Ok(()),
                }
            }
        }
    }

    async fn malformed(&mut self, bad: &Bad) -> R<()> {
        let ctx = self.msp.context();
        let create = "/workspaces/v1/msp-tenants";
        let (op, method, path, query, body): (
            &'static str,
            Method,
            String,
            Vec<(&str, String)>,
            Body,
        ) = match bad {
            Bad::NotJson(s) => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Raw("application/json", s.clone()),
            ),
            Bad::NotObject(s) => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Raw("application/json", s.clone()),
            ),
            Bad::EmptyBody => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Raw("application/json", String::new()),
            ),
            Bad::MissingName => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Json(json!({"description": "no name"})),
            ),
            Bad::NameNotString => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Json(json!({"workspaceName": 5})),
            ),
            Bad::LongCity => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Json(json!({
                    "workspaceName": "Long City Ltd", "address": {"countryCode": "US", "city": "x".repeat(41)}
                })),
            ),
            Bad::BadCountry(c) => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Json(json!({
                    "workspaceName": "Nowhere Ltd", "address": {"countryCode": c}
                })),
            ),
            Bad::BadOwnership => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Json(json!({
                    "workspaceName": "Owner Ltd", "inventoryOwnership": "NOBODY"
                })),
            ),
            Bad::TextPlain => (
                "create_msp_tenant",
                Method::POST,
                create.into(),
                vec![],
                Body::Raw("text/plain", "workspaceName=Plain".into()),
            ),
            Bad::BadFilter(f) => (
                "list_msp_tenants",
                Method::GET,
                create.into(),
                vec![("filter", f.clone())],
                Body::None,
            ),
            Bad::BadLimit(l) => (
                "list_msp_tenants",
                Method::GET,
                create.into(),
                vec![("limit", l.clone())],
                Body::None,
            ),
            Bad::BadOffset(o) => (
                "list_msp_tenants",
                Method::GET,
                create.into(),
                vec![("offset", o.clone())],
                Body::None,
            ),
            Bad::BadUpdate(k) => {
                let id = self.resolve(&Pick::Live(*k));
                (
                    "update_msp_tenant",
                    Method::PUT,
                    format!("{create}/{id}"),
                    vec![],
                    Body::Json(json!({"workspaceName": ["not", "a", "string"]})),
                )
            }
            Bad::UpdateBadId(s) => (
                "update_msp_tenant",
                Method::PUT,
                format!("{create}/{s}"),
                vec![],
                Body::Json(json!({"workspaceName": "Fine Name"})),
            ),
            Bad::DeleteBadId(s) => (
                "delete_msp_tenant",
                Method::DELETE,
                format!("{create}/{s}"),
                vec![],
                Body::None,
            ),
        };
        // An id made only of hex and dashes might be a uuid of a live tenant: skip those.
        if let Bad::UpdateBadId(s) | Bad::DeleteBadId(s) = bad
            && Uuid::parse_str(s).is_ok()
        {
            self.stats.skipped_steps += 1;
            return Ok(());
        }
        let resp = self.call(&ctx, op, method, &path, &query, body).await?;
        self.stats.check("input.malformed");
        if resp.status == 429 {
            return Ok(());
        }
        if !(400..500).contains(&resp.status) {
            return Err(self.fail(
                "input.malformed",
                format!("malformed request answered {}, not a 4xx", resp.status),
            ));
        }
        // `call` already validated the body against the operation's error schema.
        if resp.json.is_none() {
            return Err(self.fail("input.malformed", "the 4xx has no error body"));
        }
        Ok(())
    }

    /// Invariants of the model after every step.
    fn invariants(&mut self) -> R<()> {
        self.stats.check("domain.unique_names");
        let names: Vec<String> = self
            .model
            .tenants
            .iter()
            .map(|t| t.name.to_lowercase())
            .collect();
        let unique: std::collections::HashSet<&String> = names.iter().collect();
        if unique.len() != names.len() {
            return Err(self.fail(
                "domain.unique_names",
                format!("two live tenants share a name: {names:?}"),
            ));
        }
        Ok(())
    }

    /// End of case: both MSPs list exactly what the model holds (nothing lost, leaked or
    /// changed in the other MSP), and token fetches respect the token lifetime.
    async fn final_checks(&mut self) -> R<()> {
        let ctx = self.msp.context();
        let items = self.walk_all(&ctx, 300).await?;
        self.compare_all(&items, "final listing")?;
        if let Some((ws, wm)) = self.witness.take() {
            let ctx = ws.context();
            let items = self.walk_all(&ctx, 300).await?;
            self.stats.check("isolation");
            let got: Vec<Uuid> = items
                .iter()
                .filter_map(|i| crate::model::item_id(i).ok())
                .collect();
            let want: Vec<Uuid> = wm.ordered().iter().map(|t| t.id).collect();
            let mut wm2 = wm.clone();
            let changed = got != want
                || items.iter().any(|i| {
                    crate::model::item_id(i)
                        .ok()
                        .and_then(|id| wm2.get_mut(id))
                        .is_some_and(|t| observe_tenant(t, i).is_err())
                });
            if changed {
                return Err(self.fail(
                    "isolation",
                    format!("the other MSP's tenants changed: now {got:?}, before {want:?}"),
                ));
            }
            self.witness = Some((ws, wm));
        }
        // The journal check is about the whole case, not the last exchange.
        self.last = None;
        self.token_checks().await
    }

    /// From the journal: consecutive successful token fetches for one workspace are at least a
    /// token lifetime (less the client's refresh skew) apart, unless a 401 came in between.
    async fn token_checks(&mut self) -> R<()> {
        let Some(admin) = self.admin.clone() else {
            return Ok(());
        };
        let entries = admin
            .requests()
            .await
            .map_err(|e| self.fail("transport", format!("admin journal: {e:#}")))?;
        let min_gap = self
            .config
            .token_ttl
            .saturating_sub(self.config.refresh_skew)
            .saturating_sub(Duration::from_secs(5));
        let mut last: std::collections::HashMap<String, chrono::DateTime<chrono::Utc>> =
            Default::default();
        let mut saw_401_since: std::collections::HashSet<String> = Default::default();
        for e in &entries {
            if e.status == 401 && !e.path.contains("/token") {
                for k in last.keys() {
                    saw_401_since.insert(k.clone());
                }
                continue;
            }
            let Some(ws) = e
                .path
                .strip_prefix("/authorization/v2/oauth2/")
                .and_then(|p| p.strip_suffix("/token"))
            else {
                continue;
            };
            if e.method != "POST" {
                continue;
            }
            if e.status != 200 {
                // A refused fetch (e.g. an exchange for a foreign tenant) lets the client
                // renew its subject token: a legitimate early fetch.
                for k in last.keys() {
                    saw_401_since.insert(k.clone());
                }
                continue;
            }
            let key = ws.replace('-', "").to_lowercase();
            self.stats.check("auth.exchange_once");
            if let Some(prev) = last.get(&key)
                && !saw_401_since.contains(&key)
            {
                let gap = (e.time - *prev).to_std().unwrap_or_default();
                if gap < min_gap {
                    return Err(self.fail("auth.exchange_once", format!(
                        "workspace {key}: two token fetches {}s apart, within one token lifetime ({}s)",
                        gap.as_secs(),
                        self.config.token_ttl.as_secs()
                    )));
                }
            }
            saw_401_since.remove(&key);
            last.insert(key, e.time);
        }
        Ok(())
    }
}
