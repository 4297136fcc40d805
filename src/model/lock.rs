//! A file lock: a repository-relative path, directory or glob held by one actor until it expires.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// One lock of `locks.toml`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Lock {
    /// The normalised pattern: a path, `dir/**`, or a glob, relative to the repository root.
    pub pattern: String,
    /// The actor holding it: an agent id or `user:NAME`.
    pub holder: String,
    /// Why it is held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it was first acquired.
    pub acquired: Timestamp,
    /// When it stops blocking anyone.
    pub expires: Timestamp,
}

impl Lock {
    /// Whether the lock still blocks others at `now`.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.expires > now
    }
}
