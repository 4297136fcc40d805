//! `gitcoord check pre-push` (and the `pre-push` hook): the checks on what a push brings.

use std::io::{IsTerminal, Read};

use clap::Args;
use serde::Serialize;

use super::format::Format;
use super::report::{self, CheckReport};
use super::{CliError, Ctx, Outcome, check, integration};
use crate::enforce::report::text::Refused;
use crate::enforce::{self, push};
use crate::git::Repo;
use crate::git::revs::{self, PushUpdate};
use crate::model::ObjectId;
use crate::model::shard::Scope;
use crate::policy::{CheckKind, Violation};

/// Arguments of `check pre-push` (the same git gives the hook).
#[derive(Args, Debug)]
pub struct PrePushArgs {
    /// The remote pushed to (a name, or the URL when the push names no remote).
    #[arg(default_value = "origin")]
    pub remote: String,
    /// The remote's URL.
    pub url: Option<String>,
}

impl PrePushArgs {
    /// The arguments git passes the pre-push hook (remote name and URL), or the pre-commit
    /// framework's `PRE_COMMIT_REMOTE_NAME` and `PRE_COMMIT_REMOTE_URL`.
    pub fn from_hook(args: &[String]) -> PrePushArgs {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        PrePushArgs {
            remote: args
                .first()
                .cloned()
                .or_else(|| env("PRE_COMMIT_REMOTE_NAME"))
                .unwrap_or_else(|| "origin".into()),
            url: args
                .get(1)
                .cloned()
                .or_else(|| env("PRE_COMMIT_REMOTE_URL")),
        }
    }
}

#[derive(Serialize)]
struct Report<'a> {
    remote: &'a str,
    integration_branch: &'a str,
    commits: usize,
    merge_order_checked: bool,
    skipped: Vec<CheckKind>,
    violations: &'a [Violation],
}

/// The pre-push checks; git's lines come on stdin. By hand with nothing on stdin, the
/// current branch is checked as `git push REMOTE BRANCH` would push it.
pub fn run(ctx: &mut Ctx, args: PrePushArgs, in_hook: bool) -> Result<Outcome, CliError> {
    let skip = check::skips(ctx);
    let repo = ctx.repo()?;
    let updates = read_updates(repo, &args.remote, in_hook)?;
    // No check applies to a push of gitcoord's own refs only (publishing the state or the
    // snapshots, or deleting them), so the hook reads nothing for it: neither a halt nor a
    // state, identity or scanner configuration that cannot be read may stand in its way.
    if in_hook && !updates.iter().any(push::is_judged) {
        return Ok(Outcome::Clean);
    }
    let now = ctx.now()?;
    let state = enforce::state_or_empty(repo, now, &Scope::all())?;
    let (target, _) = integration::resolve(repo, &state, &args.remote);
    let (fallback, _) = ctx.actor(Some(&state))?;
    // A push that brings no commits (a deletion) scans nothing, so it does not need the
    // secrets configuration: a broken one must not block it.
    let brings_commits = updates
        .iter()
        .any(|u| u.local.is_some() && push::is_judged(u));
    let mut scan_skip = skip.clone();
    if !brings_commits {
        scan_skip.push(CheckKind::Secrets);
    }
    let setup = push::Setup::load(
        repo,
        &state,
        (now, &scan_skip),
        (&args.remote, &target),
        fallback,
    )?;
    let outcome = push::check_push(repo, &setup, &updates)?;
    let value = Report {
        remote: &args.remote,
        integration_branch: &target,
        commits: outcome.commits,
        merge_order_checked: outcome.merge_order,
        skipped: skip.clone(),
        violations: &outcome.violations,
    };
    let report = CheckReport {
        what: Refused::Push,
        value: &value,
        violations: &outcome.violations,
        ok: format!(
            "ok: {} commit(s) to push to {} pass",
            value.commits, value.remote
        ),
        anchor: outcome.anchor.as_deref().unwrap_or(report::DEFAULT_ANCHOR),
        rules: report::rules(setup.secrets.as_ref()),
    };
    if in_hook {
        report.in_hook(ctx)
    } else {
        report.by_hand(ctx, Format::Text)
    }
}

/// The updates to check: the pre-commit framework's, else git's stdin lines, else (by
/// hand) the current branch's.
fn read_updates(repo: &Repo, remote: &str, in_hook: bool) -> Result<Vec<PushUpdate>, CliError> {
    if let Some(update) = pre_commit_framework_update() {
        return Ok(vec![update]);
    }
    let mut input = String::new();
    if !std::io::stdin().is_terminal() {
        std::io::stdin().read_to_string(&mut input)?;
    }
    let mut updates = revs::parse_push_lines(&input)?;
    if updates.is_empty() && !in_hook {
        updates.extend(current_branch_update(repo, remote));
    }
    Ok(updates)
}

/// The environment variables the pre-commit framework sets in its pre-push stage, where
/// it has consumed git's stdin itself.
const PRE_COMMIT_ENV: [&str; 4] = [
    "PRE_COMMIT_LOCAL_BRANCH",
    "PRE_COMMIT_TO_REF",
    "PRE_COMMIT_REMOTE_BRANCH",
    "PRE_COMMIT_FROM_REF",
];

/// Whether the pre-commit framework runs this in its pre-push stage.
pub fn in_pre_commit_push_stage() -> bool {
    std::env::var_os("PRE_COMMIT_REMOTE_NAME").is_some()
}

/// The update the pre-commit framework describes in its environment, if it does.
fn pre_commit_framework_update() -> Option<PushUpdate> {
    let [local_ref, to, remote_ref, from] =
        PRE_COMMIT_ENV.map(|name| std::env::var(name).unwrap_or_default());
    let id = |text: &str| ObjectId::from_hex(text.as_bytes()).ok();
    let local = id(&to)?;
    Some(PushUpdate {
        local_ref,
        local: Some(local),
        remote_ref,
        remote: id(&from).filter(|f| !f.is_null()),
    })
}

/// The update `git push REMOTE BRANCH` would make for the current branch.
fn current_branch_update(repo: &Repo, remote: &str) -> Option<PushUpdate> {
    let branch = repo.current_branch()?;
    let local_ref = format!("refs/heads/{branch}");
    Some(PushUpdate {
        local: repo.ref_commit(&local_ref),
        remote: repo.ref_commit(&format!("refs/remotes/{remote}/{branch}")),
        remote_ref: local_ref.clone(),
        local_ref,
    })
}
