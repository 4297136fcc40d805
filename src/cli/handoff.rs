//! `gitcoord handoff --to ID --note N [--task T] [FILE]…`: hand work to another agent — the
//! files as they are at the tip of the sender's branch, and the sender's task done (checked
//! as `task done` checks it), which unblocks what waits on it.

use clap::Args;

use super::{CliError, Ctx, Outcome, paths, report_applied};
use crate::model::message::{Draft, Handoff};
use crate::model::{Op, id};

/// Arguments of `handoff`.
#[derive(Args, Debug)]
pub struct HandoffArgs {
    /// The agent receiving the work.
    #[arg(long, value_name = "ID")]
    pub to: String,
    /// What is handed over, one line.
    #[arg(long)]
    pub note: String,
    /// Your task this handoff completes.
    #[arg(long, value_name = "T")]
    pub task: Option<String>,
    /// Files handed over (committed on your branch).
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,
}

/// Runs `handoff`.
pub fn run(ctx: &mut Ctx, args: HandoffArgs) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let (actor, _) = ctx.actor(Some(&snapshot.state))?;
    let Some(me) = actor.agent_id() else {
        return Err(CliError::usage(
            "a handoff is from an agent's branch, and you act as no agent",
            "pass --agent ID, set GITCOORD_AGENT, or run it from the agent's worktree",
        ));
    };
    let branch = snapshot
        .state
        .agents
        .get(me)
        .map(|a| a.branch.clone())
        .unwrap_or_default();
    let repo = ctx.repo()?;
    let Some(tip) = repo.local_branch_tip(&branch) else {
        return Err(CliError::usage(
            format!("your branch {branch} does not exist here"),
            "commit the work on your branch first",
        ));
    };
    let mut files = Vec::new();
    for raw in &args.files {
        let file = paths::repo_pattern(repo, ctx.cwd(), raw)?;
        let file = id::normalize_deliverable(&file)
            .map_err(|why| CliError::usage(why, "name each file handed over"))?;
        if !repo.has_path(tip, &file) {
            return Err(CliError::usage(
                format!("{file} is not on {branch}"),
                format!("commit it on {branch} first: a handoff names files at the branch tip"),
            ));
        }
        files.push(file);
    }
    let draft = Draft {
        to: args.to,
        subject: args.note,
        body: None,
        requires_response: false,
        reply_to: None,
        within_secs: None,
        handoff: Some(Handoff {
            branch,
            commit: tip.to_string(),
            files,
            task: args.task.clone(),
        }),
    };
    let op = Op::Handoff(draft);
    ctx.try_op(&op)?;
    if let Some(task) = &args.task {
        super::task::verify_done(ctx, task)?;
    }
    let applied = ctx.run_op(op)?;
    report_applied(ctx, &applied)
}
