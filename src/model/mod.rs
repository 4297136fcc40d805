//! Plain serde types of the coordination state and the operations that change it; no I/O.
//!
//! The state is a handful of TOML files (see `docs/state-format.md`); an [`op::Op`] is one
//! recorded change, applied by [`op::apply`] as a pure function of the state, the actor and
//! the time, so a lost compare-and-swap race or a sync can simply apply it again.

pub mod agent;
mod agent_ops;
pub mod change;
pub mod decision;
pub mod error;
pub mod files;
pub mod glob;
pub mod graph;
pub mod id;
pub mod identity;
pub mod keys;
pub mod lock;
pub mod memory;
pub mod merge_order;
pub mod message;
pub mod next;
pub mod op;
pub mod plan;
pub mod plan_apply;
pub mod plan_check;
mod plan_schema;
pub mod plan_state;
pub mod replay;
pub mod shard;
pub mod site;
pub mod state;
pub mod task;
pub mod text;
pub mod time;

pub use agent::Agent;
pub use change::{Change, ObjectId, Side};
pub use error::{OpError, OpErrorKind};
pub use lock::Lock;
pub use message::Message;
pub use op::{Actor, Applied, Op, Record};
pub use state::{Halt, State};
