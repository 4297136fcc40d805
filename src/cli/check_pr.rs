//! `gitcoord check pr --base REV --head REV`: the push checks on a pull request's commits,
//! for CI, in text, JSON, SARIF, GitHub annotations or GitLab Code Quality.

use clap::Args;
use serde::Serialize;

use super::format::Format;
use super::report::{self, CheckReport};
use super::{CliError, Ctx, Outcome, check, integration};
use crate::enforce::report::ci;
use crate::enforce::report::text::Refused;
use crate::enforce::{pull_request, push};
use crate::git::{Repo, Snapshot};
use crate::model::Actor;
use crate::model::text::shell_line;
use crate::policy::{CheckKind, Violation};

/// Arguments of `check pr`.
#[derive(Args, Debug)]
pub struct PrArgs {
    /// The revision the pull request merges into (e.g. origin/main or the base sha).
    #[arg(long, value_name = "REV")]
    pub base: String,
    /// The pull request's head revision.
    #[arg(long, value_name = "REV")]
    pub head: String,
    /// The output format (default: text; `--json` is `--format json`).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Exit 0 even when violations are found (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// The branch the pull request targets, when --base is a bare commit
    /// (default: GITHUB_BASE_REF, CI_MERGE_REQUEST_TARGET_BRANCH_NAME, or --base's name).
    #[arg(long, value_name = "BRANCH")]
    pub target: Option<String>,
    /// The remote to fetch the state from and whose branches are agents' tips.
    #[arg(long, default_value = "origin")]
    pub remote: String,
}

#[derive(Serialize)]
struct Report<'a> {
    base: &'a str,
    head: &'a str,
    target: Option<&'a str>,
    integration_branch: &'a str,
    merge_order_checked: bool,
    agent: Option<String>,
    commits: usize,
    skipped: Vec<CheckKind>,
    violations: &'a [Violation],
}

/// Runs the checks on `base..head` and prints them in the chosen format.
pub fn run(ctx: &mut Ctx, args: PrArgs) -> Result<Outcome, CliError> {
    let format = super::json::report_format(ctx.ui.json, args.format)?;
    let skip = check::skips(ctx);
    let now = ctx.now()?;
    let repo = ctx.repo()?;
    let range = (
        repo.resolve_commit(&args.base)?,
        repo.resolve_commit(&args.head)?,
    );
    let snapshot = state_or_fetch(repo, &args.remote)?;
    let state = &snapshot.state;
    let (integration_branch, _) = integration::resolve(repo, state, &args.remote);
    let target = args
        .target
        .clone()
        .or_else(|| ci_env(&["GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"]))
        .or_else(|| branch_name(repo, &args.base, &args.remote));
    let agent = pr_agent(ctx, state, &args)?;
    let (fallback, _) = ctx.actor(Some(state))?;
    let setup = push::Setup::load(
        repo,
        state,
        (now, &skip),
        (&args.remote, &integration_branch),
        fallback,
    )?;
    let into_integration = target.as_deref() == Some(integration_branch.as_str());
    let outcome = pull_request::check(repo, &setup, range, agent.clone(), into_integration)?;
    if !into_integration {
        ctx.ui.note(&format!(
            "gitcoord: merge order not checked: the pull request does not target the integration branch {integration_branch} (pass --target BRANCH when --base is a bare commit)"
        ));
    }
    let value = Report {
        base: &args.base,
        head: &args.head,
        target: target.as_deref(),
        integration_branch: &integration_branch,
        merge_order_checked: outcome.merge_order,
        agent: agent.map(|a| a.label()),
        commits: outcome.commits,
        skipped: skip.clone(),
        violations: &outcome.violations,
    };
    let report = CheckReport {
        what: Refused::PullRequest,
        value: &value,
        violations: &outcome.violations,
        ok: format!(
            "ok: {} commit(s) in {}..{} pass",
            value.commits, value.base, value.head
        ),
        anchor: outcome.anchor.as_deref().unwrap_or(report::DEFAULT_ANCHOR),
        rules: report::rules(setup.secrets.as_ref()),
    };
    let found = report.by_hand(ctx, format)?;
    if format == Format::Github {
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
            let range = format!("{}..{}", value.base, value.head);
            let summary = ci::github_summary(&range, value.commits, &outcome.violations);
            append(&path, &summary).map_err(|e| {
                CliError::from(anyhow::Error::from(e).context(format!(
                    "cannot append the job summary to {} (GITHUB_STEP_SUMMARY)",
                    std::path::Path::new(&path).display()
                )))
                .hint("point GITHUB_STEP_SUMMARY at a writable file, or unset it")
            })?;
        }
    }
    Ok(if args.exit_zero {
        Outcome::Clean
    } else {
        found
    })
}

