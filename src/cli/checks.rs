//! Running a plan's checks (`[[check]]`): a command in a worktree with a time limit and its
//! output kept short, or a built-in over the repository. Used by `task done`,
//! `wave advance` (and `verify`).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{CliError, Ctx};
use crate::enforce::secrets;
use crate::git::Repo;
use crate::model::State;
use crate::model::plan::Check;

/// The default time a `run` check may take.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// How many lines of a failing check's output are shown.
const TAIL: usize = 15;

/// One check's result.
#[derive(Serialize, Debug)]
pub struct Verdict {
    /// The check id.
    pub id: String,
    /// Whether it passed.
    pub ok: bool,
    /// Why it failed (the last lines of a command's output), or what it found.
    pub detail: String,
}

/// The check `id` of the plan.
pub fn find<'s>(state: &'s State, id: &str) -> Result<&'s Check, CliError> {
    state
        .plan
        .as_ref()
        .and_then(|p| p.checks.iter().find(|c| c.id == id))
        .ok_or_else(|| {
            CliError::usage(
                format!("the plan has no check '{id}'"),
                "see the [[check]] tables of `gitcoord plan show`",
            )
        })
}

/// Runs `check` for `branch` (the agent's, else the current one) in the worktree `dir`.
pub fn run(ctx: &Ctx, state: &State, check: &Check, dir: &Path, branch: Option<&str>) -> Verdict {
    let result = match (&check.run, check.builtin.as_deref()) {
        (Some(command), _) => run_command(command, dir, timeout(check)),
        (None, Some("deliverables")) => ctx
            .repo()
            .map_err(|e| e.lines().join(": "))
            .and_then(|repo| deliverables(repo, state)),
        (None, Some("root-files")) => ctx
            .repo()
            .map_err(|e| e.lines().join(": "))
            .and_then(|repo| root_files(repo, branch, check.max.unwrap_or(0))),
        (None, Some("secrets-clean")) => secrets_clean(ctx, state, branch),
        (None, Some("merges-clean")) => merges_clean(ctx, state),
        (None, Some(other)) => Err(format!(
            "the built-in check '{other}' is not available in this version of gitcoord"
        )),
        (None, None) => Err("the check has neither run nor builtin".to_owned()),
    };
    match result {
        Ok(detail) => Verdict {
            id: check.id.clone(),
            ok: true,
            detail,
        },
        Err(detail) => Verdict {
            id: check.id.clone(),
            ok: false,
            detail,
        },
    }
}

fn timeout(check: &Check) -> Duration {
    check
        .timeout
        .as_deref()
        .and_then(|t| crate::model::time::parse_duration(t).ok())
        .and_then(|d| Duration::try_from(d).ok())
        .unwrap_or(DEFAULT_TIMEOUT)
}

/// The last [`TAIL`] lines of `text`.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(TAIL)..].join("\n")
}

/// Runs `command` with `sh -c` in `dir`; its output merged, waited for at most `limit`.
fn run_command(command: &str, dir: &Path, limit: Duration) -> Result<String, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("exec 2>&1; {command}"))
        .current_dir(dir)
        .env("GITCOORD", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run sh: {e}"))?;
    let mut out = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        if let Some(out) = out.as_mut() {
            let _ = out.read_to_end(&mut text);
        }
        String::from_utf8_lossy(&text).into_owned()
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("cannot wait for `{command}`: {e}")),
        }
    };
    let output = reader.join().unwrap_or_default();
    match status {
        Some(status) if status.success() => Ok(tail(&output)),
        Some(status) => Err(format!("`{command}` failed ({status}):\n{}", tail(&output))),
        None => Err(format!(
            "`{command}` did not finish within {}s and was stopped:\n{}",
            limit.as_secs(),
            tail(&output)
        )),
    }
}

