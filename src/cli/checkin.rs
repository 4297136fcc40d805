//! `gitcoord checkin`: heartbeat and status of the acting agent.

use clap::Args;

use super::{CliError, Ctx, Outcome, report_applied};
use crate::model::Op;

/// Arguments of `checkin`.
#[derive(Args, Debug)]
pub struct CheckinArgs {
    /// A status word, e.g. working, blocked, done.
    #[arg(long)]
    pub status: Option<String>,
    /// The task you are working on.
    #[arg(long)]
    pub task: Option<String>,
    /// A free-form note.
    #[arg(long)]
    pub note: Option<String>,
}

/// Records the heartbeat.
pub fn run(ctx: &mut Ctx, args: CheckinArgs) -> Result<Outcome, CliError> {
    let applied = ctx.run_op(Op::Checkin {
        status: args.status,
        task: args.task,
        note: args.note,
    })?;
    report_applied(ctx, &applied)
}
