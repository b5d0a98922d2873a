//! Where the master keys for secrets at rest come from: `TENANTRY_MASTER_KEY`
//! (and `TENANTRY_PREVIOUS_MASTER_KEYS`), or else key files in
//! `<data dir>/keys/`, readable only by their owner and created on first run.
//! The newest file seals; older ones still open what they sealed.

use crate::config::Config;
use app::backend::vault::{decode_key, encode_key, key_id, new_key, Vault};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("TENANTRY_MASTER_KEY (or a previous key) is not 32 bytes of base64")]
    BadEnvironmentKey,
    #[error("the key file {0} is not 32 bytes of base64")]
    BadKeyFile(PathBuf),
    #[error("the key file {path} can be read by other users (mode {mode:o}); make it private with `chmod 600 {path}` and start again")]
    LoosePermissions { path: PathBuf, mode: u32 },
    #[error("could not use the key directory {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("keys come from TENANTRY_MASTER_KEY: rotate by setting a new TENANTRY_MASTER_KEY and moving the old one to TENANTRY_PREVIOUS_MASTER_KEYS, then run `tenantry keys rotate` again to re-seal")]
    EnvironmentManaged,
}

pub fn key_dir(config: &Config) -> PathBuf {
    config.data_dir.join("keys")
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> KeyringError + '_ {
    move |source| KeyringError::Io {
        path: path.to_owned(),
        source,
    }
}

fn write_key_file(dir: &Path, key: &[u8; 32]) -> Result<PathBuf, KeyringError> {
    use std::io::Write;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let path = dir.join(format!("{stamp:020}-{}.key", key_id(key)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    let mut file = options.open(&path).map_err(io(&path))?;
    file.write_all(encode_key(key).as_bytes())
        .map_err(io(&path))?;
    Ok(path)
}

/// Key files, newest first.
fn key_files(dir: &Path) -> Result<Vec<PathBuf>, KeyringError> {
    if !dir.exists() {
        return Ok(vec![]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "key"))
        .collect();
    files.sort();
    files.reverse();
    Ok(files)
}

fn read_keys(files: &[PathBuf]) -> Result<Vec<[u8; 32]>, KeyringError> {
    files
        .iter()
        .map(|path| {
            refuse_if_shared(path)?;
            let text = std::fs::read_to_string(path).map_err(io(path))?;
            decode_key(&text).map_err(|_| KeyringError::BadKeyFile(path.clone()))
        })
        .collect()
}

/// A key file others can read is no secret: refused rather than used.
fn refuse_if_shared(path: &Path) -> Result<(), KeyringError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(io(path))?
            .permissions()
            .mode()
            & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyringError::LoosePermissions {
                path: path.to_owned(),
                mode,
            });
        }
    }
    Ok(())
}

/// Where each master key comes from, newest (sealing) first, with its id.
pub fn sources(config: &Config) -> Result<Vec<(String, String)>, KeyringError> {
    if let Some(current) = &config.master_key {
        let mut keys = vec![(
            current.expose().to_owned(),
            "TENANTRY_MASTER_KEY".to_owned(),
        )];
        keys.extend(config.previous_master_keys.iter().map(|key| {
            (
                key.expose().to_owned(),
                "TENANTRY_PREVIOUS_MASTER_KEYS".to_owned(),
            )
        }));
        return keys
            .into_iter()
            .map(|(text, source)| {
                decode_key(&text)
                    .map(|key| (key_id(&key), source))
                    .map_err(|_| KeyringError::BadEnvironmentKey)
            })
            .collect();
    }
    let files = key_files(&key_dir(config))?;
    let keys = read_keys(&files)?;
    Ok(keys
        .iter()
        .zip(&files)
        .map(|(key, path)| (key_id(key), path.display().to_string()))
        .collect())
}

pub fn load(config: &Config) -> Result<Vault, KeyringError> {
    if let Some(current) = &config.master_key {
        let current = decode_key(current.expose()).map_err(|_| KeyringError::BadEnvironmentKey)?;
        let older = config
            .previous_master_keys
            .iter()
            .map(|key| decode_key(key.expose()).map_err(|_| KeyringError::BadEnvironmentKey))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Vault::new(current, &older));
    }
    let dir = key_dir(config);
    let mut files = key_files(&dir)?;
    if files.is_empty() {
        files.push(write_key_file(&dir, &new_key())?);
    }
    let keys = read_keys(&files)?;
    Ok(Vault::new(keys[0], &keys[1..]))
}

/// Adds a new key file, which from now on seals; returns its path.
pub fn add_key(config: &Config) -> Result<PathBuf, KeyringError> {
    if config.master_key.is_some() {
        return Err(KeyringError::EnvironmentManaged);
    }
    write_key_file(&key_dir(config), &new_key())
}
