//! The registry's operations: add, edit, remove and bind an agent, each validated against
//! the state (one branch per agent, one owner per file, a merge order without cycles).

use super::agent::AgentEdit;
use super::{Agent, Applied, OpError, State, id};

/// The agent `id`, or [`OpError::NoSuchAgent`].
pub(super) fn require<'s>(state: &'s State, id: &str) -> Result<&'s Agent, OpError> {
    state
        .agents
        .get(id)
        .ok_or_else(|| OpError::NoSuchAgent { id: id.to_owned() })
}

/// Registers agent `id`.
pub(super) fn add(state: &mut State, id: &str, agent: &Agent) -> Result<Applied, OpError> {
    id::validate_agent_id(id).map_err(|reason| OpError::BadAgentId { reason })?;
    if state.agents.contains_key(id) {
        return Err(OpError::AgentExists { id: id.to_owned() });
    }
    branch_free(state, id, &agent.branch)?;
    if let Some(err) = owns_overlap(state, id, &agent.owns) {
        return Err(err);
    }
    for before in &agent.after {
        after_known(state, id, before)?;
    }
    state.agents.insert(id.to_owned(), agent.clone());
    if let Some(cycle) = super::merge_order::find_cycle(&state.agents) {
        state.agents.remove(id);
        return Err(OpError::MergeCycle { cycle });
    }
    state.meta.removed_bindings.retain(|_, gone| gone != id);
    Ok(Applied::new(format!("add agent {id} on {}", agent.branch)))
}

/// No agent but `id` works on `branch`: identity by branch must name one agent.
fn branch_free(state: &State, id: &str, branch: &str) -> Result<(), OpError> {
    match state
        .agents
        .iter()
        .find(|(other, a)| *other != id && a.branch == branch)
    {
        Some((other, _)) => Err(OpError::BranchTaken {
            branch: branch.to_owned(),
            agent: other.clone(),
        }),
        None => Ok(()),
    }
}

/// `before`, named in `id`'s `after`, is another registered agent.
fn after_known(state: &State, id: &str, before: &str) -> Result<(), OpError> {
    if before == id {
        return Err(OpError::AfterItself { id: id.to_owned() });
    }
    require(state, before).map(|_| ())
}

/// The first of `globs` (to be owned by `id`) that can match a path another agent owns.
fn owns_overlap(state: &State, id: &str, globs: &[String]) -> Option<OpError> {
    globs.iter().find_map(|glob| {
        state
            .agents
            .iter()
            .filter(|(other, _)| *other != id)
            .find_map(|(other, a)| {
                let theirs = a.owns.iter().find(|t| {
                    super::glob::may_overlap(glob, t) && super::glob::overlaps(glob, t)
                })?;
                Some(OpError::OwnsOverlap {
                    glob: glob.clone(),
                    agent: other.clone(),
                    theirs: theirs.clone(),
                })
            })
    })
}

/// Changes agent `id` as `edit` says, all or nothing.
pub(super) fn edit(state: &mut State, id: &str, edit: &AgentEdit) -> Result<Applied, OpError> {
    let old = require(state, id)?.clone();
    let mut new = old.clone();
    let mut said = Said::default();
    if let Some(branch) = edit.branch.as_ref().filter(|b| **b != old.branch) {
        branch_free(state, id, branch)?;
        said.changes
            .push(format!("branch {} -> {branch}", old.branch));
        new.branch = branch.clone();
    }
    if let Some(role) = &edit.role {
        OpError::no_line_break("role", role)?;
        let role = Some(role.trim().to_owned()).filter(|r| !r.is_empty());
        if role != old.role {
            said.changes
                .push(format!("role {}", role.as_deref().unwrap_or("cleared")));
            new.role = role;
        }
    }
    let lists = [
        ("owns", &mut new.owns, &edit.owns, &edit.remove_owns),
        ("deny", &mut new.deny, &edit.deny, &edit.remove_deny),
        ("allow", &mut new.allow, &edit.allow, &edit.remove_allow),
        ("after", &mut new.after, &edit.after, &edit.remove_after),
    ];
    for (field, list, add, remove) in lists {
        said.list(id, field, list, add, remove)?;
    }
    let added_owns: Vec<String> = new
        .owns
        .iter()
        .filter(|g| !old.owns.contains(g))
        .cloned()
        .collect();
    if let Some(err) = owns_overlap(state, id, &added_owns) {
        return Err(err);
    }
    for before in new.after.iter().filter(|b| !old.after.contains(b)) {
        after_known(state, id, before)?;
    }
    if let Some(coordinator) = edit.coordinator.filter(|c| *c != old.coordinator) {
        said.changes.push(format!(
            "coordinator {}",
            if coordinator { "yes" } else { "no" }
        ));
        new.coordinator = coordinator;
    }
    if !old.allow.is_empty() && new.allow.is_empty() {
        said.notes.push(format!(
            "{id}'s allow list is empty now: it may change any file its deny list and others' owns leave open"
        ));
    }
    if said.changes.is_empty() {
        let mut applied = Applied::new(format!("agent {id} is unchanged"));
        applied.notes = said.notes;
        return Ok(applied.unchanged());
    }
    state.agents.insert(id.to_owned(), new);
    if let Some(cycle) = super::merge_order::find_cycle(&state.agents) {
        state.agents.insert(id.to_owned(), old);
        return Err(OpError::MergeCycle { cycle });
    }
    let mut applied = Applied::new(format!("edit agent {id}: {}", said.changes.join("; ")));
    applied.notes = said.notes;
    Ok(applied)
}

