//! The data directory and the database file hold every customer's sealed
//! credentials: only the account running Tenantry may open them. The
//! directory is created 0700 and the database file 0600 before SQLite
//! opens it (SQLite gives its -wal and -shm files the database file's
//! permissions).

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("could not prepare {path}: {source}")]
pub struct StorageError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

fn failed(path: &Path) -> impl Fn(std::io::Error) -> StorageError + '_ {
    move |source| StorageError {
        path: path.to_owned(),
        source,
    }
}

pub fn prepare_data_dir(dir: &Path) -> Result<(), StorageError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(failed(dir))
}

/// The file of a `sqlite://` URL, if it names one (not `:memory:`).
pub(crate) fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    let rest = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

/// Creates the database file 0600 if it is missing, and takes group and
/// other permissions away from one that has them.
pub fn prepare_database_file(database_url: &str) -> Result<(), StorageError> {
    let Some(path) = sqlite_file(database_url) else {
        return Ok(());
    };
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        options.open(&path).map_err(failed(&path))?;
        let mode = std::fs::metadata(&path)
            .map_err(failed(&path))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the database file was readable by others; it is now 0600");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(failed(&path))?;
        }
    }
    #[cfg(not(unix))]
    options.open(&path).map_err(failed(&path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;
    use std::path::PathBuf;

    #[test]
    fn the_database_file_is_read_from_its_url() {
        assert_eq!(
            sqlite_file("sqlite://data/tenantry.db"),
            Some(PathBuf::from("data/tenantry.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///var/lib/t.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/t.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://db/tenantry"), None);
    }
}
