//! Git hooks: installing the shims that call `gitcoord hook NAME`, and the checks each
//! hook runs.

pub mod formats;
pub mod install;
pub mod precommit;
pub mod prepush;
pub mod report;
