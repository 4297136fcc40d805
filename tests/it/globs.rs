//! Globs: a pattern of many stars costs a hook nothing, and the matcher agrees with git's
//! own on random globs and paths.
//!
//! The oracle is `git ls-files -- ':(glob)PATTERN'` over an index holding the paths:
//! pathspec glob magic is git's wildmatch with `WM_PATHNAME`, anchored at the repository
//! root, which is what gitcoord documents for its globs (docs/hooks.md, "Globs").
//! Gitignore matching would not do: there a pattern without `/` matches at any depth.
//! Each pair of a batch lives in a directory of its own, path `p7/PATH` against pattern
//! `[p]7/PATTERN`, so one index and one `ls-files` answer a whole batch. Writing the
//! directory as a class also keeps two pathspec shortcuts out of the way, both taken only
//! by a pathspec whose text starts with literal characters: a path whose leading part
//! equals the pathspec's whole text matches it (`src` matches `src/a.rs`), and the
//! literal part before the first wildcard is compared apart from the rest (so a `**` just
//! after it would count as a whole segment).
//!
//! Left out of the generated globs on purpose, each a documented difference: an unclosed
//! `[` (gitcoord takes it literally, git then matches nothing), a `\` before a `/` or at
//! the end, POSIX classes such as `[[:alpha:]]` (not supported), and non-ASCII text (git's
//! `?` takes one byte, gitcoord's one character).
//!
//! The normal run asks git about 256 pairs in batches of 64; `GITCOORD_PROPTEST_CASES=N`
//! asks about N pairs and `GITCOORD_PROPTEST_SEED` picks another fixed seed.

use std::collections::HashSet;

use gitcoord::model::glob::Glob;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

use crate::common::{TestEnv, env_number, write_in};

/// A pattern of 9 stars that nearly matches a 60-character name: matching it once took
/// every commit, push and guard call past 30 seconds.
const STARS: &str = "*a*a*a*a*a*a*a*a*b";

#[test]
fn a_glob_of_many_stars_costs_a_commit_and_the_guard_nothing() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "a", "--branch", "feature/a"]).ok();
    env.gc(&["agent", "add", "b", "--branch", "feature/b"]).ok();
    let wt = env.root().join("wt-b");
    let shown = wt.to_str().expect("temp paths are UTF-8");
    env.gc(&["spawn", "b", "--branch", "feature/b", "--path", shown])
        .ok();
    env.gc(&["--agent", "a", "lock", STARS]).ok();

    let near_miss = format!("{}c", "a".repeat(60));
    write_in(&wt, &near_miss, "x\n");
    env.git_in(&wt, &["add", &near_miss]).ok();
    env.git_in(&wt, &["commit", "-qm", "a near miss"]).ok();

    let hit = format!("{}b", "a".repeat(60));
    write_in(&wt, &hit, "x\n");
    env.git_in(&wt, &["add", &hit]).ok();
    let run = env.git_in(&wt, &["commit", "-qm", "locked"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!("{hit}: locked by a")),
        "{}",
        run.stderr
    );

    let near = crate::install::guard(&env, "b", &edit(&wt, &near_miss));
    assert_eq!(
        (near.code, near.stdout.as_str()),
        (0, ""),
        "{}",
        near.stderr
    );
    let locked = crate::install::guard(&env, "b", &edit(&wt, &hit));
    assert!(locked.stdout.contains("locked by a"), "{}", locked.stdout);
}

/// A Claude Code `Edit` event for `file` in the worktree `wt`.
fn edit(wt: &std::path::Path, file: &str) -> serde_json::Value {
    serde_json::json!({
        "session_id": "s1",
        "cwd": wt,
        "hook_event_name": "PreToolUse",
        "tool_name": "Edit",
        "tool_input": { "file_path": wt.join(file), "old_string": "x", "new_string": "y" }
    })
}

/// The pairs git is asked about at once.
const BATCH: usize = 64;

/// The characters of generated paths: plain ones and every one a glob treats specially.
const PATH_CHARS: &[char] = &['a', 'b', 'c', '-', '!', '^', ']', '[', '*', '?', '\\'];

/// One element of a generated segment, kept apart so a likely match can be built from it.
#[derive(Clone, Debug)]
enum Tok {
    /// A character standing for itself, written bare.
    Lit(char),
    /// A character written after `\`.
    Escaped(char),
    Any,
    Star,
    /// `[`, the negation (`!` or `^`) if any, the items as written, `]`.
    Class(Option<char>, Vec<String>),
}

/// One generated segment: `**` (or `***`), or elements.
#[derive(Clone, Debug)]
enum Seg {
    Stars(usize),
    Toks(Vec<Tok>),
}

fn tok() -> impl Strategy<Value = Tok> {
    let escapable = prop::sample::select(vec!['a', '*', '?', '[', ']', '\\', '!', '-']);
    prop_oneof![
        4 => prop::sample::select(vec!['a', 'b', 'c', '-', '!', '^', ']']).prop_map(Tok::Lit),
        1 => escapable.prop_map(Tok::Escaped),
        2 => Just(Tok::Any),
        3 => Just(Tok::Star),
        2 => class(),
    ]
}

/// A class that is closed: it has a first item, and no `!` or `^` one, which would negate
/// the class and leave the closing `]` as its first item (`[!]` is unclosed).
fn class() -> impl Strategy<Value = Tok> {
    let item = |plain: Vec<char>| {
        prop_oneof![
            4 => prop::sample::select(plain).prop_map(String::from),
            1 => prop::sample::select(vec!['a', ']', '-', '\\', '[', '!'])
                .prop_map(|c| format!("\\{c}")),
        ]
    };
    let negation = prop::option::of(prop::sample::select(vec!['!', '^']));
    let first = item(vec!['a', 'b', 'c', '-', ']', '*', '?']);
    let rest = prop::collection::vec(item(vec!['a', 'b', 'c', '-', ']', '!', '^']), 0..4);
    (negation, first, rest).prop_map(|(negation, first, mut rest)| {
        rest.insert(0, first);
        Tok::Class(negation, rest)
    })
}

