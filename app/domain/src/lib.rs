//! Tenantry's pure rules: no I/O, no clock, no framework. Every input, including
//! the current time when a rule needs it, is an argument, so the same rules run
//! on the server and in the browser and are tested in milliseconds.

pub mod role;
pub mod staff;

pub use role::{Action, Role};
pub use staff::{DisplayName, Email, OrganisationName, Password, StaffInputError};
