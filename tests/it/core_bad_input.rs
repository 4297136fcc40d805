//! Bad input: exit 2, a sentence saying what to do, and nothing written to the state.

use crate::common::{Run, STATE_REF, TestEnv};

/// Asserts exit 2, an `error:` line holding every `needle`, a `next:` line, and an unmoved
/// state ref.
#[track_caller]
fn refused(env: &TestEnv, before: &Option<String>, run: &Run, needles: &[&str]) {
    run.code(2);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(
        run.stderr.contains("\n  next: "),
        "no next step in\n{}",
        run.stderr
    );
    for needle in needles {
        assert!(
            run.stderr.contains(needle),
            "missing {needle:?} in\n{}",
            run.stderr
        );
    }
    assert_eq!(run.stdout, "", "nothing on stdout");
    assert_eq!(&env.state_head(), before, "the state ref must not move");
}

fn ready() -> (TestEnv, Option<String>) {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "alice", "--branch", "feature/a"])
        .ok();
    let head = env.state_head();
    (env, head)
}

#[test]
fn outside_any_repository_and_in_a_bare_one() {
    let env = TestEnv::new();
    let plain = env.root().join("plain");
    std::fs::create_dir_all(&plain).expect("mkdir");
    for args in [&["init"][..], &["status"], &["lock", "a.txt"], &["whoami"]] {
        let run = env.gc_in(&plain, args);
        refused(
            &env,
            &None,
            &run,
            &["is not inside a git repository", "run gitcoord from"],
        );
    }
    let bare = env.root().join("bare.git");
    env.git(&["init", "-q", "--bare", bare.to_str().expect("UTF-8 path")])
        .ok();
    for args in [&["init"][..], &["status"]] {
        let run = env.gc_in(&bare, args);
        refused(
            &env,
            &None,
            &run,
            &["is a bare repository", "git worktree add"],
        );
    }
    let gone = env.git_in(&bare, &["rev-parse", "--verify", "-q", STATE_REF]);
    gone.code(1);
}

#[test]
fn commands_before_init_say_to_run_init() {
    let env = TestEnv::new();
    for args in [
        &["status"][..],
        &["locks"],
        &["lock", "a"],
        &["agent", "list"],
    ] {
        let run = env.gc(args);
        refused(
            &env,
            &None,
            &run,
            &["no gitcoord state yet", "run `gitcoord init` first"],
        );
    }
}

