//! Hook managers — husky, lefthook, the pre-commit framework: finding the one a repository
//! uses, the entries that make it run gitcoord, and writing them into its configuration
//! (a careful textual edit that keeps the rest of the file byte for byte).

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::git::Repo;

/// A hook manager that owns the repository's hook files and rewrites them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Manager {
    /// husky (`core.hooksPath` = `.husky/_`; the hooks are `.husky/NAME`).
    Husky,
    /// lefthook (`lefthook.yml` and its hook scripts).
    Lefthook,
    /// The pre-commit framework (`.pre-commit-config.yaml`, <https://pre-commit.com>).
    PreCommit,
}

/// lefthook's configuration files, in the order lefthook reads them.
const LEFTHOOK_CONFIGS: [&str; 6] = [
    "lefthook.yml",
    ".lefthook.yml",
    "lefthook.yaml",
    ".lefthook.yaml",
    "lefthook-local.yml",
    ".lefthook-local.yml",
];

/// The pre-commit framework's configuration file.
const PRE_COMMIT_CONFIG: &str = ".pre-commit-config.yaml";

/// What the pre-commit framework's entry runs (its `pre-commit` and `pre-push` stages).
const FRAMEWORK_ENTRY: &str = "gitcoord hook pre-commit-framework";

impl Manager {
    /// Its name, as its users say it.
    pub fn name(self) -> &'static str {
        match self {
            Manager::Husky => "husky",
            Manager::Lefthook => "lefthook",
            Manager::PreCommit => "the pre-commit framework",
        }
    }

    /// The command that makes the manager (re)write git's hooks from its configuration;
    /// `None` for husky, which runs `.husky/NAME` as it is.
    pub fn install_command(self) -> Option<&'static str> {
        match self {
            Manager::Husky => None,
            Manager::Lefthook => Some("lefthook install"),
            Manager::PreCommit => Some("pre-commit install -f -t pre-commit -t pre-push"),
        }
    }

    /// The one command line that makes the manager run gitcoord.
    pub fn fix(self) -> String {
        match self.install_command() {
            Some(install) => format!("gitcoord install --write && {install}"),
            None => "gitcoord install --write".to_owned(),
        }
    }

    /// The configuration file gitcoord's entries go in (the first lefthook file present).
    pub fn config(self, root: &Path) -> PathBuf {
        match self {
            Manager::Husky => root.join(".husky"),
            Manager::Lefthook => LEFTHOOK_CONFIGS[..4]
                .iter()
                .map(|f| root.join(f))
                .find(|p| p.is_file())
                .unwrap_or_else(|| root.join(LEFTHOOK_CONFIGS[0])),
            Manager::PreCommit => root.join(PRE_COMMIT_CONFIG),
        }
    }

    /// Whether the manager's configuration runs gitcoord's check for `hook`.
    pub fn runs(self, root: &Path, hook: &str) -> bool {
        let has =
            |path: PathBuf, what: &str| fs::read_to_string(path).is_ok_and(|t| t.contains(what));
        match self {
            Manager::Husky => has(root.join(".husky").join(hook), "gitcoord hook"),
            Manager::Lefthook => LEFTHOOK_CONFIGS
                .iter()
                .any(|f| has(root.join(f), &format!("gitcoord hook {hook}"))),
            Manager::PreCommit => has(root.join(PRE_COMMIT_CONFIG), FRAMEWORK_ENTRY),
        }
    }

    /// The entries that make the manager run gitcoord, as they are to be added.
    pub fn entries(self) -> String {
        match self {
            Manager::Husky => HUSKY_HOOKS
                .iter()
                .map(|h| format!("echo '{}' >> .husky/{h}", husky_line(h)))
                .collect::<Vec<_>>()
                .join("\n"),
            Manager::Lefthook => LEFTHOOK_HOOKS
                .iter()
                .map(|h| format!("{h}:\n{}", lefthook_body(h, "  ", "  ")))
                .collect(),
            Manager::PreCommit => format!("repos:\n{}", framework_block("  ")),
        }
    }
}

