//! The audit trail's hash chain (docs/access-and-audit.md). Each event is hashed together with the hash of
//! the event before it, so editing, inserting or removing a stored event breaks the chain at
//! that point. Pure: the server stores the rows and streams them back through [`ChainVerifier`].
//!
//! One thing a chain cannot show on its own: removing the *last* events leaves a shorter chain
//! that is still intact. That is only caught against a head (seq and hash) kept somewhere else,
//! which is why evidence manifests carry the head at the time they were produced.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event (seq 1): 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, as it is hashed. Instants count to the microsecond, like the databases.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: Value,
}

/// An event as stored: with the hash of its predecessor and its own.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// The bytes that are hashed: one JSON object without whitespace, its keys (`action`, `actor`,
/// `at`, `details`, `seq`, `target`, and those inside `details`, at every depth) in byte order,
/// `at` as RFC 3339 with six fractional digits and `Z`. Strings are escaped as serde_json does
/// (`"`, `\` and control characters only), so the same event always gives the same bytes
/// whatever order its details were built in, and anyone can re-compute them outside Plumbline.
pub fn canonical_bytes(event: &AuditEvent) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"{\"action\":");
    write_string(&mut out, &event.action);
    out.extend_from_slice(b",\"actor\":");
    write_string(&mut out, &event.actor);
    out.extend_from_slice(b",\"at\":");
    write_string(&mut out, &event.at.to_rfc3339_opts(SecondsFormat::Micros, true));
    out.extend_from_slice(b",\"details\":");
    write_value(&mut out, &event.details);
    out.extend_from_slice(b",\"seq\":");
    out.extend_from_slice(event.seq.to_string().as_bytes());
    out.extend_from_slice(b",\"target\":");
    write_string(&mut out, &event.target);
    out.push(b'}');
    out
}

/// `details` alone in canonical form, as the server stores it.
pub fn canonical_json(value: &Value) -> String {
    let mut out = Vec::new();
    write_value(&mut out, value);
    // Only whole UTF-8 strings and ASCII are ever written, so this never replaces anything.
    String::from_utf8_lossy(&out).into_owned()
}

/// `details` made safe to store and re-hash: numbers that are not integers become strings.
/// serde_json reads some floats back a bit off by default, which would look like an edit.
pub fn exact_details(value: Value) -> Value {
    match value {
        Value::Number(n) if !(n.is_i64() || n.is_u64()) => Value::String(n.to_string()),
        Value::Array(items) => Value::Array(items.into_iter().map(exact_details).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, exact_details(v))).collect()),
        other => other,
    }
}

fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // Sorted here, not by relying on serde_json's map type (a feature can make it keep
            // insertion order instead).
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(out, key);
                out.push(b':');
                write_value(out, item);
            }
            out.push(b'}');
        }
    }
}

fn write_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\u{08}' => out.extend_from_slice(b"\\b"),
            '\u{0c}' => out.extend_from_slice(b"\\f"),
            c if (c as u32) < 0x20 => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
            c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out.push(b'"');
}

/// Hex SHA-256 of `prev_hash` (its 64 hex characters as bytes) followed by the event's
/// [`canonical_bytes`].
pub fn chain_hash(prev_hash: &str, event: &AuditEvent) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical_bytes(event));
    hex::encode(hasher.finalize())
}

/// Links `event` after an event whose hash is `prev_hash` ([`GENESIS`] for the first).
pub fn seal(prev_hash: &str, event: AuditEvent) -> StoredEvent {
    let hash = chain_hash(prev_hash, &event);
    StoredEvent { event, prev_hash: prev_hash.to_owned(), hash }
}

/// Where a chain stops being trustworthy: the stored seq of the first bad row, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: BreakReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakReason {
    /// Seqs jump: the events in between are missing.
    Gap { expected: i64 },
    /// Seq is not above the previous one: an event was duplicated, moved or renumbered.
    NotIncreasing { previous: i64 },
    /// `prev_hash` is not the previous event's hash.
    PrevHashMismatch { previous: i64 },
    /// The stored hash is not the hash of the stored contents.
    HashMismatch,
    /// A stored field cannot even be read back (e.g. details that are not JSON).
    Unreadable { field: &'static str },
}

