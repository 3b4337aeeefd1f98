//! The GreenLake step vocabulary: symbolic steps ("the k-th live tenant", "a name from the
//! pool") that the case resolves against the model when it executes them.

use crate::model::glp::Op;

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

pub(crate) const OWNERSHIP: &[&str] = &["MSP_OWNED_INVENTORY", "CUSTOMER_OWNED_INVENTORY"];

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

/// The name `NAMES[i]` (the first when out of range).
pub(crate) fn name_of(i: usize) -> &'static str {
    NAMES.get(i).copied().unwrap_or("Alpha")
}

/// The ownership `OWNERSHIP[i]` (MSP-owned when out of range).
pub(crate) fn ownership_of(i: usize) -> &'static str {
    OWNERSHIP.get(i).copied().unwrap_or("MSP_OWNED_INVENTORY")
}
