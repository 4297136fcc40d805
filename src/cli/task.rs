//! `gitcoord task …` and `gitcoord next`: the task queue.

use clap::{Args, Subcommand};
use serde::Serialize;

use super::{CliError, Ctx, Outcome, checks, report_applied};
use crate::model::task::{self, Task, TaskStatus};
use crate::model::{Op, State};

/// `task` subcommands.
#[derive(Subcommand, Debug)]
pub enum TaskCommand {
    /// Add a task.
    Add(AddArgs),
    /// The tasks, in plan order.
    List {
        /// Only tasks with this status (open, claimed, in-progress, blocked, done).
        #[arg(long)]
        status: Option<String>,
        /// Only tasks of this agent.
        #[arg(long)]
        agent: Option<String>,
    },
    /// One task.
    Show {
        /// The task id.
        id: String,
    },
    /// Take a task (exactly one of agents racing for it wins).
    Claim {
        /// The task id.
        id: String,
    },
    /// Give an assigned task back.
    Decline {
        /// The task id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Start a task: refused while a dependency is not done or its wave is not open.
    Start {
        /// The task id.
        id: String,
    },
    /// Finish a task: its deliverables must be on the assignee's branch tip and its checks pass.
    Done {
        /// The task id.
        id: String,
    },
    /// Mark a task blocked.
    Block {
        /// The task id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Open a done or blocked task again.
    Reopen {
        /// The task id.
        id: String,
    },
}

/// Arguments of `task add`.
#[derive(Args, Debug)]
pub struct AddArgs {
    /// The task id.
    pub id: String,
    /// One line.
    #[arg(long)]
    pub title: String,
    /// Assign it to this agent.
    #[arg(long, conflicts_with = "suggest")]
    pub assign: Option<String>,
    /// Suggest it to this agent (anyone may claim it).
    #[arg(long)]
    pub suggest: Option<String>,
    /// A task that must be done first (repeatable).
    #[arg(long = "after", value_name = "ID")]
    pub after: Vec<String>,
    /// The wave it belongs to.
    #[arg(long)]
    pub wave: Option<String>,
    /// A file that must be on the assignee's branch tip when done (repeatable).
    #[arg(long = "deliverable", value_name = "PATH")]
    pub deliverables: Vec<String>,
    /// 1 is the most urgent.
    #[arg(long)]
    pub priority: Option<u32>,
    /// Due date, YYYY-MM-DD.
    #[arg(long)]
    pub due: Option<String>,
    /// The expertise it needs.
    #[arg(long)]
    pub expertise: Option<String>,
    /// A check of the plan that must pass when done (repeatable).
    #[arg(long = "check", value_name = "CHECK")]
    pub checks: Vec<String>,
}

/// A task as `task list --json` gives it: every key present (null or empty when unset),
/// so scripts can rely on them.
#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    title: &'a str,
    status: TaskStatus,
    assignee: Option<&'a str>,
    suggest: Option<&'a str>,
    after: &'a [String],
    wave: Option<&'a str>,
    priority: Option<u32>,
    due: Option<&'a str>,
    expertise: Option<&'a str>,
    deliverables: &'a [String],
    checks: &'a [String],
    reason: Option<&'a str>,
    updated: Option<jiff::Timestamp>,
    #[serde(skip)]
    task: &'a Task,
}

impl<'a> Listed<'a> {
    fn new(id: &'a str, task: &'a Task) -> Listed<'a> {
        Listed {
            id,
            title: &task.title,
            status: task.status,
            assignee: task.assignee.as_deref(),
            suggest: task.suggest.as_deref(),
            after: &task.after,
            wave: task.wave.as_deref(),
            priority: task.priority,
            due: task.due.as_deref(),
            expertise: task.expertise.as_deref(),
            deliverables: &task.deliverables,
            checks: &task.checks,
            reason: task.reason.as_deref(),
            updated: task.updated,
            task,
        }
    }
}

/// Runs a `task` subcommand.
pub fn run(ctx: &mut Ctx, cmd: TaskCommand) -> Result<Outcome, CliError> {
    let op = match cmd {
        TaskCommand::Add(args) => add_op(args)?,
        TaskCommand::List { status, agent } => return list(ctx, status, agent),
        TaskCommand::Show { id } => return show(ctx, &id),
        TaskCommand::Claim { id } => Op::TaskClaim { id },
        TaskCommand::Decline { id, reason } => Op::TaskDecline { id, reason },
        TaskCommand::Start { id } => Op::TaskStart { id },
        TaskCommand::Done { id } => {
            let op = Op::TaskDone { id: id.clone() };
            ctx.try_op(&op)?;
            verify_done(ctx, &id)?;
            op
        }
        TaskCommand::Block { id, reason } => Op::TaskBlock { id, reason },
        TaskCommand::Reopen { id } => Op::TaskReopen { id },
    };
    let applied = ctx.run_op(op)?;
    report_applied(ctx, &applied)
}