impl std::fmt::Display for BreakReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BreakReason::Gap { expected: 1 } => {
                write!(f, "the chain does not start at seq 1, so the first events were deleted")
            }
            BreakReason::Gap { expected } => {
                write!(f, "seq {expected} is missing before it, so events were deleted")
            }
            BreakReason::NotIncreasing { previous } => {
                write!(f, "its seq does not follow seq {previous}, so an event was duplicated, inserted or renumbered")
            }
            BreakReason::PrevHashMismatch { previous } => {
                write!(f, "its prev_hash is not the hash of seq {previous}, so that event or this link was altered")
            }
            BreakReason::HashMismatch => {
                write!(f, "its contents no longer match its hash, so the event was edited")
            }
            BreakReason::Unreadable { field } => {
                write!(f, "its {field} cannot be read, so the event was edited")
            }
        }
    }
}

/// A chain that verified: how many events, and its head (seq 0 and [`GENESIS`] when empty).
/// Compare the head with one kept elsewhere to detect events removed from the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedChain {
    pub count: u64,
    pub head_seq: i64,
    pub head_hash: String,
}

/// Checks stored events one at a time, in seq order, in constant memory. Stop at the first
/// [`BrokenLink`]: what follows a break cannot be trusted either.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    count: u64,
    head_seq: i64,
    head_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    pub fn new() -> Self {
        ChainVerifier { count: 0, head_seq: 0, head_hash: GENESIS.to_owned() }
    }

    pub fn push(&mut self, row: &StoredEvent) -> Result<(), BrokenLink> {
        let seq = row.event.seq;
        let broken = |reason| Err(BrokenLink { seq, reason });
        let expected = self.head_seq.saturating_add(1);
        if seq > expected {
            return broken(BreakReason::Gap { expected });
        }
        if seq < expected {
            return broken(BreakReason::NotIncreasing { previous: self.head_seq });
        }
        if row.prev_hash != self.head_hash {
            return broken(BreakReason::PrevHashMismatch { previous: self.head_seq });
        }
        if chain_hash(&row.prev_hash, &row.event) != row.hash {
            return broken(BreakReason::HashMismatch);
        }
        self.count += 1;
        self.head_seq = seq;
        self.head_hash.clone_from(&row.hash);
        Ok(())
    }

    pub fn finish(self) -> VerifiedChain {
        VerifiedChain { count: self.count, head_seq: self.head_seq, head_hash: self.head_hash }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn at(micros: i64) -> DateTime<Utc> {
        Utc.timestamp_micros(1_780_000_000_000_000 + micros).single().unwrap()
    }

    fn event(seq: i64, details: Value) -> AuditEvent {
        AuditEvent {
            seq,
            at: at(seq * 1_000_003),
            actor: "local".into(),
            action: "import.applied".into(),
            target: format!("import_batch:{seq}"),
            details,
        }
    }

    fn chain(n: i64) -> Vec<StoredEvent> {
        let mut rows: Vec<StoredEvent> = Vec::new();
        for seq in 1..=n {
            let prev = rows.last().map_or(GENESIS.to_owned(), |r| r.hash.clone());
            rows.push(seal(&prev, event(seq, json!({"kind": "teams", "received": seq}))));
        }
        rows
    }

    fn verify(rows: &[StoredEvent]) -> Result<VerifiedChain, BrokenLink> {
        let mut verifier = ChainVerifier::new();
        for row in rows {
            verifier.push(row)?;
        }
        Ok(verifier.finish())
    }

    #[test]
    fn canonical_bytes_sort_keys_at_every_depth_and_fix_the_instant_format() {
        let details = json!({"b": [{"z": 1, "a": null}], "a": {"y": true, "x": "q\"\n\u{1}é"}});
        let event = AuditEvent {
            seq: 7,
            at: Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap(),
            actor: "local".into(),
            action: "snapshot.published".into(),
            target: "2026-Q2".into(),
            details,
        };
        let expected = concat!(
            r#"{"action":"snapshot.published","actor":"local","at":"2026-07-01T00:00:00.000000Z","#,
            r#""details":{"a":{"x":"q\"\n\u0001é","y":true},"b":[{"a":null,"z":1}]},"seq":7,"target":"2026-Q2"}"#
        );
        assert_eq!(String::from_utf8(canonical_bytes(&event)).unwrap(), expected);
        // The same canonical text is what serde_json prints once keys are sorted, so it parses back.
        let parsed: Value = serde_json::from_slice(&canonical_bytes(&event)).unwrap();
        assert_eq!(parsed["details"], event.details);
    }

    #[test]
    fn exact_details_keep_integers_and_turn_other_numbers_into_strings() {
        let details = exact_details(json!({"n": 3, "big": u64::MAX, "x": [0.1, -2], "y": {"z": 1e300}}));
        assert_eq!(details, json!({"n": 3, "big": u64::MAX, "x": ["0.1", -2], "y": {"z": "1e+300"}}));
    }

    #[test]
    fn chain_hash_is_sha256_of_the_previous_hash_then_the_canonical_bytes() {
        let event = AuditEvent {
            seq: 1,
            at: Utc.with_ymd_and_hms(2026, 7, 1, 12, 30, 0).unwrap(),
            actor: "local".into(),
            action: "import.applied".into(),
            target: "import_batch:1".into(),
            details: json!({"kind": "teams"}),
        };
        // Pinned with: printf '%s%s' "$GENESIS" "$CANONICAL" | sha256sum
        assert_eq!(chain_hash(GENESIS, &event), "d5f955a543089fdb3bba03a568e301372bd76cc6f35d55cb647cac61bb710428");
    }

    #[test]
    fn an_appended_chain_verifies_and_reports_its_head() {
        let rows = chain(5);
        let verified = verify(&rows).unwrap();
        assert_eq!(verified, VerifiedChain { count: 5, head_seq: 5, head_hash: rows[4].hash.clone() });
        assert_eq!(verify(&[]).unwrap(), VerifiedChain { count: 0, head_seq: 0, head_hash: GENESIS.into() });
    }

    #[test]
    fn editing_any_field_of_any_row_is_detected_at_that_row() {
        let edits: [fn(&mut StoredEvent); 7] = [
            |r| r.event.at += chrono::Duration::microseconds(1),
            |r| r.event.actor.push('x'),
            |r| r.event.action = "import.rejected".into(),
            |r| r.event.target.push('0'),
            |r| r.event.details["received"] = json!(999),
            |r| r.prev_hash.clone_from(&r.hash),
            |r| r.hash = GENESIS.into(),
        ];
        for index in 0..4 {
            for edit in edits {
                let mut rows = chain(4);
                edit(&mut rows[index]);
                let broken = verify(&rows).unwrap_err();
                assert_eq!(broken.seq, rows[index].event.seq, "{broken}");
            }
        }
    }

    #[test]
    fn an_edit_with_a_recomputed_hash_breaks_the_next_link() {
        let mut rows = chain(4);
        rows[1].event.actor = "mallory".into();
        rows[1].hash = chain_hash(&rows[1].prev_hash, &rows[1].event);
        let broken = verify(&rows).unwrap_err();
        assert_eq!((broken.seq, broken.reason), (3, BreakReason::PrevHashMismatch { previous: 2 }));
    }

    #[test]
    fn deleting_a_row_is_named_at_the_seq_after_the_gap() {
        let mut rows = chain(5);
        rows.remove(2);
        assert_eq!(verify(&rows).unwrap_err(), BrokenLink { seq: 4, reason: BreakReason::Gap { expected: 3 } });
        let mut rows = chain(5);
        rows.remove(0);
        let broken = verify(&rows).unwrap_err();
        assert_eq!(broken, BrokenLink { seq: 2, reason: BreakReason::Gap { expected: 1 } });
        assert!(broken.to_string().contains("first events were deleted"), "{broken}");
    }

    #[test]
    fn renumbering_to_hide_a_deletion_breaks_the_links() {
        let mut rows = chain(5);
        rows.remove(2);
        for row in &mut rows[2..] {
            row.event.seq -= 1;
        }
        let broken = verify(&rows).unwrap_err();
        assert_eq!((broken.seq, broken.reason), (3, BreakReason::PrevHashMismatch { previous: 2 }));
    }

    #[test]
    fn duplicated_or_swapped_rows_are_detected() {
        let mut rows = chain(4);
        rows.insert(2, rows[1].clone());
        assert_eq!(
            verify(&rows).unwrap_err(),
            BrokenLink { seq: 2, reason: BreakReason::NotIncreasing { previous: 2 } }
        );
        let mut rows = chain(4);
        rows.swap(1, 2);
        assert_eq!(verify(&rows).unwrap_err().seq, 3);
    }

    /// The limit of a chain on its own: without its last row it is still a valid, shorter chain.
    /// Only a head kept elsewhere (an evidence manifest, a previous verification) shows the loss.
    #[test]
    fn deleting_the_last_row_is_only_caught_against_a_kept_head() {
        let rows = chain(5);
        let kept = verify(&rows).unwrap();
        let truncated = verify(&rows[..4]).unwrap();
        assert_eq!(truncated.count, 4);
        assert_ne!((truncated.head_seq, &truncated.head_hash), (kept.head_seq, &kept.head_hash));
    }

    #[derive(Debug, Clone)]
    enum Edit {
        Seq(i64),
        At(i64),
        Actor(String),
        Action(String),
        Target(String),
        Details(String),
        PrevHash(usize),
        Hash(usize),
    }

    fn edits() -> impl Strategy<Value = Edit> {
        prop_oneof![
            prop_oneof![-5i64..0, 1i64..6].prop_map(Edit::Seq),
            prop_oneof![-10_000_000i64..0, 1i64..10_000_000].prop_map(Edit::At),
            ".+".prop_map(Edit::Actor),
            ".+".prop_map(Edit::Action),
            ".+".prop_map(Edit::Target),
            ".*".prop_map(Edit::Details),
            (0usize..64).prop_map(Edit::PrevHash),
            (0usize..64).prop_map(Edit::Hash),
        ]
    }

    fn flip_hex(hex: &mut String, at: usize) {
        let mut chars: Vec<char> = hex.chars().collect();
        chars[at] = if chars[at] == '0' { '1' } else { '0' };
        *hex = chars.into_iter().collect();
    }

    fn details() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            ".*".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map(".*", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn arbitrary_chain() -> impl Strategy<Value = Vec<StoredEvent>> {
        prop::collection::vec((0i64..1_000_000_000, ".*", ".*", ".*", details()), 1..10).prop_map(|events| {
            let mut rows: Vec<StoredEvent> = Vec::new();
            for (i, (micros, actor, action, target, details)) in events.into_iter().enumerate() {
                let prev = rows.last().map_or(GENESIS.to_owned(), |r| r.hash.clone());
                let seq = i as i64 + 1;
                rows.push(seal(&prev, AuditEvent { seq, at: at(micros), actor, action, target, details }));
            }
            rows
        })
    }

    proptest! {
        #[test]
        fn any_single_field_edit_is_detected_at_the_edited_row(
            rows in arbitrary_chain(),
            index in any::<prop::sample::Index>(),
            edit in edits(),
        ) {
            prop_assert!(verify(&rows).is_ok());
            let mut rows = rows;
            let index = index.index(rows.len());
            let row = &mut rows[index];
            match edit {
                Edit::Seq(delta) => row.event.seq += delta,
                Edit::At(delta) => row.event.at += chrono::Duration::microseconds(delta),
                Edit::Actor(more) => row.event.actor.push_str(&more),
                Edit::Action(more) => row.event.action.push_str(&more),
                Edit::Target(more) => row.event.target.push_str(&more),
                Edit::Details(key) => row.event.details = json!({ key: row.event.details.take() }),
                Edit::PrevHash(at) => flip_hex(&mut row.prev_hash, at),
                Edit::Hash(at) => flip_hex(&mut row.hash, at),
            }
            let seq = rows[index].event.seq;
            let broken = verify(&rows);
            prop_assert!(matches!(&broken, Err(b) if b.seq == seq), "{broken:?} for the row now at seq {seq}");
        }
    }
}

/// An event's details for reading: each top-level field as `(name, value)`, strings without
/// quotes and anything nested as compact JSON; a non-object as one `("details", …)` pair.
pub fn details_in_words(details: &serde_json::Value) -> Vec<(String, String)> {
    let text = |value: &serde_json::Value| match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".to_owned(),
        other => other.to_string(),
    };
    match details {
        serde_json::Value::Object(fields) => fields.iter().map(|(k, v)| (k.replace('_', " "), text(v))).collect(),
        serde_json::Value::Null => Vec::new(),
        other => vec![("details".to_owned(), text(other))],
    }
}

#[cfg(test)]
mod details_tests {
    use super::details_in_words;

    #[test]
    fn details_read_as_named_fields() {
        let details = serde_json::json!({"period": "2026-Q3", "content_sha256": "ab", "rows": 3, "teams": ["a"]});
        let words = details_in_words(&details);
        assert!(words.contains(&("period".to_owned(), "2026-Q3".to_owned())));
        assert!(words.contains(&("content sha256".to_owned(), "ab".to_owned())));
        assert!(words.contains(&("rows".to_owned(), "3".to_owned())));
        assert!(words.contains(&("teams".to_owned(), "[\"a\"]".to_owned())));
        assert!(details_in_words(&serde_json::Value::Null).is_empty());
    }
}
