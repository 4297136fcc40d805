//! `gitcoord halt` and `gitcoord resume`: the emergency halt.

use clap::Args;

use super::{CliError, Ctx, Outcome, report_applied};
use crate::model::Op;

/// Arguments of `halt`.
#[derive(Args, Debug)]
pub struct HaltArgs {
    /// Why all work must stop.
    #[arg(long)]
    pub reason: String,
}

/// Halts every commit and push.
pub fn run_halt(ctx: &mut Ctx, args: HaltArgs) -> Result<Outcome, CliError> {
    let applied = ctx.run_op(Op::Halt {
        reason: args.reason,
    })?;
    report_applied(ctx, &applied)
}

/// Lifts the halt.
pub fn run_resume(ctx: &mut Ctx) -> Result<Outcome, CliError> {
    let applied = ctx.run_op(Op::Resume)?;
    report_applied(ctx, &applied)
}
