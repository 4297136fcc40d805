//! Tasks: a queue with dependencies, waves and assignees, and the transitions between their
//! statuses (`open` → `claimed` → `in-progress` → `done`, with `blocked` aside). What a
//! transition needs from outside the state (deliverables on a branch tip, checks that pass)
//! is verified before the operation is recorded; here only the state decides.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::op::{Actor, Applied, Record};
use super::{OpError, State};

/// A task's status.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
#[serde(rename_all = "kebab-case")]
pub enum TaskStatus {
    /// Nobody works on it yet.
    #[default]
    Open,
    /// An agent has taken it.
    Claimed,
    /// Its assignee works on it.
    InProgress,
    /// Stopped, with a reason.
    Blocked,
    /// Finished.
    Done,
}

impl TaskStatus {
    /// The status as written (`in-progress`).
    pub fn name(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Claimed => "claimed",
            TaskStatus::InProgress => "in-progress",
            TaskStatus::Blocked => "blocked",
            TaskStatus::Done => "done",
        }
    }
}

/// One task of the queue (`tasks/ID.toml`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct Task {
    /// One line.
    pub title: String,
    /// Where it stands.
    #[serde(default)]
    pub status: TaskStatus,
    /// The agent it is assigned to, or who claimed it.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub assignee: Option<String>,
    /// An agent it is suggested to; anyone may claim it.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub suggest: Option<String>,
    /// Tasks that must be done before it starts.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub after: Vec<String>,
    /// The wave it belongs to.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub wave: Option<String>,
    /// 1 is the most urgent.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub priority: Option<u32>,
    /// Due date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub due: Option<String>,
    /// The expertise it needs.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub expertise: Option<String>,
    /// Files that must exist on the assignee's branch tip before it is done.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub deliverables: Vec<String>,
    /// Checks that must pass before it is done.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub checks: Vec<String>,
    /// Why it is blocked, or why it was last declined.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub reason: Option<String>,
    /// The position in the plan (tasks are listed in plan order).
    #[serde(default)]
    pub order: u32,
    /// When its status last changed.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub updated: Option<Timestamp>,
}

/// The tasks of `state` in plan order.
pub fn in_order(state: &State) -> Vec<(&str, &Task)> {
    let mut tasks: Vec<(&str, &Task)> =
        state.tasks.iter().map(|(id, t)| (id.as_str(), t)).collect();
    tasks.sort_by_key(|(id, t)| (t.order, *id));
    tasks
}

/// What keeps task `id` from starting now: unfinished dependencies, its wave not open,
/// earlier tasks of a sequential wave not done. Empty when it may start.
pub fn blockers(state: &State, id: &str, task: &Task) -> Vec<String> {
    let mut out = Vec::new();
    for before in &task.after {
        match state.tasks.get(before) {
            Some(t) if t.status == TaskStatus::Done => {}
            Some(t) => out.push(format!("task {before} is {}", t.status.name())),
            None => out.push(format!("task {before} does not exist")),
        }
    }
    if let (Some(wave), Some(plan)) = (&task.wave, &state.plan) {
        match plan.waves.iter().find(|w| &w.id == wave) {
            Some(w) if w.status == super::plan_state::WaveStatus::Open => {
                if w.mode == super::plan::WaveMode::Sequential {
                    for (other, t) in in_order(state) {
                        if other == id {
                            break;
                        }
                        if t.wave.as_deref() == Some(wave) && t.status != TaskStatus::Done {
                            out.push(format!(
                                "task {other} comes first in the sequential wave {wave} and is {}",
                                t.status.name()
                            ));
                        }
                    }
                }
            }
            Some(w) => out.push(format!("wave {wave} is {}", w.status.name())),
            None => out.push(format!("wave {wave} does not exist")),
        }
    }
    out
}

fn require_task<'s>(state: &'s mut State, id: &str) -> Result<&'s mut Task, OpError> {
    state
        .tasks
        .get_mut(id)
        .ok_or_else(|| OpError::NoSuchTask { id: id.to_owned() })
}

