//! A changed path as the checks see it: the path and its blob (or submodule commit) on
//! each side. The git layer computes changes; policy judges them.
//!
//! Object ids cross the layers as [`ObjectId`], gix-hash's id type: the one type that the
//! git layer and the pure layers share (re-exported here so nothing above `git` names gix).

use serde::Serialize;

/// A git object id (SHA-1), as every layer names one.
pub type ObjectId = gix_hash::ObjectId;

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
