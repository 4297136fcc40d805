//! The agent lifecycle: `agent edit` (each field, refusals, JSON, contention, sync replay)
//! and `agent remove` of an agent that is bound or holds locks, and its worktree afterwards.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::thread;

use crate::common::{TestEnv, run_of};

/// A state with `sec` (owns config/**) and `api` (on feature/api).
fn registry() -> TestEnv {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&[
        "agent",
        "add",
        "sec",
        "--branch",
        "feature/sec",
        "--owns",
        "config/**",
    ])
    .ok();
    env.gc(&["agent", "add", "api", "--branch", "feature/api"])
        .ok();
    env
}

fn show(env: &TestEnv, id: &str) -> serde_json::Value {
    env.json(&["agent", "show", id])
}

#[test]
fn edit_sets_each_field_and_takes_each_back_one_commit_each() {
    let env = registry();
    let before = env.state_commits();
    let set = env.gc(&[
        "agent",
        "edit",
        "api",
        "--branch",
        "feature/api2",
        "--role",
        "api lead",
        "--owns",
        "src/api/**",
        "--deny",
        "config/**",
        "--allow",
        "src/**",
        "--allow",
        "tests/**",
        "--after",
        "sec",
        "--coordinator",
    ]);
    let text = set.ok();
    for part in [
        "edit agent api: ",
        "branch feature/api -> feature/api2",
        "role api lead",
        "owns +src/api/**",
        "deny +config/**",
        "allow +src/**",
        "after +sec",
        "coordinator yes",
    ] {
        assert!(text.contains(part), "{part:?} in {text}");
    }
    assert_eq!(env.state_commits(), before + 1, "one operation, one commit");
    let api = show(&env, "api");
    assert_eq!(api["branch"], "feature/api2");
    assert_eq!(api["role"], "api lead");
    assert_eq!(api["owns"], serde_json::json!(["src/api/**"]));
    assert_eq!(api["deny"], serde_json::json!(["config/**"]));
    assert_eq!(api["allow"], serde_json::json!(["src/**", "tests/**"]));
    assert_eq!(api["after"], serde_json::json!(["sec"]));
    assert_eq!(api["coordinator"], true);

    let back = env.gc(&[
        "agent",
        "edit",
        "api",
        "--role",
        "",
        "--remove-owns",
        "src/api/**",
        "--remove-deny",
        "config/**",
        "--remove-allow",
        "src/**",
        "--remove-allow",
        "tests/**",
        "--remove-after",
        "sec",
        "--no-coordinator",
    ]);
    let text = back.ok();
    for part in [
        "role cleared",
        "owns -src/api/**",
        "after -sec",
        "coordinator no",
        "allow list is empty",
    ] {
        assert!(text.contains(part), "{part:?} in {text}");
    }
    assert_eq!(env.state_commits(), before + 2);
    let api = show(&env, "api");
    for key in ["role", "owns", "deny", "allow", "after", "coordinator"] {
        let gone = [
            serde_json::Value::Null,
            serde_json::json!([]),
            serde_json::json!(false),
        ];
        assert!(gone.contains(&api[key]), "{key} is gone: {api}");
    }
    // The new branch is the agent's for identity by branch.
    let wt = env.worktree("wt-api", "feature/api2");
    let who = env.json_in(&wt, &["whoami"]);
    assert_eq!(who["actor"], "api");

    // Adding what is there changes nothing and writes nothing.
    env.gc(&["agent", "edit", "sec", "--owns", "config/**"])
        .ok();
    let same = env.gc(&["agent", "edit", "sec", "--owns", "config/**"]);
    assert!(
        same.ok().contains("owns has config/** already"),
        "{}",
        same.stdout
    );
    assert_eq!(env.state_commits(), before + 2);
}

