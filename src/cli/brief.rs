//! `gitcoord brief`: the acting agent's startup checklist, at most [`BUDGET`] characters
//! even on a busy state — what it must know first (the halt), who it is and where it may
//! write, its next task, what waits on it (handoffs, questions to answer, decisions asking
//! its input), locks near its area. For an unbound user: the lead's view.

use serde::Serialize;

use super::{CliError, Ctx, Outcome};
use crate::model::glob::overlaps;
use crate::model::{State, message, text::one_line, time};

/// The most characters a brief prints: about 800 tokens of an agent's context.
pub const BUDGET: usize = 3200;
/// The most items one section lists; the rest are counted.
const ITEMS: usize = 5;
/// The most characters of one line.
const LINE: usize = 160;

/// One section: a heading and its lines (the first [`ITEMS`]), and how many more there are.
#[derive(Serialize, Debug)]
pub struct Section {
    /// What it is about.
    pub title: &'static str,
    /// Its lines.
    pub items: Vec<String>,
    /// Lines left out, and the command that shows them.
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    pub more: Option<String>,
}

/// The brief.
#[derive(Serialize, Debug)]
pub struct Brief {
    /// Who it is for.
    pub actor: String,
    /// The sections, most urgent first; empty ones are left out.
    pub sections: Vec<Section>,
}

fn clip(text: &str) -> String {
    short(text, LINE)
}

/// `text` on one line, at most `max` characters (cut with `…`).
fn short(text: &str, max: usize) -> String {
    let line = one_line(text);
    if line.chars().count() <= max {
        return line;
    }
    line.chars().take(max - 1).collect::<String>() + "…"
}

/// The number of an id like `m12` or `d3`, for ordering.
fn number(id: &str) -> u64 {
    id.trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .parse()
        .unwrap_or(u64::MAX)
}

fn section(title: &'static str, items: Vec<String>, more: &str) -> Option<Section> {
    if items.is_empty() {
        return None;
    }
    let left = items.len().saturating_sub(ITEMS);
    Some(Section {
        title,
        items: items.into_iter().take(ITEMS).map(|i| clip(&i)).collect(),
        more: (left > 0).then(|| format!("{left} more: {more}")),
    })
}

fn halt(state: &State, now: jiff::Timestamp) -> Option<Section> {
    let h = state.halt.as_ref()?;
    section(
        "HALTED",
        vec![format!(
            "by {} {}: {} — every commit and push is refused until `gitcoord resume`",
            h.by,
            time::ago(h.at, now),
            h.reason
        )],
        "gitcoord status",
    )
}

