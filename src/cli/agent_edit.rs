//! `gitcoord agent edit`: change a registered agent in one operation, all or nothing.

use clap::Args;
use jiff::Timestamp;
use serde::Serialize;

use super::{CliError, Ctx, Outcome, paths};
use crate::model::Op;
use crate::model::agent::{Agent, AgentEdit};

/// Arguments of `agent edit`.
#[derive(Args, Debug)]
pub struct EditArgs {
    /// The agent id.
    pub id: String,
    /// Its new branch.
    #[arg(long)]
    pub branch: Option<String>,
    /// Its new role; "" clears it.
    #[arg(long)]
    pub role: Option<String>,
    /// A glob it owns from now on.
    #[arg(long, value_name = "GLOB")]
    pub owns: Vec<String>,
    /// A glob it must not touch from now on.
    #[arg(long, value_name = "GLOB")]
    pub deny: Vec<String>,
    /// A glob added to its allow list.
    #[arg(long, value_name = "GLOB")]
    pub allow: Vec<String>,
    /// An agent whose work must be merged before this one's.
    #[arg(long, value_name = "ID")]
    pub after: Vec<String>,
    /// A glob it owns no longer.
    #[arg(long, value_name = "GLOB")]
    pub remove_owns: Vec<String>,
    /// A glob taken off its deny list.
    #[arg(long, value_name = "GLOB")]
    pub remove_deny: Vec<String>,
    /// A glob taken off its allow list (an empty allow list allows everything else).
    #[arg(long, value_name = "GLOB")]
    pub remove_allow: Vec<String>,
    /// An agent it is merged after no longer.
    #[arg(long, value_name = "ID")]
    pub remove_after: Vec<String>,
    /// Make it a coordinator.
    #[arg(long, conflicts_with = "no_coordinator")]
    pub coordinator: bool,
    /// Make it an agent like the others again.
    #[arg(long)]
    pub no_coordinator: bool,
}

/// An agent as `agent edit --json` prints it: every key present, lists as `[]`.
#[derive(Serialize)]
struct Shown<'a> {
    id: &'a str,
    branch: &'a str,
    role: Option<&'a str>,
    expertise: &'a [String],
    ports: &'a [u16],
    owns: &'a [String],
    deny: &'a [String],
    allow: &'a [String],
    after: &'a [String],
    coordinator: bool,
    worktree: Option<&'a str>,
    added: Timestamp,
    status: Option<&'a str>,
    task: Option<&'a str>,
    note: Option<&'a str>,
    last_seen: Option<Timestamp>,
}

impl<'a> Shown<'a> {
    fn new(id: &'a str, a: &'a Agent) -> Shown<'a> {
        Shown {
            id,
            branch: &a.branch,
            role: a.role.as_deref(),
            expertise: &a.expertise,
            ports: &a.ports,
            owns: &a.owns,
            deny: &a.deny,
            allow: &a.allow,
            after: &a.after,
            coordinator: a.coordinator,
            worktree: a.worktree.as_deref(),
            added: a.added,
            status: a.status.as_deref(),
            task: a.task.as_deref(),
            note: a.note.as_deref(),
            last_seen: a.last_seen,
        }
    }
}

fn globs(raw: &[String]) -> Result<Vec<String>, CliError> {
    raw.iter().map(|g| paths::policy_glob(g)).collect()
}

/// The edit the flags ask for, or a usage error.
fn changes(args: &EditArgs) -> Result<AgentEdit, CliError> {
    if let Some(branch) = &args.branch
        && !crate::git::repo::valid_branch_name(branch)
    {
        return Err(CliError::usage(
            format!("'{branch}' is not a valid branch name"),
            "use a name git accepts, e.g. feature/auth (see `git check-ref-format --branch`)",
        ));
    }
    let edit = AgentEdit {
        branch: args.branch.clone(),
        role: args.role.clone(),
        owns: globs(&args.owns)?,
        deny: globs(&args.deny)?,
        allow: globs(&args.allow)?,
        after: args.after.clone(),
        remove_owns: globs(&args.remove_owns)?,
        remove_deny: globs(&args.remove_deny)?,
        remove_allow: globs(&args.remove_allow)?,
        remove_after: args.remove_after.clone(),
        coordinator: match (args.coordinator, args.no_coordinator) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
    };
    if edit.is_empty() {
        return Err(CliError::usage(
            format!("nothing to change in agent '{}'", args.id),
            "pass what changes, e.g. --owns GLOB or --remove-deny GLOB; see `gitcoord agent edit --help`",
        ));
    }
    Ok(edit)
}

/// Runs `agent edit`: prints what changed, or with `--json` the agent after the edit.
pub fn run(ctx: &mut Ctx, args: EditArgs) -> Result<Outcome, CliError> {
    let edit = changes(&args)?;
    let applied = ctx.run_op(Op::AgentEdit {
        id: args.id.clone(),
        edit: Box::new(edit),
    })?;
    let snapshot = ctx.snapshot()?;
    let Some(agent) = snapshot.state.agents.get(&args.id) else {
        return Err(CliError::refused(
            format!("agent '{}' was removed just after the edit", args.id),
            "see `gitcoord log` for who removed it",
        ));
    };
    ctx.ui.emit(&Shown::new(&args.id, agent), |out| {
        super::write_applied(out, &applied)
    })?;
    Ok(Outcome::Clean)
}
