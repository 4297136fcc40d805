//! Enforcement at commit: the real `git commit` firing the installed hooks in linked
//! worktrees, the pre-edit guard, and the installer.

use std::path::{Path, PathBuf};

use crate::common::{Run, TestEnv, write_in};

/// A repo with agents `a` and `b`, each in its own spawned worktree, and a shared file.
struct Team {
    env: TestEnv,
    a: PathBuf,
    b: PathBuf,
}

fn team() -> Team {
    let env = TestEnv::new();
    env.write("src/shared.rs", "fn shared() {}\n");
    env.write("src/other.rs", "fn other() {}\n");
    env.write("config/app.toml", "debug = false\n");
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "files"]).ok();
    env.gc(&["init"]).ok();
    env.gc(&[
        "agent",
        "add",
        "a",
        "--branch",
        "feature/a",
        "--owns",
        "config/**",
    ])
    .ok();
    env.gc(&[
        "agent",
        "add",
        "b",
        "--branch",
        "feature/b",
        "--deny",
        "secrets/**",
    ])
    .ok();
    let a = env.root().join("wt-a");
    let b = env.root().join("wt-b");
    env.gc(&[
        "spawn",
        "a",
        "--branch",
        "feature/a",
        "--path",
        a.to_str().expect("utf-8"),
    ])
    .ok();
    env.gc(&[
        "spawn",
        "b",
        "--branch",
        "feature/b",
        "--path",
        b.to_str().expect("utf-8"),
    ])
    .ok();
    Team { env, a, b }
}

impl Team {
    fn head(&self, wt: &Path) -> String {
        self.env
            .git_in(wt, &["rev-parse", "HEAD"])
            .ok()
            .trim()
            .to_owned()
    }

    /// Runs `git commit` args in `wt`, asserting the commit is refused and HEAD unchanged.
    #[track_caller]
    fn refused(&self, wt: &Path, args: &[&str]) -> Run {
        let before = self.head(wt);
        let run = self.env.git_in(wt, args);
        assert_eq!(
            run.code, 1,
            "commit should be refused\n{}{}",
            run.stdout, run.stderr
        );
        assert_eq!(self.head(wt), before, "HEAD moved");
        run
    }
}