/// The brief of agent `id`.
pub fn for_agent(state: &State, id: &str, now: jiff::Timestamp) -> Brief {
    let mut sections: Vec<Option<Section>> = vec![halt(state, now)];
    let agent = state.agents.get(id);
    let mut me = Vec::new();
    if let Some(a) = agent {
        me.push(format!(
            "{id}{} on {}",
            a.role
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            a.branch
        ));
        if !a.owns.is_empty() || !a.allow.is_empty() {
            let own: Vec<&str> = a.owns.iter().chain(&a.allow).map(String::as_str).collect();
            me.push(format!("write in: {}", own.join(", ")));
        }
        if !a.deny.is_empty() {
            me.push(format!("never touch: {}", a.deny.join(", ")));
        }
        let others: Vec<String> = state
            .agents
            .iter()
            .filter(|(other, _)| other.as_str() != id)
            .flat_map(|(other, b)| b.owns.iter().map(move |g| format!("{g} ({other})")))
            .collect();
        if !others.is_empty() {
            me.push(format!("owned by others: {}", others.join(", ")));
        }
    }
    sections.push(section("you", me, "gitcoord agent show"));
    let next = crate::model::next::next(state, id);
    let mut todo = Vec::new();
    if let Some(t) = next
        .task
        .as_ref()
        .and_then(|t| state.tasks.get(t).map(|x| (t, x)))
    {
        let verb = match t.1.status {
            crate::model::task::TaskStatus::InProgress => "work on",
            _ => "start",
        };
        todo.push(format!("{verb} {}: {}", t.0, t.1.title));
    }
    todo.extend(next.waiting_on.iter().map(|w| format!("waiting on {w}")));
    sections.push(section("next", todo, "gitcoord next"));
    let handoffs: Vec<String> = state
        .messages
        .iter()
        .filter(|m| m.draft.handoff.is_some() && m.is_unread_by(id))
        .map(|m| {
            let h = m
                .draft
                .handoff
                .as_ref()
                .map(super::msg::handoff_line)
                .unwrap_or_default();
            format!("{} from {}: {} — {h}", m.id, m.from, m.draft.subject)
        })
        .collect();
    sections.push(section("handed to you", handoffs, "gitcoord inbox"));
    let answer: Vec<String> = state
        .messages
        .iter()
        .filter(|m| m.is_for(id) && m.due.is_some() && message::answer(state, m).is_none())
        .map(|m| {
            format!(
                "{} from {}: {}{}",
                m.id,
                m.from,
                short(&m.draft.subject, 80),
                super::msg::answer_mark(state, m, now)
            )
        })
        .collect();
    sections.push(section("answer these", answer, "gitcoord inbox"));
    let mut asking: Vec<&crate::model::decision::Decision> = state
        .decisions
        .values()
        .filter(|d| d.awaits_input_from(id))
        .collect();
    asking.sort_by_key(|d| number(&d.id));
    let decisions: Vec<String> = asking
        .into_iter()
        .map(|d| {
            format!(
                "{}: {} (`gitcoord decision input {} --text …`)",
                d.id, d.title, d.id
            )
        })
        .collect();
    sections.push(section(
        "decisions asking your input",
        decisions,
        "gitcoord decision list --open",
    ));
    let unread: Vec<String> = state
        .messages
        .iter()
        .filter(|m| m.is_unread_by(id) && m.draft.handoff.is_none() && m.due.is_none())
        .map(|m| format!("{} from {}: {}", m.id, m.from, m.draft.subject))
        .collect();
    sections.push(section("unread", unread, "gitcoord inbox"));
    let mine: Vec<String> = state
        .live_locks(now)
        .into_iter()
        .filter(|l| l.holder == id)
        .map(|l| {
            format!(
                "{} (expires in {})",
                l.pattern,
                time::format_duration(l.expires.duration_since(now))
            )
        })
        .collect();
    sections.push(section("your locks", mine, "gitcoord locks"));
    let area: Vec<&str> = agent
        .map(|a| a.owns.iter().chain(&a.allow).map(String::as_str).collect())
        .unwrap_or_default();
    let near: Vec<String> = state
        .live_locks(now)
        .into_iter()
        .filter(|l| l.holder != id && area.iter().any(|g| overlaps(g, &l.pattern)))
        .map(|l| format!("{} by {}", l.pattern, l.holder))
        .collect();
    sections.push(section(
        "others' locks in your area",
        near,
        "gitcoord locks",
    ));
    Brief {
        actor: id.to_owned(),
        sections: sections.into_iter().flatten().collect(),
    }
}

/// The lead's brief (an unbound user `label`): stale agents, overdue answers, open
/// decisions, tasks in progress and messages for the lead.
pub fn for_lead(state: &State, label: &str, now: jiff::Timestamp) -> Brief {
    let stale: Vec<String> = state
        .agents
        .iter()
        .filter(|(_, a)| state.is_stale(a, now))
        .map(|(id, a)| {
            let seen = a.last_seen.map_or("never seen".to_owned(), |t| {
                format!("last seen {}", time::ago(t, now))
            });
            format!("{id} ({seen})")
        })
        .collect();
    let overdue: Vec<String> = message::overdue(state, now)
        .into_iter()
        .map(|m| {
            format!(
                "{} {} -> {}: {}{}",
                m.id,
                m.from,
                m.draft.to,
                short(&m.draft.subject, 80),
                super::msg::answer_mark(state, m, now)
            )
        })
        .collect();
    let mut open: Vec<&crate::model::decision::Decision> = state
        .decisions
        .values()
        .filter(|d| d.resolution.is_none())
        .collect();
    open.sort_by_key(|d| number(&d.id));
    let decisions: Vec<String> = open
        .into_iter()
        .map(|d| format!("{}: {}", d.id, d.title))
        .collect();
    let working: Vec<String> = crate::model::task::in_order(state)
        .into_iter()
        .filter(|(_, t)| t.status == crate::model::task::TaskStatus::InProgress)
        .map(|(id, t)| {
            format!(
                "{id} by {}: {}",
                t.assignee.as_deref().unwrap_or("-"),
                t.title
            )
        })
        .collect();
    let unread: Vec<String> = state
        .messages
        .iter()
        .filter(|m| m.is_unread_by(label))
        .map(|m| format!("{} from {}: {}", m.id, m.from, m.draft.subject))
        .collect();
    let sections = [
        halt(state, now),
        section("stale agents", stale, "gitcoord status"),
        section("overdue answers", overdue, "gitcoord status"),
        section("open decisions", decisions, "gitcoord decision list --open"),
        section(
            "in progress",
            working,
            "gitcoord task list --status in-progress",
        ),
        section("for you", unread, "gitcoord inbox"),
    ];
    Brief {
        actor: label.to_owned(),
        sections: sections.into_iter().flatten().collect(),
    }
}

