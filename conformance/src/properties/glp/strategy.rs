//! The GreenLake step mixes: one [`Mix`] per family, built from shared step strategies.

use proptest::prelude::*;

use super::steps::{Bad, Cross, FilterPick, NAMES, OWNERSHIP, Pick, Step};
use crate::model::glp::Op;

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
