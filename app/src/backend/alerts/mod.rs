//! Alerts leave Tenantry through channels; `webhook` sends one message to
//! a receiver's URL.

pub mod webhook;
