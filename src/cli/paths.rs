//! Turning paths and globs typed by a user (relative to where they stand) into
//! repository-relative patterns.

use std::path::Path;

use super::CliError;
use crate::git::Repo;
use crate::model::id::normalize_pattern;

/// Resolves `raw` (relative to `cwd`, `:/` and relative to the repository root, or absolute
/// inside the worktree) to a normalised repository-relative pattern; an existing directory
/// becomes `dir/**`.
pub fn repo_pattern(repo: &Repo, cwd: &Path, raw: &str) -> Result<String, CliError> {
    let bad = |m: String| {
        CliError::usage(
            m,
            "give a path inside the repository, e.g. src/main.rs, src/ or 'src/**/*.rs'",
        )
    };
    if raw.is_empty() || raw.contains(['\0', '\n', '\r']) {
        return normalize_pattern(raw).map_err(bad);
    }
    let root = repo.workdir();
    // `:/PATH` names PATH from the repository root wherever one stands, as in git.
    let joined = if let Some(from_root) = raw.strip_prefix(":/") {
        from_root.to_owned()
    } else if Path::new(raw).is_absolute() {
        let path = Path::new(raw);
        let canonical = canonical_prefix(path);
        match canonical.strip_prefix(root) {
            Ok(rel) => {
                rel.to_string_lossy().into_owned() + if raw.ends_with('/') { "/" } else { "" }
            }
            Err(_) => {
                return Err(bad(format!(
                    "'{raw}' is outside the repository at {}",
                    root.display()
                )));
            }
        }
    } else {
        let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
        let prefix = cwd
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        if prefix.is_empty() {
            raw.to_owned()
        } else {
            format!("{prefix}/{raw}")
        }
    };
    let mut pattern = normalize_pattern(&joined).map_err(bad)?;
    let is_glob = pattern.contains(['*', '?', '[']);
    if !is_glob && root.join(&pattern).is_dir() {
        pattern.push_str("/**");
    }
    Ok(pattern)
}

/// Canonicalises the longest existing ancestor of `path` (the file system resolving its
/// symlinks and `..`) and appends the rest resolved by name (`..` dropping the component
/// before it), so a path to a file not yet created — or through a directory that does not
/// exist, as in `x/../f.txt` — names the file a write would reach.
fn canonical_prefix(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let components: Vec<Component> = path.components().collect();
    let mut split = components.len();
    while split > 0 {
        let prefix: std::path::PathBuf = components[..split].iter().collect();
        if prefix.exists() {
            break;
        }
        split -= 1;
    }
    let existing: std::path::PathBuf = components[..split].iter().collect();
    let mut out = std::fs::canonicalize(&existing).unwrap_or(existing);
    for part in &components[split..] {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Normalises a policy glob (from `agent add` or a plan): always relative to the root.
pub fn policy_glob(raw: &str) -> Result<String, CliError> {
    normalize_pattern(raw).map_err(|m| {
        CliError::usage(
            m,
            "boundary globs are relative to the repository root, e.g. 'src/auth/**'",
        )
    })
}

/// The repository-relative path of `file` (absolute), or `None` when it is outside `root`.
pub fn relative_to_root(root: &Path, file: &Path) -> Option<String> {
    let canonical = canonical_prefix(file);
    let rel = canonical.strip_prefix(root).ok()?;
    let text = rel.to_string_lossy().replace('\\', "/");
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed, TestRunner};

    /// A path as typed: parts that exist (`src`, `src/a`, `docs`), parts that do not, `.`,
    /// `..`, empty parts, a trailing `/`; relative, or absolute under the root.
    fn typed() -> impl Strategy<Value = (usize, bool, Vec<&'static str>, bool)> {
        let part = prop::sample::select(vec!["src", "a", "docs", "new", "f.rs", ".", "..", ""]);
        (
            0..4usize,
            prop::bool::weighted(0.2),
            prop::collection::vec(part, 1..6),
            any::<bool>(),
        )
    }

    /// `lock` (a pattern from what a user typed, standing in some directory) and the guard
    /// (the file an agent tool names, absolute) name the same file, or both refuse it as
    /// outside the repository or the root itself: one normalisation, `..` resolved by name.
    #[test]
    fn lock_and_the_guard_name_the_same_file() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = std::fs::canonicalize(tmp.path()).expect("canonical temp dir");
        let init = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(&root)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .expect("run git init");
        assert!(init.success());
        for dir in ["src/a", "docs"] {
            std::fs::create_dir_all(root.join(dir)).expect("mkdir");
        }
        let repo = Repo::discover(&root).expect("the repository");
        let cwds = ["", "src", "src/a", "docs"];
        let config = Config {
            cases: 512,
            rng_seed: RngSeed::Fixed(16),
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        let outcome = runner.run(&typed(), |(cwd, absolute, parts, trailing)| {
            let cwd = root.join(cwds[cwd]);
            let mut raw = parts.join("/");
            if trailing {
                raw.push('/');
            }
            if absolute {
                raw = format!("{}/{raw}", cwd.display());
            }
            prop_assume!(!raw.is_empty());
            let file = cwd.join(&raw);
            let locked = repo_pattern(&repo, &cwd, &raw).ok();
            let guarded = relative_to_root(&root, &file);
            let locked = locked
                .as_deref()
                .map(|p| p.strip_suffix("/**").unwrap_or(p));
            prop_assert_eq!(locked, guarded.as_deref(), "{:?} in {:?}", raw, cwd);
            Ok(())
        });
        if let Err(failure) = outcome {
            panic!("{failure}");
        }
    }
}
