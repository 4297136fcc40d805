//! The state as files: one TOML text per concern, so a human can read (and diff) each.
//!
//! `gitcoord.toml` (format, settings), `agents.toml`, `locks.toml`, `halt.toml`,
//! `messages.toml`. A file that is
//! absent means "empty"; unknown files are kept verbatim so newer minor additions survive.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::state::{FORMAT_VERSION, Halt, Meta, State};
use super::{Agent, Lock, Message};

/// The file holding the format version and settings.
pub const META_FILE: &str = "gitcoord.toml";
/// Every file name this version reads and writes.
pub const KNOWN: &[&str] = &[META_FILE, AGENTS_FILE, LOCKS_FILE, HALT_FILE, MESSAGES_FILE];
const AGENTS_FILE: &str = "agents.toml";
const LOCKS_FILE: &str = "locks.toml";
const HALT_FILE: &str = "halt.toml";
const MESSAGES_FILE: &str = "messages.toml";

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

fn parse<T: DeserializeOwned>(
    files: &BTreeMap<String, String>,
    name: &str,
) -> Result<Option<T>, Error> {
    let Some(text) = files.get(name) else {
        return Ok(None);
    };
    toml::from_str(text)
        .map(Some)
        .map_err(|e| Error::Malformed {
            file: name.to_owned(),
            message: e.to_string().trim_end().replace('\n', "\n  "),
        })
}

/// Builds the state from the files of a state tree (name → UTF-8 text).
pub fn from_files(files: &BTreeMap<String, String>) -> Result<State, Error> {
    // The version first: a newer format may have changed the shape of any file, this one too.
    let version: FormatOnly = parse(files, META_FILE)?.ok_or(Error::NoMeta)?;
    if version.format > FORMAT_VERSION {
        return Err(Error::TooNew {
            found: version.format,
        });
    }
    let meta: Meta = parse(files, META_FILE)?.ok_or(Error::NoMeta)?;
    let agents: AgentsFile = parse(files, AGENTS_FILE)?.unwrap_or_default();
    let locks: LocksFile = parse(files, LOCKS_FILE)?.unwrap_or_default();
    let halt: Option<Halt> = parse(files, HALT_FILE)?;
    let messages: MessagesFile = parse(files, MESSAGES_FILE)?.unwrap_or_default();
    Ok(State {
        meta,
        agents: agents.agent,
        locks: locks.lock,
        halt,
        messages: messages.message,
    })
}

fn render<T: Serialize>(header: &str, value: &T) -> String {
    let body = toml::to_string(value).expect("state types always serialise to TOML");
    format!("# {header}\n{body}")
}

/// Renders the state as files (name → TOML text). Empty parts are omitted.
pub fn to_files(state: &State) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    files.insert(
        META_FILE.to_owned(),
        render("gitcoord state: format and settings", &state.meta),
    );
    if !state.agents.is_empty() {
        let agents = AgentsFile {
            agent: state.agents.clone(),
        };
        files.insert(AGENTS_FILE.to_owned(), render("gitcoord agents", &agents));
    }
    if !state.locks.is_empty() {
        let locks = LocksFile {
            lock: state.locks.clone(),
        };
        files.insert(LOCKS_FILE.to_owned(), render("gitcoord file locks", &locks));
    }
    if let Some(halt) = &state.halt {
        files.insert(
            HALT_FILE.to_owned(),
            render("gitcoord emergency halt", halt),
        );
    }
    if !state.messages.is_empty() {
        let messages = MessagesFile {
            message: state.messages.clone(),
        };
        files.insert(
            MESSAGES_FILE.to_owned(),
            render("gitcoord messages", &messages),
        );
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("valid timestamp in test")
    }

    #[test]
    fn round_trip() {
        let mut state = State::new(ts("2026-01-01T00:00:00Z"));
        state.agents.insert(
            "alice".into(),
            Agent {
                branch: "feature/a".into(),
                owns: vec!["src/a/**".into()],
                added: ts("2026-01-01T00:00:00Z"),
                ..Agent::default()
            },
        );
        state.locks.push(Lock {
            pattern: "src/a/x.rs".into(),
            holder: "alice".into(),
            reason: Some("refactor".into()),
            acquired: ts("2026-01-01T00:00:00Z"),
            expires: ts("2026-01-01T00:30:00Z"),
        });
        state.halt = Some(Halt {
            reason: "broken main".into(),
            by: "user:lead".into(),
            at: ts("2026-01-01T00:01:00Z"),
        });
        state.meta.last_message = 1;
        state.messages.push(Message {
            id: "m1".into(),
            from: "user:lead".into(),
            draft: crate::model::message::Draft {
                to: "alice".into(),
                subject: "release src/a/x.rs".into(),
                body: Some("two lines\nof body".into()),
                requires_response: true,
                reply_to: None,
            },
            sent: ts("2026-01-01T00:02:00Z"),
            acked_by: vec!["alice".into()],
        });
        let files = to_files(&state);
        assert_eq!(files.len(), 5);
        assert_eq!(from_files(&files).expect("round trip"), state);
    }

    #[test]
    fn malformed_names_file_and_line() {
        let mut files = to_files(&State::new(ts("2026-01-01T00:00:00Z")));
        files.insert(
            "locks.toml".into(),
            "[[lock]]\npattern = \"x\"\nholder = \n".into(),
        );
        let err = from_files(&files).expect_err("malformed");
        let text = err.to_string();
        assert!(text.contains("locks.toml"), "{text}");
        assert!(text.contains("line 3"), "{text}");
    }

    #[test]
    fn newer_format_is_refused() {
        let mut files = BTreeMap::new();
        files.insert(
            META_FILE.to_owned(),
            "format = 99\ncreated = \"2026-01-01T00:00:00Z\"\n".to_owned(),
        );
        assert!(matches!(
            from_files(&files),
            Err(Error::TooNew { found: 99 })
        ));
    }
}
