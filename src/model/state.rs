//! The whole coordination state, as read from (and written to) the TOML files of one state commit.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::plan_state::PlanState;
use super::task::Task;
use super::{Agent, Lock, Message};

/// The sync mode in which exclusive operations count only once on the remote.
pub const SYNC_STRICT: &str = "strict";
/// The sync modes a plan or `gitcoord.sync` may name.
pub const SYNC_MODES: &[&str] = &["default", SYNC_STRICT];

/// The format version written into `gitcoord.toml`; readers refuse newer ones.
pub const FORMAT_VERSION: u32 = 2;

/// Repository-wide facts and settings (`gitcoord.toml`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Meta {
    /// The state format version.
    pub format: u32,
    /// When the state was created.
    pub created: Timestamp,
    /// The branch agents integrate into; unset means the remote's default, else `main`.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub integration_branch: Option<String>,
    /// The number of the last message sent (`m1`, `m2`, …), pruned ones included.
    #[serde(default, skip_serializing_if = "crate::model::keys::zero")]
    pub last_message: u64,
    /// The number of the last decision proposed (`d1`, `d2`, …).
    #[serde(default, skip_serializing_if = "crate::model::keys::zero")]
    pub last_decision: u64,
    /// The clones that joined the state to sync it, by tag (see `model::site`).
    #[serde(default, skip_serializing_if = "crate::model::keys::empty_map")]
    pub sites: BTreeMap<String, super::site::Site>,
    /// Worktrees whose bound agent was removed (`agent remove --force`), by absolute path,
    /// with that agent's id: identity there is an error until the worktree is bound again,
    /// never a silent fall back to an unbound user.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty_map")]
    pub removed_bindings: BTreeMap<String, String>,
}

/// The emergency halt (`halt.toml`): while present, every commit and push is refused.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Halt {
    /// Why work was halted.
    pub reason: String,
    /// Who halted it.
    pub by: String,
    /// When.
    pub at: Timestamp,
}

/// The coordination state at one point of the state ref's history.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// Format and settings.
    pub meta: Meta,
    /// The agent registry, by id.
    pub agents: BTreeMap<String, Agent>,
    /// File locks: by lock file (see `shard`), then in the order they were taken.
    pub locks: Vec<Lock>,
    /// The emergency halt, if any.
    pub halt: Option<Halt>,
    /// Messages between agents, in the order sent.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub messages: Vec<Message>,
    /// The plan applied last, without its agents and tasks.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub plan: Option<PlanState>,
    /// The tasks, by id.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty_map")]
    pub tasks: BTreeMap<String, Task>,
    /// The decision log, by id.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty_map")]
    pub decisions: BTreeMap<String, super::decision::Decision>,
    /// The shared memory, by `area/topic` key (loaded only in a scope that asks for it).
    #[serde(default, skip_serializing_if = "crate::model::keys::empty_map")]
    pub memory: BTreeMap<String, super::memory::Entry>,
}

impl State {
    /// A fresh, empty state created at `now`.
    pub fn new(now: Timestamp) -> State {
        State {
            meta: Meta {
                format: FORMAT_VERSION,
                created: now,
                integration_branch: None,
                last_message: 0,
                last_decision: 0,
                sites: BTreeMap::new(),
                removed_bindings: BTreeMap::new(),
            },
            agents: BTreeMap::new(),
            locks: Vec::new(),
            halt: None,
            messages: Vec::new(),
            plan: None,
            tasks: BTreeMap::new(),
            decisions: BTreeMap::new(),
            memory: BTreeMap::new(),
        }
    }

    /// The locks that still block at `now`, by pattern (so a directory's locks are listed
    /// together), then holder.
    pub fn live_locks(&self, now: Timestamp) -> Vec<&Lock> {
        let mut live: Vec<&Lock> = self.locks.iter().filter(|l| l.is_live(now)).collect();
        live.sort_by(|a, b| (&a.pattern, &a.holder).cmp(&(&b.pattern, &b.holder)));
        live
    }

    /// The plan's `settings.lock_ttl`, else the default lock lifetime (30 minutes).
    pub fn lock_ttl(&self) -> jiff::SignedDuration {
        self.setting(|s| s.lock_ttl.as_deref())
            .unwrap_or(super::lock::DEFAULT_LOCK_TTL)
    }

    /// The plan's `settings.stale_after`, else 24 hours: an agent not seen for this long
    /// is stale.
    pub fn stale_after(&self) -> jiff::SignedDuration {
        self.setting(|s| s.stale_after.as_deref())
            .unwrap_or(jiff::SignedDuration::from_hours(24))
    }

    /// Whether the plan asks for strict sync (`settings.sync = "strict"`).
    pub fn strict_sync(&self) -> bool {
        self.plan
            .as_ref()
            .is_some_and(|p| p.settings.sync.as_deref() == Some(SYNC_STRICT))
    }

    /// The plan's `settings.response_deadline`, else 4 hours: how long a message that
    /// requires a response may wait for one.
    pub fn response_deadline(&self) -> jiff::SignedDuration {
        self.setting(|s| s.response_deadline.as_deref())
            .unwrap_or(jiff::SignedDuration::from_hours(4))
    }

    /// Whether agent `agent` has not been seen (checked in, changed the state) for
    /// [`State::stale_after`] at `now`.
    pub fn is_stale(&self, agent: &Agent, now: Timestamp) -> bool {
        let seen = agent.last_seen.unwrap_or(agent.added);
        now.duration_since(seen) > self.stale_after()
    }

    /// A duration setting of the plan, when set and valid (`plan check` saw to it).
    fn setting(
        &self,
        pick: impl Fn(&super::plan::Settings) -> Option<&str>,
    ) -> Option<jiff::SignedDuration> {
        let text = pick(&self.plan.as_ref()?.settings)?;
        super::time::parse_duration(text).ok()
    }

    /// The agent whose branch is `branch`, if exactly one has it.
    pub fn agent_by_branch(&self, branch: &str) -> Option<&str> {
        let mut hits = self.agents.iter().filter(|(_, a)| a.branch == branch);
        let first = hits.next()?;
        hits.next().is_none().then_some(first.0.as_str())
    }

    /// The agent bound to the worktree at `path`, if any.
    pub fn agent_by_worktree(&self, path: &str) -> Option<&str> {
        self.agents
            .iter()
            .find(|(_, a)| a.worktree.as_deref() == Some(path))
            .map(|(id, _)| id.as_str())
    }
}
