//! Hook managers (lefthook, the pre-commit framework, husky) with the real tools where they
//! are on PATH (`.ci/run` installs them), and a displaced shim never leaving enforcement
//! off silently.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Run, TestEnv, bin, run_of};

/// The tool `name` on PATH, or `None` with a message saying the test is skipped.
fn tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        println!("skipped: {name} is not on PATH (.ci/run installs it)");
    }
    found
}

/// PATH with the built gitcoord first: the managers run `gitcoord hook` from PATH.
fn path_with_gitcoord() -> String {
    let dir = bin()
        .parent()
        .expect("the binary has a directory")
        .to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let all = std::iter::once(dir).chain(std::env::split_paths(&rest));
    std::env::join_paths(all)
        .expect("PATH entries join")
        .into_string()
        .expect("PATH is UTF-8")
}

/// Runs the tool at `exe` in the repository, hermetic, with gitcoord on PATH.
fn run_tool(env: &TestEnv, exe: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(exe);
    env.hermetic(&mut cmd);
    cmd.env("PATH", path_with_gitcoord());
    run_of(
        cmd.args(args)
            .current_dir(&env.repo)
            .output()
            .expect("run the tool"),
    )
}

/// A real commit of a staged change (lefthook skips its pre-commit commands when nothing is
/// staged), with gitcoord on PATH.
fn commit(env: &TestEnv, extra: &[(&str, &str)], message: &str) -> Run {
    env.write("notes.txt", &format!("{message}\n"));
    env.git(&["add", "notes.txt"]).ok();
    let path = path_with_gitcoord();
    let mut envs = vec![("PATH", path.as_str())];
    envs.extend_from_slice(extra);
    env.git_env(&env.repo, &envs, &["commit", "-m", message])
}

const LEFTHOOK_YML: &str =
    "# the team's checks\npre-commit:\n  commands:\n    lint:\n      run: echo lint\n";

#[test]
fn lefthook_runs_gitcoord_after_its_install_runs_again() {
    let Some(lefthook) = tool("lefthook") else {
        return;
    };
    let env = TestEnv::new();
    env.write("lefthook.yml", LEFTHOOK_YML);
    run_tool(&env, &lefthook, &["install"]).ok();
    let init = env.gc(&["init"]);
    assert!(
        init.ok().contains("run: gitcoord hook pre-commit"),
        "{}",
        init.stdout
    );
    assert!(init.stderr.contains("NOT checked"), "{}", init.stderr);
    assert!(
        init.stderr
            .contains("gitcoord install --write && lefthook install")
    );
    let write = env.gc(&["install", "--write"]);
    assert!(
        write.ok().contains("wrote gitcoord's entries"),
        "{}",
        write.stdout
    );
    let yml = std::fs::read_to_string(env.repo.join("lefthook.yml")).expect("read");
    assert!(yml.contains("      run: echo lint\n"), "{yml}");
    assert!(yml.contains("gitcoord hook pre-push {1} {2}"), "{yml}");
    env.gc(&["install", "--write"]).ok();
    let again = std::fs::read_to_string(env.repo.join("lefthook.yml")).expect("read");
    assert_eq!(again, yml, "--write is idempotent");
    run_tool(&env, &lefthook, &["install"]).ok();
    run_tool(&env, &lefthook, &["install"]).ok();
    env.gc(&["halt", "--reason", "release freeze"]).ok();
    let refused = commit(&env, &[], "during the halt");
    assert_ne!(
        refused.code, 0,
        "lefthook runs gitcoord: {}",
        refused.stdout
    );
    assert!(refused.stdout.contains("halt") || refused.stderr.contains("halt"));
    commit(&env, &[("GITCOORD", "0")], "skipped knowingly").ok();
    let status = env.json(&["status"]);
    assert!(status["hooks_off"].is_null(), "{status}");
}

#[test]
fn a_shim_displaced_by_lefthook_is_reported_until_fixed() {
    let Some(lefthook) = tool("lefthook") else {
        return;
    };
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    // lefthook adopted after gitcoord: its install moves the shim to pre-commit.old.
    env.write("lefthook.yml", LEFTHOOK_YML);
    run_tool(&env, &lefthook, &["install"]).ok();
    assert!(env.repo.join(".git/hooks/pre-commit.old").exists());
    env.gc(&["halt", "--reason", "stop"]).ok();
    let status = env.gc(&["status"]);
    assert!(
        status.ok().contains("ENFORCEMENT OFF for pre-commit"),
        "{}",
        status.stdout
    );
    let doctor = env.gc(&["doctor"]);
    doctor.code(1);
    assert!(
        doctor
            .stdout
            .contains("gitcoord install --write && lefthook install")
    );
    // The fix it names, then lefthook's install again: the halt refuses the commit.
    env.gc(&["install", "--write"]).ok();
    run_tool(&env, &lefthook, &["install"]).ok();
    run_tool(&env, &lefthook, &["install"]).ok();
    assert_ne!(commit(&env, &[], "during the halt").code, 0);
    assert!(!env.gc(&["status"]).ok().contains("ENFORCEMENT OFF"));
}

const PRE_COMMIT_CONFIG: &str = "repos:\n  - repo: local\n    hooks:\n      - id: lint\n        name: lint\n        entry: \"true\"\n        language: system\n";

