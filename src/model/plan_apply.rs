//! Applying a plan to the state (one operation, idempotent, keeping task progress) and
//! advancing its waves.

use super::op::{Applied, Record};
use super::plan::Plan;
use super::plan_state::{PlanState, Wave, WaveStatus};
use super::task::{Task, TaskStatus};
use super::{Agent, OpError, State};
use std::collections::BTreeMap;

/// Applies `plan`: agents are added or updated (their worktree, check-ins and locks kept),
/// tasks added or redefined (their status and assignee kept), waves keep where they stand,
/// and the first wave not done opens when none is open. Agents and tasks the plan does not
/// name are kept, and said so. Applying the same plan again changes nothing.
pub fn apply(state: &mut State, record: &Record, plan: &Plan) -> Result<Applied, OpError> {
    let before = state.clone();
    let mut notes = Vec::new();
    if let Some(branch) = &plan.settings.integration_branch {
        state.meta.integration_branch = Some(branch.clone());
    }
    for def in &plan.agents {
        let agent = state.agents.entry(def.id.clone()).or_insert_with(|| Agent {
            added: record.at,
            ..Agent::default()
        });
        agent.branch.clone_from(&def.branch);
        agent.role.clone_from(&def.role);
        agent.expertise.clone_from(&def.expertise);
        agent.owns.clone_from(&def.owns);
        agent.deny.clone_from(&def.deny);
        agent.allow.clone_from(&def.allow);
        agent.after.clone_from(&def.after);
        agent.coordinator = def.coordinator;
        agent.ports.clone_from(&def.ports);
        match before.agents.get(&def.id) {
            None => notes.push(format!("add agent {}", def.id)),
            Some(old) if old != &*agent => notes.push(format!("update agent {}", def.id)),
            Some(_) => {}
        }
    }
    if let Some(cycle) = super::merge_order::find_cycle(&state.agents) {
        return Err(OpError::MergeCycle { cycle });
    }
    let mut on_branch: BTreeMap<&str, &str> = BTreeMap::new();
    for (id, agent) in &state.agents {
        if let Some(other) = on_branch.insert(&agent.branch, id) {
            return Err(OpError::BranchTaken {
                branch: agent.branch.clone(),
                agent: other.to_owned(),
            });
        }
    }
    for (order, def) in plan.tasks.iter().enumerate() {
        let fresh = !state.tasks.contains_key(&def.id);
        let task = state.tasks.entry(def.id.clone()).or_insert_with(|| Task {
            updated: Some(record.at),
            ..Task::default()
        });
        task.title.clone_from(&def.title);
        task.suggest.clone_from(&def.suggest);
        task.after.clone_from(&def.after);
        task.wave.clone_from(&def.wave);
        task.priority = def.priority;
        task.due.clone_from(&def.due);
        task.expertise.clone_from(&def.expertise);
        task.deliverables.clone_from(&def.deliverables);
        task.checks.clone_from(&def.checks);
        task.order = u32::try_from(order).unwrap_or(u32::MAX);
        // An assignment applies to a task nobody has taken; progress is never undone.
        if let Some(assignee) = &def.assign {
            if task.assignee.is_none() && task.status == TaskStatus::Open {
                task.assignee = Some(assignee.clone());
                task.status = TaskStatus::Claimed;
            }
        }
        match before.tasks.get(&def.id) {
            None => notes.push(format!("add task {}", def.id)),
            Some(old) if old != &*task => notes.push(format!("update task {}", def.id)),
            Some(_) => {}
        }
        if fresh {
            task.updated = Some(record.at);
        }
    }
    let mut waves: Vec<Wave> = plan
        .waves
        .iter()
        .map(|def| {
            let old = before
                .plan
                .as_ref()
                .and_then(|p| p.waves.iter().find(|w| w.id == def.id));
            Wave {
                id: def.id.clone(),
                mode: def.mode,
                checks: def.checks.clone(),
                status: old.map(|w| w.status).unwrap_or_default(),
                opened: old.and_then(|w| w.opened),
                closed: old.and_then(|w| w.closed),
            }
        })
        .collect();
    check_waves(state, plan, &waves)?;
    if !waves.iter().any(|w| w.status == WaveStatus::Open) {
        if let Some(first) = waves.iter_mut().find(|w| w.status != WaveStatus::Done) {
            first.status = WaveStatus::Open;
            first.opened = Some(record.at);
            let was_open = before
                .plan
                .as_ref()
                .and_then(PlanState::open_wave)
                .map(|w| w.id.as_str());
            match was_open {
                Some(gone) => notes.push(format!(
                    "wave {} opens (the open wave {gone} is no longer in the plan)",
                    first.id
                )),
                None => notes.push(format!("wave {} opens", first.id)),
            }
        }
    }
    state.plan = Some(PlanState {
        settings: plan.settings.clone(),
        authority: plan.authority.clone(),
        rules: plan.rules.clone(),
        checks: plan.checks.clone(),
        waves,
    });
    if state.plan != before.plan && before.plan.is_some() {
        notes.push("update settings, authority, rules, checks or waves".to_owned());
    }
    let named: Vec<&str> = plan.agents.iter().map(|a| a.id.as_str()).collect();
    let unnamed: Vec<&str> = state
        .agents
        .keys()
        .map(String::as_str)
        .filter(|id| !named.contains(id))
        .collect();
    let tasks_named: Vec<&str> = plan.tasks.iter().map(|t| t.id.as_str()).collect();
    let tasks_unnamed: Vec<&str> = state
        .tasks
        .keys()
        .map(String::as_str)
        .filter(|id| !tasks_named.contains(id))
        .collect();
    let changed = state.agents != before.agents
        || state.tasks != before.tasks
        || state.plan != before.plan
        || state.meta != before.meta;
    if !changed {
        return Ok(Applied::new("the plan is applied already; nothing changed").unchanged());
    }
    if !unnamed.is_empty() {
        notes.push(format!(
            "kept agents the plan does not name: {}",
            unnamed.join(", ")
        ));
    }
    if !tasks_unnamed.is_empty() {
        notes.push(format!(
            "kept tasks the plan does not name: {}",
            tasks_unnamed.join(", ")
        ));
    }
    let mut applied = Applied::new(format!(
        "apply the plan: {} agent(s), {} task(s), {} wave(s)",
        plan.agents.len(),
        plan.tasks.len(),
        plan.waves.len()
    ));
    applied.notes = notes;
    Ok(applied)
}