/// The hooks a manager is asked to run gitcoord for (`pre-merge-commit` only adds the halt
/// to merges that need no resolving, so a set-up without it still enforces the rest).
pub const MANAGED_HOOKS: [&str; 2] = ["pre-commit", "pre-push"];
const HUSKY_HOOKS: [&str; 2] = MANAGED_HOOKS;
const LEFTHOOK_HOOKS: [&str; 2] = MANAGED_HOOKS;

fn husky_line(hook: &str) -> String {
    format!("gitcoord hook {hook} \"$@\"")
}

/// lefthook's `commands:` entry for `hook`, its first line at `indent`, nested by `step`.
fn lefthook_body(hook: &str, indent: &str, step: &str) -> String {
    let run = match hook {
        "pre-push" => format!("gitcoord hook {hook} {{1}} {{2}}"),
        _ => format!("gitcoord hook {hook}"),
    };
    let mut text =
        format!("{indent}commands:\n{indent}{step}gitcoord:\n{indent}{step}{step}run: {run}\n");
    if hook == "pre-push" {
        // Without it lefthook gives gitcoord no stdin: the push would look empty.
        text.push_str(&format!("{indent}{step}{step}use_stdin: true\n"));
    }
    text
}

/// The pre-commit framework's `repo: local` entry, the list item at `indent`. `language:
/// system` runs the gitcoord on PATH: nothing is fetched or built.
fn framework_block(indent: &str) -> String {
    [
        "- repo: local",
        "  hooks:",
        "    - id: gitcoord",
        "      name: gitcoord (halt, locks, boundaries, merge order, secrets)",
        &format!("      entry: {FRAMEWORK_ENTRY}"),
        "      language: system",
        "      pass_filenames: false",
        "      always_run: true",
        "      require_serial: true",
        "      stages: [pre-commit, pre-push]",
    ]
    .iter()
    .map(|l| format!("{indent}{l}\n"))
    .collect()
}

/// The hook manager of the repository at `root` whose hooks git runs from `hooks_dir`:
/// husky by `core.hooksPath`, lefthook and the pre-commit framework by their configuration
/// file or by the hook scripts they install.
pub fn detect(root: &Path, hooks_dir: &Path) -> Option<Manager> {
    if hooks_dir.components().any(|c| c.as_os_str() == ".husky") {
        return Some(Manager::Husky);
    }
    let script = fs::read_to_string(hooks_dir.join("pre-commit")).unwrap_or_default();
    if LEFTHOOK_CONFIGS.iter().any(|f| root.join(f).is_file()) || is_lefthook(&script) {
        return Some(Manager::Lefthook);
    }
    if root.join(PRE_COMMIT_CONFIG).is_file() || is_framework(&script) {
        return Some(Manager::PreCommit);
    }
    None
}

/// Whether a hook file's text is lefthook's script.
pub fn is_lefthook(text: &str) -> bool {
    text.contains("lefthook")
}

/// Whether a hook file's text is the pre-commit framework's script.
pub fn is_framework(text: &str) -> bool {
    text.contains("pre-commit.com") || text.contains("INSTALL_PYTHON")
}

/// Why gitcoord's entries could not be written; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file's layout is one the textual edit does not take apart safely.
    #[error("{}: {what}, so gitcoord's entries were not added; nothing was changed", path.display())]
    Layout {
        /// The configuration file.
        path: PathBuf,
        /// What stands in the way.
        what: &'static str,
    },
    /// The file could not be read or written.
    #[error("cannot update {}", path.display())]
    Io {
        /// The configuration file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Writes the entries that make `manager` run gitcoord into its configuration, unless they
/// are there; the rest of each file stays byte for byte. Returns the files changed.
pub fn write(repo: &Repo, manager: Manager) -> Result<Vec<PathBuf>, Error> {
    let root = repo.workdir();
    let mut changed = Vec::new();
    match manager {
        Manager::Husky => {
            for hook in HUSKY_HOOKS {
                if manager.runs(root, hook) {
                    continue;
                }
                let path = root.join(".husky").join(hook);
                let text = read(&path)?;
                let sep = if text.is_empty() || text.ends_with('\n') {
                    ""
                } else {
                    "\n"
                };
                save(&path, &format!("{text}{sep}{}\n", husky_line(hook)))?;
                changed.push(path);
            }
        }
        Manager::Lefthook | Manager::PreCommit => {
            let edit = if manager == Manager::Lefthook {
                edit_lefthook
            } else {
                edit_framework
            };
            let path = manager.config(root);
            let text = read(&path)?;
            let edited = edit(&text).map_err(|what| Error::Layout {
                path: path.clone(),
                what,
            })?;
            if edited != text {
                save(&path, &edited)?;
                changed.push(path);
            }
        }
    }
    Ok(changed)
}

fn read(path: &Path) -> Result<String, Error> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(source) => Err(Error::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn save(path: &Path, text: &str) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io)?;
    }
    fs::write(path, text).map_err(io)
}

