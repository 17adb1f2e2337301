//! Pure domain logic: no I/O, no HTTP, no database. Everything here is unit-testable.

pub mod identifiers;
