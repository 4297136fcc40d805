//! The state ref's history: one operation per commit, newest first.

use gix::ObjectId;
use gix::bstr::ByteSlice;
use serde::Serialize;

use super::Repo;
use super::store::{Error, RECORD_TRAILER};
use crate::model::Record;

/// One state commit as the log shows it.
#[derive(Serialize, Clone, Debug)]
pub struct Entry {
    /// The state commit id.
    pub commit: String,
    /// The commit's subject: what the operation did.
    pub summary: String,
    /// The machine-readable operation, when the message carries one.
    pub record: Option<Record>,
}

impl Repo {
    /// Walks the state ref's first-parent chain, newest first, at most `limit` commits.
    pub fn state_history(&self, limit: usize) -> Result<Vec<Entry>, Error> {
        let mut out = Vec::new();
        let mut next = self.state_head()?;
        while let Some(id) = next {
            if out.len() >= limit {
                break;
            }
            let commit = self
                .inner
                .find_commit(id)
                .map_err(|e| Error::Git(e.into()))?;
            let message = commit
                .message_raw()
                .map_err(|e| Error::Git(e.into()))?
                .to_str_lossy()
                .into_owned();
            out.push(parse_entry(id, &message));
            next = commit.parent_ids().next().map(|p| p.detach());
        }
        Ok(out)
    }
}

/// Splits a state commit message into its summary and its record.
pub fn parse_entry(id: ObjectId, message: &str) -> Entry {
    let summary = message.lines().next().unwrap_or_default().to_owned();
    let record = message
        .lines()
        .find_map(|l| l.strip_prefix(RECORD_TRAILER))
        .and_then(|json| serde_json::from_str(json).ok());
    Entry {
        commit: id.to_string(),
        summary,
        record,
    }
}
