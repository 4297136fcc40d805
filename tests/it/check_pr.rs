//! `check pr` as CI runs it: every format, exit codes, and fetching the state.

use std::path::Path;

use crate::common::{Run, TestEnv};
use crate::push::{CLEANUP, DB, SEC, commit_on, push, three_leads};

fn check_pr(env: &TestEnv, dir: &Path, format: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "check", "pr", "--base", "main", "--head", DB, "--format", format,
    ];
    args.extend_from_slice(extra);
    env.gc_in(dir, &args)
}

pub(crate) fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn check_pr_reports_the_same_findings_in_every_format() {
    let (env, _remote) = three_leads();
    // Database edits security's file (skipping its hook) and comes before cleanup's work.
    commit_on(&env, CLEANUP, "src/imports.rs", "// tidy\n", &[]);
    commit_on(
        &env,
        DB,
        "config/security/policy.toml",
        "tls = false\n",
        &["--no-verify"],
    );
    let text = check_pr(&env, &env.repo, "text", &[]);
    text.code(1);
    assert!(
        text.stdout
            .contains("gitcoord: pull request refused (2 violations)"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("[boundary-owned]"));
    assert!(text.stdout.contains("[merge-order]"));
    // The commit is pushed: revert it (or move the change), never a local bypass.
    let culprit = env.git(&["rev-parse", DB]).stdout.trim().to_owned();
    assert!(
        text.stdout
            .contains(&format!("git revert {}", &culprit[..10])),
        "{}",
        text.stdout
    );
    for wrong in ["restore --staged", "GITCOORD"] {
        assert!(!text.stdout.contains(wrong), "{wrong}: {}", text.stdout);
    }

    let report = json(check_pr(&env, &env.repo, "json", &[]).code(1));
    let rules: Vec<&str> = report["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["rule"].as_str().expect("rule"))
        .collect();
    assert_eq!(rules, ["boundary-owned", "merge-order"]);
    assert_eq!(report["agent"], "db");
    assert_eq!(report["merge_order_checked"], true);

    let sarif = json(check_pr(&env, &env.repo, "sarif", &[]).code(1));
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().expect("schema").contains("sarif"));
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "gitcoord");
    assert!(run["tool"]["driver"]["informationUri"].is_string());
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    let first = &results[0];
    assert_eq!(first["ruleId"], "boundary-owned");
    assert_eq!(first["level"], "error");
    let location = &first["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "config/security/policy.toml"
    );
    assert_eq!(location["region"]["startLine"], 1);
    assert!(
        first["partialFingerprints"]
            .as_object()
            .is_some_and(|o| !o.is_empty())
    );
    for result in results {
        // GitHub code scanning rejects a log with any result that has no file.
        let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert!(uri.is_string(), "{result}");
    }
    let rule_ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert!(rule_ids.contains(&"boundary-owned") && rule_ids.contains(&"merge-order"));

    let gitlab = json(check_pr(&env, &env.repo, "gitlab", &[]).code(1));
    let issues = gitlab.as_array().expect("issues");
    assert_eq!(issues.len(), 2);
    assert_eq!(issues[0]["check_name"], "boundary-owned");
    assert_eq!(issues[0]["location"]["path"], "config/security/policy.toml");
    assert_eq!(issues[0]["location"]["lines"]["begin"], 1);
    assert!(issues[0]["fingerprint"].is_string() && issues[0]["severity"].is_string());

    let summary = env.root().join("summary.md");
    let summary_arg = summary.to_str().expect("utf-8 temp path");
    let github = env.gc_env(
        &env.repo,
        &[("GITHUB_STEP_SUMMARY", summary_arg)],
        &[
            "check", "pr", "--base", "main", "--head", DB, "--format", "github",
        ],
    );
    github.code(1);
    assert_eq!(github.stdout.matches("::error ").count(), 2);
    assert!(github.stdout.contains(
        "::error file=config/security/policy.toml,line=1,title=gitcoord boundary-owned::"
    ));
    let written = std::fs::read_to_string(&summary).expect("summary written");
    assert!(
        written.contains("2 violation(s) in 1 commit(s)"),
        "{written}"
    );

    check_pr(&env, &env.repo, "sarif", &["--exit-zero"]).code(0);
}

#[test]
fn check_pr_exit_codes_and_fetching_the_state() {
    let (env, remote) = three_leads();
    commit_on(
        &env,
        SEC,
        "config/security/policy.toml",
        "tls = true\n",
        &[],
    );
    let clean = env.gc(&["check", "pr", "--base", "main", "--head", SEC]);
    assert!(clean.ok().contains("ok: 1 commit(s)"));
    let bad = env.gc(&["check", "pr", "--base", "main", "--head", "no-such-branch"]);
    bad.code(2);
    assert!(
        bad.stderr
            .contains("'no-such-branch' does not name a commit"),
        "{}",
        bad.stderr
    );
    env.gc_in(&env.home, &["check", "pr", "--base", "main", "--head", SEC])
        .code(2);

    // A fresh clone, as CI has it, lacks the state ref; while the remote lacks it too,
    // check pr says how to fetch it and how to publish it.
    push(&env, &[SEC]).ok();
    let clone = env.root().join("ci");
    let remote_arg = remote.to_str().expect("utf-8 temp path");
    let clone_arg = clone.to_str().expect("utf-8 temp path");
    env.git_in(&env.root(), &["clone", "-q", remote_arg, clone_arg])
        .ok();
    let base = "origin/main";
    let head = format!("origin/{SEC}");
    let unpublished = env.gc_in(&clone, &["check", "pr", "--base", base, "--head", &head]);
    unpublished.code(2);
    for next in [
        "git fetch origin refs/gitcoord/state:refs/gitcoord/state",
        "publish it from a clone that has it: `gitcoord sync` (or `git push origin refs/gitcoord/state`)",
    ] {
        assert!(
            unpublished.stderr.contains(next),
            "{next}: {}",
            unpublished.stderr
        );
    }
    // Once published, check pr fetches it.
    push(&env, &["refs/gitcoord/state"]).ok();
    let ci = env.gc_in(
        &clone,
        &["check", "pr", "--base", base, "--head", &head, "--json"],
    );
    assert_eq!(json(&ci)["agent"], "sec", "{}", ci.stderr);
    ci.code(0);

    // Without a reachable remote, it says which command to run.
    let lonely = env.root().join("lonely");
    env.git_in(
        &env.root(),
        &["clone", "-q", remote_arg, lonely.to_str().expect("utf-8")],
    )
    .ok();
    env.git_in(
        &lonely,
        &["remote", "set-url", "origin", "/nonexistent/remote.git"],
    )
    .ok();
    let missing = env.gc_in(&lonely, &["check", "pr", "--base", base, "--head", &head]);
    missing.code(2);
    assert!(
        missing
            .stderr
            .contains("git fetch origin refs/gitcoord/state:refs/gitcoord/state"),
        "{}",
        missing.stderr
    );
}
