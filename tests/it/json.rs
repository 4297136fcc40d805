//! The `--json` contract (docs/json.md): the error object, every key always present, full
//! ids, RFC 3339 times with seconds beside them, and `--json` against `--format`.

use serde_json::Value;

use crate::common::{TestEnv, parse_json};

/// A state with a bit of everything: agents with and without owns/deny/after, locks with
/// and without a reason, messages (one requiring an answer), tasks, a decision, memory.
fn rich() -> TestEnv {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "plain", "--branch", "feature/plain"])
        .ok();
    env.gc(&["agent", "add", "idle", "--branch", "feature/idle"])
        .ok();
    env.gc(&[
        "agent",
        "add",
        "full",
        "--branch",
        "feature/full",
        "--role",
        "backend",
        "--owns",
        "src/full/**",
        "--deny",
        "docs/**",
        "--allow",
        "docs/full.md",
        "--after",
        "plain",
        "--coordinator",
    ])
    .ok();
    env.gc(&["--agent", "plain", "checkin", "--status", "working"])
        .ok();
    env.gc(&["--agent", "plain", "lock", "a.rs"]).ok();
    env.gc(&[
        "--agent",
        "full",
        "lock",
        "src/full/b.rs",
        "--reason",
        "migrating",
    ])
    .ok();
    env.gc(&[
        "--agent",
        "full",
        "msg",
        "send",
        "--to",
        "plain",
        "--subject",
        "hi",
    ])
    .ok();
    env.gc(&[
        "--agent",
        "plain",
        "msg",
        "send",
        "--to",
        "full",
        "--subject",
        "a question",
        "--body",
        "which way?",
        "--requires-response",
        "--within",
        "1h",
    ])
    .ok();
    env.gc(&["task", "add", "t1", "--title", "first"]).ok();
    env.gc(&["task", "add", "t2", "--title", "second", "--assign", "full"])
        .ok();
    env.gc(&[
        "decision", "propose", "--title", "db", "--option", "pg", "--option", "sqlite",
    ])
    .ok();
    env.gc(&["--agent", "full", "memory", "set", "api/schema", "v3"])
        .ok();
    env
}

/// The element of the list `list` whose `id` is `id`.
#[track_caller]
fn by_id<'v>(list: &'v Value, id: &str) -> &'v Value {
    list.as_array()
        .and_then(|l| l.iter().find(|v| v["id"] == id))
        .unwrap_or_else(|| panic!("no {id} in {list:#}"))
}

