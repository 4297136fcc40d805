//! Plans, tasks and waves on real repositories: a plan applied (twice), tasks claimed by
//! racing agents, started in dependency and wave order, done only with their deliverables
//! committed and their checks passing; waves advanced through their checkpoints with
//! snapshot refs; the plan's file rules enforced by `git commit`.

use std::sync::{Arc, Barrier};
use std::thread;

use crate::common::{TestEnv, run_of};

const PLAN: &str = r#"version = 1

[[agent]]
id = "sec"
branch = "feature/sec"
owns = ["config/**"]

[[agent]]
id = "db"
branch = "feature/db"
after = ["sec"]

[[rule]]
id = "no-root-files"
deny_new = ["*"]
message = "new files go under src/, tests/ or docs/"

[[rule]]
id = "tests-under-tests"
files = ["**/test_*.py"]
under = ["tests/**"]

[[task]]
id = "sec-config"
title = "Read secrets from the environment"
assign = "sec"
wave = "W0"
deliverables = ["config/settings.py"]
checks = ["marker"]

[[task]]
id = "db-schema"
title = "Schema"
assign = "db"
after = ["sec-config"]
wave = "W1"

[[task]]
id = "docs"
title = "Write the docs"
wave = "W2"

[[wave]]
id = "W0"
checks = ["marker"]

[[wave]]
id = "W1"

[[wave]]
id = "W2"

[[check]]
id = "marker"
run = "test -f marker.ok || { echo 'marker.ok is missing'; exit 3; }"
"#;

/// A repository with the agents' branches and the plan applied.
fn planned() -> TestEnv {
    let env = TestEnv::new();
    env.git(&["branch", "feature/sec"]).ok();
    env.git(&["branch", "feature/db"]).ok();
    env.write("plan.toml", PLAN);
    env.gc(&["init", "--plan", "plan.toml"]).ok();
    env
}

#[test]
fn a_plan_applied_twice_writes_one_state_commit() {
    let env = planned();
    let commits = env.state_commits();
    assert_eq!(commits, 2, "init, then the plan as one operation");
    let again = env.gc(&["plan", "apply", "plan.toml"]);
    assert!(again.ok().contains("nothing changed"), "{}", again.stdout);
    assert_eq!(env.state_commits(), commits);
    let shown = env.json(&["plan", "show"]);
    assert_eq!(shown["task"].as_array().map(Vec::len), Some(3), "{shown}");
    let tasks = env.json(&["task", "list"]);
    let first = &tasks[0];
    assert_eq!(first["id"], "sec-config");
    assert_eq!(first["status"], "claimed");
    assert_eq!(first["assignee"], "sec");
    // Progress survives a re-apply of a changed plan.
    env.gc(&["--agent", "sec", "task", "start", "sec-config"])
        .ok();
    env.write(
        "plan.toml",
        &PLAN.replace("title = \"Schema\"", "title = \"The schema\""),
    );
    let run = env.gc(&["plan", "apply", "plan.toml"]);
    assert!(run.ok().contains("update task db-schema"), "{}", run.stdout);
    let task = env.json(&["task", "show", "sec-config"]);
    assert_eq!(task["task"]["status"], "in-progress");
}

#[test]
fn plan_check_reports_every_error_with_its_line() {
    let env = TestEnv::new();
    let bad = PLAN
        .replace("owns = [\"config/**\"]", "own = [\"config/**\"]")
        .replace("after = [\"sec\"]", "after = [\"secc\"]")
        .replace("wave = \"W2\"", "wave = \"W9\"");
    env.write("bad.toml", &bad);
    let run = env.gc(&["plan", "check", "bad.toml"]);
    run.code(2);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("bad.toml:"))
        .collect();
    assert_eq!(lines.len(), 3, "{}", run.stderr);
    assert!(
        lines[0].starts_with("bad.toml:6:1: unknown key 'own'"),
        "{}",
        run.stderr
    );
    assert!(
        lines[1].starts_with("bad.toml:11:10: unknown agent 'secc'"),
        "{}",
        run.stderr
    );
    assert!(lines[2].contains("unknown wave 'W9'"), "{}", run.stderr);
    assert!(run.stderr.contains("next: "), "{}", run.stderr);
    // init --plan with a bad plan writes nothing at all.
    env.gc(&["init", "--plan", "bad.toml"]).code(2);
    assert_eq!(env.state_head(), None);
}

#[test]
fn eight_agents_racing_to_claim_one_task_one_wins() {
    let env = planned();
    for i in 0..8 {
        env.gc(&[
            "agent",
            "add",
            &format!("w{i}"),
            "--branch",
            &format!("w{i}"),
        ])
        .ok();
    }
    let env = Arc::new(env);
    let start = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let (env, start) = (Arc::clone(&env), Arc::clone(&start));
            thread::spawn(move || {
                let agent = format!("w{i}");
                let mut cmd = env.gc_command(&["--agent", &agent, "task", "claim", "docs"]);
                start.wait();
                run_of(cmd.output().expect("run gitcoord"))
            })
        })
        .collect();
    let runs: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let won: Vec<_> = runs.iter().filter(|r| r.code == 0).collect();
    assert_eq!(won.len(), 1, "{runs:?}");
    for lost in runs.iter().filter(|r| r.code != 0) {
        assert_eq!(lost.code, 1, "{lost:?}");
        assert!(lost.stderr.contains("task 'docs' is w"), "{}", lost.stderr);
    }
}