#[test]
fn edit_json_is_the_agent_with_every_key() {
    let env = registry();
    let out = env.json(&["agent", "edit", "api", "--role", "api lead"]);
    let keys: Vec<&str> = out
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = vec![
        "id",
        "branch",
        "role",
        "expertise",
        "ports",
        "owns",
        "deny",
        "allow",
        "after",
        "coordinator",
        "worktree",
        "added",
        "status",
        "task",
        "note",
        "last_seen",
    ];
    want.sort_unstable();
    let mut got = keys.clone();
    got.sort_unstable();
    assert_eq!(got, want);
    assert_eq!(out["id"], "api");
    assert_eq!(out["role"], "api lead");
    for list in ["owns", "deny", "allow", "after", "expertise", "ports"] {
        assert_eq!(out[list], serde_json::json!([]), "{list}");
    }
    assert_eq!(out["coordinator"], false);
    assert!(out["worktree"].is_null());
}

#[test]
fn refused_edits_exit_2_and_write_nothing() {
    let env = registry();
    env.gc(&["agent", "edit", "api", "--after", "sec"]).ok();
    let head = env.state_head();
    let cases: [(&[&str], &str); 8] = [
        (
            &[
                "agent",
                "edit",
                "api",
                "--role",
                "x",
                "--owns",
                "config/db/**",
            ],
            "which agent 'sec' owns",
        ),
        (
            &["agent", "edit", "ghost", "--role", "x"],
            "no agent 'ghost'",
        ),
        (
            &["agent", "edit", "sec", "--after", "api"],
            "merge-order cycle: ",
        ),
        (
            &["agent", "edit", "api", "--after", "ghost"],
            "no agent 'ghost'",
        ),
        (
            &[
                "agent",
                "edit",
                "api",
                "--role",
                "x",
                "--remove-deny",
                "docs/**",
            ],
            "agent 'api' has no 'docs/**' in its deny list",
        ),
        (
            &["agent", "edit", "api", "--branch", "feature/sec"],
            "agent 'sec'",
        ),
        (&["agent", "edit", "api"], "nothing to change"),
        (&["agent", "edit", "api", "--owns", "../x"], ""),
    ];
    for (args, want) in cases {
        let run = env.gc(args);
        run.code(2);
        assert!(run.stderr.contains(want), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("next:"), "{args:?}: {}", run.stderr);
        assert_eq!(env.state_head(), head, "{args:?} wrote nothing");
    }
    let unknown = env.gc(&["agent", "edit", "ghost", "--role", "x"]);
    assert!(
        unknown.stderr.contains("gitcoord agent list"),
        "{}",
        unknown.stderr
    );
    let both = env.gc(&["agent", "edit", "api", "--coordinator", "--no-coordinator"]);
    both.code(2);
    assert_eq!(show(&env, "api")["role"], serde_json::Value::Null, "atomic");
}

/// Spawns `api`'s worktree and returns its path.
fn spawned(env: &TestEnv) -> PathBuf {
    let out = env.json(&["spawn", "api"]);
    PathBuf::from(out["worktree"].as_str().expect("a worktree"))
}

#[test]
fn an_edit_keeps_the_binding_the_locks_and_the_messages() {
    let env = registry();
    let wt = spawned(&env);
    env.gc_in(&wt, &["lock", "src/api/x.rs"]).ok();
    env.gc(&["msg", "send", "--to", "api", "--subject", "hello"])
        .ok();
    env.gc(&[
        "agent",
        "edit",
        "api",
        "--owns",
        "src/api/**",
        "--deny",
        "docs/**",
    ])
    .ok();
    let api = show(&env, "api");
    assert_eq!(
        Path::new(api["worktree"].as_str().expect("bound")),
        wt.as_path()
    );
    let locks = env.json(&["locks"]);
    assert_eq!(locks[0]["holder"], "api", "{locks}");
    let inbox = env.json_in(&wt, &["inbox"]);
    assert_eq!(inbox["messages"][0]["subject"], "hello", "{inbox}");
    // The new boundary holds in the worktree at once.
    crate::common::write_in(&wt, "docs/x.md", "x\n");
    env.git_in(&wt, &["add", "docs/x.md"]).ok();
    let commit = env.git_in(&wt, &["commit", "-q", "-m", "docs"]);
    assert_ne!(
        commit.code, 0,
        "the pre-commit hook refuses: {}",
        commit.stderr
    );
    assert!(commit.stderr.contains("docs/x.md"), "{}", commit.stderr);
}

