//! Tests of gitleaks configuration compatibility.

use super::*;

fn scan(scanner: &Scanner, path: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    scanner.scan_blob(path, text.as_bytes(), None, &mut out);
    out.into_iter().map(|f| f.rule_id).collect()
}

const CUSTOM: &str = r#"
title = "custom"

[extend]
useDefault = true
disabledRules = ["slack-bot-token"]

[[rules]]
id = "acme-token"
description = "ACME internal token"
regex = '''acme_(?i)[a-z0-9]{24}'''
keywords = ["acme_"]
entropy = 3.0

[[rules.allowlists]]
regexTarget = "line"
regexes = ['''fixture''']

[[rules]]
id = "acme-id"
regex = '''acmeid:([0-9]{6})'''
secretGroup = 1
keywords = ["acmeid"]
[rules.allowlist]
stopwords = ["000000"]

[[allowlists]]
paths = ['''^vendor/''']

[[allowlists]]
regexTarget = "match"
regexes = ['''acme_sandbox''']
"#;

#[test]
fn custom_rules_and_allowlists_apply_on_top_of_builtins() {
    let scanner = Scanner::from_gitleaks_toml(CUSTOM, ".gitleaks.toml").expect("valid config");
    assert_eq!(
        scan(&scanner, "a.txt", "t = acme_k3J9x2LmQ8v1Zr7Tb4Np6Wc0"),
        ["acme-token"]
    );
    assert!(
        scan(
            &scanner,
            "a.txt",
            "t = acme_k3J9x2LmQ8v1Zr7Tb4Np6Wc0 # fixture"
        )
        .is_empty()
    );
    assert!(
        scan(
            &scanner,
            "vendor/a.txt",
            "t = acme_k3J9x2LmQ8v1Zr7Tb4Np6Wc0"
        )
        .is_empty()
    );
    assert!(scan(&scanner, "a.txt", "t = acme_sandboxk3J9x2LmQ8v1Zr7T").is_empty());
    assert_eq!(scan(&scanner, "a.txt", "acmeid:482913"), ["acme-id"]);
    assert!(scan(&scanner, "a.txt", "acmeid:000000").is_empty());
    let gh = format!("x = \"ghp_{}\"", "R8kq2ZtW5mXy9Lp3Vb7Nc1Hd4Jf6Gs0Qa2Ue");
    assert_eq!(
        scan(&scanner, "a.txt", &gh),
        ["github-pat"],
        "built-ins kept by useDefault"
    );
    assert!(!scanner.rule_list().any(|r| r.id == "slack-bot-token"));
}

#[test]
fn without_use_default_only_custom_rules_run() {
    let text = "[[rules]]\nid = \"only\"\nregex = '''only_[0-9]{4}'''\n";
    let scanner = Scanner::from_gitleaks_toml(text, "c.toml").expect("valid config");
    assert_eq!(scanner.rule_list().count(), 1);
    assert_eq!(
        scan(&scanner, "f", "only_1234"),
        ["only"],
        "rules without keywords always run"
    );
}

#[test]
fn errors_name_the_origin_rule_and_line() {
    let bad_regex = "[[rules]]\nid = \"broken\"\nregex = '''([a-z'''\n";
    let e = Scanner::from_gitleaks_toml(bad_regex, "cfg.toml").expect_err("invalid regex");
    assert_eq!((e.line, e.rule.as_deref()), (Some(3), Some("broken")));
    assert!(
        e.to_string()
            .starts_with("cfg.toml:3: rule \"broken\": invalid regex"),
        "{e}"
    );

    let bad_toml = "title = \"x\"\n[[rules]\nid = 1\n";
    let e = Scanner::from_gitleaks_toml(bad_toml, "cfg.toml").expect_err("invalid TOML");
    assert_eq!(e.line, Some(2), "{e}");

    let bad_group = "[[rules]]\nid = \"g\"\nregex = '''a(b)'''\nsecretGroup = 3\n";
    assert!(Scanner::from_gitleaks_toml(bad_group, "c").is_err());
    let bad_target = "[allowlist]\nregexTarget = \"everything\"\nregexes = ['''x''']\n";
    assert!(Scanner::from_gitleaks_toml(bad_target, "c").is_err());
}

#[test]
fn commit_allowlists_need_a_commit() {
    let text =
        "[[rules]]\nid = \"r\"\nregex = '''tok_[0-9]{6}'''\n[allowlist]\ncommits = [\"abc123\"]\n";
    let scanner = Scanner::from_gitleaks_toml(text, "c").expect("valid config");
    let mut out = Vec::new();
    let blob = Blob {
        path: "f",
        commit: Some("abc1234def"),
        bytes: b"tok_123456",
        lines: Lines::All,
        hits: None,
    };
    scanner.scan(&blob, &mut out);
    assert!(out.is_empty());
    let blob = Blob {
        commit: Some("fff000"),
        ..blob
    };
    scanner.scan(&blob, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].gitleaks_fingerprint(true), "fff000:f:r:1");
}

#[test]
fn extend_path_is_refused_and_gitleaks_baselines_are_read() {
    let e = Scanner::from_gitleaks_toml("[extend]\npath = \"base.toml\"\n", "c.toml")
        .expect_err("extend.path is not supported");
    assert_eq!(e.line, Some(1), "{e}");

    let gitleaks_report = r#"[{"RuleID": "github-pat", "File": "a.txt", "StartLine": 2,
        "Fingerprint": "a.txt:github-pat:2", "Secret": "REDACTED"}]"#;
    let mut baseline = suppress::Suppressions::default();
    baseline
        .add_baseline(gitleaks_report)
        .expect("a gitleaks JSON report");
    let text = format!("x\nt = ghp_{}\n", "R8kq2ZtW5mXy9Lp3Vb7Nc1Hd4Jf6Gs0Qa2Ue");
    let mut findings = Vec::new();
    Scanner::builtin().scan_blob("a.txt", text.as_bytes(), None, &mut findings);
    assert_eq!(baseline.apply(&mut findings), 1);
}

#[test]
fn a_rule_with_only_an_allowlist_extends_the_built_in_rule_of_its_id() {
    let text = "[extend]\nuseDefault = true\n[[rules]]\nid = \"github-pat\"\n[[rules.allowlists]]\npaths = ['''^fixtures/''']\n";
    let scanner = Scanner::from_gitleaks_toml(text, "c.toml").expect("valid config");
    let gh = format!("x = \"ghp_{}\"", "R8kq2ZtW5mXy9Lp3Vb7Nc1Hd4Jf6Gs0Qa2Ue");
    assert_eq!(scan(&scanner, "a.txt", &gh), ["github-pat"]);
    assert!(scan(&scanner, "fixtures/a.txt", &gh).is_empty());
    let mixed = "[allowlist]\npaths = ['''a''']\n[[allowlists]]\npaths = ['''b''']\n";
    let e = Scanner::from_gitleaks_toml(mixed, "c.toml").expect_err("both forms");
    assert_eq!(e.line, Some(3), "{e}");
}
