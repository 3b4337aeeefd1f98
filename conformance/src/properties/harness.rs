//! The harness every family runs on: the [`Machine`] trait a family implements, the one
//! [`run`] that drives any machine with proptest, and the [`Wire`] its steps send requests
//! through (status, spec, generated-type and 401 checks on every answer, the last exchange for
//! reports, and the `fail`/`expect`/`body`/`equality` helpers).
//!
//! Valid requests are built by the generated client's request builders ([`Wire::through`]):
//! the generated `Client` is given a context ([`Wire::builder_context`]) that keeps the request
//! the builder made instead of sending it, and the wire sends that request with the family's
//! session. A builder that drifts from the spec (a query name, a path template, body casing)
//! then shows up as a spec or model failure. Malformed requests, which the typed builders
//! cannot express, are hand-built ([`Wire::call`]).

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use msp_client::hooks::{Authorizer, Context};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestError, TestRunner};
use proptest_state_machine::ReferenceStateMachine;
use reqwest::Method;
use serde_json::Value;

use super::{
    Exchange, FailingCase, Failure, FamilyOutcome, Stats, SuiteConfig, Verdict, check_answer, clip,
};
use crate::check::SpecChecker;
use crate::target::Target;

/// A step's result: the broken property, boxed (failures are rare and large).
pub type R<T> = Result<T, Box<Failure>>;

/// The check that a body deserialises into the generated type for an operation's answer.
pub type TypedCheck = fn(&str, u16, &Value) -> Result<(), String>;

/// A failure before any step ran (sign-in, admin setup): no exchange, no step.
pub fn setup_failure(property: &'static str, detail: impl Into<String>) -> Box<Failure> {
    Box::new(Failure {
        property,
        detail: detail.into(),
        exchange: None,
        step: None,
    })
}

/// `Ok` when `json` deserialises into `T`, else the serde message.
pub fn decodes<T: serde::de::DeserializeOwned>(json: &Value) -> Result<(), String> {
    T::deserialize(json).map(drop).map_err(|e| e.to_string())
}

/// One property family's state machine: its steps, how a case starts, runs a step and ends.
pub trait Machine: 'static {
    /// Report name, e.g. `glp.crud`.
    const NAME: &'static str;
    /// The spec (`openapi/<SPEC>.yaml`) every answer is checked against.
    const SPEC: &'static str;
    /// Further specs of the same API (an operation is looked up in each), for a vendor whose
    /// API spans several files.
    const MORE_SPECS: &'static [&'static str] = &[];
    /// What a case starts from (generated).
    type Init: Clone + fmt::Debug + 'static;
    /// One step (symbolic, resolved against the model when executed).
    type Step: Clone + fmt::Debug + 'static;
    /// What the family needs from the target for every case (e.g. its credentials).
    type Setup;
    /// One case's live state; it holds the case's [`Wire`].
    type Case<'a>: Running<'a, Self::Step>;

    /// The setup for `target`, or why the family is skipped there.
    fn prepare(target: &Target) -> Result<Self::Setup, String>;
    /// The strategy for the start of a case.
    fn init() -> BoxedStrategy<Self::Init>;
    /// The strategy for one step.
    fn step() -> BoxedStrategy<Self::Step>;
    /// The longest sequence to generate.
    fn max_steps(config: &SuiteConfig) -> usize {
        config.max_steps.max(1)
    }
    /// The first line of a reported case.
    fn describe_start(setup: &Self::Setup, init: &Self::Init) -> String;
    /// The generated-type check of an answer (see [`TypedCheck`]).
    fn typed(op: &str, status: u16, json: &Value) -> Result<(), String>;
    /// Signs in, resets what can be reset and learns the starting state.
    fn start<'a>(
        target: &'a Target,
        config: &'a SuiteConfig,
        setup: &'a Self::Setup,
        init: &'a Self::Init,
        wire: Wire<'a>,
    ) -> impl Future<Output = R<Self::Case<'a>>>;
}

/// A running case of a [`Machine`] (its `Case`): the steps run on it.
// The futures run on `block_on` and never cross threads, so no `Send` bound is needed.
#[allow(async_fn_in_trait)]
pub trait Running<'a, Step> {
    /// The case's wire.
    fn wire(&mut self) -> &mut Wire<'a>;
    /// Runs one step and checks its answers.
    async fn run_step(&mut self, step: &Step) -> R<()>;
    /// Invariants checked after every step.
    fn after_step(&mut self) -> R<()> {
        Ok(())
    }
    /// The end-of-case checks.
    async fn finish(&mut self) -> R<()>;
}

