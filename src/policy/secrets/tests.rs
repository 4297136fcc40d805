//! Table tests of the engine: every built-in rule, suppression, configuration and reports.

use super::rule::compile;
use super::*;

fn scan(scanner: &Scanner, path: &str, text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    scanner.scan_blob(path, text.as_bytes(), None, &mut out);
    out
}

#[test]
fn every_builtin_rule_reports_its_sample_and_not_its_decoy() {
    let scanner = Scanner::builtin();
    let mut failures = Vec::new();
    for def in rules::table() {
        let patterns = std::iter::once(def.regex).chain(def.allow_match);
        if let Some(e) = patterns.filter_map(|p| compile(p).err()).next() {
            failures.push(format!("{}: regex does not compile: {e}", def.id));
            continue;
        }
        let hits = scan(&scanner, "src/config.txt", def.sample);
        if !hits.iter().any(|f| f.rule_id == def.id) {
            let got: Vec<&str> = hits.iter().map(|f| f.rule_id.as_str()).collect();
            failures.push(format!("{}: sample not reported (got {got:?})", def.id));
        }
        let hits = scan(&scanner, "src/config.txt", def.decoy);
        if hits.iter().any(|f| f.rule_id == def.id) {
            failures.push(format!("{}: decoy reported", def.id));
        }
    }
    assert!(
        failures.is_empty(),
        "{} rule(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn rule_ids_are_unique_and_rules_have_keywords() {
    let mut ids: Vec<&str> = rules::table().map(|d| d.id).collect();
    let total = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "duplicate rule ids");
    assert!(total >= 200, "only {total} built-in rules");
    assert!(rules::table().all(|d| !d.keywords.is_empty()));
}

/// A GitHub token built at run time, so this file holds no literal secret.
fn github_token() -> String {
    format!("ghp_{}", "R8kq2ZtW5mXy9Lp3Vb7Nc1Hd4Jf6Gs0Qa2Ue")
}

#[test]
fn findings_carry_location_fingerprint_and_redaction() {
    let text = format!("line one\n  let t = \"{}\";\n", github_token());
    let hits = scan(&Scanner::builtin(), "src/a.rs", &text);
    assert_eq!(hits.len(), 1, "{hits:?}");
    let f = &hits[0];
    assert_eq!(
        (f.rule_id.as_str(), f.line, f.column),
        ("github-pat", 2, 12)
    );
    assert_eq!(
        f.fingerprint,
        crate::policy::fingerprint("github-pat", "src/a.rs", &f.secret_hash)
    );
    // Moved down a line, the same secret keeps its fingerprint.
    let moved = scan(&Scanner::builtin(), "src/a.rs", &format!("\n{text}"));
    assert_eq!(moved[0].line, 3);
    assert_eq!(moved[0].fingerprint, f.fingerprint);
    assert_eq!(f.redacted, "ghp_…");
}

#[test]
fn look_alikes_are_not_secrets() {
    let cases = [
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "api_key = \"123e4567-e89b-12d3-a456-426614174000\"",
        "checksum_token = \"d41d8cd98f00b204e9800998ecf8427ed41d8cd9\"",
        "password = \"${DB_PASSWORD}\"",
        "api_key = \"<your-key>\"",
        "secret = \"changeme\"",
        "token = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
        "let token = self.request_token_for_user;",
        "password: String,",
        "\"NextToken\": \"eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b19\"",
        "\"SegmentId\": \"b66c9e42f71444b2aa2e0ffc1df28f60\"",
        "\"token\": \"abcd1234defg5678\"",
        "secret_key_id = \"AKIDK3J9X2LMQ8V1ZR7T\"",
    ];
    let scanner = Scanner::builtin();
    for case in cases {
        assert!(
            scan(&scanner, "src/x.rs", case).is_empty(),
            "reported: {case}"
        );
    }
}

#[test]
fn lock_files_are_skipped_and_counted() {
    let text = format!("checksum = \"{}\"", github_token());
    let mut out = Vec::new();
    let stats = Scanner::builtin().scan_blob("sub/Cargo.lock", text.as_bytes(), None, &mut out);
    assert!(out.is_empty());
    assert_eq!(stats.skipped_allowlisted, 1);
}

