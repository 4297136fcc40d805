//! The only module that touches git: opening the repository (gix), the state ref with
//! compare-and-swap, what a commit or push changes, worktrees, and the `git` binary for
//! the few things gix does not do (worktree add, push, fetch).

pub mod blobs;
pub mod changes;
pub mod command;
pub mod history;
pub mod merges;
pub mod repo;
pub mod revs;
pub mod snapshots;
pub mod state_cache;
mod state_tree;
pub mod store;
pub mod sync;

pub use repo::Repo;

/// A failure of gix or of the `git` binary, kept as the cause of this layer's typed errors
/// (its text is shown to the user under what gitcoord was doing).
pub type Source = Box<dyn std::error::Error + Send + Sync + 'static>;
pub use store::{STATE_REF, Snapshot};

impl From<gix::ObjectId> for crate::model::ObjectId {
    fn from(id: gix::ObjectId) -> Self {
        let mut bytes = [0u8; 20];
        bytes.copy_from_slice(&id.as_bytes()[..20]);
        crate::model::ObjectId::from_bytes(bytes)
    }
}

impl From<crate::model::ObjectId> for gix::ObjectId {
    fn from(id: crate::model::ObjectId) -> Self {
        gix::ObjectId::from_bytes_or_panic(id.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn object_ids_convert_both_ways() {
        let id = gix::ObjectId::from_hex(b"0123456789abcdef0123456789abcdef01234567")
            .expect("a valid id");
        let ours = crate::model::ObjectId::from(id);
        assert_eq!(ours.to_string(), id.to_string());
        assert_eq!(gix::ObjectId::from(ours), id);
    }
}