#[test]
fn paths_outside_the_repository_or_malformed() {
    let (env, head) = ready();
    let elsewhere = env.home.join("x.txt");
    let elsewhere = elsewhere.to_str().expect("UTF-8 path");
    let cases: [(&str, &str); 6] = [
        ("../x", "'../x' leaves the repository"),
        ("a/../../x", "leaves the repository"),
        (elsewhere, "is outside the repository"),
        ("", "an empty path was given"),
        ("a\nb", "contains a NUL or newline character"),
        (".", "names the repository root itself"),
    ];
    for (path, why) in cases {
        for cmd in ["lock", "unlock"] {
            let run = env.gc(&["--agent", "alice", cmd, path]);
            refused(
                &env,
                &head,
                &run,
                &[why, "next: give a path inside the repository"],
            );
        }
    }
    // A path inside the repository given absolutely is fine.
    let inside = env.repo.join("src/main.rs");
    let run = env.gc(&[
        "--agent",
        "alice",
        "lock",
        inside.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(run.ok().trim(), "lock src/main.rs by alice");
}

#[test]
fn unknown_agents_invalid_ids_and_malformed_ttls() {
    let (env, head) = ready();
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["agent", "show", "ghost"],
            vec!["no agent 'ghost' is registered", "gitcoord agent list"],
        ),
        (
            vec!["agent", "remove", "ghost"],
            vec!["no agent 'ghost' is registered"],
        ),
        (
            vec!["agent", "bind", "ghost"],
            vec!["no agent 'ghost' is registered"],
        ),
        (
            vec!["--agent", "ghost", "lock", "a"],
            vec!["agent 'ghost' (given with --agent) is not registered"],
        ),
        (
            vec!["agent", "add", "-x", "--branch", "b"],
            vec!["unexpected argument"],
        ),
        (
            vec!["agent", "add", "a b", "--branch", "b"],
            vec!["'a b' is not a valid agent id", "letters, digits"],
        ),
        (
            vec!["agent", "add", "a/b", "--branch", "b"],
            vec!["'a/b' is not a valid agent id"],
        ),
        (
            vec!["agent", "add", "ok", "--branch", "a..b"],
            vec!["'a..b' is not a valid branch name"],
        ),
        (
            vec!["agent", "add", "ok", "--branch", "refs/heads/main"],
            vec!["'refs/heads/main' is not a valid branch name"],
        ),
        (
            vec!["agent", "add", "ok", "--branch", "b", "--after", "ghost"],
            vec!["no agent 'ghost' is registered"],
        ),
        (
            vec!["lock", "a", "--ttl", "10x"],
            vec!["'10x' is not a duration", "90s, 10m, 1h30m or 2d"],
        ),
        (
            vec!["lock", "a", "--ttl", "0m"],
            vec!["'0m' is not a duration"],
        ),
        (
            vec!["lock", "a", "--ttl", "soon"],
            vec!["'soon' is not a duration"],
        ),
        (vec!["lock", "a", "--ttl="], vec!["'' is not a duration"]),
        (
            vec!["lock", "a", "--ttl", "0"],
            vec!["'0' is not a duration longer than zero"],
        ),
        (
            vec!["lock", "a", "--ttl", "999999999999999999"],
            vec!["'999999999999999999' is too long a duration"],
        ),
        (
            vec!["lock", "a", "--ttl", "99999999d"],
            vec!["the longest is 366d"],
        ),
    ];
    for (args, needles) in cases {
        let run = env.gc(&args);
        refused(&env, &head, &run, &needles);
    }
}

const CORRUPT_LOCKS: &str = "# gitcoord file locks\n[[lock]]\npattern = \"a.rs\"\nholder = \n";

#[test]
fn a_hand_corrupted_state_is_named_refused_and_recoverable() {
    let (env, _) = ready();
    env.gc(&["--agent", "alice", "lock", "a.rs"]).ok();
    let good = env.state_head().expect("state exists");
    let corrupt = Some(env.hand_edit_state("locks/.toml", CORRUPT_LOCKS));
    let short = &corrupt.as_deref().expect("a commit")[..10];
    let recover = format!("git update-ref refs/gitcoord/state {short}^");

    for args in [
        &["status"][..],
        &["locks"],
        &["whoami"],
        &["init"],
        &["--agent", "alice", "lock", "b.rs"],
        &["--agent", "alice", "unlock", "a.rs"],
    ] {
        let run = env.gc(args);
        refused(
            &env,
            &corrupt,
            &run,
            &[
                &format!("the state at {short} is corrupt"),
                "locks/.toml in the state is not valid",
                "line 4",
                "nothing was changed",
                &recover,
            ],
        );
    }
    // An operation that reads no lock works, and carries the bad file over untouched: the
    // halt must work even then.
    env.gc(&["halt", "--reason", "x"]).ok();
    assert_eq!(
        env.state_file("locks/.toml").as_deref(),
        Some(CORRUPT_LOCKS)
    );
    env.gc(&["resume"]).ok();
    env.git(&[
        "update-ref",
        STATE_REF,
        corrupt.as_deref().expect("a commit"),
    ])
    .ok();
    // The log still reads, so the bad commit can be found.
    let log = env.gc(&["log", "-n", "1"]);
    assert!(log.ok().contains("hand edit"), "{}", log.stdout);

    // The recovery the message gives works, and everything works again.
    env.git(&["update-ref", STATE_REF, "refs/gitcoord/state^"])
        .ok();
    assert_eq!(env.state_head().as_deref(), Some(good.as_str()));
    env.gc(&["--agent", "alice", "lock", "b.rs"]).ok();
    assert_eq!(env.json(&["locks"]).as_array().map(Vec::len), Some(2));
}