fn add_op(args: AddArgs) -> Result<Op, CliError> {
    if let Some(due) = &args.due {
        if due.parse::<jiff::civil::Date>().is_err() {
            return Err(CliError::usage(
                format!("--due '{due}' is not a date"),
                "pass --due YYYY-MM-DD, e.g. --due 2026-12-01",
            ));
        }
    }
    let mut deliverables = Vec::new();
    for file in &args.deliverables {
        let normal = crate::model::id::normalize_deliverable(file).map_err(|why| {
            CliError::usage(
                why,
                "pass --deliverable PATH relative to the repository root",
            )
        })?;
        deliverables.push(normal);
    }
    let task = Task {
        title: args.title,
        assignee: args.assign,
        suggest: args.suggest,
        after: args.after,
        wave: args.wave,
        priority: args.priority,
        due: args.due,
        expertise: args.expertise,
        deliverables,
        checks: args.checks,
        ..Task::default()
    };
    Ok(Op::TaskAdd {
        id: args.id,
        task: Box::new(task),
    })
}

fn status_named(name: &str) -> Result<TaskStatus, CliError> {
    [
        TaskStatus::Open,
        TaskStatus::Claimed,
        TaskStatus::InProgress,
        TaskStatus::Blocked,
        TaskStatus::Done,
    ]
    .into_iter()
    .find(|s| s.name() == name)
    .ok_or_else(|| {
        CliError::usage(
            format!("--status '{name}' is not a task status"),
            "pass one of open, claimed, in-progress, blocked, done",
        )
    })
}

