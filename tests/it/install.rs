//! The hook installer (chaining, uninstall, hook managers) and the Claude Code guard.

use crate::common::TestEnv;

fn hooks_dir(env: &TestEnv) -> std::path::PathBuf {
    env.repo.join(".git/hooks")
}

#[test]
fn existing_hook_is_chained_and_restored() {
    let env = TestEnv::new();
    let user_hook = hooks_dir(&env).join("pre-commit");
    let marker = env.root().join("user-hook-ran");
    let script = format!("#!/bin/sh\necho ran >> '{}'\n", marker.display());
    std::fs::write(&user_hook, &script).expect("write hook");
    make_executable(&user_hook);
    let run = env.gc(&["init"]);
    assert!(
        run.ok().contains("kept and chained: pre-commit"),
        "{}",
        run.stdout
    );
    env.gc(&["install"]).ok();
    env.git(&["commit", "-q", "--allow-empty", "-m", "x"]).ok();
    assert!(marker.exists(), "the user's hook ran");
    // The user's hook failing still refuses the commit.
    std::fs::write(
        hooks_dir(&env).join("pre-commit.gitcoord-chained"),
        "#!/bin/sh\nexit 3\n",
    )
    .expect("w");
    let run = env.git(&["commit", "--allow-empty", "-m", "y"]);
    assert_ne!(run.code, 0);
    std::fs::write(hooks_dir(&env).join("pre-commit.gitcoord-chained"), &script).expect("w");
    let run = env.gc(&["uninstall"]);
    assert!(run.ok().contains("restored: pre-commit"), "{}", run.stdout);
    assert_eq!(
        std::fs::read_to_string(&user_hook).expect("restored"),
        script
    );
    assert!(!hooks_dir(&env).join("pre-push").exists());
}

#[test]
fn install_is_idempotent_and_force_rewrites() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    let run = env.gc(&["install"]);
    assert!(
        run.ok()
            .contains("already installed: pre-commit, pre-merge-commit, pre-push"),
        "{}",
        run.stdout
    );
    std::fs::write(
        hooks_dir(&env).join("pre-push"),
        "#!/bin/sh\n# gitcoord-shim old\n",
    )
    .expect("w");
    let run = env.gc(&["install", "--force"]);
    assert!(
        run.ok()
            .contains("installed: pre-commit, pre-merge-commit, pre-push"),
        "{}",
        run.stdout
    );
    let text = std::fs::read_to_string(hooks_dir(&env).join("pre-push")).expect("read");
    assert!(text.contains("hook=pre-push"));
}

#[test]
fn husky_hooks_path_is_never_left_unprotected_silently() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.repo.join(".husky/_")).expect("husky dir");
    env.git(&["config", "core.hooksPath", ".husky/_"]).ok();
    let run = env.gc(&["init"]);
    assert!(
        run.ok()
            .contains("echo 'gitcoord hook pre-commit \"$@\"' >> .husky/pre-commit"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("NOT checked"), "{}", run.stderr);
    assert!(
        !env.repo.join(".husky/_/pre-commit").exists(),
        "nothing written blindly"
    );
    // After the integration lines are added, install confirms.
    for hook in ["pre-commit", "pre-push"] {
        std::fs::write(
            env.repo.join(format!(".husky/{hook}")),
            format!("gitcoord hook {hook} \"$@\"\n"),
        )
        .expect("w");
    }
    let run = env.gc(&["install"]);
    assert!(run.ok().contains("runs `gitcoord hook`"), "{}", run.stdout);
}

#[test]
fn plain_hooks_path_gets_the_shims() {
    let env = TestEnv::new();
    env.git(&["config", "core.hooksPath", ".githooks"]).ok();
    env.gc(&["init"]).ok();
    assert!(env.repo.join(".githooks/pre-commit").exists());
    env.gc(&["halt", "--reason", "stop"]).ok();
    let run = env.git(&["commit", "--allow-empty", "-m", "x"]);
    assert_eq!(run.code, 1, "the hook in core.hooksPath runs");
}

#[test]
fn missing_binary_refuses_rather_than_skips() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    let mut cmd = std::process::Command::new("git");
    env.hermetic(&mut cmd);
    let out = cmd
        .env("GITCOORD_BIN", "/nonexistent/gitcoord")
        .args(["commit", "--allow-empty", "-m", "x"])
        .current_dir(&env.repo)
        .output()
        .expect("git");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("was not found"));
}

