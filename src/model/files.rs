//! The state as files: TOML texts a human can read (and diff), one per part that changes on
//! its own, laid out as `docs/state-format.md` describes.
//!
//! Format 2 (written by this version): `gitcoord.toml` (format, settings), `halt.toml`,
//! `agents/ID.toml` (one per agent), `locks/KEY.toml` (locks filed by path prefix, see
//! [`super::shard`]) and `messages/ID.toml` (one per message). Format 1 (read, and migrated
//! by the next write): `gitcoord.toml`, `agents.toml`, `locks.toml`, `halt.toml`,
//! `messages.toml`. A file that is absent means "empty".

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::plan_state::PlanState;
use super::shard::{self, AGENTS_DIR, MEMORY_DIR, MESSAGES_DIR, Scope};
use super::state::{FORMAT_VERSION, Halt, Meta, State};
use super::task::Task;
use super::{Agent, Lock, Message};

/// The file holding the format version and settings.
pub const META_FILE: &str = "gitcoord.toml";
/// The file present while the repository is halted.
pub const HALT_FILE: &str = "halt.toml";
/// The plan applied last, without its agents and tasks.
pub const PLAN_FILE: &str = "plan.toml";
/// The directory of task files, one per task.
pub const TASKS_DIR: &str = "tasks";
/// The directory of the decision log, one file per decision.
pub const DECISIONS_DIR: &str = "decisions";
/// The files of format 1, replaced by the directories of format 2.
pub const FORMAT_1_FILES: &[&str] = &[V1_AGENTS_FILE, V1_LOCKS_FILE, V1_MESSAGES_FILE];
const V1_AGENTS_FILE: &str = "agents.toml";
const V1_LOCKS_FILE: &str = "locks.toml";
const V1_MESSAGES_FILE: &str = "messages.toml";
/// The entries of the state tree's root this version reads and writes (format 2).
pub const KNOWN: &[&str] = &[
    META_FILE,
    HALT_FILE,
    AGENTS_DIR,
    shard::LOCKS_DIR,
    MESSAGES_DIR,
    MEMORY_DIR,
];

/// A state file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The TOML of a file is malformed or does not fit the schema.
    #[error("{file} in the state is not valid: {message}")]
    Malformed {
        /// The file name inside the state tree.
        file: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The state was written by a newer gitcoord.
    #[error(
        "the state has format {found}, newer than this gitcoord understands ({FORMAT_VERSION})"
    )]
    TooNew {
        /// The format found.
        found: u32,
    },
    /// `gitcoord.toml` is missing.
    #[error("the state has no {META_FILE}")]
    NoMeta,
    /// A file name where this format has no such file.
    #[error("the state holds '{file}', which this format does not have")]
    Unexpected {
        /// The file name inside the state tree.
        file: String,
    },
}

/// A change that would write a part of the state that was not read: a bug in the caller's
/// scope, caught before it can clobber what it did not see.
#[derive(Debug, thiserror::Error)]
#[error("the operation changes {file}, which it did not read")]
pub struct OutOfScope {
    /// The file.
    pub file: String,
}

/// Just the format version of `gitcoord.toml`, readable whatever else the file holds.
#[derive(Deserialize)]
struct FormatOnly {
    format: u32,
}

#[derive(Serialize, Deserialize, Default)]
struct AgentsFile {
    #[serde(default)]
    agent: BTreeMap<String, Agent>,
}

#[derive(Serialize, Deserialize, Default)]
struct LocksFile {
    #[serde(default)]
    lock: Vec<Lock>,
}

#[derive(Serialize, Deserialize, Default)]
struct MessagesFile {
    #[serde(default)]
    message: Vec<Message>,
}

fn parse_text<T: DeserializeOwned>(name: &str, text: &str) -> Result<T, Error> {
    toml::from_str(text).map_err(|e| Error::Malformed {
        file: name.to_owned(),
        message: e.to_string().trim_end().replace('\n', "\n  "),
    })
}

fn parse<T: DeserializeOwned>(
    files: &BTreeMap<String, String>,
    name: &str,
) -> Result<Option<T>, Error> {
    files
        .get(name)
        .map(|text| parse_text(name, text))
        .transpose()
}

/// The format of the state whose `gitcoord.toml` is `meta`, refusing newer ones: checked
/// before anything else, since a newer format may have changed the shape of any file.
pub fn format_of(meta: &str) -> Result<u32, Error> {
    let version: FormatOnly = parse_text(META_FILE, meta)?;
    if version.format > FORMAT_VERSION {
        return Err(Error::TooNew {
            found: version.format,
        });
    }
    Ok(version.format)
}

