//! A changed path as the checks see it: the path and its blob (or submodule commit) on
//! each side. The git layer computes changes; policy judges them.
//!
//! Object ids cross the layers as [`ObjectId`], this layer's own 20-byte id; the git layer
//! converts to and from gix's at its edge, so nothing above `git` names gix.

use serde::Serialize;

/// A git object id (SHA-1), as every layer names one.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId([u8; 20]);

/// Text that is not 40 hex digits.
#[derive(Debug, thiserror::Error)]
#[error("not a 40-hex-digit object id")]
pub struct BadHex;

impl ObjectId {
    /// The id of these 20 bytes.
    pub const fn from_bytes(bytes: [u8; 20]) -> ObjectId {
        ObjectId(bytes)
    }

    /// Whether it is the null id (all zeros), which names no object.
    pub fn is_null(&self) -> bool {
        self.0 == [0; 20]
    }

    /// Its 20 bytes.
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// The id written as 40 hex digits.
    pub fn from_hex(hex: &[u8]) -> Result<ObjectId, BadHex> {
        if hex.len() != 40 {
            return Err(BadHex);
        }
        let mut out = [0u8; 20];
        for (i, pair) in hex.chunks(2).enumerate() {
            let digit = |c: u8| (c as char).to_digit(16).ok_or(BadHex);
            out[i] = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).map_err(|_| BadHex)?;
        }
        Ok(ObjectId(out))
    }

    /// The first `len` hex digits.
    pub fn to_hex_with_len(&self, len: usize) -> String {
        let mut text = self.to_string();
        text.truncate(len);
        text
    }
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl std::fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ObjectId({self})")
    }
}

impl std::str::FromStr for ObjectId {
    type Err = BadHex;
    fn from_str(s: &str) -> Result<ObjectId, BadHex> {
        ObjectId::from_hex(s.as_bytes())
    }
}

/// One side of a change: the blob (or submodule commit) and its mode.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Side {
    /// The object id.
    #[serde(serialize_with = "hex")]
    pub id: ObjectId,
    /// The git file mode, e.g. `0o100644`.
    pub mode: u32,
}

fn hex<S: serde::Serializer>(id: &ObjectId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&id.to_string())
}

impl Side {
    /// Whether this side is a submodule (gitlink), which has no content here.
    pub fn is_submodule(&self) -> bool {
        self.mode == 0o160000
    }
}

/// One changed path.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Repository-relative path, `/`-separated.
    pub path: String,
    /// Before (absent when added).
    pub old: Option<Side>,
    /// After (absent when deleted).
    pub new: Option<Side>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_read_and_write_as_hex() {
        let hex = "0123456789abcdef0123456789abcdef01234567";
        let id: ObjectId = hex.parse().expect("40 hex digits");
        assert_eq!(id.to_string(), hex);
        assert_eq!(id.to_hex_with_len(10), "0123456789");
        assert!(!id.is_null());
        assert!(ObjectId::from_bytes([0; 20]).is_null());
        assert_eq!(
            "0123456789ABCDEF0123456789ABCDEF01234567"
                .parse::<ObjectId>()
                .ok(),
            Some(id)
        );
        for bad in [
            "",
            "0123",
            &format!("{hex}0"),
            "g123456789abcdef0123456789abcdef01234567",
        ] {
            assert!(bad.parse::<ObjectId>().is_err(), "{bad}");
        }
    }
}
