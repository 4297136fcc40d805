//! Why an operation was not applied: one variant per cause, carrying the facts. What the
//! user should do next is not written here but where the error reaches the user
//! (`cli::error`), so this layer names no command.

use jiff::Timestamp;

use super::Lock;

/// Whether an operation was refused by policy or is invalid for the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpErrorKind {
    /// Refused by policy (a lock held by another, …): exit code 1.
    Refused,
    /// Invalid for this state (an unknown agent, …): exit code 2.
    Invalid,
}

/// Why an operation was not applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    /// No agent has this id.
    #[error("no agent '{id}' is registered")]
    NoSuchAgent {
        /// The id asked for.
        id: String,
    },
    /// A message names an agent that is not registered.
    #[error("no agent '{id}' is registered")]
    NoSuchRecipient {
        /// The id given with `--to`.
        id: String,
    },
    /// An agent id is not acceptable.
    #[error("{reason}")]
    BadAgentId {
        /// What is wrong with it.
        reason: String,
    },
    /// An agent with this id exists already.
    #[error("agent '{id}' is already registered")]
    AgentExists {
        /// The id.
        id: String,
    },
    /// Another agent works on this branch: identity by branch would be ambiguous.
    #[error("branch '{branch}' is agent '{agent}'s already; each agent has a branch of its own")]
    BranchTaken {
        /// The branch.
        branch: String,
        /// The agent on it.
        agent: String,
    },
    /// A glob an agent would own overlaps one another agent owns: two owners of one file
    /// would keep each other out of it.
    #[error("'{glob}' overlaps '{theirs}', which agent '{agent}' owns; one file has one owner")]
    OwnsOverlap {
        /// The new agent's glob.
        glob: String,
        /// The other owner.
        agent: String,
        /// The other owner's glob.
        theirs: String,
    },
    /// An agent declared to be merged after itself.
    #[error("agent '{id}' cannot be merged after itself")]
    AfterItself {
        /// The agent.
        id: String,
    },
    /// The declared merge order would have a cycle.
    #[error("--after would make a merge-order cycle: {}", cycle.join(" -> "))]
    MergeCycle {
        /// The agents around the cycle, the first repeated last.
        cycle: Vec<String>,
    },
    /// An agent others are merged after cannot be removed.
    #[error("agent '{waiting}' is merged after '{id}'")]
    StillAfter {
        /// The agent that waits on `id`.
        waiting: String,
        /// The agent to be removed.
        id: String,
    },
    /// An agent to be removed is bound to a worktree or holds locks.
    #[error("{}", agent_busy(id, worktree.as_deref(), locks))]
    AgentBusy {
        /// The agent.
        id: String,
        /// The worktree bound to it.
        worktree: Option<String>,
        /// The patterns of the locks it holds.
        locks: Vec<String>,
    },
    /// An edit takes from an agent's list what the list does not hold.
    #[error("agent '{id}' has no '{value}' in its {field} list")]
    NotInList {
        /// The agent.
        id: String,
        /// The list: `owns`, `deny`, `allow` or `after`.
        field: &'static str,
        /// What was to be taken off it.
        value: String,
    },
    /// `checkin` by someone acting as no agent.
    #[error("checkin needs an agent, and you are acting as no registered agent")]
    CheckinNeedsAgent,
    /// A halt without a reason.
    #[error("a halt needs a reason")]
    HaltNeedsReason,
    /// `resume` while not halted.
    #[error("the repository is not halted")]
    NotHalted,
    /// A lock conflicts with one another actor holds.
    #[error("{}", lock_conflict(pattern, held, *at))]
    LockHeld {
        /// The pattern asked for.
        pattern: String,
        /// The lock in the way.
        held: Box<Lock>,
        /// When the operation was made.
        at: Timestamp,
    },
    /// No lock matches what is to be released.
    #[error("no live lock matches '{pattern}'")]
    NoLockMatches {
        /// The pattern given.
        pattern: String,
    },
    /// Releasing another's lock without `--force`.
    #[error("'{pattern}' is held by {holder}, not by you")]
    HeldByOther {
        /// The lock's pattern.
        pattern: String,
        /// Who holds it.
        holder: String,
    },
    /// A lock that reaches into another agent's `owns` (`owner`) or the locker's own `deny`
    /// (`owner` is `None`).
    #[error("{}", match owner {
        Some(owner) => format!("'{pattern}' reaches into '{area}', which {owner} owns: a lock there would block {owner}"),
        None => format!("'{pattern}' reaches into '{area}', which your boundaries deny you"),
    })]
    LockInBoundary {
        /// The pattern asked for.
        pattern: String,
        /// The glob of the boundary it meets.
        area: String,
        /// The agent who owns `area`, or `None` for the locker's own deny list.
        owner: Option<String>,
    },
    /// `--force` by someone who may not force.
    #[error("{actor} may not force: only a coordinator agent or an unbound user may")]
    ForceNotAllowed {
        /// Who tried.
        actor: String,
    },
    /// A free-text field that must be one line is not.
    #[error("the {field} must be a single line of text")]
    NotOneLine {
        /// The field: `subject`, …
        field: &'static str,
    },
    /// A message addressed to `user:` with no usable name.
    #[error("'{to}' names no user")]
    NoSuchUser {
        /// The recipient as given.
        to: String,
    },
    /// A recipient that is neither an agent id, `user:NAME` nor `all`.
    #[error("{reason}")]
    BadRecipient {
        /// What is wrong with it.
        reason: String,
    },
    /// No message has this id.
    #[error("no message '{id}' is in the state")]
    NoSuchMessage {
        /// The id asked for.
        id: String,
    },
    /// Acknowledging a message meant for someone else.
    #[error("message {id} is for {to}, not for {reader}")]
    NotYourMessage {
        /// The message.
        id: String,
        /// Whom it is for.
        to: String,
        /// Who tried to acknowledge it.
        reader: String,
    },
    /// No task has this id.
    #[error("no task '{id}' exists")]
    NoSuchTask {
        /// The id asked for.
        id: String,
    },
    /// A task id is not acceptable.
    #[error(
        "'{id}' is not a valid task id; use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit"
    )]
    BadTaskId {
        /// The id given.
        id: String,
    },
    /// A task's definition is not acceptable (an empty title, priority 0, an unknown check,
    /// a dependency on a task of a later wave).
    #[error("task '{id}': {why}")]
    BadTask {
        /// The task.
        id: String,
        /// What is wrong, and what is expected.
        why: String,
    },
    /// A re-applied plan's waves cannot go on from where the state's waves stand.
    #[error("the plan cannot be applied: {why}")]
    PlanWaves {
        /// What is wrong, and what to do.
        why: String,
    },
    /// A reply to a message of a thread the sender is not part of.
    #[error("message {id} is from {from} to {to}; only they can answer it")]
    NotInThread {
        /// The message replied to.
        id: String,
        /// Its sender.
        from: String,
        /// Its recipient.
        to: String,
    },
    /// `--within` without `--requires-response`, or a deadline that is no time at all.
    #[error(
        "--within sets how long an answer may take: it needs --requires-response and a positive duration"
    )]
    WithinNeedsResponse,
    /// No decision has this id.
    #[error("no decision '{id}' exists")]
    NoSuchDecision {
        /// The id asked for.
        id: String,
    },
    /// A decision that is resolved stays as it was resolved.
    #[error("decision {id} is resolved ({choice}) and stays so")]
    DecisionResolved {
        /// The decision.
        id: String,
        /// What was chosen.
        choice: String,
    },
    /// The actor may not resolve the decision.
    #[error("decision {id} can be resolved by {}, a coordinator or an unbound user", if who.is_empty() { "no agent".to_owned() } else { who.join(", ") })]
    NotYourDecision {
        /// The decision.
        id: String,
        /// The agents who may.
        who: Vec<String>,
    },
    /// A proposal or resolution that is not acceptable.
    #[error("{why}")]
    BadDecision {
        /// What is wrong, and what is expected.
        why: String,
    },
    /// A handoff addressed to all or to a user.
    #[error("a handoff goes to one agent, not '{to}'")]
    HandoffRecipient {
        /// The recipient given.
        to: String,
    },
    /// A memory key is not `area/topic`.
    #[error(
        "'{key}' is not a memory key; use area/topic: two parts of lowercase letters, digits, '.', '_' or '-' (e.g. api/schema)"
    )]
    BadMemoryKey {
        /// The key given.
        key: String,
    },
    /// A memory value over the cap.
    #[error("the value for {key} is {size} bytes, over the 64 KiB a memory entry holds")]
    MemoryTooLarge {
        /// The key.
        key: String,
        /// Its size in bytes.
        size: usize,
    },
    /// No memory entry has this key.
    #[error("memory holds nothing under {key}")]
    NoSuchMemory {
        /// The key.
        key: String,
    },
    /// A task with this id exists already.
    #[error("task '{id}' exists already")]
    TaskExists {
        /// The id.
        id: String,
    },
    /// The plan has no such wave.
    #[error("no wave '{id}' exists")]
    NoSuchWave {
        /// The id asked for.
        id: String,
    },
    /// Task dependencies would have a cycle.
    #[error("--after would make tasks depend on each other in a cycle: {}", cycle.join(" -> "))]
    TaskCycle {
        /// The tasks around the cycle, the first repeated last.
        cycle: Vec<String>,
    },
    /// Only an agent can take or start a task.
    #[error("only an agent can take or start a task, and you act as no agent")]
    TaskNeedsAgent,
    /// The task is done.
    #[error("task '{id}' is done")]
    TaskIsDone {
        /// The task.
        id: String,
    },
    /// Another agent has the task.
    #[error("task '{id}' is {assignee}'s")]
    TaskTaken {
        /// The task.
        id: String,
        /// Who has it.
        assignee: String,
    },
    /// The task is not the actor's.
    #[error("task '{id}' is {}", assignee.as_ref().map_or("nobody's".to_owned(), |a| format!("{a}'s")))]
    NotYourTask {
        /// The task.
        id: String,
        /// Who has it, if anyone.
        assignee: Option<String>,
    },
    /// The task cannot start (or be done) yet.
    #[error("task '{id}' must wait: {}", waiting.join("; "))]
    TaskNotReady {
        /// The task.
        id: String,
        /// What it waits on.
        waiting: Vec<String>,
    },
    /// The wave named is not the open one.
    #[error("wave '{wave}' is not the open wave{}", open.as_ref().map(|o| format!(" ({o} is)")).unwrap_or_default())]
    WaveNotOpen {
        /// The wave named.
        wave: String,
        /// The open wave, if any.
        open: Option<String>,
    },
    /// Tasks of the open wave are not done.
    #[error("wave '{wave}' has tasks not done: {}", tasks.join(", "))]
    WaveIncomplete {
        /// The wave.
        wave: String,
        /// Its tasks not done, with their status.
        tasks: Vec<String>,
    },
}