/// `text` ending with a newline (nothing added to an empty text).
fn with_newline(text: &str) -> String {
    if text.is_empty() || text.ends_with('\n') {
        text.to_owned()
    } else {
        format!("{text}\n")
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Whether `line` starts a new top-level entry of a YAML map.
fn is_top_level(line: &str) -> bool {
    !line.is_empty() && !line.starts_with([' ', '\t', '#', '-'])
}

/// The lines of the top-level `key:` block: (index of the key line, end of the block).
/// `Err` when the key holds an inline value (`key: {}`), which a textual edit cannot extend.
fn block(lines: &[&str], key: &str) -> Result<Option<(usize, usize)>, &'static str> {
    let Some(at) = lines.iter().position(|l| {
        l.strip_prefix(key)
            .and_then(|r| r.strip_prefix(':'))
            .is_some_and(|r| r.trim().is_empty() || r.trim_start().starts_with('#'))
    }) else {
        if lines.iter().any(|l| l.starts_with(&format!("{key}:"))) {
            return Err("a top-level key holds an inline value");
        }
        return Ok(None);
    };
    let end = lines[at + 1..]
        .iter()
        .position(|l| is_top_level(l))
        .map_or(lines.len(), |n| at + 1 + n);
    // The block ends at its last line with content, not at blank lines before the next key.
    let end = (at + 1..end)
        .rev()
        .find(|&i| !lines[i].trim().is_empty())
        .map_or(at + 1, |i| i + 1);
    Ok(Some((at, end)))
}

/// Adds gitcoord's lefthook commands to a `lefthook.yml` text: under an existing
/// `commands:` of the hook, as the hook's first key, or as a new hook at the end.
pub fn edit_lefthook(text: &str) -> Result<String, &'static str> {
    let mut text = text.to_owned();
    for hook in LEFTHOOK_HOOKS {
        if text.contains(&format!("gitcoord hook {hook}")) {
            continue;
        }
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let bare: Vec<&str> = lines
            .iter()
            .map(|l| l.trim_end_matches(['\n', '\r']))
            .collect();
        let Some((at, end)) = block(&bare, hook)? else {
            text = format!(
                "{}{hook}:\n{}",
                with_newline(&text),
                lefthook_body(hook, "  ", "  ")
            );
            continue;
        };
        let children: Vec<usize> = (at + 1..end)
            .filter(|&i| !bare[i].trim().is_empty() && !bare[i].trim_start().starts_with('#'))
            .collect();
        let child = children.first().map_or(2, |&i| indent_of(bare[i]));
        if child == 0 || bare[at + 1..end].iter().any(|l| l.starts_with('\t')) {
            return Err("its indentation is not spaces");
        }
        let commands = children
            .iter()
            .find(|&&i| indent_of(bare[i]) == child && bare[i].trim() == "commands:");
        let (after, insert) = match commands {
            Some(&c) => {
                let entry = children
                    .iter()
                    .find(|&&i| i > c && indent_of(bare[i]) > child)
                    .map_or(child * 2, |&i| indent_of(bare[i]));
                let body = lefthook_body(hook, &" ".repeat(child), &" ".repeat(entry - child));
                // Without its `commands:` line: the entry goes under the existing one.
                (
                    c,
                    body.split_once('\n')
                        .map_or(String::new(), |(_, rest)| rest.to_owned()),
                )
            }
            None => (
                at,
                lefthook_body(hook, &" ".repeat(child), &" ".repeat(child)),
            ),
        };
        let mut out: String = lines[..=after].concat();
        let out_nl = with_newline(&out);
        out = out_nl + &insert;
        out.push_str(&lines[after + 1..].concat());
        text = out;
    }
    Ok(text)
}

