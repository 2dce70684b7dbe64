//! The app's own secret keys (`SECRET_KEYS`), kept outside the database. They seal TOTP secrets
//! (AES-256-GCM) and key the hashes of recovery codes and of the audit chain (HMAC-SHA256), so a
//! copy of the database or of a backup opens none of them, and a writer of the database cannot
//! forge the audit chain.
//!
//! A keyring is a list of `id:base64` entries, newest first: the first seals and signs, every one
//! opens and checks. Each stored value names the key that made it (`v1:<id>:…`), so a new key can
//! go in front while older values still open; `smartai keys rotate` re-seals the TOTP secrets
//! under the newest key. Recovery-code and audit hashes cannot be redone without what they hash,
//! so a key stays in the list as long as any of them names it
//! ([`KeyService::check_in_use`](crate::key_rotation::KeyService::check_in_use)).
//! Without `SECRET_KEYS`, one key is generated into `DATA_DIR/secret-keys` (mode 0600) at the first
//! start and used from then on.
//!
//! Sealing is in `seal`, keyed hashes in `sign`, the embedded key file in `key_file`; what the
//! database holds under which key (rotation, the start-up upgrade) is in `crate::key_rotation`.

mod key_file;
mod seal;
mod sign;

use std::{fmt, path::Path, sync::Arc};

use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::SecretBox;
use sha2::Sha256;

/// The file the embedded default keeps its key in, under `DATA_DIR`.
pub const KEY_FILE: &str = "secret-keys";

/// The longest key id: ids are stored in front of every sealed value and hash, whose columns
/// are 64 characters wide (`h1:<id>:<43 characters>`).
const MAX_ID_LEN: usize = 16;

/// The setting `SECRET_KEYS`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysConfig {
    /// The app's secret keys, newest first. Unset: a key generated once into DATA_DIR/secret-keys.
    #[serde(default, deserialize_with = "keyring")]
    pub secret_keys: Option<Keyring>,
}

fn keyring<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Keyring>, D::Error> {
    crate::config::parse::with(deserializer, Keyring::parse).map(Some)
}

impl KeysConfig {
    /// `SECRET_KEYS`, or the key file under `data_dir` (made with a new key if it is missing).
    pub fn open(&self, data_dir: &Path) -> anyhow::Result<Keyring> {
        match &self.secret_keys {
            Some(keys) => Ok(keys.clone()),
            None => Keyring::embedded(&data_dir.join(KEY_FILE)),
        }
    }
}

/// What can go wrong with a sealed value or a keyed hash.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "the key `{0}` is not in SECRET_KEYS, but data sealed or hashed with it is stored: add it back after the newest key"
    )]
    Unknown(String),
    #[error("a sealed value is not in the `v1:<key id>:<base64>` form")]
    Malformed,
    #[error("a sealed value does not open with the key `{0}`: it was altered, or moved to another account")]
    Forged(String),
}

impl From<KeyError> for crate::Error {
    fn from(err: KeyError) -> Self {
        Self::Unexpected(err.into())
    }
}

/// A key's name, as stored in front of what it sealed or hashed.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok = (1..=MAX_ID_LEN).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!("the key id `{raw}` is not 1 to {MAX_ID_LEN} letters, digits, `-` or `_`"))
        }
    }
}

impl AsRef<str> for KeyId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.0)
    }
}

/// One key, as two keys derived from it: one for sealing, one for hashing, so no byte string is
/// ever both an AES key and an HMAC key.
struct Key {
    id: KeyId,
    seal: SecretBox<[u8; 32]>,
    mac: SecretBox<[u8; 32]>,
}

impl Key {
    fn new(id: KeyId, master: &[u8; 32]) -> Self {
        let derive = |label: &[u8]| {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("HMAC takes any key length");
            mac.update(label);
            let mut key = [0u8; 32];
            key.copy_from_slice(&mac.finalize().into_bytes());
            SecretBox::new(Box::new(key))
        };
        Self { id, seal: derive(b"smartai secret-keys v1: seal"), mac: derive(b"smartai secret-keys v1: mac") }
    }
}

/// The keys, newest first; never empty. Cheap to clone; never printed.
#[derive(Clone)]
pub struct Keyring(Arc<[Key]>);

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Keyring").field(&self.ids().map(KeyId::as_ref).collect::<Vec<_>>()).finish()
    }
}

