//! Deferred completion on the mock clock: work that is accepted now and finishes later.
//!
//! A [`Deferred`] table holds [`Entry`]s. Each entry carries a job (what to do), the time it
//! starts running (`starts_at`) and the time it is due (`ready_at`). [`Deferred::settle`] applies
//! the outcome of every entry that is due, in `ready_at` order, records the outcome and the time
//! it ended (`ready_at`, not the time of the settle, so a late settle does not move history), and
//! then drops ended entries past the table's [`Retention`].
//!
//! Everything is pure: every call takes `now` from the caller (the mock clock), and nothing
//! reads wall time. The phases map onto the vendors' asynchronous APIs:
//!
//! | [`Phase`] | RUCKUS One activity | GreenLake async operation | nSA |
//! |---|---|---|---|
//! | `Queued` | `PENDING` | `INITIALIZED` | |
//! | `Running` | `INPROGRESS` | `RUNNING` | tenant `initializing` |
//! | `Ended` | `SUCCESS` / `FAIL` (the outcome) | `SUCCEEDED` / `FAILED` | tenant provisioned, cap request decided |
//!
//! (The `module_example` unit test runs this.)
//!
//! ```text
//! use chrono::{Duration, TimeZone, Utc};
//! use msp_mock_server::state::deferred::{Deferred, Phase, Retention};
//! use uuid::Uuid;
//!
//! let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
//! let mut ops: Deferred<&str, bool> = Deferred::new(Retention::for_secs(86_400, 100));
//! let id = Uuid::new_v4();
//! ops.schedule(id, "create venue", t0, t0 + Duration::seconds(5));
//! assert_eq!(ops.settle(t0 + Duration::seconds(4), |_, _, _| true), 0);
//! assert_eq!(ops.phase(id, t0 + Duration::seconds(4)), Some(Phase::Running));
//! assert_eq!(ops.settle(t0 + Duration::seconds(5), |_, _, _| true), 1);
//! assert_eq!(ops.get(id).and_then(|e| e.outcome()), Some(&true));
//! ```

// The engine's whole API is tested here; nSA and RUCKUS One activities use most of it today,
// and GreenLake async operations (the next vendor) use the rest.
#![allow(dead_code)]

use std::collections::{HashMap, hash_map};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// `t` plus `secs` seconds; a sum past chrono's range means "never" (the latest representable
/// time), so huge configured delays and lifetimes saturate instead of overflowing.
pub fn after(t: DateTime<Utc>, secs: u64) -> DateTime<Utc> {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX).min(i64::MAX / 1000);
    Duration::try_seconds(secs)
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Where an entry is at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Accepted, not started (`now < starts_at`).
    Queued,
    /// Started and not yet settled (also when due but [`Deferred::settle`] has not run yet).
    Running,
    /// Settled: the outcome is recorded.
    Ended,
}

/// How long ended entries stay readable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Seconds an entry stays after it ended (`0`: dropped by the settle that ends it).
    pub keep_for_secs: u64,
    /// Most ended entries kept; beyond it the earliest ended are dropped first.
    pub max_ended: usize,
}

impl Retention {
    /// Ended entries are dropped at once (the outcome is all that matters).
    pub const NONE: Self = Self {
        keep_for_secs: 0,
        max_ended: 0,
    };

    /// Keep ended entries `keep_for_secs` seconds, at most `max_ended` of them.
    pub const fn for_secs(keep_for_secs: u64, max_ended: usize) -> Self {
        Self {
            keep_for_secs,
            max_ended,
        }
    }
}

impl Default for Retention {
    fn default() -> Self {
        Self::NONE
    }
}

/// One piece of deferred work.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<T, O> {
    /// The entry's id (an activity id, an operation id, or the id of the thing it finishes).
    pub id: Uuid,
    /// What to do when due.
    pub job: T,
    /// When it was accepted.
    pub created: DateTime<Utc>,
    /// When it leaves [`Phase::Queued`] (defaults to `created`).
    pub starts_at: DateTime<Utc>,
    /// When its outcome is applied.
    pub ready_at: DateTime<Utc>,
    ended: Option<(DateTime<Utc>, O)>,
    seq: u64,
}

impl<T, O> Entry<T, O> {
    /// The phase at `now` (settle first: a due entry stays `Running` until settled).
    pub fn phase(&self, now: DateTime<Utc>) -> Phase {
        if self.ended.is_some() {
            Phase::Ended
        } else if now < self.starts_at {
            Phase::Queued
        } else {
            Phase::Running
        }
    }

    /// Whether the entry is due at `now` (and so will be settled by `settle(now)`).
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        now >= self.ready_at
    }

    /// The recorded outcome, once ended.
    pub fn outcome(&self) -> Option<&O> {
        self.ended.as_ref().map(|(_, o)| o)
    }

    /// When it ended (its `ready_at`), once ended.
    pub fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.ended.as_ref().map(|(t, _)| *t)
    }
}

