//! Registrations in and out of spreadsheets (CSV): the file rules are in
//! `domain::exchange`.

pub mod export;
pub mod import;
