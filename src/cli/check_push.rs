//! `gitcoord check pre-push` (and the `pre-push` hook): the checks on what a push brings.

use std::io::{IsTerminal, Read};

use clap::Args;
use serde::Serialize;

use super::{CliError, Ctx, check, integration};
use crate::git::Repo;
use crate::git::revs::{self, PushUpdate};
use crate::hooks::{prepush, report};
use crate::policy::{Check, Violation};

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

/// Turns a revision error into the usage error it is (exit 2).
pub fn rev_error(e: revs::Error) -> CliError {
    CliError::usage(
        e.to_string(),
        "check the revisions and that the history is fetched (`git fetch`; in CI a full clone, e.g. fetch-depth: 0)",
    )
}

#[derive(Serialize)]
struct Report<'a> {
    remote: &'a str,
    integration_branch: &'a str,
    commits: usize,
    merge_order_checked: bool,
    skipped: Vec<Check>,
    violations: &'a [Violation],
}

/// The pre-push checks; git's lines come on stdin. By hand with nothing on stdin, the
/// current branch is checked as `git push REMOTE BRANCH` would push it.
pub fn run(ctx: &mut Ctx, args: PrePushArgs, in_hook: bool) -> Result<u8, CliError> {
    let skip = check::skips(ctx);
    let repo = ctx.repo()?;
    // Without a coordination state there are no locks, boundaries or halt to enforce, but
    // the secrets check still runs: an empty state stands in for the missing one.
    let state = match repo.read_state()? {
        Some(snapshot) => snapshot.state,
        None => crate::model::State::new(ctx.now()?),
    };
    let updates = read_updates(repo, &args.remote, in_hook)?;
    let state = &state;
    let (target, _) = integration::resolve(repo, state, &args.remote);
    let setup = check::push_setup(ctx, state, &skip, &args.remote, &target)?;
    let outcome = prepush::check_push(repo, &setup, &updates).map_err(rev_error)?;
    let code = u8::from(!outcome.violations.is_empty());
    if in_hook {
        return check::in_hook_report(ctx, "push", &outcome.violations);
    }
    let value = Report {
        remote: &args.remote,
        integration_branch: &target,
        commits: outcome.commits,
        merge_order_checked: outcome.merge_order,
        skipped: skip.clone(),
        violations: &outcome.violations,
    };
    ctx.ui.emit(&value, |out| {
        if outcome.violations.is_empty() {
            writeln!(
                out,
                "ok: {} commit(s) to push to {} pass",
                value.commits, value.remote
            )
        } else {
            report::render(out, "push", &outcome.violations)
        }
    })?;
    Ok(code)
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
    let mut updates = revs::parse_push_lines(&input).map_err(rev_error)?;
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
    let id = |text: &str| gix::ObjectId::from_hex(text.as_bytes()).ok();
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