#[test]
fn lock_refuses_every_kind_of_commit_of_another_agent() {
    let t = team();
    t.env
        .gc_in(&t.a, &["lock", "src/shared.rs", "--reason", "refactor"])
        .ok();

    // Plain commit of a modification.
    write_in(&t.b, "src/shared.rs", "fn shared() { changed() }\n");
    t.env.git_in(&t.b, &["add", "src/shared.rs"]).ok();
    let run = t.refused(&t.b, &["commit", "-m", "edit"]);
    assert!(
        run.stderr.contains("src/shared.rs: locked by a"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("refactor"), "{}", run.stderr);
    assert!(
        run.stderr.contains("gitcoord msg send --to a"),
        "{}",
        run.stderr
    );
    t.env.git_in(&t.b, &["reset", "-q"]).ok();

    // `commit -a` and `commit -- path` use a temporary index.
    t.refused(&t.b, &["commit", "-a", "-m", "all"]);
    t.refused(&t.b, &["commit", "-m", "only", "--", "src/shared.rs"]);
    t.env
        .git_in(&t.b, &["checkout", "--", "src/shared.rs"])
        .ok();

    // A rename away from the locked path, and a delete.
    t.env
        .git_in(&t.b, &["mv", "src/shared.rs", "src/moved.rs"])
        .ok();
    let run = t.refused(&t.b, &["commit", "-m", "rename"]);
    assert!(run.stderr.contains("src/shared.rs"), "{}", run.stderr);
    t.env.git_in(&t.b, &["reset", "-q", "--hard"]).ok();
    t.env.git_in(&t.b, &["rm", "-q", "src/shared.rs"]).ok();
    t.refused(&t.b, &["commit", "-m", "delete"]);
    t.env.git_in(&t.b, &["reset", "-q", "--hard"]).ok();

    // An unlocked file still commits; the holder's own commit passes.
    write_in(&t.b, "src/other.rs", "fn other() { 1 }\n");
    t.env.git_in(&t.b, &["commit", "-qam", "other"]).ok();
    write_in(&t.a, "src/shared.rs", "fn shared() { mine() }\n");
    t.env.git_in(&t.a, &["commit", "-qam", "mine"]).ok();
}

#[test]
fn expired_lock_never_blocks() {
    let t = team();
    t.env
        .gc_in(&t.a, &["lock", "src/shared.rs", "--ttl", "10m"])
        .ok();
    write_in(&t.b, "src/shared.rs", "fn shared() { late() }\n");
    let before_expiry = [("GITCOORD_NOW", "2026-03-01T12:09:00Z")];
    t.env
        .git_env(&t.b, &before_expiry, &["commit", "-qam", "too early"])
        .code(1);
    let later = [("GITCOORD_NOW", "2026-03-01T12:11:00Z")];
    t.env
        .git_env(&t.b, &later, &["commit", "-qam", "after expiry"])
        .ok();
}

#[test]
fn boundaries_refuse_deny_and_others_owns() {
    let t = team();
    write_in(&t.b, "config/app.toml", "debug = true\n");
    let run = t.refused(&t.b, &["commit", "-am", "config"]);
    assert!(run.stderr.contains("owned by a"), "{}", run.stderr);
    assert!(run.stderr.contains("[boundary-owned]"), "{}", run.stderr);
    t.env
        .git_in(&t.b, &["checkout", "--", "config/app.toml"])
        .ok();
    write_in(&t.b, "secrets/key.txt", "x\n");
    t.env.git_in(&t.b, &["add", "secrets/key.txt"]).ok();
    let run = t.refused(&t.b, &["commit", "-m", "deny"]);
    assert!(run.stderr.contains("do-not-touch"), "{}", run.stderr);
    // The owner may change its own files; the unbound lead is bound by no boundary.
    write_in(&t.a, "config/app.toml", "debug = true\n");
    t.env.git_in(&t.a, &["commit", "-qam", "own config"]).ok();
    t.env.write("config/app.toml", "debug = 1\n");
    t.env.git(&["commit", "-qam", "lead"]).ok();
}

#[test]
fn halt_refuses_in_every_worktree_until_resume() {
    let t = team();
    t.env.gc(&["halt", "--reason", "main is broken"]).ok();
    for wt in [&t.a, &t.b, &t.env.repo] {
        let run = t.refused(wt, &["commit", "--allow-empty", "-m", "x"]);
        assert!(run.stderr.contains("main is broken"), "{}", run.stderr);
    }
    t.env.gc_in(&t.b, &["resume"]).ok();
    for wt in [&t.a, &t.b, &t.env.repo] {
        t.env
            .git_in(wt, &["commit", "-q", "--allow-empty", "-m", "x"])
            .ok();
    }
}

#[test]
fn skips_are_reported_never_silent() {
    let t = team();
    t.env.gc_in(&t.a, &["lock", "src/shared.rs"]).ok();
    write_in(&t.b, "src/shared.rs", "fn shared() { skip() }\n");
    let run = t.env.gc_env(
        &t.b,
        &[("GITCOORD_SKIP", "locks")],
        &["check", "pre-commit"],
    );
    assert_eq!(run.code, 0, "nothing staged yet");
    t.env.git_in(&t.b, &["add", "src/shared.rs"]).ok();
    let run = t.env.gc_in(&t.b, &["check", "pre-commit"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let run = t.env.gc_env(
        &t.b,
        &[("GITCOORD_SKIP", "locks")],
        &["check", "pre-commit"],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stderr.contains("skipping the locks check"),
        "{}",
        run.stderr
    );
    let run = t
        .env
        .git_env(&t.b, &[("GITCOORD", "0")], &["commit", "-qm", "skip all"]);
    run.ok();
    assert!(
        run.stderr.contains("skipped for this command (GITCOORD=0)"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_pre_commit_json_lists_violations() {
    let t = team();
    t.env.gc_in(&t.a, &["lock", "src/"]).ok();
    write_in(&t.b, "src/shared.rs", "fn shared() { j() }\n");
    t.env.git_in(&t.b, &["add", "-A"]).ok();
    let run = t.env.gc_in(&t.b, &["--json", "check", "pre-commit"]);
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(v["actor"], "b");
    assert_eq!(v["violations"][0]["rule"], "lock");
    assert_eq!(v["violations"][0]["path"], "src/shared.rs");
    assert_eq!(v["violations"][0]["holder"], "a");
}

#[test]
fn demo_runs_every_step_as_narrated() {
    let env = TestEnv::new();
    let run = env.gc(&["demo"]);
    let out = run.ok();
    assert!(
        out.contains("gitcoord: commit refused (1 violation)"),
        "{out}"
    );
    assert!(out.contains("m1    organization -> security"), "{out}");
    // The template's task order: the database lead waits for the security lead's config.
    assert!(
        out.contains("task 'db-schema' must wait: task sec-config is claimed"),
        "{out}"
    );
    assert!(
        out.contains("deliverable config/settings.py is not on"),
        "{out}"
    );
    assert!(out.contains("task db-schema done"), "{out}");
    assert!(out.contains("all 4 check(s) pass"), "{out}");
    assert!(out.contains("[boundary-deny]"), "{out}");
    assert!(out.contains("[halt]"), "{out}");
    assert!(out.contains("[github-pat]"), "{out}");
    assert!(
        !out.contains("Zt7Qm2Wk9Lx4Rb8Nc3Vd6Hf1Jg5Ps0Ya7Ue3"),
        "the secret leaked"
    );
    assert!(out.contains("gitcoord: push refused"), "{out}");
    assert!(out.contains("[merge-order]"), "{out}");
}

#[test]
fn secrets_are_checked_even_before_any_coordination_state() {
    let env = TestEnv::new();
    env.gc(&["install"]).ok();
    // Assembled at run time so that scanning this repository finds no key.
    let key = format!("sk_{}_{}", "live", "4eC39HqLyjWDarjtT1zdp7dc");
    env.write("deploy.sh", &format!("export STRIPE_KEY={key}\n"));
    env.git(&["add", "deploy.sh"]).ok();
    let run = env.git(&["commit", "-m", "deploy"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("stripe"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("4eC39HqLyjWDarjtT1zdp7dc"),
        "{}",
        run.stderr
    );
    assert!(
        env.git(&["rev-parse", "-q", "--verify", "refs/gitcoord/state"])
            .code
            != 0
    );
}

#[test]
fn strict_sync_hooks_judge_the_remote_state_and_fall_back_when_it_is_out_of_reach() {
    let t = team();
    let origin = t.env.with_origin();
    t.env.gc(&["sync"]).ok();
    t.env.git(&["config", "gitcoord.sync", "strict"]).ok();
    // Another machine halts and publishes the halt.
    let other = t.env.root().join("other");
    t.env
        .git_in(
            &t.env.root(),
            &[
                "clone",
                "-q",
                origin.to_str().expect("utf-8"),
                other.to_str().expect("utf-8"),
            ],
        )
        .ok();
    t.env.gc_in(&other, &["sync"]).ok();
    t.env
        .gc_in(&other, &["halt", "--reason", "release freeze"])
        .ok();
    t.env.gc_in(&other, &["sync"]).ok();
    // This machine never synced since; its hook fetches the halt and refuses.
    let run = t.refused(&t.a, &["commit", "--allow-empty", "-m", "x"]);
    assert!(run.stderr.contains("release freeze"), "{}", run.stderr);
    let status = t.env.json(&["status"]);
    assert_eq!(status["halt"]["reason"], "release freeze", "{status}");

    // Out of reach: the hook says so and judges the local copy.
    t.env.gc(&["resume"]).ok();
    t.env
        .git(&["remote", "set-url", "origin", "/nonexistent/origin.git"])
        .ok();
    let run = t
        .env
        .git_in(&t.a, &["commit", "--allow-empty", "-m", "offline"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("strict sync: cannot reach remote 'origin'")
            && run.stderr.contains("judging against the local copy"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_intent_to_add_entry_is_not_part_of_the_commit() {
    let t = team();
    t.env.gc_in(&t.a, &["lock", "src/new.rs"]).ok();
    write_in(&t.b, "src/new.rs", "fn new() {}\n");
    write_in(&t.b, "src/mine.rs", "fn mine() {}\n");
    t.env.git_in(&t.b, &["add", "-N", "src/new.rs"]).ok();
    t.env.git_in(&t.b, &["add", "src/mine.rs"]).ok();
    // The commit holds src/mine.rs alone: nothing of a's lock is touched.
    t.env.git_in(&t.b, &["commit", "-qm", "mine"]).ok();
    // Staged for real, the locked file is refused.
    t.env.git_in(&t.b, &["add", "src/new.rs"]).ok();
    let run = t.refused(&t.b, &["commit", "-m", "new"]);
    assert!(
        run.stderr.contains("src/new.rs: locked by a"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_conflicted_merge_is_judged_for_its_own_edits_not_for_what_it_takes() {
    let t = team();
    t.env.gc_in(&t.a, &["lock", "src/shared.rs"]).ok();
    write_in(&t.a, "src/shared.rs", "fn shared() { a() }\n");
    write_in(&t.a, "src/other.rs", "fn other() { a() }\n");
    t.env.git_in(&t.a, &["commit", "-qam", "a's work"]).ok();
    write_in(&t.b, "src/other.rs", "fn other() { b() }\n");
    t.env.git_in(&t.b, &["commit", "-qam", "b's work"]).ok();
    let merge = t.env.git_in(&t.b, &["merge", "-q", "feature/a"]);
    assert_ne!(merge.code, 0, "a conflict in src/other.rs: {merge:?}");
    write_in(&t.b, "src/other.rs", "fn other() { a(); b() }\n");
    t.env.git_in(&t.b, &["add", "src/other.rs"]).ok();
    // src/shared.rs comes from a's commit as it is: b's merge does not edit it.
    t.env.git_in(&t.b, &["commit", "-q", "--no-edit"]).ok();
    // A merge that edits the locked file itself is refused.
    write_in(&t.a, "src/shared.rs", "fn shared() { a2() }\n");
    t.env.git_in(&t.a, &["commit", "-qam", "a again"]).ok();
    t.env
        .git_in(&t.b, &["merge", "-q", "--no-commit", "feature/a"])
        .ok();
    write_in(&t.b, "src/shared.rs", "fn shared() { b_was_here() }\n");
    t.env.git_in(&t.b, &["add", "src/shared.rs"]).ok();
    let run = t.refused(&t.b, &["commit", "--no-edit"]);
    assert!(
        run.stderr.contains("src/shared.rs: locked by a"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_merge_that_needs_no_resolving_is_refused_while_halted() {
    let t = team();
    write_in(&t.a, "src/a_only.rs", "fn a() {}\n");
    t.env.git_in(&t.a, &["add", "src/a_only.rs"]).ok();
    t.env.git_in(&t.a, &["commit", "-qm", "a's work"]).ok();
    t.env.gc(&["halt", "--reason", "release freeze"]).ok();
    // git runs pre-merge-commit, not pre-commit, for a clean merge.
    let before = t.head(&t.b);
    let run = t
        .env
        .git_in(&t.b, &["merge", "--no-ff", "-m", "merge a", "feature/a"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("release freeze"), "{}", run.stderr);
    assert_eq!(t.head(&t.b), before, "no merge commit");
    t.env.git_in(&t.b, &["merge", "--abort"]).ok();
    t.env.gc(&["resume"]).ok();
    t.env
        .git_in(
            &t.b,
            &["merge", "-q", "--no-ff", "-m", "merge a", "feature/a"],
        )
        .ok();
}

/// `GITCOORD=0` is honoured by `gitcoord hook` itself, so it works whatever runs the hook
/// (husky, lefthook and the pre-commit framework call it directly, not through the shim),
/// and it says so; without it the same call refuses.
#[test]
fn gitcoord_0_skips_the_checks_whatever_calls_the_hook() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["halt", "--reason", "incident"]).ok();
    env.write("notes.md", "x\n");
    env.git(&["add", "notes.md"]).ok();
    for hook in [
        "pre-commit",
        "pre-commit-framework",
        "pre-merge-commit",
        "pre-push",
    ] {
        // pre-push with nothing on stdin pushes nothing: there is nothing to judge.
        if hook != "pre-push" {
            let judged = env.gc(&["hook", hook]);
            judged.code(1);
            assert!(
                judged.stderr.contains("halted"),
                "{hook}: {}",
                judged.stderr
            );
        }
        let skipped = env.gc_env(&env.repo, &[("GITCOORD", "0")], &["hook", hook]);
        skipped.code(0);
        assert!(
            skipped.stderr.contains(&format!(
                "gitcoord: {hook} checks skipped for this command (GITCOORD=0)"
            )),
            "{}",
            skipped.stderr
        );
    }
    // Any other value runs the checks.
    let on = env.gc_env(&env.repo, &[("GITCOORD", "1")], &["hook", "pre-commit"]);
    on.code(1);
}
