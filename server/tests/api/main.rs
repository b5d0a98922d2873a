//! HTTP black-box tests: each module drives a real Tenantry server (spawned
//! in-process on a random port with a fresh database, or the release-style
//! binary for the CLI and log tests) the way a browser or script would.
//! One binary, one set of helpers in `support`.

mod support;

mod alert_channels;
mod alert_mail;
mod alert_restart;
mod alert_rules;
mod audit_trail;
mod browser_safety;
mod checks;
mod cli;
mod consent;
mod customer_notices;
mod dashboard;
mod db_copy;
mod exchange;
mod first_run;
mod isolation;
mod link_material;
mod onboarding;
mod ownership_proof;
mod page_renders;
mod password_reset;
mod public_api;
mod recovery;
mod recovery_cli;
mod registration_edits;
mod registrations;
mod schema;
mod second_factor;
mod secrets_in_logs;
mod servers_on_one_database;
mod sign_in;
mod sign_in_limits;
mod staff;
mod staff_lifecycle;
mod storage;
mod tenants;
mod verified_tenant;
mod verify_cli;
mod webhook_delivery;
