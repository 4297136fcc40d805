//! `gitcoord check pre-commit|pre-push|pr` (and the hooks): the enforcement checks run by hand.

use clap::Subcommand;
use serde::Serialize;

use super::{CliError, Ctx, check_pr, check_push};
use crate::hooks::{precommit, report};
use crate::policy::{Check, Violation};

/// The `check` subcommands.
#[derive(Subcommand, Debug)]
pub enum CheckCommand {
    /// Check what `git commit` would commit now.
    PreCommit,
    /// Check what a push brings (git's pre-push lines on stdin, else the current branch).
    PrePush(check_push::PrePushArgs),
    /// Check a pull request's commits (base..head) for CI.
    Pr(check_pr::PrArgs),
}

/// Runs a `check` subcommand by hand: the report goes to stdout.
pub fn run(ctx: &mut Ctx, cmd: CheckCommand) -> Result<u8, CliError> {
    match cmd {
        CheckCommand::PreCommit => pre_commit(ctx, false),
        CheckCommand::PrePush(args) => check_push::run(ctx, args, false),
        CheckCommand::Pr(args) => check_pr::run(ctx, args),
    }
}

/// The checks named in `GITCOORD_SKIP`, each announced on stderr so a skip is never silent.
pub fn skips(ctx: &mut Ctx) -> Vec<Check> {
    let Ok(text) = std::env::var("GITCOORD_SKIP") else {
        return Vec::new();
    };
    let (known, unknown) = Check::parse_list(&text);
    for check in &known {
        ctx.ui.note(&format!(
            "gitcoord: skipping the {} check (GITCOORD_SKIP)",
            check.name()
        ));
    }
    for name in unknown {
        let names: Vec<_> = Check::ALL.iter().map(|c| c.name()).collect();
        ctx.ui.note(&format!(
            "gitcoord: GITCOORD_SKIP names no check '{name}'; known: {}",
            names.join(", ")
        ));
    }
    known
}

#[derive(Serialize)]
struct Report<'a> {
    actor: String,
    checked: usize,
    skipped: Vec<Check>,
    violations: &'a [Violation],
}

/// The pre-commit checks; in a hook the report goes to stderr, where git shows it.
pub fn pre_commit(ctx: &mut Ctx, in_hook: bool) -> Result<u8, CliError> {
    let skip = skips(ctx);
    let repo = ctx.repo()?;
    // Without a coordination state there are no locks, boundaries or halt to enforce, but
    // the secrets check still runs: an empty state stands in for the missing one.
    let state = match repo.read_state()? {
        Some(snapshot) => snapshot.state,
        None => crate::model::State::new(ctx.now()?),
    };
    let staged = precommit::staged(repo, &skip).map_err(|e| {
        CliError::usage(
            e.to_string(),
            "check that the index is readable (`git status`)",
        )
    })?;
    let (actor, _) = ctx.actor(Some(&state))?;
    let now = ctx.now()?;
    let outcome = precommit::check(staged, &state, &actor, now, &skip);
    let code = u8::from(!outcome.violations.is_empty());
    if in_hook {
        return in_hook_report(ctx, "commit", &outcome.violations);
    }
    let value = Report {
        actor: actor.label(),
        checked: outcome.changes.len(),
        skipped: skip,
        violations: &outcome.violations,
    };
    ctx.ui.emit(&value, |out| {
        if outcome.violations.is_empty() {
            writeln!(
                out,
                "ok: {} staged path(s) pass as {}",
                value.checked, value.actor
            )
        } else {
            report::render(out, "commit", &outcome.violations)
        }
    })?;
    Ok(code)
}

/// A hook's report: the violations on stderr, where git shows them, and exit code 1 when
/// there are any (git then refuses the `what`).
pub fn in_hook_report(ctx: &mut Ctx, what: &str, violations: &[Violation]) -> Result<u8, CliError> {
    if violations.is_empty() {
        return Ok(0);
    }
    let mut text = Vec::new();
    report::render(&mut text, what, violations)?;
    ctx.ui.note(String::from_utf8_lossy(&text).trim_end());
    Ok(1)
}

/// What the pre-push checks (the hook and `check pr`) need besides the commits: who acts
/// for commits of no agent, the time, and the secret scanner unless skipped.
pub fn push_setup<'a>(
    ctx: &Ctx,
    state: &'a crate::model::State,
    skip: &'a [Check],
    remote: &'a str,
    integration: &'a str,
) -> Result<crate::hooks::prepush::Setup<'a>, CliError> {
    let (fallback, _) = ctx.actor(Some(state))?;
    Ok(crate::hooks::prepush::Setup {
        state,
        now: ctx.now()?,
        skip,
        remote,
        integration,
        fallback,
        secrets: load_secrets(ctx.repo()?, skip)?,
    })
}

/// The secret scanner for push and pull-request checks, unless `GITCOORD_SKIP` names it.
pub fn load_secrets(
    repo: &crate::git::Repo,
    skip: &[Check],
) -> Result<Option<crate::scan::Secrets>, CliError> {
    if skip.contains(&Check::Secrets) {
        return Ok(None);
    }
    crate::scan::Secrets::load(repo).map(Some).map_err(|e| {
        CliError::usage(
            e.to_string(),
            "fix the secret-scanning configuration (.gitleaks.toml), or skip the check with GITCOORD_SKIP=secrets",
        )
    })
}
