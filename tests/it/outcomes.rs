//! How commands end, the same way in every entry point: exit codes decided once, a closed
//! pipe that is no error, a broken configuration that is exit 2 wherever the checks run,
//! one fingerprint for one secret, and a test environment that lets nothing leak in.

use std::process::Stdio;

use crate::common::{PASSED, TestEnv, parse_json};

/// A GitHub token built at run time, so this file holds no literal secret.
fn token() -> String {
    format!("ghp_{}", "R8kq2ZtW5mXy9Lp3Vb7Nc1Hd4Jf6Gs0Qa2Ue")
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    for i in 0..5 {
        env.gc(&["lock", &format!("f{i}.txt")]).ok();
    }
    // `gitcoord log | head -0`: the reader is gone before anything is written.
    let mut child = env.gc_command(&["log"]).spawn().expect("run gitcoord");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for gitcoord");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "nothing on stderr"
    );
    assert_eq!(out.status.code(), Some(0));
    // And through a real shell pipe, as users type it.
    let shell = format!("'{}' log | head -1", crate::common::bin().display());
    let mut cmd = std::process::Command::new("sh");
    env.hermetic(&mut cmd);
    let out = cmd
        .args(["-c", &shell])
        .current_dir(&env.repo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run sh");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

#[test]
fn a_closed_pipe_never_hides_findings() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.write("app/settings.py", &format!("GH = \"{}\"\n", token()));
    for args in [
        &["scan", "app"][..],
        &["scan", "app", "--format", "sarif"],
        &["--json", "scan", "app"],
    ] {
        let mut child = env.gc_command(args).spawn().expect("run gitcoord");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait for gitcoord");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: the finding still counts"
        );
    }
}

/// A repository with a state, the hooks installed, a commit on `main` and `.gitleaks.toml`
/// that is not TOML.
fn broken_config() -> TestEnv {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.write(".gitleaks.toml", "[[rules]\nid = 1\n");
    env
}

#[test]
fn a_configuration_the_checks_cannot_load_is_exit_2_everywhere() {
    let env = broken_config();
    env.write("a.txt", "text\n");
    env.git(&["add", "a.txt"]).ok();
    let expect = |run: &crate::common::Run, what: &str| {
        run.code(2);
        for needle in [
            "invalid secret-scanning configuration",
            ".gitleaks.toml",
            "\n  next: ",
        ] {
            assert!(run.stderr.contains(needle), "{what}: {}", run.stderr);
        }
    };
    expect(&env.gc(&["check", "pre-commit"]), "check pre-commit");
    expect(&env.gc(&["hook", "pre-commit"]), "hook pre-commit");
    // The installed hook refuses the real commit with the same words.
    let commit = env.git(&["commit", "-qm", "add a"]);
    assert_ne!(commit.code, 0, "the commit must not go through");
    assert!(
        commit
            .stderr
            .contains("invalid secret-scanning configuration"),
        "{}",
        commit.stderr
    );
    env.git(&["commit", "-qm", "add a", "--no-verify"]).ok();
    expect(
        &env.gc(&["check", "pr", "--base", "HEAD~1", "--head", "HEAD"]),
        "check pr",
    );
    expect(&env.gc(&["check", "pre-push"]), "check pre-push");
    expect(&env.gc(&["scan", "--staged"]), "scan");
    let edit = serde_json::json!({
        "tool_name": "Write",
        "cwd": env.repo,
        "tool_input": { "file_path": env.repo.join("b.txt") },
    });
    expect(&crate::install::guard(&env, "", &edit), "guard");
    // A push that brings no commits scans nothing: the state still syncs. One that brings
    // commits is refused.
    let bare = env.root().join("origin.git");
    let bare = bare.to_str().expect("UTF-8 path");
    env.git(&["init", "-q", "--bare", bare]).ok();
    env.git(&["push", "-q", bare, "refs/gitcoord/state"]).ok();
    let push = env.git(&["push", "-q", bare, "main"]);
    assert_ne!(push.code, 0, "{}", push.stderr);
    assert!(
        push.stderr
            .contains("invalid secret-scanning configuration"),
        "{}",
        push.stderr
    );
    // Skipping the check is the way out, and it is said.
    let skipped = env.gc_env(
        &env.repo,
        &[("GITCOORD_SKIP", "secrets")],
        &["check", "pr", "--base", "HEAD~1", "--head", "HEAD"],
    );
    skipped.code(0);
    assert!(skipped.stderr.contains("skipping the secrets check"));
}