/// A table of deferred work with its retention (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct Deferred<T, O = ()> {
    entries: HashMap<Uuid, Entry<T, O>>,
    retention: Retention,
    next_seq: u64,
}

impl<T, O> Default for Deferred<T, O> {
    fn default() -> Self {
        Self::new(Retention::NONE)
    }
}

impl<T, O> Deferred<T, O> {
    /// An empty table keeping ended entries as `retention` says.
    pub fn new(retention: Retention) -> Self {
        Self {
            entries: HashMap::new(),
            retention,
            next_seq: 0,
        }
    }

    /// Adds an entry due at `ready_at`, running from `created` (set [`Entry::starts_at`] on the
    /// answer to queue it first). An entry with the same id is replaced.
    pub fn schedule(
        &mut self,
        id: Uuid,
        job: T,
        created: DateTime<Utc>,
        ready_at: DateTime<Utc>,
    ) -> &mut Entry<T, O> {
        let seq = self.next_seq;
        self.next_seq += 1;
        let entry = Entry {
            id,
            job,
            created,
            starts_at: created,
            ready_at,
            ended: None,
            seq,
        };
        match self.entries.entry(id) {
            hash_map::Entry::Occupied(mut slot) => {
                slot.insert(entry);
                slot.into_mut()
            }
            hash_map::Entry::Vacant(slot) => slot.insert(entry),
        }
    }

    /// Completes every unsettled entry due at `now`, earliest `ready_at` first (ties in
    /// scheduling order): `apply(id, job, ready_at)` performs the outcome and answers what to
    /// record. Then drops ended entries past the retention. Answers how many completed.
    pub fn settle(
        &mut self,
        now: DateTime<Utc>,
        mut apply: impl FnMut(Uuid, &mut T, DateTime<Utc>) -> O,
    ) -> usize {
        let mut due: Vec<(DateTime<Utc>, u64, Uuid)> = self
            .entries
            .values()
            .filter(|e| e.ended.is_none() && e.is_due(now))
            .map(|e| (e.ready_at, e.seq, e.id))
            .collect();
        due.sort_unstable();
        for (at, _, id) in &due {
            if let Some(e) = self.entries.get_mut(id) {
                let outcome = apply(e.id, &mut e.job, *at);
                e.ended = Some((*at, outcome));
            }
        }
        self.prune(now);
        due.len()
    }

    /// Drops ended entries that ended `keep_for_secs` or longer ago, then the earliest ended
    /// beyond `max_ended`.
    fn prune(&mut self, now: DateTime<Utc>) {
        let keep_for = self.retention.keep_for_secs;
        self.entries.retain(|_, e| match e.ended_at() {
            Some(t) => now < after(t, keep_for),
            None => true,
        });
        let mut ended: Vec<(DateTime<Utc>, u64, Uuid)> = self
            .entries
            .values()
            .filter_map(|e| e.ended_at().map(|t| (t, e.seq, e.id)))
            .collect();
        if ended.len() > self.retention.max_ended {
            ended.sort_unstable();
            let excess = ended.len() - self.retention.max_ended;
            for (_, _, id) in ended.into_iter().take(excess) {
                self.entries.remove(&id);
            }
        }
    }

    /// The entry with `id`, pending or still retained.
    pub fn get(&self, id: Uuid) -> Option<&Entry<T, O>> {
        self.entries.get(&id)
    }

    /// The phase of entry `id` at `now`, if it is in the table.
    pub fn phase(&self, id: Uuid, now: DateTime<Utc>) -> Option<Phase> {
        self.entries.get(&id).map(|e| e.phase(now))
    }

    /// Whether entry `id` is in the table and not yet settled.
    pub fn is_pending(&self, id: Uuid) -> bool {
        self.entries.get(&id).is_some_and(|e| e.ended.is_none())
    }

    /// Removes entry `id` (its outcome is never applied); answers it.
    pub fn cancel(&mut self, id: Uuid) -> Option<Entry<T, O>> {
        self.entries.remove(&id)
    }

