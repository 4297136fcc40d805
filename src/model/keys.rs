//! Which keys a serialized value leaves out: the state's TOML files omit empty and absent
//! fields (compact, diff-friendly files), `--json` always has every key.
//!
//! The model types mark their optional fields with the predicates below instead of
//! `Option::is_none` and friends. Outside [`every_key`] they answer as those would, so the
//! state files keep their exact format; inside it they never skip, so a JSON document has
//! the same keys whether a list is empty or an optional value absent (`[]`, `null`).

use std::cell::Cell;
use std::collections::BTreeMap;

thread_local! {
    /// Whether the serialization running on this thread writes every key.
    static EVERY_KEY: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` (a serialization) with every key written: nothing is skipped for being empty.
pub fn every_key<R>(f: impl FnOnce() -> R) -> R {
    /// Puts the previous setting back, even if `f` unwinds.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            EVERY_KEY.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(EVERY_KEY.with(|c| c.replace(true)));
    f()
}

/// Whether this thread is inside [`every_key`].
fn writing_every_key() -> bool {
    EVERY_KEY.with(Cell::get)
}

/// Skip an absent value (in the state files only).
pub fn none<T>(value: &Option<T>) -> bool {
    value.is_none() && !writing_every_key()
}

/// Skip an empty list (in the state files only).
pub fn empty<T>(list: &[T]) -> bool {
    list.is_empty() && !writing_every_key()
}

/// Skip an empty map (in the state files only).
pub fn empty_map<K, V>(map: &BTreeMap<K, V>) -> bool {
    map.is_empty() && !writing_every_key()
}

/// Skip a false flag (in the state files only).
pub fn no(flag: &bool) -> bool {
    !*flag && !writing_every_key()
}

/// Skip a zero count (in the state files only).
pub fn zero(n: &u64) -> bool {
    *n == 0 && !writing_every_key()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct T {
        #[serde(skip_serializing_if = "none")]
        a: Option<u8>,
        #[serde(skip_serializing_if = "empty")]
        b: Vec<u8>,
        #[serde(skip_serializing_if = "no")]
        c: bool,
    }

    #[test]
    fn empty_keys_are_left_out_except_inside_every_key() {
        let t = T {
            a: None,
            b: Vec::new(),
            c: false,
        };
        let compact = serde_json::to_string(&t).expect("serializes");
        assert_eq!(compact, "{}");
        let full = every_key(|| serde_json::to_string(&t).expect("serializes"));
        assert_eq!(full, r#"{"a":null,"b":[],"c":false}"#);
        assert_eq!(serde_json::to_string(&t).expect("serializes"), "{}");
    }
}