#[test]
fn scan_and_check_pr_fingerprint_a_secret_alike() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.write("app/settings.py", &format!("\nGH = \"{}\"\n", token()));
    env.git(&["add", "app/settings.py"]).ok();
    env.git(&["commit", "-qm", "settings", "--no-verify"]).ok();
    let key = "gitcoordFingerprint/v2";
    let fingerprint = |args: &[&str]| {
        let run = env.gc(args);
        run.code(1);
        let log = parse_json(&run.stdout);
        let results = log["runs"][0]["results"]
            .as_array()
            .unwrap_or_else(|| panic!("results in {}", run.stdout))
            .clone();
        assert_eq!(results.len(), 1, "{}", run.stdout);
        results[0]["partialFingerprints"][key]
            .as_str()
            .expect("a fingerprint")
            .to_owned()
    };
    let from_pr = fingerprint(&[
        "check", "pr", "--base", "HEAD~1", "--head", "HEAD", "--format", "sarif",
    ]);
    let from_range = fingerprint(&["scan", "--range", "HEAD~1..HEAD", "--format", "sarif"]);
    let from_file = fingerprint(&["scan", "app/settings.py", "--format", "sarif"]);
    assert_eq!(from_pr, from_range);
    assert_eq!(from_pr, from_file);
    // Scanned from inside app/, the file is named `settings.py` but fingerprinted as the
    // repository knows it.
    let inside = env.gc_in(
        &env.repo.join("app"),
        &["scan", "settings.py", "--format", "sarif"],
    );
    inside.code(1);
    let log = parse_json(&inside.stdout);
    assert_eq!(
        log["runs"][0]["results"][0]["partialFingerprints"][key],
        from_pr.as_str()
    );
    // The same secret two lines lower, in a later commit, is still the same finding.
    env.write(
        "app/settings.py",
        &format!("# settings\n\n\nGH = \"{}\"\n", token()),
    );
    let moved = fingerprint(&["scan", "app/settings.py", "--format", "sarif"]);
    assert_eq!(moved, from_pr);
    // A git-mode scan from a subdirectory names files from the root already.
    let staged_in_sub = env.gc_in(
        &env.repo.join("app"),
        &["scan", "--range", "HEAD~1..HEAD", "--format", "sarif"],
    );
    staged_in_sub.code(1);
    assert_eq!(
        parse_json(&staged_in_sub.stdout)["runs"][0]["results"][0]["partialFingerprints"][key],
        from_pr.as_str()
    );
    // The hook's JSON report carries it too (the commit undone: the file is added again).
    env.git(&["reset", "-q", "--soft", "HEAD~1"]).ok();
    env.git(&["add", "app/settings.py"]).ok();
    let report = env.gc(&["--json", "check", "pre-commit"]);
    report.code(1);
    assert_eq!(
        parse_json(&report.stdout)["violations"][0]["fingerprint"],
        from_pr.as_str()
    );
}

#[test]
fn the_test_environment_lets_nothing_leak_in() {
    let env = TestEnv::new();
    let mut cmd = std::process::Command::new("env");
    env.hermetic(&mut cmd);
    let out = cmd.output().expect("run env");
    let set_here = [
        "HOME",
        "LANG",
        "XDG_CONFIG_HOME",
        "USER",
        "NO_COLOR",
        "GITCOORD_NOW",
        "GITCOORD_BIN",
    ];
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split('=').next().unwrap_or_default();
        let allowed = PASSED.contains(&name)
            || set_here.contains(&name)
            || name.starts_with("GIT_")
            || name.is_empty();
        assert!(allowed, "{name} leaked into the test environment");
    }
}

