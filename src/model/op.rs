//! Operations: each recorded change to the state, and [`apply`], the pure function that
//! validates one against a state and performs it.
//!
//! Because `apply` depends only on the state, the record and nothing else, a writer that
//! loses a compare-and-swap race re-applies the same record to the newer state (which may
//! now refuse it), and sync can replay records from a diverged copy.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::message::{self, Draft};
use super::shard::Scope;
use super::{Halt, OpError, State, agent_ops, lock, task};

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
        agent: Box<super::Agent>,
    },
    /// Change a registered agent: its branch, role, boundaries, merge order.
    AgentEdit {
        /// The agent id.
        id: String,
        /// What changes.
        edit: Box<super::agent::AgentEdit>,
    },
    /// Remove an agent. Refused while it is bound to a worktree or holds locks, unless
    /// forced: then its locks are released and its binding dropped.
    AgentRemove {
        /// The agent id.
        id: String,
        /// Release its locks and drop its binding. Records made before the refusal existed
        /// did just that, so an absent field reads as true.
        #[serde(default = "yes", skip_serializing_if = "is_true")]
        force: bool,
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
        /// Lock inside another agent's `owns` or the locker's own `deny` (coordinators and
        /// users only). Absent from records made before it existed: false.
        #[serde(default, skip_serializing_if = "crate::model::keys::no")]
        force: bool,
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
    /// Apply a plan: settings, agents, authority, rules, tasks, waves and checks.
    PlanApply {
        /// The plan, validated.
        plan: Box<super::plan::Plan>,
    },
    /// Propose a decision.
    DecisionPropose(super::decision::Proposal),
    /// Give input on a decision.
    DecisionInput {
        /// The decision.
        id: String,
        /// The input.
        text: String,
    },
    /// Resolve a decision.
    DecisionResolve {
        /// The decision.
        id: String,
        /// The option chosen.
        choice: String,
        /// Why.
        rationale: String,
    },
    /// Hand work to another agent: a message with files at the sender's branch tip, and
    /// the sender's task done.
    Handoff(Draft),
    /// Set a memory entry.
    MemorySet {
        /// The `area/topic` key.
        key: String,
        /// The value.
        value: String,
    },
    /// Remove a memory entry.
    MemoryRm {
        /// The `area/topic` key.
        key: String,
    },
    /// Add a task.
    TaskAdd {
        /// The task id.
        id: String,
        /// The task.
        task: Box<super::task::Task>,
    },
    /// The acting agent takes a task.
    TaskClaim {
        /// The task id.
        id: String,
    },
    /// The assignee gives a task back.
    TaskDecline {
        /// The task id.
        id: String,
        /// Why.
        reason: String,
    },
    /// The acting agent starts a task.
    TaskStart {
        /// The task id.
        id: String,
    },
    /// A task is done (its deliverables and checks verified first).
    TaskDone {
        /// The task id.
        id: String,
    },
    /// A task is blocked.
    TaskBlock {
        /// The task id.
        id: String,
        /// Why.
        reason: String,
    },
    /// A done or blocked task is open again.
    TaskReopen {
        /// The task id.
        id: String,
    },
    /// The open wave's checkpoint passed (verified first): it is done and the next opens.
    WaveAdvance {
        /// The wave that was open.
        wave: String,
    },
    /// The clone joins the state as a site: ids it gives out carry the site's tag.
    SiteJoin,
    /// Rewrite the state in a newer format, changing nothing it holds: written by itself,
    /// before the first operation on a state of an older format.
    Migrate {
        /// The format read.
        from: u32,
        /// The format written.
        to: u32,
    },
}

impl Op {
    /// The parts of the state this operation reads and may change: a writer loads exactly
    /// these, and writes only the files that changed among them.
    pub fn scope(&self) -> Scope {
        match self {
            Op::Lock { patterns, .. } | Op::Unlock { patterns, .. } => {
                Scope::patterns(patterns.iter().map(String::as_str))
            }
            // Removing an agent releases its locks; a checkin renews them: wherever they are.
            Op::AgentRemove { .. } | Op::Checkin { .. } => Scope {
                locks: super::shard::Locks::All,
                messages: false,
                memory: false,
            },
            Op::MsgSend(_) | Op::MsgAck { .. } | Op::Handoff(_) => Scope::core().with_messages(),
            Op::MemorySet { .. } | Op::MemoryRm { .. } => Scope::core().with_memory(),
            Op::Init | Op::Migrate { .. } => Scope::all(),
            Op::AgentAdd { .. }
            | Op::AgentEdit { .. }
            | Op::AgentBind { .. }
            | Op::PlanApply { .. }
            | Op::TaskAdd { .. }
            | Op::TaskClaim { .. }
            | Op::TaskDecline { .. }
            | Op::TaskStart { .. }
            | Op::TaskDone { .. }
            | Op::TaskBlock { .. }
            | Op::TaskReopen { .. }
            | Op::WaveAdvance { .. }
            | Op::DecisionPropose(_)
            | Op::DecisionInput { .. }
            | Op::DecisionResolve { .. }
            | Op::Halt { .. }
            | Op::Resume
            | Op::SetIntegration { .. }
            | Op::SiteJoin => Scope::core(),
        }
    }
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
    /// The clone it was made in, once that clone joined a shared state (`gitcoord sync`):
    /// ids it gives out carry it, so two machines never give out the same one.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub site: Option<String>,
}

/// What an applied operation did, in one line for people.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// A one-line summary, also the state commit's subject.
    pub summary: String,
    /// Further facts worth telling (renewed locks, dropped expired locks…).
    pub notes: Vec<String>,
    /// The id of what the operation created (a message), for scripts.
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    pub id: Option<String>,
    /// The operation changes nothing (a plan applied again, a task claimed twice by the same
    /// agent): nothing is written.
    #[serde(skip)]
    pub unchanged: bool,
}