pub(crate) fn guard(env: &TestEnv, agent: &str, event: &serde_json::Value) -> crate::common::Run {
    use std::io::Write;
    let mut cmd = std::process::Command::new(crate::common::bin());
    env.hermetic(&mut cmd);
    let mut child = cmd
        .env("GITCOORD_AGENT", agent)
        .arg("guard")
        .current_dir(env.root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn guard");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(event.to_string().as_bytes())
        .expect("write event");
    let out = child.wait_with_output().expect("guard output");
    crate::common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn event(env: &TestEnv, tool: &str, file: &str) -> serde_json::Value {
    serde_json::json!({
        "session_id": "abc123",
        "transcript_path": "/tmp/t.jsonl",
        "cwd": env.repo,
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": { "file_path": env.repo.join(file), "old_string": "a", "new_string": "b" }
    })
}

#[test]
fn guard_allows_and_denies_on_claude_code_events() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "a", "--branch", "feature/a"]).ok();
    env.gc(&[
        "agent",
        "add",
        "b",
        "--branch",
        "feature/b",
        "--deny",
        "infra/**",
    ])
    .ok();
    env.gc(&["--agent", "a", "lock", "src/db.rs", "--reason", "schema"])
        .ok();

    let run = guard(&env, "b", &event(&env, "Edit", "src/db.rs"));
    assert_eq!(run.code, 0);
    let answer: serde_json::Value = serde_json::from_str(&run.stdout).expect("deny JSON");
    let out = &answer["hookSpecificOutput"];
    assert_eq!(out["hookEventName"], "PreToolUse");
    assert_eq!(out["permissionDecision"], "deny");
    assert!(
        out["permissionDecisionReason"]
            .as_str()
            .expect("reason")
            .contains("locked by a")
    );

    let run = guard(&env, "b", &event(&env, "Write", "infra/main.tf"));
    assert!(run.stdout.contains("do-not-touch"), "{}", run.stdout);

    for (agent, tool, file) in [
        ("a", "Edit", "src/db.rs"),
        ("b", "Edit", "src/ok.rs"),
        ("b", "Read", "src/db.rs"),
    ] {
        let run = guard(&env, agent, &event(&env, tool, file));
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (0, ""),
            "{agent} {tool} {file}"
        );
    }
    // An open decision over the file comes with the answer, allowed or denied.
    env.gc(&[
        "decision",
        "propose",
        "--title",
        "One schema or two?",
        "--option",
        "one",
        "--option",
        "two",
        "--area",
        "src/",
    ])
    .ok();
    let run = guard(&env, "b", &event(&env, "Edit", "src/ok.rs"));
    let answer: serde_json::Value = serde_json::from_str(&run.stdout).expect("context JSON");
    let out = &answer["hookSpecificOutput"];
    assert!(out.get("permissionDecision").is_none(), "allowed: {answer}");
    assert!(
        out["additionalContext"]
            .as_str()
            .is_some_and(|c| c.contains("d1 (area src/**): One schema or two?")),
        "{answer}"
    );
    let run = guard(&env, "b", &event(&env, "Edit", "src/db.rs"));
    let answer: serde_json::Value = serde_json::from_str(&run.stdout).expect("deny JSON");
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "deny");
    assert!(
        answer["hookSpecificOutput"]["additionalContext"].is_string(),
        "{answer}"
    );
    env.gc(&[
        "decision",
        "resolve",
        "d1",
        "--choice",
        "one",
        "--rationale",
        "simpler",
    ])
    .ok();
    let run = guard(&env, "b", &event(&env, "Edit", "src/ok.rs"));
    assert_eq!(run.stdout, "", "a resolved decision is no news");
    let run = guard(&env, "b", &serde_json::json!({ "tool_name": "Read" }));
    assert_eq!(run.code, 0, "a non-edit tool is allowed");
    let run = guard(&env, "b", &serde_json::json!("not an event"));
    assert_eq!(run.code, 2, "what is not an event is refused unjudged");
    let mut bad = std::process::Command::new(crate::common::bin());
    env.hermetic(&mut bad);
    let out = bad
        .arg("guard")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().expect("stdin").write_all(b"{oops")?;
            c.wait_with_output()
        })
        .expect("guard");
    // Claude Code lets an edit through on any failure but exit 2: an event that cannot be
    // judged is refused.
    assert_eq!(out.status.code(), Some(2), "malformed input is refused");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not valid JSON"), "{stderr}");
    assert!(stderr.contains("next: "), "{stderr}");
}

