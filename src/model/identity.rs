//! Who is acting: the rules of SPEC's Identity section as a pure function of the inputs.

use serde::Serialize;

use super::{Actor, State};

/// The facts identity is resolved from, gathered by the caller.
#[derive(Debug, Default, Clone)]
pub struct Inputs {
    /// `--agent ID`.
    pub flag: Option<String>,
    /// `GITCOORD_AGENT`.
    pub env: Option<String>,
    /// The current worktree's key (absolute path).
    pub worktree: String,
    /// git config `gitcoord.agent`.
    pub config: Option<String>,
    /// The current branch's short name.
    pub branch: Option<String>,
    /// The user's name, for an unbound user.
    pub user_name: String,
    /// The command binds this worktree anew (`agent bind`), so a removed binding here does
    /// not stop it.
    pub rebinding: bool,
}

/// How the acting agent was found.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// `--agent`.
    Flag,
    /// `GITCOORD_AGENT`.
    Env,
    /// The worktree is bound to the agent.
    Worktree,
    /// git config `gitcoord.agent`.
    Config,
    /// The agent's branch is checked out.
    Branch,
    /// Nothing matched: an unbound user.
    Unbound,
}

impl Source {
    /// Explains the source in words.
    pub fn explain(self) -> &'static str {
        match self {
            Source::Flag => "given with --agent",
            Source::Env => "from the GITCOORD_AGENT environment variable",
            Source::Worktree => "this worktree is bound to it (gitcoord spawn / agent bind)",
            Source::Config => "from git config gitcoord.agent",
            Source::Branch => "it is registered on the current branch",
            Source::Unbound => {
                "no agent matched: acting as an unbound user, bound by locks but by no agent's boundaries"
            }
        }
    }
}

/// An agent named explicitly (flag, environment, config) that is not registered, or the
/// agent this worktree was bound to, removed since (`via` is then [`Source::Worktree`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", match via {
    Source::Worktree => format!("this worktree was bound to agent '{id}', which has been removed"),
    via => format!("agent '{id}' ({}) is not registered", via.explain()),
})]
pub struct UnknownAgent {
    /// The id named.
    pub id: String,
    /// Where it was named.
    pub via: Source,
}

/// Resolves the actor, first match wins. An explicitly named agent that is not registered
/// is an error, so a typo never silently turns an agent into an unbound user.
pub fn resolve(state: Option<&State>, inputs: &Inputs) -> Result<(Actor, Source), UnknownAgent> {
    let explicit = [
        (inputs.flag.as_deref(), Source::Flag),
        (inputs.env.as_deref(), Source::Env),
    ];
    for (value, source) in explicit {
        if let Some(id) = value.filter(|v| !v.is_empty()) {
            return known(state, id, source);
        }
    }
    if let Some(state) = state {
        if let Some(id) = state.agent_by_worktree(&inputs.worktree) {
            return Ok((Actor::Agent { id: id.to_owned() }, Source::Worktree));
        }
        // Its agent was removed: acting here as someone else (the branch's agent, an
        // unbound user free of boundaries) would be a silent change of rules.
        if let Some(id) = state.meta.removed_bindings.get(&inputs.worktree)
            && !inputs.rebinding
        {
            return Err(UnknownAgent {
                id: id.clone(),
                via: Source::Worktree,
            });
        }
    }
    if let Some(id) = inputs.config.as_deref().filter(|v| !v.is_empty()) {
        return known(state, id, Source::Config);
    }
    if let (Some(state), Some(branch)) = (state, inputs.branch.as_deref()) {
        if let Some(id) = state.agent_by_branch(branch) {
            return Ok((Actor::Agent { id: id.to_owned() }, Source::Branch));
        }
    }
    Ok((
        Actor::User {
            name: inputs.user_name.clone(),
        },
        Source::Unbound,
    ))
}

fn known(state: Option<&State>, id: &str, source: Source) -> Result<(Actor, Source), UnknownAgent> {
    match state {
        Some(s) if !s.agents.contains_key(id) => Err(UnknownAgent {
            id: id.to_owned(),
            via: source,
        }),
        _ => Ok((Actor::Agent { id: id.to_owned() }, source)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Agent;

    fn state() -> State {
        let now = jiff::Timestamp::UNIX_EPOCH;
        let mut s = State::new(now);
        for (id, branch, wt) in [("a", "feat/a", Some("/wt/a")), ("b", "feat/b", None)] {
            s.agents.insert(
                id.into(),
                Agent {
                    branch: branch.into(),
                    worktree: wt.map(Into::into),
                    added: now,
                    ..Agent::default()
                },
            );
        }
        s
    }

    #[test]
    fn first_match_wins() {
        let s = state();
        let base = Inputs {
            worktree: "/wt/a".into(),
            branch: Some("feat/b".into()),
            config: Some("b".into()),
            user_name: "lead".into(),
            ..Inputs::default()
        };
        let id = |i: &Inputs| resolve(Some(&s), i).map(|(a, src)| (a.label(), src));
        assert_eq!(id(&base), Ok(("a".into(), Source::Worktree)));
        let with_env = Inputs {
            env: Some("b".into()),
            ..base.clone()
        };
        assert_eq!(id(&with_env), Ok(("b".into(), Source::Env)));
        let with_flag = Inputs {
            flag: Some("a".into()),
            ..with_env.clone()
        };
        assert_eq!(id(&with_flag), Ok(("a".into(), Source::Flag)));
        let elsewhere = Inputs {
            worktree: "/other".into(),
            ..base.clone()
        };
        assert_eq!(id(&elsewhere), Ok(("b".into(), Source::Config)));
        let by_branch = Inputs {
            config: None,
            ..elsewhere.clone()
        };
        assert_eq!(id(&by_branch), Ok(("b".into(), Source::Branch)));
        let nobody = Inputs {
            branch: Some("main".into()),
            ..by_branch
        };
        assert_eq!(id(&nobody), Ok(("user:lead".into(), Source::Unbound)));
        let typo = Inputs {
            flag: Some("zed".into()),
            ..base
        };
        assert!(id(&typo).is_err());
    }

    #[test]
    fn a_worktree_whose_agent_was_removed_is_an_error_until_bound_again() {
        let mut s = state();
        s.meta
            .removed_bindings
            .insert("/wt/gone".into(), "gone".into());
        let inputs = Inputs {
            worktree: "/wt/gone".into(),
            branch: Some("feat/b".into()),
            user_name: "lead".into(),
            ..Inputs::default()
        };
        let err = resolve(Some(&s), &inputs).expect_err("no fallback to the branch's agent");
        assert_eq!(err.via, Source::Worktree);
        assert!(
            err.to_string().contains("'gone', which has been removed"),
            "{err}"
        );
        let flagged = Inputs {
            flag: Some("b".into()),
            ..inputs.clone()
        };
        assert_eq!(
            resolve(Some(&s), &flagged).map(|(a, _)| a.label()),
            Ok("b".into())
        );
        let rebinding = Inputs {
            rebinding: true,
            ..inputs
        };
        assert_eq!(
            resolve(Some(&s), &rebinding).map(|(_, src)| src),
            Ok(Source::Branch)
        );
    }
}
