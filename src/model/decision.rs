//! The decision log (`decisions/ID.toml`): a question with options (pros and cons as text),
//! input asked of some agents, an area and a deadline; resolved once, by the area's
//! authority, a coordinator or an unbound user, with a rationale, and immutable after.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::op::{Actor, Applied, Record};
use super::{OpError, State};

/// One decision.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct Decision {
    /// `d1`, `d2`, … in the order proposed.
    pub id: String,
    /// The question, one line.
    pub title: String,
    /// The options, each `NAME` or `NAME: pros and cons`.
    pub options: Vec<String>,
    /// Agents whose input is asked.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub input_from: Vec<String>,
    /// The area it decides (a glob), which names who has the final say.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub area: Option<String>,
    /// When it should be resolved by.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub deadline: Option<Timestamp>,
    /// Who proposed it, and when.
    pub proposed_by: String,
    /// When.
    pub proposed: Timestamp,
    /// The input given, in order.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub input: Vec<Input>,
    /// The outcome, once resolved.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub resolution: Option<Resolution>,
}

/// Input on a decision.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// Who gave it.
    pub by: String,
    /// What they said.
    pub text: String,
    /// When.
    pub at: Timestamp,
}

/// How a decision was resolved.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// The option chosen (its name).
    pub choice: String,
    /// Why.
    pub rationale: String,
    /// Who resolved it.
    pub by: String,
    /// When.
    pub at: Timestamp,
}

impl Decision {
    /// Whether it awaits input from `agent`: asked, not given, not resolved.
    pub fn awaits_input_from(&self, agent: &str) -> bool {
        self.resolution.is_none()
            && self.input_from.iter().any(|a| a == agent)
            && !self.input.iter().any(|i| i.by == agent)
    }
}

/// The name of an option: the text before its first `:`.
pub fn option_name(option: &str) -> &str {
    option
        .split_once(':')
        .map_or(option, |(name, _)| name)
        .trim()
}

/// What `decision propose` asks for.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// The question.
    pub title: String,
    /// The options.
    pub options: Vec<String>,
    /// Agents asked for input.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub input_from: Vec<String>,
    /// The area (a normalised glob).
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub area: Option<String>,
    /// How long it may stay open, in seconds.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub deadline_secs: Option<i64>,
}

fn require<'s>(state: &'s mut State, id: &str) -> Result<&'s mut Decision, OpError> {
    let decision = state
        .decisions
        .get_mut(id)
        .ok_or_else(|| OpError::NoSuchDecision { id: id.to_owned() })?;
    if let Some(r) = &decision.resolution {
        return Err(OpError::DecisionResolved {
            id: id.to_owned(),
            choice: r.choice.clone(),
        });
    }
    Ok(decision)
}

/// Proposes a decision; its id is in the result.
pub fn propose(state: &mut State, record: &Record, p: &Proposal) -> Result<Applied, OpError> {
    OpError::one_line("title", &p.title)?;
    if p.options.len() < 2 {
        return Err(OpError::BadDecision {
            why: "a decision needs at least two --option".into(),
        });
    }
    let mut names = std::collections::BTreeSet::new();
    for option in &p.options {
        OpError::one_line("option", option)?;
        if option_name(option).is_empty() {
            return Err(OpError::BadDecision {
                why: format!("option '{option}' needs a name before any ':'"),
            });
        }
        if !names.insert(option_name(option)) {
            return Err(OpError::BadDecision {
                why: format!(
                    "two options are named '{}'; give each option a name of its own",
                    option_name(option)
                ),
            });
        }
    }
    for agent in &p.input_from {
        if !state.agents.contains_key(agent) {
            return Err(OpError::NoSuchAgent { id: agent.clone() });
        }
    }
    let deadline = match p.deadline_secs {
        Some(secs) if secs > 0 => Some(
            record
                .at
                .saturating_add(jiff::SignedDuration::from_secs(secs))
                .map_err(|_| OpError::BadDecision {
                    why: "the deadline is too far away".into(),
                })?,
        ),
        Some(_) => {
            return Err(OpError::BadDecision {
                why: "--deadline must be a positive duration".into(),
            });
        }
        None => None,
    };
    let id = match super::site::mint(state, record, super::site::Kind::Decision) {
        Some(id) => id,
        None => {
            state.meta.last_decision += 1;
            format!("d{}", state.meta.last_decision)
        }
    };
    state.decisions.insert(
        id.clone(),
        Decision {
            id: id.clone(),
            title: p.title.clone(),
            options: p.options.clone(),
            input_from: p.input_from.clone(),
            area: p.area.clone(),
            deadline,
            proposed_by: record.actor.label(),
            proposed: record.at,
            input: Vec::new(),
            resolution: None,
        },
    );
    let mut applied = Applied::new(format!("decision {id} proposed: {}", p.title));
    applied.id = Some(id);
    Ok(applied)
}

/// Adds `record`'s actor's input to decision `id`.
pub fn input(state: &mut State, record: &Record, id: &str, text: &str) -> Result<Applied, OpError> {
    OpError::one_line("input", text)?;
    let by = record.actor.label();
    let decision = require(state, id)?;
    decision.input.push(Input {
        by: by.clone(),
        text: text.to_owned(),
        at: record.at,
    });
    Ok(Applied::new(format!("input on {id} by {by}")))
}

/// Who may resolve `decision`: the agent with authority over its area, and any coordinator
/// (and every unbound user).
pub fn resolvers(state: &State, decision: &Decision) -> Vec<String> {
    let mut who: Vec<String> = decision
        .area
        .as_deref()
        .zip(state.plan.as_ref())
        .and_then(|(area, plan)| super::plan::authority_over(&plan.authority, area))
        .map(str::to_owned)
        .into_iter()
        .collect();
    let coordinators: Vec<String> = state
        .agents
        .iter()
        .filter(|(id, a)| a.coordinator && !who.contains(id))
        .map(|(id, _)| id.clone())
        .collect();
    who.extend(coordinators);
    who
}

/// Resolves decision `id` with `choice` (an option's name) and a rationale.
pub fn resolve(
    state: &mut State,
    record: &Record,
    id: &str,
    choice: &str,
    rationale: &str,
) -> Result<Applied, OpError> {
    OpError::one_line("rationale", rationale)?;
    let decision = require(state, id)?.clone();
    let allowed = resolvers(state, &decision);
    if let Actor::Agent { id: me } = &record.actor {
        if !allowed.contains(me) {
            return Err(OpError::NotYourDecision {
                id: id.to_owned(),
                who: allowed,
            });
        }
    }
    let Some(option) = decision
        .options
        .iter()
        .find(|o| option_name(o) == choice.trim() || o.as_str() == choice)
    else {
        return Err(OpError::BadDecision {
            why: format!(
                "'{choice}' is not an option of {id}; choose one of {}",
                decision
                    .options
                    .iter()
                    .map(|o| option_name(o))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    };
    let choice = option_name(option).to_owned();
    let by = record.actor.label();
    let decision = require(state, id)?;
    decision.resolution = Some(Resolution {
        choice: choice.clone(),
        rationale: rationale.to_owned(),
        by: by.clone(),
        at: record.at,
    });
    Ok(Applied::new(format!(
        "decision {id} resolved by {by}: {choice}"
    )))
}

#[cfg(test)]
#[path = "decision_tests.rs"]
mod tests;