fn append(path: &std::ffi::OsStr, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// The state, fetched from `remote` first when this clone lacks it (CI checkouts do).
fn state_or_fetch(repo: &Repo, remote: &str) -> Result<Snapshot, CliError> {
    if let Some(snapshot) = repo.read_state()? {
        return Ok(snapshot);
    }
    let advise = |e: CliError| e.hint(fetch_hint(remote)).hint(publish_hint(remote));
    repo.fetch_state(remote).map_err(|e| {
        advise(CliError::from(e).context(format!(
            "no coordination state here, and fetching it from '{remote}' failed"
        )))
    })?;
    repo.read_state()?.ok_or_else(|| {
        advise(CliError::usage(
            format!("'{remote}' has no coordination state"),
            "",
        ))
    })
}

/// How to fetch the state into a clone that lacks it.
fn fetch_hint(remote: &str) -> String {
    let refspec = format!("{0}:{0}", crate::git::STATE_REF);
    format!(
        "fetch it with `{}` (the state ref is not fetched by default), or run `gitcoord init` if the repository has no coordination state yet",
        shell_line(["git", "fetch", remote, &refspec])
    )
}

/// How to publish the state to a remote that lacks it, from a clone that has it.
fn publish_hint(remote: &str) -> String {
    let mut sync = vec!["gitcoord", "sync"];
    if remote != "origin" {
        sync.extend(["--remote", remote]);
    }
    format!(
        "when '{remote}' lacks it, publish it from a clone that has it: `{}` (or `{}`)",
        shell_line(sync),
        shell_line(["git", "push", remote, crate::git::STATE_REF])
    )
}

fn ci_env(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
}

/// The branch a revision names (`main`, `origin/main`, `refs/heads/main`,
/// `refs/remotes/origin/main`), if it names one.
fn branch_name(repo: &Repo, rev: &str, remote: &str) -> Option<String> {
    let remote_prefix = format!("refs/remotes/{remote}/");
    let short_remote = format!("{remote}/");
    for prefix in ["refs/heads/", remote_prefix.as_str(), short_remote.as_str()] {
        if let Some(name) = rev.strip_prefix(prefix) {
            return Some(name.to_owned());
        }
    }
    repo.branch_exists(rev).then(|| rev.to_owned())
}

/// The agent the pull request is checked as: `--agent`, else the agent on the head branch.
fn pr_agent(
    ctx: &Ctx,
    state: &crate::model::State,
    args: &PrArgs,
) -> Result<Option<Actor>, CliError> {
    if let Some(id) = &ctx.agent_flag {
        if !state.agents.contains_key(id) {
            return Err(CliError::usage(
                format!("agent '{id}' (given with --agent) is not registered"),
                "see `gitcoord agent list`",
            ));
        }
        return Ok(Some(Actor::Agent { id: id.clone() }));
    }
    let repo = ctx.repo()?;
    let named = branch_name(repo, &args.head, &args.remote);
    let from_env = ci_env(&["GITHUB_HEAD_REF", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"]);
    Ok([named, from_env]
        .into_iter()
        .flatten()
        .find_map(|b| push::agent_on(state, &b)))
}
