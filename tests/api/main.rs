//! Integration tests: the real application in-process, each test on SQLite and on
//! PostgreSQL with a database of its own.

mod support;

mod audits;
mod auth;
mod bulk;
mod changes;
mod courses;
mod demo;
mod errors;
mod isolation;
mod openapi;
mod plans;
mod reviews;
mod students;
mod surveys;
