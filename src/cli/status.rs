//! `gitcoord status`: one screen — halt first, then agents, tasks and the open wave, locks
//! and unacknowledged messages.

use serde::Serialize;

use super::json::{HaltLine, LockLine, age_secs};
use super::table::{self, Align, Table};
use super::{CliError, Ctx, Outcome};
use crate::model::{Agent, Lock, Message, time};

#[derive(Serialize)]
struct Status<'a> {
    state: String,
    halt: Option<HaltLine<'a>>,
    agents: Vec<AgentLine<'a>>,
    locks: Vec<LockLine<'a>>,
    /// Messages their addressee has not acknowledged (to `all`: no one has).
    unacknowledged: Vec<&'a Message>,
    /// Messages that required a response, have none, and are past their deadline.
    overdue: Vec<&'a Message>,
    /// The open wave, if the plan has waves.
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    wave: Option<&'a str>,
    /// How many tasks have each status.
    tasks: std::collections::BTreeMap<&'static str, usize>,
    /// The tasks in progress, with their assignee.
    in_progress: Vec<(&'a str, &'a str)>,
    /// The local state against the remote's as last fetched (`gitcoord sync`).
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    remote: Option<RemoteLine>,
    /// Hooks gitcoord installed that no longer run it: enforcement is off for them.
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    hooks_off: Option<crate::hooks::health::Off>,
}

#[derive(Serialize)]
struct RemoteLine {
    name: String,
    /// Local operations the remote has not had yet.
    ahead: usize,
    /// Remote operations fetched and not yet here.
    behind: usize,
}

#[derive(Serialize)]
struct AgentLine<'a> {
    id: &'a str,
    #[serde(flatten)]
    agent: &'a Agent,
    locks: usize,
    /// Not seen for longer than the plan's `stale_after` (default 24 h).
    stale: bool,
    /// Seconds since it was last seen; `null` when never.
    last_seen_age_secs: Option<i64>,
}

