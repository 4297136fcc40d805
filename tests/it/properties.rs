//! Properties of every parser of outside input: durations, paths and globs as users type
//! them, git's pre-push stdin, gitleaks configurations, plan files and the state's own
//! files. Whatever the input, a parser answers (no panic), an answer it accepts has the
//! documented shape, and a refusal carries a message; through the binary, every refusal of
//! bad input exits 2 with that message on stderr.
//!
//! Generated inputs are of three kinds: any text at all (proptest's unicode strings), text
//! built from the grammar's own pieces so that near misses are common, and valid inputs
//! (the built-in plans, a state written by the CLI) with random edits. The fast run checks
//! 256 cases of each pure property and 24 of each through the binary; the long mode
//! (`GITCOORD_TORTURE=long`) 100,000 and 400. `GITCOORD_PROPTEST_CASES=N` sets the pure
//! count and `GITCOORD_PROPTEST_SEED` picks another fixed seed.

use std::collections::BTreeMap;
use std::path::Path;

use gitcoord::git::revs::parse_push_lines;
use gitcoord::model::files::{core_from_files, from_files};
use gitcoord::model::id::normalize_pattern;
use gitcoord::model::plan_check;
use gitcoord::model::time::{MAX_DURATION_SECS, format_duration, parse_duration};
use gitcoord::policy::secrets::gitleaks;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

use crate::common::{Run, TestEnv, env_number, long_mode};

/// Runs `test` on `cases` values of `strategy` (a fixed seed), panicking with the smallest
/// failing input proptest finds.
fn check<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let config = Config {
        cases,
        rng_seed: RngSeed::Fixed(env_number("GITCOORD_PROPTEST_SEED").unwrap_or(16)),
        failure_persistence: None,
        ..Config::default()
    };
    if let Err(failure) = TestRunner::new(config).run(&strategy, test) {
        panic!("{failure}");
    }
}

/// The number of cases of a pure property.
fn pure_cases() -> u32 {
    let wanted =
        env_number("GITCOORD_PROPTEST_CASES").unwrap_or(if long_mode() { 100_000 } else { 256 });
    u32::try_from(wanted).expect("a sane number of cases")
}

/// The number of cases run through the binary.
fn binary_cases() -> u32 {
    if long_mode() { 400 } else { 24 }
}

// --- durations --------------------------------------------------------------------------

/// Durations built from the grammar's pieces: numbers small, huge and past any integer,
/// the units and a few characters that are not.
fn duration_text() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        (0u64..200).prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        "[0-9]{17,42}",
        Just(String::new()),
    ];
    let unit = prop_oneof![
        8 => "[smhdw]",
        1 => "[xM. -]",
        1 => Just(String::new()),
    ];
    prop_oneof![
        prop::collection::vec((number, unit), 1..4)
            .prop_map(|parts| parts.into_iter().map(|(n, u)| n + &u).collect()),
        "[ ]?[0-9smhdw+-]{0,10}[ ]?",
        any::<String>(),
    ]
}

/// What SPEC says a duration is, computed wide: digits and a unit, repeated (a bare
/// number means minutes), more than zero and at most 366 days.
fn duration_model(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let text = if text.bytes().all(|b| b.is_ascii_digit()) {
        format!("{text}m")
    } else {
        text.to_owned()
    };
    let mut total: u128 = 0;
    let mut digits = String::new();
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            digits.push(ch);
            continue;
        }
        let unit: u128 = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        // Past u128 is past the maximum too.
        let n: u128 = digits.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        digits.clear();
    }
    if !digits.is_empty() || total == 0 || total > MAX_DURATION_SECS as u128 {
        return None;
    }
    i64::try_from(total).ok()
}

#[test]
fn durations_are_what_the_grammar_says_or_refused_with_a_message() {
    check(pure_cases(), duration_text(), |text| {
        match parse_duration(&text) {
            Ok(d) => {
                prop_assert_eq!(Some(d.as_secs()), duration_model(&text), "{:?}", text);
                prop_assert!(d.as_secs() > 0 && d.as_secs() <= MAX_DURATION_SECS);
            }
            Err(message) => {
                prop_assert_eq!(duration_model(&text), None, "{:?} refused", text);
                prop_assert!(!message.is_empty());
            }
        }
        Ok(())
    });
}

