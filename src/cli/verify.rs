//! `gitcoord verify [CHECK…]`: the plan's checks as a checklist — the integration
//! checklist and success criteria made executable — run in the current worktree.

use clap::Args;
use serde::Serialize;

use super::checks::{self, Verdict};
use super::{CliError, Ctx, Outcome};

/// Arguments of `verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The checks to run (default: every check of the plan, in plan order).
    pub checks: Vec<String>,
}

#[derive(Serialize)]
struct Checklist {
    ok: bool,
    checks: Vec<Verdict>,
}

/// Runs `verify`: one ✓/✗ line per check, exit 1 when any fails.
pub fn run(ctx: &mut Ctx, args: VerifyArgs) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let state = &snapshot.state;
    let all = state
        .plan
        .as_ref()
        .map(|p| p.checks.as_slice())
        .unwrap_or_default();
    let ids: Vec<String> = if args.checks.is_empty() {
        all.iter().map(|c| c.id.clone()).collect()
    } else {
        args.checks
    };
    if ids.is_empty() {
        return Err(CliError::usage(
            "the plan has no checks to verify",
            "add [[check]] tables to the plan and `gitcoord plan apply` it",
        ));
    }
    let found: Vec<_> = ids
        .iter()
        .map(|id| checks::find(state, id))
        .collect::<Result<_, _>>()?;
    let dir = ctx.repo()?.workdir().to_path_buf();
    let verdicts: Vec<Verdict> = found
        .into_iter()
        .map(|check| checks::run(ctx, state, check, &dir, None))
        .collect();
    let list = Checklist {
        ok: verdicts.iter().all(|v| v.ok),
        checks: verdicts,
    };
    ctx.ui.emit(&list, |out| {
        for v in &list.checks {
            let mark = if v.ok { "✓" } else { "✗" };
            let mut lines = v.detail.lines();
            writeln!(out, "{mark} {}: {}", v.id, lines.next().unwrap_or_default())?;
            if !v.ok {
                for line in lines {
                    writeln!(out, "    {line}")?;
                }
            }
        }
        let failed = list.checks.iter().filter(|v| !v.ok).count();
        if failed == 0 {
            writeln!(out, "all {} check(s) pass", list.checks.len())
        } else {
            writeln!(out, "{failed} of {} check(s) fail", list.checks.len())
        }
    })?;
    Ok(Outcome::found(!list.ok))
}