/// Prints the one-screen status.
pub fn run(ctx: &mut Ctx) -> Result<Outcome, CliError> {
    if let Some(dir) = crate::hooks::install::committed_but_inactive(ctx.repo()?) {
        ctx.ui.note(&format!(
            "warning: the gitcoord hooks committed in {dir} do not run in this clone\n  next: gitcoord install   # points core.hooksPath at {dir}"
        ));
    }
    let snapshot = ctx.snapshot()?;
    let now = ctx.now()?;
    let remote = remote_line(ctx)?;
    let state = &snapshot.state;
    let locks: Vec<&Lock> = state.live_locks(now);
    let agents = state
        .agents
        .iter()
        .map(|(id, agent)| AgentLine {
            id,
            agent,
            locks: locks.iter().filter(|l| &l.holder == id).count(),
            stale: state.is_stale(agent, now),
            last_seen_age_secs: agent.last_seen.map(|t| age_secs(t, now)),
        })
        .collect();
    let status = Status {
        state: snapshot.commit.to_string(),
        halt: state.halt.as_ref().map(|halt| HaltLine {
            halt,
            age_secs: age_secs(halt.at, now),
        }),
        agents,
        locks: locks.iter().map(|l| LockLine::at(l, now)).collect(),
        unacknowledged: state
            .messages
            .iter()
            .filter(|m| !m.is_acknowledged())
            .collect(),
        overdue: crate::model::message::overdue(state, now),
        wave: state
            .plan
            .as_ref()
            .and_then(|p| p.open_wave())
            .map(|w| w.id.as_str()),
        tasks: state
            .tasks
            .values()
            .fold(Default::default(), |mut counts, t| {
                *counts.entry(t.status.name()).or_default() += 1;
                counts
            }),
        in_progress: crate::model::task::in_order(state)
            .into_iter()
            .filter(|(_, t)| t.status == crate::model::task::TaskStatus::InProgress)
            .map(|(id, t)| (id, t.assignee.as_deref().unwrap_or("-")))
            .collect(),
        remote,
        hooks_off: crate::hooks::health::check(ctx.repo()?),
    };
    let width = table::output_width();
    ctx.ui.emit(&status, |out| {
        if let Some(off) = &status.hooks_off {
            writeln!(
                out,
                "ENFORCEMENT OFF for {}: {}\n  fix: {}\n",
                off.hooks.join(", "),
                off.why,
                off.fix
            )?;
        }
        if let Some(h) = status.halt.as_ref().map(|h| h.halt) {
            writeln!(
                out,
                "HALTED by {} {}: {}",
                h.by,
                time::ago(h.at, now),
                h.reason
            )?;
            writeln!(
                out,
                "  every commit and push is refused; `gitcoord resume` lifts it\n"
            )?;
        }
        if let Some(r) = &status.remote {
            let said = match (r.ahead, r.behind) {
                (0, 0) => "in step with".to_owned(),
                (a, 0) => format!("{a} operation(s) ahead of"),
                (0, b) => format!("{b} operation(s) behind"),
                (a, b) => format!("{a} ahead of and {b} behind"),
            };
            writeln!(
                out,
                "state {said} {} as last fetched{}",
                r.name,
                if (r.ahead, r.behind) == (0, 0) {
                    ""
                } else {
                    "; `gitcoord sync` brings them together"
                }
            )?;
        }
        writeln!(out, "agents ({})", status.agents.len())?;
        if !status.agents.is_empty() {
            agent_table(&status.agents, now).write(out, "  ", width)?;
        }
        if !state.tasks.is_empty() {
            let counts: Vec<String> = status
                .tasks
                .iter()
                .map(|(name, n)| format!("{n} {name}"))
                .collect();
            let wave = status
                .wave
                .map(|w| format!("wave {w} open; "))
                .unwrap_or_default();
            writeln!(
                out,
                "tasks ({}): {wave}{}",
                state.tasks.len(),
                counts.join(", ")
            )?;
            for (id, agent) in &status.in_progress {
                writeln!(out, "  {id:<16} in progress by {agent}")?;
            }
        }
        writeln!(out, "locks ({})", status.locks.len())?;
        if !status.locks.is_empty() {
            let locks: Vec<&Lock> = status.locks.iter().map(|l| l.lock).collect();
            super::lock::table(&locks, now).write(out, "  ", width)?;
        }
        if !status.overdue.is_empty() {
            writeln!(out, "OVERDUE answers ({})", status.overdue.len())?;
            for m in &status.overdue {
                let line = super::msg::summary_line(m, now);
                let mark = super::msg::answer_mark(state, m, now);
                writeln!(
                    out,
                    "  {line}{mark}  {}",
                    crate::model::text::one_line(&m.draft.subject)
                )?;
            }
        }
        if !status.unacknowledged.is_empty() {
            writeln!(
                out,
                "messages ({} unacknowledged)",
                status.unacknowledged.len()
            )?;
            for m in &status.unacknowledged {
                let line = super::msg::summary_line(m, now);
                writeln!(out, "  {line}  {}", m.draft.subject)?;
            }
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}

/// The agents as a table: id, branch, status, locks held, task, last seen.
fn agent_table(agents: &[AgentLine], now: jiff::Timestamp) -> Table {
    let mut t = Table::new(&[
        ("AGENT", Align::Left),
        ("BRANCH", Align::Left),
        ("STATUS", Align::Left),
        ("LOCKS", Align::Right),
        ("TASK", Align::Left),
        ("SEEN", Align::Left),
    ]);
    for a in agents {
        let seen = a
            .agent
            .last_seen
            .map_or_else(|| "never".to_owned(), |t| time::ago(t, now));
        t.row(vec![
            a.id.to_owned(),
            a.agent.branch.clone(),
            a.agent.status.clone().unwrap_or_default(),
            a.locks.to_string(),
            a.agent.task.clone().unwrap_or_default(),
            if a.stale {
                format!("{seen} (stale)")
            } else {
                seen
            },
        ]);
    }
    t
}

/// The local state against the configured remote's last-fetched state, when one was fetched.
fn remote_line(ctx: &Ctx) -> Result<Option<RemoteLine>, CliError> {
    let repo = ctx.repo()?;
    let name = repo
        .config_string("gitcoord.remote")
        .unwrap_or_else(|| "origin".to_owned());
    Ok(repo.ahead_behind(&name)?.map(|(ahead, behind)| RemoteLine {
        name,
        ahead,
        behind,
    }))
}
