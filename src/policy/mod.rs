//! Pure checks of what a change may do, given the coordination state: locks, boundaries,
//! halt. A violation is data ([`Violation`]), never an error.

pub mod glob;
