//! Globs in the hooks: a pattern of many stars costs a commit and the guard nothing.

use crate::common::{TestEnv, write_in};

/// A pattern of 9 stars that nearly matches a 60-character name: matching it once took
/// every commit, push and guard call past 30 seconds.
const STARS: &str = "*a*a*a*a*a*a*a*a*b";

#[test]
fn a_glob_of_many_stars_costs_a_commit_and_the_guard_nothing() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "a", "--branch", "feature/a"]).ok();
    env.gc(&["agent", "add", "b", "--branch", "feature/b"]).ok();
    let wt = env.root().join("wt-b");
    let shown = wt.to_str().expect("temp paths are UTF-8");
    env.gc(&["spawn", "b", "--branch", "feature/b", "--path", shown])
        .ok();
    env.gc(&["--agent", "a", "lock", STARS]).ok();

    let near_miss = format!("{}c", "a".repeat(60));
    write_in(&wt, &near_miss, "x\n");
    env.git_in(&wt, &["add", &near_miss]).ok();
    env.git_in(&wt, &["commit", "-qm", "a near miss"]).ok();

    let hit = format!("{}b", "a".repeat(60));
    write_in(&wt, &hit, "x\n");
    env.git_in(&wt, &["add", &hit]).ok();
    let run = env.git_in(&wt, &["commit", "-qm", "locked"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!("{hit}: locked by a")),
        "{}",
        run.stderr
    );

    let near = crate::install::guard(&env, "b", &edit(&wt, &near_miss));
    assert_eq!(
        (near.code, near.stdout.as_str()),
        (0, ""),
        "{}",
        near.stderr
    );
    let locked = crate::install::guard(&env, "b", &edit(&wt, &hit));
    assert!(locked.stdout.contains("locked by a"), "{}", locked.stdout);
}

/// A Claude Code `Edit` event for `file` in the worktree `wt`.
fn edit(wt: &std::path::Path, file: &str) -> serde_json::Value {
    serde_json::json!({
        "session_id": "s1",
        "cwd": wt,
        "hook_event_name": "PreToolUse",
        "tool_name": "Edit",
        "tool_input": { "file_path": wt.join(file), "old_string": "x", "new_string": "y" }
    })
}