    /// Every entry, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Entry<T, O>> {
        self.entries.values()
    }

    /// Entries in the table (pending and retained).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    /// The module documentation's example, run.
    #[test]
    fn module_example() {
        use chrono::{Duration as D, TimeZone as _};

        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut ops: Deferred<&str, bool> = Deferred::new(Retention::for_secs(86_400, 100));
        let id = Uuid::new_v4();
        ops.schedule(id, "create venue", t0, t0 + D::seconds(5));
        assert_eq!(ops.settle(t0 + D::seconds(4), |_, _, _| true), 0);
        assert_eq!(ops.phase(id, t0 + D::seconds(4)), Some(Phase::Running));
        assert_eq!(ops.settle(t0 + D::seconds(5), |_, _, _| true), 1);
        assert_eq!(ops.get(id).and_then(|e| e.outcome()), Some(&true));
    }

    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
    }

    fn secs(n: i64) -> DateTime<Utc> {
        t0() + Duration::seconds(n)
    }

    #[test]
    fn an_entry_is_due_exactly_at_ready_at() {
        let mut d: Deferred<u32> = Deferred::default();
        let id = Uuid::from_u128(1);
        d.schedule(id, 7, t0(), secs(10));
        let mut seen = vec![];
        assert_eq!(d.settle(secs(9), |_, j, at| seen.push((*j, at))), 0);
        assert!(d.is_pending(id));
        assert_eq!(d.phase(id, secs(9)), Some(Phase::Running));
        assert_eq!(d.settle(secs(10), |_, j, at| seen.push((*j, at))), 1);
        assert_eq!(seen, vec![(7, secs(10))]);
        // Retention::NONE: gone with the settle that ended it; never applied twice.
        assert!(d.is_empty());
        assert_eq!(d.settle(secs(99), |_, _, _| panic!("applied twice")), 0);
    }

    #[test]
    fn outcomes_apply_in_ready_at_order_and_record_the_due_time() {
        let mut d: Deferred<&str, String> = Deferred::new(Retention::for_secs(100, 10));
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        d.schedule(a, "a", t0(), secs(30));
        d.schedule(b, "b", t0(), secs(10));
        d.schedule(c, "c", t0(), secs(10));
        let mut order = vec![];
        let n = d.settle(secs(50), |_, j, _| {
            order.push(*j);
            format!("{j} done")
        });
        assert_eq!(n, 3);
        assert_eq!(
            order,
            ["b", "c", "a"],
            "by ready_at, ties in scheduling order"
        );
        let e = d.get(a).unwrap();
        assert_eq!(e.phase(secs(50)), Phase::Ended);
        assert_eq!(
            e.ended_at(),
            Some(secs(30)),
            "ended when due, not when settled"
        );
        assert_eq!(e.outcome().map(String::as_str), Some("a done"));
    }

    #[test]
    fn queued_until_it_starts() {
        let mut d: Deferred<()> = Deferred::default();
        let id = Uuid::from_u128(1);
        d.schedule(id, (), t0(), secs(10)).starts_at = secs(3);
        assert_eq!(d.phase(id, secs(2)), Some(Phase::Queued));
        assert_eq!(d.phase(id, secs(3)), Some(Phase::Running));
        assert_eq!(d.phase(Uuid::from_u128(2), secs(3)), None);
    }

    #[test]
    fn ended_entries_stay_for_keep_for_then_go() {
        let mut d: Deferred<()> = Deferred::new(Retention::for_secs(60, 10));
        let id = Uuid::from_u128(1);
        d.schedule(id, (), t0(), secs(10));
        d.settle(secs(10), |_, _, _| ());
        d.settle(secs(69), |_, _, _| ());
        assert!(d.get(id).is_some(), "kept until 60 s after it ended");
        d.settle(secs(70), |_, _, _| ());
        assert!(d.get(id).is_none(), "dropped at exactly 60 s");
    }

    #[test]
    fn at_most_max_ended_are_kept_earliest_ended_dropped_first() {
        let mut d: Deferred<u128> = Deferred::new(Retention::for_secs(u64::MAX, 2));
        for i in 1..=3u128 {
            d.schedule(Uuid::from_u128(i), i, t0(), secs(i as i64));
        }
        let pending = Uuid::from_u128(9);
        d.schedule(pending, 9, t0(), secs(1000));
        assert_eq!(d.settle(secs(5), |_, _, _| ()), 3);
        assert!(d.get(Uuid::from_u128(1)).is_none());
        assert!(d.get(Uuid::from_u128(2)).is_some());
        assert!(d.get(Uuid::from_u128(3)).is_some());
        assert!(d.is_pending(pending), "pending entries are never dropped");
        assert_eq!(d.len(), 3);
    }

    #[test]
    fn cancelled_entries_never_apply() {
        let mut d: Deferred<()> = Deferred::default();
        let id = Uuid::from_u128(1);
        d.schedule(id, (), t0(), secs(1));
        assert!(d.cancel(id).is_some());
        assert_eq!(d.settle(secs(5), |_, _, _| panic!("cancelled")), 0);
    }

    #[test]
    fn huge_delays_saturate_to_never() {
        assert_eq!(after(t0(), u64::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(after(t0(), 5), secs(5));
        let mut d: Deferred<()> = Deferred::default();
        d.schedule(Uuid::from_u128(1), (), t0(), after(t0(), u64::MAX));
        assert_eq!(d.settle(secs(1_000_000_000), |_, _, _| ()), 0);
    }
}