/// The reference state machine of a [`Machine`]: steps are symbolic, so every step is
/// acceptable in every state (no preconditions), which lets proptest delete any step while
/// shrinking.
struct Reference<M>(PhantomData<M>);

impl<M: Machine> ReferenceStateMachine for Reference<M> {
    type State = M::Init;
    type Transition = M::Step;

    fn init_state() -> BoxedStrategy<M::Init> {
        M::init()
    }

    fn transitions(_: &M::Init) -> BoxedStrategy<M::Step> {
        M::step()
    }

    fn apply(state: M::Init, _: &M::Step) -> M::Init {
        state
    }
}

/// Runs the family `M` against `target`: `config.cases` cases, shrinking a failure to a
/// minimal sequence.
pub fn run<M: Machine>(
    target: &Target,
    config: &SuiteConfig,
    rt: &tokio::runtime::Handle,
) -> FamilyOutcome {
    let not_run = |verdict: Verdict| FamilyOutcome {
        family: M::NAME,
        verdict,
        stats: Stats::default(),
        elapsed: Duration::ZERO,
        cases_requested: config.cases,
    };
    let mut specs = vec![M::SPEC];
    specs.extend_from_slice(M::MORE_SPECS);
    let checker = match SpecChecker::load_all(&specs) {
        Ok(c) => c,
        Err(e) => {
            return not_run(Verdict::Failed {
                case: None,
                reason: format!("cannot load the {} spec: {e}", specs.join(", ")),
            });
        }
    };
    let setup = match M::prepare(target) {
        Ok(s) => s,
        Err(why) => return not_run(Verdict::Skipped(why)),
    };
    let strategy = Reference::<M>::sequential_strategy(1..=M::max_steps(config));
    run_machine(
        M::NAME,
        config,
        strategy,
        |(init, steps, _)| {
            let mut out = vec![M::describe_start(&setup, init)];
            out.extend(steps.iter().map(|s| format!("{s:?}")));
            out
        },
        |(init, steps, seen)| {
            let mut stats = Stats {
                cases: 1,
                ..Stats::default()
            };
            let r = rt.block_on(Box::pin(run_case::<M>(
                target, config, &setup, &checker, &init, &steps, seen, &mut stats,
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

/// Runs `cases` of a machine: generates sequences with `strategy`, executes each with `exec`
/// (which returns the failure, if any, and its statistics), shrinks failures and rebuilds the
/// minimal failing case for the report.
fn run_machine<S, V>(
    family: &'static str,
    config: &SuiteConfig,
    strategy: S,
    describe: impl Fn(&V) -> Vec<String>,
    exec: impl Fn(V) -> (Result<(), Failure>, Stats),
) -> FamilyOutcome
where
    S: proptest::strategy::Strategy<Value = V>,
    V: Clone + fmt::Debug,
{
    let started = Instant::now();
    let stats = Arc::new(Mutex::new(Stats::default()));
    let last_failure: Arc<Mutex<Option<FailingCase>>> = Arc::default();
    let mut runner = TestRunner::new(config.proptest_config());
    let result = runner.run(&strategy, |value| {
        let steps = describe(&value);
        let (result, s) = exec(value);
        stats.lock().unwrap_or_else(|p| p.into_inner()).merge(&s);
        match result {
            Ok(()) => Ok(()),
            Err(failure) => {
                let msg = format!("{}: {}", failure.property, failure.detail);
                *last_failure.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(FailingCase { steps, failure });
                Err(TestCaseError::fail(msg))
            }
        }
    });
    let verdict = match result {
        Ok(()) => Verdict::Passed,
        Err(TestError::Abort(reason)) => Verdict::Failed {
            case: None,
            reason: reason.to_string(),
        },
        Err(TestError::Fail(reason, minimal)) => {
            // The last failing run is the minimal one proptest reports; check that it is.
            let mut case = last_failure
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            if case.as_ref().is_some_and(|c| c.steps != describe(&minimal)) {
                case = None;
            }
            Verdict::Failed {
                case,
                reason: reason.to_string(),
            }
        }
    };
    let stats = stats.lock().unwrap_or_else(|p| p.into_inner()).clone();
    FamilyOutcome {
        family,
        verdict,
        stats,
        elapsed: started.elapsed(),
        cases_requested: config.cases,
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_case<M: Machine>(
    target: &Target,
    config: &SuiteConfig,
    setup: &M::Setup,
    checker: &SpecChecker,
    init: &M::Init,
    steps: &[M::Step],
    seen: Option<Arc<std::sync::atomic::AtomicUsize>>,
    stats: &mut Stats,
) -> R<()> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| setup_failure("transport", format!("http client: {e}")))?;
    let wire = Wire::new(checker, stats, M::typed, &target.base_url, http);
    let mut case = M::start(target, config, setup, init, wire).await?;
    for (i, step) in steps.iter().enumerate() {
        // Tells the shrinker how many steps ran before a failure.
        if let Some(s) = &seen {
            s.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        let wire = case.wire();
        wire.step = Some(i);
        wire.last = None;
        wire.stats.steps += 1;
        Box::pin(case.run_step(step)).await?;
        case.after_step()?;
    }
    let wire = case.wire();
    wire.step = None;
    wire.last = None;
    case.finish().await
}

/// A response, read and checked.
pub struct Resp {
    /// Status.
    pub status: u16,
    /// The `Location` header, if any.
    pub location: Option<String>,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    /// The body as JSON (already checked against the spec and the generated types).
    pub json: Option<Value>,
}

/// The body of a hand-built request.
pub enum Body {
    /// No body.
    None,
    /// JSON (`application/json`).
    Json(Value),
    /// Text sent as-is under the given content type.
    Raw(&'static str, String),
}

/// Keeps the request a generated builder made, instead of letting it go out.
#[derive(Debug, Default)]
struct Capture(Mutex<Option<reqwest::Request>>);

impl Capture {
    fn take(&self) -> Option<reqwest::Request> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl Authorizer for Capture {
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, msp_client::Result<()>> {
        Box::pin(async move {
            let kept = request.try_clone();
            let cloned = kept.is_some();
            *self.0.lock().unwrap_or_else(|p| p.into_inner()) = kept;
            Err(msp_client::Error::InvalidInput(if cloned {
                "kept by the conformance suite, sent by its wire".into()
            } else {
                "the request body cannot be kept (a stream)".into()
            }))
        })
    }

    fn renew<'a>(
        &'a self,
        _rejected: &'a reqwest::Request,
    ) -> BoxFuture<'a, msp_client::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

/// One case's connection to the server: every request goes out here and every answer is
/// checked here.
pub struct Wire<'a> {
    checker: &'a SpecChecker,
    typed: TypedCheck,
    capture: Arc<Capture>,
    /// Statistics of the case.
    pub stats: &'a mut Stats,
    /// The server's base URL.
    pub base: String,
    /// The HTTP client requests go out on.
    pub http: reqwest::Client,
    /// The last request and response (shown in a failure).
    pub last: Option<Exchange>,
    /// The step running (`None`: setup or the end-of-case checks).
    pub step: Option<usize>,
}

impl<'a> Wire<'a> {
    /// A wire to `base` over `http`, checking answers against `checker` and `typed`.
    pub fn new(
        checker: &'a SpecChecker,
        stats: &'a mut Stats,
        typed: TypedCheck,
        base: &str,
        http: reqwest::Client,
    ) -> Self {
        Wire {
            checker,
            typed,
            capture: Arc::default(),
            stats,
            base: base.trim_end_matches('/').to_string(),
            http,
            last: None,
            step: None,
        }
    }

    /// The context to build a generated `Client` with (over [`Wire::base`]), so that its
    /// builders' requests can go out through [`Wire::through`].
    pub fn builder_context(&self) -> Context {
        Context::default().with_authorizer(self.capture.clone())
    }

    /// `json` as the generated request type `T`: only valid bodies come here, so a refusal
    /// fails `client.types`.
    pub fn typed_body<T: serde::de::DeserializeOwned>(&self, json: Value) -> R<T> {
        serde_json::from_value(json).map_err(|e| {
            self.fail(
                "client.types",
                format!(
                    "the generated {} refuses a valid body: {e}",
                    std::any::type_name::<T>()
                ),
            )
        })
    }

    /// A broken property at the current step, showing the last exchange.
    pub fn fail(&self, property: &'static str, detail: impl Into<String>) -> Box<Failure> {
        Box::new(Failure {
            property,
            detail: detail.into(),
            exchange: self.last.clone(),
            step: self.step,
        })
    }

    /// Sends the request a generated builder's `send` (`built`, on a client made with
    /// [`Wire::builder_context`]) made, under `ctx` (credential, retries), and checks the
    /// answer as [`Wire::call`] does. A builder that refuses the request fails `client.types`.
    pub async fn through<T, E: fmt::Display>(
        &mut self,
        ctx: &Context,
        op: &'static str,
        built: impl Future<Output = Result<T, E>>,
    ) -> R<Resp> {
        let outcome = built.await;
        let Some(request) = self.capture.take() else {
            let why = match outcome {
                Ok(_) => "it sent the request itself".to_string(),
                Err(e) => e.to_string(),
            };
            return Err(self.fail(
                "client.types",
                format!("the generated request builder for {op} did not build the request: {why}"),
            ));
        };
        let shown_body = request
            .body()
            .and_then(|b| b.as_bytes())
            .map(|b| clip(&String::from_utf8_lossy(b)));
        let url = request.url().as_str();
        let shown_url = url.strip_prefix(&self.base).unwrap_or(url).to_string();
        self.send(ctx, op, request, shown_url, shown_body).await
    }

    /// Sends one hand-built request through the client runtime (`ctx`: auth, retries), then
    /// checks it is not a 401, its status is declared and its body matches the spec and the
    /// client types.
    pub async fn call(
        &mut self,
        ctx: &Context,
        op: &'static str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Body,
    ) -> R<Resp> {
        let url = format!("{}{path}", self.base);
        let mut rb = self.http.request(method, &url).query(query);
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
        self.send(ctx, op, request, shown_url, shown_body).await
    }

    async fn send(
        &mut self,
        ctx: &Context,
        op: &'static str,
        request: reqwest::Request,
        shown_url: String,
        shown_body: Option<String>,
    ) -> R<Resp> {
        let mut exchange = Exchange {
            method: request.method().to_string(),
            url: shown_url,
            request_body: shown_body,
            ..Exchange::default()
        };
        self.stats.requests += 1;
        let response = match ctx.send(&self.http, request, op).await {
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
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = response.text().await.unwrap_or_default();
        exchange.status = status;
        exchange.response_body = clip(&text);
        self.last = Some(exchange);
        let json = check_answer(self.checker, self.stats, self.typed, op, status, &text)
            .map_err(|(property, detail)| self.fail(property, detail))?;
        Ok(Resp {
            status,
            location,
            retry_after,
            json,
        })
    }

    /// Checks (and counts) `property`: the answer's status is one of `allowed`.
    pub fn expect(
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
            let want = match allowed {
                [one] => one.to_string(),
                many => format!("{many:?}"),
            };
            Err(self.fail(
                property,
                format!("{what}: expected status {want}, got {}", resp.status),
            ))
        }
    }

    /// The answer's JSON body, or a `spec.body` failure when it has none.
    pub fn body<'r>(&self, resp: &'r Resp, op: &str) -> R<&'r Value> {
        resp.json
            .as_ref()
            .ok_or_else(|| self.fail("spec.body", format!("{op} {} has no body", resp.status)))
    }

    /// Checks (and counts) `model.equality`: `ok`, else `detail`.
    pub fn equality(&mut self, ok: bool, detail: impl FnOnce() -> String) -> R<()> {
        self.stats.check("model.equality");
        if ok {
            Ok(())
        } else {
            Err(self.fail("model.equality", detail()))
        }
    }
}

#[cfg(test)]
mod tests {
    use msp_client::generated::glp_workspaces as gw;

    use super::*;

    #[test]
    fn a_builders_request_is_kept_not_sent() {
        let capture = Arc::new(Capture::default());
        let ctx = Context::default().with_authorizer(capture.clone());
        // Nothing listens on port 9: a request that went out would fail differently.
        let api = gw::Client::new_with_client("http://127.0.0.1:9", reqwest::Client::new(), ctx);
        let sent = futures::executor::block_on(
            api.list_msp_tenants()
                .filter("workspaceName eq 'A'")
                .offset(2u64)
                .limit(5u64)
                .send(),
        );
        assert!(sent.is_err());
        let request = capture.take().expect("the builder's request is kept");
        assert_eq!(request.method(), Method::GET);
        assert_eq!(request.url().path(), "/workspaces/v1/msp-tenants");
        let query: Vec<(String, String)> = request.url().query_pairs().into_owned().collect();
        for (k, v) in [
            ("filter", "workspaceName eq 'A'"),
            ("offset", "2"),
            ("limit", "5"),
        ] {
            assert!(
                query.iter().any(|(qk, qv)| qk == k && qv == v),
                "{k}={v} missing from {query:?}"
            );
        }
        assert!(capture.take().is_none(), "kept once");
    }
}
