//! `gitcoord whoami`: the acting identity and how it was resolved.

use super::{CliError, Ctx};

/// Prints who is acting and why.
pub fn run(ctx: &mut Ctx) -> Result<u8, CliError> {
    let snapshot = ctx.repo()?.read_state()?;
    let (actor, source) = ctx.actor(snapshot.as_ref().map(|s| &s.state))?;
    let value = serde_json::json!({
        "actor": actor.label(),
        "agent": actor.agent_id(),
        "source": source,
        "why": source.explain(),
    });
    ctx.ui.emit(&value, |out| {
        writeln!(out, "{}", actor.label())?;
        writeln!(out, "  {}", source.explain())
    })?;
    Ok(0)
}