#[test]
fn install_claude_merges_settings() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.write(".claude/settings.json", r#"{"permissions": {"allow": ["Bash(ls)"]}, "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "echo hi"}]}]}}"#);
    env.gc(&["install", "--claude"]).ok();
    env.gc(&["install", "--claude"]).ok();
    let text = std::fs::read_to_string(env.repo.join(".claude/settings.json")).expect("read");
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(v["permissions"]["allow"][0], "Bash(ls)");
    let list = v["hooks"]["PreToolUse"].as_array().expect("array");
    assert_eq!(list.len(), 2, "added once: {text}");
    assert_eq!(list[1]["hooks"][0]["command"], "gitcoord guard");
    let start = v["hooks"]["SessionStart"].as_array().expect("array");
    assert_eq!(start.len(), 1, "added once: {text}");
    assert_eq!(start[0]["matcher"], "startup|resume|clear|compact");
    // The SessionStart command answers in Claude Code's JSON, the brief as context.
    let command = start[0]["hooks"][0]["command"].as_str().expect("command");
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    env.gc(&["agent", "add", "a", "--branch", "feature/a"]).ok();
    let mut with_agent = vec!["--agent", "a"];
    with_agent.extend(&args);
    let run = env.gc(&with_agent);
    let answer = crate::common::parse_json(run.ok());
    assert_eq!(
        answer["hookSpecificOutput"]["hookEventName"],
        "SessionStart"
    );
    let context = answer["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .expect("text");
    assert!(context.starts_with("gitcoord brief for a"), "{context}");
    // The PreToolUse entry runs the guard, which judges an edit from these settings.
    let pre = v["hooks"]["PreToolUse"][1]["hooks"][0]["command"]
        .as_str()
        .expect("command");
    assert_eq!(pre, "gitcoord guard");
    env.gc(&["--agent", "a", "lock", "src/x.rs"]).ok();
    env.gc(&["agent", "add", "b", "--branch", "feature/b"]).ok();
    let run = guard(&env, "b", &event(&env, "Edit", "src/x.rs"));
    assert!(run.stdout.contains("\"deny\""), "{}", run.stdout);
    let post = v["hooks"]["PostToolUse"][0]["hooks"][0]["command"]
        .as_str()
        .expect("command");
    assert_eq!(post, "gitcoord notice --hook");
    // An identity that cannot be told still lets the session start, and says why.
    let mut ghost = vec!["--agent", "ghost"];
    ghost.extend(&args);
    let run = env.gc(&ghost);
    assert!(
        run.ok().contains("cannot brief this session"),
        "{}",
        run.stdout
    );
    // Outside any state it is silent, and the session starts.
    let bare = TestEnv::new();
    let run = bare.gc(&args);
    assert_eq!(run.ok(), "");
    // `uninstall --claude` takes out exactly what was added.
    env.gc(&["uninstall", "--claude"]).ok();
    let after: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.repo.join(".claude/settings.json")).expect("read"),
    )
    .expect("valid JSON");
    let before: serde_json::Value = serde_json::from_str(r#"{"permissions": {"allow": ["Bash(ls)"]}, "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "echo hi"}]}]}}"#).expect("json");
    assert_eq!(after, before);
    // Settings that are not JSON are refused and left as they are.
    env.write(".claude/settings.json", "{ not json");
    let run = env.gc(&["install", "--claude"]);
    run.code(2);
    assert!(run.stderr.contains("is not valid JSON"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(env.repo.join(".claude/settings.json")).expect("read"),
        "{ not json"
    );
}

fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn committed_hooks_run_in_every_clone_and_worktree() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    let installed = env.gc(&["install", "--hooks-dir", "./.githooks/"]);
    assert!(
        installed.ok().contains("set core.hooksPath to .githooks"),
        "{}",
        installed.stdout
    );
    let shim = std::fs::read_to_string(env.repo.join(".githooks/pre-commit")).expect("a shim");
    assert!(
        !shim.contains(env.root().to_str().expect("UTF-8")),
        "a committed shim holds no absolute path"
    );
    env.git(&["add", ".githooks"]).ok();
    env.git(&["commit", "-qm", "the team's hooks"]).ok();
    let bare = env.root().join("origin.git");
    let bare = bare.to_str().expect("UTF-8 path");
    env.git(&["init", "-q", "--bare", "-b", "main", bare]).ok();
    env.git(&["push", "-q", bare, "main", "refs/gitcoord/state"])
        .ok();

    let clone = env.root().join("clone");
    let clone_arg = clone.to_str().expect("UTF-8 path");
    env.git(&["clone", "-q", bare, clone_arg]).ok();
    env.git_in(
        &clone,
        &[
            "fetch",
            "-q",
            "origin",
            "refs/gitcoord/state:refs/gitcoord/state",
        ],
    )
    .ok();
    let status = env.gc_in(&clone, &["status"]);
    assert!(
        status.stderr.contains("do not run in this clone"),
        "{}",
        status.stderr
    );
    let activated = env.gc_in(&clone, &["install"]);
    assert!(activated.ok().contains("set core.hooksPath to .githooks"));
    assert_eq!(
        env.git_in(&clone, &["config", "core.hooksPath"])
            .ok()
            .trim(),
        ".githooks"
    );
    env.gc_in(&clone, &["halt", "--reason", "release freeze"])
        .ok();
    let wt = env.root().join("clone-wt");
    env.git_in(
        &clone,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "other",
            wt.to_str().expect("UTF-8"),
        ],
    )
    .ok();
    for dir in [&clone, &wt] {
        crate::common::write_in(dir, "new.txt", "x\n");
        env.git_in(dir, &["add", "new.txt"]).ok();
        let commit = env.git_in(dir, &["commit", "-qm", "during the halt"]);
        assert_ne!(commit.code, 0, "refused in {}", dir.display());
        assert!(commit.stderr.contains("halted"), "{}", commit.stderr);
    }
    // Uninstall in a clone deactivates the committed shims here and leaves them in the tree.
    let removed = env.gc_in(&clone, &["uninstall"]);
    assert!(removed.ok().contains("unset core.hooksPath"));
    assert!(clone.join(".githooks/pre-commit").exists());
    env.git_in(&clone, &["commit", "-qm", "after uninstall"])
        .ok();
}

