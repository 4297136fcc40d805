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
            .any(|(l, m)| *l == 4 && m.contains("must be a whole number from 1 to"))
    );
    let found = lines("version = 1\n[[task]]\nid = \"a\"\ntitle = \"t\"\npriority = 99999999999\n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 5, "{found:?}");
    assert!(found[0].1.contains("from 1 to 4294967295"), "{found:?}");
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

/// A plan with one task and one agent, `task` and `agent` lines added to them.
fn small(task: &str, agent: &str) -> String {
    format!(
        "version = 1\n[[agent]]\nid = \"a\"\nbranch = \"feature/a\"\n{agent}\n[[task]]\nid = \"t\"\ntitle = \"T\"\n{task}\n"
    )
}

#[test]
fn integers_are_read_in_every_toml_spelling() {
    let table = [
        ("7", 7),
        ("+7", 7),
        ("1_000", 1000),
        ("0xb5", 0xb5),
        ("0xB5", 0xb5),
        ("0x0b", 11),
        ("0o17", 0o17),
        ("0b101", 5),
        ("0b0_1", 1),
        ("0xffff_ffff", 4_294_967_295),
    ];
    for (literal, want) in table {
        let plan = check(&small(&format!("priority = {literal}"), ""))
            .unwrap_or_else(|e| panic!("{literal}: {e:?}"));
        assert_eq!(plan.tasks[0].priority, Some(want), "{literal}");
    }
    let plan = check(&small("", "ports = [0xbb, 0o10, 0b11, 8_080, 0]")).expect("valid");
    assert_eq!(plan.agents[0].ports, [0xbb, 8, 3, 8080, 0]);
}

#[test]
fn integers_out_of_range_say_the_range_that_is_accepted() {
    let table = [
        (
            "priority = 0",
            9,
            "'task[0].priority' must be a whole number from 1 to 4294967295",
        ),
        ("priority = -1", 9, "from 1 to 4294967295"),
        ("priority = 0x1_0000_0000", 9, "from 1 to 4294967295"),
        (
            "priority = 0x7fff_ffff_ffff_ffff",
            9,
            "from 1 to 4294967295",
        ),
    ];
    for (line, at, want) in table {
        let found = lines(&small(line, ""));
        assert_eq!(found.len(), 1, "{line}: {found:?}");
        assert_eq!(found[0].0, at, "{line}: {found:?}");
        assert!(found[0].1.contains(want), "{line}: {found:?}");
    }
    let found = check(&small("", "ports = [80, 70000, -1, \"x\"]")).expect_err("bad ports");
    let got: Vec<(usize, usize, &str)> = found
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                5,
                14,
                "'agent[0].ports[1]' must be a whole number from 0 to 65535"
            ),
            (
                5,
                21,
                "'agent[0].ports[2]' must be a whole number from 0 to 65535"
            ),
            (
                5,
                25,
                "'agent[0].ports[3]' must be a whole number from 0 to 65535"
            ),
        ]
    );
    let found = lines("version = 1\n[[check]]\nid = \"r\"\nbuiltin = \"root-files\"\nmax = -1\n");
    assert!(
        found
            .iter()
            .any(|(l, m)| *l == 5 && m.contains("from 0 to 4294967295")),
        "{found:?}"
    );
}

#[test]
fn a_bad_wave_mode_is_reported_at_its_value_with_the_other_errors() {
    let bad = GOOD
        .replace("mode = \"sequential\"", "mode = \"serial\"")
        .replace("after = [\"security\"]", "after = [\"securty\"]");
    let found = check(&bad).expect_err("errors");
    let got: Vec<(usize, usize, &str)> = found
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str()))
        .collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, 15, "{got:?}");
    assert!(got[0].2.contains("unknown agent 'securty'"), "{got:?}");
    assert_eq!(
        got[1],
        (
            44,
            8,
            "'wave[0].mode' must be one of \"sequential\", \"parallel\""
        )
    );
    let found = lines(&GOOD.replace("mode = \"sequential\"", "mode = 1"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 44, "{found:?}");
    // Every mode the schema accepts is one the plan reads.
    for mode in super::super::plan_schema::WAVE_MODES {
        let plan = check(&GOOD.replace("sequential", mode)).expect("valid");
        assert_eq!(
            serde_json::to_value(plan.waves[0].mode).expect("json"),
            *mode
        );
    }
}

#[test]
fn branches_git_would_refuse_are_reported_at_their_lines() {
    let bad = GOOD
        .replace(
            "lock_ttl = \"30m\"",
            "lock_ttl = \"30m\"\nintegration_branch = \"-x..y\"",
        )
        .replace("\"feature/section-1a-security\"", "\"has space\"")
        .replace("\"feature/section-1d-database\"", "\"--upload-pack=x\"");
    let bad = format!("{bad}\n[[agent]]\nid = \"third\"\nbranch = \"refs/heads/main\"\n");
    let found = lines(&bad);
    let want = [
        (5, "'-x..y' is not a valid branch name (it starts with '-')"),
        (
            10,
            "'has space' is not a valid branch name (it holds a space",
        ),
        (
            15,
            "'--upload-pack=x' is not a valid branch name (it starts with '-')",
        ),
        (
            61,
            "'refs/heads/main' is not a valid branch name (give it without refs/heads/",
        ),
    ];
    assert_eq!(found.len(), want.len(), "{found:?}");
    for ((line, message), (want_line, want)) in found.iter().zip(want) {
        assert_eq!(*line, want_line, "{found:?}");
        assert!(message.starts_with(want), "{found:?}");
    }
    let found = lines(&GOOD.replace("\"feature/section-1a-security\"", "\"\""));
    assert!(found[0].1.contains("(it is empty)"), "{found:?}");
}

#[test]
fn zero_and_overflowing_durations_are_reported_at_their_lines() {
    let bad = GOOD
        .replace("lock_ttl = \"30m\"", "lock_ttl = \"0\"")
        .replace(
            "run = \"true\"",
            "run = \"true\"\ntimeout = \"999999999999999999\"",
        );
    let found = lines(&bad);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, 4);
    assert!(found[0].1.contains("longer than zero"), "{found:?}");
    assert_eq!(found[1].0, 53);
    assert!(found[1].1.contains("too long a duration"), "{found:?}");
}

#[test]
fn the_sync_setting_is_strict_or_default() {
    let with = |mode: &str| GOOD.replace("enforce_waves = true", &format!("sync = \"{mode}\""));
    let plan = check(&with("strict")).expect("valid");
    assert_eq!(plan.settings.sync.as_deref(), Some("strict"));
    check(&with("default")).expect("valid");
    let found = lines(&with("eventually"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 5, "{found:?}");
    assert!(found[0].1.contains("\"strict\""), "{found:?}");
}

#[test]
fn two_agents_on_one_branch_are_reported_at_the_second() {
    let plan = "version = 1\n[[agent]]\nid = \"a\"\nbranch = \"feature/x\"\n[[agent]]\nid = \"b\"\nbranch = \"feature/x\"\n";
    let found = lines(plan);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 7, "{found:?}");
    assert!(found[0].1.contains("is agent 'a's already"), "{found:?}");
}
