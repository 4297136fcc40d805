//! Secrets split across commits: a private key's BEGIN line in one commit, its body and END
//! line in the next. No commit's added lines hold the key, so each commit passes its
//! pre-commit hook; the pre-push hook, `check pr` and `scan --history`/`--range` also scan
//! the final content of the files a range changed, and find it there — once.

use crate::check_pr::json;
use crate::common::{Run, TestEnv};
use crate::push::push;

/// A PEM RSA private key assembled at run time, so neither this source nor its history
/// holds one: the armour lines around 25 lines of base64 from a fixed pseudo-random
/// sequence (the shape and length of a 2048-bit key). Returns the BEGIN line, and the body
/// with the END line.
fn split_key() -> (String, String) {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let armour = |side: &str| format!("-----{side} RSA {}-----\n", "PRIVATE KEY");
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut body = String::from("MIIEpAIBAAKCAQEA");
    for i in 16..25 * 64 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        body.push(char::from(B64[(state >> 58) as usize]));
        if (i + 1) % 64 == 0 {
            body.push('\n');
        }
    }
    (armour("BEGIN"), format!("{body}{}", armour("END")))
}

/// A repository with a bare `origin`, gitcoord's hooks installed and `main` pushed.
fn pushed_repo() -> TestEnv {
    let env = TestEnv::new();
    env.with_origin();
    env.gc(&["init"]).ok();
    env.git(&["push", "-q", "origin", "main"]).ok();
    env
}

/// Commits `text` as `file` (the pre-commit hook runs unless `extra` says otherwise).
fn commit(env: &TestEnv, file: &str, text: &str, extra: &[&str]) -> Run {
    env.write(file, text);
    env.git(&["add", file]).ok();
    let mut args = vec!["commit", "-q", "-m", file];
    args.extend_from_slice(extra);
    env.git(&args)
}

fn head(env: &TestEnv) -> String {
    env.git(&["rev-parse", "HEAD"]).ok().trim().to_owned()
}

/// The findings of `scan ARGS --format json` as (file, line, commit), and the exit code.
fn scanned(env: &TestEnv, args: &[&str]) -> (Vec<(String, u64, String)>, i32) {
    let mut full = vec!["scan", "--format", "json"];
    full.extend_from_slice(args);
    let run = env.gc(&full);
    let found = json(&run)
        .as_array()
        .expect("an array of findings")
        .iter()
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            (
                text("file"),
                f["line"].as_u64().unwrap_or(0),
                text("commit"),
            )
        })
        .collect();
    (found, run.code)
}

/// The rules and paths of `check pr --base main --head HEAD`'s violations.
fn check_pr(env: &TestEnv) -> Vec<(String, String)> {
    let args = ["check", "pr", "--base", "main", "--head", "HEAD"];
    let run = env.gc(&[&args[..], &["--format", "json"]].concat());
    json(&run)["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| {
            let text = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            (text("rule"), text("path"))
        })
        .collect()
}

