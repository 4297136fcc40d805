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
    /// The branch the agent works on (created from HEAD if missing); a registered agent's
    /// own by default.
    #[arg(long)]
    pub branch: Option<String>,
    /// Where to create the worktree (default: beside the main worktree, REPO-ID).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
}

#[derive(Serialize)]
struct Spawned {
    agent: String,
    branch: String,
    worktree: String,
    /// Whether this spawn created the worktree (false: it was there already).
    created: bool,
}

/// Creates and binds the worktree; for an agent whose worktree is there already, says where
/// (and makes sure the hooks are installed): spawning twice is no error.
pub fn run(ctx: &mut Ctx, args: SpawnArgs) -> Result<Outcome, CliError> {
    crate::model::id::validate_agent_id(&args.id)
        .map_err(|m| CliError::usage(m, "choose another id"))?;
    let snapshot = ctx.snapshot()?;
    let registered = snapshot.state.agents.get(&args.id).cloned();
    let registered_here = registered.is_none();
    let branch = match (&args.branch, &registered) {
        (Some(branch), _) => branch.clone(),
        (None, Some(agent)) => agent.branch.clone(),
        (None, None) => {
            return Err(CliError::usage(
                format!(
                    "agent '{}' is not registered, so its branch is not known",
                    args.id
                ),
                format!(
                    "give it one: `{}`",
                    crate::model::text::shell_line([
                        "gitcoord",
                        "spawn",
                        &args.id,
                        "--branch",
                        &format!("feature/{}", args.id)
                    ])
                ),
            ));
        }
    };
    let path = match &args.path {
        Some(p) if p.is_absolute() => Some(p.clone()),
        Some(p) => Some(ctx.cwd().join(p)),
        None => None,
    };
    if let Some(agent) = &registered
        && agent.branch == branch
        && let Some(bound) = agent.worktree.as_deref()
        && std::path::Path::new(bound).is_dir()
    {
        return already_spawned(ctx, &args.id, agent, bound, path.as_deref());
    }
    let main = ctx.repo()?.main_worktree();
    let path = match path {
        Some(p) => p,
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
    match &registered {
        Some(agent) if agent.branch != branch => {
            return Err(CliError::usage(
                format!(
                    "agent '{}' is registered on branch '{}', not '{}'",
                    args.id, agent.branch, branch
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
            if !crate::git::repo::valid_branch_name(&branch) {
                return Err(CliError::usage(
                    format!("'{branch}' is not a valid branch name"),
                    "use a name git accepts, e.g. feature/auth",
                ));
            }
            let agent = Box::new(Agent {
                branch: branch.clone(),
                added: ctx.now()?,
                ..Agent::default()
            });
            ctx.run_op(Op::AgentAdd {
                id: args.id.clone(),
                agent,
            })?;
        }
    }
    if let Err(e) = ctx.repo()?.add_worktree(&path, &branch) {
        // A spawn that fails leaves nothing behind: the agent it registered goes again.
        if registered_here {
            ctx.run_op(Op::AgentRemove {
                id: args.id.clone(),
                force: true,
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
    report(
        ctx,
        Spawned {
            agent: args.id,
            branch,
            worktree,
            created: true,
        },
    )
}

/// Prints where the agent's worktree is, and how to start there.
fn report(ctx: &mut Ctx, value: Spawned) -> Result<Outcome, CliError> {
    ctx.ui.emit(&value, |out| {
        if value.created {
            writeln!(
                out,
                "spawned {} on {} in {}",
                value.agent, value.branch, value.worktree
            )?;
        } else {
            writeln!(
                out,
                "{} is spawned already: {} in {}",
                value.agent, value.branch, value.worktree
            )?;
        }
        writeln!(
            out,
            "  cd {} — gitcoord acts as {} there, hooks installed",
            crate::model::text::shell_word(&value.worktree),
            value.agent
        )
    })?;
    Ok(Outcome::Clean)
}

/// The agent's worktree exists and is bound: reports it, installs the hooks if they went
/// missing, and exits 0. A `--path` elsewhere is refused: one agent, one worktree.
fn already_spawned(
    ctx: &mut Ctx,
    id: &str,
    agent: &Agent,
    bound: &str,
    asked: Option<&std::path::Path>,
) -> Result<Outcome, CliError> {
    if let Some(asked) = asked {
        let same = std::fs::canonicalize(asked).is_ok_and(|p| p == std::path::Path::new(bound));
        if !same {
            return Err(CliError::usage(
                format!("agent '{id}' already has its worktree at {bound}"),
                format!(
                    "work there, or remove it first: `git worktree remove {}`",
                    crate::model::text::shell_word(bound)
                ),
            ));
        }
    }
    install::install_hooks(ctx, false)?;
    report(
        ctx,
        Spawned {
            agent: id.to_owned(),
            branch: agent.branch.clone(),
            worktree: bound.to_owned(),
            created: false,
        },
    )
}
