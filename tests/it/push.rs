//! Push enforcement end to end: a bare remote and the real `git push` firing the installed
//! pre-push hook (`check_pr.rs` runs the same checks as CI does).

use std::path::PathBuf;

use crate::check_pr::json;
use crate::common::{Run, TestEnv};

pub(crate) const SEC: &str = "feature/section-1a-security";
pub(crate) const CLEANUP: &str = "feature/section-1b-cleanup";
pub(crate) const DB: &str = "feature/section-1d-database";

/// The three leads on a repository with a bare `origin`: security owns `config/security/`,
/// cleanup comes after security, database after cleanup.
pub(crate) fn three_leads() -> (TestEnv, PathBuf) {
    let env = TestEnv::new();
    let remote = env.with_origin();
    env.gc(&["init"]).ok();
    let agents: [&[&str]; 3] = [
        &["sec", "--branch", SEC, "--owns", "config/security/**"],
        &["cleanup", "--branch", CLEANUP, "--after", "sec"],
        &["db", "--branch", DB, "--after", "cleanup"],
    ];
    for args in agents {
        let mut full = vec!["agent", "add"];
        full.extend_from_slice(args);
        env.gc(&full).ok();
    }
    env.write("config/app.toml", "debug = false\n");
    env.git(&["add", "."]).ok();
    env.git(&["commit", "-q", "-m", "app config"]).ok();
    env.git(&["push", "-q", "origin", "main"]).ok();
    (env, remote)
}

/// Commits `text` to `file` on `branch` (created from main), then returns to main.
pub(crate) fn commit_on(env: &TestEnv, branch: &str, file: &str, text: &str, extra: &[&str]) {
    if env.git(&["rev-parse", "--verify", "-q", branch]).code == 0 {
        env.git(&["checkout", "-q", branch]).ok();
    } else {
        env.git(&["checkout", "-q", "-b", branch, "main"]).ok();
    }
    env.write(file, text);
    env.git(&["add", file]).ok();
    let mut args = vec!["commit", "-q", "-m", file];
    args.extend_from_slice(extra);
    env.git(&args).ok();
    env.git(&["checkout", "-q", "main"]).ok();
}

pub(crate) fn leads_with_work() -> (TestEnv, PathBuf) {
    let (env, remote) = three_leads();
    commit_on(
        &env,
        SEC,
        "config/security/policy.toml",
        "tls = true\n",
        &[],
    );
    commit_on(&env, CLEANUP, "src/imports.rs", "// tidy\n", &[]);
    commit_on(&env, DB, "db/schema.sql", "create table t();\n", &[]);
    (env, remote)
}

pub(crate) fn merge(env: &TestEnv, branch: &str) {
    env.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        &format!("merge {branch}"),
        branch,
    ])
    .ok();
}

pub(crate) fn push(env: &TestEnv, args: &[&str]) -> Run {
    let mut full = vec!["push", "origin"];
    full.extend_from_slice(args);
    env.git(&full)
}

#[test]
fn merge_order_is_enforced_when_pushing_the_integration_branch() {
    let (env, _remote) = leads_with_work();
    merge(&env, DB);
    let refused = push(&env, &["main"]);
    refused.code(1);
    assert!(
        refused.stderr.contains(
            "main would merge db (feature/section-1d-database) before its predecessor cleanup"
        ),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("merge feature/section-1b-cleanup into main first")
    );

    // Cleanup and database merged, security never: refused, naming security.
    env.git(&["reset", "-q", "--hard", "origin/main"]).ok();
    merge(&env, CLEANUP);
    merge(&env, DB);
    let refused = push(&env, &["main"]);
    refused.code(1);
    assert!(
        refused.stderr.contains("predecessor sec"),
        "{}",
        refused.stderr
    );

    // All three in one push, but database before security: refused, merged "only later".
    env.git(&["reset", "-q", "--hard", "origin/main"]).ok();
    merge(&env, DB);
    merge(&env, SEC);
    merge(&env, CLEANUP);
    let refused = push(&env, &["main"]);
    refused.code(1);
    assert!(refused.stderr.contains("only later"), "{}", refused.stderr);

    // The declared order passes, in one push or one at a time.
    env.git(&["reset", "-q", "--hard", "origin/main"]).ok();
    merge(&env, SEC);
    merge(&env, CLEANUP);
    push(&env, &["main"]).ok();
    merge(&env, DB);
    push(&env, &["main"]).ok();
}

