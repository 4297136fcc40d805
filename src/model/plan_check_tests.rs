//! Tests of the plan checker.
use super::*;

const GOOD: &str = r#"version = 1

[settings]
lock_ttl = "30m"
enforce_waves = true

[[agent]]
id = "security"
branch = "feature/section-1a-security"
owns = ["config/"]

[[agent]]
id = "database"
branch = "feature/section-1d-database"
after = ["security"]
ports = [5432]

[authority]
"config/**" = "security"

[[rule]]
id = "no-root-files"
deny_new = ["*"]
message = "new files go under src/"

[[task]]
id = "sec-config"
title = "Read secrets from the environment"
assign = "security"
wave = "W0"
deliverables = ["./config/settings.py"]
checks = ["tests"]

[[task]]
id = "db-schema"
title = "Schema"
suggest = "database"
after = ["sec-config"]
wave = "W1"
due = "2026-12-01"

[[wave]]
id = "W0"
mode = "sequential"

[[wave]]
id = "W1"
checks = ["secrets"]

[[check]]
id = "tests"
run = "true"

[[check]]
id = "secrets"
builtin = "secrets-clean"
"#;

fn lines(text: &str) -> Vec<(usize, String)> {
    check(text)
        .expect_err("errors")
        .into_iter()
        .map(|d| (d.line, d.message))
        .collect()
}

#[test]
fn a_good_plan_is_read_and_normalised() {
    let plan = check(GOOD).expect("valid");
    assert_eq!(plan.agents[0].owns, ["config/**"]);
    assert_eq!(plan.tasks[0].deliverables, ["config/settings.py"]);
    assert_eq!(plan.waves.len(), 2);
    assert_eq!(plan.authority_over("config/a.py"), Some("security"));
    assert!(plan.settings.enforce_waves);
}

#[test]
fn every_error_is_reported_at_once_with_its_line() {
    let bad = GOOD
        .replace("owns = [\"config/\"]", "own = [\"config/\"]")
        .replace("after = [\"security\"]", "after = [\"securty\"]")
        .replace("wave = \"W1\"\ndue", "wave = \"W9\"\ndue");
    let found = lines(&bad);
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0].0, 10);
    assert!(
        found[0].1.contains("unknown key 'own' in [agent]"),
        "{found:?}"
    );
    assert!(found[0].1.contains("owns"), "{found:?}");
    assert_eq!(found[1].0, 15);
    assert!(
        found[1]
            .1
            .contains("unknown agent 'securty'; known: database, security")
    );
    assert_eq!(found[2].0, 39);
    assert!(found[2].1.contains("unknown wave 'W9'"), "{found:?}");
}

#[test]
fn syntax_types_and_missing_keys() {
    let found = lines("version = 1\n[[task]]\nid = \"a\"\npriority = \"high\"\n");
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found
            .iter()
            .any(|(l, m)| *l == 2 && m.contains("needs 'title'"))
    );
    assert!(
        found
            .iter()
            .any(|(l, m)| *l == 4 && m.contains("must be an integer"))
    );
    let found = lines("version = 1\n[[task]]\nid = \"a\"\ntitle = \"t\"\npriority = 99999999999\n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 5, "{found:?}");
    assert!(found[0].1.contains("from 0 to 4294967295"), "{found:?}");
    let found = lines("version = 1\n[[task]\n");
    assert!(found[0].1.starts_with("invalid TOML"), "{found:?}");
    assert_eq!(found[0].0, 2);
}

#[test]
fn cycles_later_waves_and_bad_values() {
    let bad = GOOD
        .replace(
            "wave = \"W0\"\ndeliverables",
            "wave = \"W0\"\nafter = [\"db-schema\"]\ndeliverables",
        )
        .replace("due = \"2026-12-01\"", "due = \"tomorrow\"")
        .replace("lock_ttl = \"30m\"", "lock_ttl = \"soon\"")
        .replace("builtin = \"secrets-clean\"", "builtin = \"secret-clean\"");
    let found = lines(&bad);
    let text: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
    assert!(text.iter().any(|m| m.contains("later wave W1")), "{text:?}");
    assert!(text.iter().any(|m| m.contains("cycle: ")), "{text:?}");
    assert!(
        text.iter().any(|m| m.contains("'tomorrow' is not a date")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|m| m.contains("unknown built-in check 'secret-clean'")),
        "{text:?}"
    );
    assert!(
        found.iter().any(|(l, _)| *l == 4),
        "the lock_ttl line: {found:?}"
    );
    let merge = GOOD.replace(
        "branch = \"feature/section-1a-security\"",
        "branch = \"feature/section-1a-security\"\nafter = [\"database\"]",
    );
    let text = lines(&merge);
    assert!(text[0].1.contains("merge order has a cycle"), "{text:?}");
}