/// Builds the state from the files of a state tree (path → UTF-8 text), of either format.
/// In format 2 only the files given are read: a state read in a [`Scope`] holds the locks
/// and messages of that scope.
pub fn from_files(files: &BTreeMap<String, String>) -> Result<State, Error> {
    let format = format_of(files.get(META_FILE).ok_or(Error::NoMeta)?)?;
    if format < 2 {
        return from_format_1(files);
    }
    let mut state = core_from_files(files)?;
    add_parts(
        &mut state,
        files.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )?;
    Ok(state)
}

/// The `.toml` files directly in `dir` among `files`: (path, id, text).
fn in_dir<'f>(
    files: &'f BTreeMap<String, String>,
    dir: &str,
) -> impl Iterator<Item = Result<(&'f str, &'f str, &'f str), Error>> {
    let prefix = format!("{dir}/");
    files
        .range(prefix.clone()..)
        .take_while(move |(name, _)| name.starts_with(&prefix))
        .map(move |(name, text)| {
            let id = name[dir.len() + 1..]
                .strip_suffix(".toml")
                .filter(|id| super::id::is_stored_id(id))
                .ok_or_else(|| Error::Unexpected { file: name.clone() })?;
            Ok((name.as_str(), id, text.as_str()))
        })
}

/// The core of a format-2 state from its files: meta, halt, plan, agents and tasks; no
/// locks nor messages.
pub fn core_from_files(files: &BTreeMap<String, String>) -> Result<State, Error> {
    let meta: Meta = parse(files, META_FILE)?.ok_or(Error::NoMeta)?;
    let halt: Option<Halt> = parse(files, HALT_FILE)?;
    let plan: Option<PlanState> = parse(files, PLAN_FILE)?;
    let mut agents = BTreeMap::new();
    for file in in_dir(files, AGENTS_DIR) {
        let (name, id, text) = file?;
        agents.insert(id.to_owned(), parse_text::<Agent>(name, text)?);
    }
    let mut tasks = BTreeMap::new();
    for file in in_dir(files, TASKS_DIR) {
        let (name, id, text) = file?;
        tasks.insert(id.to_owned(), parse_text::<Task>(name, text)?);
    }
    let mut decisions = BTreeMap::new();
    for file in in_dir(files, DECISIONS_DIR) {
        let (name, id, text) = file?;
        let decision: super::decision::Decision = parse_text(name, text)?;
        if decision.id != id {
            return Err(Error::Unexpected {
                file: name.to_owned(),
            });
        }
        decisions.insert(id.to_owned(), decision);
    }
    Ok(State {
        meta,
        agents,
        locks: Vec::new(),
        halt,
        messages: Vec::new(),
        plan,
        tasks,
        decisions,
        memory: BTreeMap::new(),
    })
}

/// Adds the locks and messages among `files` (path, text) to `state`; other files are
/// skipped. Messages end in the order sent.
pub fn add_parts<'a>(
    state: &mut State,
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), Error> {
    let messages_prefix = format!("{MESSAGES_DIR}/");
    let memory_prefix = format!("{MEMORY_DIR}/");
    for (name, text) in files {
        if let Some(rest) = name.strip_prefix(&memory_prefix) {
            let key = rest
                .strip_suffix(".toml")
                .filter(|key| super::memory::validate_key(key).is_ok())
                .ok_or_else(|| Error::Unexpected {
                    file: name.to_owned(),
                })?;
            state.memory.insert(key.to_owned(), parse_text(name, text)?);
            continue;
        }
        if let Some(rest) = name.strip_prefix(&messages_prefix) {
            let message: Message = parse_text(name, text)?;
            if rest != format!("{}.toml", shard::escape(&message.id)) {
                return Err(Error::Unexpected {
                    file: name.to_owned(),
                });
            }
            state.messages.push(message);
        } else if name.starts_with(shard::LOCKS_DIR)
            && name[shard::LOCKS_DIR.len()..].starts_with('/')
        {
            let key = shard::key_of_lock_file(name).ok_or_else(|| Error::Unexpected {
                file: name.to_owned(),
            })?;
            let file: LocksFile = parse_text(name, text)?;
            if let Some(lock) = file
                .lock
                .iter()
                .find(|l| shard::lock_key(&l.pattern) != key)
            {
                return Err(Error::Malformed {
                    file: name.to_owned(),
                    message: format!(
                        "the lock on '{}' belongs in {}",
                        lock.pattern,
                        shard::lock_file(shard::lock_key(&lock.pattern))
                    ),
                });
            }
            state.locks.extend(file.lock);
        }
    }
    state
        .messages
        .sort_by(|a, b| message_order(a).cmp(&message_order(b)));
    Ok(())
}