/// Refuses a re-applied plan whose waves cannot go on: a wave that has not opened placed
/// before one that has (it would never open), or a kept task (one the plan does not name)
/// left in a wave the plan no longer has.
fn check_waves(state: &State, plan: &Plan, waves: &[Wave]) -> Result<(), OpError> {
    let started = waves.iter().rposition(|w| w.status != WaveStatus::Pending);
    if let Some(last) = started {
        if let Some(early) = waves[..last]
            .iter()
            .find(|w| w.status == WaveStatus::Pending)
        {
            return Err(OpError::PlanWaves {
                why: format!(
                    "wave {} would come before wave {}, which is {} already, and so never open; add new waves after the open one",
                    early.id,
                    waves[last].id,
                    waves[last].status.name()
                ),
            });
        }
    }
    for (id, task) in &state.tasks {
        let named = plan.tasks.iter().any(|t| &t.id == id);
        let Some(wave) = task.wave.as_ref().filter(|_| !named) else {
            continue;
        };
        if task.status != TaskStatus::Done && !waves.iter().any(|w| &w.id == wave) {
            return Err(OpError::PlanWaves {
                why: format!(
                    "task {id} ({}) is in wave {wave}, which the plan no longer has; list the task in the plan with another wave, or keep the wave",
                    task.status.name()
                ),
            });
        }
    }
    Ok(())
}

/// The open wave `wave` is done (its checks verified before this is recorded) and the next
/// one opens; refused while one of its tasks is not done.
pub fn advance(state: &mut State, record: &Record, wave: &str) -> Result<Applied, OpError> {
    let open = state
        .plan
        .as_ref()
        .and_then(PlanState::open_wave)
        .map(|w| w.id.clone());
    if open.as_deref() != Some(wave) {
        return Err(OpError::WaveNotOpen {
            wave: wave.to_owned(),
            open,
        });
    }
    let pending: Vec<String> = super::task::in_order(state)
        .into_iter()
        .filter(|(_, t)| t.wave.as_deref() == Some(wave) && t.status != TaskStatus::Done)
        .map(|(id, t)| format!("{id} ({})", t.status.name()))
        .collect();
    if !pending.is_empty() {
        return Err(OpError::WaveIncomplete {
            wave: wave.to_owned(),
            tasks: pending,
        });
    }
    let Some(plan) = state.plan.as_mut() else {
        return Err(OpError::NoSuchWave {
            id: wave.to_owned(),
        });
    };
    let mut applied = Applied::new(format!("wave {wave} done"));
    let mut opened = None;
    let mut past = false;
    for w in &mut plan.waves {
        if w.id == wave {
            w.status = WaveStatus::Done;
            w.closed = Some(record.at);
            past = true;
        } else if past && w.status == WaveStatus::Pending {
            w.status = WaveStatus::Open;
            w.opened = Some(record.at);
            opened = Some(w.id.clone());
            break;
        }
    }
    match opened {
        Some(next) => {
            applied.summary.push_str(&format!("; wave {next} opens"));
        }
        None => applied.notes.push("every wave is done".to_owned()),
    }
    Ok(applied)
}