impl Applied {
    /// An outcome with a summary and nothing else.
    pub fn new(summary: impl Into<String>) -> Applied {
        Applied {
            summary: summary.into(),
            notes: Vec::new(),
            id: None,
            unchanged: false,
        }
    }

    /// This outcome, marked as changing nothing.
    pub fn unchanged(mut self) -> Applied {
        self.unchanged = true;
        self
    }
}

/// Applies `record` to `state`, or says why not. Expired locks and messages done with are
/// dropped first.
pub fn apply(state: &mut State, record: &Record) -> Result<Applied, OpError> {
    if let Op::Migrate { from, to } = &record.op {
        // A change of format only: nothing is pruned, no one is seen.
        return Ok(migrate(state, *from, *to));
    }
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
        Op::Init => Ok(Applied::new("create the coordination state")),
        Op::AgentAdd { id, agent } => agent_ops::add(state, id, agent),
        Op::AgentEdit { id, edit } => agent_ops::edit(state, id, edit),
        Op::AgentRemove { id, force } => agent_ops::remove(state, id, *force),
        Op::AgentBind { id, worktree } => agent_ops::bind(state, id, worktree),
        Op::Checkin { status, task, note } => checkin(state, record, status, task, note),
        Op::Lock {
            patterns,
            reason,
            ttl_secs,
            force,
        } => lock::take(state, record, patterns, reason, *ttl_secs, *force),
        Op::Unlock { patterns, force } => lock::release(state, record, patterns, *force),
        Op::Halt { reason } => halt(state, record, reason),
        Op::Resume => resume(state),
        Op::SetIntegration { branch } => set_integration(state, branch),
        Op::MsgSend(draft) => message::send(state, record, draft),
        Op::MsgAck { id } => message::ack(state, record, id),
        Op::Migrate { from, to } => Ok(migrate(state, *from, *to)),
        Op::DecisionPropose(p) => super::decision::propose(state, record, p),
        Op::DecisionInput { id, text } => super::decision::input(state, record, id, text),
        Op::DecisionResolve {
            id,
            choice,
            rationale,
        } => super::decision::resolve(state, record, id, choice, rationale),
        Op::Handoff(draft) => message::handoff(state, record, draft),
        Op::MemorySet { key, value } => super::memory::set(state, record, key, value),
        Op::MemoryRm { key } => super::memory::remove(state, key),
        Op::PlanApply { plan } => super::plan_apply::apply(state, record, plan),
        Op::TaskAdd { id, task } => task::add(state, record, id, task),
        Op::TaskClaim { id } => task::claim(state, record, id),
        Op::TaskDecline { id, reason } => task::decline(state, record, id, reason),
        Op::TaskStart { id } => task::start(state, record, id),
        Op::TaskDone { id } => task::done(state, record, id),
        Op::TaskBlock { id, reason } => task::block(state, record, id, reason),
        Op::TaskReopen { id } => task::reopen(state, record, id),
        Op::WaveAdvance { wave } => super::plan_apply::advance(state, record, wave),
        Op::SiteJoin => Ok(super::site::join(state, record)),
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

fn migrate(state: &mut State, from: u32, to: u32) -> Applied {
    state.meta.format = to;
    Applied::new(format!(
        "migrate the state from format {from} to format {to}"
    ))
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn checkin(
    state: &mut State,
    record: &Record,
    status: &Option<String>,
    task: &Option<String>,
    note: &Option<String>,
) -> Result<Applied, OpError> {
    let Some(id) = record.actor.agent_id() else {
        return Err(OpError::CheckinNeedsAgent);
    };
    for (field, text) in [("status", status), ("note", note)] {
        if let Some(text) = text {
            OpError::no_line_break(field, text)?;
        }
    }
    agent_ops::require(state, id)?;
    let task_note = match task {
        Some(task) => task::checkin_task(state, id, task)?,
        None => None,
    };
    let renewed = lock::renew_all(state, &record.actor.label(), record.at);
    let agent = state
        .agents
        .get_mut(id)
        .expect("agent_ops::require just found this agent");
    if status.is_some() {
        agent.status.clone_from(status);
    }
    if task.is_some() {
        agent.task.clone_from(task);
    }
    if note.is_some() {
        agent.note.clone_from(note);
    }
    let mut applied = Applied::new(format!(
        "checkin {id}{}",
        status
            .as_ref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default()
    ));
    if renewed > 0 {
        applied.notes.push(format!("renewed {renewed} lock(s)"));
    }
    applied.notes.extend(task_note);
    Ok(applied)
}

fn halt(state: &mut State, record: &Record, reason: &str) -> Result<Applied, OpError> {
    if reason.trim().is_empty() {
        return Err(OpError::HaltNeedsReason);
    }
    OpError::no_line_break("reason", reason)?;
    state.halt = Some(Halt {
        reason: reason.to_owned(),
        by: record.actor.label(),
        at: record.at,
    });
    Ok(Applied::new(format!("halt: {reason}")))
}

fn resume(state: &mut State) -> Result<Applied, OpError> {
    match state.halt.take() {
        Some(h) => Ok(Applied::new(format!(
            "resume (halted by {}: {})",
            h.by, h.reason
        ))),
        None => Err(OpError::NotHalted),
    }
}

fn set_integration(state: &mut State, branch: &Option<String>) -> Result<Applied, OpError> {
    state.meta.integration_branch.clone_from(branch);
    Ok(Applied::new(match branch {
        Some(b) => format!("set the integration branch to {b}"),
        None => "unset the integration branch (the remote's default applies)".to_owned(),
    }))
}

#[cfg(test)]
#[path = "op_tests.rs"]
mod tests;
