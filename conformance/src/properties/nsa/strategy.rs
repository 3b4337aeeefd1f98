//! The nSA step mix.

use proptest::prelude::*;

use super::steps::{
    ADVANCES, Bad, FREQUENCIES, ForeignAction, NAMES, Pick, SUB_DOMAINS, Step, USERS,
};

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

/// The strategy for one step.
pub(crate) fn step() -> BoxedStrategy<Step> {
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
