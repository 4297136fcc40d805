//! `gitcoord notice --hook`: Claude Code's `PostToolUse` hook — only what is new for the
//! acting agent since its last notice (messages and handoffs to it, a decision resolved in
//! its area, one of its locks force-released or about to expire), once each, silent when
//! nothing is. Cheap when nothing changed: the state ref and a small file are all it reads.
//!
//! What it has told an agent is kept per agent in the common git dir
//! (`gitcoord-notices/ID.json`): the state commit it last looked at, the last message
//! number, the resolved decisions and the agent's locks it knew.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{CliError, Ctx, Outcome};
use crate::model::shard::{Locks, Scope};
use crate::model::{Op, State, text::one_line, time};

/// How long before a lock expires its holder is told.
const EXPIRY_WARNING: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);
/// How many state commits back it looks for force-released locks.
const HISTORY: usize = 500;

/// What an agent has been told.
#[derive(Serialize, Deserialize, Default, Debug)]
struct Seen {
    /// The state commit last looked at.
    commit: String,
    /// The highest message number known (how seen messages were kept before `messages`).
    #[serde(default)]
    last_message: u64,
    /// The messages known, by id (ids from other machines arrive in no order).
    #[serde(default)]
    messages: BTreeSet<String>,
    /// Resolved decisions already known.
    resolved: BTreeSet<String>,
    /// The agent's live locks: pattern → expiry.
    locks: BTreeMap<String, jiff::Timestamp>,
    /// Expiry warnings given, as `pattern@expiry`.
    warned: BTreeSet<String>,
}

fn path(ctx: &Ctx, agent: &str) -> Result<PathBuf, CliError> {
    Ok(ctx
        .repo()?
        .common_dir()
        .join("gitcoord-notices")
        .join(format!("{agent}.json")))
}

/// Runs `notice --hook`. It never blocks the agent: every failure is silence.
pub fn run(ctx: &mut Ctx) -> Result<Outcome, CliError> {
    let Ok(lines) = notices(ctx) else {
        return Ok(Outcome::Clean);
    };
    if lines.is_empty() {
        return Ok(Outcome::Clean);
    }
    let answer = serde_json::json!({
        "hookSpecificOutput": {
            "hookEventName": "PostToolUse",
            "additionalContext": format!("gitcoord:\n{}", lines.join("\n")),
        }
    });
    writeln!(ctx.ui.out(), "{answer}")?;
    ctx.ui.out().flush()?;
    Ok(Outcome::Clean)
}

fn notices(ctx: &mut Ctx) -> Result<Vec<String>, CliError> {
    let repo = ctx.repo()?;
    let Some(head) = repo.state_head()? else {
        return Ok(Vec::new());
    };
    let core = repo.read_state_in(&Scope::core())?;
    let Some(core) = core else {
        return Ok(Vec::new());
    };
    let (actor, _) = ctx.actor(Some(&core.state))?;
    let Some(agent) = actor.agent_id().map(str::to_owned) else {
        return Ok(Vec::new());
    };
    let file = path(ctx, &agent)?;
    let first = !file.exists();
    let mut seen: Seen = std::fs::read(&file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let now = ctx.now()?;
    let mut out = Vec::new();
    let head = head.to_string();
    let moved = seen.commit != head;
    if moved {
        let scope = Scope {
            locks: Locks::All,
            messages: true,
            memory: false,
        };
        let repo = ctx.repo()?;
        let Some(snapshot) = repo.read_state_in(&scope)? else {
            return Ok(Vec::new());
        };
        let released = force_released(ctx, &seen.commit, &agent)?;
        let news = changes(&snapshot.state, &agent, &mut seen, now, &released);
        if !first {
            out.extend(news);
        }
        seen.commit = head;
    }
    for (pattern, expires) in &seen.locks {
        let key = format!("{pattern}@{expires}");
        if *expires > now
            && expires.duration_since(now) <= EXPIRY_WARNING
            && !seen.warned.contains(&key)
        {
            out.push(format!(
                "- your lock on {pattern} expires in {}: `gitcoord lock {pattern}` renews it",
                time::format_duration(expires.duration_since(now))
            ));
            seen.warned.insert(key);
        }
    }
    // Nothing moved and nothing told: nothing to remember.
    if !moved && out.is_empty() && !first {
        return Ok(out);
    }
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = file.with_extension("json.tmp");
    std::fs::write(
        &tmp,
        serde_json::to_vec(&seen).map_err(anyhow::Error::from)?,
    )?;
    std::fs::rename(&tmp, &file)?;
    Ok(out)
}

/// What changed for `agent` in `state` since `seen`, which it updates.
fn changes(
    state: &State,
    agent: &str,
    seen: &mut Seen,
    now: jiff::Timestamp,
    released: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    // What an older gitcoord recorded as a number covers the plain ids up to it.
    let known_before = |id: &str| {
        seen.messages.is_empty()
            && id
                .strip_prefix('m')
                .and_then(|n| n.parse::<u64>().ok())
                .is_some_and(|n| n <= seen.last_message)
    };
    for m in &state.messages {
        if !seen.messages.contains(&m.id) && !known_before(&m.id) && m.is_for(agent) {
            let what = if m.draft.handoff.is_some() {
                "handoff"
            } else {
                "message"
            };
            out.push(format!(
                "- {what} {} from {}: {} (`gitcoord inbox`)",
                m.id,
                m.from,
                one_line(&m.draft.subject)
            ));
        }
    }
    // Only what the state still holds: pruned messages never come back.
    seen.messages = state.messages.iter().map(|m| m.id.clone()).collect();
    let area: Vec<&str> = state
        .agents
        .get(agent)
        .map(|a| a.owns.iter().chain(&a.allow).map(String::as_str).collect())
        .unwrap_or_default();
    for d in state.decisions.values() {
        let Some(r) = &d.resolution else { continue };
        if !seen.resolved.insert(d.id.clone()) {
            continue;
        }
        let mine = d
            .area
            .as_deref()
            .is_some_and(|a| area.iter().any(|g| crate::model::glob::overlaps(g, a)));
        if mine || d.input_from.iter().any(|a| a == agent) {
            out.push(format!(
                "- decision {} resolved by {}: {} — {}",
                d.id,
                r.by,
                one_line(&r.choice),
                one_line(&r.rationale)
            ));
        }
    }
    let current: BTreeMap<String, jiff::Timestamp> = state
        .live_locks(now)
        .into_iter()
        .filter(|l| l.holder == agent)
        .map(|l| (l.pattern.clone(), l.expires))
        .collect();
    for (pattern, by) in released {
        if seen.locks.contains_key(pattern) && !current.contains_key(pattern) {
            out.push(format!("- your lock on {pattern} was released by {by}"));
        }
    }
    seen.locks = current;
    out
}

/// The locks of `agent` force-released by someone else since the state commit `since`:
/// pattern → who.
fn force_released(
    ctx: &Ctx,
    since: &str,
    agent: &str,
) -> Result<BTreeMap<String, String>, CliError> {
    let mut out = BTreeMap::new();
    if since.is_empty() {
        return Ok(out);
    }
    let Ok(since) = since.parse::<crate::model::ObjectId>() else {
        return Ok(out);
    };
    for entry in ctx.repo()?.state_history_since(Some(since), HISTORY)? {
        let Some(record) = entry.record else { continue };
        if let Op::Unlock {
            patterns,
            force: true,
        } = &record.op
        {
            if record.actor.agent_id() != Some(agent) {
                for p in patterns {
                    out.entry(p.clone()).or_insert_with(|| record.actor.label());
                }
            }
        }
    }
    Ok(out)
}