fn agent_of(record: &Record) -> Result<&str, OpError> {
    record.actor.agent_id().ok_or(OpError::TaskNeedsAgent)
}

/// A user or a coordinator may act on anyone's task.
fn may_override(state: &State, actor: &Actor) -> bool {
    match actor {
        Actor::User { .. } => true,
        Actor::Agent { id } => state.agents.get(id).is_some_and(|a| a.coordinator),
    }
}

/// Task `id`, when `record`'s actor is its assignee, a coordinator or a user.
fn own_task<'s>(state: &'s mut State, record: &Record, id: &str) -> Result<&'s mut Task, OpError> {
    let overrides = may_override(state, &record.actor);
    let task = require_task(state, id)?;
    let mine = task.assignee.is_some() && task.assignee.as_deref() == record.actor.agent_id();
    if !mine && !overrides {
        return Err(OpError::NotYourTask {
            id: id.to_owned(),
            assignee: task.assignee.clone(),
        });
    }
    Ok(task)
}

/// What `checkin --task ID` by `agent` says about the task, once the task queue knows it.
///
/// Without tasks in the state the word is free-form. With tasks, it must name one (a typo
/// would otherwise hide the agent's work from `status`), and not another agent's.
pub fn checkin_task(state: &State, agent: &str, id: &str) -> Result<Option<String>, OpError> {
    if state.tasks.is_empty() || id.is_empty() {
        return Ok(None);
    }
    let Some(task) = state.tasks.get(id) else {
        return Err(OpError::NoSuchTask { id: id.to_owned() });
    };
    match task.assignee.as_deref() {
        Some(other) if other != agent => Err(OpError::TaskTaken {
            id: id.to_owned(),
            assignee: other.to_owned(),
        }),
        None => Ok(Some(format!(
            "task {id} is nobody's yet: `gitcoord task claim {id}` takes it"
        ))),
        Some(_) => Ok(match task.status {
            TaskStatus::InProgress => None,
            TaskStatus::Open | TaskStatus::Claimed => Some(format!(
                "task {id} is not started: `gitcoord task start {id}` when you begin"
            )),
            TaskStatus::Blocked => Some(format!(
                "task {id} is blocked: `gitcoord task reopen {id}` once it may go on"
            )),
            TaskStatus::Done => Some(format!("task {id} is done already")),
        }),
    }
}

/// What `task add` refuses that a plan's checker refuses too: an empty title, priority 0,
/// a check the plan lacks, a dependency on a task of a later wave.
fn check_definition(state: &State, id: &str, task: &Task) -> Result<(), OpError> {
    let bad = |why: String| {
        Err(OpError::BadTask {
            id: id.to_owned(),
            why,
        })
    };
    if task.title.trim().is_empty() {
        return bad("the title is empty; give it one line saying what is to be done".into());
    }
    if task.priority == Some(0) {
        return bad("priority 0 is not a priority; use 1 (the most urgent) or more".into());
    }
    let plan = state.plan.as_ref();
    for check in &task.checks {
        if !plan.is_some_and(|p| p.checks.iter().any(|c| &c.id == check)) {
            return bad(format!(
                "the plan has no check '{check}'; name one of its [[check]] ids"
            ));
        }
    }
    let waves = plan.map(|p| p.waves.as_slice()).unwrap_or_default();
    let index = |wave: Option<&String>| wave.and_then(|w| waves.iter().position(|x| &x.id == w));
    if let Some(mine) = index(task.wave.as_ref()) {
        for before in &task.after {
            let theirs = state.tasks.get(before).and_then(|t| index(t.wave.as_ref()));
            if let Some(theirs) = theirs.filter(|&t| t > mine) {
                return bad(format!(
                    "it would come after '{before}' of the later wave {}; put it in that wave or later, or drop the dependency",
                    waves[theirs].id
                ));
            }
        }
    }
    Ok(())
}

