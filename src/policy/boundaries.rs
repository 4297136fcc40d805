//! Agent boundaries. A path is out of bounds for agent X when it matches one of X's `deny`
//! globs, or another agent's `owns` glob and none of X's own `owns`, or X has an `allow`
//! list and the path matches none of it. Unbound users have no boundaries.

use crate::model::State;
use crate::model::glob::Glob;

/// Why a path is out of bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breach {
    /// The agent's own do-not-touch list.
    Deny {
        /// The matching glob.
        glob: String,
    },
    /// Owned by another agent.
    Owned {
        /// The owner.
        owner: String,
        /// The owner's glob.
        glob: String,
    },
    /// Not in the agent's allow list.
    NotAllowed,
}

impl Breach {
    /// The stable rule id.
    pub fn rule(&self) -> &'static super::Rule<'static> {
        match self {
            Breach::Deny { .. } => &super::rule::BOUNDARY_DENY,
            Breach::Owned { .. } => &super::rule::BOUNDARY_OWNED,
            Breach::NotAllowed => &super::rule::BOUNDARY_ALLOW,
        }
    }

    /// The owner, for an owned path.
    pub fn owner(&self) -> Option<&str> {
        match self {
            Breach::Owned { owner, .. } => Some(owner),
            _ => None,
        }
    }

    /// One sentence for people.
    pub fn describe(&self, agent: &str) -> String {
        match self {
            Breach::Deny { glob } => format!("on {agent}'s do-not-touch list ('{glob}')"),
            Breach::Owned { owner, glob } => format!("owned by {owner} ('{glob}'), not by {agent}"),
            Breach::NotAllowed => format!("outside {agent}'s allow list"),
        }
    }
}

struct AgentGlobs {
    id: String,
    owns: Vec<Glob>,
    deny: Vec<Glob>,
    allow: Vec<Glob>,
}

/// Every agent's boundary globs, compiled.
pub struct Boundaries {
    agents: Vec<AgentGlobs>,
}

fn compile(globs: &[String]) -> Vec<Glob> {
    globs.iter().map(|g| Glob::new(g)).collect()
}

impl Boundaries {
    /// Compiles the boundaries of every agent in `state`.
    pub fn new(state: &State) -> Boundaries {
        Boundaries {
            agents: state
                .agents
                .iter()
                .map(|(id, a)| AgentGlobs {
                    id: id.clone(),
                    owns: compile(&a.owns),
                    deny: compile(&a.deny),
                    allow: compile(&a.allow),
                })
                .collect(),
        }
    }

    /// Why `path` is out of bounds for `agent`, or `None` when it is within.
    pub fn check(&self, agent: &str, path: &str) -> Option<Breach> {
        let me = self.agents.iter().find(|a| a.id == agent)?;
        if let Some(g) = me.deny.iter().find(|g| g.matches(path)) {
            return Some(Breach::Deny {
                glob: g.as_str().to_owned(),
            });
        }
        let mine = me.owns.iter().any(|g| g.matches(path));
        if !mine {
            for other in self.agents.iter().filter(|a| a.id != agent) {
                if let Some(g) = other.owns.iter().find(|g| g.matches(path)) {
                    return Some(Breach::Owned {
                        owner: other.id.clone(),
                        glob: g.as_str().to_owned(),
                    });
                }
            }
        }
        if !me.allow.is_empty() && !mine && !me.allow.iter().any(|g| g.matches(path)) {
            return Some(Breach::NotAllowed);
        }
        None
    }
}
