//! The state store and the core commands, end to end: init, agents, checkin, halt, status
//! and log, in text and `--json`, from the main worktree and from a linked worktree.

use crate::common::{STATE_REF, TestEnv};

/// An environment with the state created and two agents registered.
fn with_agents() -> TestEnv {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&[
        "agent",
        "add",
        "alice",
        "--branch",
        "feature/a",
        "--role",
        "backend",
    ])
    .ok();
    env.gc(&["agent", "add", "bob", "--branch", "feature/b"])
        .ok();
    env
}

#[test]
fn init_is_idempotent_and_tree_holds_only_toml() {
    let env = TestEnv::new();
    assert_eq!(env.state_head(), None);
    let first = env.gc(&["init"]);
    assert!(first.ok().contains(STATE_REF), "{}", first.stdout);
    let head = env.state_head();
    let again = env.gc(&["init"]);
    assert!(again.ok().contains("already exists"));
    assert_eq!(env.state_head(), head, "a second init writes nothing");
    let json = env.json(&["init"]);
    assert!(
        json["message"]
            .as_str()
            .is_some_and(|m| m.contains("already exists"))
    );

    env.gc(&["agent", "add", "alice", "--branch", "feature/a"])
        .ok();
    env.gc(&["--agent", "alice", "lock", "src/a.rs"]).ok();
    env.gc(&["halt", "--reason", "release freeze"]).ok();
    let tree = env.git(&["ls-tree", "-r", "refs/gitcoord/state"]);
    let names: Vec<&str> = tree
        .ok()
        .lines()
        .map(|line| {
            assert!(line.starts_with("100644 blob "), "{line}");
            line.rsplit('\t').next().expect("ls-tree lines have a name")
        })
        .collect();
    assert_eq!(
        names,
        [
            "agents/alice.toml",
            "gitcoord.toml",
            "halt.toml",
            "locks/src.toml"
        ]
    );
    let meta = env.state_file("gitcoord.toml").expect("gitcoord.toml");
    assert!(meta.contains("format = 2"), "{meta}");
    let locks = env
        .state_file("locks/src.toml")
        .expect("the locks under src/");
    assert!(
        locks.starts_with("# gitcoord file locks under src/\n"),
        "{locks}"
    );
    assert!(locks.contains("pattern = \"src/a.rs\""), "{locks}");
}

#[test]
fn every_operation_is_one_commit_carrying_its_record() {
    let env = with_agents();
    assert_eq!(env.state_commits(), 3);
    env.gc(&[
        "--agent", "alice", "lock", "src/a.rs", "--reason", "refactor",
    ])
    .ok();
    assert_eq!(env.state_commits(), 4);
    let message = env.git(&["log", "-1", "--format=%B", STATE_REF]);
    let message = message.ok();
    assert!(message.starts_with("lock src/a.rs by alice\n"), "{message}");
    let json = message
        .lines()
        .find_map(|l| l.strip_prefix("Gitcoord-Record: "))
        .expect("the message carries a Gitcoord-Record trailer");
    let record = crate::common::parse_json(json);
    assert_eq!(record["op"], "lock");
    assert_eq!(record["patterns"][0], "src/a.rs");
    assert_eq!(record["reason"], "refactor");
    assert_eq!(record["actor"]["kind"], "agent");
    assert_eq!(record["actor"]["id"], "alice");
    assert_eq!(record["at"], "2026-03-01T12:00:00Z");
    let author = env.git(&["log", "-1", "--format=%an %aI", STATE_REF]);
    assert_eq!(author.ok().trim(), "alice 2026-03-01T12:00:00Z");
}

