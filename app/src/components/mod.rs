pub mod check_all;
pub mod copy;
pub mod credential_fields;
pub mod file_field;
pub mod form;
pub mod profile_picker;
pub mod shell;
pub mod verdict;
