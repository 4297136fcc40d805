//! Where each part of the state lives in the state tree, and which parts a reader needs.
//!
//! Locks are filed by *key*: the directories of their pattern's literal prefix, at most two
//! levels (`src/api/x.rs` and `src/api/**/*.rs` → `src/api`; `src/*.rs` → `src`; `*.md`,
//! `**/x` → the empty key). A lock can only match a path whose directories start with its
//! key, and two locks can only overlap when one key starts with the other (see
//! [`super::glob::may_overlap`]), so a commit needs the files of its paths' keys, and a lock
//! the files of its key, its key's ancestors and (for a key of fewer than two levels) its
//! descendants. The tree itself is the index: no file lists what the others hold.

use std::collections::BTreeSet;

use super::glob::literal_prefix;

/// The directory of lock files.
pub const LOCKS_DIR: &str = "locks";
/// The directory of agent files, one per agent.
pub const AGENTS_DIR: &str = "agents";
/// The directory of message files, one per message.
pub const MESSAGES_DIR: &str = "messages";
/// The directory of the shared memory: `memory/AREA/TOPIC.toml`.
pub const MEMORY_DIR: &str = "memory";
/// How many directory levels a lock key keeps.
const KEY_DEPTH: usize = 2;

/// The key a lock with `pattern` is filed under.
pub fn lock_key(pattern: &str) -> &str {
    let prefix = literal_prefix(pattern);
    let dirs = prefix.rfind('/').map_or("", |end| &prefix[..end]);
    truncate(dirs)
}

/// The first [`KEY_DEPTH`] components of `dirs`.
fn truncate(dirs: &str) -> &str {
    match dirs.match_indices('/').nth(KEY_DEPTH - 1) {
        Some((end, _)) => &dirs[..end],
        None => dirs,
    }
}

/// The keys whose locks can match `path`: the empty key and the path's first one and two
/// directories.
pub fn path_keys(path: &str) -> impl Iterator<Item = &str> {
    let dirs = truncate(path.rfind('/').map_or("", |end| &path[..end]));
    std::iter::once("").chain(
        dirs.match_indices('/')
            .map(move |(end, _)| &dirs[..end])
            .chain((!dirs.is_empty()).then_some(dirs)),
    )
}

/// The file (inside the state tree) holding the locks of `key`: `locks/.toml` for the empty
/// key, `locks/src.toml`, `locks/src/api.toml`; components are escaped by [`escape`].
pub fn lock_file(key: &str) -> String {
    if key.is_empty() {
        return format!("{LOCKS_DIR}/.toml");
    }
    let mut file = String::from(LOCKS_DIR);
    for component in key.split('/') {
        file.push('/');
        file.push_str(&escape(component));
    }
    file.push_str(".toml");
    file
}

/// The key of a lock file's path inside the state tree, or `None` when it is not one.
pub fn key_of_lock_file(file: &str) -> Option<String> {
    let rest = file.strip_prefix(LOCKS_DIR)?.strip_prefix('/')?;
    let stem = rest.strip_suffix(".toml")?;
    if stem.is_empty() {
        return Some(String::new());
    }
    let parts: Vec<String> = stem.split('/').map(unescape).collect::<Option<_>>()?;
    (parts.len() <= KEY_DEPTH && parts.iter().all(|p| !p.is_empty())).then(|| parts.join("/"))
}