/// Adds a task.
pub fn add(state: &mut State, record: &Record, id: &str, task: &Task) -> Result<Applied, OpError> {
    super::id::validate_agent_id(id).map_err(|_| OpError::BadTaskId { id: id.to_owned() })?;
    if state.tasks.contains_key(id) {
        return Err(OpError::TaskExists { id: id.to_owned() });
    }
    for before in &task.after {
        if !state.tasks.contains_key(before) {
            return Err(OpError::NoSuchTask { id: before.clone() });
        }
    }
    for agent in task.assignee.iter().chain(&task.suggest) {
        if !state.agents.contains_key(agent) {
            return Err(OpError::NoSuchAgent { id: agent.clone() });
        }
    }
    if let Some(wave) = &task.wave {
        let known = state
            .plan
            .as_ref()
            .is_some_and(|p| p.waves.iter().any(|w| &w.id == wave));
        if !known {
            return Err(OpError::NoSuchWave { id: wave.clone() });
        }
    }
    check_definition(state, id, task)?;
    let mut task = task.clone();
    task.order = state.tasks.values().map(|t| t.order + 1).max().unwrap_or(0);
    task.status = if task.assignee.is_some() {
        TaskStatus::Claimed
    } else {
        TaskStatus::Open
    };
    task.updated = Some(record.at);
    state.tasks.insert(id.to_owned(), task);
    let by_task = |t: &str| state.tasks.get(t).map(|t| t.after.as_slice());
    if let Some(cycle) = super::graph::find_cycle(state.tasks.keys().map(String::as_str), by_task) {
        state.tasks.remove(id);
        return Err(OpError::TaskCycle { cycle });
    }
    Ok(Applied::new(format!("add task {id}")))
}

/// The acting agent takes task `id`.
pub fn claim(state: &mut State, record: &Record, id: &str) -> Result<Applied, OpError> {
    let me = agent_of(record)?.to_owned();
    let task = require_task(state, id)?;
    if task.status == TaskStatus::Done {
        return Err(OpError::TaskIsDone { id: id.to_owned() });
    }
    match &task.assignee {
        Some(other) if other != &me => {
            return Err(OpError::TaskTaken {
                id: id.to_owned(),
                assignee: other.clone(),
            });
        }
        Some(_) => {
            return Ok(Applied::new(format!("task {id} is already {me}'s")).unchanged());
        }
        None => {}
    }
    task.assignee = Some(me.clone());
    if task.status == TaskStatus::Open {
        task.status = TaskStatus::Claimed;
    }
    task.updated = Some(record.at);
    Ok(Applied::new(format!("task {id} claimed by {me}")))
}

/// The assignee gives task `id` back.
pub fn decline(
    state: &mut State,
    record: &Record,
    id: &str,
    reason: &str,
) -> Result<Applied, OpError> {
    OpError::no_line_break("reason", reason)?;
    let actor = record.actor.label();
    let overrides = may_override(state, &record.actor);
    let task = require_task(state, id)?;
    let mine = task.assignee.as_deref() == record.actor.agent_id();
    if task.assignee.is_none() || (!mine && !overrides) {
        return Err(OpError::NotYourTask {
            id: id.to_owned(),
            assignee: task.assignee.clone(),
        });
    }
    if task.status == TaskStatus::Done {
        return Err(OpError::TaskIsDone { id: id.to_owned() });
    }
    let assignee = task.assignee.take();
    task.status = TaskStatus::Open;
    task.reason = Some(reason.to_owned());
    task.updated = Some(record.at);
    forget_current(state, assignee.as_deref(), id);
    Ok(Applied::new(format!(
        "task {id} declined by {actor}: {}",
        super::text::one_line(reason)
    )))
}