#[test]
fn a_duration_reads_back_as_it_is_shown() {
    check(pure_cases(), 1..=MAX_DURATION_SECS, |secs| {
        // Shown to the minute from one minute up.
        let secs = if secs >= 60 { secs - secs % 60 } else { secs };
        let shown = format_duration(jiff::SignedDuration::from_secs(secs));
        let read = parse_duration(&shown).map(|d| d.as_secs());
        prop_assert_eq!(read, Ok(secs), "{:?}", shown);
        Ok(())
    });
}

// --- paths and globs as typed ------------------------------------------------------------

/// Paths from the pieces that matter: `.`, `..`, empty parts, globs, a leading or trailing
/// `/`, characters that are refused.
fn path_text() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        4 => "[a-c]{1,3}",
        2 => Just("..".to_owned()),
        1 => Just(".".to_owned()),
        1 => Just(String::new()),
        1 => Just("*".to_owned()),
        1 => Just("**".to_owned()),
        1 => Just("[ab]?".to_owned()),
        1 => Just(".hidden".to_owned()),
        1 => Just("x\\y".to_owned()),
        1 => Just("é z".to_owned()),
        1 => Just("a\nb".to_owned()),
    ];
    prop_oneof![
        (
            any::<bool>(),
            prop::collection::vec(part, 1..7),
            any::<bool>()
        )
            .prop_map(|(lead, parts, trail)| {
                let mut text = if lead { "/".to_owned() } else { String::new() };
                text.push_str(&parts.join("/"));
                if trail {
                    text.push('/');
                }
                text
            }),
        any::<String>(),
    ]
}

fn has_glob(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// A glob-free path resolved the way std reads a path, `..` popping a part: what the
/// pattern must name, or `None` where it leaves the root or names the root itself.
fn path_model(text: &str) -> Option<String> {
    if text.starts_with('/') || text.contains(['\0', '\n', '\r']) {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    for part in Path::new(text).components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                parts.pop()?;
            }
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    if parts.is_empty() {
        return None;
    }
    let mut out = parts.join("/");
    if text.ends_with('/') {
        out.push_str("/**");
    }
    Some(out)
}

#[test]
fn patterns_normalise_once_and_never_leave_the_root() {
    check(pure_cases(), path_text(), |text| {
        match normalize_pattern(&text) {
            Ok(pattern) => {
                prop_assert!(!pattern.starts_with('/'), "{:?} -> {:?}", text, pattern);
                prop_assert!(
                    pattern.split('/').all(|p| !matches!(p, "" | "." | "..")),
                    "{:?} -> {:?}",
                    text,
                    pattern
                );
                prop_assert!(!pattern.contains(['\0', '\n', '\r']));
                prop_assert_eq!(normalize_pattern(&pattern), Ok(pattern.clone()));
                if !has_glob(&text) {
                    prop_assert_eq!(Some(pattern), path_model(&text), "{:?}", text);
                }
            }
            Err(message) => {
                prop_assert!(!message.is_empty());
                if !has_glob(&text) {
                    prop_assert_eq!(path_model(&text), None, "{:?} refused: {}", text, message);
                }
            }
        }
        Ok(())
    });
}

// --- pre-push stdin -----------------------------------------------------------------------

fn sha() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[0-9a-f]{40}",
        1 => Just("0".repeat(40)),
        1 => "[0-9a-fA-Fg]{0,44}",
    ]
}

/// Pre-push lines: four fields as git writes them, with fields missing, extra, or not ids.
fn push_text() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        "refs/heads/[a-z/]{1,12}",
        Just("(delete)".to_owned()),
        "[^ \n]{0,8}"
    ];
    let line = prop_oneof![
        6 => (name.clone(), sha(), name, sha())
            .prop_map(|(l, ls, r, rs)| format!("{l} {ls} {r} {rs}")),
        1 => "[ -~\t]{0,300}",
        1 => Just(String::new()),
    ];
    prop_oneof![
        prop::collection::vec(line, 0..6).prop_map(|lines| lines.join("\n")),
        any::<String>(),
    ]
}

#[test]
fn pre_push_lines_parse_or_are_refused_in_one_short_line() {
    check(pure_cases(), push_text(), |text| {
        match parse_push_lines(&text) {
            Ok(updates) => {
                let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
                prop_assert_eq!(updates.len(), lines);
                for (update, line) in updates
                    .iter()
                    .zip(text.lines().filter(|l| !l.trim().is_empty()))
                {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    prop_assert_eq!(&update.local_ref, fields[0]);
                    prop_assert_eq!(&update.remote_ref, fields[2]);
                    prop_assert_eq!(
                        update.local.map(|id| id.to_string()),
                        (fields[1].bytes().any(|b| b != b'0')).then(|| fields[1].to_lowercase())
                    );
                }
            }
            Err(error) => {
                let shown = error.to_string();
                prop_assert!(!shown.is_empty());
                prop_assert!(!shown.contains(['\n', '\r']), "{:?}", shown);
                prop_assert!(shown.chars().count() < 400, "{} characters", shown.len());
            }
        }
        Ok(())
    });
}

