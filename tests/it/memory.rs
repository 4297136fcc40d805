//! The shared memory end to end: set from one worktree, read from another, every change in
//! `log`, the cap and bad keys refused with nothing written.

use crate::common::TestEnv;

#[test]
fn memory_round_trips_between_worktrees_with_a_log_entry() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "backend", "--branch", "feature/backend"])
        .ok();
    let wt = env.worktree("wt-backend", "feature/backend");
    env.gc_in(&wt, &["agent", "bind", "backend"]).ok();
    env.write("schema.txt", "users.id is a uuid\nemail is unique\n");
    let file = env.repo.join("schema.txt");
    env.gc_in(
        &wt,
        &[
            "memory",
            "set",
            "api/schema",
            "--file",
            file.to_str().expect("utf-8"),
        ],
    )
    .ok();
    let v = env.json(&["memory", "get", "api/schema"]);
    assert_eq!(v["value"], "users.id is a uuid\nemail is unique\n");
    assert_eq!(v["by"], "backend");
    assert!(v["at"].as_str().is_some_and(|t| t.ends_with('Z')), "{v}");
    assert_eq!(
        env.gc(&["memory", "get", "api/schema"]).ok(),
        "users.id is a uuid\nemail is unique\n"
    );
    let log = env.gc(&["log", "-n", "1"]);
    assert!(
        log.ok().contains("backend        memory set api/schema"),
        "{}",
        log.stdout
    );
    // Setting the same value again writes nothing.
    let head = env.state_head();
    env.gc_in(
        &wt,
        &[
            "memory",
            "set",
            "api/schema",
            "--file",
            file.to_str().expect("utf-8"),
        ],
    )
    .ok();
    assert_eq!(env.state_head(), head);
    // Bad input: exit 2, nothing written.
    env.write("big.txt", &"x".repeat(64 * 1024 + 1));
    let big = env.repo.join("big.txt");
    let run = env.gc(&[
        "memory",
        "set",
        "api/big",
        "--file",
        big.to_str().expect("utf-8"),
    ]);
    run.code(2);
    assert!(run.stderr.contains("over the 64 KiB"), "{}", run.stderr);
    env.gc(&["memory", "set", "Api/Schema", "x"]).code(2);
    env.gc(&["memory", "set", "schema", "x"]).code(2);
    assert_eq!(env.state_head(), head);
    env.gc(&["memory", "get", "api/none"]).code(1);
    let list = env.json(&["memory", "list", "api/"]);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    env.gc(&["memory", "rm", "api/schema"]).ok();
    env.gc(&["memory", "get", "api/schema"]).code(1);
    let log = env.gc(&["log", "-n", "1"]);
    assert!(
        log.ok().contains("memory remove api/schema"),
        "{}",
        log.stdout
    );
}
