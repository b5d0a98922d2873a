//! What an import reports back: never a secret, only where each row went
//! or what is wrong where.

use domain::exchange::LineProblem;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedRow {
    pub line: usize,
    pub tenant: String,
    pub client_id: String,
    /// The row's tenant was not recorded yet and is created.
    pub new_tenant: bool,
    /// False when the same registration is already recorded: nothing changes.
    pub new_registration: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Only checked, nothing written.
    pub dry_run: bool,
    /// When any, nothing was imported.
    pub problems: Vec<LineProblem>,
    pub rows: Vec<ImportedRow>,
    pub summary: String,
}

impl ImportReport {
    pub fn refused(problems: Vec<LineProblem>, dry_run: bool) -> Self {
        let summary = format!(
            "Nothing was imported: {} problem{} to fix.",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
        Self {
            dry_run,
            problems,
            rows: Vec::new(),
            summary,
        }
    }

    pub fn accepted(rows: Vec<ImportedRow>, dry_run: bool) -> Self {
        let new = rows.iter().filter(|r| r.new_registration).count();
        let tenants = rows.iter().filter(|r| r.new_tenant).count();
        let unchanged = rows.len() - new;
        let summary = match (dry_run, new) {
            (_, 0) => format!("Nothing to change: all {unchanged} registration(s) are already recorded."),
            (true, _) => format!("The file is valid: it would add {new} registration(s) and {tenants} tenant(s); {unchanged} already recorded."),
            (false, _) => format!("Imported {new} registration(s) and {tenants} new tenant(s); {unchanged} already recorded. They are checked by the next sweep."),
        };
        Self {
            dry_run,
            problems: Vec::new(),
            rows,
            summary,
        }
    }

    pub fn imported(&self) -> usize {
        if self.dry_run || !self.problems.is_empty() {
            0
        } else {
            self.rows.iter().filter(|r| r.new_registration).count()
        }
    }
}

/// A CSV file as the browser read it, and whether only to check it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportForm {
    /// The file's text.
    pub file: domain::form::SecretText,
    pub dry_run: bool,
}