/// What an edit changed, and what it found already so.
#[derive(Default)]
struct Said {
    changes: Vec<String>,
    notes: Vec<String>,
}

impl Said {
    /// Takes `remove` from `list`, then adds `add`: a removal of what is not there is
    /// refused (a typo must not leave a boundary standing unnoticed); an addition of what
    /// is there already is a note.
    fn list(
        &mut self,
        id: &str,
        field: &'static str,
        list: &mut Vec<String>,
        add: &[String],
        remove: &[String],
    ) -> Result<(), OpError> {
        for value in remove {
            let Some(at) = list.iter().position(|v| v == value) else {
                return Err(OpError::NotInList {
                    id: id.to_owned(),
                    field,
                    value: value.clone(),
                });
            };
            list.remove(at);
            self.changes.push(format!("{field} -{value}"));
        }
        for value in add {
            if list.contains(value) {
                self.notes.push(format!("{field} has {value} already"));
            } else {
                list.push(value.clone());
                self.changes.push(format!("{field} +{value}"));
            }
        }
        Ok(())
    }
}

/// Removes agent `id`. Without `force`, refused while it is bound to a worktree or holds
/// locks; with it, its locks are released and its binding dropped, and the worktree is
/// remembered as one whose agent was removed (identity there is an error, not a fallback).
pub(super) fn remove(state: &mut State, id: &str, force: bool) -> Result<Applied, OpError> {
    let worktree = require(state, id)?.worktree.clone();
    if let Some((waiting, _)) = state
        .agents
        .iter()
        .find(|(_, a)| a.after.iter().any(|b| b == id))
    {
        return Err(OpError::StillAfter {
            waiting: waiting.clone(),
            id: id.to_owned(),
        });
    }
    let held: Vec<String> = state
        .locks
        .iter()
        .filter(|l| l.holder == id)
        .map(|l| l.pattern.clone())
        .collect();
    if !force && (worktree.is_some() || !held.is_empty()) {
        return Err(OpError::AgentBusy {
            id: id.to_owned(),
            worktree,
            locks: held,
        });
    }
    state.agents.remove(id);
    state.locks.retain(|l| l.holder != id);
    let mut done = Vec::new();
    if !held.is_empty() {
        done.push(format!("released its locks: {}", held.join(", ")));
    }
    if let Some(worktree) = worktree {
        done.push(format!("dropped its binding to {worktree}"));
        state.meta.removed_bindings.insert(worktree, id.to_owned());
    }
    let mut summary = format!("remove agent {id}");
    if !done.is_empty() {
        summary = format!("{summary} ({})", done.join("; "));
    }
    Ok(Applied::new(summary))
}

/// Binds `worktree` to agent `id`, taking it from any agent bound there before.
pub(super) fn bind(state: &mut State, id: &str, worktree: &str) -> Result<Applied, OpError> {
    require(state, id)?;
    for agent in state.agents.values_mut() {
        if agent.worktree.as_deref() == Some(worktree) {
            agent.worktree = None;
        }
    }
    if let Some(agent) = state.agents.get_mut(id) {
        agent.worktree = Some(worktree.to_owned());
    }
    state.meta.removed_bindings.remove(worktree);
    Ok(Applied::new(format!("bind {worktree} to agent {id}")))
}

#[cfg(test)]
#[path = "agent_ops_tests.rs"]
mod tests;