/// The key sets of every object in `value`, by where it is (`$.agents[]`…): every element
/// of one list is filed under one path.
fn shapes(value: &Value, path: &str, out: &mut Vec<(String, Vec<String>)>) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<String> = map.keys().cloned().collect();
            keys.sort();
            // An operation record's keys are its kind's: filed by `op`.
            let path = match map.get("op").and_then(Value::as_str) {
                Some(op) => format!("{path}<{op}>"),
                None => path.to_owned(),
            };
            let path = path.as_str();
            out.push((path.to_owned(), keys));
            for (k, v) in map {
                // Maps keyed by data (ids, statuses) are not records with fixed keys.
                if !matches!(k.as_str(), "tasks" | "inputs" | "counts") || !v.is_object() {
                    shapes(v, &format!("{path}.{k}"), out);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                shapes(item, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

/// Asserts that objects at one path have one key set, and that no key is left out at a
/// path whose objects vary in what they hold.
#[track_caller]
fn assert_stable(what: &str, value: &Value) {
    let mut found = Vec::new();
    shapes(value, "$", &mut found);
    for (path, keys) in &found {
        for (other_path, other_keys) in &found {
            if path == other_path {
                assert_eq!(
                    keys, other_keys,
                    "{what}: objects at {path} differ in keys\n{value:#}"
                );
            }
        }
    }
}

#[test]
fn every_element_of_a_list_has_the_same_keys_whatever_it_holds() {
    let env = rich();
    for args in [
        &["agent", "list"][..],
        &["locks"],
        &["status"],
        &["log"],
        &["inbox", "--all"],
        &["task", "list"],
        &["decision", "list"],
        &["memory", "list"],
        &["integration"],
    ] {
        let value = env.json(args);
        assert_stable(&args.join(" "), &value);
    }
    let agents = env.json(&["agent", "list"]);
    let plain = by_id(&agents, "plain");
    assert_eq!(plain["id"], "plain");
    assert_eq!(plain["owns"], serde_json::json!([]));
    assert_eq!(plain["role"], Value::Null);
    assert_eq!(plain["coordinator"], false);
    assert_eq!(plain["last_seen_age_secs"], 0);
    assert_eq!(
        by_id(&agents, "full")["owns"],
        serde_json::json!(["src/full/**"])
    );
    let idle = by_id(&agents, "idle");
    assert_eq!(idle["last_seen"], Value::Null);
    assert_eq!(idle["last_seen_age_secs"], Value::Null);
    let shown = env.json(&["agent", "show", "plain"]);
    assert_eq!(shown["after"], serde_json::json!([]));
    // Halt on and off: the key is there either way.
    let off = env.json(&["status"]);
    assert_eq!(off["halt"], Value::Null);
    env.gc(&["halt", "--reason", "freeze"]).ok();
    let on = env.gc_at("2026-03-01T12:00:07Z", &["--json", "status"]);
    let on = parse_json(on.ok());
    assert_eq!(on["halt"]["reason"], "freeze");
    assert_eq!(on["halt"]["at"], "2026-03-01T12:00:00Z");
    assert_eq!(on["halt"]["age_secs"], 7);
    let keys = |v: &Value| {
        let mut k: Vec<String> = v
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    };
    assert_eq!(keys(&on), keys(&off));
}

#[test]
fn ids_are_full_and_times_are_rfc3339_with_seconds_beside() {
    let env = rich();
    let head = env.state_head().expect("a state");
    let hex40 = |v: &Value| {
        v.as_str()
            .is_some_and(|s| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let status = env.gc_at("2026-03-01T12:10:00Z", &["--json", "status"]);
    let status = parse_json(status.ok());
    assert_eq!(status["state"], head.as_str());
    let log = env.json(&["log", "-n", "3"]);
    for entry in log.as_array().expect("log is a list") {
        assert!(hex40(&entry["commit"]), "{entry:#}");
    }
    assert_eq!(log[0]["commit"], head.as_str());
    // The lock was taken at the fixed time, for the default 30 minutes.
    let lock = &status["locks"][0];
    assert_eq!(lock["acquired"], "2026-03-01T12:00:00Z");
    assert_eq!(lock["expires"], "2026-03-01T12:30:00Z");
    assert_eq!(lock["expires_in_secs"], 20 * 60);
    let agent = by_id(&status["agents"], "plain");
    assert_eq!(agent["last_seen"], "2026-03-01T12:00:00Z");
    assert_eq!(agent["last_seen_age_secs"], 600);
}

#[test]
fn a_failure_under_json_is_an_error_object_on_stdout_with_the_exit_code() {
    let env = rich();
    for (args, exit) in [
        // Bad input: usage error.
        (&["--json", "agent", "show", "nobody"][..], 2),
        (&["--json", "lock", "a.rs", "--ttl", "soon"], 2),
        // Refused by policy.
        (&["--json", "--agent", "full", "lock", "a.rs"], 1),
        // clap's own usage errors.
        (&["--json", "agent", "add"], 2),
        (&["--json", "no-such-command"], 2),
    ] {
        let run = env.gc(args);
        run.code(exit);
        let value = parse_json(&run.stdout);
        assert_eq!(value["exit"], exit, "{args:?}: {value:#}");
        assert!(
            value["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{value:#}"
        );
        assert!(value["causes"].is_array(), "{value:#}");
        let next = value["next"].as_array().expect("next is a list");
        assert!(
            !next.is_empty() && next.iter().all(Value::is_string),
            "{value:#}"
        );
        let kind = if exit == 1 { "refused" } else { "invalid" };
        assert_eq!(value["kind"], kind, "{value:#}");
        // People running with --json in a terminal still read what happened on stderr.
        assert!(run.stderr.contains("next:"), "{args:?}: {}", run.stderr);
    }
    // Without --json the error stays on stderr only.
    let run = env.gc(&["agent", "show", "nobody"]);
    run.code(2);
    assert_eq!(run.stdout, "");
}

#[test]
fn json_and_another_format_are_refused_and_format_json_is_json() {
    let env = rich();
    env.write("notes.txt", "nothing secret\n");
    for args in [
        &["--json", "scan", "--format", "sarif", "notes.txt"][..],
        &["--json", "scan", "--format", "text", "notes.txt"],
        &[
            "--json", "check", "pr", "--base", "HEAD", "--head", "HEAD", "--format", "github",
        ],
    ] {
        let run = env.gc(args);
        run.code(2);
        let value = parse_json(&run.stdout);
        assert!(
            value["error"]
                .as_str()
                .is_some_and(|e| e.contains("pick one")),
            "{value:#}"
        );
        assert_eq!(value["exit"], 2);
    }
    let both = env.gc(&["--json", "scan", "--format", "json", "notes.txt"]);
    let alone = env.gc(&["--json", "scan", "notes.txt"]);
    assert_eq!(both.ok(), alone.ok());
    parse_json(&both.stdout);
    let sarif = env.gc(&["scan", "--format", "sarif", "notes.txt"]);
    assert!(parse_json(sarif.ok())["version"] == "2.1.0");
}