// --- gitleaks configurations ---------------------------------------------------------------

/// Configurations in gitleaks's shape: rules with random regexes (valid or not), keywords,
/// entropy, secret groups and allowlists, among stray lines.
fn gitleaks_text() -> impl Strategy<Value = String> {
    let regex = "[a-z0-9()\\[\\]{}*+?|\\\\^$.,:=-]{0,24}";
    let rule = (
        "[a-z-]{0,10}",
        regex,
        prop::option::of("[a-z]{0,6}"),
        prop::option::of(-2.0f64..9.0),
        prop::option::of(-1i64..4),
        prop::option::of(regex),
    )
        .prop_map(|(id, regex, keyword, entropy, group, allow)| {
            let mut text = format!("[[rules]]\nid = \"{id}\"\nregex = '''{regex}'''\n");
            if let Some(k) = keyword {
                text += &format!("keywords = [\"{k}\"]\n");
            }
            if let Some(e) = entropy {
                text += &format!("entropy = {e}\n");
            }
            if let Some(g) = group {
                text += &format!("secretGroup = {g}\n");
            }
            if let Some(a) = allow {
                text += &format!("[[rules.allowlists]]\nregexes = ['''{a}''']\n");
            }
            text
        });
    let stray = prop_oneof![
        Just("[extend]\nuseDefault = true\n".to_owned()),
        Just("[allowlist]\npaths = ['''(.*]\n".to_owned()),
        Just("title = 1\n".to_owned()),
        Just("[[rules]]\n".to_owned()),
        "[ -~\n]{0,30}",
    ];
    prop_oneof![
        prop::collection::vec(prop_oneof![3 => rule, 1 => stray], 0..5)
            .prop_map(|parts| parts.concat()),
        any::<String>(),
    ]
}

#[test]
fn gitleaks_configurations_import_or_are_refused_saying_where() {
    check(pure_cases(), gitleaks_text(), |text| {
        if let Err(error) = gitleaks::parse(&text, "cfg.toml") {
            let shown = error.to_string();
            prop_assert!(shown.starts_with("cfg.toml"), "{}", shown);
            prop_assert!(shown.len() > "cfg.toml".len(), "{}", shown);
        }
        Ok(())
    });
}

// --- plan files -------------------------------------------------------------------------

/// The built-in plans, as shipped.
fn plans() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/plans");
    let mut texts: Vec<String> = std::fs::read_dir(&dir)
        .expect("templates/plans")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("a plan"))
        .collect();
    texts.sort();
    texts
}

/// One random edit of a text: a range deleted, a piece of TOML (or of trouble) inserted, or
/// a character replaced. Positions are fractions of the length, so the edit fits any text.
#[derive(Clone, Debug)]
enum Edit {
    Delete(f64, usize),
    Insert(f64, String),
    Replace(f64, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "[",
            "]",
            "[[",
            "]]",
            "\"",
            "'''",
            "=",
            "\n",
            ",",
            "{",
            "}",
            "#",
            "\\",
            "\u{0}",
            "é",
            "1e999",
            "-9223372036854775809",
            "true",
            "[[task]]\n",
            "[[agent]]\n",
            "after = [\"x\"]\n",
            "id = \"T1\"\n",
            "owns = [\"../x\"]\n",
            "wave = 99\n",
            "ttl = \"0m\"\n",
            "x = 1\n",
            "[plan]\n",
            "deliverables = [\"*\"]\n",
        ])
        .prop_map(str::to_owned),
        "[ -~]{1,8}",
    ];
    prop_oneof![
        (0.0..1.0f64, 1usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
        (0.0..1.0f64, piece).prop_map(|(at, s)| Edit::Insert(at, s)),
        (0.0..1.0f64, any::<char>()).prop_map(|(at, c)| Edit::Replace(at, c)),
    ]
}

fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = |f: f64, len: usize| ((f * len as f64) as usize).min(len);
    for edit in edits {
        match edit {
            Edit::Delete(f, n) => {
                let start = at(*f, chars.len());
                let end = (start + n).min(chars.len());
                chars.drain(start..end);
            }
            Edit::Insert(f, s) => {
                let start = at(*f, chars.len());
                chars.splice(start..start, s.chars());
            }
            Edit::Replace(f, c) => {
                if !chars.is_empty() {
                    let i = at(*f, chars.len() - 1);
                    chars[i] = *c;
                }
            }
        }
    }
    chars.into_iter().collect()
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(edit(), 1..4)
}

/// A built-in plan with random edits, or any text.
fn plan_text() -> impl Strategy<Value = String> {
    let plans = plans();
    prop_oneof![
        4 => (prop::sample::select(plans), edits()).prop_map(|(p, e)| apply_edits(&p, &e)),
        1 => any::<String>(),
    ]
}

#[test]
fn plans_check_or_are_refused_at_a_line_and_column() {
    check(pure_cases(), plan_text(), |text| {
        if let Err(found) = plan_check::check(&text) {
            prop_assert!(!found.is_empty());
            let lines = text.split('\n').count();
            for d in &found {
                prop_assert!(!d.message.is_empty());
                prop_assert!(
                    d.line >= 1 && d.line <= lines,
                    "line {} of {}",
                    d.line,
                    lines
                );
                prop_assert!(d.column >= 1, "{:?}", d);
            }
        }
        Ok(())
    });
}

// --- the state's files --------------------------------------------------------------------

/// A state written by the CLI with one of everything: agents, locks, a halt, messages,
/// memory, a decision and a plan with tasks and waves.
fn written_state(env: &TestEnv) -> BTreeMap<String, String> {
    env.gc(&["init", "--template", "waves"]).ok();
    env.gc(&[
        "agent",
        "add",
        "z",
        "--branch",
        "feature/z",
        "--owns",
        "z/**",
    ])
    .ok();
    env.gc(&[
        "--agent",
        "z",
        "lock",
        "z/a.rs",
        "src/deep/er/b.rs",
        "top.txt",
        "--reason",
        "work",
    ])
    .ok();
    env.gc(&[
        "--agent",
        "z",
        "msg",
        "send",
        "--to",
        "all",
        "--subject",
        "hello",
    ])
    .ok();
    env.gc(&[
        "--agent",
        "z",
        "memory",
        "set",
        "api/auth",
        "tokens are JWTs",
    ])
    .ok();
    env.gc(&[
        "--agent",
        "z",
        "decision",
        "propose",
        "--title",
        "Which database?",
        "--option",
        "postgres",
        "--option",
        "sqlite",
    ])
    .ok();
    env.gc(&["halt", "--reason", "release freeze"]).ok();
    let names = env.git(&["ls-tree", "-r", "--name-only", "refs/gitcoord/state"]);
    names
        .ok()
        .lines()
        .map(|name| {
            let text = env.state_file(name).expect("a listed file");
            (name.to_owned(), text)
        })
        .collect()
}

/// The state's files with random edits to some, and files added under random names.
fn state_files(files: BTreeMap<String, String>) -> impl Strategy<Value = BTreeMap<String, String>> {
    let names: Vec<String> = files.keys().cloned().collect();
    let added = prop_oneof![
        prop::sample::select(vec![
            "agents/.toml",
            "agents/a b.toml",
            "locks/x/y/z.toml",
            "messages/m1.toml",
            "memory/a.toml",
            "tasks/T9.toml",
            "decisions/d9.toml",
            "notes.txt",
            "halt.toml",
        ])
        .prop_map(str::to_owned),
        "[a-z/.]{1,16}",
    ];
    let change = (prop::sample::select(names), edits());
    (
        prop::collection::vec(change, 1..4),
        prop::collection::vec((added, "[ -~\n]{0,40}"), 0..2),
    )
        .prop_map(move |(changes, additions)| {
            let mut out = files.clone();
            for (name, edits) in changes {
                let text = apply_edits(&out[&name], &edits);
                out.insert(name, text);
            }
            out.extend(additions);
            out
        })
}

#[test]
fn state_files_read_or_are_refused_naming_what() {
    let env = TestEnv::new();
    let files = written_state(&env);
    assert!(files.len() >= 8, "{:?}", files.keys());
    assert!(from_files(&files).is_ok());
    check(pure_cases(), state_files(files), |files| {
        for error in [from_files(&files).err(), core_from_files(&files).err()]
            .into_iter()
            .flatten()
        {
            prop_assert!(!error.to_string().is_empty());
        }
        Ok(())
    });
}

