//! `gitcoord wave list|status|advance`: waves open one at a time; `advance` runs the open
//! wave's checkpoint and opens the next, whose start is kept as snapshot refs.

use clap::Subcommand;
use serde::Serialize;

use super::{CliError, Ctx, Outcome, checks, report_applied};
use crate::model::plan_state::Wave;
use crate::model::task::{self, TaskStatus};
use crate::model::{Applied, Op, State};

/// `wave` subcommands.
#[derive(Subcommand, Debug)]
pub enum WaveCommand {
    /// The waves in plan order, with their status and task counts.
    List,
    /// One wave (default: the open one): its tasks and checkpoint.
    Status {
        /// The wave id.
        wave: Option<String>,
    },
    /// Run the open wave's checkpoint; on success it is done and the next wave opens.
    Advance,
}

#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    mode: &'a str,
    status: &'a str,
    tasks: usize,
    done: usize,
    checks: &'a [String],
}

fn listed<'a>(state: &'a State, wave: &'a Wave) -> Listed<'a> {
    let tasks: Vec<_> = state
        .tasks
        .values()
        .filter(|t| t.wave.as_deref() == Some(wave.id.as_str()))
        .collect();
    Listed {
        id: &wave.id,
        mode: match wave.mode {
            crate::model::plan::WaveMode::Sequential => "sequential",
            crate::model::plan::WaveMode::Parallel => "parallel",
        },
        status: wave.status.name(),
        tasks: tasks.len(),
        done: tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Done)
            .count(),
        checks: &wave.checks,
    }
}

fn waves(state: &State) -> &[Wave] {
    state
        .plan
        .as_ref()
        .map(|p| p.waves.as_slice())
        .unwrap_or_default()
}

/// Runs a `wave` subcommand.
pub fn run(ctx: &mut Ctx, cmd: WaveCommand) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let state = &snapshot.state;
    match cmd {
        WaveCommand::List => {
            let list: Vec<Listed> = waves(state).iter().map(|w| listed(state, w)).collect();
            ctx.ui.emit(&list, |out| {
                if list.is_empty() {
                    return writeln!(out, "the plan has no waves");
                }
                for w in &list {
                    writeln!(
                        out,
                        "{:<8} {:<8} {:<11} {}/{} task(s) done",
                        w.id, w.status, w.mode, w.done, w.tasks
                    )?;
                }
                Ok(())
            })?;
            Ok(Outcome::Clean)
        }
        WaveCommand::Status { wave } => {
            let wave = match wave {
                Some(id) => waves(state).iter().find(|w| w.id == id),
                None => state.plan.as_ref().and_then(|p| p.open_wave()),
            }
            .ok_or_else(|| {
                CliError::usage(
                    "no such wave is open or defined",
                    "see `gitcoord wave list`",
                )
            })?;
            let tasks: Vec<serde_json::Value> = task::in_order(state)
                .into_iter()
                .filter(|(_, t)| t.wave.as_deref() == Some(wave.id.as_str()))
                .map(|(id, t)| {
                    serde_json::json!({
                        "id": id, "title": t.title, "status": t.status.name(),
                        "assignee": t.assignee,
                    })
                })
                .collect();
            let value = crate::model::keys::every_key(
                || serde_json::json!({ "wave": listed(state, wave), "tasks": tasks }),
            );
            ctx.ui.emit(&value, |out| {
                let l = listed(state, wave);
                writeln!(
                    out,
                    "wave {} ({}, {}): {}/{} task(s) done",
                    l.id, l.mode, l.status, l.done, l.tasks
                )?;
                for t in &tasks {
                    writeln!(
                        out,
                        "  {:<16} {:<12} {:<12} {}",
                        t["id"].as_str().unwrap_or_default(),
                        t["status"].as_str().unwrap_or_default(),
                        t["assignee"].as_str().unwrap_or("-"),
                        t["title"].as_str().unwrap_or_default()
                    )?;
                }
                if !wave.checks.is_empty() {
                    writeln!(out, "  checkpoint: {}", wave.checks.join(", "))?;
                }
                Ok(())
            })?;
            Ok(Outcome::Clean)
        }
        WaveCommand::Advance => {
            let Some(open) = state.plan.as_ref().and_then(|p| p.open_wave()) else {
                return Err(CliError::usage(
                    "no wave is open",
                    "see `gitcoord wave list`; waves come from the plan",
                ));
            };
            let dir = ctx.repo()?.workdir().to_path_buf();
            let mut failed = Vec::new();
            for id in &open.checks {
                let check = checks::find(state, id)?;
                let verdict = checks::run(ctx, state, check, &dir, None);
                if !verdict.ok {
                    failed.push(format!("check {}: {}", verdict.id, verdict.detail));
                }
            }
            for (id, t) in task::in_order(state) {
                if t.wave.as_deref() == Some(open.id.as_str()) && t.status != TaskStatus::Done {
                    failed.push(format!("task {id} is {}", t.status.name()));
                }
            }
            if !failed.is_empty() {
                for item in &failed {
                    ctx.ui.note(&format!("✗ {item}"));
                }
                return Err(CliError::refused(
                    format!(
                        "wave {} cannot close: {} item(s) fail",
                        open.id,
                        failed.len()
                    ),
                    "finish them, then run `gitcoord wave advance` again",
                ));
            }
            let applied = ctx.run_op(Op::WaveAdvance {
                wave: open.id.clone(),
            })?;
            snapshot_opened(ctx, &applied)?;
            report_applied(ctx, &applied)
        }
    }
}

