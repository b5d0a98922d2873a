//! Server functions: the browser's (and the HTTP tests') way into the server.
//! Each one is thin: get the backend and the caller's scope, call a backend
//! service, return a view model. Endpoints are fixed (`/api/<name>`) because
//! they are part of the HTTP contract the tests exercise.

pub mod auth;
pub mod onboarding;
pub mod registrations;
pub mod setup;
pub mod staff;
pub mod tenants;
