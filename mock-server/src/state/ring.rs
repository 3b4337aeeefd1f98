//! Bounded rings of recent records (the request journal, the GreenLake audit trail): the
//! oldest goes when full, the buffer never grows past the bound, and repeated strings are
//! shared with the newest records.

use std::collections::VecDeque;
use std::sync::Arc;

/// Appends `item` to `ring`, dropping the oldest records to stay within `bound` (> 0). The
/// buffer grows by doubling but stops at `bound` slots, not the next power of two.
pub fn push_bounded<T>(ring: &mut VecDeque<T>, bound: usize, item: T) {
    while ring.len() >= bound {
        ring.pop_front();
    }
    let (len, cap) = (ring.len(), ring.capacity());
    if len == cap {
        ring.reserve_exact((cap * 2).clamp(bound.min(16), bound) - len);
    }
    ring.push_back(item);
}

/// `text` as a shared string: the one `field` finds among the newest `look_back` records of
/// `ring`, else a new one.
pub fn shared<T>(
    ring: &VecDeque<T>,
    look_back: usize,
    text: &str,
    field: impl Fn(&T) -> Option<&Arc<str>>,
) -> Arc<str> {
    ring.iter()
        .rev()
        .take(look_back)
        .filter_map(field)
        .find(|s| ***s == *text)
        .cloned()
        .unwrap_or_else(|| Arc::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_ring_holds_its_bound_and_drops_the_oldest() {
        for bound in [1, 3, 16, 1500] {
            let mut ring = VecDeque::new();
            for i in 0..bound + 7 {
                push_bounded(&mut ring, bound, i);
            }
            assert_eq!(
                (ring.len(), ring.capacity()),
                (bound, bound),
                "bound {bound}"
            );
            assert_eq!(ring.front(), Some(&7), "bound {bound}");
        }
    }

    #[test]
    fn shared_reuses_a_recent_equal_string_only() {
        let ring: VecDeque<Arc<str>> = ["a", "b", "c"].into_iter().map(Arc::from).collect();
        let hit = shared(&ring, 2, "c", |s| Some(s));
        assert!(Arc::ptr_eq(&hit, &ring[2]));
        // "a" is older than the look-back: a new string.
        let miss = shared(&ring, 2, "a", |s| Some(s));
        assert!(!Arc::ptr_eq(&miss, &ring[0]));
        assert_eq!(&*miss, "a");
    }
}