/// After an operation that may have opened a wave: when the open wave has no snapshot yet,
/// every agent's branch tip and the integration branch's are kept as its snapshot refs.
pub fn snapshot_opened(ctx: &mut Ctx, applied: &Applied) -> Result<(), CliError> {
    if applied.unchanged {
        return Ok(());
    }
    snapshot_missing(ctx)
}

/// Completes the open wave's snapshot: each branch without a snapshot ref gets one at its
/// tip — every branch as the wave opens, and a branch created while it is open (by
/// `spawn`) at its start, before any work on it.
pub fn snapshot_missing(ctx: &mut Ctx) -> Result<(), CliError> {
    let repo = ctx.repo()?;
    let Some(snapshot) = repo.read_state_in(&crate::model::shard::Scope::core())? else {
        return Ok(());
    };
    let state = &snapshot.state;
    let Some(open) = state.plan.as_ref().and_then(|p| p.open_wave()) else {
        return Ok(());
    };
    let prefix = format!("{}/{}/", crate::git::snapshots::SNAPSHOTS, open.id);
    let (integration, _) = super::integration::resolve(repo, state, "origin");
    let mut branches: Vec<(String, String)> = state
        .agents
        .iter()
        .map(|(id, a)| (id.clone(), a.branch.clone()))
        .collect();
    branches.push(("integration".to_owned(), integration));
    // Only what is missing: a snapshot is taken once (as the wave opens) and completed when
    // a killed process left it partial, never moved.
    let missing: Vec<(String, crate::model::ObjectId)> = branches
        .into_iter()
        .filter(|(name, _)| repo.ref_commit(&format!("{prefix}{name}")).is_none())
        .filter_map(|(name, branch)| Some((name, repo.local_branch_tip(&branch)?)))
        .collect();
    let taken = repo.write_snapshots(&open.id, &missing).map_err(|e| {
        CliError::new(super::ErrorKind::Invalid, e)
            .hint("check that the repository is writable (`git status`)")
    })?;
    if !taken.is_empty() {
        ctx.ui.note(&format!(
            "snapshot of wave {}: {} branch(es) under {prefix}",
            open.id,
            taken.len()
        ));
    }
    Ok(())
}
