//! Messages end to end: `msg send`, `inbox`, `msg ack` from linked worktrees, in text and
//! `--json`; the hint of a refused commit run as printed; bad input; pruning.

use std::path::Path;
use std::process::Command;

use crate::common::{TestEnv, bin, run_of, write_in};

/// A repository with agents `a` and `b`, `b` spawned in its own worktree.
fn pair() -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new();
    env.write("src/shared.rs", "fn shared() {}\n");
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "files"]).ok();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "a", "--branch", "feature/a"]).ok();
    env.gc(&["agent", "add", "b", "--branch", "feature/b"]).ok();
    let b = env.root().join("wt-b");
    let shown = b.to_str().expect("utf-8");
    env.gc(&["spawn", "b", "--branch", "feature/b", "--path", shown])
        .ok();
    (env, b)
}

/// `FROM` sends `SUBJECT` to `TO`.
fn send(env: &TestEnv, from: &str, to: &str, subject: &str) {
    let args = [
        "--agent",
        from,
        "msg",
        "send",
        "--to",
        to,
        "--subject",
        subject,
    ];
    env.gc(&args).ok();
}

/// The ids of the messages an `inbox --json` listed.
fn ids(inbox: &serde_json::Value) -> Vec<&str> {
    let list = inbox["messages"].as_array().expect("a list");
    list.iter()
        .map(|m| m["id"].as_str().expect("an id"))
        .collect()
}

#[test]
fn send_inbox_ack_between_worktrees() {
    let (env, b) = pair();
    let sent = env.json(&[
        "--agent",
        "a",
        "msg",
        "send",
        "--to",
        "b",
        "--subject",
        "please release src/shared.rs",
        "--body",
        "I need it for the refactor.\nThanks!",
        "--requires-response",
    ]);
    assert_eq!(sent["id"], "m1", "{sent}");
    send(&env, "a", "all", "standup at 3");

    // In b's worktree, b is the acting agent with no flag.
    let inbox = env.json_in(&b, &["inbox"]);
    assert_eq!(inbox["reader"], "b");
    assert_eq!(ids(&inbox), ["m1", "m2"]);
    assert_eq!(inbox["messages"][0]["requires_response"], true);
    let text = env.gc_in(&b, &["inbox"]);
    assert!(text.ok().contains("m1    a -> b"), "{}", text.stdout);
    assert!(text.stdout.contains("| Thanks!"), "{}", text.stdout);
    assert!(text.stdout.contains("[answer by "), "{}", text.stdout);
    // The sender of a message to all does not get it back.
    let own = env.json(&["--agent", "a", "inbox"]);
    assert_eq!(own["messages"].as_array().map(Vec::len), Some(0), "{own}");

    env.gc_in(&b, &["msg", "ack", "m1"]).ok();
    let reply = env.json_in(
        &b,
        &[
            "msg",
            "send",
            "--to",
            "a",
            "--reply-to",
            "m1",
            "--subject",
            "released",
        ],
    );
    assert_eq!(reply["id"], "m3");
    let inbox = env.json_in(&b, &["inbox"]);
    assert_eq!(
        inbox["messages"].as_array().map(Vec::len),
        Some(1),
        "{inbox}"
    );
    let a_inbox = env.json(&["--agent", "a", "inbox"]);
    assert_eq!(a_inbox["messages"][0]["reply_to"], "m1", "{a_inbox}");

    // Everything kept, with who acknowledged; status lists what is unacknowledged.
    let all = env.gc(&["inbox", "--all"]);
    assert!(all.ok().contains("acknowledged by b"), "{}", all.stdout);
    let status = env.gc(&["status"]);
    assert!(
        status.ok().contains("messages (2 unacknowledged)"),
        "{}",
        status.stdout
    );
    let file = env
        .state_file("messages/m1.toml")
        .expect("messages/m1.toml");
    assert!(file.contains("acked_by = [\"b\"]"), "{file}");
    let log = env.gc(&["log"]);
    assert!(log.ok().contains("acknowledge m1 by b"), "{}", log.stdout);
}

