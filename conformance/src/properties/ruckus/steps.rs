//! The RUCKUS One step vocabulary: symbolic steps ("the k-th tenant", "a name from the pool",
//! "a tech partner, with the wrong delegation type") that the case resolves against the model
//! when it executes them.

use crate::model::ruckus::{Kind, SortField};

/// Names the creates and renames draw from: `acme sales` and `INITECH` are taken by the mock
/// fixture (case-insensitively), so their activities fail; the rest are free at the start.
pub const NAMES: &[&str] = &[
    "Hooli",
    "Pied Piper",
    "Vandelay Industries",
    "acme sales",
    "INITECH",
    "Stark Wireless",
];

/// Clock advances in seconds (the mock's activities take 1 s pending and 2 s in progress).
pub const ADVANCES: &[u64] = &[1, 2, 5];

/// Which tenant (or activity) a step addresses, resolved at execution time.
#[derive(Clone, Debug, PartialEq)]
pub enum Pick {
    /// The k-th one the model knows (modulo the count); a fresh id when there is none.
    Live(u8),
    /// The most recently deleted tenant (a fresh id when none).
    Gone,
    /// An id that never existed.
    Fresh(u16),
}

/// What a create is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewKind {
    /// An end customer.
    Customer,
    /// An integrator.
    Integrator,
    /// An installer.
    Installer,
}

impl NewKind {
    /// The model's kind.
    pub fn kind(self) -> Kind {
        match self {
            NewKind::Customer => Kind::Customer,
            NewKind::Integrator => Kind::Integrator,
            NewKind::Installer => Kind::Installer,
        }
    }
}

/// One step of a RUCKUS One sequence.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `POST /tenants` with one tenant: 202 and a `CreateMspEc` activity, or 400 for a
    /// delegation the rules refuse (a tech partner delegated, the wrong delegation type).
    Create {
        /// Index into [`NAMES`]; `None`: a name not used before in the case.
        name: Option<usize>,
        /// Customer or tech partner.
        kind: NewKind,
        /// A delegation to a tech partner (a pick among the tech partners) and whether its
        /// `delegation_type` is the partner's kind.
        partner: Option<(Pick, bool)>,
    },
    /// `PUT /tenants/{id}` renaming a tenant: 202 and an `UpdateMspEc` activity, or 404.
    Rename {
        /// Which tenant.
        who: Pick,
        /// Index into [`NAMES`]; `None`: a fresh name.
        name: Option<usize>,
    },
    /// `DELETE /tenants/{id}`: 202 and a `DeleteMspEc` activity, 404, or 400 for a tech partner
    /// that still has customers.
    Delete {
        /// Which tenant.
        who: Pick,
    },
    /// `PUT /tenants/{partner}/tenantDelegations`: replaces a tech partner's customers.
    Delegate {
        /// Which tenant is named as the partner (among the tech partners, then the customers).
        partner: Pick,
        /// Whether `delegation_type` is the partner's kind.
        right_type: bool,
        /// The customers (picks among every tenant: a tech partner here is refused).
        customers: Vec<Pick>,
    },
    /// `POST /tenants/query`: `totalCount`, the page, its order and its rows.
    Query {
        /// Filter on `tenantType`.
        kind: Option<Kind>,
        /// Sort field.
        sort: SortField,
        /// Descending.
        desc: bool,
        /// 1-based page.
        page: u8,
        /// Page size.
        page_size: u8,
    },
    /// `GET /activities/{id}` of one of the case's activities: a status the clock allows and,
    /// once ended, the outcome the model predicts.
    Poll {
        /// Which activity.
        which: u8,
    },
    /// `POST /__admin/clock/advance` (needs the admin API).
    Advance {
        /// Index into [`ADVANCES`].
        secs: usize,
    },
    /// `GET /venues` acting in a tenant through `x-rks-tenantid`: 200 for one of this MSP's
    /// tenants, 403 for the other MSP's or an unknown one.
    Header {
        /// Which tenant is named.
        target: HeaderTarget,
    },
    /// The other RUCKUS MSP (when the target has one) goes after this MSP's tenant: reading it
    /// by id is a 404, and its own query holds none of this MSP's tenants.
    Foreign {
        /// Which of this MSP's tenants.
        who: Pick,
    },
    /// Drains this MSP's call bucket: a 429 with `Retry-After` must come within the bucket,
    /// and a call must succeed once the clock moved by `Retry-After` (needs the admin API and a
    /// bucket small enough to drain, see [`crate::properties::ruckus::MAX_DRAIN`]).
    Burst,
    /// A malformed request: a 400 in the error shape, and nothing changes.
    Bad(Bad),
}

/// The tenant a [`Step::Header`] names.
#[derive(Clone, Debug, PartialEq)]
pub enum HeaderTarget {
    /// One of this MSP's tenants (or a deleted one).
    Own(Pick),
    /// One of the other MSP's tenants.
    Foreign(u8),
    /// An id no MSP has.
    Unknown(u16),
}

/// A malformed RUCKUS request.
#[derive(Clone, Debug, PartialEq)]
pub enum Bad {
    /// A query with `page: 0` (paging is 1-based).
    PageZero,
    /// A query whose `pageSize` is not a number.
    PageSizeText,
    /// A query sorted by a field the rows do not have.
    UnknownSortField,
    /// A query with a `sortOrder` other than ASC/DESC.
    BadSortOrder,
    /// A query filter that is not a list of values.
    FilterNotList,
    /// A create of no tenants.
    EmptyCreate,
    /// A create whose tenant has a one-letter name.
    ShortName,
}
