//! Operations: each recorded change to the state, and [`apply`], the pure function that
//! validates one against a state and performs it.
//!
//! Because `apply` depends only on the state, the record and nothing else, a writer that
//! loses a compare-and-swap race re-applies the same record to the newer state (which may
//! now refuse it), and sync can replay records from a diverged copy.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::message::{self, Draft};
use super::{Agent, Halt, Lock, State, id};
use crate::policy::glob::Glob;

/// The default time a lock lives without renewal.
pub const DEFAULT_LOCK_TTL: SignedDuration = SignedDuration::from_mins(30);

/// Who performs an operation: a registered agent, or an unbound user (usually the lead).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Actor {
    /// A registered agent, by id.
    Agent {
        /// The agent id.
        id: String,
    },
    /// A user bound to no agent, by name.
    User {
        /// The user's name (git `user.name` or the login).
        name: String,
    },
}

impl Actor {
    /// The name recorded as holder or author: the agent id, or `user:NAME`.
    pub fn label(&self) -> String {
        match self {
            Actor::Agent { id } => id.clone(),
            Actor::User { name } => format!("user:{name}"),
        }
    }

    /// The agent id, when the actor is an agent.
    pub fn agent_id(&self) -> Option<&str> {
        match self {
            Actor::Agent { id } => Some(id),
            Actor::User { .. } => None,
        }
    }
}

/// One operation on the state.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Op {
    /// Create the state.
    Init,
    /// Register an agent.
    AgentAdd {
        /// The new agent's id.
        id: String,
        /// Its record.
        agent: Box<Agent>,
    },
    /// Remove an agent (and release its locks).
    AgentRemove {
        /// The agent id.
        id: String,
    },
    /// Bind a worktree to an agent, so identity resolves there without flags.
    AgentBind {
        /// The agent id.
        id: String,
        /// The absolute worktree path.
        worktree: String,
    },
    /// Heartbeat of the acting agent; renews its locks.
    Checkin {
        /// A status word, e.g. `working`.
        status: Option<String>,
        /// The task being worked on.
        task: Option<String>,
        /// A free-form note.
        note: Option<String>,
    },
    /// Take (or renew) locks, all or none.
    Lock {
        /// Normalised patterns.
        patterns: Vec<String>,
        /// Why.
        reason: Option<String>,
        /// Lifetime in seconds.
        ttl_secs: i64,
    },
    /// Release locks.
    Unlock {
        /// Normalised patterns, each naming locks to release.
        patterns: Vec<String>,
        /// Release others' locks too.
        force: bool,
    },
    /// Emergency halt.
    Halt {
        /// Why.
        reason: String,
    },
    /// Lift the halt.
    Resume,
    /// Set (or, with `None`, unset) the branch agents integrate into.
    SetIntegration {
        /// The branch name.
        branch: Option<String>,
    },
    /// Send a message.
    MsgSend(Draft),
    /// Acknowledge a message.
    MsgAck {
        /// The message id.
        id: String,
    },
}

/// An operation with who performed it and when: what a state commit records.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The operation.
    #[serde(flatten)]
    pub op: Op,
    /// Who.
    pub actor: Actor,
    /// When.
    pub at: Timestamp,
}

/// Why an operation was not applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    /// Refused by policy (a lock held by another, …): exit code 1.
    #[error("{message}")]
    Refused {
        /// What happened.
        message: String,
        /// What to do next.
        hint: String,
    },
    /// Invalid for this state (unknown agent, …): exit code 2.
    #[error("{message}")]
    Invalid {
        /// What happened.
        message: String,
        /// What to do next.
        hint: String,
    },
}

fn invalid(message: impl Into<String>, hint: impl Into<String>) -> OpError {
    OpError::Invalid {
        message: message.into(),
        hint: hint.into(),
    }
}

/// What an applied operation did, in one line for people.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// A one-line summary, also the state commit's subject.
    pub summary: String,
    /// Further facts worth telling (renewed locks, dropped expired locks…).
    pub notes: Vec<String>,
    /// The id of what the operation created (a message), for scripts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl Applied {
    /// An outcome with a summary and nothing else.
    pub fn new(summary: impl Into<String>) -> Applied {
        Applied {
            summary: summary.into(),
            notes: Vec::new(),
            id: None,
        }
    }
}

