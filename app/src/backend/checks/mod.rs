//! The watch: every registration is re-verified on a schedule, every check
//! is stored, and what a registration is shown as comes from that history
//! (see `domain::watch` for the rules).

pub mod claim;
pub mod consent;
pub mod engine;
pub mod history;
pub mod prune;
pub mod record;
pub mod requests;
pub mod scheduler;
mod settings;
pub mod sweep;
pub mod view;
pub mod writer;

pub use record::Trigger;
pub use settings::WatchSettings;