#[test]
fn specific_rule_shadows_generic_assignment() {
    let text = format!("api_key = \"{}\"", github_token());
    let hits = scan(&Scanner::builtin(), "a.env", &text);
    let ids: Vec<&str> = hits.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(ids, ["github-pat"]);
}

#[test]
fn binary_oversize_and_invalid_utf8_blobs_are_safe() {
    let scanner = Scanner::builtin().with_max_file_size(1024);
    let mut out = Vec::new();
    let mut binary = github_token().into_bytes();
    binary.push(0);
    assert_eq!(
        scanner
            .scan_blob("a.bin", &binary, None, &mut out)
            .skipped_binary,
        1
    );
    let big = vec![b'a'; 2048];
    assert_eq!(
        scanner
            .scan_blob("big.txt", &big, None, &mut out)
            .skipped_oversize,
        1
    );
    let mut odd = vec![0xff, 0xfe, b'\n', 0xc3];
    odd.extend_from_slice(format!("t={}\n\u{fffd}", github_token()).as_bytes());
    odd.push(0x80);
    let stats = scanner.scan_blob("odd.txt", &odd, None, &mut out);
    assert_eq!((stats.blobs_scanned, stats.findings), (1, 1));
    assert_eq!(out.len(), 1);
}

#[test]
fn only_added_lines_are_reported() {
    let text = format!("a = \"{t}\"\nb = 1\nc = \"{t}\"\n", t = github_token());
    let scanner = Scanner::builtin();
    let mut out = Vec::new();
    let added = LineSet::from_lines([2, 3]);
    scanner.scan_blob("f", text.as_bytes(), Some(&added), &mut out);
    let lines: Vec<u32> = out.iter().map(|f| f.line).collect();
    assert_eq!(lines, [3]);
    assert!(LineSet::from_lines([5, 1, 2, 2]).contains(2));
    assert!(!LineSet::from_lines([1, 3]).contains(2));
}

#[test]
fn inline_markers_suppress_a_line() {
    let scanner = Scanner::builtin();
    for marker in ["# gitcoord:allow", "// gitleaks:allow"] {
        let text = format!("t = \"{}\" {marker}\n", github_token());
        assert!(scan(&scanner, "f", &text).is_empty(), "{marker}");
    }
}

#[test]
fn ignore_file_and_baseline_suppress_findings() {
    let scanner = Scanner::builtin();
    let text = format!("x\nt = \"{}\"\n", github_token());
    let mut findings = scan(&scanner, "app/f.py", &text);
    let mut by_ignore = suppress::Suppressions::default();
    by_ignore.add_ignore_file("# reviewed\napp/f.py:github-pat:2\n");
    assert_eq!(by_ignore.apply(&mut findings.clone()), 1);

    let mut report = Vec::new();
    report::write_json(&mut report, &findings).expect("write to memory");
    let moved = format!("x\ny\nz\nt = \"{}\"\n", github_token());
    let mut later = scan(&scanner, "app/f.py", &moved);
    let mut baseline = suppress::Suppressions::default();
    baseline
        .add_baseline(&String::from_utf8_lossy(&report))
        .expect("valid baseline");
    assert_eq!(
        baseline.apply(&mut later),
        1,
        "a moved secret stays baselined"
    );
    assert!(baseline.add_baseline("{not json").is_err());
    findings.retain(|f| f.rule_id == "none");
    assert!(findings.is_empty());
}

#[test]
fn reports_never_contain_the_secret() {
    let token = github_token();
    let findings = scan(&Scanner::builtin(), "f", &format!("t = \"{token}\""));
    assert_eq!(findings.len(), 1);
    let mut outputs = vec![Vec::new(), Vec::new()];
    report::write_text(&mut outputs[0], &findings).expect("write to memory");
    report::write_json(&mut outputs[1], &findings).expect("write to memory");
    for out in &outputs {
        let text = String::from_utf8_lossy(out);
        assert!(!text.contains(&token[..12]), "secret leaked: {text}");
    }
    let text = String::from_utf8_lossy(&outputs[0]);
    assert_eq!(text, "f:1:6: github-pat: ghp_…\n");
}
