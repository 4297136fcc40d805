//! Pure policy checks: no I/O, tested with plain tables.

pub mod secrets;
