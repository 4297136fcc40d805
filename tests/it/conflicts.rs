//! `gitcoord conflicts` on real branches: a conflict planted between two agents' branches
//! is forecast and named, changes that do not overlap forecast none, and nothing — no
//! worktree, index or branch — changes while it looks.

use crate::common::TestEnv;

/// Two agents, `a` then `b` in merge order, each with a worktree on its branch, and a
/// shared file both may change.
fn two_agents() -> (TestEnv, std::path::PathBuf, std::path::PathBuf) {
    let env = TestEnv::new();
    env.write("shared.txt", "one\ntwo\nthree\n");
    env.git(&["add", "shared.txt"]).ok();
    env.git(&["commit", "-q", "-m", "shared"]).ok();
    env.gc(&["init", "--no-hooks"]).ok();
    env.gc(&["agent", "add", "a", "--branch", "feature/a"]).ok();
    env.gc(&["agent", "add", "b", "--branch", "feature/b", "--after", "a"])
        .ok();
    let a = env.worktree("wa", "feature/a");
    let b = env.worktree("wb", "feature/b");
    (env, a, b)
}

/// Everything `conflicts` must leave alone: branches, worktrees and their indexes.
fn observed(env: &TestEnv, worktrees: &[&std::path::Path]) -> Vec<String> {
    let mut seen = vec![env.git(&["for-each-ref", "refs/heads"]).ok().to_owned()];
    for wt in worktrees {
        seen.push(
            env.git_in(wt, &["status", "--porcelain=v2", "--branch"])
                .ok()
                .to_owned(),
        );
        seen.push(env.git_in(wt, &["ls-files", "--stage"]).ok().to_owned());
    }
    seen
}

#[test]
fn a_planted_conflict_is_named_and_nothing_moves() {
    let (env, a, b) = two_agents();
    crate::common::write_in(&a, "shared.txt", "one\nTWO by a\nthree\n");
    env.git_in(&a, &["commit", "-qam", "a's two"]).ok();
    crate::common::write_in(&b, "shared.txt", "one\ntwo by B\nthree\n");
    env.git_in(&b, &["commit", "-qam", "b's two"]).ok();
    // Uncommitted work in a worktree stays as it is.
    crate::common::write_in(&b, "scratch.txt", "uncommitted\n");
    let before = observed(&env, &[&env.repo, &a, &b]);

    let run = env.gc(&["conflicts"]);
    run.code(1);
    assert!(
        run.stdout
            .contains("a (feature/a) and b (feature/b) conflict in shared.txt"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("merging b (feature/b) into main in merge order conflicts in shared.txt"),
        "{}",
        run.stdout
    );
    let run = env.gc(&["--json", "conflicts"]);
    run.code(1);
    let v = crate::common::parse_json(&run.stdout);
    assert_eq!(v["pairs"][0]["agents"], serde_json::json!(["a", "b"]));
    assert_eq!(v["pairs"][0]["files"], serde_json::json!(["shared.txt"]));
    assert_eq!(v["merge_order"][0]["agent"], "b");
    assert_eq!(
        observed(&env, &[&env.repo, &a, &b]),
        before,
        "conflicts changed something"
    );
}

#[test]
fn changes_that_do_not_overlap_forecast_no_conflict() {
    let (env, a, b) = two_agents();
    crate::common::write_in(&a, "shared.txt", "ONE by a\ntwo\nthree\n");
    env.git_in(&a, &["commit", "-qam", "a's one"]).ok();
    crate::common::write_in(&b, "shared.txt", "one\ntwo\nTHREE by b\n");
    env.git_in(&b, &["commit", "-qam", "b's three"]).ok();
    crate::common::write_in(&b, "other.txt", "new\n");
    env.git_in(&b, &["add", "other.txt"]).ok();
    env.git_in(&b, &["commit", "-qm", "b's other"]).ok();
    let run = env.gc(&["conflicts"]);
    let out = run.ok();
    assert!(out.contains("1 pair(s) moved apart"), "{out}");
    assert!(out.contains("✓ no two agents' branches conflict"), "{out}");
    let v = env.json(&["conflicts"]);
    assert_eq!(v["pairs"], serde_json::json!([]));
    assert_eq!(v["merge_order"], serde_json::json!([]));
}