#[test]
fn a_commit_made_with_no_verify_is_refused_at_push() {
    let (env, _remote) = three_leads();
    env.gc(&[
        "--agent",
        "sec",
        "lock",
        "config/app.toml",
        "--reason",
        "rotating keys",
    ])
    .ok();
    // The pre-commit hook refuses it; --no-verify skips the hook, the push catches it.
    env.git(&["checkout", "-q", "-b", DB]).ok();
    env.write("config/app.toml", "debug = true\n");
    env.git(&["commit", "-q", "-am", "debug on"]).code(1);
    env.git(&["commit", "-q", "--no-verify", "-am", "debug on"])
        .ok();
    env.write("db/schema.sql", "create table t();\n");
    env.git(&["add", "db"]).ok();
    env.git(&["commit", "-q", "-m", "schema"]).ok();
    let refused = push(&env, &[DB]);
    refused.code(1);
    assert!(
        refused
            .stderr
            .contains("gitcoord: push refused (1 violation)"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("config/app.toml: locked by sec"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("gitcoord msg send --to sec"),
        "{}",
        refused.stderr
    );
    // The remote did not get the branch; GITCOORD_SKIP lets it through, and says so.
    assert_ne!(env.git(&["ls-remote", "--exit-code", "origin", DB]).code, 0);
    // By hand, `check pre-push` checks the current branch as a push would.
    let by_hand = env.gc(&["check", "pre-push"]);
    by_hand.code(1);
    assert!(
        by_hand.stdout.contains("locked by sec"),
        "{}",
        by_hand.stdout
    );
    // The pre-commit framework's pre-push stage passes the range in its environment.
    let tip = env.git(&["rev-parse", DB]).ok().trim().to_owned();
    let base = env.git(&["rev-parse", "main"]).ok().trim().to_owned();
    let local_ref = format!("refs/heads/{DB}");
    let framework = env.gc_env(
        &env.repo,
        &[
            ("PRE_COMMIT_REMOTE_NAME", "origin"),
            ("PRE_COMMIT_LOCAL_BRANCH", &local_ref),
            ("PRE_COMMIT_REMOTE_BRANCH", &local_ref),
            ("PRE_COMMIT_FROM_REF", &base),
            ("PRE_COMMIT_TO_REF", &tip),
        ],
        &["hook", "pre-commit-framework"],
    );
    framework.code(1);
    assert!(
        framework.stderr.contains("config/app.toml: locked by sec"),
        "{}",
        framework.stderr
    );
    let mut cmd = std::process::Command::new("git");
    env.hermetic(&mut cmd);
    let out = cmd
        .args(["push", "-q", "origin", DB])
        .env("GITCOORD_SKIP", "locks")
        .current_dir(&env.repo)
        .output()
        .expect("run git push");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("skipping the locks check"));
}

#[test]
fn new_branches_tags_and_deletions_push() {
    let (env, _remote) = three_leads();
    commit_on(&env, "topic", "notes.md", "notes\n", &[]);
    push(&env, &["topic"]).ok();
    env.git(&["tag", "-a", "v1", "-m", "v1"]).ok();
    env.git(&["tag", "light"]).ok();
    push(&env, &["v1", "light"]).ok();
    commit_on(&env, "topic", "notes.md", "more notes\n", &[]);
    push(&env, &["+topic"]).ok();
    push(&env, &["--delete", "topic"]).ok();
    let remote_refs = env.git(&["ls-remote", "origin"]);
    assert!(remote_refs.ok().contains("refs/tags/v1"));
    assert!(!remote_refs.stdout.contains("refs/heads/topic"));

    // While halted, every push is refused, a deletion included.
    env.gc(&["halt", "--reason", "incident"]).ok();
    let refused = push(&env, &["--delete", "light"]);
    refused.code(1);
    assert!(refused.stderr.contains("halted"), "{}", refused.stderr);
    env.gc(&["resume"]).ok();
    push(&env, &["--delete", "light"]).ok();
}

#[test]
fn a_halted_repository_still_publishes_its_state() {
    let (env, _remote) = three_leads();
    commit_on(&env, "topic", "notes.md", "notes\n", &[]);
    env.gc(&["halt", "--reason", "incident"]).ok();
    let local_state = || {
        env.git(&["rev-parse", "refs/gitcoord/state"])
            .ok()
            .trim()
            .to_owned()
    };
    let remote_state = || {
        env.git(&["ls-remote", "origin", "refs/gitcoord/state"])
            .ok()
            .split_whitespace()
            .next()
            .map(str::to_owned)
    };

    // The halt itself reaches the remote, whoever pushes it.
    push(&env, &["refs/gitcoord/state"]).ok();
    assert_eq!(remote_state(), Some(local_state()));
    env.gc(&["halt", "--reason", "incident, still"]).ok();
    env.git_env(
        &env.repo,
        &[("GITCOORD_AGENT", "nobody")],
        &["push", "-q", "origin", "refs/gitcoord/state"],
    )
    .ok();
    assert_eq!(remote_state(), Some(local_state()));
    // So do wave snapshots.
    env.git(&["update-ref", "refs/gitcoord/snapshots/W0/sec", "main"])
        .ok();
    push(&env, &["refs/gitcoord/snapshots/W0/sec"]).ok();

    // A branch is still refused, alone or pushed together with the state.
    let refused = push(&env, &["topic"]);
    refused.code(1);
    assert!(refused.stderr.contains("halted"), "{}", refused.stderr);
    let published = local_state();
    env.gc(&["halt", "--reason", "incident, again"]).ok();
    let mixed = push(&env, &["topic", "refs/gitcoord/state"]);
    mixed.code(1);
    assert!(
        mixed.stderr.contains("push refused (1 violation)") && mixed.stderr.contains("halted"),
        "{}",
        mixed.stderr
    );
    assert_ne!(
        env.git(&["ls-remote", "--exit-code", "origin", "topic"])
            .code,
        0
    );
    // git pushed nothing of it: the remote keeps the state it had.
    assert_eq!(remote_state(), Some(published));

    // Deleting the state on the remote is not refused either.
    push(&env, &["--delete", "refs/gitcoord/state"]).ok();
    assert_eq!(remote_state(), None);
}

#[test]
fn the_integration_branch_defaults_to_main_and_can_be_set() {
    let (env, _remote) = three_leads();
    let shown = env.gc(&["integration"]);
    assert!(
        shown.ok().contains("integration branch: main"),
        "{}",
        shown.stdout
    );
    assert!(
        shown
            .stdout
            .contains("1. sec on feature/section-1a-security")
    );
    assert!(
        shown
            .stdout
            .contains("3. db on feature/section-1d-database  (after cleanup)")
    );
    env.gc(&["integration", "develop"]).ok();
    let set = env.gc(&["--json", "integration"]);
    assert_eq!(json(&set)["branch"], "develop");
    // Merge order now applies to develop, not main.
    commit_on(&env, DB, "db/schema.sql", "create table t();\n", &[]);
    merge(&env, DB);
    push(&env, &["main"]).ok();
    env.gc(&["integration", "--unset"]).ok();
    assert!(
        env.gc(&["integration"])
            .ok()
            .contains("integration branch: main")
    );
}

#[test]
fn a_secret_committed_with_no_verify_is_refused_at_push_and_in_check_pr() {
    let (env, _remote) = three_leads();
    let token = format!("ghp_{}", "Zt7Qm2Wk9Lx4Rb8Nc3Vd6Hf1Jg5Ps0Ya7Ue3");
    env.git(&["checkout", "-q", "-b", CLEANUP]).ok();
    env.write("src/client.py", &format!("TOKEN = \"{token}\"\n"));
    env.git(&["add", "src/client.py"]).ok();
    let hook = env.git(&["commit", "-q", "-m", "client"]);
    hook.code(1);
    assert!(!hook.stderr.contains(&token), "{}", hook.stderr);
    env.git(&["commit", "-q", "--no-verify", "-m", "client"])
        .ok();
    let refused = push(&env, &[CLEANUP]);
    refused.code(1);
    assert!(refused.stderr.contains("github-pat"), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("src/client.py:1:"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains(&token),
        "the secret leaked: {}",
        refused.stderr
    );
    assert_ne!(
        env.git(&["ls-remote", "--exit-code", "origin", CLEANUP])
            .code,
        0
    );
    let pr = env.gc(&[
        "check", "pr", "--base", "main", "--head", CLEANUP, "--format", "json",
    ]);
    pr.code(1);
    assert!(!pr.stdout.contains(&token));
    let v = json(&pr);
    let rules: Vec<&str> = v["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter_map(|x| x["rule"].as_str())
        .collect();
    assert!(rules.contains(&"github-pat"), "{rules:?}");
    // Skipping the check says so, and lets the push through.
    let skipped = env.git_env(
        &env.repo,
        &[("GITCOORD_SKIP", "secrets")],
        &["push", "-q", "origin", CLEANUP],
    );
    skipped.ok();
    assert!(
        skipped.stderr.contains("skipping the secrets check"),
        "{}",
        skipped.stderr
    );
}

#[test]
fn commits_pushed_on_the_integration_branch_are_checked_as_their_agent() {
    let (env, _remote) = three_leads();
    let policy = "config/security/policy.toml";
    env.gc(&["--agent", "sec", "lock", policy, "--ttl", "8h"])
        .ok();
    // sec edits the file it owns and holds; cleanup works elsewhere. The lead merges both
    // into main: every commit is judged as the agent whose branch holds it, so sec's own
    // lock does not block sec's commit.
    commit_on(&env, SEC, policy, "tls = true\n", &[]);
    commit_on(&env, CLEANUP, "src/imports.rs", "// tidy\n", &[]);
    merge(&env, SEC);
    merge(&env, CLEANUP);
    push(&env, &["main"]).ok();

    // cleanup, skipping its own hook, edits sec's locked file; merged into main, the push
    // is refused for that commit.
    env.git(&["checkout", "-q", CLEANUP]).ok();
    env.git(&["merge", "-q", "--ff-only", "main"]).ok();
    env.git(&["checkout", "-q", "main"]).ok();
    commit_on(&env, CLEANUP, policy, "tls = false\n", &["--no-verify"]);
    merge(&env, CLEANUP);
    let refused = push(&env, &["main"]);
    refused.code(1);
    assert!(
        refused
            .stderr
            .contains("config/security/policy.toml: locked by sec"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("owned by sec"),
        "{}",
        refused.stderr
    );
    // The change is committed: the next steps say how to fix the commit, not the index,
    // and on a developer's machine how to skip; in CI (`CI=true`) never a local bypass.
    let culprit = env.git(&["rev-parse", CLEANUP]).stdout.trim().to_owned();
    for step in [
        format!("git rebase -i {}~1", &culprit[..10]),
        "GITCOORD=0".to_owned(),
    ] {
        assert!(refused.stderr.contains(&step), "{step}: {}", refused.stderr);
    }
    assert!(
        !refused.stderr.contains("restore --staged"),
        "{}",
        refused.stderr
    );
    let in_ci = env.git_env(&env.repo, &[("CI", "true")], &["push", "origin", "main"]);
    in_ci.code(1);
    assert!(in_ci.stderr.contains("git rebase -i"), "{}", in_ci.stderr);
    assert!(!in_ci.stderr.contains("GITCOORD"), "{}", in_ci.stderr);
}

/// A push of many refs at once (every tag, a mirror) is walked once per exclusion, not
/// once per ref, and each ref is still judged as its own: a branch's commit that touches a
/// lock is refused as its agent's, whatever is pushed beside it.
#[test]
fn a_push_of_a_thousand_refs_is_one_walk_and_still_judges_each_ref() {
    use std::os::unix::fs::PermissionsExt;
    let (env, _remote) = three_leads();
    env.gc(&["--agent", "sec", "lock", "config/app.toml"]).ok();
    commit_on(&env, CLEANUP, "src/imports.rs", "// tidy\n", &[]);
    commit_on(
        &env,
        DB,
        "config/app.toml",
        "debug = true\n",
        &["--no-verify"],
    );
    let main = env.git(&["rev-parse", "main"]).ok().trim().to_owned();
    let tags: String = (0..1000)
        .map(|i| format!("create refs/tags/t{i} {main}\n"))
        .collect();
    env.git_stdin(&["update-ref", "--stdin"], &tags);

    let refused = push(&env, &["--tags", CLEANUP, DB]);
    refused.code(1);
    let db_tip = env
        .git(&["rev-parse", "--short=10", DB])
        .ok()
        .trim()
        .to_owned();
    assert!(
        refused
            .stderr
            .contains(&format!("{db_tip} config/app.toml: locked by sec")),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains("src/imports.rs"),
        "{}",
        refused.stderr
    );

    // The hook's git processes, counted by a `git` that logs each before running git.
    let bin = env.root().join("counting-bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    let log = env.root().join("git-calls.log");
    let script = format!(
        "#!/bin/sh\necho \"$1\" >>'{}'\nexec '{}' \"$@\"\n",
        log.display(),
        crate::sync::real_git().display()
    );
    std::fs::write(bin.join("git"), script).expect("write the git wrapper");
    std::fs::set_permissions(bin.join("git"), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").expect("PATH"));
    let zero = "0".repeat(40);
    let mut lines: String = (0..1000)
        .map(|i| format!("refs/tags/t{i} {main} refs/tags/t{i} {zero}\n"))
        .collect();
    for branch in [CLEANUP, DB] {
        let tip = env.git(&["rev-parse", branch]).ok().trim().to_owned();
        lines.push_str(&format!(
            "refs/heads/{branch} {tip} refs/heads/{branch} {zero}\n"
        ));
    }
    let mut cmd = env.gc_command(&["hook", "pre-push", "origin", "file:///origin"]);
    cmd.env("PATH", path).stdin(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn the hook");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), lines.as_bytes())
        .expect("write the updates");
    let hook = crate::common::run_of(child.wait_with_output().expect("run the hook"));
    hook.code(1);
    assert!(hook.stderr.contains("locked by sec"), "{}", hook.stderr);
    let calls = std::fs::read_to_string(&log).expect("the wrapper ran");
    let walks = calls.lines().filter(|c| *c == "rev-list").count();
    assert!(
        walks <= 4,
        "{walks} rev-list processes for 1,002 updates:\n{calls}"
    );

    push(&env, &["--tags", CLEANUP]).ok();
    let remote = env
        .git(&["ls-remote", "--tags", "origin"])
        .ok()
        .lines()
        .count();
    assert_eq!(remote, 1000);
}
