//! Registrations in and out as CSV, for MSPs whose registrations live in
//! spreadsheets: which columns a file has, how a problem in a form field
//! is named in the file, and how exported cells are kept from being run as
//! spreadsheet formulas.

use serde::{Deserialize, Serialize};

/// The columns an import understands, in the documented order.
pub const IMPORT_COLUMNS: [&str; 11] = [
    "tenant",
    "tenant_id",
    "domain",
    "cloud",
    "client_id",
    "object_id",
    "profiles",
    "secret",
    "secret_expires",
    "pfx_base64",
    "pfx_password",
];

/// Columns every import file must have.
const REQUIRED: [&str; 3] = ["tenant", "client_id", "profiles"];

/// The columns an export writes, in order.
pub const EXPORT_COLUMNS: [&str; 13] = [
    "tenant",
    "tenant_id",
    "cloud",
    "client_id",
    "profiles",
    "status",
    "findings",
    "missing_permissions",
    "extra_permissions",
    "credential_kind",
    "credential_expires",
    "last_checked",
    "last_success",
];

/// One thing wrong with an import file, where a spreadsheet user finds it:
/// line 1 is the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineProblem {
    pub line: usize,
    pub column: String,
    pub message: String,
}

/// What is wrong with the header row, if anything.
pub fn header_problems(header: &[String]) -> Vec<LineProblem> {
    let mut problems = Vec::new();
    let problem = |column: &str, message: String| LineProblem {
        line: 1,
        column: column.to_owned(),
        message,
    };
    for (i, name) in header.iter().enumerate() {
        if !IMPORT_COLUMNS.contains(&name.as_str()) {
            problems.push(problem(
                name,
                format!(
                    "Column {} is not one Tenantry reads; the columns are {}.",
                    i + 1,
                    IMPORT_COLUMNS.join(", ")
                ),
            ));
        } else if header[..i].contains(name) {
            problems.push(problem(name, "This column appears twice.".into()));
        }
    }
    for required in REQUIRED {
        if !header.iter().any(|name| name == required) {
            problems.push(problem(required, "This column is required.".into()));
        }
    }
    if !header
        .iter()
        .any(|name| name == "tenant_id" || name == "domain")
    {
        problems.push(problem(
            "tenant_id",
            "A tenant_id or a domain column is required to find each tenant.".into(),
        ));
    }
    problems
}

/// The file's column for a problem reported on a form field.
pub fn column_for(field: &str) -> &str {
    match field {
        "display_name" => "tenant",
        "primary_domain" => "domain",
        "private_key" | "certificate" => "pfx_base64",
        "password" => "pfx_password",
        other => other,
    }
}

/// A cell as a spreadsheet will not run it: text beginning with `=`, `+`,
/// `-`, `@`, a tab or a carriage return (a formula to Excel and
/// LibreOffice) gets a leading `'`.
pub fn neutralised(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn the_documented_header_is_accepted() {
        let all = header(&IMPORT_COLUMNS);
        assert!(header_problems(&all).is_empty());
        assert!(
            header_problems(&header(&["tenant", "domain", "client_id", "profiles"])).is_empty()
        );
    }

    #[test]
    fn unknown_repeated_and_missing_columns_are_each_named() {
        let problems = header_problems(&header(&["tenant", "tenant", "clientid"]));
        let columns: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
        assert!(columns.contains(&"clientid"));
        assert!(problems.iter().any(|p| p.message.contains("twice")));
        assert!(columns.contains(&"client_id") && columns.contains(&"profiles"));
        assert!(
            columns.contains(&"tenant_id"),
            "a way to find the tenant is required"
        );
        assert!(problems.iter().all(|p| p.line == 1));
    }

    #[test]
    fn formulas_are_neutralised_and_other_text_is_kept() {
        assert_eq!(neutralised("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralised("+1"), "'+1");
        assert_eq!(neutralised("-2"), "'-2");
        assert_eq!(neutralised("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralised("\t=1+1"), "'\t=1+1");
        assert_eq!(neutralised("\r=1"), "'\r=1");
        assert_eq!(neutralised("Contoso"), "Contoso");
        assert_eq!(neutralised(""), "");
    }

    #[test]
    fn form_fields_map_to_the_file_columns() {
        assert_eq!(column_for("display_name"), "tenant");
        assert_eq!(column_for("private_key"), "pfx_base64");
        assert_eq!(column_for("secret_expires"), "secret_expires");
    }
}