#[test]
fn the_pre_commit_framework_runs_gitcoord_after_its_install_runs_again() {
    let Some(pre_commit) = tool("pre-commit") else {
        return;
    };
    let env = TestEnv::new();
    env.write(".pre-commit-config.yaml", PRE_COMMIT_CONFIG);
    let install = ["install", "-f", "-t", "pre-commit", "-t", "pre-push"];
    run_tool(&env, &pre_commit, &install).ok();
    let init = env.gc(&["init"]);
    assert!(
        init.ok()
            .contains("entry: gitcoord hook pre-commit-framework"),
        "{}",
        init.stdout
    );
    assert!(init.stderr.contains("NOT checked"), "{}", init.stderr);
    env.gc(&["install", "--write"]).ok();
    let config = std::fs::read_to_string(env.repo.join(".pre-commit-config.yaml")).expect("r");
    assert!(config.starts_with(PRE_COMMIT_CONFIG), "{config}");
    assert!(config.contains("language: system"), "{config}");
    // The framework refuses to run with its configuration unstaged.
    env.git(&["add", ".pre-commit-config.yaml"]).ok();
    run_tool(&env, &pre_commit, &install).ok();
    run_tool(&env, &pre_commit, &install).ok();
    commit(&env, &[], "the framework runs gitcoord").ok();
    env.gc(&["halt", "--reason", "release freeze"]).ok();
    let refused = commit(&env, &[], "during the halt");
    assert_ne!(refused.code, 0, "{}{}", refused.stdout, refused.stderr);
    assert!(
        refused.stdout.contains("halt") || refused.stderr.contains("halt"),
        "{}{}",
        refused.stdout,
        refused.stderr
    );
    commit(&env, &[("GITCOORD", "0")], "skipped knowingly").ok();
    let status = env.json(&["status"]);
    assert!(status["hooks_off"].is_null(), "{status}");
}

#[test]
fn a_displaced_shim_is_said_in_status_doctor_and_once_an_hour_on_stderr() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    let hook = env.repo.join(".git/hooks/pre-commit");
    std::fs::write(&hook, "#!/bin/sh\nexit 0\n").expect("overwrite the shim");
    let status = env.gc(&["status"]);
    assert!(
        status.ok().contains("ENFORCEMENT OFF for pre-commit"),
        "{}",
        status.stdout
    );
    let json = env.json(&["status"]);
    assert_eq!(json["hooks_off"]["hooks"][0], "pre-commit", "{json}");
    assert!(
        json["hooks_off"]["fix"]
            .as_str()
            .is_some_and(|f| f.starts_with("gitcoord install"))
    );
    let doctor = env.gc(&["--json", "doctor"]);
    doctor.code(1);
    let report = crate::common::parse_json(&doctor.stdout);
    let off = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["check"] == "hooks" && f["ok"] == false)
        .expect("a failing hooks finding");
    assert!(
        off["detail"].as_str().is_some_and(|d| d.contains("OFF")),
        "{off}"
    );
    // Every other command warns on stderr, once within the hour, never in --json stdout.
    let first = env.gc(&["--json", "locks"]);
    assert!(
        first.stderr.contains("checks are OFF for pre-commit"),
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains("next: gitcoord install"),
        "{}",
        first.stderr
    );
    crate::common::parse_json(first.ok());
    let later = env.gc_at("2026-03-01T12:59:00Z", &["locks"]);
    assert!(
        !later.ok().is_empty() && !later.stderr.contains("OFF"),
        "{}",
        later.stderr
    );
    let hour = env.gc_at("2026-03-01T13:00:00Z", &["locks"]);
    assert!(hour.stderr.contains("OFF"), "{}", hour.stderr);
    // The hook itself stays quiet and fast: no warning there.
    let hook_run = env.gc_at("2026-03-01T15:00:00Z", &["hook", "pre-commit"]);
    assert!(!hook_run.stderr.contains("OFF"), "{}", hook_run.stderr);
    // The fix: install keeps the foreign hook, chained, and enforcement is back.
    env.gc(&["install"]).ok();
    env.gc(&["halt", "--reason", "stop"]).ok();
    assert_eq!(env.git(&["commit", "--allow-empty", "-m", "x"]).code, 1);
    assert!(!env.gc(&["status"]).ok().contains("OFF"));
    // Uninstalled on purpose is not "off".
    env.gc(&["uninstall"]).ok();
    let quiet = env.gc_at("2026-03-02T12:00:00Z", &["locks"]);
    assert!(!quiet.stderr.contains("OFF"), "{}", quiet.stderr);
}

#[test]
fn husky_init_creates_the_state_and_says_the_lines_to_add() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.repo.join(".husky/_")).expect("husky dir");
    env.write(".husky/pre-commit", "npm test\n");
    env.git(&["config", "core.hooksPath", ".husky/_"]).ok();
    let run = env.gc(&["init"]);
    assert!(
        run.ok()
            .contains("echo 'gitcoord hook pre-commit \"$@\"' >> .husky/pre-commit"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("warning: husky"), "{}", run.stderr);
    assert!(env.state_head().is_some(), "the state is created");
    assert!(
        !env.repo.join(".husky/_/pre-commit").exists(),
        "nothing written blindly"
    );
    env.gc(&["install", "--write"]).ok();
    let hook = std::fs::read_to_string(env.repo.join(".husky/pre-commit")).expect("read");
    assert_eq!(hook, "npm test\ngitcoord hook pre-commit \"$@\"\n");
    let confirm = env.gc(&["install"]);
    assert!(
        confirm.ok().contains(".husky runs `gitcoord hook`"),
        "{}",
        confirm.stdout
    );
    assert!(confirm.stderr.is_empty(), "{}", confirm.stderr);
}