/// Applies `record` to `state`, or says why not. Expired locks and messages done with are
/// dropped first.
pub fn apply(state: &mut State, record: &Record) -> Result<Applied, OpError> {
    let now = record.at;
    let expired = state.locks.len();
    state.locks.retain(|l| l.is_live(now));
    let expired = expired - state.locks.len();
    let pruned = message::prune(state, now);
    if let Some(id) = record.actor.agent_id() {
        if let Some(agent) = state.agents.get_mut(id) {
            agent.last_seen = Some(now);
        }
    }
    let mut applied = match &record.op {
        Op::Init => Ok(done("create the coordination state")),
        Op::AgentAdd { id, agent } => agent_add(state, id, agent),
        Op::AgentRemove { id } => agent_remove(state, id),
        Op::AgentBind { id, worktree } => agent_bind(state, id, worktree),
        Op::Checkin { status, task, note } => checkin(state, record, status, task, note),
        Op::Lock {
            patterns,
            reason,
            ttl_secs,
        } => lock(state, record, patterns, reason, *ttl_secs),
        Op::Unlock { patterns, force } => unlock(state, record, patterns, *force),
        Op::Halt { reason } => halt(state, record, reason),
        Op::Resume => resume(state),
        Op::SetIntegration { branch } => set_integration(state, branch),
        Op::MsgSend(draft) => message::send(state, record, draft),
        Op::MsgAck { id } => message::ack(state, record, id),
    }?;
    if expired > 0 {
        applied
            .notes
            .push(format!("dropped {expired} expired lock(s)"));
    }
    if pruned > 0 {
        applied.notes.push(format!(
            "dropped {pruned} message(s) acknowledged over a week ago"
        ));
    }
    Ok(applied)
}

fn done(summary: impl Into<String>) -> Applied {
    Applied::new(summary)
}

fn require_agent<'s>(state: &'s State, id: &str) -> Result<&'s Agent, OpError> {
    state.agents.get(id).ok_or_else(|| {
        invalid(
            format!("no agent '{id}' is registered"),
            "see `gitcoord agent list`, or register it with `gitcoord agent add ID --branch BRANCH`",
        )
    })
}

fn agent_add(state: &mut State, id: &str, agent: &Agent) -> Result<Applied, OpError> {
    id::validate_agent_id(id).map_err(|m| invalid(m, "choose another id"))?;
    if state.agents.contains_key(id) {
        return Err(invalid(
            format!("agent '{id}' is already registered"),
            format!(
                "see `gitcoord agent show {id}`; remove it first with `gitcoord agent remove {id}` to re-register"
            ),
        ));
    }
    for before in &agent.after {
        if before == id {
            return Err(invalid(
                format!("agent '{id}' cannot be merged after itself"),
                "drop it from --after",
            ));
        }
        require_agent(state, before)?;
    }
    state.agents.insert(id.to_owned(), agent.clone());
    if let Some(cycle) = crate::policy::merge_order::find_cycle(&state.agents) {
        state.agents.remove(id);
        return Err(invalid(
            format!(
                "--after would make a merge-order cycle: {}",
                cycle.join(" -> ")
            ),
            "drop one --after so the order has a first agent",
        ));
    }
    Ok(done(format!("add agent {id} on {}", agent.branch)))
}

fn agent_remove(state: &mut State, id: &str) -> Result<Applied, OpError> {
    require_agent(state, id)?;
    if let Some((waiting, _)) = state
        .agents
        .iter()
        .find(|(_, a)| a.after.iter().any(|b| b == id))
    {
        return Err(invalid(
            format!("agent '{waiting}' is merged after '{id}'"),
            format!("remove '{waiting}' first, or re-register it without --after {id}"),
        ));
    }
    state.agents.remove(id);
    let before = state.locks.len();
    state.locks.retain(|l| l.holder != id);
    let mut applied = done(format!("remove agent {id}"));
    if before > state.locks.len() {
        let n = before - state.locks.len();
        applied.notes.push(format!("released {n} lock(s) it held"));
    }
    Ok(applied)
}

