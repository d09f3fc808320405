//! Figures derived from cached ones (a page's movers, the overview's panels): kept until what
//! they are derived from is recomputed. Every reader of a page used to rank the organisation's
//! services and build its panels again from the same cached scorecards; on a large
//! organisation that was most of a page's work.
//!
//! An entry is valid while each of its inputs is the very allocation it was derived from: the
//! caches replace an input by a new `Arc` whenever they recompute it. Entries hold their
//! inputs (not only their addresses), so a freed input's address taken by a new one can never
//! match.

use std::any::Any;
use std::collections::HashMap;
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
            if entries.len() >= self.capacity && !entries.contains_key(&key) {
                entries.clear();
            }
            entries.insert(key, (inputs, value));
        }
    }
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
