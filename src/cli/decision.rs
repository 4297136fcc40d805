//! `gitcoord decision propose|input|resolve|list|show`: the decision log.

use clap::{Args, Subcommand};

use super::{CliError, Ctx, Outcome, report_applied};
use crate::model::decision::{Decision, Proposal, option_name, resolvers};
use crate::model::{Op, State, text::one_line, time};

/// `decision` subcommands.
#[derive(Subcommand, Debug)]
pub enum DecisionCommand {
    /// Propose a decision; prints its id (d1, d2, …).
    Propose(ProposeArgs),
    /// Give your input on an open decision.
    Input {
        /// The decision id.
        id: String,
        /// Your input, one line.
        #[arg(long)]
        text: String,
    },
    /// Resolve a decision (its area's authority, a coordinator or an unbound user).
    Resolve {
        /// The decision id.
        id: String,
        /// The option chosen (its name).
        #[arg(long)]
        choice: String,
        /// Why, one line.
        #[arg(long)]
        rationale: String,
    },
    /// The decisions, newest last.
    List {
        /// Only those not resolved yet.
        #[arg(long)]
        open: bool,
    },
    /// One decision: options, input, outcome and rationale.
    Show {
        /// The decision id.
        id: String,
    },
}

/// Arguments of `decision propose`.
#[derive(Args, Debug)]
pub struct ProposeArgs {
    /// The question, one line.
    #[arg(long)]
    pub title: String,
    /// An option, `NAME` or `NAME: pros and cons` (at least two).
    #[arg(long = "option", value_name = "OPTION", required = true)]
    pub options: Vec<String>,
    /// An agent whose input is asked (repeatable).
    #[arg(long = "input-from", value_name = "ID")]
    pub input_from: Vec<String>,
    /// The area it decides (a glob): its authority has the final say.
    #[arg(long, value_name = "GLOB")]
    pub area: Option<String>,
    /// How long it may stay open, e.g. 1d.
    #[arg(long, value_name = "DUR")]
    pub deadline: Option<String>,
}

/// Runs a `decision` subcommand.
pub fn run(ctx: &mut Ctx, cmd: DecisionCommand) -> Result<Outcome, CliError> {
    let op = match cmd {
        DecisionCommand::Propose(args) => Op::DecisionPropose(proposal(args)?),
        DecisionCommand::Input { id, text } => Op::DecisionInput { id, text },
        DecisionCommand::Resolve {
            id,
            choice,
            rationale,
        } => Op::DecisionResolve {
            id,
            choice,
            rationale,
        },
        DecisionCommand::List { open } => return list(ctx, open),
        DecisionCommand::Show { id } => return show(ctx, &id),
    };
    let applied = ctx.run_op(op)?;
    report_applied(ctx, &applied)
}

fn proposal(args: ProposeArgs) -> Result<Proposal, CliError> {
    let area = match &args.area {
        Some(glob) => Some(crate::model::id::normalize_pattern(glob).map_err(|why| {
            CliError::usage(
                why,
                "pass --area a glob inside the repository, e.g. 'config/**'",
            )
        })?),
        None => None,
    };
    let deadline_secs = match &args.deadline {
        Some(text) => Some(
            time::parse_duration(text)
                .map_err(|m| CliError::usage(m, "e.g. --deadline 1d"))?
                .as_secs(),
        ),
        None => None,
    };
    Ok(Proposal {
        title: args.title,
        options: args.options,
        input_from: args.input_from,
        area,
        deadline_secs,
    })
}

/// `d1  open  TITLE` or `d1  vault  TITLE`: a decision on one line.
fn line(d: &Decision, now: jiff::Timestamp) -> String {
    let status = match &d.resolution {
        Some(r) => format!("resolved: {}", one_line(&r.choice)),
        None => match d.deadline {
            Some(due) if due < now => format!("OPEN, due {}", time::ago(due, now)),
            Some(due) => format!(
                "open, due in {}",
                time::format_duration(due.duration_since(now))
            ),
            None => "open".to_owned(),
        },
    };
    format!("{:<5} {:<28} {}", d.id, status, one_line(&d.title))
}

fn list(ctx: &mut Ctx, open: bool) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let now = ctx.now()?;
    let mut shown: Vec<&Decision> = snapshot
        .state
        .decisions
        .values()
        .filter(|d| !open || d.resolution.is_none())
        .collect();
    shown.sort_by_key(|d| {
        (
            d.proposed,
            d.id.trim_start_matches('d').parse::<u64>().unwrap_or(0),
        )
    });
    ctx.ui.emit(&shown, |out| {
        if shown.is_empty() {
            return writeln!(out, "no {}decisions", if open { "open " } else { "" });
        }
        for d in &shown {
            writeln!(out, "{}", line(d, now))?;
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}

fn show(ctx: &mut Ctx, id: &str) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let now = ctx.now()?;
    let state: &State = &snapshot.state;
    let Some(d) = state.decisions.get(id) else {
        return Err(CliError::from(crate::model::OpError::NoSuchDecision {
            id: id.to_owned(),
        }));
    };
    let who = resolvers(state, d);
    let value =
        crate::model::keys::every_key(|| serde_json::json!({ "decision": d, "may_resolve": who }));
    ctx.ui.emit(&value, |out| {
        writeln!(out, "{}", line(d, now))?;
        writeln!(
            out,
            "  proposed by {} {}",
            d.proposed_by,
            time::ago(d.proposed, now)
        )?;
        if let Some(area) = &d.area {
            writeln!(out, "  area: {area}")?;
        }
        for option in &d.options {
            let chosen = d
                .resolution
                .as_ref()
                .is_some_and(|r| r.choice == option_name(option));
            writeln!(
                out,
                "  {} {}",
                if chosen { "*" } else { "-" },
                one_line(option)
            )?;
        }
        for input in &d.input {
            writeln!(
                out,
                "  input from {} {}: {}",
                input.by,
                time::ago(input.at, now),
                one_line(&input.text)
            )?;
        }
        let waiting: Vec<&str> = d
            .input_from
            .iter()
            .filter(|a| d.awaits_input_from(a))
            .map(String::as_str)
            .collect();
        if !waiting.is_empty() {
            writeln!(out, "  input awaited from: {}", waiting.join(", "))?;
        }
        match &d.resolution {
            Some(r) => writeln!(
                out,
                "  resolved by {} {}: {} — {}",
                r.by,
                time::ago(r.at, now),
                one_line(&r.choice),
                one_line(&r.rationale)
            ),
            None => writeln!(
                out,
                "  may resolve: {}{}an unbound user",
                who.join(", "),
                if who.is_empty() { "" } else { ", " }
            ),
        }
    })?;
    Ok(Outcome::Clean)
}
