pub mod copy;
pub mod form;
pub mod profile_picker;
pub mod shell;
