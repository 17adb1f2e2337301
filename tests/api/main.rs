//! Integration tests: the real application in-process, each test on SQLite and on
//! PostgreSQL with a database of its own.

mod support;

mod audits;
mod auth;
mod bulk;
mod changes;
mod concurrency;
mod contract;
mod courses;
mod crash;
mod demo;
mod errors;
mod guide;
mod isolation;
mod limits;
mod logs;
mod openapi;
mod outage;
mod plans;
mod reviews;
mod scopes;
mod server;
mod students;
mod surveys;
