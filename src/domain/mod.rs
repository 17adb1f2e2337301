//! Pure domain logic: no I/O, no HTTP, no database. Everything here is unit-testable.

pub mod credits;
pub mod identifiers;
pub mod plan;
pub mod sced;
pub mod survey;