fn pattern() -> impl Strategy<Value = Vec<Seg>> {
    let seg = prop_oneof![
        1 => (2usize..=3).prop_map(Seg::Stars),
        4 => prop::collection::vec(tok(), 1..5).prop_map(Seg::Toks),
    ];
    prop::collection::vec(seg, 1..5)
}

fn render(pattern: &[Seg]) -> String {
    let segs: Vec<String> = pattern
        .iter()
        .map(|seg| match seg {
            Seg::Stars(n) => "*".repeat(*n),
            Seg::Toks(toks) => toks
                .iter()
                .map(|t| match t {
                    Tok::Lit(c) => c.to_string(),
                    Tok::Escaped(c) => format!("\\{c}"),
                    Tok::Any => "?".into(),
                    Tok::Star => "*".into(),
                    Tok::Class(negation, items) => {
                        format!(
                            "[{}{}]",
                            negation.map(String::from).unwrap_or_default(),
                            items.concat()
                        )
                    }
                })
                .collect(),
        })
        .collect();
    segs.join("/")
}

/// A path the pattern likely matches: each element replaced by text it could take, from
/// `fills` in turn.
fn instantiate(pattern: &[Seg], fills: &[String]) -> String {
    let mut fill = fills.iter().cycle();
    let mut next = || fill.next().cloned().unwrap_or_default();
    let mut segs = Vec::new();
    for seg in pattern {
        match seg {
            Seg::Stars(_) => {
                let dirs = next().len();
                segs.extend((0..dirs).map(|_| next()));
            }
            Seg::Toks(toks) => segs.push(
                toks.iter()
                    .map(|t| match t {
                        Tok::Lit(c) | Tok::Escaped(c) => c.to_string(),
                        Tok::Star => next(),
                        Tok::Any => next().chars().take(1).collect(),
                        Tok::Class(_, items) => items[0]
                            .chars()
                            .last()
                            .map(String::from)
                            .unwrap_or_default(),
                    })
                    .collect(),
            ),
        }
    }
    let path: Vec<String> = segs.into_iter().filter(|s| !s.is_empty()).collect();
    if path.is_empty() {
        "a".into()
    } else {
        path.join("/")
    }
}

/// A glob and a path: half the paths built to match, half random.
fn pair() -> impl Strategy<Value = (String, String)> {
    let text = |len| {
        prop::collection::vec(prop::sample::select(PATH_CHARS), len).prop_map(String::from_iter)
    };
    let random = prop::collection::vec(text(1..4), 1..4).prop_map(|segs| segs.join("/"));
    let fills = prop::collection::vec(text(0..3), 1..6);
    (pattern(), random, fills, any::<bool>()).prop_map(|(pattern, random, fills, built)| {
        let path = if built {
            instantiate(&pattern, &fills)
        } else {
            random
        };
        (render(&pattern), path)
    })
}

/// The git blob of the empty file, every index entry's content.
const EMPTY_BLOB: &str = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

/// Asks git about every pair at once and compares its answers with both of gitcoord's:
/// the matcher, and the overlap search given the path as a literal.
fn agree_with_git(env: &TestEnv, pairs: &[(String, String)]) -> Result<(), TestCaseError> {
    env.git(&["read-tree", "--empty"]).ok();
    let entries: String = pairs
        .iter()
        .enumerate()
        .map(|(i, (_, path))| format!("100644 {EMPTY_BLOB}\tp{i}/{path}\0"))
        .collect();
    env.git_stdin(&["update-index", "-z", "--index-info"], &entries);
    let mut args = vec!["ls-files".to_owned(), "-z".into(), "--".into()];
    args.extend(
        pairs
            .iter()
            .enumerate()
            .map(|(i, (glob, _))| format!(":(glob)[p]{i}/{glob}")),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let listed = env.git(&args).ok().to_owned();
    let matched: HashSet<&str> = listed.split('\0').collect();
    let wrong: Vec<String> = pairs
        .iter()
        .enumerate()
        .filter_map(|(i, (glob, path))| {
            let git = matched.contains(format!("p{i}/{path}").as_str());
            let compiled = Glob::new(glob);
            let matches = compiled.matches(path);
            let overlaps = compiled.overlaps(&Glob::literal(path));
            (matches != git || overlaps != git).then(|| {
                format!("{glob:?} ~ {path:?}: git {git}, matches {matches}, overlaps {overlaps}")
            })
        })
        .collect();
    prop_assert!(
        wrong.is_empty(),
        "gitcoord and git disagree:\n{}",
        wrong.join("\n")
    );
    Ok(())
}

#[test]
fn globs_match_what_git_matches() {
    let wanted = env_number("GITCOORD_PROPTEST_CASES").unwrap_or(256);
    let config = Config {
        cases: u32::try_from(wanted.div_ceil(BATCH as u64)).expect("a sane number of cases"),
        rng_seed: RngSeed::Fixed(env_number("GITCOORD_PROPTEST_SEED").unwrap_or(16)),
        failure_persistence: None,
        ..Config::default()
    };
    let env = TestEnv::new();
    let mut runner = TestRunner::new(config);
    let batches = prop::collection::vec(pair(), BATCH);
    if let Err(failure) = runner.run(&batches, |pairs| agree_with_git(&env, &pairs)) {
        panic!("{failure}");
    }
}
