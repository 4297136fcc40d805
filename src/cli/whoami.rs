//! `gitcoord whoami`: the acting identity and how it was resolved.

use super::{CliError, Ctx, Outcome};

/// Prints who is acting and why.
pub fn run(ctx: &mut Ctx) -> Result<Outcome, CliError> {
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
    Ok(Outcome::Clean)
}
