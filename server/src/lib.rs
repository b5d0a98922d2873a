//! The `tenantry` server: configuration, logging, start-up and the HTTP
//! stack around the Leptos application, plus the command-line tasks.

pub mod bearer;
pub mod checks_cli;
pub mod cli;
pub mod client_address;
pub mod config;
pub mod consent;
pub mod csrf;
pub mod downloads;
pub mod exchange_cli;
pub mod export;
pub mod form_errors;
pub mod guard;
pub mod headers;
pub mod keyring;
pub mod link_tokens;
pub mod metrics_http;
pub mod public_api;
pub mod recovery_cli;
pub mod render_limit;
pub mod session_store;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod verify;

pub use config::Config;
pub use startup::Application;