#[test]
fn the_guard_judges_the_file_wherever_the_session_stands() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "a", "--branch", "fa"]).ok();
    env.gc(&["lock", "src/**"]).ok();
    let wt = env.worktree("wt", "fa");
    let denied = |file: String, cwd: &std::path::Path| {
        let event = serde_json::json!({
            "tool_name": "Write",
            "cwd": cwd,
            "tool_input": { "file_path": file },
        });
        let run = crate::install::guard(&env, "a", &event);
        run.code(0);
        assert!(
            run.stdout.contains("\"deny\""),
            "{file} from {}: {}",
            cwd.display(),
            run.stdout
        );
    };
    let main_file = env.repo.join("src/a.rs").display().to_string();
    // From another worktree, from outside any repository, and through `..` in a directory
    // that does not exist yet: the file's own repository judges it.
    denied(main_file.clone(), &wt);
    denied(main_file, &env.root());
    denied(
        env.repo.join("nonexist/../src/a.rs").display().to_string(),
        &env.repo,
    );
    denied("../repo/src/b.rs".into(), &wt);
}

#[test]
fn the_guard_refuses_an_edit_it_cannot_judge() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "a", "--branch", "fa"]).ok();
    let edit = |file: &std::path::Path| {
        serde_json::json!({
            "tool_name": "Edit",
            "cwd": env.repo,
            "tool_input": { "file_path": file },
        })
    };
    let file = env.repo.join("README.md");
    crate::install::guard(&env, "a", &edit(&file)).code(0);
    // A state that cannot be read: exit 2, which Claude Code takes as a refusal.
    env.hand_edit_state("locks/.toml", "[[lock]\nnot toml\n");
    let run = crate::install::guard(&env, "a", &edit(&file));
    run.code(2);
    assert!(run.stderr.contains("corrupt"), "{}", run.stderr);
    assert!(run.stderr.contains("\n  next: "), "{}", run.stderr);
    // An empty path cannot be judged.
    let mut empty = edit(&file);
    empty["tool_input"]["file_path"] = serde_json::json!("");
    crate::install::guard(&env, "a", &empty).code(2);
    // Outside any repository there is nothing to guard.
    let outside = env.root().join("elsewhere.txt");
    let mut event = edit(&outside);
    event["cwd"] = serde_json::json!(env.root());
    crate::install::guard(&env, "a", &event).code(0);
}

#[test]
fn the_advice_after_a_refused_commit_runs_as_printed() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "sec", "--branch", "fs"]).ok();
    env.gc(&["agent", "add", "db", "--branch", "fd"]).ok();
    env.gc(&["--agent", "sec", "lock", "docs/**"]).ok();
    env.write("docs/a b's.md", "x\n");
    env.git(&["add", "."]).ok();
    let refused = env.git_env(
        &env.repo,
        &[("GITCOORD_AGENT", "db")],
        &["commit", "-qm", "docs"],
    );
    assert_ne!(refused.code, 0);
    // The lock in the way is the pattern held, not the file committed.
    let line = refused
        .stderr
        .lines()
        .find(|l| l.contains("unlock --force"))
        .unwrap_or_else(|| panic!("no unlock advice in\n{}", refused.stderr));
    let command = line.split("   #").next().unwrap_or_default().trim();
    assert_eq!(command, "gitcoord unlock --force ':/docs/**'");
    let bin = crate::common::bin();
    let script = command.replacen("gitcoord", &format!("'{}'", bin.display()), 1);
    let mut sh = std::process::Command::new("sh");
    env.hermetic(&mut sh);
    // Run from a subdirectory: the advice names the lock from the repository root.
    let out = sh
        .args(["-c", &script])
        .current_dir(env.repo.join("docs"))
        .output()
        .expect("run sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let locks = parse_json(&env.gc(&["--json", "locks"]).stdout);
    assert_eq!(locks.as_array().map(Vec::len), Some(0), "{locks}");
}