#[test]
fn tasks_start_in_order_and_are_done_only_when_delivered_and_checked() {
    let env = planned();
    // A dependency not done, and a wave not open: both named.
    let run = env.gc(&["--agent", "db", "task", "start", "db-schema"]);
    run.code(1);
    assert!(
        run.stderr.contains("task sec-config is claimed"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("wave W1 is pending"), "{}", run.stderr);
    // Another agent's task.
    env.gc(&["--agent", "db", "task", "start", "sec-config"])
        .code(1);
    env.gc(&["--agent", "sec", "task", "start", "sec-config"])
        .ok();
    let next = env.json(&["--agent", "sec", "next"]);
    assert_eq!(next["task"]["id"], "sec-config");

    // The deliverable only in the working tree does not count.
    env.write("config/settings.py", "import os\n");
    let run = env.gc(&["--agent", "sec", "task", "done", "sec-config"]);
    run.code(1);
    assert!(
        run.stderr
            .contains("config/settings.py is not on feature/sec"),
        "{}",
        run.stderr
    );
    // Committed on the agent's branch, in its worktree: the check still fails.
    let wt = env.worktree_on("sec-wt", "feature/sec");
    crate::common::write_in(&wt, "config/settings.py", "import os\n");
    env.git_in(&wt, &["add", "config/settings.py"]).ok();
    env.git_env(
        &wt,
        &[("GITCOORD_AGENT", "sec")],
        &["commit", "-q", "-m", "settings"],
    )
    .ok();
    env.gc_in(&wt, &["agent", "bind", "sec"]).ok();
    let run = env.gc(&["--agent", "sec", "task", "done", "sec-config"]);
    run.code(1);
    assert!(
        run.stderr.contains("marker.ok is missing"),
        "{}",
        run.stderr
    );
    // The check runs in the agent's worktree.
    crate::common::write_in(&wt, "marker.ok", "");
    env.gc(&["--agent", "sec", "task", "done", "sec-config"])
        .ok();

    // The wave's checkpoint runs in the current worktree; it fails, then passes.
    let run = env.gc(&["wave", "advance"]);
    run.code(1);
    assert!(run.stderr.contains("check marker: "), "{}", run.stderr);
    env.write("marker.ok", "");
    env.gc(&["wave", "advance"]).ok();
    let waves = env.json(&["wave", "list"]);
    assert_eq!(waves[0]["status"], "done");
    assert_eq!(waves[1]["status"], "open");
    for name in ["sec", "db", "integration"] {
        for wave in ["W0", "W1"] {
            let r = format!("refs/gitcoord/snapshots/{wave}/{name}");
            env.git(&["rev-parse", "--verify", "-q", &r]).ok();
        }
    }
    // W1 is open: db's task starts now, and W1 cannot close while it is not done.
    env.gc(&["--agent", "db", "task", "start", "db-schema"])
        .ok();
    let run = env.gc(&["wave", "advance"]);
    run.code(1);
    assert!(
        run.stderr.contains("task db-schema is in-progress"),
        "{}",
        run.stderr
    );
    // Rollback to W0: sec's branch (checked out in its worktree) goes back to before the
    // settings commit, never over uncommitted work.
    let snap = env
        .git(&["rev-parse", "refs/gitcoord/snapshots/W0/sec"])
        .ok()
        .trim()
        .to_owned();
    let dry = env.gc(&["rollback", "W0"]);
    assert!(
        dry.ok().contains("would move feature/sec (sec)"),
        "{}",
        dry.stdout
    );
    assert_ne!(
        env.git(&["rev-parse", "feature/sec"]).ok().trim(),
        snap,
        "a dry run moves nothing"
    );
    crate::common::write_in(&wt, "config/settings.py", "uncommitted\n");
    let run = env.gc(&["rollback", "W0", "--yes"]);
    run.code(1);
    assert!(
        run.stderr
            .contains("has uncommitted changes on feature/sec"),
        "{}",
        run.stderr
    );
    env.git_in(&wt, &["checkout", "--", "config/settings.py"])
        .ok();
    env.gc(&["rollback", "W0", "--yes"]).ok();
    assert_eq!(env.git(&["rev-parse", "feature/sec"]).ok().trim(), snap);
    assert!(
        !wt.join("config/settings.py").exists(),
        "the worktree follows its branch"
    );
    env.gc(&["rollback", "W2"]).code(2);
    let log = env.gc(&["log", "-n", "20"]);
    for transition in [
        "task sec-config started",
        "task sec-config done",
        "wave W0 done; wave W1 opens",
        "task db-schema started",
    ] {
        assert!(
            log.ok().contains(transition),
            "{transition}: {}",
            log.stdout
        );
    }
}

#[test]
fn the_plans_file_rules_are_enforced_by_git_commit() {
    let env = planned();
    env.gc(&["install"]).ok();
    env.write("new-at-root.txt", "x\n");
    env.git(&["add", "new-at-root.txt"]).ok();
    let run = env.git(&["commit", "-q", "-m", "root file"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("breaks rule 'no-root-files': new files go under src/"),
        "{}",
        run.stderr
    );
    env.git(&["rm", "-q", "--cached", "new-at-root.txt"]).ok();
    // A new file in a subdirectory, and an edit of a file at the root, are fine.
    env.write("src/lib.py", "x\n");
    env.write("README.md", "changed\n");
    env.git(&["add", "src/lib.py", "README.md"]).ok();
    env.git(&["commit", "-q", "-m", "fine"]).ok();
    // A test file outside tests/ breaks the other rule; under tests/ it is fine.
    env.write("src/test_x.py", "x\n");
    env.git(&["add", "src/test_x.py"]).ok();
    let run = env.git(&["commit", "-q", "-m", "test outside"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("breaks rule 'tests-under-tests'"),
        "{}",
        run.stderr
    );
    env.git(&["rm", "-q", "--cached", "src/test_x.py"]).ok();
    env.write("tests/test_x.py", "x\n");
    env.git(&["add", "tests/test_x.py"]).ok();
    env.git(&["commit", "-q", "-m", "test inside"]).ok();
    // Skipped by name, and said so.
    env.write("other-root.txt", "x\n");
    env.git(&["add", "other-root.txt"]).ok();
    let run = env.git_env(
        &env.repo,
        &[("GITCOORD_SKIP", "rules")],
        &["commit", "-q", "-m", "skip"],
    );
    run.ok();
    assert!(
        run.stderr.contains("skipping the rules check"),
        "{}",
        run.stderr
    );
}

#[test]
fn with_enforce_waves_an_agent_commits_only_in_its_tasks_wave() {
    let env = TestEnv::new();
    env.git(&["branch", "feature/sec"]).ok();
    env.git(&["branch", "feature/db"]).ok();
    let plan = PLAN.replace(
        "version = 1\n",
        "version = 1\n\n[settings]\nenforce_waves = true\n",
    );
    env.write("plan.toml", &plan);
    env.gc(&["init", "--plan", "plan.toml"]).ok();
    env.write("src/schema.sql", "x\n");
    env.git(&["add", "src/schema.sql"]).ok();
    // db's only task is in W1, still pending.
    let run = env.gc(&["--agent", "db", "check", "pre-commit"]);
    run.code(1);
    assert!(
        run.stdout
            .contains("db's task db-schema is in wave W1, which is pending"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("gitcoord next"), "{}", run.stdout);
    // sec's task is in the open wave; an agent without tasks is not held back.
    env.gc(&["--agent", "sec", "check", "pre-commit"]).ok();
    env.gc(&["agent", "add", "free", "--branch", "free"]).ok();
    env.gc(&["--agent", "free", "check", "pre-commit"]).ok();
}

#[test]
fn merges_clean_forecasts_conflicts_in_merge_order() {
    let env = TestEnv::new();
    for (branch, text) in [("feature/a", "from a\n"), ("feature/b", "from b\n")] {
        env.git(&["checkout", "-q", "-b", branch, "main"]).ok();
        env.write("shared.txt", text);
        env.git(&["add", "shared.txt"]).ok();
        env.git(&["commit", "-q", "-m", branch]).ok();
    }
    env.git(&["checkout", "-q", "main"]).ok();
    let plan = "version = 1\n\n[[agent]]\nid = \"a\"\nbranch = \"feature/a\"\n\n[[agent]]\nid = \"b\"\nbranch = \"feature/b\"\nafter = [\"a\"]\n\n[[wave]]\nid = \"W0\"\nchecks = [\"merges\"]\n\n[[check]]\nid = \"merges\"\nbuiltin = \"merges-clean\"\n";
    env.write("docs/plan.toml", plan);
    env.gc(&["init", "--no-hooks", "--plan", "docs/plan.toml"])
        .ok();
    let before = env.git(&["for-each-ref", "refs/heads"]).ok().to_owned();
    let run = env.gc(&["wave", "advance"]);
    run.code(1);
    assert!(
        run.stderr.contains("feature/b conflicts in shared.txt"),
        "{}",
        run.stderr
    );
    assert_eq!(
        env.git(&["for-each-ref", "refs/heads"]).ok(),
        before,
        "no branch moved"
    );
    assert_eq!(
        env.git(&["status", "--porcelain"]).ok(),
        "?? docs/\n",
        "nothing checked out"
    );
    // b rebased onto a: the forecast is clean, and the wave closes.
    env.git(&["checkout", "-q", "feature/b"]).ok();
    env.git(&["reset", "-q", "--hard", "feature/a"]).ok();
    env.write("other.txt", "b's own\n");
    env.git(&["add", "other.txt"]).ok();
    env.git(&["commit", "-q", "-m", "b"]).ok();
    env.git(&["checkout", "-q", "main"]).ok();
    env.gc(&["wave", "advance"]).ok();
}
