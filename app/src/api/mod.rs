//! Server functions: the browser's (and the HTTP tests') way into the server.
//! Each one is a single expression: a context (`as_staff`, `as_customer` or
//! `as_anyone`), then a backend service that returns a view model. Each is
//! served at `/api/<function name>`, answers POST only, and is covered by
//! the isolation test (`server/tests/api/isolation.rs`), which reads the list
//! of endpoints from the registered server functions.

pub mod account;
pub mod alerts;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod checks;
pub mod dashboard;
pub mod exchange;
pub mod mfa;
pub mod onboarding;
pub mod recovery;
pub mod registrations;
pub mod setup;
pub mod staff;
pub mod tenants;