#[test]
fn remove_is_refused_while_bound_or_locking_and_force_releases_and_logs() {
    let env = registry();
    let wt = spawned(&env);
    env.gc_in(&wt, &["lock", "src/api/x.rs"]).ok();
    let head = env.state_head();
    let refused = env.gc(&["agent", "remove", "api"]);
    refused.code(1);
    let shown = wt.to_str().expect("UTF-8");
    assert!(
        refused.stderr.contains(&format!(
            "agent 'api' is bound to the worktree {shown} and holds locks on src/api/x.rs"
        )),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("gitcoord agent remove api --force"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("gitcoord unlock --force src/api/x.rs"),
        "{}",
        refused.stderr
    );
    assert_eq!(env.state_head(), head);

    // An agent with neither goes without --force.
    env.gc(&["agent", "add", "idle", "--branch", "feature/idle"])
        .ok();
    env.gc(&["agent", "remove", "idle"]).ok();

    let removed = env.gc(&["agent", "remove", "api", "--force"]);
    let want = format!(
        "remove agent api (released its locks: src/api/x.rs; dropped its binding to {shown})"
    );
    assert_eq!(removed.ok().lines().next(), Some(want.as_str()));
    assert!(env.gc(&["log"]).ok().contains(&want), "the log says so");
    assert_eq!(env.json(&["locks"]), serde_json::json!([]));
    assert!(env.gc(&["agent", "show", "api"]).code == 2);
}

#[test]
fn the_worktree_of_a_removed_agent_stops_instead_of_running_unbound() {
    let env = registry();
    let wt = spawned(&env);
    env.gc(&["agent", "edit", "api", "--deny", "docs/**"]).ok();
    env.gc(&["agent", "remove", "api", "--force"]).ok();

    let who = env.gc_in(&wt, &["whoami"]);
    who.code(2);
    assert!(
        who.stderr
            .contains("this worktree was bound to agent 'api', which has been removed"),
        "{}",
        who.stderr
    );
    assert!(
        who.stderr.contains("gitcoord agent bind ID"),
        "{}",
        who.stderr
    );
    // The hook does not let the worktree commit as an unbound user free of boundaries.
    crate::common::write_in(&wt, "docs/x.md", "x\n");
    env.git_in(&wt, &["add", "docs/x.md"]).ok();
    let commit = env.git_in(&wt, &["commit", "-q", "-m", "docs"]);
    assert_ne!(commit.code, 0, "refused: {}", commit.stdout);
    assert!(
        commit.stderr.contains("has been removed"),
        "{}",
        commit.stderr
    );
    assert_eq!(
        env.git_in(&wt, &["rev-list", "--count", "HEAD"])
            .ok()
            .trim(),
        "1"
    );
    // The main worktree is not affected; an explicit agent still works there.
    assert_eq!(env.json(&["whoami"])["actor"], "user:lead");
    let flagged = env.json_in(&wt, &["--agent", "sec", "whoami"]);
    assert_eq!(flagged["actor"], "sec");

    // Binding the worktree to another agent is the fix.
    env.gc(&["agent", "add", "api2", "--branch", "feature/api2"])
        .ok();
    env.gc_in(&wt, &["agent", "bind", "api2"]).ok();
    assert_eq!(env.json_in(&wt, &["whoami"])["actor"], "api2");
    env.git_in(&wt, &["commit", "-q", "-m", "docs"]).ok();
}

/// Runs `gitcoord` with `args` in the main worktree.
fn gc(env: &TestEnv, args: &[&str]) -> crate::common::Run {
    run_of(env.gc_command(args).output().expect("run gitcoord"))
}

#[test]
fn an_edit_and_locks_racing_on_one_agent_lose_nothing() {
    const N: usize = 12;
    let env = Arc::new(registry());
    let before = env.state_commits();
    let start = Arc::new(Barrier::new(2));
    let work: [fn(&TestEnv, usize) -> crate::common::Run; 2] = [
        |env, n| {
            gc(
                env,
                &["agent", "edit", "api", "--owns", &format!("area{n}/**")],
            )
        },
        |env, n| gc(env, &["--agent", "api", "lock", &format!("area{n}/f.rs")]),
    ];
    let handles: Vec<_> = work
        .into_iter()
        .map(|job| {
            let (env, start) = (Arc::clone(&env), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                (0..N).map(|n| job(&env, n)).collect::<Vec<_>>()
            })
        })
        .collect();
    for handle in handles {
        for run in handle.join().expect("writer thread") {
            run.ok();
        }
    }
    assert_eq!(
        env.state_commits(),
        before + 2 * N,
        "one commit per operation"
    );
    let owns = show(&env, "api")["owns"].as_array().map(Vec::len);
    assert_eq!(owns, Some(N));
    let locks = env.json(&["locks"]);
    assert_eq!(locks.as_array().map(Vec::len), Some(N), "{locks}");
}

