//! `gitcoord guard`: a Claude Code `PreToolUse` hook. Reads the event JSON on stdin and
//! denies edits to files locked by another agent, outside the agent's boundaries, or made
//! while the repository is halted; allows silently otherwise. Either way, the open
//! decisions whose area covers the file come with the answer as `additionalContext`.
//!
//! Protocol: exit 0 with no output allows; exit 0 with a `deny` decision on stdout refuses
//! with a reason the agent can act on. An event that cannot be judged (not JSON, an edit
//! without a file, a state or configuration that cannot be read) exits 2 with the reason on
//! stderr, which Claude Code treats as a refusal: any other failure would let the edit
//! through unjudged.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{CliError, Ctx, Outcome};
use crate::enforce::edit;
use crate::enforce::report::text;
use crate::git::repo;
use crate::hooks::claude::EDIT_TOOLS;
use crate::model::shard::Scope;
use crate::policy::Violation;

/// The largest event read: an edit's whole new content fits many times over, and an
/// endless stdin ends in a refusal rather than in all the memory there is.
const MAX_EVENT: u64 = 64 << 20;

/// Judges one PreToolUse event.
pub fn run(ctx: &mut Ctx) -> Result<Outcome, CliError> {
    let mut input = String::new();
    std::io::stdin()
        .take(MAX_EVENT + 1)
        .read_to_string(&mut input)
        .map_err(|e| unjudged(format!("cannot read the event on stdin ({e})")))?;
    if input.len() as u64 > MAX_EVENT {
        return Err(unjudged(format!(
            "the event on stdin is over {} MiB, more than any edit event holds",
            MAX_EVENT >> 20
        )));
    }
    let event: Value = serde_json::from_str(&input)
        .map_err(|e| unjudged(format!("the PreToolUse event is not valid JSON ({e})")))?;
    if !event.is_object() {
        return Err(unjudged("the PreToolUse event is not a JSON object".into()));
    }
    let tool = event["tool_name"].as_str().unwrap_or_default();
    if !EDIT_TOOLS.contains(&tool) {
        return Ok(Outcome::Clean);
    }
    let input = &event["tool_input"];
    let Some(raw) = input["file_path"]
        .as_str()
        .or_else(|| input["notebook_path"].as_str())
    else {
        return Err(unjudged(format!(
            "the {tool} event has no tool_input.file_path"
        )));
    };
    if raw.is_empty() {
        return Err(unjudged(format!("the {tool} event has an empty file_path")));
    }
    let cwd = event["cwd"]
        .as_str()
        .map(PathBuf::from)
        .unwrap_or_else(|| ctx.cwd().to_path_buf());
    // The file decides the repository (it may be another worktree than the session's),
    // and `..` is resolved as the tool will, even through directories not there yet.
    let file = crate::model::id::lexical_path(&cwd.join(raw));
    ctx.set_cwd(existing_ancestor(&file));
    let Some(Judged {
        violations,
        decisions,
    }) = judge(ctx, &file)?
    else {
        return Ok(Outcome::Clean);
    };
    let mut output = json!({ "hookEventName": "PreToolUse" });
    if !violations.is_empty() {
        output["permissionDecision"] = json!("deny");
        output["permissionDecisionReason"] = json!(deny_reason(&violations));
    }
    if let Some(context) = decisions {
        output["additionalContext"] = json!(context);
    }
    let answer = json!({ "hookSpecificOutput": output });
    writeln!(ctx.ui.out(), "{answer}")?;
    ctx.ui.out().flush()?;
    Ok(Outcome::Clean)
}

/// The nearest directory at or above `file`'s that exists.
fn existing_ancestor(file: &Path) -> PathBuf {
    file.ancestors()
        .skip(1)
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| Path::new("/"))
        .to_path_buf()
}

/// An event the guard cannot judge: refused (exit 2), so the edit does not go through.
fn unjudged(why: String) -> CliError {
    CliError::usage(
        format!("gitcoord guard: {why}; the edit is refused unjudged"),
        "run the guard from Claude Code's PreToolUse hook (`gitcoord install --claude` sets it up)",
    )
}

/// What the guard says of an edit.
struct Judged {
    /// What the edit would break (empty: allowed).
    violations: Vec<Violation>,
    /// The open decisions whose area covers the file, as lines for the agent's context.
    decisions: Option<String>,
}

/// The violations an edit of `file` would cause, and what the agent should know about it
/// (the open decisions whose area covers it); `None` when there is nothing to say.
fn judge(ctx: &mut Ctx, file: &Path) -> Result<Option<Judged>, CliError> {
    let repo = match crate::git::Repo::discover(ctx.cwd()) {
        // Outside any repository there is nothing to guard.
        Err(repo::Error::NotARepo { .. }) => return Ok(None),
        _ => ctx.repo()?,
    };
    let Some(rel) = super::paths::relative_to_root(repo.workdir(), file) else {
        return Ok(None);
    };
    let Some(snapshot) = repo.read_state_in(&Scope::paths([rel.as_str()]))? else {
        return Ok(None);
    };
    let (actor, _) = ctx.actor(Some(&snapshot.state))?;
    let now = ctx.now()?;
    let skip = super::check::skips(ctx);
    let repo = ctx.repo()?;
    let violations = edit::check(repo, &snapshot.state, (&actor, now), &skip, &rel)?;
    let decisions = open_decisions(&snapshot.state, &rel);
    let judged = Judged {
        violations,
        decisions,
    };
    Ok((!judged.violations.is_empty() || judged.decisions.is_some()).then_some(judged))
}

/// The open decisions whose area covers `path`, as a few lines for the agent's context.
fn open_decisions(state: &crate::model::State, path: &str) -> Option<String> {
    let open: Vec<String> = state
        .decisions
        .values()
        .filter(|d| d.resolution.is_none())
        .filter(|d| {
            d.area
                .as_deref()
                .is_some_and(|area| crate::model::glob::Glob::new(area).matches(path))
        })
        .map(|d| {
            format!(
                "- {} (area {}): {} — see `gitcoord decision show {}`",
                d.id,
                d.area.as_deref().unwrap_or_default(),
                crate::model::text::one_line(&d.title),
                d.id
            )
        })
        .collect();
    (!open.is_empty()).then(|| {
        format!(
            "gitcoord: {path} is in the area of open decisions; edit it in the direction they take, or give your input first:\n{}",
            open.join("\n")
        )
    })
}

fn deny_reason(violations: &[Violation]) -> String {
    let mut lines: Vec<String> = violations.iter().map(|v| v.message.clone()).collect();
    lines.push("Do not edit this file now; work on something else. Next:".into());
    lines.extend(
        text::next_steps(violations, text::Refused::Edit, false)
            .iter()
            .map(|s| format!("  {s}")),
    );
    lines.join("\n")
}