/// The hint line of a refused commit, as a shell would run it, with gitcoord on PATH.
fn run_hint(env: &TestEnv, dir: &Path, line: &str) -> crate::common::Run {
    let command = line.split('#').next().expect("a line").trim();
    let mut cmd = Command::new("sh");
    env.hermetic(&mut cmd);
    let bin_dir = bin().parent().expect("a bin dir").to_path_buf();
    let path = std::env::var("PATH").unwrap_or_default();
    cmd.current_dir(dir)
        .env("PATH", format!("{}:{path}", bin_dir.display()))
        .args(["-c", command]);
    run_of(cmd.output().expect("sh runs"))
}

#[test]
fn the_hint_of_a_refused_commit_reaches_the_holder() {
    let (env, b) = pair();
    env.gc(&["--agent", "a", "lock", "src/shared.rs"]).ok();
    write_in(&b, "src/shared.rs", "fn shared() { 2 }\n");
    let run = env.git_in(&b, &["commit", "-qam", "edit"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let hint = run
        .stderr
        .lines()
        .find(|l| l.contains("gitcoord msg send"))
        .expect("the refusal says how to ask the holder");
    run_hint(&env, &b, hint).ok();
    let inbox = env.json(&["--agent", "a", "inbox"]);
    assert_eq!(inbox["messages"][0]["from"], "b", "{inbox}");
    assert_eq!(
        inbox["messages"][0]["subject"], "please release src/shared.rs",
        "{inbox}"
    );
}

#[test]
fn bad_messages_are_refused_and_write_nothing() {
    let (env, b) = pair();
    send(&env, "a", "b", "hi");
    let head = env.state_head();
    for (args, want) in [
        (
            &["msg", "send", "--to", "carol", "--subject", "x"][..],
            "no agent 'carol'",
        ),
        (
            &["msg", "send", "--to", "b", "--subject", "two\nlines"],
            "a single line of text",
        ),
        (
            &["msg", "send", "--to", "b", "--subject", ""],
            "a single line of text",
        ),
        (
            &[
                "msg",
                "send",
                "--to",
                "b",
                "--subject",
                "x",
                "--reply-to",
                "m7",
            ],
            "no message 'm7'",
        ),
        (
            &["msg", "send", "--to", "user:", "--subject", "x"],
            "names no user",
        ),
        (&["msg", "ack", "m9"], "no message 'm9'"),
    ] {
        let run = env.gc_in(&b, args);
        run.code(2);
        assert!(run.stderr.contains(want), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("next:"), "{args:?}: {}", run.stderr);
    }
    // m1 is b's, not a's to acknowledge.
    let run = env.gc(&["--agent", "a", "msg", "ack", "m1"]);
    run.code(2);
    assert!(run.stderr.contains("is for b, not for a"), "{}", run.stderr);
    assert_eq!(env.state_head(), head, "nothing was written");
}

#[test]
fn acknowledged_messages_are_dropped_after_a_week_and_ids_never_reused() {
    let (env, b) = pair();
    send(&env, "a", "b", "one");
    env.gc_in(&b, &["msg", "ack", "m1"]).ok();
    let later = env.gc_at(
        "2026-03-09T12:00:00Z",
        &[
            "--agent",
            "a",
            "msg",
            "send",
            "--to",
            "user:lead",
            "--subject",
            "two",
        ],
    );
    assert!(later.ok().contains("message m2"), "{}", later.stdout);
    assert!(
        later.stdout.contains("dropped 1 message(s)"),
        "{}",
        later.stdout
    );
    let all = env.json(&["inbox", "--all"]);
    assert_eq!(ids(&all), ["m2"]);
    // The lead, an unbound user, reads what was sent to user:lead.
    let lead = env.json(&["inbox"]);
    assert_eq!(lead["reader"], "user:lead");
    assert_eq!(lead["messages"][0]["subject"], "two", "{lead}");
}

#[test]
fn an_unanswered_question_becomes_overdue_until_a_recipient_answers() {
    let (env, b) = pair();
    let a = env.worktree("wt-a", "feature/a");
    env.gc_in(&a, &["agent", "bind", "a"]).ok();
    env.write(
        "question.txt",
        "Is the schema final?\nThe frontend waits on it.\n",
    );
    let t0 = "2026-03-01T10:00:00Z";
    let ask = [
        "msg",
        "send",
        "--to",
        "b",
        "--subject",
        "schema final?",
        "--body-file",
    ];
    let mut args = ask.to_vec();
    let body = env.repo.join("question.txt");
    args.push(body.to_str().expect("utf-8"));
    args.extend(["--requires-response", "--within", "1h"]);
    env.gc_env(&a, &[("GITCOORD_NOW", t0)], &args).ok();
    let inbox = env.gc_env(&b, &[("GITCOORD_NOW", t0)], &["inbox"]);
    assert!(
        inbox.ok().contains("[answer by 2026-03-01 11:00Z]"),
        "{}",
        inbox.stdout
    );
    assert!(
        inbox.stdout.contains("| The frontend waits on it."),
        "{}",
        inbox.stdout
    );
    // Two hours later it is overdue, on the one screen.
    let later = "2026-03-01T12:00:00Z";
    let status = env.gc_at(later, &["status"]);
    assert!(
        status.ok().contains("OVERDUE answers (1)"),
        "{}",
        status.stdout
    );
    let v = crate::common::parse_json(env.gc_at(later, &["--json", "status"]).ok());
    assert_eq!(v["overdue"][0]["id"], "m1");
    let brief = env.gc_at(later, &["brief"]);
    assert!(
        brief.ok().contains("overdue answers:\n  - m1 a -> b"),
        "{}",
        brief.stdout
    );
    let doctor = env.gc_at(later, &["doctor"]);
    doctor.code(1);
    assert!(
        doctor
            .stdout
            .contains("m1 from a to b is unanswered past its deadline"),
        "{}",
        doctor.stdout
    );
    // Someone outside the thread cannot answer it; its recipient can.
    env.gc(&["agent", "add", "c", "--branch", "feature/c"]).ok();
    let run = env.gc_at(
        later,
        &[
            "--agent",
            "c",
            "msg",
            "send",
            "--to",
            "a",
            "--reply-to",
            "m1",
            "--subject",
            "me?",
        ],
    );
    run.code(2);
    assert!(
        run.stderr.contains("only they can answer it"),
        "{}",
        run.stderr
    );
    env.gc_env(
        &b,
        &[("GITCOORD_NOW", later)],
        &[
            "msg",
            "send",
            "--to",
            "a",
            "--reply-to",
            "m1",
            "--subject",
            "yes, final",
        ],
    )
    .ok();
    let status = env.gc_at(later, &["status"]);
    assert!(!status.ok().contains("OVERDUE"), "{}", status.stdout);
    let doctor = env.gc_at(later, &["doctor"]);
    assert!(!doctor.stdout.contains("unanswered"), "{}", doctor.stdout);
    let thread = env.gc_at(later, &["msg", "show", "m2"]);
    let out = thread.ok();
    let (first, second) = (out.find("m1 ").expect("m1"), out.find("m2 ").expect("m2"));
    assert!(first < second, "oldest first: {out}");
    assert!(out.contains("[answered in m2]"), "{out}");
    env.gc(&["msg", "show", "m9"]).code(2);
    // What a send prints back never carries a terminal escape.
    let run = env.gc(&[
        "--agent",
        "a",
        "msg",
        "send",
        "--to",
        "b",
        "--subject",
        "e\u{1b}[2Jz",
    ]);
    assert!(!run.ok().contains('\u{1b}'), "{:?}", run.stdout);
    let run = env.gc(&["--agent", "a", "handoff", "--to", "all", "--note", "n"]);
    run.code(2);
    assert!(run.stderr.contains("pass --to AGENT"), "{}", run.stderr);
    env.gc(&[
        "--agent",
        "a",
        "msg",
        "send",
        "--to",
        "b",
        "--subject",
        "x",
        "--within",
        "1h",
    ])
    .code(2);
}