/// The brief of the acting identity: an agent's, or the lead's view for a user.
fn of_actor(ctx: &Ctx, state: &State, now: jiff::Timestamp) -> Result<Brief, CliError> {
    let (actor, _) = ctx.actor(Some(state))?;
    Ok(match actor.agent_id() {
        Some(id) => for_agent(state, id, now),
        None => for_lead(state, &actor.label(), now),
    })
}

/// The brief as text, never over [`BUDGET`] characters.
pub fn render(brief: &Brief) -> String {
    let mut out = format!("gitcoord brief for {}\n", brief.actor);
    if brief.sections.is_empty() {
        out.push_str("nothing waits on you\n");
    }
    for s in &brief.sections {
        let mut block = format!("{}:\n", s.title);
        for item in &s.items {
            block.push_str(&format!("  - {item}\n"));
        }
        if let Some(more) = &s.more {
            block.push_str(&format!("  ({more})\n"));
        }
        if out.chars().count() + block.chars().count() > BUDGET - 60 {
            out.push_str("(cut to fit; `gitcoord status` shows everything)\n");
            break;
        }
        out.push_str(&block);
    }
    out
}

/// Arguments of `brief`.
#[derive(clap::Args, Debug)]
pub struct BriefArgs {
    /// Answer as Claude Code's `SessionStart` hook: the brief as the session's
    /// `additionalContext` (JSON on stdout); silent where there is no state.
    #[arg(long)]
    pub hook: bool,
}

/// Runs `brief`.
pub fn run(ctx: &mut Ctx, args: BriefArgs) -> Result<Outcome, CliError> {
    if args.hook {
        return run_hook(ctx);
    }
    let snapshot = ctx.snapshot()?;
    let now = ctx.now()?;
    let state = &snapshot.state;
    let brief = of_actor(ctx, state, now)?;
    let text = render(&brief);
    ctx.ui.emit(&brief, |out| write!(out, "{text}"))?;
    Ok(Outcome::Clean)
}

/// The `SessionStart` answer. A session must start even when gitcoord cannot brief it: no
/// repository or no state prints nothing; a broken state says so in the context.
fn run_hook(ctx: &mut Ctx) -> Result<Outcome, CliError> {
    let Ok(repo) = ctx.repo() else {
        return Ok(Outcome::Clean);
    };
    let text = match repo.read_state() {
        Ok(None) => return Ok(Outcome::Clean),
        Ok(Some(snapshot)) => {
            let brief = ctx
                .now()
                .and_then(|now| of_actor(ctx, &snapshot.state, now));
            match brief {
                Ok(brief) => render(&brief),
                // Who is acting cannot be told (a bad --agent or GITCOORD_AGENT): say so.
                Err(e) => format!(
                    "gitcoord cannot brief this session: {}. Run `gitcoord whoami` to see who you act as.",
                    e.lines().join(": ")
                ),
            }
        }
        Err(e) => format!(
            "gitcoord cannot read its coordination state: {e}. Run `gitcoord status` and tell the lead before committing."
        ),
    };
    let answer = serde_json::json!({
        "hookSpecificOutput": {
            "hookEventName": "SessionStart",
            "additionalContext": text,
        }
    });
    writeln!(ctx.ui.out(), "{answer}")?;
    ctx.ui.out().flush()?;
    Ok(Outcome::Clean)
}
