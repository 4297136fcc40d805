//! `gitcoord log`: the audit trail, one operation per line, newest first.

use clap::Args;

use super::{CliError, Ctx, Outcome};

/// Arguments of `log`.
#[derive(Args, Debug)]
pub struct LogArgs {
    /// Show at most N operations.
    #[arg(short = 'n', long = "max-count", default_value_t = 50)]
    pub max_count: usize,
}

/// Prints the state's history.
pub fn run(ctx: &mut Ctx, args: LogArgs) -> Result<Outcome, CliError> {
    let entries = ctx.repo()?.state_history(args.max_count)?;
    ctx.ui.emit(&entries, |out| {
        for e in &entries {
            let (when, who) = e
                .record
                .as_ref()
                .map(|r| {
                    (
                        r.at.strftime("%Y-%m-%d %H:%M:%SZ").to_string(),
                        r.actor.label(),
                    )
                })
                .unwrap_or_default();
            writeln!(out, "{} {when}  {who:<14} {}", &e.commit[..10], e.summary)?;
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}