impl Keyring {
    /// Parses `id:base64key` entries separated by commas or new lines (blank lines and lines
    /// starting with `#` are skipped), newest first.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut keys: Vec<Key> = Vec::new();
        let entries = raw
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'))
            .flat_map(|line| line.split(','))
            .map(str::trim)
            .filter(|entry| !entry.is_empty());
        for entry in entries {
            let (id, key) = entry.split_once(':').ok_or_else(|| "each key is `id:base64`".to_owned())?;
            let id = KeyId::parse(id.trim())?;
            let bytes = STANDARD
                .decode(key.trim())
                .or_else(|_| URL_SAFE_NO_PAD.decode(key.trim().trim_end_matches('=')))
                .map_err(|_| format!("the key `{id}` is not base64"))?;
            let master: [u8; 32] =
                bytes.try_into().map_err(|b: Vec<u8>| format!("the key `{id}` has {} bytes, not 32", b.len()))?;
            if keys.iter().any(|k| k.id == id) {
                return Err(format!("the key id `{id}` is listed twice"));
            }
            keys.push(Key::new(id, &master));
        }
        if keys.is_empty() {
            return Err("no key: give at least one `id:base64` entry (`smartai keys generate`)".into());
        }
        Ok(Self(keys.into()))
    }

    /// A new key's line for SECRET_KEYS: `k<yyyymmdd>-<4 hex>:<base64 of 32 random bytes>`.
    pub fn generate_line() -> String {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        let mut suffix = [0u8; 2];
        rand::rng().fill_bytes(&mut suffix);
        let today = time::OffsetDateTime::now_utc().date();
        let id = format!(
            "k{:04}{:02}{:02}-{:02x}{:02x}",
            today.year(),
            u8::from(today.month()),
            today.day(),
            suffix[0],
            suffix[1]
        );
        format!("{id}:{}", STANDARD.encode(key))
    }

    /// A keyring of one fresh key that lives as long as the process (for tests and tools).
    pub fn ephemeral() -> Self {
        Self::parse(&Self::generate_line()).expect("a generated line parses")
    }

    /// The key that seals and signs.
    pub fn newest(&self) -> &KeyId {
        &self.0[0].id
    }

    /// Every key's id, newest first.
    pub fn ids(&self) -> impl Iterator<Item = &KeyId> {
        self.0.iter().map(|k| &k.id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.0.iter().any(|k| k.id.0 == id)
    }

    fn key(&self, id: &str) -> Result<&Key, KeyError> {
        self.0.iter().find(|k| k.id.0 == id).ok_or_else(|| KeyError::Unknown(id.to_owned()))
    }

    /// The key id a sealed value or keyed hash names (`<version>:<id>:…`).
    pub fn key_id_of(stored: &str) -> Option<&str> {
        let mut parts = stored.splitn(3, ':');
        let (_, id, _) = (parts.next()?, parts.next()?, parts.next()?);
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;
    #[test]
    fn older_keys_open_and_check_what_they_made() {
        let old_line = Keyring::generate_line();
        let old = Keyring::parse(&old_line).unwrap();
        let sealed = old.seal(b"secret", b"ctx");
        let signed = old.sign("h1", "test", &[b"code"]);
        assert!(signed.len() <= 63, "{signed}");
        let both = Keyring::parse(&format!("{},{old_line}", Keyring::generate_line())).unwrap();
        assert_ne!(both.newest(), old.newest());
        assert_eq!(both.open(&sealed, b"ctx").unwrap().expose_secret().as_slice(), b"secret");
        assert!(both.verify(&signed, "h1", "test", &[b"code"]).unwrap());
        assert!(!both.verify(&signed, "h1", "test", &[b"other"]).unwrap());
        assert!(!both.verify(&signed, "h1", "other purpose", &[b"code"]).unwrap());
        assert!(!both.verify(&signed, "a1", "test", &[b"code"]).unwrap());
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        assert!(Keyring::parse("").unwrap_err().contains("no key"));
        assert!(Keyring::parse("k1").unwrap_err().contains("id:base64"));
        assert!(Keyring::parse("k1:c2hvcnQ=").unwrap_err().contains("not 32"));
        assert!(Keyring::parse("k:1:AAAA").is_err());
        let line = Keyring::generate_line();
        let (_, key) = line.split_once(':').unwrap();
        assert!(Keyring::parse(&format!("a:{key},a:{key}")).unwrap_err().contains("twice"));
        assert!(Keyring::parse(&format!("{}:{key}", "x".repeat(17))).is_err());
        assert_eq!(Keyring::parse(&format!("# comment\n\na:{key}\n")).unwrap().newest().as_ref(), "a");
    }

    #[test]
    fn never_prints_a_key() {
        let line = Keyring::generate_line();
        let keys = Keyring::parse(&line).unwrap();
        let (id, key) = line.split_once(':').unwrap();
        let printed = format!("{keys:?}");
        assert!(printed.contains(id) && !printed.contains(key), "{printed}");
    }
}
