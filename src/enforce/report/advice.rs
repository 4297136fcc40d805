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

/// The steps for a path outside the acting agent's boundaries, owned by `owner` if any,
/// changed by `commit` when it is already committed.
pub fn out_of_bounds(
    path: &str,
    owner: Option<&str>,
    what: Refused,
    commit: Option<&str>,
) -> Vec<String> {
    let mut steps = Vec::new();
    match what {
        Refused::Commit => steps.push(format!(
            "git restore --staged -- {}   # leave it out of this commit",
            quote(&git_literal(path))
        )),
        Refused::Push => {
            steps.push(format!(
                "git log --oneline HEAD --not --remotes -- {}   # the unpushed commits that change it",
                quote(&git_literal(path))
            ));
            steps.extend(commit.map(|c| rewrite_unpushed(c, "undo the change to the path")));
        }
        Refused::PullRequest => {
            steps.extend(commit.map(revert_pushed));
            steps.push(format!(
                "or move the change to {} out of this pull request",
                quote(path)
            ));
        }
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
pub fn file_rule(path: &str, what: Refused, commit: Option<&str>) -> Vec<String> {
    let mut steps = out_of_bounds(path, None, what, commit);
    steps.push("gitcoord plan show   # the plan's [[rule]]s".to_owned());
    steps
}

/// How to change a commit not pushed yet: rewrite it (nothing else has it).
fn rewrite_unpushed(commit: &str, why: &str) -> String {
    format!(
        "git rebase -i {}~1   # mark {} `edit` (or `drop`) to {why}; for the last commit: fix, `git add`, `git commit --amend`",
        short(commit),
        short(commit)
    )
}

/// How to undo a commit others may already have: a new commit that reverts it.
fn revert_pushed(commit: &str) -> String {
    format!(
        "git revert {}   # undo it in a new commit on the branch, then push",
        short(commit)
    )
}

/// A commit id as the reports show it, in the violation lines and the next steps alike.
pub fn short(commit: &str) -> &str {
    &commit[..commit.len().min(10)]
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

/// The steps for a secret in `commit`, already committed: removing it from the files is
/// not enough, the commit itself holds it (a revert would leave it in the history).
pub fn secret_committed(what: Refused, commit: Option<&str>) -> Vec<String> {
    let mut steps = vec![secret()];
    match (what, commit) {
        (Refused::Push, Some(c)) => {
            steps.push(rewrite_unpushed(c, "take the secret out of the commit itself"));
        }
        (Refused::PullRequest, Some(c)) => steps.push(format!(
            "rotate it first: commit {} is pushed, and a revert leaves the secret in the history; rewrite the branch (`git rebase -i {}~1`) only if no one else has it",
            short(c),
            short(c)
        )),
        _ => {}
    }
    steps
}

/// The step for merge order.
pub fn merge_order() -> String {
    "merge the missing predecessors first (`gitcoord integration` shows the order)".into()
}

/// The step that is last on a developer's machine (never in CI, where nothing is skipped):
/// how to skip, and that skipping is seen.
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
