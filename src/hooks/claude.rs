//! Claude Code's hooks: `gitcoord guard` as the `PreToolUse` hook of the edit tools and
//! `gitcoord brief --hook` as the `SessionStart` hook, merged into `.claude/settings.json`
//! without touching the user's other settings.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// The Claude Code tools that edit files, which the guard judges.
pub const EDIT_TOOLS: [&str; 4] = ["Edit", "Write", "MultiEdit", "NotebookEdit"];

/// Why the settings could not be updated; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The settings file is not JSON.
    #[error("{path} is not valid JSON; nothing was changed")]
    NotJson {
        /// The settings file.
        path: PathBuf,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// The settings are JSON of another shape than Claude Code's.
    #[error("{path}: {what}; nothing was changed")]
    Shape {
        /// The settings file.
        path: PathBuf,
        /// What is not as expected.
        what: &'static str,
    },
    /// The file could not be read or written.
    #[error("cannot update {path}")]
    Io {
        /// The settings file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Adds gitcoord's hooks to `WORKTREE/.claude/settings.json`, merging with what is there
/// (idempotent). Returns the file and whether it was changed.
pub fn install(worktree: &Path) -> Result<(PathBuf, bool), Error> {
    edit_settings(worktree, add_guard)
}

/// Removes exactly gitcoord's hooks from `WORKTREE/.claude/settings.json` (and a matcher
/// group or event list left empty by that); everything else stays. Returns the file and
/// whether it was changed.
pub fn uninstall(worktree: &Path) -> Result<(PathBuf, bool), Error> {
    edit_settings(worktree, remove_hooks)
}

/// Reads the settings (`{}` when absent), applies `change`, and writes them back when it
/// changed something; a file that is not JSON of the right shape is left untouched.
fn edit_settings(
    worktree: &Path,
    change: fn(&mut Value) -> Result<bool, &'static str>,
) -> Result<(PathBuf, bool), Error> {
    let dir = worktree.join(".claude");
    let path = dir.join("settings.json");
    let io = |source| Error::Io {
        path: path.clone(),
        source,
    };
    let mut settings: Value = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map_err(|source| Error::NotJson {
            path: path.clone(),
            source,
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => json!({}),
        Err(e) => return Err(io(e)),
    };
    let added = change(&mut settings).map_err(|what| Error::Shape {
        path: path.clone(),
        what,
    })?;
    if added {
        std::fs::create_dir_all(&dir).map_err(io)?;
        let text = serde_json::to_string_pretty(&settings).expect("a JSON value always serialises");
        std::fs::write(&path, text + "\n").map_err(io)?;
    }
    Ok((path, added))
}

/// The hooks gitcoord adds: (event, matcher, command). `SessionStart` fires on a new
/// session and after `/clear` and a context compaction, so the brief comes back whenever
/// the agent's context has lost it.
/// `PostToolUse` tells what is new since the agent's last notice, once.
pub const ENTRIES: [(&str, &str, &str); 3] = [
    (
        "PreToolUse",
        "Edit|Write|MultiEdit|NotebookEdit",
        "gitcoord guard",
    ),
    (
        "SessionStart",
        "startup|resume|clear|compact",
        "gitcoord brief --hook",
    ),
    ("PostToolUse", "*", "gitcoord notice --hook"),
];

/// Takes gitcoord's hooks out of parsed settings; false when none was there.
pub fn remove_hooks(settings: &mut Value) -> Result<bool, &'static str> {
    let Some(hooks) = settings.get_mut("hooks").and_then(Value::as_object_mut) else {
        return Ok(false);
    };
    let mut removed = false;
    for (event, _, command) in ENTRIES {
        let Some(list) = hooks.get_mut(event).and_then(Value::as_array_mut) else {
            continue;
        };
        for group in list.iter_mut() {
            if let Some(inner) = group.get_mut("hooks").and_then(Value::as_array_mut) {
                let before = inner.len();
                inner.retain(|h| h["command"].as_str() != Some(command));
                removed |= inner.len() != before;
            }
        }
        list.retain(|g| g["hooks"].as_array().is_none_or(|hs| !hs.is_empty()));
        if list.is_empty() {
            hooks.remove(event);
        }
    }
    if hooks.is_empty() {
        if let Some(root) = settings.as_object_mut() {
            root.remove("hooks");
        }
    }
    Ok(removed)
}

/// Inserts gitcoord's hooks into parsed settings, each once; false when all were there.
pub fn add_guard(settings: &mut Value) -> Result<bool, &'static str> {
    let root = settings
        .as_object_mut()
        .ok_or("the settings are not a JSON object")?;
    let hooks = root.entry("hooks").or_insert_with(|| json!({}));
    let hooks = hooks.as_object_mut().ok_or("\"hooks\" is not an object")?;
    let mut added = false;
    for (event, matcher, command) in ENTRIES {
        let list = hooks.entry(event).or_insert_with(|| json!([]));
        let list = list
            .as_array_mut()
            .ok_or("a list of hooks (hooks.EVENT) is not an array")?;
        let present = list.iter().any(|m| {
            m["hooks"].as_array().is_some_and(|hs| {
                hs.iter()
                    .any(|h| h["command"].as_str().is_some_and(|c| c.contains(command)))
            })
        });
        if !present {
            list.push(json!({
                "matcher": matcher,
                "hooks": [{ "type": "command", "command": command }]
            }));
            added = true;
        }
    }
    Ok(added)
}
