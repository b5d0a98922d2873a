pub mod form;
pub mod shell;
