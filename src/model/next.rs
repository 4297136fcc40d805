//! `next`: what an agent should do now — its task in progress, else its ready tasks by
//! priority, else a ready task suggested to it or matching its expertise — or why it must
//! wait.

use serde::Serialize;

use super::State;
use super::task::{Task, TaskStatus, blockers, in_order};

/// What an agent should do now.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Next {
    /// The task to work on, if any.
    pub task: Option<String>,
    /// Why it must wait, when there is no task to work on now (or the task cannot start).
    pub waiting_on: Vec<String>,
}

/// The acting agent's task now: its task in progress; else its ready tasks by priority;
/// else a ready unassigned task matching its expertise. Otherwise what it waits on.
pub fn next(state: &State, agent: &str) -> Next {
    let mut waiting_on = Vec::new();
    if let Some(halt) = &state.halt {
        waiting_on.push(format!("the repository is halted: {}", halt.reason));
    }
    let tasks = in_order(state);
    if let Some((id, _)) = tasks
        .iter()
        .find(|(_, t)| t.status == TaskStatus::InProgress && t.assignee.as_deref() == Some(agent))
    {
        return Next {
            task: Some((*id).to_owned()),
            waiting_on,
        };
    }
    let by_priority = |list: &mut Vec<(&str, &Task)>| {
        list.sort_by_key(|(_, t)| t.priority.unwrap_or(u32::MAX));
    };
    let mut mine: Vec<(&str, &Task)> = tasks
        .iter()
        .filter(|(_, t)| t.assignee.as_deref() == Some(agent) && t.status == TaskStatus::Claimed)
        .copied()
        .collect();
    by_priority(&mut mine);
    for (id, task) in &mine {
        let blocked = blockers(state, id, task);
        if blocked.is_empty() {
            return Next {
                task: Some((*id).to_owned()),
                waiting_on,
            };
        }
        waiting_on.extend(blocked.into_iter().map(|b| format!("{id}: {b}")));
    }
    let expertise = state
        .agents
        .get(agent)
        .map(|a| a.expertise.as_slice())
        .unwrap_or_default();
    let mut free: Vec<(&str, &Task)> = tasks
        .iter()
        .filter(|(_, t)| t.assignee.is_none() && t.status == TaskStatus::Open)
        .filter(|(_, t)| {
            t.suggest.as_deref() == Some(agent)
                || t.expertise.as_ref().is_none_or(|e| expertise.contains(e))
        })
        .copied()
        .collect();
    // Suggested to this agent first, then by priority.
    free.sort_by_key(|(_, t)| {
        (
            t.suggest.as_deref() != Some(agent),
            t.priority.unwrap_or(u32::MAX),
        )
    });
    if let Some((id, _)) = free
        .iter()
        .find(|(id, t)| blockers(state, id, t).is_empty())
    {
        // Its own tasks wait; this one need not.
        waiting_on.retain(|w| w.starts_with("the repository is halted"));
        return Next {
            task: Some((*id).to_owned()),
            waiting_on,
        };
    }
    if mine.is_empty() && free.is_empty() && waiting_on.is_empty() {
        waiting_on.push("no task is assigned to you or open to you".to_owned());
    }
    Next {
        task: None,
        waiting_on,
    }
}