// --- through the binary: every refusal is exit 2 with a message ---------------------------

/// A refusal of bad input as the binary gives it: exit 2, a message, no panic.
fn refused(run: &Run, what: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(run.code, 2, "{}: {}{}", what, run.stdout, run.stderr);
    prop_assert!(!run.stderr.trim().is_empty(), "{}: no message", what);
    prop_assert!(!run.stderr.contains("panicked"), "{}: {}", what, run.stderr);
    Ok(())
}

fn answered(run: &Run, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        matches!(run.code, 0..=2) && !run.stderr.contains("panicked"),
        "{}: exit {}: {}{}",
        what,
        run.code,
        run.stdout,
        run.stderr
    );
    Ok(())
}

/// A single argument a command line can carry (no NUL).
fn arg(text: String) -> String {
    text.replace('\0', "")
}

#[test]
fn the_binary_refuses_bad_durations_and_paths_with_exit_2() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "a", "--branch", "feature/a"]).ok();
    let n = std::cell::Cell::new(0);
    check(
        binary_cases(),
        (duration_text(), path_text()),
        |(ttl, path)| {
            let (ttl, path) = (arg(ttl), arg(path));
            n.set(n.get() + 1);
            let file = format!("d{}.txt", n.get());
            let run = env.gc(&["--agent", "a", "lock", &file, "--ttl", &ttl]);
            match parse_duration(&ttl) {
                Ok(_) => prop_assert_eq!(run.code, 0, "{:?}: {}", ttl, run.stderr),
                Err(_) => refused(&run, &format!("--ttl {ttl:?}"))?,
            }
            let run = env.gc(&["--agent", "a", "lock", "--", &path]);
            if normalize_pattern(&path).is_err() {
                refused(&run, &format!("lock {path:?}"))?;
            } else {
                answered(&run, &format!("lock {path:?}"))?;
            }
            if run.code == 0 {
                env.gc(&["--agent", "a", "unlock", "--", &path]);
            }
            Ok(())
        },
    );
}

#[test]
fn the_binary_refuses_bad_plans_configs_and_push_lines_with_exit_2() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    let file = env.root().join("input.toml");
    let shown = file.to_str().expect("temp paths are UTF-8").to_owned();
    let strategy = (plan_text(), gitleaks_text(), push_text());
    check(binary_cases(), strategy, |(plan, config, push)| {
        std::fs::write(&file, &plan).expect("write the plan");
        let run = env.gc(&["plan", "check", &shown]);
        match plan_check::check(&plan) {
            Ok(_) => prop_assert_eq!(run.code, 0, "{}", run.stderr),
            Err(_) => refused(&run, "plan check")?,
        }
        std::fs::write(&file, &config).expect("write the config");
        let run = env.gc(&["scan", "--config", &shown, "."]);
        match gitleaks::parse(&config, &shown) {
            Ok(_) => answered(&run, "scan --config")?,
            Err(_) => refused(&run, "scan --config")?,
        }
        let run = env.gc_stdin(&["hook", "pre-push", "origin", "file:///x"], &push);
        match parse_push_lines(&push) {
            Ok(_) => answered(&run, "pre-push")?,
            Err(_) => refused(&run, "pre-push")?,
        }
        Ok(())
    });
}

#[test]
fn the_binary_refuses_a_state_it_cannot_read_with_exit_2() {
    let env = TestEnv::new();
    let files = written_state(&env);
    env.gc(&["resume"]).ok();
    let head = env.state_head().expect("a state");
    check(binary_cases(), state_files(files), |files| {
        // Only names git's index takes (a tree holds no others).
        let writable = |name: &str| {
            name.split('/')
                .all(|p| !matches!(p, "" | "." | ".." | ".git"))
        };
        let files: BTreeMap<String, String> = files
            .into_iter()
            .filter(|(name, _)| writable(name))
            .collect();
        let good = from_files(&files).is_ok();
        env.git(&["update-ref", "refs/gitcoord/state", &head]).ok();
        for (name, text) in &files {
            if env.state_file(name).as_deref() != Some(text.as_str()) {
                env.hand_edit_state(name, text);
            }
        }
        let run = env.gc(&["status"]);
        if good {
            answered(&run, "status")?;
        } else {
            refused(&run, "status")?;
        }
        Ok(())
    });
}