/// Messages in the order sent: by time, then by number (`m9` before `m10`).
fn message_order(m: &Message) -> (jiff::Timestamp, u64, &str) {
    let number = m.id.strip_prefix('m').and_then(|n| n.parse().ok());
    (m.sent, number.unwrap_or(u64::MAX), &m.id)
}

fn from_format_1(files: &BTreeMap<String, String>) -> Result<State, Error> {
    let meta: Meta = parse(files, META_FILE)?.ok_or(Error::NoMeta)?;
    let agents: AgentsFile = parse(files, V1_AGENTS_FILE)?.unwrap_or_default();
    let locks: LocksFile = parse(files, V1_LOCKS_FILE)?.unwrap_or_default();
    let halt: Option<Halt> = parse(files, HALT_FILE)?;
    let messages: MessagesFile = parse(files, V1_MESSAGES_FILE)?.unwrap_or_default();
    Ok(State {
        meta,
        agents: agents.agent,
        locks: locks.lock,
        halt,
        messages: messages.message,
        plan: None,
        tasks: BTreeMap::new(),
        decisions: BTreeMap::new(),
        memory: BTreeMap::new(),
    })
}

fn render<T: Serialize>(header: &str, value: &T) -> String {
    let body = toml::to_string(value).expect("state types always serialise to TOML");
    format!("# {header}\n{body}")
}

fn render_meta(meta: &Meta) -> String {
    render("gitcoord state: format and settings", meta)
}

fn render_halt(halt: &Halt) -> String {
    render("gitcoord emergency halt", halt)
}

fn render_agent(id: &str, agent: &Agent) -> String {
    render(&format!("gitcoord agent {id}"), agent)
}

fn render_locks(key: &str, locks: &[&Lock]) -> String {
    let header = if key.is_empty() {
        "gitcoord file locks whose pattern starts in the top directory".to_owned()
    } else {
        format!("gitcoord file locks under {key}/")
    };
    #[derive(Serialize)]
    struct Shard<'a> {
        lock: &'a [&'a Lock],
    }
    render(&header, &Shard { lock: locks })
}

fn render_message(message: &Message) -> String {
    render(&format!("gitcoord message {}", message.id), message)
}

fn agent_file(id: &str) -> String {
    format!("{AGENTS_DIR}/{id}.toml")
}

fn task_file(id: &str) -> String {
    format!("{TASKS_DIR}/{id}.toml")
}

fn message_file(id: &str) -> String {
    format!("{MESSAGES_DIR}/{}.toml", shard::escape(id))
}

fn memory_file(key: &str) -> String {
    format!("{MEMORY_DIR}/{key}.toml")
}

/// The locks filed under each of `keys`, in order. A key is a prefix of its locks' patterns,
/// which spares computing the key of most other locks.
fn locks_by_key<'a>(locks: &'a [Lock], keys: &BTreeSet<&str>) -> BTreeMap<&'a str, Vec<&'a Lock>> {
    let mut by_key: BTreeMap<&str, Vec<&Lock>> = BTreeMap::new();
    if keys.is_empty() {
        return by_key;
    }
    for lock in locks {
        if !keys.iter().any(|key| lock.pattern.starts_with(key)) {
            continue;
        }
        let key = shard::lock_key(&lock.pattern);
        if keys.contains(key) {
            by_key.entry(key).or_default().push(lock);
        }
    }
    by_key
}

/// Renders the whole state as format-2 files (path → TOML text). Empty parts are omitted.
pub fn to_files(state: &State) -> BTreeMap<String, String> {
    let empty = State {
        meta: state.meta.clone(),
        ..State::new(state.meta.created)
    };
    let mut files: BTreeMap<String, String> = changes(&empty, state, &Scope::all())
        .expect("the whole scope covers every file")
        .into_iter()
        .filter_map(|(name, text)| Some((name, text?)))
        .collect();
    files.insert(META_FILE.to_owned(), render_meta(&state.meta));
    files
}