#[test]
fn a_state_holding_something_other_than_toml_is_refused() {
    let (env, _) = ready();
    let foreign = Some(env.hand_edit_state("notes.txt", "hello\n"));
    let run = env.gc(&["--agent", "alice", "lock", "a.rs"]);
    refused(
        &env,
        &foreign,
        &run,
        &[
            "holds 'notes.txt', which is not a TOML file",
            "git update-ref",
        ],
    );
    env.git(&["update-ref", STATE_REF, "refs/gitcoord/state^"])
        .ok();
    let newer = Some(env.hand_edit_state(
        "gitcoord.toml",
        "format = 99\ncreated = 2026-01-01T00:00:00Z\n",
    ));
    let run = env.gc(&["status"]);
    refused(
        &env,
        &newer,
        &run,
        &[
            "format 99, newer than this gitcoord understands",
            "upgrade gitcoord",
        ],
    );
    assert!(!run.stderr.contains("corrupt"), "{}", run.stderr);
    assert!(!run.stderr.contains("update-ref"), "{}", run.stderr);
}

#[test]
fn unknown_toml_files_survive_writes() {
    let (env, _) = ready();
    let extra = "# from a newer gitcoord\n[[task]]\nid = \"T1\"\n";
    env.hand_edit_state("tasks.toml", extra);
    env.hand_edit_state("from-a-newer-version/x1.toml", extra);
    env.gc(&["--agent", "alice", "lock", "a.rs"]).ok();
    assert_eq!(env.state_file("tasks.toml").as_deref(), Some(extra));
    assert_eq!(
        env.state_file("from-a-newer-version/x1.toml").as_deref(),
        Some(extra)
    );
    assert!(
        env.state_file("locks/.toml")
            .is_some_and(|t| t.contains("a.rs"))
    );
}

#[test]
fn reserved_ids_and_failed_spawns_leave_nothing_behind() {
    let (env, before) = ready();
    let run = env.gc(&["agent", "add", "all", "--branch", "feature/all"]);
    refused(&env, &before, &run, &["'all' is reserved"]);
    // main is checked out in the main worktree: git refuses, and no agent stays registered.
    let spare = env.root().join("wt-lead2");
    let run = env.gc(&[
        "spawn",
        "lead2",
        "--branch",
        "main",
        "--path",
        spare.to_str().expect("utf-8"),
    ]);
    run.code(2);
    assert!(
        run.stderr.contains("git worktree add failed"),
        "{}",
        run.stderr
    );
    let agents = env.json(&["agent", "list"]);
    assert!(!agents.to_string().contains("lead2"), "{agents}");
    // A path that exists is refused before anything is registered.
    std::fs::create_dir_all(&spare).expect("dir");
    let head = env.state_head();
    env.gc(&[
        "spawn",
        "lead3",
        "--branch",
        "feature/l3",
        "--path",
        spare.to_str().expect("utf-8"),
    ])
    .code(2);
    assert_eq!(env.state_head(), head, "nothing written");
}