/// Adds gitcoord's `repo: local` hook to a `.pre-commit-config.yaml` text, as the last item
/// of `repos:` (or a new `repos:` at the end).
pub fn edit_framework(text: &str) -> Result<String, &'static str> {
    if text.contains(FRAMEWORK_ENTRY) {
        return Ok(text.to_owned());
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let bare: Vec<&str> = lines
        .iter()
        .map(|l| l.trim_end_matches(['\n', '\r']))
        .collect();
    let Some((at, end)) = block(&bare, "repos")? else {
        return Ok(format!(
            "{}repos:\n{}",
            with_newline(text),
            framework_block("  ")
        ));
    };
    let item = bare[at + 1..end]
        .iter()
        .find(|l| l.trim_start().starts_with("- "))
        .map_or(2, |l| indent_of(l));
    if bare[at + 1..end].iter().any(|l| l.starts_with('\t')) {
        return Err("its indentation is not spaces");
    }
    let head = with_newline(&lines[..end].concat());
    Ok(format!(
        "{head}{}{}",
        framework_block(&" ".repeat(item)),
        lines[end..].concat()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lefthook_entries_are_added_where_they_belong_and_once() {
        let cases = [
            (
                "",
                "pre-commit:\n  commands:\n    gitcoord:\n      run: gitcoord hook pre-commit\npre-push:\n  commands:\n    gitcoord:\n      run: gitcoord hook pre-push {1} {2}\n      use_stdin: true\n",
            ),
            (
                "# lint\npre-commit:\n    parallel: true\n    commands:\n        lint:\n            run: eslint\n\nskip_output: [meta]",
                "# lint\npre-commit:\n    parallel: true\n    commands:\n        gitcoord:\n            run: gitcoord hook pre-commit\n        lint:\n            run: eslint\n\nskip_output: [meta]\npre-push:\n  commands:\n    gitcoord:\n      run: gitcoord hook pre-push {1} {2}\n      use_stdin: true\n",
            ),
            (
                "pre-push:\n  jobs:\n    - run: test\n",
                "pre-push:\n  commands:\n    gitcoord:\n      run: gitcoord hook pre-push {1} {2}\n      use_stdin: true\n  jobs:\n    - run: test\npre-commit:\n  commands:\n    gitcoord:\n      run: gitcoord hook pre-commit\n",
            ),
        ];
        for (before, after) in cases {
            let edited = edit_lefthook(before).expect("editable");
            assert_eq!(edited, after, "{before:?}");
            assert_eq!(
                edit_lefthook(&edited).expect("editable"),
                edited,
                "idempotent"
            );
        }
        assert!(edit_lefthook("pre-commit: {}\n").is_err());
    }

    #[test]
    fn the_framework_entry_goes_last_in_repos_and_once() {
        let block = framework_block("  ");
        let cases = [
            ("", format!("repos:\n{block}")),
            (
                "repos:\n  - repo: local\n    hooks: []\n\nci:\n  skip: [x]\n",
                format!("repos:\n  - repo: local\n    hooks: []\n{block}\nci:\n  skip: [x]\n"),
            ),
            (
                "default_stages: [pre-commit]\nrepos:\n- repo: meta\n  hooks: []",
                format!(
                    "default_stages: [pre-commit]\nrepos:\n- repo: meta\n  hooks: []\n{}",
                    framework_block("")
                ),
            ),
        ];
        for (before, after) in cases {
            let edited = edit_framework(before).expect("editable");
            assert_eq!(edited, after, "{before:?}");
            assert_eq!(
                edit_framework(&edited).expect("editable"),
                edited,
                "idempotent"
            );
        }
        assert!(edit_framework("repos: []\n").is_err());
    }
}
