//! `gitcoord agent add|edit|list|show|remove|bind`: the agent registry.

use clap::{Args, Subcommand};
use serde::Serialize;

use super::{CliError, Ctx, Outcome, paths, report_applied};
use crate::model::{Agent, Op, id};

/// The `agent` subcommands.
#[derive(Subcommand, Debug)]
pub enum AgentCommand {
    /// Register an agent.
    Add(AddArgs),
    /// Change an agent: branch, role, boundaries, merge order, coordinator.
    Edit(super::agent_edit::EditArgs),
    /// List the agents.
    List,
    /// Show one agent.
    Show {
        /// The agent id.
        id: String,
    },
    /// Remove an agent; refused while it is bound to a worktree or holds locks.
    Remove {
        /// The agent id.
        id: String,
        /// Release its locks and drop its worktree binding too.
        #[arg(long)]
        force: bool,
    },
    /// Bind the current worktree to an agent.
    Bind {
        /// The agent id.
        id: String,
    },
}

/// Arguments of `agent add`.
#[derive(Args, Debug)]
pub struct AddArgs {
    /// The new agent's id (letters, digits, '-', '_', '.').
    pub id: String,
    /// The branch it works on.
    #[arg(long)]
    pub branch: String,
    /// Its role, e.g. "security lead".
    #[arg(long)]
    pub role: Option<String>,
    /// A glob it owns: no other agent may change matching files.
    #[arg(long, value_name = "GLOB")]
    pub owns: Vec<String>,
    /// A glob it must not touch.
    #[arg(long, value_name = "GLOB")]
    pub deny: Vec<String>,
    /// A glob it may change; with any --allow, nothing else.
    #[arg(long, value_name = "GLOB")]
    pub allow: Vec<String>,
    /// An agent whose work must be merged before this one's.
    #[arg(long, value_name = "ID")]
    pub after: Vec<String>,
    /// May force-unlock and resolve for others.
    #[arg(long)]
    pub coordinator: bool,
}

/// Runs an `agent` subcommand.
pub fn run(ctx: &mut Ctx, cmd: AgentCommand) -> Result<Outcome, CliError> {
    match cmd {
        AgentCommand::Add(args) => add(ctx, args),
        AgentCommand::Edit(args) => super::agent_edit::run(ctx, args),
        AgentCommand::List => list(ctx),
        AgentCommand::Show { id } => show(ctx, &id),
        AgentCommand::Remove { id, force } => {
            let applied = ctx.run_op(Op::AgentRemove { id, force })?;
            report_applied(ctx, &applied)
        }
        AgentCommand::Bind { id } => {
            let worktree = ctx.repo()?.workdir_key();
            let applied = ctx.run_op(Op::AgentBind { id, worktree })?;
            report_applied(ctx, &applied)
        }
    }
}

fn globs(raw: &[String]) -> Result<Vec<String>, CliError> {
    raw.iter().map(|g| paths::policy_glob(g)).collect()
}

fn add(ctx: &mut Ctx, args: AddArgs) -> Result<Outcome, CliError> {
    id::validate_agent_id(&args.id).map_err(|m| CliError::usage(m, "choose another id"))?;
    if !crate::git::repo::valid_branch_name(&args.branch) {
        return Err(CliError::usage(
            format!("'{}' is not a valid branch name", args.branch),
            "use a name git accepts, e.g. feature/auth (see `git check-ref-format --branch`)",
        ));
    }
    let agent = Box::new(Agent {
        branch: args.branch,
        role: args.role,
        owns: globs(&args.owns)?,
        deny: globs(&args.deny)?,
        allow: globs(&args.allow)?,
        after: args.after,
        coordinator: args.coordinator,
        added: ctx.now()?,
        ..Agent::default()
    });
    let applied = ctx.run_op(Op::AgentAdd { id: args.id, agent })?;
    report_applied(ctx, &applied)
}

/// An agent as listed, with its id.
#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    #[serde(flatten)]
    agent: &'a Agent,
    /// Seconds since it was last seen; `null` when never (docs/json.md).
    last_seen_age_secs: Option<i64>,
}

impl<'a> Listed<'a> {
    fn at(id: &'a str, agent: &'a Agent, now: jiff::Timestamp) -> Listed<'a> {
        let last_seen_age_secs = agent.last_seen.map(|t| super::json::age_secs(t, now));
        Listed {
            id,
            agent,
            last_seen_age_secs,
        }
    }
}

fn list(ctx: &mut Ctx) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let now = ctx.now()?;
    let agents: Vec<Listed> = snapshot
        .state
        .agents
        .iter()
        .map(|(id, agent)| Listed::at(id, agent, now))
        .collect();
    ctx.ui.emit(&agents, |out| {
        if agents.is_empty() {
            return writeln!(
                out,
                "no agents; add one with `gitcoord agent add ID --branch BRANCH`"
            );
        }
        for a in &agents {
            writeln!(
                out,
                "{:<16} {:<32} {:<10} {}",
                a.id,
                a.agent.branch,
                a.agent.status.as_deref().unwrap_or("-"),
                a.agent
                    .last_seen
                    .map(|t| format!("seen {}", crate::model::time::ago(t, now)))
                    .unwrap_or_else(|| "never seen".into())
            )?;
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}

fn show(ctx: &mut Ctx, id: &str) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let Some(agent) = snapshot.state.agents.get(id) else {
        return Err(CliError::usage(
            format!("no agent '{id}' is registered"),
            "see `gitcoord agent list`",
        ));
    };
    let listed = Listed::at(id, agent, ctx.now()?);
    ctx.ui.emit(&listed, |out| {
        writeln!(out, "{id}")?;
        writeln!(out, "  branch       {}", agent.branch)?;
        let fields = [
            ("role", agent.role.clone()),
            ("status", agent.status.clone()),
            ("task", agent.task.clone()),
            ("note", agent.note.clone()),
            ("worktree", agent.worktree.clone()),
            ("last seen", agent.last_seen.map(|t| t.to_string())),
        ];
        for (name, value) in fields {
            if let Some(v) = value {
                writeln!(out, "  {name:<12} {v}")?;
            }
        }
        for (name, list) in [
            ("owns", &agent.owns),
            ("deny", &agent.deny),
            ("allow", &agent.allow),
            ("after", &agent.after),
        ] {
            if !list.is_empty() {
                writeln!(out, "  {name:<12} {}", list.join(", "))?;
            }
        }
        if agent.coordinator {
            writeln!(out, "  coordinator  yes")?;
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}