#[test]
fn a_second_agent_on_a_branch_is_refused_so_identity_by_branch_names_one() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "a", "--branch", "fa", "--deny", "secret/**"])
        .ok();
    let run = env.gc(&["agent", "add", "z", "--branch", "fa"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("branch 'fa' is agent 'a's already"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("next: give the new agent a branch of its own"),
        "{}",
        run.stderr
    );
    let agents = env.json(&["agent", "list"]);
    assert_eq!(agents.as_array().map(Vec::len), Some(1), "{agents}");
}

#[test]
fn free_text_cannot_fake_lines_or_drive_the_terminal() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "a", "--branch", "fa"]).ok();
    env.gc(&["agent", "add", "b", "--branch", "fb"]).ok();
    // A field that is one line refuses a line break, and says which field.
    for args in [
        &["--agent", "a", "lock", "x.rs", "--reason", "one\nfake line"][..],
        &["halt", "--reason", "stop\nresume"][..],
        &["--agent", "a", "checkin", "--note", "ok\r\nfake"][..],
    ] {
        let run = env.gc(args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains("must be a single line"),
            "{}",
            run.stderr
        );
    }
    // Escapes and bidirectional overrides are stored as given, and never printed raw.
    let evil = "red\u{1b}[31m clear\u{1b}[2J \u{202e}txt.exe";
    env.gc(&["--agent", "a", "lock", "y.rs", "--reason", evil])
        .ok();
    env.gc(&[
        "--agent",
        "a",
        "msg",
        "send",
        "--to",
        "b",
        "--subject",
        evil,
    ])
    .ok();
    env.gc(&["halt", "--reason", evil]).ok();
    for args in [
        &["locks"][..],
        &["status"][..],
        &["log"][..],
        &["--agent", "b", "inbox"][..],
        &["--agent", "b", "brief"][..],
    ] {
        let run = env.gc(args);
        for out in [&run.stdout, &run.stderr] {
            assert!(
                !out.contains('\u{1b}') && !out.contains('\u{202e}'),
                "{args:?} printed raw: {out:?}"
            );
        }
        assert!(run.stdout.contains("red"), "{args:?}: {}", run.stdout);
    }
    // In --json the text is data: kept exactly, escaped by JSON.
    let locks = env.json(&["locks"]);
    let reasons: Vec<&str> = locks
        .as_array()
        .expect("locks")
        .iter()
        .filter_map(|l| l["reason"].as_str())
        .collect();
    assert_eq!(reasons, [evil]);
    // A refused commit shows it harmlessly too.
    env.write("z.rs", "z\n");
    env.git(&["add", "z.rs"]).ok();
    let run = env.git_env(
        &env.repo,
        &[("GITCOORD_AGENT", "b")],
        &["commit", "-qm", "z"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("red"), "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
}

#[test]
fn a_secret_typed_into_the_state_is_refused_before_it_is_written() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "a", "--branch", "fa"]).ok();
    env.gc(&["agent", "add", "b", "--branch", "fb"]).ok();
    // Built at run time: this file holds no token.
    let token = format!("ghp_{}", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8");
    let with = format!("deploy with {token}");
    let head = env.state_head();
    for args in [
        vec!["--agent", "a", "lock", "x.rs", "--reason", &with],
        vec!["halt", "--reason", &with],
        vec![
            "--agent",
            "a",
            "msg",
            "send",
            "--to",
            "b",
            "--subject",
            "creds",
            "--body",
            &with,
        ],
        vec!["--agent", "a", "memory", "set", "ops/deploy", &with],
        vec![
            "decision", "propose", "--title", &with, "--option", "x", "--option", "y",
        ],
    ] {
        let run = env.gc(&args);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(
            run.stderr
                .contains("would store a secret in the coordination state")
                && run.stderr.contains("[github-pat]")
                && run.stderr.contains("gitcoord:allow"),
            "{}",
            run.stderr
        );
        assert!(
            !run.stderr.contains(&token),
            "never printed whole: {}",
            run.stderr
        );
        assert_eq!(env.state_head(), head, "{args:?} wrote nothing");
    }
    // A line marked as no secret goes through; names and paths are not free text.
    let allowed = format!("{with} # gitcoord:allow");
    env.gc(&["--agent", "a", "memory", "set", "ops/deploy", &allowed])
        .ok();
    env.gc(&["--agent", "a", "lock", "x.rs"]).ok();
}