fn list(ctx: &mut Ctx, status: Option<String>, agent: Option<String>) -> Result<Outcome, CliError> {
    let status = status.as_deref().map(status_named).transpose()?;
    let snapshot = ctx.snapshot()?;
    let tasks: Vec<Listed> = task::in_order(&snapshot.state)
        .into_iter()
        .filter(|(_, t)| status.is_none_or(|s| t.status == s))
        .filter(|(_, t)| agent.is_none() || t.assignee == agent)
        .map(|(id, task)| Listed::new(id, task))
        .collect();
    ctx.ui.emit(&tasks, |out| {
        if tasks.is_empty() {
            return writeln!(out, "no tasks");
        }
        for t in &tasks {
            writeln!(
                out,
                "{:<16} {:<12} {:<12} {:<6} {}",
                t.id,
                t.task.status.name(),
                t.task.assignee.as_deref().unwrap_or("-"),
                t.task.wave.as_deref().unwrap_or("-"),
                crate::model::text::one_line(&t.task.title)
            )?;
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}

fn show(ctx: &mut Ctx, id: &str) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let state = &snapshot.state;
    let Some(task) = state.tasks.get(id) else {
        return Err(CliError::from(crate::model::OpError::NoSuchTask {
            id: id.to_owned(),
        }));
    };
    let waiting = task::blockers(state, id, task);
    let value = crate::model::keys::every_key(
        || serde_json::json!({ "id": id, "task": task, "waiting_on": waiting }),
    );
    ctx.ui.emit(&value, |out| {
        writeln!(out, "{id}: {}", crate::model::text::one_line(&task.title))?;
        writeln!(out, "  status: {}", task.status.name())?;
        if let Some(a) = &task.assignee {
            writeln!(out, "  assignee: {a}")?;
        }
        if let Some(s) = &task.suggest {
            writeln!(out, "  suggested to: {s}")?;
        }
        if !task.after.is_empty() {
            writeln!(out, "  after: {}", task.after.join(", "))?;
        }
        if let Some(w) = &task.wave {
            writeln!(out, "  wave: {w}")?;
        }
        if let Some(p) = task.priority {
            writeln!(out, "  priority: {p}")?;
        }
        if let Some(d) = &task.due {
            writeln!(out, "  due: {d}")?;
        }
        if !task.deliverables.is_empty() {
            writeln!(out, "  deliverables: {}", task.deliverables.join(", "))?;
        }
        if !task.checks.is_empty() {
            writeln!(out, "  checks: {}", task.checks.join(", "))?;
        }
        if let Some(r) = &task.reason {
            writeln!(out, "  reason: {}", crate::model::text::one_line(r))?;
        }
        if task.status != TaskStatus::Done && !waiting.is_empty() {
            writeln!(out, "  waiting on: {}", waiting.join("; "))?;
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}

/// Before `task done`: each deliverable on the assignee's branch tip (not the working
/// tree), and each of the task's checks passing in the assignee's worktree (its bound
/// worktree, else the current one). Refused with every item that fails.
pub(super) fn verify_done(ctx: &mut Ctx, id: &str) -> Result<(), CliError> {
    let snapshot = ctx.snapshot()?;
    let state = &snapshot.state;
    let Some(task) = state.tasks.get(id) else {
        return Ok(()); // the operation says there is no such task
    };
    let repo = ctx.repo()?;
    let agent = task.assignee.as_ref().and_then(|a| state.agents.get(a));
    let mut failed = Vec::new();
    if !task.deliverables.is_empty() {
        let branch = agent.map(|a| a.branch.as_str());
        let tip = branch.and_then(|b| repo.local_branch_tip(b));
        for file in &task.deliverables {
            match (branch, tip) {
                (Some(b), Some(tip)) if !repo.has_path(tip, file) => failed.push(format!(
                    "deliverable {file} is not on {b} (commit it there: a file only in the working tree does not count)"
                )),
                (Some(b), None) => failed.push(format!("deliverable {file}: branch {b} does not exist")),
                (None, _) => failed.push(format!("deliverable {file}: the task has no assignee whose branch holds it")),
                _ => {}
            }
        }
    }
    let dir = agent
        .and_then(|a| a.worktree.as_ref())
        .map(std::path::PathBuf::from)
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| repo.workdir().to_path_buf());
    let branch = agent.map(|a| a.branch.clone());
    for check_id in &task.checks {
        let check = checks::find(state, check_id)?;
        let verdict = checks::run(ctx, state, check, &dir, branch.as_deref());
        if !verdict.ok {
            failed.push(format!("check {}: {}", verdict.id, verdict.detail));
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    for item in &failed {
        ctx.ui.note(&format!("✗ {item}"));
    }
    Err(CliError::refused(
        format!("task {id} is not done: {} item(s) fail", failed.len()),
        format!("fix them, then run `gitcoord task done {id}` again"),
    ))
}

/// `gitcoord next`: the acting agent's task now, or what it waits on.
pub fn run_next(ctx: &mut Ctx) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let state: &State = &snapshot.state;
    let (actor, _) = ctx.actor(Some(state))?;
    let Some(agent) = actor.agent_id() else {
        return Err(CliError::usage(
            "next is for an agent, and you act as no agent",
            "pass --agent ID, set GITCOORD_AGENT, or run it from the agent's worktree",
        ));
    };
    let next = crate::model::next::next(state, agent);
    let detail = next
        .task
        .as_ref()
        .and_then(|id| state.tasks.get(id).map(|t| (id, t)));
    // Work handed to it and not yet acknowledged comes with what to do next.
    let handoffs: Vec<&crate::model::Message> = state
        .messages
        .iter()
        .filter(|m| m.draft.handoff.is_some() && m.is_unread_by(agent))
        .collect();
    let value = crate::model::keys::every_key(|| {
        serde_json::json!({
            "task": detail.map(|(id, t)| serde_json::json!({ "id": id, "title": t.title, "status": t.status.name(), "wave": t.wave, "deliverables": t.deliverables })),
            "waiting_on": next.waiting_on,
            "handoffs": handoffs,
        })
    });
    ctx.ui.emit(&value, |out| {
        match detail {
            Some((id, t)) if t.status == TaskStatus::InProgress => {
                writeln!(
                    out,
                    "work on {id}: {}",
                    crate::model::text::one_line(&t.title)
                )?;
            }
            Some((id, t)) => {
                writeln!(
                    out,
                    "next: {id}: {}",
                    crate::model::text::one_line(&t.title)
                )?;
                writeln!(out, "  start it with `gitcoord task start {id}`")?;
            }
            None => writeln!(out, "nothing to start now")?,
        }
        for w in &next.waiting_on {
            writeln!(out, "  waiting on {w}")?;
        }
        for m in &handoffs {
            if let Some(h) = &m.draft.handoff {
                writeln!(
                    out,
                    "  handed to you by {} ({}): {}; {}",
                    m.from,
                    m.id,
                    crate::model::text::one_line(&m.draft.subject),
                    super::msg::handoff_line(h)
                )?;
            }
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}