/// The files that differ between `old` and `new`, two states read (and changed) in `scope`:
/// path → the new text, or `None` for a file to remove. Only what changed is rendered, so an
/// operation costs what it touches. Fails rather than write a file outside `scope`.
pub fn changes(
    old: &State,
    new: &State,
    scope: &Scope,
) -> Result<Vec<(String, Option<String>)>, OutOfScope> {
    let mut out = Vec::new();
    if old.meta != new.meta {
        out.push((META_FILE.to_owned(), Some(render_meta(&new.meta))));
    }
    if old.halt != new.halt {
        out.push((HALT_FILE.to_owned(), new.halt.as_ref().map(render_halt)));
    }
    for (id, agent) in &new.agents {
        if old.agents.get(id) != Some(agent) {
            out.push((agent_file(id), Some(render_agent(id, agent))));
        }
    }
    for id in old.agents.keys().filter(|id| !new.agents.contains_key(*id)) {
        out.push((agent_file(id), None));
    }
    if old.plan != new.plan {
        let text = new.plan.as_ref().map(|p| {
            render(
                "gitcoord plan: settings, authority, rules, checks, waves",
                p,
            )
        });
        out.push((PLAN_FILE.to_owned(), text));
    }
    for (id, task) in &new.tasks {
        if old.tasks.get(id) != Some(task) {
            out.push((
                task_file(id),
                Some(render(&format!("gitcoord task {id}"), task)),
            ));
        }
    }
    for id in old.tasks.keys().filter(|id| !new.tasks.contains_key(*id)) {
        out.push((task_file(id), None));
    }
    for (id, decision) in &new.decisions {
        if old.decisions.get(id) != Some(decision) {
            let text = render(&format!("gitcoord decision {id}"), decision);
            out.push((format!("{DECISIONS_DIR}/{id}.toml"), Some(text)));
        }
    }
    for id in old
        .decisions
        .keys()
        .filter(|id| !new.decisions.contains_key(*id))
    {
        out.push((format!("{DECISIONS_DIR}/{id}.toml"), None));
    }
    // Only the keys of locks outside the two lists' common start and end can hold different
    // locks: an operation adds or releases a few, and filing every lock by key for every
    // write would cost O(locks) (for each operation a sync replays, on the whole state).
    let start = old
        .locks
        .iter()
        .zip(&new.locks)
        .take_while(|(a, b)| a == b)
        .count();
    let (old_rest, new_rest) = (&old.locks[start..], &new.locks[start..]);
    let end = old_rest
        .iter()
        .rev()
        .zip(new_rest.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let keys: BTreeSet<&str> = old_rest[..old_rest.len() - end]
        .iter()
        .chain(&new_rest[..new_rest.len() - end])
        .map(|lock| shard::lock_key(&lock.pattern))
        .collect();
    let (old_locks, new_locks) = (
        locks_by_key(&old.locks, &keys),
        locks_by_key(&new.locks, &keys),
    );
    for key in keys {
        let (before, after) = (old_locks.get(key), new_locks.get(key));
        if before == after {
            continue;
        }
        let file = shard::lock_file(key);
        if !scope.covers_key(key) {
            return Err(OutOfScope { file });
        }
        out.push((file, after.map(|locks| render_locks(key, locks))));
    }
    if old.messages != new.messages {
        if !scope.messages {
            return Err(OutOfScope {
                file: MESSAGES_DIR.to_owned(),
            });
        }
        let before: BTreeMap<&str, &Message> =
            old.messages.iter().map(|m| (m.id.as_str(), m)).collect();
        let after: BTreeMap<&str, &Message> =
            new.messages.iter().map(|m| (m.id.as_str(), m)).collect();
        for (id, message) in &after {
            if before.get(id) != Some(message) {
                out.push((message_file(id), Some(render_message(message))));
            }
        }
        for id in before.keys().filter(|id| !after.contains_key(*id)) {
            out.push((message_file(id), None));
        }
    }
    if old.memory != new.memory {
        if !scope.memory {
            return Err(OutOfScope {
                file: MEMORY_DIR.to_owned(),
            });
        }
        for (key, entry) in &new.memory {
            if old.memory.get(key) != Some(entry) {
                let text = render(&format!("gitcoord memory {key}"), entry);
                out.push((memory_file(key), Some(text)));
            }
        }
        for key in old.memory.keys().filter(|k| !new.memory.contains_key(*k)) {
            out.push((memory_file(key), None));
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;
