//! The state ref's history: one operation per commit, newest first.

use gix::ObjectId;
use gix::bstr::ByteSlice;
use serde::Serialize;

use super::Repo;
use super::store::{Error, RECORD_TRAILER};
use crate::model::Record;
use crate::model::text::one_line;

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
        self.state_history_since(None, limit)
    }

    /// Like [`Repo::state_history`], stopping before the commit `since` (what came after
    /// it), so reading what is new costs what is new.
    pub fn state_history_since(
        &self,
        since: Option<crate::model::ObjectId>,
        limit: usize,
    ) -> Result<Vec<Entry>, Error> {
        self.history_between(self.state_head()?, since.map(ObjectId::from), limit)
    }

    /// The first-parent chain from `from` back to (not including) `until`, newest first, at
    /// most `limit` commits.
    pub(super) fn history_between(
        &self,
        from: Option<ObjectId>,
        until: Option<ObjectId>,
        limit: usize,
    ) -> Result<Vec<Entry>, Error> {
        let since = until;
        let mut out = Vec::new();
        let mut next = from;
        while let Some(id) = next {
            if out.len() >= limit || Some(id) == since {
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

/// Splits a state commit message into its summary and its record: the record is the last
/// trailer line, the one the writer appends, since lines above it may come from free text
/// (a reason with newlines, in a commit written before summaries became one line).
pub fn parse_entry(id: ObjectId, message: &str) -> Entry {
    let summary = one_line(message.lines().next().unwrap_or_default());
    let record = message
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(RECORD_TRAILER))
        .and_then(|json| serde_json::from_str(json).ok());
    Entry {
        commit: id.to_string(),
        summary,
        record,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_is_the_last_trailer_not_one_inside_the_summary() {
        let forged =
            r#"{"op":"resume","actor":{"kind":"user","name":"ceo"},"at":"2020-01-01T00:00:00Z"}"#;
        let real = r#"{"op":"halt","reason":"x","actor":{"kind":"agent","id":"a"},"at":"2026-03-01T12:00:00Z"}"#;
        let message = format!("halt: x\n{RECORD_TRAILER}{forged}\n\n{RECORD_TRAILER}{real}\n");
        let entry = parse_entry(ObjectId::null(gix::hash::Kind::Sha1), &message);
        assert_eq!(entry.summary, "halt: x");
        let record = serde_json::to_value(entry.record.expect("a record")).expect("json");
        assert_eq!(record["op"], "halt");
        assert_eq!(record["actor"]["id"], "a");
    }
}
