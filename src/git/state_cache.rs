//! A parsed copy of the core of the state last read or written (meta, halt, plan, every
//! agent and task),
//! in the common git dir, keyed by its tree id.
//!
//! Every command and hook reads the core, which is one file per agent: reading and parsing
//! a hundred small blobs costs more than the rest of a hook; one JSON file of the same
//! parses in well under a millisecond. Locks and messages are not cached: a reader loads
//! only the few files it needs of them. The cache is only ever used for the very tree it
//! was made from, and made only from a state parsed and validated from that tree (or by the
//! writer that made the tree from it), so it can be stale or missing but never wrong;
//! anything unexpected in it (another gitcoord version, a torn or foreign file) is a miss.
//! Writing it is best effort: a read-only git dir just never caches.

use crate::model::decision::Decision;
use std::io::Write;
use std::path::{Path, PathBuf};

use gix::ObjectId;

use serde::{Deserialize, Serialize};

use crate::model::plan_state::PlanState;
use crate::model::state::{Halt, Meta};
use crate::model::task::Task;
use crate::model::{Agent, State};

/// The cache file, next to the writers' lock in the common git dir.
const FILE: &str = "gitcoord-state-cache.json";

/// The first line's prefix; the tree id follows. The version makes a cache written by
/// another gitcoord (whose `State` may differ) a miss.
const MAGIC: &str = concat!("gitcoord-core-cache ", env!("CARGO_PKG_VERSION"), " ");

/// What is cached, borrowed from a state to write it.
#[derive(Serialize)]
struct CoreRef<'a> {
    meta: &'a Meta,
    halt: &'a Option<Halt>,
    agents: &'a std::collections::BTreeMap<String, Agent>,
    plan: &'a Option<PlanState>,
    tasks: &'a std::collections::BTreeMap<String, Task>,
    decisions: &'a std::collections::BTreeMap<String, Decision>,
}

/// What is cached, read back.
#[derive(Deserialize)]
struct Core {
    meta: Meta,
    halt: Option<Halt>,
    agents: std::collections::BTreeMap<String, Agent>,
    plan: Option<PlanState>,
    tasks: std::collections::BTreeMap<String, Task>,
    decisions: std::collections::BTreeMap<String, Decision>,
}

fn path(common_dir: &Path) -> PathBuf {
    common_dir.join(FILE)
}

/// The cached core of `tree` (a state without locks or messages), if the cache holds
/// exactly that tree's.
pub fn load(common_dir: &Path, tree: ObjectId) -> Option<State> {
    let bytes = std::fs::read(path(common_dir)).ok()?;
    let newline = memchr::memchr(b'\n', &bytes)?;
    let header = bytes[..newline].strip_prefix(MAGIC.as_bytes())?;
    if header != tree.to_string().as_bytes() {
        return None;
    }
    let core: Core = serde_json::from_slice(&bytes[newline + 1..]).ok()?;
    Some(State {
        meta: core.meta,
        agents: core.agents,
        locks: Vec::new(),
        halt: core.halt,
        messages: Vec::new(),
        plan: core.plan,
        tasks: core.tasks,
        decisions: core.decisions,
        memory: std::collections::BTreeMap::new(),
    })
}

/// Records the core of `state` as the parse of `tree` (by a reader that parsed it, or by the
/// writer that made `tree` from it), replacing the file atomically (readers see the old cache or the
/// new one, never a mix). Failures are ignored: the cache is optional.
pub fn store(common_dir: &Path, tree: ObjectId, state: &State) {
    let write = || -> std::io::Result<()> {
        let file = tempfile::NamedTempFile::new_in(common_dir)?;
        // Buffered: serde writes a value in many small pieces, one system call each
        // without a buffer (thousands for a few hundred locks).
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, file);
        writeln!(out, "{MAGIC}{tree}")?;
        let core = CoreRef {
            meta: &state.meta,
            halt: &state.halt,
            agents: &state.agents,
            plan: &state.plan,
            tasks: &state.tasks,
            decisions: &state.decisions,
        };
        serde_json::to_writer(&mut out, &core)?;
        let file = out
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        file.persist(path(common_dir))?;
        Ok(())
    };
    let _ = write();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(byte: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[byte; 20])
    }

    #[test]
    fn a_cache_serves_only_its_own_tree_and_survives_nothing_foreign() {
        let dir = tempfile::tempdir().expect("temp dir");
        let at = "2026-03-01T12:00:00Z".parse().expect("time");
        let state = State::new(at);
        assert_eq!(load(dir.path(), tree(1)), None, "no file is a miss");
        store(dir.path(), tree(1), &state);
        assert_eq!(load(dir.path(), tree(1)), Some(state.clone()));
        assert_eq!(load(dir.path(), tree(2)), None, "another tree is a miss");
        for foreign in [
            String::new(),
            format!("{MAGIC}{}", tree(1)),
            format!("gitcoord-state-cache 0.0.0 {}\n{{}}", tree(1)),
            format!("{MAGIC}{}\n{{\"meta\":", tree(1)),
        ] {
            std::fs::write(path(dir.path()), foreign.as_bytes()).expect("write");
            assert_eq!(load(dir.path(), tree(1)), None, "{foreign:?}");
        }
    }

    #[test]
    fn every_field_of_a_full_state_survives_the_cache() {
        let texts = [
            (
                "gitcoord.toml",
                "format = 1\ncreated = \"2026-03-01T12:00:00Z\"\nintegration_branch = \"trunk\"\n",
            ),
            (
                "agents.toml",
                "[agent.api]\nbranch = \"feature/api\"\nrole = \"backend\"\nowns = [\"api/**\"]\n\
                 deny = [\"web/**\"]\nallow = [\"api/**\", \"docs/*.md\"]\nafter = [\"db\"]\n\
                 coordinator = true\nworktree = \"/w/api\"\nadded = \"2026-03-01T12:00:00Z\"\n\
                 status = \"busy\"\ntask = \"T-1\"\nnote = \"n\"\nlast_seen = \"2026-03-01T12:05:00.5Z\"\n",
            ),
            (
                "locks.toml",
                "[[lock]]\npattern = \"api/x.rs\"\nholder = \"api\"\nreason = \"r\"\n\
                 acquired = \"2026-03-01T12:00:00Z\"\nexpires = \"2026-03-01T12:30:00Z\"\n",
            ),
            (
                "halt.toml",
                "reason = \"stop\"\nby = \"user:lead\"\nat = \"2026-03-01T12:01:00Z\"\n",
            ),
        ];
        let files = texts
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect();
        let mut state = crate::model::files::from_files(&files).expect("valid state");
        let dir = tempfile::tempdir().expect("temp dir");
        store(dir.path(), tree(3), &state);
        assert_eq!(state.locks.len(), 1);
        state.locks.clear();
        assert_eq!(
            load(dir.path(), tree(3)),
            Some(state),
            "the core, without locks"
        );
    }
}
