pub mod coming_soon;
pub mod dashboard;
pub mod invite;
pub mod login;
pub mod not_found;
pub mod setup;
pub mod staff;
pub mod tenants;