impl OpError {
    /// Refused by policy, or invalid for the state.
    pub fn kind(&self) -> OpErrorKind {
        match self {
            OpError::LockHeld { .. }
            | OpError::AgentBusy { .. }
            | OpError::LockInBoundary { .. }
            | OpError::HeldByOther { .. }
            | OpError::ForceNotAllowed { .. }
            | OpError::TaskTaken { .. }
            | OpError::NotYourTask { .. }
            | OpError::TaskNotReady { .. }
            | OpError::TaskIsDone { .. }
            | OpError::WaveNotOpen { .. }
            | OpError::WaveIncomplete { .. }
            | OpError::NoSuchMemory { .. }
            | OpError::DecisionResolved { .. }
            | OpError::NotYourDecision { .. } => OpErrorKind::Refused,
            _ => OpErrorKind::Invalid,
        }
    }
}

impl OpError {
    /// Checks a free-text field that must be one non-empty line (a subject, a title).
    pub fn one_line(field: &'static str, text: &str) -> Result<(), OpError> {
        if text.trim().is_empty() {
            return Err(OpError::NotOneLine { field });
        }
        OpError::no_line_break(field, text)
    }

    /// Checks a free-text field that is one line when given (a reason, a note): a line
    /// break would let it fake lines in every listing that shows it.
    pub fn no_line_break(field: &'static str, text: &str) -> Result<(), OpError> {
        if text.contains(['\n', '\r', '\0']) {
            return Err(OpError::NotOneLine { field });
        }
        Ok(())
    }
}

/// Says what keeps agent `id` from being removed: its worktree, its locks.
fn agent_busy(id: &str, worktree: Option<&str>, locks: &[String]) -> String {
    let mut what = Vec::new();
    if let Some(worktree) = worktree {
        what.push(format!("is bound to the worktree {worktree}"));
    }
    if !locks.is_empty() {
        what.push(format!("holds locks on {}", locks.join(", ")));
    }
    format!("agent '{id}' {}", what.join(" and "))
}

/// Describes a lock that blocks `pattern`: who, since when, why, until when.
pub fn lock_conflict(pattern: &str, held: &Lock, now: Timestamp) -> String {
    let what = if held.pattern == pattern {
        format!("'{pattern}' is locked")
    } else {
        format!("'{pattern}' overlaps '{}', locked", held.pattern)
    };
    format!(
        "{what} by {} since {}{}, until {}",
        held.holder,
        super::time::since(held.acquired, now),
        held.reason
            .as_ref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default(),
        held.expires.strftime("%H:%M:%SZ"),
    )
}