/// Every task's deliverables exist on its assignee's branch tip — the tasks due by now:
/// those of no wave, of a done wave or of the open wave (a later wave's are not expected
/// yet, so the built-in works as a wave's checkpoint too).
fn deliverables(repo: &Repo, state: &State) -> Result<String, String> {
    let mut missing = Vec::new();
    let mut count = 0;
    let pending = |wave: &String| {
        state.plan.as_ref().is_some_and(|p| {
            p.waves
                .iter()
                .any(|w| &w.id == wave && w.status == crate::model::plan_state::WaveStatus::Pending)
        })
    };
    for (id, task) in crate::model::task::in_order(state) {
        if task.wave.as_ref().is_some_and(pending) {
            continue;
        }
        let branch = task
            .assignee
            .as_ref()
            .and_then(|a| state.agents.get(a))
            .map(|a| a.branch.as_str());
        for file in &task.deliverables {
            count += 1;
            let present = branch
                .and_then(|b| repo.local_branch_tip(b))
                .is_some_and(|tip| repo.has_path(tip, file));
            if !present {
                missing.push(format!(
                    "{file} (task {id}, {})",
                    branch.unwrap_or("no assignee")
                ));
            }
        }
    }
    if missing.is_empty() {
        Ok(format!("{count} deliverable(s) present"))
    } else {
        Err(format!("missing on the branch tip: {}", missing.join(", ")))
    }
}

/// The repository root holds at most `max` files (at `branch`, else HEAD).
fn root_files(repo: &Repo, branch: Option<&str>, max: u32) -> Result<String, String> {
    let rev = branch.map_or_else(|| "HEAD".to_owned(), |b| format!("refs/heads/{b}"));
    let tip = repo.resolve_commit(&rev).map_err(|e| e.to_string())?;
    let files = repo.root_files(tip).map_err(|e| e.to_string())?;
    if files.len() <= max as usize {
        Ok(format!(
            "{} file(s) in the root (at most {max})",
            files.len()
        ))
    } else {
        Err(format!(
            "{} file(s) in the root, more than {max}: {}",
            files.len(),
            files.join(", ")
        ))
    }
}

/// Every agent's branch merges into the integration branch, in merge order, without a
/// conflict (played forward with `git merge-tree`, nothing checked out).
fn merges_clean(ctx: &Ctx, state: &State) -> Result<String, String> {
    let repo = ctx.repo().map_err(|e| e.lines().join(": "))?;
    let (integration, conflicts, merged) =
        super::conflicts::in_merge_order(repo, state).map_err(|e| e.lines().join(": "))?;
    if conflicts.is_empty() {
        Ok(format!(
            "{merged} branch(es) merge into {integration} cleanly, in merge order"
        ))
    } else {
        let each: Vec<String> = conflicts
            .iter()
            .map(|c| {
                format!(
                    "{} conflicts in {} (agent {})",
                    c.branch,
                    c.files.join(", "),
                    c.agent
                )
            })
            .collect();
        Err(format!(
            "merging into {integration} in merge order: {}",
            each.join("; ")
        ))
    }
}

/// No secret on `branch` (else HEAD) that the integration branch does not have already.
fn secrets_clean(ctx: &Ctx, state: &State, branch: Option<&str>) -> Result<String, String> {
    let repo = ctx.repo().map_err(|e| e.lines().join(": "))?;
    let setup = secrets::Setup::load(repo.workdir(), None, None).map_err(|e| e.to_string())?;
    let (integration, _) = super::integration::resolve(repo, state, "origin");
    let tip = branch.map_or_else(|| "HEAD".to_owned(), |b| format!("refs/heads/{b}"));
    let base = format!("^refs/heads/{integration}");
    let mut args = vec![tip.as_str()];
    if repo.local_branch_tip(&integration).is_some() && branch != Some(integration.as_str()) {
        args.push(base.as_str());
    }
    let outcome = secrets::commits(&setup, repo, &args).map_err(|e| e.to_string())?;
    if outcome.findings.is_empty() {
        Ok("no secrets".to_owned())
    } else {
        let found: Vec<String> = outcome
            .findings
            .iter()
            .take(TAIL)
            .map(|f| format!("{}:{} {}", f.file, f.line, f.rule_id))
            .collect();
        Err(format!(
            "{} secret(s): {}",
            outcome.findings.len(),
            found.join(", ")
        ))
    }
}