/// A bare remote with `main`, and two clones of it that share one state.
fn two_machines(env: &TestEnv) -> (PathBuf, PathBuf) {
    let bare = env.root().join("remote.git");
    let shown = bare.to_str().expect("UTF-8").to_owned();
    env.git(&["init", "-q", "--bare", "-b", "main", &shown])
        .ok();
    env.git(&["push", "-q", &shown, "main"]).ok();
    let clone = |name: &str| {
        let dir = env.root().join(name);
        let to = dir.to_str().expect("UTF-8");
        env.git_in(
            &env.root(),
            &["clone", "-q", &format!("file://{shown}"), to],
        )
        .ok();
        dir
    };
    let (one, two) = (clone("m1"), clone("m2"));
    env.gc_in(&one, &["init"]).ok();
    env.gc_in(&one, &["agent", "add", "api", "--branch", "feature/api"])
        .ok();
    env.gc_in(&one, &["sync"]).ok();
    env.gc_in(&two, &["sync"]).ok();
    (one, two)
}

#[test]
fn an_edit_is_replayed_by_sync_and_dropped_when_it_no_longer_applies() {
    let env = TestEnv::new();
    let (one, two) = two_machines(&env);
    env.gc_in(
        &two,
        &[
            "agent",
            "edit",
            "api",
            "--owns",
            "src/api/**",
            "--role",
            "api",
        ],
    )
    .ok();
    env.gc_in(
        &one,
        &["msg", "send", "--to", "api", "--subject", "meanwhile"],
    )
    .ok();
    env.gc_in(&one, &["sync"]).ok();
    let replayed = env.json_in(&two, &["sync"]);
    assert_eq!(replayed["how"], "replayed", "{replayed}");
    env.gc_in(&one, &["sync"]).ok();
    for dir in [&one, &two] {
        let api = env.json_in(dir, &["agent", "show", "api"]);
        assert_eq!(api["owns"], serde_json::json!(["src/api/**"]), "{api}");
        assert_eq!(api["role"], "api");
    }

    // Another machine gave the area to another agent first: the edit is dropped.
    env.gc_in(
        &one,
        &[
            "agent",
            "add",
            "web",
            "--branch",
            "feature/web",
            "--owns",
            "web/**",
        ],
    )
    .ok();
    env.gc_in(&two, &["agent", "edit", "api", "--owns", "web/app/**"])
        .ok();
    env.gc_in(&one, &["sync"]).ok();
    let dropped = env.gc_in(&two, &["sync"]);
    dropped.code(1);
    assert!(dropped.stdout.contains("web/app/**"), "{}", dropped.stdout);
    let api = env.json_in(&two, &["agent", "show", "api"]);
    assert_eq!(api["owns"], serde_json::json!(["src/api/**"]), "{api}");
}