fn agent_bind(state: &mut State, id: &str, worktree: &str) -> Result<Applied, OpError> {
    require_agent(state, id)?;
    for agent in state.agents.values_mut() {
        if agent.worktree.as_deref() == Some(worktree) {
            agent.worktree = None;
        }
    }
    if let Some(agent) = state.agents.get_mut(id) {
        agent.worktree = Some(worktree.to_owned());
    }
    Ok(done(format!("bind {worktree} to agent {id}")))
}

fn checkin(
    state: &mut State,
    record: &Record,
    status: &Option<String>,
    task: &Option<String>,
    note: &Option<String>,
) -> Result<Applied, OpError> {
    let Some(id) = record.actor.agent_id() else {
        return Err(invalid(
            "checkin needs an agent, and you are acting as no registered agent",
            "pass --agent ID, set GITCOORD_AGENT, or run it from the agent's worktree",
        ));
    };
    require_agent(state, id)?;
    let renewed = renew_locks(state, &record.actor.label(), record.at);
    let agent = state
        .agents
        .get_mut(id)
        .expect("require_agent just found this agent");
    if status.is_some() {
        agent.status.clone_from(status);
    }
    if task.is_some() {
        agent.task.clone_from(task);
    }
    if note.is_some() {
        agent.note.clone_from(note);
    }
    let mut applied = done(format!(
        "checkin {id}{}",
        status
            .as_ref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default()
    ));
    if renewed > 0 {
        applied.notes.push(format!("renewed {renewed} lock(s)"));
    }
    Ok(applied)
}

/// Extends every lock held by `holder` by its original lifetime from `now`.
fn renew_locks(state: &mut State, holder: &str, now: Timestamp) -> usize {
    let mut n = 0;
    for lock in state.locks.iter_mut().filter(|l| l.holder == holder) {
        let ttl = lock
            .expires
            .duration_since(lock.acquired)
            .max(SignedDuration::ZERO);
        let ttl = if ttl.is_zero() { DEFAULT_LOCK_TTL } else { ttl };
        lock.acquired = now;
        lock.expires = now.saturating_add(ttl).unwrap_or(now);
        n += 1;
    }
    n
}

fn lock(
    state: &mut State,
    record: &Record,
    patterns: &[String],
    reason: &Option<String>,
    ttl_secs: i64,
) -> Result<Applied, OpError> {
    let holder = record.actor.label();
    let now = record.at;
    for pattern in patterns {
        let glob = Glob::new(pattern);
        if let Some(other) = state
            .locks
            .iter()
            .find(|l| l.holder != holder && glob.overlaps(&Glob::new(&l.pattern)))
        {
            return Err(OpError::Refused {
                message: lock_conflict_message(pattern, other, now),
                hint: format!(
                    "ask them: gitcoord msg send --to {} --subject 'release {}'; or wait for it to expire; a coordinator can run gitcoord unlock --force '{}'",
                    other.holder, other.pattern, other.pattern
                ),
            });
        }
    }
    let expires = now
        .saturating_add(SignedDuration::from_secs(ttl_secs))
        .unwrap_or(now);
    let mut renewed = 0;
    for pattern in patterns {
        if let Some(existing) = state
            .locks
            .iter_mut()
            .find(|l| l.holder == holder && &l.pattern == pattern)
        {
            existing.acquired = now;
            existing.expires = expires;
            if reason.is_some() {
                existing.reason.clone_from(reason);
            }
            renewed += 1;
        } else {
            state.locks.push(Lock {
                pattern: pattern.clone(),
                holder: holder.clone(),
                reason: reason.clone(),
                acquired: now,
                expires,
            });
        }
    }
    let mut applied = done(format!("lock {} by {holder}", patterns.join(" ")));
    if renewed > 0 {
        applied
            .notes
            .push(format!("renewed {renewed} lock(s) already held"));
    }
    Ok(applied)
}