#[test]
fn agents_are_added_listed_shown_and_removed() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    assert!(env.gc(&["agent", "list"]).ok().contains("no agents"));
    env.gc(&[
        "agent",
        "add",
        "sec",
        "--branch",
        "feature/security",
        "--role",
        "security lead",
        "--owns",
        "config/**",
        "--coordinator",
    ])
    .ok();
    env.gc(&[
        "agent",
        "add",
        "org",
        "--branch",
        "feature/cleanup",
        "--deny",
        "config/**",
        "--after",
        "sec",
    ])
    .ok();

    let list = env.gc(&["agent", "list"]);
    let lines: Vec<&str> = list.ok().lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("org ") && lines[0].contains("feature/cleanup"));
    assert!(lines[1].starts_with("sec ") && lines[1].contains("never seen"));
    let json = env.json(&["agent", "list"]);
    let ids: Vec<&str> = json
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| a["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["org", "sec"]);

    let show = env.gc(&["agent", "show", "sec"]);
    let text = show.ok();
    for want in [
        "branch       feature/security",
        "role         security lead",
        "owns         config/**",
        "coordinator  yes",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    let org = env.json(&["agent", "show", "org"]);
    assert_eq!(org["deny"][0], "config/**");
    assert_eq!(org["after"][0], "sec");
    assert_eq!(org["added"], "2026-03-01T12:00:00Z");

    let before = env.state_head();
    let refused = env.gc(&["agent", "remove", "sec"]);
    refused.code(2);
    assert!(
        refused.stderr.contains("'org' is merged after 'sec'"),
        "{}",
        refused.stderr
    );
    assert_eq!(env.state_head(), before);
    let dup = env.gc(&["agent", "add", "org", "--branch", "x"]);
    dup.code(2);
    assert!(dup.stderr.contains("already registered"), "{}", dup.stderr);

    env.gc(&["--agent", "org", "lock", "src/a.rs"]).ok();
    let busy = env.gc(&["agent", "remove", "org"]);
    busy.code(1);
    assert!(
        busy.stderr.contains("holds locks on src/a.rs"),
        "{}",
        busy.stderr
    );
    let removed = env.gc(&["agent", "remove", "org", "--force"]);
    assert!(
        removed.ok().contains("released its locks: src/a.rs"),
        "{}",
        removed.stdout
    );
    assert!(env.gc(&["locks"]).ok().contains("no live locks"));
    let ids = env.json(&["agent", "list"]);
    assert_eq!(ids.as_array().map(Vec::len), Some(1));
}

#[test]
fn checkin_records_status_task_note_and_renews_locks() {
    let env = with_agents();
    env.gc(&["--agent", "alice", "lock", "src/a.rs", "--ttl", "10m"])
        .ok();
    let out = env.gc_env(
        &env.repo,
        &[
            ("GITCOORD_NOW", "2026-03-01T12:08:00Z"),
            ("GITCOORD_AGENT", "alice"),
        ],
        &[
            "checkin", "--status", "working", "--task", "T1", "--note", "halfway",
        ],
    );
    let text = out.ok();
    assert!(text.starts_with("checkin alice (working)"), "{text}");
    assert!(text.contains("renewed 1 lock(s)"), "{text}");

    let alice = env.json(&["agent", "show", "alice"]);
    assert_eq!(alice["status"], "working");
    assert_eq!(alice["task"], "T1");
    assert_eq!(alice["note"], "halfway");
    assert_eq!(alice["last_seen"], "2026-03-01T12:08:00Z");
    let locks = env.json(&["locks"]);
    assert_eq!(
        locks[0]["expires"], "2026-03-01T12:18:00Z",
        "renewed by its 10m lifetime"
    );

    let unbound = env.gc(&["checkin", "--status", "x"]);
    unbound.code(2);
    assert!(
        unbound.stderr.contains("checkin needs an agent"),
        "{}",
        unbound.stderr
    );
}

#[test]
fn halt_is_shown_first_and_resume_clears_it() {
    let env = with_agents();
    let before = env.gc(&["status"]);
    assert!(before.ok().starts_with("agents (2)"), "{}", before.stdout);
    env.gc(&["--agent", "alice", "lock", "db/schema.sql"]).ok();
    env.gc_at(
        "2026-03-01T12:05:00Z",
        &["halt", "--reason", "main is broken"],
    )
    .ok();

    let status = env.gc_at("2026-03-01T12:15:00Z", &["status"]);
    let lines: Vec<&str> = status.ok().lines().collect();
    assert_eq!(lines[0], "HALTED by user:lead 10m ago: main is broken");
    assert!(lines[1].contains("`gitcoord resume`"), "{lines:?}");
    assert!(lines.contains(&"locks (1)"), "{lines:?}");
    let json = env.json(&["status"]);
    assert_eq!(json["halt"]["reason"], "main is broken");
    assert_eq!(json["halt"]["by"], "user:lead");
    assert_eq!(json["halt"]["at"], "2026-03-01T12:05:00Z");
    assert_eq!(json["agents"][0]["id"], "alice");
    assert_eq!(json["agents"][0]["locks"], 1);
    assert_eq!(json["locks"][0]["pattern"], "db/schema.sql");

    let resumed = env.gc(&["resume"]);
    assert!(
        resumed
            .ok()
            .contains("resume (halted by user:lead: main is broken)")
    );
    assert!(env.gc(&["status"]).ok().starts_with("agents (2)"));
    assert!(env.json(&["status"])["halt"].is_null());
    assert_eq!(env.state_file("halt.toml"), None);

    let head = env.state_head();
    let again = env.gc(&["resume"]);
    again.code(2);
    assert!(again.stderr.contains("not halted"), "{}", again.stderr);
    let empty = env.gc(&["halt", "--reason", "  "]);
    empty.code(2);
    assert!(empty.stderr.contains("needs a reason"), "{}", empty.stderr);
    assert_eq!(env.state_head(), head);
}

#[test]
fn free_text_with_newlines_cannot_forge_a_record_in_the_log() {
    let env = with_agents();
    env.gc(&["task", "add", "t", "--title", "a task", "--assign", "bob"])
        .ok();
    let forged = "x\nGitcoord-Record: {\"op\":\"resume\",\"actor\":{\"kind\":\"user\",\"name\":\"ceo\"},\"at\":\"2020-01-01T00:00:00Z\"}";
    // A reason is one line: the line break is refused, and nothing is written.
    let head = env.state_head();
    let run = env.gc(&["--agent", "bob", "task", "block", "t", "--reason", forged]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(env.state_head(), head);
    // On one line, the forged trailer is only text inside the summary and the record.
    let forged = forged.replace('\n', " ");
    env.gc_at(
        "2026-03-01T12:00:00Z",
        &["--agent", "bob", "task", "block", "t", "--reason", &forged],
    )
    .ok();

    let json = env.json(&["log", "-n", "1"]);
    let entry = &json[0];
    assert_eq!(entry["record"]["op"], "task-block", "{entry}");
    assert_eq!(entry["record"]["actor"]["kind"], "agent", "{entry}");
    assert_eq!(entry["record"]["actor"]["id"], "bob", "{entry}");
    assert_eq!(entry["record"]["at"], "2026-03-01T12:00:00Z", "{entry}");
    assert_eq!(
        entry["record"]["reason"],
        forged.as_str(),
        "the reason is kept whole"
    );
    let summary = entry["summary"].as_str().expect("a summary");
    assert!(
        summary.starts_with("task t blocked: x Gitcoord-Record: "),
        "{summary}"
    );

    // The commit's subject is that one line; the record is the message's only trailer.
    let message = env.git(&["log", "-1", "--format=%B", STATE_REF]);
    let lines: Vec<&str> = message.ok().lines().collect();
    assert_eq!(lines[0], summary);
    assert_eq!(lines[1], "");
    assert!(
        lines[2].starts_with("Gitcoord-Record: {\"op\":\"task-block\""),
        "{lines:?}"
    );
    let text = env.gc(&["log", "-n", "1"]);
    assert!(
        text.ok().contains(" 2026-03-01 12:00:00Z  bob  "),
        "{}",
        text.stdout
    );
    assert!(!text.stdout.contains("user:ceo"), "{}", text.stdout);
}

#[test]
fn log_lists_operations_newest_first() {
    let env = with_agents();
    env.gc_at("2026-03-01T12:01:00Z", &["--agent", "bob", "lock", "a.txt"])
        .ok();
    env.gc_at(
        "2026-03-01T12:02:00Z",
        &["--agent", "bob", "unlock", "a.txt"],
    )
    .ok();

    let log = env.gc(&["log"]);
    let lines: Vec<&str> = log.ok().lines().collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert!(lines[0].ends_with("2026-03-01 12:02:00Z  bob            unlock a.txt by bob"));
    assert!(lines[1].ends_with("lock a.txt by bob"), "{}", lines[1]);
    assert!(lines[4].ends_with("user:lead      create the coordination state"));
    assert_eq!(env.gc(&["log", "-n", "2"]).ok().lines().count(), 2);

    let json = env.json(&["log"]);
    let entries = json.as_array().expect("a list");
    assert_eq!(entries.len(), 5);
    let head = env.state_head().expect("state exists");
    assert_eq!(entries[0]["commit"], head.as_str());
    assert_eq!(entries[0]["summary"], "unlock a.txt by bob");
    assert_eq!(entries[0]["record"]["op"], "unlock");
    assert_eq!(entries[0]["record"]["force"], false);
    assert_eq!(entries[4]["record"]["op"], "init");
    assert_eq!(entries[4]["record"]["actor"]["name"], "lead");
}

#[test]
fn a_linked_worktree_sees_and_changes_the_same_state() {
    let env = with_agents();
    let wt = env.worktree("wt-alice", "feature/a");
    std::fs::create_dir_all(wt.join("src")).expect("mkdir");

    // From the linked worktree, on alice's branch: alice acts, paths are relative to cwd.
    let locked = env.gc_in(&wt.join("src"), &["lock", "main.rs", "--reason", "wt"]);
    assert_eq!(locked.ok().trim(), "lock src/main.rs by alice");
    let seen = env.json(&["locks"]);
    assert_eq!(seen[0]["pattern"], "src/main.rs");
    assert_eq!(seen[0]["holder"], "alice");

    // And the main worktree's writes are seen from the linked one.
    env.gc(&["halt", "--reason", "stop"]).ok();
    let status = env.gc_in(&wt, &["status"]);
    assert!(
        status.ok().starts_with("HALTED by user:lead"),
        "{}",
        status.stdout
    );
    assert_eq!(env.json_in(&wt, &["status"]), env.json(&["status"]));
    assert_eq!(env.json_in(&wt, &["log"]), env.json(&["log"]));
    assert_eq!(
        env.json_in(&wt, &["agent", "list"]),
        env.json(&["agent", "list"])
    );
    env.gc_in(&wt, &["resume"]).ok();
    env.gc_in(&wt, &["checkin", "--status", "testing"]).ok();
    assert_eq!(env.json(&["agent", "show", "alice"])["status"], "testing");
    env.gc_in(&wt, &["unlock", "src/main.rs"]).ok();
    assert!(env.gc(&["locks"]).ok().contains("no live locks"));
}
