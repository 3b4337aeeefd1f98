//! The nSA step vocabulary: symbolic steps ("the k-th live tenant", "a sub-domain from the
//! pool") that the case resolves against the model when it executes them.

use serde_json::{Value, json};

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

/// The `subscriptions` of a create or update: one ZTA (else PCS) entitlement of `USERS[users]`.
pub(crate) fn subscription_body(users: usize, zta: bool) -> Value {
    let (id, cat) = if zta {
        (ZTA_SUBSCRIPTION, "ZTA")
    } else {
        (PCS_SUBSCRIPTION, "PCS")
    };
    json!([{ "id": id, "category": cat, "total_users": USERS.get(users).copied().unwrap_or(1) }])
}
