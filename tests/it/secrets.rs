//! `gitcoord scan` and the pre-commit secrets check on real repositories.

use crate::common::{TestEnv, write_in};

/// A GitHub token assembled at run time, so the test source holds no literal secret.
fn token() -> String {
    format!("ghp_{}", "Zt7Qm2Wk9Lx4Rb8Nc3Vd6Hf1Jg5Ps0Ya7Ue3")
}

/// A Stripe key assembled at run time.
fn stripe() -> String {
    format!("sk_live_{}", "4eC39HqLyjWDarjtT1zdp7dc")
}

fn assert_no_secret(text: &str) {
    assert!(!text.contains(&token()[..10]), "secret leaked:\n{text}");
    assert!(!text.contains(&stripe()[..12]), "secret leaked:\n{text}");
}

#[test]
fn scan_of_a_directory_reports_redacted_findings_in_every_format() {
    let env = TestEnv::new();
    env.write(
        "app/config.py",
        &format!("GITHUB = \"{}\"\nSTRIPE = '{}'\n", token(), stripe()),
    );
    env.write("app/clean.py", "print('hello')\n");
    let run = env.gc(&["scan", "app"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "app/config.py:1:11: github-pat: ghp_…\napp/config.py:2:11: stripe-access-token: sk_l…\n"
    );
    assert_no_secret(&run.stderr);
    for format in ["json", "sarif"] {
        let run = env.gc(&["scan", "--format", format, "app"]);
        run.code(1);
        assert_no_secret(&run.stdout);
        let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
        if format == "sarif" {
            assert_eq!(value["version"], "2.1.0");
            assert_eq!(
                value["runs"][0]["results"].as_array().map(Vec::len),
                Some(2)
            );
        } else {
            let fingerprint = value[0]["fingerprint"].as_str().expect("a fingerprint");
            assert_eq!(fingerprint.len(), 16, "{fingerprint}");
        }
    }
    env.gc(&["scan", "app/clean.py"]).code(0);
    env.gc(&["scan", "no/such/dir"]).code(2);
}

#[test]
fn binary_and_huge_files_are_skipped_safely() {
    let env = TestEnv::new();
    let mut binary = b"\x00\x01PK".to_vec();
    binary.extend_from_slice(token().as_bytes());
    std::fs::write(env.repo.join("blob.bin"), &binary).expect("write binary");
    let mut big = Vec::with_capacity(50 << 20);
    while big.len() < 50 << 20 {
        big.extend_from_slice(b"fn main() { let key = lookup(\"name\"); }\n");
    }
    big.extend_from_slice(format!("t = \"{}\"\n", token()).as_bytes());
    std::fs::write(env.repo.join("big.rs"), &big).expect("write big file");
    let run = env.gc(&["scan", "."]);
    run.code(0);
    assert!(
        run.stderr.contains("1 binary; 1 over the size cap"),
        "{}",
        run.stderr
    );
    let run = env.gc(&["scan", "--max-file-size", "60000000", "big.rs"]);
    run.code(1);
    assert!(run.stdout.starts_with("big.rs:"), "{}", run.stdout);
    env.git(&["add", "big.rs", "blob.bin"]).ok();
    let run = env.gc(&["scan", "--staged"]);
    run.code(0);
    assert!(
        run.stderr.contains("1 binary; 1 over the size cap"),
        "{}",
        run.stderr
    );
    // The hooks skip them too: the commit (pre-commit hook) and a pull-request check of it
    // (the pre-push checks, which size blobs from their headers before reading them).
    env.gc(&["init"]).ok();
    env.git(&["commit", "-qm", "big and binary"]).ok();
    env.gc(&["check", "pr", "--base", "HEAD~1", "--head", "HEAD"])
        .code(0);
}

#[test]
fn staged_scan_reads_the_index_git_will_use() {
    let env = TestEnv::new();
    env.write("README.md", &format!("hello\nkey: {}\n", token()));
    env.gc(&["scan", "--staged"]).code(0);
    let index = env.root().join("partial-index");
    std::fs::copy(env.repo.join(".git/index"), &index).expect("copy index");
    let index = index.to_string_lossy().into_owned();
    env.git_env(
        &env.repo,
        &[("GIT_INDEX_FILE", &index)],
        &["add", "README.md"],
    )
    .ok();
    let run = env.gc_env(
        &env.repo,
        &[("GIT_INDEX_FILE", &index)],
        &["scan", "--staged"],
    );
    run.code(1);
    assert_eq!(run.stdout, "README.md:2:6: github-pat: ghp_…\n");
}

#[test]
fn range_and_history_report_the_commit_that_added_the_line() {
    let env = TestEnv::new();
    env.write("a.env", &format!("GH={}\n", token()));
    env.git(&["add", "a.env"]).ok();
    env.git(&["commit", "-q", "-m", "add config"]).ok();
    let added = env.git(&["rev-parse", "HEAD"]).ok().trim().to_owned();
    env.write("a.env", &format!("GH={}\nOTHER=1\n", token()));
    env.git(&["commit", "-qam", "more config"]).ok();
    env.gc(&["scan", "--range", "HEAD~1..HEAD"]).code(0);
    let mut fingerprints = Vec::new();
    for args in [
        &["scan", "--range", "HEAD~2..HEAD", "--format", "json"][..],
        &["scan", "--history", "--format", "json"],
    ] {
        let run = env.gc(args);
        run.code(1);
        let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
        assert_eq!(value.as_array().map(Vec::len), Some(1), "{}", run.stdout);
        assert_eq!(value[0]["commit"], added.as_str());
        // The fingerprint names the secret in its file, whichever commit added it.
        fingerprints.push(value[0]["fingerprint"].clone());
    }
    // ...and wherever it is now, on whichever line.
    let run = env.gc(&["scan", "a.env", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    fingerprints.push(value[0]["fingerprint"].clone());
    assert!(
        fingerprints.iter().all(|f| *f == fingerprints[0]),
        "{fingerprints:?}"
    );
    let run = env.gc(&["scan", "--range", "nosuch..HEAD"]);
    run.code(2);
    assert!(run.stderr.contains("nosuch"), "{}", run.stderr);
}

#[test]
fn ignore_files_baselines_and_inline_markers_suppress() {
    let env = TestEnv::new();
    env.write(
        "a.txt",
        &format!("x = {}\ny = {} # gitcoord:allow\n", token(), stripe()),
    );
    let report = env.gc(&["scan", "--format", "json", "a.txt"]);
    report.code(1);
    std::fs::write(env.root().join("baseline.json"), &report.stdout).expect("write baseline");
    let baseline = env
        .root()
        .join("baseline.json")
        .to_string_lossy()
        .into_owned();
    env.gc(&["scan", "--baseline", &baseline, "a.txt"]).code(0);
    env.write(".gitleaksignore", "a.txt:github-pat:1\n");
    env.gc(&["scan", "a.txt"]).code(0);
    std::fs::remove_file(env.repo.join(".gitleaksignore")).expect("remove ignore file");
    env.write(".gitcoordignore", "# reviewed\na.txt:github-pat:1\n");
    env.gc(&["scan", "a.txt"]).code(0);
}

#[test]
fn a_gitleaks_config_at_the_root_adds_rules_and_allowlists() {
    let env = TestEnv::new();
    env.write(
        ".gitleaks.toml",
        "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"acme\"\nregex = '''acme_[a-z0-9]{16}'''\nkeywords = [\"acme_\"]\n\n[allowlist]\npaths = ['''^fixtures/''']\n",
    );
    env.write("src/a.txt", "k = acme_3j9x2lmq8v1zr7tb\n");
    write_in(
        &env.repo,
        "fixtures/b.txt",
        &format!("k = acme_3j9x2lmq8v1zr7tb {}\n", token()),
    );
    let run = env.gc(&["scan", "."]);
    run.code(1);
    assert_eq!(run.stdout, "src/a.txt:1:5: acme: acme…\n");
    env.write(
        ".gitleaks.toml",
        "[[rules]]\nid = \"broken\"\nregex = '''(unclosed'''\n",
    );
    let run = env.gc(&["scan", "."]);
    run.code(2);
    assert!(
        run.stderr
            .contains(".gitleaks.toml:3: rule \"broken\": invalid regex"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_pre_commit_hook_refuses_a_secret_without_printing_it() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.write("deploy.sh", &format!("export STRIPE_KEY={}\n", stripe()));
    env.git(&["add", "deploy.sh"]).ok();
    let run = env.git(&["commit", "-q", "-m", "deploy script"]);
    run.code(1);
    assert!(run.stderr.contains("deploy.sh:1:19"), "{}", run.stderr);
    assert!(run.stderr.contains("stripe-access-token"), "{}", run.stderr);
    assert_no_secret(&run.stderr);
    assert_no_secret(&run.stdout);
    env.write("deploy.sh", "export STRIPE_KEY=\"$STRIPE_KEY\"\n");
    env.git(&["add", "deploy.sh"]).ok();
    env.git(&["commit", "-q", "-m", "deploy script"]).ok();
}

#[test]
fn directory_scans_in_a_repository_leave_out_ignored_files() {
    let env = TestEnv::new();
    env.write(".gitignore", "build/\n");
    env.write("build/out.txt", &format!("t = {}\n", token()));
    env.write("src/new.txt", &format!("t = {}\n", token()));
    let run = env.gc(&["scan"]);
    run.code(1);
    assert_eq!(run.stdout, "src/new.txt:1:5: github-pat: ghp_…\n");
    let run = env.gc_in(&env.repo.join("src"), &["scan", "."]);
    assert_eq!(run.stdout, "new.txt:1:5: github-pat: ghp_…\n");
    let run = env.gc(&["scan", "--no-ignore"]);
    assert_eq!(
        run.stdout,
        "build/out.txt:1:5: github-pat: ghp_…\nsrc/new.txt:1:5: github-pat: ghp_…\n"
    );
}

#[test]
fn scan_exit_zero_reports_findings_and_exits_zero() {
    let env = TestEnv::new();
    env.write("app/config.py", &format!("GITHUB = \"{}\"\n", token()));
    let run = env.gc(&["scan", "--exit-zero", "app"]);
    run.code(0);
    assert_eq!(run.stdout, "app/config.py:1:11: github-pat: ghp_…\n");
    assert!(
        run.stderr
            .contains("gitcoord scan: 1 finding in 1 blob, 52 bytes"),
        "{}",
        run.stderr
    );
    let run = env.gc(&["scan", "--exit-zero", "--config", "missing.toml", "app"]);
    run.code(2);
}

#[test]
fn scan_report_path_writes_the_chosen_format_atomically_and_keeps_special_files() {
    let env = TestEnv::new();
    env.write("app/config.py", &format!("GITHUB = \"{}\"\n", token()));
    env.write("app/clean.py", "print('hello')\n");
    let run = env.gc(&[
        "scan",
        "--format",
        "json",
        "--report-path",
        "out/report.json",
        "app",
    ]);
    run.code(2);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    std::fs::create_dir_all(env.repo.join("out")).expect("mkdir");
    let run = env.gc(&[
        "scan",
        "--format",
        "json",
        "--report-path",
        "out/report.json",
        "app",
    ]);
    run.code(1);
    assert_eq!(run.stdout, "app/config.py:1:11: github-pat: ghp_…\n");
    assert!(
        run.stderr.contains("1 finding in 2 blobs, 67 bytes"),
        "{}",
        run.stderr
    );
    let report = std::fs::read_to_string(env.repo.join("out/report.json")).expect("report");
    let value: serde_json::Value = serde_json::from_str(&report).expect("JSON report");
    assert_eq!(value.as_array().map(Vec::len), Some(1), "{report}");
    assert_no_secret(&report);
    let leftovers = std::fs::read_dir(env.repo.join("out"))
        .expect("out")
        .count();
    assert_eq!(leftovers, 1, "no temporary file is left behind");

    let run = env.gc(&["scan", "--report-path", "out", "app"]);
    run.code(2);
    assert!(run.stderr.contains("is a directory"), "{}", run.stderr);
    assert!(run.stderr.contains("next:"), "{}", run.stderr);

    let run = env.gc(&[
        "scan",
        "--format",
        "sarif",
        "--report-path",
        "/dev/null",
        "app",
    ]);
    run.code(1);
    let null = std::fs::metadata("/dev/null").expect("/dev/null");
    assert!(!null.is_file(), "/dev/null is still a device");
}
