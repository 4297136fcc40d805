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

/// The module a source file is (`src/policy/secrets/rule.rs` → `["policy", "secrets",
/// "rule"]`; a `mod.rs` is its directory's module).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("a file under src");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    parts
}

/// Every crate-absolute path `code` names through `crate::` or `super::`, groups
/// (`crate::{a::B, c}`) expanded and `super` resolved from `module`.
fn crate_paths(code: &str, module: &[String]) -> Vec<String> {
    let code: String = code
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &code[i..];
        let starts = rest.starts_with("crate::") || rest.starts_with("super::");
        let boundary = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b':');
        if starts && boundary {
            let (paths, used) = parse_path(rest);
            for path in paths {
                out.push(resolve(&path, module));
            }
            i += used.max(1);
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// Parses `a::b::{c, d::e}` at the start of `text`: the paths it names, and the bytes used.
fn parse_path(text: &str) -> (Vec<Vec<String>>, usize) {
    let mut prefix: Vec<String> = Vec::new();
    let mut i = 0;
    let bytes = text.as_bytes();
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'{' {
            let mut paths = Vec::new();
            i += 1;
            loop {
                let (inner, used) = parse_path(&text[i..]);
                i += used;
                for p in inner {
                    let mut full = prefix.clone();
                    full.extend(p);
                    paths.push(full);
                }
                while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] == b'}' {
                    return (paths, (i + 1).min(bytes.len()));
                }
            }
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        if i == start {
            return (vec![prefix], i);
        }
        prefix.push(text[start..i].to_owned());
        if text[i..].starts_with("::") {
            i += 2;
        } else {
            return (vec![prefix], i);
        }
    }
}

/// `path` (starting with `crate` or `super`s) as an absolute `crate::…` path.
fn resolve(path: &[String], module: &[String]) -> String {
    let mut at: Vec<String> = module.to_vec();
    let mut parts = path.iter().peekable();
    if parts.peek().is_some_and(|p| *p == "crate") {
        parts.next();
        at.clear();
    }
    while parts.peek().is_some_and(|p| *p == "super") {
        parts.next();
        at.pop();
    }
    let mut full = vec!["crate".to_owned()];
    full.extend(at);
    full.extend(parts.cloned());
    full.join("::")
}

/// The files under `src/LAYER` that reach any of the layers `forbidden` (`git`, `cli`, …)
/// or name any of the `words` (`gix`, `Command`), with what they reach.
fn breaches(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for file in sources(&src.join(layer)) {
        let code = std::fs::read_to_string(&file).expect("a source file is readable");
        let module = module_of(&src, &file);
        for word in forbidden {
            let hit = match word.strip_prefix("crate::") {
                Some(layer) => crate_paths(&code, &module).iter().any(|p| {
                    p == &format!("crate::{layer}") || p.starts_with(&format!("crate::{layer}::"))
                }),
                None => names(&code, word),
            };
            if hit {
                found.push(format!("{} reaches {word}", file.display()));
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
        "std::fs",
        "std::env",
        "std::process",
        "Command::new",
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
        // Object ids cross the layers as model's own type: no gix crate outside git/.
        if names(&code, "gix_hash") {
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
    // Only git runs git: the layers above ask it.
    found.extend(breaches(
        "enforce",
        &["crate::cli", "crate::hooks", "std::process", "Command::new"],
    ));
    found.extend(breaches(
        "hooks",
        &[
            "crate::cli",
            "crate::enforce",
            "std::process",
            "Command::new",
        ],
    ));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_checker_sees_what_it_must() {
    assert!(names("use gix::ObjectId;", "gix"));
    assert!(names("let x = gix::open(p);", "gix"));
    assert!(!names("use gix_hash::ObjectId;", "gix"));
    assert!(!names("// gix is used by git only", "gix"));
    let module = |m: &[&str]| m.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let policy_rule = module(&["policy", "secrets", "rule"]);
    let paths = |code: &str| crate_paths(code, &policy_rule);
    assert_eq!(paths("use crate::git::Repo;"), ["crate::git::Repo"]);
    assert_eq!(
        paths("use crate::{git::Repo, model::{State, Lock}};"),
        [
            "crate::git::Repo",
            "crate::model::State",
            "crate::model::Lock"
        ]
    );
    assert_eq!(
        paths("use super::super::super::cli::Ctx;"),
        ["crate::cli::Ctx"]
    );
    assert_eq!(
        paths("let x = super::Rule::new();"),
        ["crate::policy::secrets::Rule::new"]
    );
    assert!(paths("use crate::github;") != ["crate::git"]);
    assert_eq!(
        module_of(Path::new("/s"), Path::new("/s/policy/mod.rs")),
        ["policy"]
    );
}
