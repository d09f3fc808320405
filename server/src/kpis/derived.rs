//! Figures derived from cached ones (a page's movers, the overview's panels): kept until what
//! they are derived from is recomputed. Every reader of a page used to rank the organisation's
//! services and build its panels again from the same cached scorecards; on a large
//! organisation that was most of a page's work.
//!
//! An entry is valid while each of its inputs is the very allocation it was derived from: the
//! caches replace an input by a new `Arc` whenever they recompute it. Entries hold their
//! inputs (not only their addresses), so a freed input's address taken by a new one can never
//! match. An entry whose inputs the caches no longer hold (only entries hold them) can never
//! be read again: those are dropped whenever a figure is kept, so an old generation of
//! scorecards is not kept alive by a page nobody asks for again.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One cached figure a derived one was computed from.
pub type Input = Arc<dyn Any + Send + Sync>;

/// A derived figure with the inputs it was computed from.
type Entry<V> = (Vec<Input>, Arc<V>);

/// Derived figures by key.
pub struct Derived<V> {
    entries: Mutex<HashMap<String, Entry<V>>>,
    capacity: usize,
}

impl<V> Derived<V> {
    /// Keeps at most `capacity` keys (then starts over: keys are periods and scopes, few).
    pub fn with_capacity(capacity: usize) -> Self {
        Derived { entries: Mutex::default(), capacity }
    }

    /// The figure of `key` derived from exactly `inputs`, if there is one.
    pub fn get(&self, key: &str, inputs: &[Input]) -> Option<Arc<V>> {
        let entries = self.entries.lock().ok()?;
        let (held, value) = entries.get(key)?;
        let same = held.len() == inputs.len() && held.iter().zip(inputs).all(|(a, b)| std::ptr::addr_eq(&**a, &**b));
        same.then(|| Arc::clone(value))
    }

    /// Keeps `value` as the figure of `key` derived from `inputs`.
    pub fn put(&self, key: String, inputs: Vec<Input>, value: Arc<V>) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (held, _)| held.iter().all(|input| Arc::strong_count(input) > 1));
            if entries.len() >= self.capacity && !entries.contains_key(&key) {
                entries.clear();
            }
            entries.insert(key, (inputs, value));
        }
    }
}

/// A number for a new derivation of a figure, never given twice in this process: a page
/// keeps what it rendered from a derivation under its number (`app::ports::rendered_html`).
pub fn generation() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// `arc` as an input of a derived figure.
pub fn input<T: Any + Send + Sync>(arc: &Arc<T>) -> Input {
    Arc::clone(arc) as Input
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_derived_figure_is_kept_only_while_its_inputs_are_the_same_allocations() {
        let memo = Derived::<u32>::with_capacity(4);
        let (a, b) = (Arc::new(1_u64), Arc::new(String::from("x")));
        assert!(memo.get("k", &[input(&a), input(&b)]).is_none());
        memo.put("k".into(), vec![input(&a), input(&b)], Arc::new(7));
        assert_eq!(memo.get("k", &[input(&a), input(&b)]).as_deref(), Some(&7));
        // An equal value recomputed into a new allocation is a new input.
        let a_again = Arc::new(1_u64);
        assert!(memo.get("k", &[input(&a_again), input(&b)]).is_none());
        assert!(memo.get("k", &[input(&a)]).is_none(), "fewer inputs never match");
        assert!(memo.get("other", &[input(&a), input(&b)]).is_none());
    }

    #[test]
    fn entries_whose_inputs_nobody_else_holds_are_dropped() {
        let memo = Derived::<u32>::with_capacity(8);
        let (gone, held) = (Arc::new(1_u8), Arc::new(2_u8));
        memo.put("gone".into(), vec![input(&gone), input(&held)], Arc::new(1));
        memo.put("held".into(), vec![input(&held)], Arc::new(2));
        let weak = Arc::downgrade(&gone);
        drop(gone);
        // Kept until the next figure is kept, then dropped with the input only it held.
        assert!(weak.upgrade().is_some());
        memo.put("new".into(), vec![input(&held)], Arc::new(3));
        assert!(weak.upgrade().is_none(), "the old input is freed");
        assert_eq!(memo.get("held", &[input(&held)]).as_deref(), Some(&2));
    }

    #[test]
    fn generations_are_never_given_twice() {
        let (a, b) = (generation(), generation());
        assert!(a != 0 && b != 0 && a != b);
    }

    #[test]
    fn a_full_memo_starts_over() {
        let memo = Derived::<u32>::with_capacity(2);
        let a = Arc::new(0_u8);
        for (n, key) in ["1", "2", "3"].into_iter().enumerate() {
            memo.put(key.into(), vec![input(&a)], Arc::new(n as u32));
        }
        assert!(memo.get("1", &[input(&a)]).is_none());
        assert_eq!(memo.get("3", &[input(&a)]).as_deref(), Some(&2));
    }
}