#[test]
fn a_key_split_across_two_commits_is_refused_at_push_and_found_in_history_and_check_pr() {
    let env = pushed_repo();
    let (begin, rest) = split_key();
    env.git(&["checkout", "-q", "-b", "topic"]).ok();
    // Each commit passes its pre-commit hook: neither adds the whole key.
    commit(&env, "deploy/k.pem", &begin, &[]).ok();
    commit(&env, "deploy/k.pem", &format!("{begin}{rest}"), &[]).ok();
    let tip = head(&env);

    let refused = push(&env, &["topic"]);
    refused.code(1);
    assert!(
        refused.stderr.contains("push refused (1 violation)"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("deploy/k.pem:1:1: PEM private key"),
        "{}",
        refused.stderr
    );
    assert!(!refused.stderr.contains(&rest[..40]), "{}", refused.stderr);
    assert_ne!(
        env.git(&["ls-remote", "--exit-code", "origin", "topic"])
            .code,
        0
    );

    let (found, code) = scanned(&env, &["--history"]);
    assert_eq!(code, 1);
    assert_eq!(found, [("deploy/k.pem".to_owned(), 1, tip.clone())]);
    let (found, code) = scanned(&env, &["--range", "main..topic"]);
    assert_eq!(code, 1);
    assert_eq!(found, [("deploy/k.pem".to_owned(), 1, tip)]);
    assert_eq!(
        check_pr(&env),
        [("private-key".to_owned(), "deploy/k.pem".to_owned())]
    );
}

#[test]
fn a_key_split_across_two_pushes_is_refused_by_the_second() {
    let env = pushed_repo();
    let (begin, rest) = split_key();
    env.git(&["checkout", "-q", "-b", "topic"]).ok();
    commit(&env, "k.pem", &begin, &[]).ok();
    push(&env, &["topic"]).ok();
    // The range now holds only the body: the key is completed by lines it adds.
    commit(&env, "k.pem", &format!("{begin}{rest}"), &[]).ok();
    let refused = push(&env, &["topic"]);
    refused.code(1);
    assert!(refused.stderr.contains("k.pem:1:1:"), "{}", refused.stderr);
    let (found, _) = scanned(&env, &["--range", "origin/topic..topic"]);
    assert_eq!(found.len(), 1, "{found:?}");
}

#[test]
fn a_key_added_then_deleted_is_found_in_the_commit_that_added_it() {
    let env = pushed_repo();
    let (begin, rest) = split_key();
    env.git(&["checkout", "-q", "-b", "topic"]).ok();
    commit(&env, "k.pem", &format!("{begin}{rest}"), &["--no-verify"]).code(0);
    let added = head(&env);
    env.git(&["rm", "-q", "k.pem"]).ok();
    env.git(&["commit", "-q", "-m", "remove the key"]).ok();

    let (found, code) = scanned(&env, &["--history"]);
    assert_eq!(code, 1);
    assert_eq!(found, [("k.pem".to_owned(), 1, added)]);
    let refused = push(&env, &["topic"]);
    refused.code(1);
    assert!(
        refused.stderr.contains("push refused (1 violation)"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        check_pr(&env),
        [("private-key".to_owned(), "k.pem".to_owned())]
    );
}

#[test]
fn a_key_added_whole_is_reported_once() {
    let env = pushed_repo();
    let (begin, rest) = split_key();
    env.git(&["checkout", "-q", "-b", "topic"]).ok();
    // Whole in one commit, then the file changes around it and another file holds it whole.
    let key = format!("{begin}{rest}");
    let hook = commit(&env, "k.pem", &key, &[]);
    hook.code(1);
    assert!(hook.stderr.contains("k.pem:1:1:"), "{}", hook.stderr);
    commit(&env, "k.pem", &key, &["--no-verify"]).ok();
    let added = head(&env);
    commit(
        &env,
        "k.pem",
        &format!("# deploy key\n{key}"),
        &["--no-verify"],
    )
    .ok();
    commit(&env, "copy.pem", &key, &["--no-verify"]).ok();
    let copied = head(&env);

    let (found, code) = scanned(&env, &["--history"]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [
            ("copy.pem".to_owned(), 1, copied),
            ("k.pem".to_owned(), 1, added)
        ]
    );
    let refused = push(&env, &["topic"]);
    assert!(
        refused.stderr.contains("push refused (2 violations)"),
        "{}",
        refused.stderr
    );
    assert_eq!(check_pr(&env).len(), 2);
}

#[test]
fn suppressions_cover_a_split_key_and_a_key_older_than_the_range_is_not_reported() {
    let env = pushed_repo();
    let (begin, rest) = split_key();
    env.git(&["checkout", "-q", "-b", "topic"]).ok();
    let marked = begin.replace("-----\n", "----- gitcoord:allow\n");
    commit(&env, "a.pem", &marked, &[]).ok();
    commit(&env, "a.pem", &format!("{marked}{rest}"), &[]).ok();
    commit(&env, "b.pem", &begin, &[]).ok();
    commit(&env, "b.pem", &format!("{begin}{rest}"), &[]).ok();
    let report = env.gc(&["scan", "--history", "--format", "json"]);
    let found = json(&report);
    assert_eq!(
        found.as_array().map(Vec::len),
        Some(1),
        "only b.pem: {found}"
    );
    assert_eq!(found[0]["file"], "b.pem");

    // gitleaks' ignore file, by file, rule and line.
    env.write(".gitleaksignore", "b.pem:private-key:1\n");
    env.gc(&["scan", "--history"]).code(0);
    std::fs::remove_file(env.repo.join(".gitleaksignore")).expect("remove the ignore file");
    // gitcoord's, by fingerprint; the push honours it too.
    push(&env, &["topic"]).code(1);
    let fingerprint = found[0]["fingerprint"].as_str().expect("a fingerprint");
    env.write(".gitcoordignore", &format!("{fingerprint}\n"));
    env.gc(&["scan", "--history"]).code(0);
    push(&env, &["topic"]).ok();
    std::fs::remove_file(env.repo.join(".gitcoordignore")).expect("remove the ignore file");

    // A range is scanned for what it added to the files it changed, not for what they held.
    commit(
        &env,
        "b.pem",
        &format!("# rotated\n{begin}{rest}"),
        &["--no-verify"],
    )
    .ok();
    env.gc(&["scan", "--range", "HEAD~1..HEAD"]).code(0);
    env.gc(&["scan", "--range", "HEAD~2..HEAD"]).code(1);
}
