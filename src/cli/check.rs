//! `gitcoord check pre-commit|pre-push|pr` (and the hooks): the enforcement checks run by hand.

use clap::Subcommand;
use serde::Serialize;

use super::format::Format;
use super::report::{self, CheckReport};
use super::{CliError, Ctx, Outcome, check_pr, check_push};
use crate::enforce::report::text::Refused;
use crate::enforce::{self, commit};
use crate::model::shard::Scope;
use crate::policy::{CheckKind, Violation};

/// The `check` subcommands.
#[derive(Subcommand, Debug)]
pub enum CheckCommand {
    /// Check what `git commit` would commit now.
    PreCommit,
    /// Check what a push brings (git's pre-push lines on stdin, else the current branch).
    ///
    /// Reads the lines git gives a pre-push hook on stdin, one per ref pushed:
    /// `<local ref> <local sha> <remote ref> <remote sha>`. With nothing on stdin, checks the
    /// current branch as `git push REMOTE BRANCH` would push it. The halt is checked once;
    /// every commit the push brings is checked, as the agent who made it, for locks held by
    /// others, boundaries, file rules and added secrets; an update of the integration
    /// branch is also checked for merge order. Pushes of gitcoord's own refs are not checked.
    /// Exit 1 when the push would be refused, with one line per violation.
    PrePush(check_push::PrePushArgs),
    /// Check a pull request's commits (base..head) for CI.
    Pr(check_pr::PrArgs),
}

/// Runs a `check` subcommand by hand: the report goes to stdout.
pub fn run(ctx: &mut Ctx, cmd: CheckCommand) -> Result<Outcome, CliError> {
    match cmd {
        CheckCommand::PreCommit => pre_commit(ctx, false),
        CheckCommand::PrePush(args) => check_push::run(ctx, args, false),
        CheckCommand::Pr(args) => check_pr::run(ctx, args),
    }
}

/// The checks named in `GITCOORD_SKIP`, each announced on stderr so a skip is never silent.
pub fn skips(ctx: &mut Ctx) -> Vec<CheckKind> {
    let Ok(text) = std::env::var("GITCOORD_SKIP") else {
        return Vec::new();
    };
    let (known, unknown) = CheckKind::parse_list(&text);
    for check in &known {
        ctx.ui.note(&format!(
            "gitcoord: skipping the {} check (GITCOORD_SKIP)",
            check.name()
        ));
    }
    for name in unknown {
        let names: Vec<_> = CheckKind::ALL.iter().map(|c| c.name()).collect();
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
    skipped: Vec<CheckKind>,
    violations: &'a [Violation],
}

/// The pre-commit checks; in a hook the report goes to stderr, where git shows it.
pub fn pre_commit(ctx: &mut Ctx, in_hook: bool) -> Result<Outcome, CliError> {
    let skip = skips(ctx);
    let staged = commit::staged(ctx.repo()?, &skip)?;
    judge(ctx, staged, skip, in_hook)
}

/// The `pre-merge-commit` hook: git runs it, instead of pre-commit, before the commit of a
/// merge that needed no resolving. Such a merge edits nothing of its own (every path comes
/// from a merged commit, checked when it was made and again at push, where a merge is
/// judged for what differs from every parent), so what remains to judge is the state
/// itself: a halt refuses it.
pub fn pre_merge_commit(ctx: &mut Ctx) -> Result<Outcome, CliError> {
    let skip = skips(ctx);
    judge(ctx, commit::Staged::default(), skip, true)
}

fn judge(
    ctx: &mut Ctx,
    staged: commit::Staged,
    skip: Vec<CheckKind>,
    in_hook: bool,
) -> Result<Outcome, CliError> {
    let now = ctx.now()?;
    let repo = ctx.repo()?;
    // Only the locks that can match a staged path are read.
    let scope = Scope::paths(staged.changes.iter().map(|c| c.path.as_str()));
    let state = enforce::state_or_empty(repo, now, &scope)?;
    let (actor, _) = ctx.actor(Some(&state))?;
    let outcome = commit::check(staged, &state, &actor, now, &skip);
    let value = Report {
        actor: actor.label(),
        checked: outcome.changes.len(),
        skipped: skip,
        violations: &outcome.violations,
    };
    let report = CheckReport {
        what: Refused::Commit,
        value: &value,
        violations: &outcome.violations,
        ok: format!(
            "ok: {} staged path(s) pass as {}",
            value.checked, value.actor
        ),
        anchor: outcome
            .changes
            .first()
            .map_or(report::DEFAULT_ANCHOR, |c| c.path.as_str()),
        rules: report::rules(None),
    };
    if in_hook {
        report.in_hook(ctx)
    } else {
        report.by_hand(ctx, Format::Text)
    }
}
