//! Tenantry's pure rules: no I/O, no clock, no framework. Every input, including
//! the current time when a rule needs it, is an argument, so the same rules run
//! on the server and in the browser and are tested in milliseconds.

pub mod alert_assess;
pub mod alert_message;
pub mod alert_rules;
pub mod alert_text;
pub mod alerts;
pub mod api_token;
pub mod audit;
pub mod cloud;
pub mod credential;
pub mod customer;
pub mod dashboard;
pub mod evaluation;
pub mod exchange;
pub mod finding;
pub mod form;
pub mod forwarded;
pub mod ids;
pub mod mfa;
pub mod notice;
pub mod onboarding;
pub mod outbox;
pub mod permissions;
pub mod probe;
pub mod profile;
pub mod recovery;
pub mod registration;
pub mod role;
pub mod search;
pub mod session;
pub mod setup_script;
pub mod staff;
pub mod taxonomy;
pub mod throttle;
pub mod watch;
pub mod webhook;

pub use cloud::Cloud;
pub use ids::{ClientId, ObjectId, SecretValue, TenantId, TenantRef};
pub use permissions::PermissionKind;
pub use role::{Action, Role};
pub use staff::{DisplayName, Email, OrganisationName, Password, StaffInputError};
