//! What to run next after a refusal, written once: the commands a refused commit, push,
//! lock, unlock or edit prints, so an agent can copy them as they are.

use super::text::Refused;
use crate::model::text::shell_word as quote;

/// The steps that get an agent past `pattern` locked by `holder`.
pub fn lock_held(holder: &str, pattern: &str) -> Vec<String> {
    vec![
        format!(
            "gitcoord msg send --to {} --subject {}   # ask the holder",
            quote(holder),
            quote(&format!("please release {pattern}"))
        ),
        "gitcoord locks   # see when each lock expires; expired locks never block".into(),
        format!(
            "gitcoord unlock --force {}   # the lead or a coordinator only",
            quote(&format!(":/{pattern}"))
        ),
    ]
}

/// The step for a force-unlock its actor may not do.
pub fn force_not_allowed() -> String {
    "ask the lead or a coordinator agent to run the same command with --force".into()
}

/// The steps for a path outside the acting agent's boundaries, owned by `owner` if any.
pub fn out_of_bounds(path: &str, owner: Option<&str>, what: Refused) -> Vec<String> {
    let mut steps = Vec::new();
    match what {
        Refused::Commit => steps.push(format!(
            "git restore --staged -- {}   # leave it out of this commit",
            quote(&git_literal(path))
        )),
        Refused::Push => steps.push(format!(
            "git log --oneline HEAD --not --remotes -- {}   # the unpushed commits that change it; revert or rewrite them",
            quote(&git_literal(path))
        )),
        Refused::PullRequest => steps.push(format!(
            "move the change to {} out of this pull request, or let its owner make it",
            quote(path)
        )),
        Refused::Edit => {}
    }
    if let Some(owner) = owner {
        steps.push(format!(
            "gitcoord msg send --to {} --subject {}   # let the owner make it",
            quote(owner),
            quote(&format!("needs a change in {path}"))
        ));
    }
    steps
}

/// The steps after an added file broke one of the plan's file rules.
pub fn file_rule(path: &str, what: Refused) -> Vec<String> {
    let mut steps = out_of_bounds(path, None, what);
    steps.push("gitcoord plan show   # the plan's [[rule]]s".to_owned());
    steps
}

/// `path` as a git pathspec that means exactly that path from the repository root, from
/// any directory and whatever characters it holds.
fn git_literal(path: &str) -> String {
    format!(":(top,literal){path}")
}

/// The step for a halted repository.
pub fn halted() -> String {
    "wait for the lead to lift the halt (`gitcoord status` shows why); the lead runs `gitcoord resume`".into()
}

/// The step for a secret found.
pub fn secret() -> String {
    "remove the secret and rotate it; if it is not a secret, add `gitcoord:allow` on its line, or its fingerprint (in the JSON and SARIF reports) to .gitcoordignore".into()
}

/// The step for merge order.
pub fn merge_order() -> String {
    "merge the missing predecessors first (`gitcoord integration` shows the order)".into()
}

/// The step that is always last: how to skip, and that skipping is seen.
pub fn skipping() -> String {
    "GITCOORD_SKIP=<check> skips one check, GITCOORD=0 all; both are reported, and CI checks again"
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_advice_names_holder_and_pattern() {
        let steps = lock_held("sec", "config/a b.toml");
        assert!(
            steps[0].starts_with(
                "gitcoord msg send --to sec --subject 'please release config/a b.toml'"
            )
        );
        assert!(steps[2].starts_with("gitcoord unlock --force ':/config/a b.toml'"));
    }
}