#[test]
fn a_committed_hooks_dir_never_silently_stops_other_hooks() {
    let env = TestEnv::new();
    let hooks = env.repo.join(".git/hooks");
    crate::common::write_in(&hooks, "commit-msg", "#!/bin/sh\nexit 0\n");
    // Not executable, git would not run it: nothing would stop.
    crate::common::write_in(&hooks, "post-merge", "#!/bin/sh\nexit 0\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        hooks.join("commit-msg"),
        std::fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    let run = env.gc(&["install", "--hooks-dir", ".githooks"]);
    run.code(2);
    assert!(run.stderr.contains("commit-msg"), "{}", run.stderr);
    assert!(run.stderr.contains("next: "), "{}", run.stderr);
    env.git(&["config", "core.hooksPath"]).code(1);
    assert!(!run.stderr.contains("post-merge"), "{}", run.stderr);
    for bad in ["/tmp/hooks", "../outside", ".git/hooks", "", "~/hooks", "~"] {
        env.gc(&["install", "--hooks-dir", bad, "--force"]).code(2);
    }
    env.gc(&["install", "--hooks-dir", ".githooks", "--force"])
        .ok();
}

#[test]
fn dot_dot_is_resolved_the_same_by_the_guard_and_the_commands() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "a", "--branch", "feature/a"]).ok();
    env.gc(&["agent", "add", "b", "--branch", "feature/b"]).ok();
    env.write("top.txt", "x\n");
    env.write("s/inner.txt", "x\n");
    // `..` that stays inside the repository names the file it reaches.
    let run = env.gc_in(&env.repo.join("s"), &["--agent", "a", "lock", "../top.txt"]);
    assert!(run.ok().contains("lock top.txt by a"), "{}", run.stdout);
    // Through a directory that does not exist, and through one that does: the locked file.
    for path in ["nowhere/../top.txt", "s/../top.txt", "./s/./../top.txt"] {
        let run = guard(&env, "b", &event(&env, "Edit", path));
        assert!(
            run.stdout.contains("\"deny\"") && run.stdout.contains("locked by a"),
            "{path}: {}",
            run.stdout
        );
    }
    // Climbing out is still outside, and a `..` after a glob names nothing.
    let run = env.gc_in(&env.repo.join("s"), &["--agent", "a", "lock", "../../x"]);
    assert_eq!(run.code, 2, "{run:?}");
    let run = env.gc(&["--agent", "a", "lock", "src/*/../x"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("after the glob"), "{}", run.stderr);
}

#[test]
fn an_endless_event_on_stdin_is_refused_unjudged_without_reading_it_all() {
    use std::io::Write;
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    let mut cmd = std::process::Command::new(crate::common::bin());
    env.hermetic(&mut cmd);
    let mut child = cmd
        .arg("guard")
        .current_dir(&env.repo)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn guard");
    let mut stdin = child.stdin.take().expect("stdin");
    // 80 MiB of an unfinished JSON string: the guard stops reading at its limit.
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'a'; 1 << 20];
        let _ = stdin.write_all(b"{\"tool_name\":\"Edit\",\"x\":\"");
        for _ in 0..80 {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let out = child.wait_with_output().expect("guard output");
    let _ = writer.join();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("over 64 MiB") && stderr.contains("refused unjudged"),
        "{stderr}"
    );
}