/// A directory name as a tree entry name that git and every file system take as plain:
/// bytes other than ASCII letters, digits, `-`, `_` and a `.` not in front become `%XX`
/// (so `.git` is `%2Egit`, and no name can be `.`, `..` or start with a dot).
pub fn escape(component: &str) -> String {
    let mut out = String::with_capacity(component.len());
    for (i, byte) in component.bytes().enumerate() {
        let plain =
            byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_') || (byte == b'.' && i > 0);
        if plain {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The inverse of [`escape`]; `None` for a name `escape` cannot produce.
pub fn unescape(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = name.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(out).ok()?;
    (escape(&text) == name).then_some(text)
}

/// Which locks a reader loads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Locks {
    /// Every lock file.
    All,
    /// The files of these keys, and of every key under the one-level keys in `under`.
    Keys {
        /// Keys whose own file is loaded.
        exact: BTreeSet<String>,
        /// One-level keys whose two-level descendants are loaded too.
        under: BTreeSet<String>,
    },
}

/// The parts of the state a reader loads. Meta, the halt and the agents always are; locks and
/// messages only as far as asked, so a hook or an operation reads what it touches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// Which lock files.
    pub locks: Locks,
    /// Whether the messages are loaded.
    pub messages: bool,
    /// Whether the shared memory is loaded.
    pub memory: bool,
}

impl Scope {
    /// Everything.
    pub fn all() -> Scope {
        Scope {
            locks: Locks::All,
            messages: true,
            memory: true,
        }
    }

    /// Meta, halt and agents only.
    pub fn core() -> Scope {
        Scope {
            locks: Locks::Keys {
                exact: BTreeSet::new(),
                under: BTreeSet::new(),
            },
            messages: false,
            memory: false,
        }
    }

    /// What judging changes to `paths` needs: every lock that can match one of them.
    pub fn paths<'a>(paths: impl IntoIterator<Item = &'a str>) -> Scope {
        let mut scope = Scope::core();
        if let Locks::Keys { exact, .. } = &mut scope.locks {
            for path in paths {
                exact.extend(path_keys(path).map(str::to_owned));
            }
        }
        scope
    }

    /// What taking or releasing `patterns` needs: every lock that can overlap one of them
    /// (or, as a glob, be matched by one).
    pub fn patterns<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Scope {
        let mut exact = BTreeSet::new();
        let mut under = BTreeSet::new();
        for pattern in patterns {
            let key = lock_key(pattern);
            if key.is_empty() {
                return Scope {
                    locks: Locks::All,
                    messages: false,
                    memory: false,
                };
            }
            exact.extend(path_keys(&format!("{key}/")).map(str::to_owned));
            if !key.contains('/') {
                under.insert(key.to_owned());
            }
        }
        Scope {
            locks: Locks::Keys { exact, under },
            messages: false,
            memory: false,
        }
    }

    /// This scope with the shared memory too.
    pub fn with_memory(mut self) -> Scope {
        self.memory = true;
        self
    }

    /// This scope with the messages too.
    pub fn with_messages(mut self) -> Scope {
        self.messages = true;
        self
    }

    /// Whether the locks of `key` are loaded in this scope.
    pub fn covers_key(&self, key: &str) -> bool {
        match &self.locks {
            Locks::All => true,
            Locks::Keys { exact, under } => {
                exact.contains(key)
                    || key
                        .split_once('/')
                        .is_some_and(|(first, _)| under.contains(first))
            }
        }
    }

    /// Whether everything `other` loads, this loads.
    pub fn covers(&self, other: &Scope) -> bool {
        if (other.messages && !self.messages) || (other.memory && !self.memory) {
            return false;
        }
        match (&self.locks, &other.locks) {
            (Locks::All, _) => true,
            (Locks::Keys { .. }, Locks::All) => false,
            (
                Locks::Keys { exact, under },
                Locks::Keys {
                    exact: e2,
                    under: u2,
                },
            ) => {
                u2.is_subset(under)
                    && e2.iter().all(|k| {
                        exact.contains(k)
                            || k.split_once('/')
                                .is_some_and(|(first, _)| under.contains(first))
                    })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::glob::{Glob, may_overlap};

    #[test]
    fn keys_of_patterns_and_paths() {
        for (pattern, key) in [
            ("README.md", ""),
            ("*.md", ""),
            ("**/x.rs", ""),
            ("src/a.rs", "src"),
            ("src/*.rs", "src"),
            ("src/**", "src"),
            ("src/ap*", "src"),
            ("src/api/x.rs", "src/api"),
            ("src/api/**", "src/api"),
            ("src/api/deep/er/x.rs", "src/api"),
            ("src/[ab]/x", "src"),
        ] {
            assert_eq!(lock_key(pattern), key, "{pattern}");
        }
        let keys: Vec<&str> = path_keys("src/api/deep/x.rs").collect();
        assert_eq!(keys, ["", "src", "src/api"]);
        assert_eq!(path_keys("top.txt").collect::<Vec<_>>(), [""]);
        assert_eq!(path_keys("src/x").collect::<Vec<_>>(), ["", "src"]);
    }

    #[test]
    fn lock_files_escape_what_git_or_a_file_system_would_mind() {
        assert_eq!(lock_file(""), "locks/.toml");
        assert_eq!(lock_file("src"), "locks/src.toml");
        assert_eq!(lock_file("src/api"), "locks/src/api.toml");
        assert_eq!(lock_file(".git/x y"), "locks/%2Egit/x%20y.toml");
        assert_eq!(lock_file("a.b/%ü"), "locks/a.b/%25%C3%BC.toml");
        for key in ["", "src", "src/api", ".git/x y", "a.b/%ü", ".."] {
            assert_eq!(key_of_lock_file(&lock_file(key)).as_deref(), Some(key));
        }
        for foreign in [
            "locks/x",
            "agents/a.toml",
            "locks/%2e.toml",
            "locks/a/b/c.toml",
            "locks/%zz.toml",
            "locks/.x.toml",
        ] {
            assert_eq!(key_of_lock_file(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn scopes_cover_their_parts() {
        let scope = Scope::patterns(["src/**"]);
        assert!(scope.covers_key(""));
        assert!(scope.covers_key("src"));
        assert!(scope.covers_key("src/api"));
        assert!(!scope.covers_key("docs"));
        assert!(scope.covers(&Scope::paths(["src/api/x.rs"])));
        assert!(!scope.covers(&Scope::paths(["docs/x.md"])));
        assert!(!scope.covers(&Scope::core().with_messages()));
        assert!(Scope::all().covers(&scope));
        assert!(!scope.covers(&Scope::all()));
        assert_eq!(Scope::patterns(["*.md"]).locks, Locks::All);
    }

    /// Every pattern and path drawn from a small alphabet that makes keys collide often.
    fn samples() -> Vec<String> {
        let parts = ["a", "ab", "*", "**", "a*", "[ab]", "b?"];
        let mut out = Vec::new();
        for x in parts {
            out.push(x.to_owned());
            for y in parts {
                out.push(format!("{x}/{y}"));
                for z in ["a", "*", "**", "b"] {
                    out.push(format!("{x}/{y}/{z}"));
                }
            }
        }
        out.retain(|p| !p.ends_with("**") || p == "**" || p.ends_with("/**"));
        out
    }

    #[test]
    fn the_keys_of_a_path_reach_every_lock_that_matches_it() {
        let samples = samples();
        let paths: Vec<&String> = samples
            .iter()
            .filter(|p| !p.contains(['*', '?', '[']))
            .collect();
        for pattern in &samples {
            let glob = Glob::new(pattern);
            for path in &paths {
                if glob.matches(path) {
                    assert!(
                        Scope::paths([path.as_str()]).covers_key(lock_key(pattern)),
                        "{pattern} matches {path}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_scope_of_a_pattern_reaches_every_lock_it_can_meet() {
        let samples = samples();
        for a in &samples {
            let scope = Scope::patterns([a.as_str()]);
            for b in &samples {
                let meet = may_overlap(a, b) || Glob::new(a).matches(b);
                if meet {
                    assert!(scope.covers_key(lock_key(b)), "{a} meets {b}");
                }
            }
        }
    }
}