/// The acting agent starts task `id` (taking it when nobody has).
pub fn start(state: &mut State, record: &Record, id: &str) -> Result<Applied, OpError> {
    let me = agent_of(record)?.to_owned();
    let snapshot = state
        .tasks
        .get(id)
        .cloned()
        .ok_or_else(|| OpError::NoSuchTask { id: id.to_owned() })?;
    match &snapshot.assignee {
        Some(other) if other != &me => {
            return Err(OpError::TaskTaken {
                id: id.to_owned(),
                assignee: other.clone(),
            });
        }
        _ => {}
    }
    match snapshot.status {
        TaskStatus::Done => return Err(OpError::TaskIsDone { id: id.to_owned() }),
        TaskStatus::InProgress => {
            return Ok(Applied::new(format!("task {id} is already in progress")).unchanged());
        }
        _ => {}
    }
    ready(state, id, &snapshot)?;
    let task = require_task(state, id)?;
    task.assignee = Some(me.clone());
    task.status = TaskStatus::InProgress;
    task.reason = None;
    task.updated = Some(record.at);
    if let Some(agent) = state.agents.get_mut(&me) {
        agent.task = Some(id.to_owned());
    }
    Ok(Applied::new(format!("task {id} started by {me}")))
}

/// Refused, naming what it waits on, while task `id` may not start (or be done).
fn ready(state: &State, id: &str, task: &Task) -> Result<(), OpError> {
    let waiting = blockers(state, id, task);
    if waiting.is_empty() {
        return Ok(());
    }
    Err(OpError::TaskNotReady {
        id: id.to_owned(),
        waiting,
    })
}

/// The agent `assignee` no longer works on task `id`: its checked-in task is cleared.
fn forget_current(state: &mut State, assignee: Option<&str>, id: &str) {
    if let Some(agent) = assignee.and_then(|a| state.agents.get_mut(a)) {
        if agent.task.as_deref() == Some(id) {
            agent.task = None;
        }
    }
}

/// Task `id` is done (its deliverables and checks verified before this is recorded). What
/// keeps it from starting keeps it from being done: a task cannot skip its dependencies,
/// its wave or its place in a sequential wave by going straight to done.
pub fn done(state: &mut State, record: &Record, id: &str) -> Result<Applied, OpError> {
    let task = own_task(state, record, id)?;
    if task.status == TaskStatus::Done {
        return Ok(Applied::new(format!("task {id} is already done")).unchanged());
    }
    let snapshot = task.clone();
    ready(state, id, &snapshot)?;
    let task = require_task(state, id)?;
    task.status = TaskStatus::Done;
    task.reason = None;
    task.updated = Some(record.at);
    let assignee = task.assignee.clone();
    forget_current(state, assignee.as_deref(), id);
    Ok(Applied::new(format!("task {id} done")))
}

/// Task `id` is blocked, with a reason.
pub fn block(
    state: &mut State,
    record: &Record,
    id: &str,
    reason: &str,
) -> Result<Applied, OpError> {
    OpError::no_line_break("reason", reason)?;
    let task = own_task(state, record, id)?;
    if task.status == TaskStatus::Done {
        return Err(OpError::TaskIsDone { id: id.to_owned() });
    }
    task.status = TaskStatus::Blocked;
    task.reason = Some(reason.to_owned());
    task.updated = Some(record.at);
    Ok(Applied::new(format!(
        "task {id} blocked: {}",
        super::text::one_line(reason)
    )))
}

/// Task `id`, done or blocked, is open again (claimed when it has an assignee).
pub fn reopen(state: &mut State, record: &Record, id: &str) -> Result<Applied, OpError> {
    let task = own_task(state, record, id)?;
    if !matches!(task.status, TaskStatus::Done | TaskStatus::Blocked) {
        return Ok(
            Applied::new(format!("task {id} is {} already", task.status.name())).unchanged(),
        );
    }
    task.status = if task.assignee.is_some() {
        TaskStatus::Claimed
    } else {
        TaskStatus::Open
    };
    task.reason = None;
    task.updated = Some(record.at);
    Ok(Applied::new(format!("task {id} reopened")))
}

#[cfg(test)]
#[path = "task_tests.rs"]
mod tests;
