//! A registered agent: its branch, role, boundaries, merge-order predecessors and heartbeat.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// One agent of the registry (`agents/ID.toml`, named by its id).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct Agent {
    /// The branch the agent works on.
    pub branch: String,
    /// A free-form role, e.g. `security lead`.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub role: Option<String>,
    /// What it knows, matched against tasks' expertise.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub expertise: Vec<String>,
    /// Ports of the services it runs.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub ports: Vec<u16>,
    /// Globs this agent owns: no other agent may change them.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub owns: Vec<String>,
    /// Globs this agent must not touch (its do-not-touch list).
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub deny: Vec<String>,
    /// When not empty, the only globs this agent may change.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub allow: Vec<String>,
    /// Agents whose work must be merged before this agent's (merge order).
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub after: Vec<String>,
    /// A coordinator may force-unlock and resolve on behalf of others.
    #[serde(default, skip_serializing_if = "crate::model::keys::no")]
    pub coordinator: bool,
    /// The absolute path of the worktree bound to this agent, if any.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub worktree: Option<String>,
    /// When the agent was registered.
    pub added: Timestamp,
    /// The last status reported by `checkin`.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub status: Option<String>,
    /// The task the agent reported working on.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub task: Option<String>,
    /// A free-form note from the last `checkin`.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub note: Option<String>,
    /// The last time the agent checked in or changed the state.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub last_seen: Option<Timestamp>,
}

/// The changes `agent edit` makes to one agent: what is set, what is added to each list
/// and what is taken from it. Every field is optional in a record, so records stay readable
/// as fields are added.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct AgentEdit {
    /// A new branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// A new role; an empty one clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Globs to own besides those it owns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owns: Vec<String>,
    /// Globs to add to its do-not-touch list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deny: Vec<String>,
    /// Globs to add to its allow list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
    /// Agents to be merged before it, besides those it names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
    /// Globs it owns no longer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_owns: Vec<String>,
    /// Globs taken off its do-not-touch list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_deny: Vec<String>,
    /// Globs taken off its allow list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_allow: Vec<String>,
    /// Agents it is merged after no longer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_after: Vec<String>,
    /// Whether it is a coordinator from now on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coordinator: Option<bool>,
}

impl AgentEdit {
    /// Whether the edit asks for no change at all.
    pub fn is_empty(&self) -> bool {
        *self == AgentEdit::default()
    }
}
