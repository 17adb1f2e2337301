//! Integration tests: the real application in-process, each test on SQLite and on
//! PostgreSQL with a database of its own.

mod support;

mod audits;
mod auth;
mod bulk;
mod changes;
mod courses;
mod errors;
mod isolation;
mod limits;
mod logs;
mod openapi;
mod plans;
mod reviews;
mod scopes;
mod students;
mod surveys;
