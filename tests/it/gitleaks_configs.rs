//! gitleaks configuration parity: every file of `tests/it/gitleaks_configs/` is loaded or
//! refused as `verdicts.txt` records (gitleaks 8.26's verdict), and, when gitleaks is on
//! PATH, gitleaks is run over each file too and must agree.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::TestEnv;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/gitleaks_configs")
}

/// `(file, loads)` for every configuration of the corpus.
fn verdicts() -> Vec<(String, bool)> {
    let text = std::fs::read_to_string(corpus().join("verdicts.txt")).expect("verdicts.txt");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (file, verdict) = l.split_once(' ').expect("FILE VERDICT");
            assert!(matches!(verdict, "load" | "refuse"), "{l}");
            (file.to_owned(), verdict == "load")
        })
        .collect()
}

#[test]
fn the_corpus_records_a_verdict_for_each_configuration() {
    let listed: Vec<_> = verdicts().into_iter().map(|(f, _)| f).collect();
    let mut files: Vec<_> = std::fs::read_dir(corpus())
        .expect("corpus")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    files.sort();
    assert_eq!(listed, files);
    assert!(listed.len() >= 50, "{} configurations", listed.len());
}

#[test]
fn gitcoord_loads_and_refuses_each_configuration_as_recorded() {
    let env = TestEnv::new();
    let empty = env.home.join("empty");
    std::fs::create_dir_all(&empty).expect("empty dir");
    let empty = empty.to_string_lossy().into_owned();
    let mut wrong = Vec::new();
    for (file, loads) in verdicts() {
        let run = env.gc_in(&corpus(), &["scan", "--config", &file, &empty]);
        match (loads, run.code) {
            (true, 0) => {}
            (false, 2) => {
                assert!(run.stderr.contains(&file), "{file}: {}", run.stderr);
                assert!(run.stderr.contains("next:"), "{file}: {}", run.stderr);
            }
            _ => wrong.push(format!("{file}: exit {} {}", run.code, run.stderr.trim())),
        }
    }
    assert!(wrong.is_empty(), "not as recorded:\n{}", wrong.join("\n"));
}

#[test]
fn gitleaks_agrees_with_each_recorded_verdict_when_installed() {
    let installed = Command::new("gitleaks")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        println!("gitleaks is not on PATH: the recorded verdicts are not re-checked against it");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).expect("empty dir");
    let (mut agree, mut differ) = (0, Vec::new());
    let all = verdicts();
    for (file, loads) in &all {
        // A report file of its own: --report-path replaces the file it names.
        let report = tmp.path().join("report.json");
        let status = Command::new("gitleaks")
            .current_dir(corpus())
            .args([
                "dir",
                "--config",
                file,
                "--no-banner",
                "--report-format",
                "json",
            ])
            .arg("--report-path")
            .arg(&report)
            .arg(&empty)
            .env_remove("GITLEAKS_CONFIG")
            .env_remove("GITLEAKS_CONFIG_TOML")
            .output()
            .expect("run gitleaks");
        if status.status.success() == *loads {
            agree += 1;
        } else {
            differ.push(format!("{file}: gitleaks exit {:?}", status.status.code()));
        }
    }
    println!("gitleaks agrees on {agree}/{} configurations", all.len());
    assert!(
        differ.is_empty(),
        "gitleaks differs:\n{}",
        differ.join("\n")
    );
}

#[test]
fn a_refused_extended_file_is_named_with_the_file_extending_it_and_its_line() {
    let env = TestEnv::new();
    env.write(
        "rules/base.toml",
        "[[rules]]\nid = \"base\"\nregex = '''ok_[a-z]{8}'''\n\n[[allowlists]]\ncondition = \"XOR\"\npaths = ['''^x/''']\n",
    );
    env.write("top.toml", "[extend]\npath = \"rules/base.toml\"\n");
    let run = env.gc(&["scan", "--config", "top.toml", "rules"]);
    run.code(2);
    assert!(
        run.stderr
            .contains("rules/base.toml (extended by top.toml):7: unknown allowlist condition"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("next:"), "{}", run.stderr);

    env.write("top.toml", "[extend]\npath = \"rules/missing.toml\"\n");
    let run = env.gc(&["scan", "--config", "top.toml", "rules"]);
    run.code(2);
    assert!(
        run.stderr
            .contains("top.toml: cannot read rules/missing.toml, which its [extend] path names"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_extended_chain_merges_rules_allowlists_and_disabled_rules() {
    let env = TestEnv::new();
    let token = format!("base_{}", "q7w2e9r4t1y8u3i6o5p0a2s7");
    env.write(
        "base.toml",
        "[[rules]]\nid = \"base-token\"\nregex = '''base_[a-z0-9]{24}'''\nkeywords = [\"base_\"]\n\n[[rules]]\nid = \"other\"\nregex = '''other_[0-9]{8}'''\n",
    );
    env.write(
        ".gitleaks.toml",
        "[extend]\npath = \"base.toml\"\ndisabledRules = [\"other\"]\n\n[[rules]]\nid = \"base-token\"\n[[rules.allowlists]]\npaths = ['''^fixtures/''']\n",
    );
    env.write("src/a.txt", &format!("t = {token}\no = other_12345678\n"));
    env.write("fixtures/a.txt", &format!("t = {token}\n"));
    let run = env.gc(&["scan", "src", "fixtures"]);
    run.code(1);
    assert_eq!(run.stdout, "src/a.txt:1:5: base-token: base…\n");
}