/// Describes a lock that blocks `pattern`: who, since when, why, until when.
pub fn lock_conflict_message(pattern: &str, other: &Lock, now: Timestamp) -> String {
    let what = if other.pattern == pattern {
        format!("'{pattern}' is locked")
    } else {
        format!("'{pattern}' overlaps '{}', locked", other.pattern)
    };
    format!(
        "{what} by {} since {}{}, until {}",
        other.holder,
        super::time::since(other.acquired, now),
        other
            .reason
            .as_ref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default(),
        other.expires.strftime("%H:%M:%SZ"),
    )
}

fn may_force(state: &State, actor: &Actor) -> bool {
    match actor {
        Actor::User { .. } => true,
        Actor::Agent { id } => state.agents.get(id).is_some_and(|a| a.coordinator),
    }
}

fn unlock(
    state: &mut State,
    record: &Record,
    patterns: &[String],
    force: bool,
) -> Result<Applied, OpError> {
    let holder = record.actor.label();
    if force && !may_force(state, &record.actor) {
        return Err(OpError::Refused {
            message: format!(
                "{holder} may not force-unlock: only a coordinator agent or an unbound user may"
            ),
            hint: "ask the lead or a coordinator agent to run it".into(),
        });
    }
    let mut released = Vec::new();
    for pattern in patterns {
        let exact: Vec<usize> = (0..state.locks.len())
            .filter(|&i| &state.locks[i].pattern == pattern)
            .collect();
        let hits = if exact.is_empty() {
            let glob = Glob::new(pattern);
            (0..state.locks.len())
                .filter(|&i| glob.matches(&state.locks[i].pattern))
                .collect()
        } else {
            exact
        };
        if hits.is_empty() {
            return Err(invalid(
                format!("no live lock matches '{pattern}'"),
                "see `gitcoord locks` for the locks held now",
            ));
        }
        if let Some(&i) = hits.iter().find(|&&i| state.locks[i].holder != holder) {
            if !force {
                let other = &state.locks[i];
                return Err(OpError::Refused {
                    message: format!(
                        "'{}' is held by {}, not by you",
                        other.pattern, other.holder
                    ),
                    hint: format!(
                        "ask {} to release it; the lead or a coordinator can run gitcoord unlock --force '{}'",
                        other.holder, other.pattern
                    ),
                });
            }
        }
        released.extend(hits);
    }
    released.sort_unstable();
    released.dedup();
    let mut forced = Vec::new();
    for &i in released.iter().rev() {
        let lock = state.locks.remove(i);
        if lock.holder != holder {
            forced.push(format!("{} (held by {})", lock.pattern, lock.holder));
        }
    }
    let mut applied = done(format!("unlock {} by {holder}", patterns.join(" ")));
    if !forced.is_empty() {
        forced.reverse();
        applied.summary.push_str(" (forced)");
        applied
            .notes
            .push(format!("force-released {}", forced.join(", ")));
    }
    Ok(applied)
}

fn halt(state: &mut State, record: &Record, reason: &str) -> Result<Applied, OpError> {
    if reason.trim().is_empty() {
        return Err(invalid(
            "a halt needs a reason",
            "pass --reason 'why work must stop'",
        ));
    }
    state.halt = Some(Halt {
        reason: reason.to_owned(),
        by: record.actor.label(),
        at: record.at,
    });
    Ok(done(format!("halt: {reason}")))
}

fn resume(state: &mut State) -> Result<Applied, OpError> {
    match state.halt.take() {
        Some(h) => Ok(done(format!("resume (halted by {}: {})", h.by, h.reason))),
        None => Err(invalid(
            "the repository is not halted",
            "nothing to resume; see `gitcoord status`",
        )),
    }
}

fn set_integration(state: &mut State, branch: &Option<String>) -> Result<Applied, OpError> {
    state.meta.integration_branch.clone_from(branch);
    Ok(done(match branch {
        Some(b) => format!("set the integration branch to {b}"),
        None => "unset the integration branch (the remote's default applies)".to_owned(),
    }))
}

#[cfg(test)]
#[path = "op_tests.rs"]
mod tests;
