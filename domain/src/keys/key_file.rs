//! The embedded default without `SECRET_KEYS`: a key generated once into `DATA_DIR/secret-keys`,
//! readable by its owner only.

use std::{io::Write, path::Path};

use anyhow::Context;

use super::Keyring;

impl Keyring {
    /// The embedded default: the keys in `path`, which is made (mode 0600) with one new key if
    /// it does not exist yet.
    pub fn embedded(path: &Path) -> anyhow::Result<Self> {
        let raw = match std::fs::read_to_string(path) {
            Ok(raw) => raw,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key_file(path)?,
            Err(e) => return Err(e).with_context(|| format!("SECRET_KEYS unset: cannot read {}", path.display())),
        };
        warn_if_readable_by_others(path);
        Self::parse(&raw).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }
}

/// Writes a new key file: created exclusively, readable by its owner only. Another process that
/// got there first wins, and its file is read.
fn create_key_file(path: &Path) -> anyhow::Result<String> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("DATA_DIR: cannot create {}", dir.display()))?;
    }
    let content = format!(
        "# SmartAIPlatForm's secret keys (SECRET_KEYS is unset), newest first; they seal TOTP secrets and\n\
         # key recovery codes and the audit chain. Without this file those cannot be opened or checked:\n\
         # keep a copy apart from the database's backups. In production, set SECRET_KEYS instead,\n\
         # ending with this key.\n{}\n",
        Keyring::generate_line()
    );
    let file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path);
    match file {
        Ok(mut file) => {
            file.write_all(content.as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("SECRET_KEYS unset: cannot write {}", path.display()))?;
            tracing::info!(file = %path.display(), "SECRET_KEYS unset: generated a secret key");
            Ok(content)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
        }
        Err(e) => Err(e).with_context(|| format!("SECRET_KEYS unset: cannot create {}", path.display())),
    }
}

fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(file = %path.display(), "the secret key file is readable by others: chmod 600 it");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KEY_FILE;
    #[test]
    fn the_embedded_key_file_is_made_once_and_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join(KEY_FILE);
        let first = Keyring::embedded(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = Keyring::embedded(&path).unwrap();
        assert_eq!(first.newest(), again.newest());
        let sealed = first.seal(b"x", b"y");
        assert!(again.open(&sealed, b"y").is_ok());
    }
}
