//! The RUCKUS One step mix.

use proptest::prelude::*;

use super::steps::{ADVANCES, Bad, HeaderTarget, NAMES, NewKind, Pick, Step};
use crate::model::ruckus::{Kind, SortField};

fn pick_strategy() -> BoxedStrategy<Pick> {
    prop_oneof![
        6 => any::<u8>().prop_map(Pick::Live),
        1 => Just(Pick::Gone),
        1 => any::<u16>().prop_map(Pick::Fresh),
    ]
    .boxed()
}

fn name_strategy() -> BoxedStrategy<Option<usize>> {
    prop_oneof![3 => Just(None), 2 => (0..NAMES.len()).prop_map(Some)].boxed()
}

fn bad_strategy() -> BoxedStrategy<Bad> {
    prop_oneof![
        Just(Bad::PageZero),
        Just(Bad::PageSizeText),
        Just(Bad::UnknownSortField),
        Just(Bad::BadSortOrder),
        Just(Bad::FilterNotList),
        Just(Bad::EmptyCreate),
        Just(Bad::ShortName),
    ]
    .boxed()
}

fn kind_filter() -> BoxedStrategy<Option<Kind>> {
    prop_oneof![
        3 => Just(None),
        2 => Just(Some(Kind::Customer)),
        1 => Just(Some(Kind::Integrator)),
        1 => Just(Some(Kind::Installer)),
    ]
    .boxed()
}

/// The strategy for one step.
pub(crate) fn step() -> BoxedStrategy<Step> {
    prop_oneof![
        6 => (
            name_strategy(),
            prop_oneof![
                4 => Just(NewKind::Customer),
                1 => Just(NewKind::Integrator),
                1 => Just(NewKind::Installer),
            ],
            proptest::option::weighted(0.4, (pick_strategy(), proptest::bool::weighted(0.7))),
        )
            .prop_map(|(name, kind, partner)| Step::Create { name, kind, partner }),
        3 => (pick_strategy(), name_strategy()).prop_map(|(who, name)| Step::Rename { who, name }),
        2 => pick_strategy().prop_map(|who| Step::Delete { who }),
        3 => (
            pick_strategy(),
            proptest::bool::weighted(0.7),
            proptest::collection::vec(pick_strategy(), 0..=2),
        )
            .prop_map(|(partner, right_type, customers)| Step::Delegate {
                partner,
                right_type,
                customers
            }),
        4 => (
            kind_filter(),
            prop_oneof![Just(SortField::Default), Just(SortField::Name), Just(SortField::TenantType)],
            any::<bool>(),
            1u8..4,
            1u8..5,
        )
            .prop_map(|(kind, sort, desc, page, page_size)| Step::Query {
                kind,
                sort,
                desc,
                page,
                page_size
            }),
        3 => any::<u8>().prop_map(|which| Step::Poll { which }),
        3 => (0..ADVANCES.len()).prop_map(|secs| Step::Advance { secs }),
        2 => prop_oneof![
            2 => pick_strategy().prop_map(HeaderTarget::Own),
            1 => any::<u8>().prop_map(HeaderTarget::Foreign),
            1 => any::<u16>().prop_map(HeaderTarget::Unknown),
        ]
        .prop_map(|target| Step::Header { target }),
        1 => pick_strategy().prop_map(|who| Step::Foreign { who }),
        1 => Just(Step::Burst),
        2 => bad_strategy().prop_map(Step::Bad),
    ]
    .boxed()
}
