//! `gitcoord check pr --base REV --head REV`: the push checks on a pull request's commits,
//! for CI, in text, JSON, SARIF, GitHub annotations or GitLab Code Quality.

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::check_push::rev_error;
use super::{CliError, Ctx, check, integration};
use crate::git::{Repo, Snapshot};
use crate::hooks::{formats, prepush, report};
use crate::model::Actor;
use crate::policy::{Check, Violation};

/// The output formats of `check pr`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Lines for people, then what to do.
    Text,
    /// The report as JSON.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub workflow annotations (and the job summary when `GITHUB_STEP_SUMMARY` is set).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
}

/// Arguments of `check pr`.
#[derive(Args, Debug)]
pub struct PrArgs {
    /// The revision the pull request merges into (e.g. origin/main or the base sha).
    #[arg(long, value_name = "REV")]
    pub base: String,
    /// The pull request's head revision.
    #[arg(long, value_name = "REV")]
    pub head: String,
    /// The output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
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
    skipped: Vec<Check>,
    violations: &'a [Violation],
    #[serde(skip)]
    anchor: &'a str,
}

/// Runs the checks on `base..head` and prints them in the chosen format.
pub fn run(ctx: &mut Ctx, args: PrArgs) -> Result<u8, CliError> {
    let skip = check::skips(ctx);
    let format = if ctx.ui.json {
        Format::Json
    } else {
        args.format
    };
    let repo = ctx.repo()?;
    let range = (
        repo.resolve_commit(&args.base).map_err(rev_error)?,
        repo.resolve_commit(&args.head).map_err(rev_error)?,
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
    let setup = check::push_setup(ctx, state, &skip, &args.remote, &integration_branch)?;
    let into_integration = target.as_deref() == Some(integration_branch.as_str());
    let outcome = prepush::check_range(repo, &setup, range, agent.clone(), into_integration)
        .map_err(rev_error)?;
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
        anchor: outcome.anchor.as_deref().unwrap_or(formats::DEFAULT_ANCHOR),
    };
    print(ctx, format, &value)?;
    Ok(u8::from(!outcome.violations.is_empty() && !args.exit_zero))
}

fn print(ctx: &mut Ctx, format: Format, value: &Report) -> Result<(), CliError> {
    let violations = value.violations;
    let json = |v: &serde_json::Value| serde_json::to_string_pretty(v).map_err(anyhow::Error::from);
    let out = ctx.ui.out();
    match format {
        Format::Text if violations.is_empty() => writeln!(
            out,
            "ok: {} commit(s) in {}..{} pass",
            value.commits, value.base, value.head
        )?,
        Format::Text => report::render(out, "pull request", violations)?,
        Format::Json => writeln!(
            out,
            "{}",
            json(&serde_json::to_value(value).map_err(anyhow::Error::from)?)?
        )?,
        Format::Sarif => writeln!(out, "{}", json(&formats::sarif(violations, value.anchor))?)?,
        Format::Gitlab => writeln!(out, "{}", json(&formats::gitlab(violations, value.anchor))?)?,
        Format::Github => {
            formats::github(out, violations)?;
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
                let range = format!("{}..{}", value.base, value.head);
                let summary = formats::github_summary(&range, value.commits, violations);
                append(&path, &summary)?;
            }
        }
    }
    out.flush()?;
    Ok(())
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
    let hint = format!(
        "run `git fetch {remote} {0}:{0}` (the state ref is not fetched by default), or `gitcoord init` if the repository has no coordination state yet",
        crate::git::STATE_REF
    );
    repo.fetch_state(remote).map_err(|e| {
        CliError::usage(
            format!("no coordination state here, and fetching it from '{remote}' failed: {e}"),
            hint.clone(),
        )
    })?;
    repo.read_state()?
        .ok_or_else(|| CliError::usage(format!("'{remote}' has no coordination state"), hint))
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
        .find_map(|b| prepush::agent_on(state, &b)))
}
