//! The layering rule, kept by a test: `model` and `policy` are pure (no git, no command
//! line, no enforcement, no gix), and only `git` names gix. Imports point down only.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).expect("the source tree is readable");
        for entry in entries {
            let path = entry.expect("the source tree is readable").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Whether `code` names `word` as a whole identifier path segment (`gix` in `gix::x` or
/// `use gix`, not in `gix_hash` or a comment).
fn names(code: &str, word: &str) -> bool {
    code.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .any(|line| {
            line.match_indices(word).any(|(i, _)| {
                let before = line[..i].chars().next_back();
                let after = line[i + word.len()..].chars().next();
                let ident = |c: char| c.is_alphanumeric() || c == '_';
                !before.is_some_and(ident) && !after.is_some_and(ident)
            })
        })
}

/// The files under `src/LAYER` that name any of `forbidden`, with what they name.
fn breaches(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for file in sources(&src.join(layer)) {
        let code = std::fs::read_to_string(&file).expect("a source file is readable");
        for word in forbidden {
            if names(&code, word) {
                found.push(format!("{} names {word}", file.display()));
            }
        }
    }
    found
}

#[test]
fn model_and_policy_are_pure() {
    let forbidden = [
        "crate::git",
        "crate::cli",
        "crate::enforce",
        "crate::hooks",
        "gix",
    ];
    let mut found = breaches("model", &forbidden);
    found.extend(breaches("policy", &forbidden));
    found.extend(breaches("model", &["crate::policy"]));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn only_git_names_gix() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for file in sources(&src) {
        if file.starts_with(src.join("git")) || file.ends_with("src/layering.rs") {
            continue;
        }
        let code = std::fs::read_to_string(&file).expect("a source file is readable");
        if names(&code, "gix") {
            found.push(file.display().to_string());
        }
        // The one shared type is re-exported by model/change.rs; nobody else names its crate.
        if names(&code, "gix_hash") && !file.ends_with("model/change.rs") {
            found.push(format!("{} names gix_hash", file.display()));
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn lower_layers_do_not_reach_up() {
    let mut found = breaches(
        "git",
        &[
            "crate::cli",
            "crate::enforce",
            "crate::hooks",
            "crate::policy",
        ],
    );
    found.extend(breaches("enforce", &["crate::cli", "crate::hooks"]));
    found.extend(breaches("hooks", &["crate::cli", "crate::enforce"]));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_checker_sees_what_it_must() {
    assert!(names("use gix::ObjectId;", "gix"));
    assert!(names("let x = gix::open(p);", "gix"));
    assert!(!names("use gix_hash::ObjectId;", "gix"));
    assert!(!names("// gix is used by git only", "gix"));
    assert!(names("use crate::git::Repo;", "crate::git"));
    assert!(!names("use crate::github;", "crate::git"));
}
