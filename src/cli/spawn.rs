//! `gitcoord spawn`: a worktree for an agent, bound to it, with the hooks installed.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::{CliError, Ctx, Outcome, install};
use crate::model::{Agent, Op};

/// Arguments of `spawn`.
#[derive(Args, Debug)]
pub struct SpawnArgs {
    /// The agent id (registered now if it is not yet).
    pub id: String,
    /// The branch the agent works on (created from HEAD if missing).
    #[arg(long)]
    pub branch: String,
    /// Where to create the worktree (default: beside the main worktree, REPO-ID).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
}

#[derive(Serialize)]
struct Spawned {
    agent: String,
    branch: String,
    worktree: String,
}

/// Creates and binds the worktree.
pub fn run(ctx: &mut Ctx, args: SpawnArgs) -> Result<Outcome, CliError> {
    crate::model::id::validate_agent_id(&args.id)
        .map_err(|m| CliError::usage(m, "choose another id"))?;
    let snapshot = ctx.snapshot()?;
    let registered_here = !snapshot.state.agents.contains_key(&args.id);
    let main = ctx.repo()?.main_worktree();
    let path = match args.path {
        Some(p) if p.is_absolute() => p,
        Some(p) => ctx.cwd().join(p),
        None => {
            let name = main
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "repo".into());
            main.with_file_name(format!("{name}-{}", args.id))
        }
    };
    if path.exists() {
        return Err(CliError::usage(
            format!("{} already exists", path.display()),
            "choose another place with --path DIR",
        ));
    }
    match snapshot.state.agents.get(&args.id) {
        Some(agent) if agent.branch != args.branch => {
            return Err(CliError::usage(
                format!(
                    "agent '{}' is registered on branch '{}', not '{}'",
                    args.id, agent.branch, args.branch
                ),
                format!(
                    "run `{}`",
                    crate::model::text::shell_line([
                        "gitcoord",
                        "spawn",
                        &args.id,
                        "--branch",
                        &agent.branch
                    ])
                ),
            ));
        }
        Some(_) => {}
        None => {
            if !crate::git::repo::valid_branch_name(&args.branch) {
                return Err(CliError::usage(
                    format!("'{}' is not a valid branch name", args.branch),
                    "use a name git accepts, e.g. feature/auth",
                ));
            }
            let agent = Box::new(Agent {
                branch: args.branch.clone(),
                added: ctx.now()?,
                ..Agent::default()
            });
            ctx.run_op(Op::AgentAdd {
                id: args.id.clone(),
                agent,
            })?;
        }
    }
    if let Err(e) = ctx.repo()?.add_worktree(&path, &args.branch) {
        // A spawn that fails leaves nothing behind: the agent it registered goes again.
        if registered_here {
            ctx.run_op(Op::AgentRemove {
                id: args.id.clone(),
            })?;
        }
        return Err(CliError::from(e)
            .context("git worktree add failed")
            .hint("fix what git says, then run spawn again"));
    }
    let worktree = std::fs::canonicalize(&path)?.to_string_lossy().into_owned();
    ctx.run_op(Op::AgentBind {
        id: args.id.clone(),
        worktree: worktree.clone(),
    })?;
    install::install_hooks(ctx, false)?;
    // A branch born while a wave is open is snapshotted at its start, so a rollback to
    // that wave finds it.
    super::wave::snapshot_missing(ctx)?;
    let value = Spawned {
        agent: args.id,
        branch: args.branch,
        worktree,
    };
    ctx.ui.emit(&value, |out| {
        writeln!(
            out,
            "spawned {} on {} in {}",
            value.agent, value.branch, value.worktree
        )?;
        writeln!(
            out,
            "  cd {} — gitcoord acts as {} there, hooks installed",
            crate::model::text::shell_word(&value.worktree),
            value.agent
        )
    })?;
    Ok(Outcome::Clean)
}
