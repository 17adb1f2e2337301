//! Pure domain logic: no I/O, no HTTP, no database. Everything here is unit-testable.

pub mod audit;
pub mod credits;
pub mod identifiers;
pub mod plan;
pub mod review;
pub mod sced;
pub mod school_year;
pub mod survey;