/// `spawn ID` takes a registered agent's branch, and spawning again reports the worktree
/// the agent has (exit 0, nothing written, hooks put back) rather than failing; a second
/// place for the same agent, or an unregistered agent without a branch, is refused.
#[test]
fn spawn_takes_the_registered_branch_and_is_idempotent() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "a", "--branch", "feature/a"]).ok();
    let wt = env.root().join("wt-a");
    let shown = wt.to_str().expect("utf-8");
    let first = env.json(&["spawn", "a", "--path", shown]);
    assert_eq!(first["branch"], "feature/a");
    assert_eq!(first["created"], true);
    let worktree = first["worktree"].as_str().expect("a worktree").to_owned();
    assert_eq!(
        env.git_in(&wt, &["branch", "--show-current"]).ok().trim(),
        "feature/a"
    );

    let head = env.state_head();
    let hooks = env.repo.join(".git/hooks/pre-commit");
    std::fs::remove_file(&hooks).expect("remove a shim");
    for again in [
        &["spawn", "a"][..],
        &["spawn", "a", "--path", shown],
        &["spawn", "a", "--branch", "feature/a"],
    ] {
        let run = env.gc(again);
        assert!(
            run.ok()
                .contains(&format!("a is spawned already: feature/a in {worktree}")),
            "{}",
            run.stdout
        );
    }
    assert_eq!(env.state_head(), head, "nothing written");
    assert!(hooks.exists(), "the shim is back");

    let elsewhere = env.root().join("wt-a2");
    let run = env.gc(&["spawn", "a", "--path", elsewhere.to_str().expect("utf-8")]);
    run.code(2);
    assert!(
        run.stderr.contains("already has its worktree at"),
        "{}",
        run.stderr
    );
    assert!(!elsewhere.exists());
    let run = env.gc(&["spawn", "a", "--branch", "feature/other"]);
    run.code(2);
    assert!(
        run.stderr.contains("registered on branch 'feature/a'"),
        "{}",
        run.stderr
    );

    let run = env.gc(&["spawn", "newcomer"]);
    run.code(2);
    assert!(
        run.stderr
            .contains("gitcoord spawn newcomer --branch feature/newcomer"),
        "{}",
        run.stderr
    );
    assert_eq!(env.state_head(), head, "nothing written");
}

/// One file, one owner: an `owns` glob that can match a path another agent owns is refused
/// at `agent add` (exit 2, nothing written) and reported by `plan check` at its line.
#[test]
fn overlapping_owns_are_refused_at_agent_add_and_in_a_plan() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&[
        "agent",
        "add",
        "sec",
        "--branch",
        "fs",
        "--owns",
        "src/auth/**",
    ])
    .ok();
    let head = env.state_head();
    for glob in ["src/**", "src/auth/login.rs", "src/*/login.rs"] {
        let run = env.gc(&["agent", "add", "web", "--branch", "fw", "--owns", glob]);
        run.code(2);
        assert!(
            run.stderr.contains(&format!(
                "'{glob}' overlaps 'src/auth/**', which agent 'sec' owns"
            )),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("gitcoord agent show sec"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(env.state_head(), head, "nothing written");
    env.gc(&[
        "agent",
        "add",
        "web",
        "--branch",
        "fw",
        "--owns",
        "src/web/**",
    ])
    .ok();

    env.write(
        "plan.toml",
        "version = 1\n[[agent]]\nid = \"a\"\nbranch = \"fa\"\nowns = [\"lib/**\"]\n\n[[agent]]\nid = \"b\"\nbranch = \"fb\"\nowns = [\"docs/**\", \"lib/core/**\"]\n",
    );
    let run = env.gc(&["plan", "check", "plan.toml"]);
    run.code(2);
    assert!(
        run.stderr
            .contains("plan.toml:10:20: 'lib/core/**' overlaps 'lib/**', which agent 'a' owns"),
        "{}",
        run.stderr
    );
}
