//! A bound on what a file may grow to when parsed, checked before any value tree is built.
//!
//! YAML aliases repeat an anchored node wherever they appear: a 21 KB file of 3,000 aliases to
//! a 3,000-item list parses into 9 million values. Every adapter file therefore takes a first,
//! allocation-free pass that adds up an estimate of the parsed size (a fixed cost per value plus
//! its text) and stops at [`MAX_EXPANSION`] times the file's size. JSON has no aliases, but the
//! same pass bounds a file of tiny values just as well.

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};

/// How many times its own size a file may take once parsed (documented in the README).
pub const MAX_EXPANSION: usize = 16;
/// Allowance for small files, whose fixed costs dominate.
const BASE_ALLOWANCE: usize = 1 << 20;
/// Estimated bytes one parsed value takes besides its text (the value enum and its slot).
const VALUE_COST: usize = 64;

/// The parsed-size allowance of a file of `bytes` bytes.
pub fn allowance(bytes: usize) -> usize {
    bytes.saturating_mul(MAX_EXPANSION).saturating_add(BASE_ALLOWANCE)
}

/// What remains of an allowance, shared by every document of a file.
#[derive(Debug)]
pub struct Budget {
    left: usize,
    exceeded: bool,
}

impl Budget {
    pub fn new(allowance: usize) -> Self {
        Budget { left: allowance, exceeded: false }
    }

    /// Whether the last [`Budget::check`] stopped because the allowance ran out.
    pub fn exceeded(&self) -> bool {
        self.exceeded
    }

    /// Walks one document without keeping it, spending the allowance as it goes.
    pub fn check<'de, D: Deserializer<'de>>(&mut self, document: D) -> Result<(), D::Error> {
        Walk(self).deserialize(document)
    }

    fn spend<E: de::Error>(&mut self, text_len: usize) -> Result<(), E> {
        match self.left.checked_sub(VALUE_COST.saturating_add(text_len)) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => {
                self.exceeded = true;
                Err(E::custom("the parsed file would exceed its size allowance"))
            }
        }
    }
}

/// The message for a file that would grow past its allowance.
pub fn exceeded_message(bytes: usize) -> String {
    format!(
        "the file would take more than {MAX_EXPANSION} times its size ({bytes} bytes) once parsed; \
         YAML aliases repeating large parts of it are the usual cause: write the values out instead"
    )
}

struct Walk<'b>(&'b mut Budget);

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.0.spend(0)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.0.spend(0)
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        self.0.spend(0)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.0.spend(0)
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        self.0.spend(0)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.0.spend(0)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        self.0.spend(text.len())
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<(), E> {
        self.0.spend(bytes.len())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.0.spend(0)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.spend(0)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        self.0.spend(0)?;
        while items.next_element_seed(Walk(&mut *self.0))?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<(), A::Error> {
        self.0.spend(0)?;
        while entries.next_key_seed(Walk(&mut *self.0))?.is_some() {
            entries.next_value_seed(Walk(&mut *self.0))?;
        }
        Ok(())
    }

    /// A tagged YAML value (`!Tag value`): the tag and the value it carries.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        let (_, value) = data.variant_seed(Walk(&mut *self.0))?;
        value.newtype_variant_seed(Walk(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_fits(text: &str, allowance: usize) -> bool {
        let mut budget = Budget::new(allowance);
        serde_yaml_ng::Deserializer::from_str(text).all(|document| budget.check(document).is_ok()) && !budget.exceeded()
    }

    #[test]
    fn alias_expansion_is_stopped_early_and_plain_files_fit() {
        let items: String = (0..3000).map(|i| format!("  - item{i}\n")).collect();
        let aliases: String = (0..3000).map(|i| format!("  a{i}: *list\n")).collect();
        let bomb = format!("list: &list\n{items}copies:\n{aliases}");
        assert!(!yaml_fits(&bomb, allowance(bomb.len())));
        let plain = format!("list:\n{items}");
        assert!(yaml_fits(&plain, allowance(plain.len())));
    }

    #[test]
    fn tagged_values_and_json_are_walked() {
        assert!(yaml_fits("a: !Thing {b: 1}\n", 10_000));
        assert!(!yaml_fits("a: !Thing {b: 1}\n", 100));
        let mut budget = Budget::new(200);
        let result = budget.check(&mut serde_json::Deserializer::from_str("[1, 2, 3, 4, 5]"));
        assert!(result.is_err() && budget.exceeded());
    }
}
