//! `gitcoord init`: create the state ref (idempotent).

use clap::Args;

use super::{CliError, Ctx};
use crate::model::Op;

/// Arguments of `init`.
#[derive(Args, Debug)]
pub struct InitArgs {}

/// Creates the state unless it exists.
pub fn run(ctx: &mut Ctx, _args: InitArgs) -> Result<u8, CliError> {
    let repo = ctx.repo()?;
    let existing = repo.read_state()?;
    let message = match existing {
        Some(snap) => format!(
            "gitcoord state already exists at {} ({} agent(s))",
            snap.commit.to_hex_with_len(10),
            snap.state.agents.len()
        ),
        None => {
            let applied = ctx.run_op(Op::Init)?;
            format!("{} in {}", applied.summary, crate::git::STATE_REF)
        }
    };
    let value = serde_json::json!({ "message": message });
    ctx.ui.emit(&value, |out| writeln!(out, "{message}"))?;
    Ok(0)
}
