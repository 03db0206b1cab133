//! Partial updates: a field left out is unchanged, a field sent as `null` is cleared.

use serde::{Deserialize, Deserializer};

/// Deserialises a present field (even `null`) as `Some(..)`; use with `#[serde(default)]` so an
/// absent field stays `None`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Replaces `slot` with `value` when the patch carried the field.
pub fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

/// A list as stored: sorted, each value once.
pub fn sorted_unique<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v.dedup();
    v
}
