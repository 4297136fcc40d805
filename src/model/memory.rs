//! The shared memory (`memory/AREA/TOPIC.toml`): what one agent learned, kept for the next
//! under an `area/topic` key, with who set it and when. Every change is an operation, so
//! `log` shows it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::op::{Applied, Record};
use super::{OpError, State};

/// The largest value kept: a memory entry is a note, not a file.
pub const MAX_VALUE: usize = 64 * 1024;

/// One entry.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The value, any UTF-8 text.
    pub value: String,
    /// Who set it: an agent id or `user:NAME`.
    pub by: String,
    /// When.
    pub at: Timestamp,
}

/// Checks a key: `area/topic`, two parts of lowercase ASCII letters, digits, `.`, `_` or
/// `-`, each starting with a letter or digit, at most 128 characters in all.
pub fn validate_key(key: &str) -> Result<(), OpError> {
    let part_ok = |p: &str| {
        p.chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && p.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            })
    };
    let parts: Vec<&str> = key.split('/').collect();
    if key.len() > 128 || parts.len() != 2 || !parts.iter().all(|p| part_ok(p)) {
        return Err(OpError::BadMemoryKey {
            key: super::text::one_line(key),
        });
    }
    Ok(())
}

/// Sets `key` to `value` as `record`'s actor.
pub fn set(state: &mut State, record: &Record, key: &str, value: &str) -> Result<Applied, OpError> {
    validate_key(key)?;
    if value.len() > MAX_VALUE {
        return Err(OpError::MemoryTooLarge {
            key: key.to_owned(),
            size: value.len(),
        });
    }
    let by = record.actor.label();
    if state.memory.get(key).is_some_and(|e| e.value == value) {
        return Ok(Applied::new(format!("memory {key} holds this value already")).unchanged());
    }
    let verb = if state.memory.contains_key(key) {
        "update"
    } else {
        "set"
    };
    state.memory.insert(
        key.to_owned(),
        Entry {
            value: value.to_owned(),
            by,
            at: record.at,
        },
    );
    Ok(Applied::new(format!(
        "memory {verb} {key} ({} bytes)",
        value.len()
    )))
}

/// Removes `key`.
pub fn remove(state: &mut State, key: &str) -> Result<Applied, OpError> {
    validate_key(key)?;
    match state.memory.remove(key) {
        Some(_) => Ok(Applied::new(format!("memory remove {key}"))),
        None => Err(OpError::NoSuchMemory {
            key: key.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::op::{Actor, Op};

    fn record(actor: &str) -> Record {
        Record {
            op: Op::Resume,
            actor: Actor::Agent { id: actor.into() },
            at: "2026-01-01T00:00:00Z".parse().expect("valid time"),
            site: None,
        }
    }

    #[test]
    fn keys() {
        for good in ["api/schema", "db/v2.migrations", "a-b/c_d", "0/1"] {
            assert!(validate_key(good).is_ok(), "{good}");
        }
        for bad in [
            "api", "api/", "/x", "a/b/c", "API/x", "a/.x", "a/b c", "a/é", "a\n/b", "",
        ] {
            assert!(validate_key(bad).is_err(), "{bad:?}");
        }
        assert!(validate_key(&format!("a/{}", "x".repeat(127))).is_err());
    }

    #[test]
    fn set_update_remove_and_the_cap() {
        let mut s = State::new("2026-01-01T00:00:00Z".parse().expect("valid time"));
        set(&mut s, &record("a"), "api/schema", "v1").expect("set");
        let again = set(&mut s, &record("b"), "api/schema", "v1").expect("same value");
        assert!(again.unchanged);
        assert_eq!(s.memory["api/schema"].by, "a");
        set(&mut s, &record("b"), "api/schema", "v2").expect("update");
        assert_eq!(s.memory["api/schema"].by, "b");
        let big = "x".repeat(MAX_VALUE + 1);
        let err = set(&mut s, &record("b"), "api/big", &big).expect_err("too large");
        assert_eq!(err.kind(), crate::model::OpErrorKind::Invalid);
        set(&mut s, &record("b"), "api/max", &big[1..]).expect("exactly the cap");
        remove(&mut s, "api/schema").expect("removed");
        let err = remove(&mut s, "api/schema").expect_err("gone");
        assert_eq!(err.kind(), crate::model::OpErrorKind::Refused);
    }
}
