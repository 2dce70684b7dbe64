//! Keyed hashes: HMAC-SHA256 under the newest key, for one purpose, checked under whichever key
//! they name.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;

use super::{Key, KeyError, Keyring};

impl Key {
    fn hmac(&self, purpose: &str, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.mac.expose_secret()).expect("any key length");
        // Length-prefixed, so no two different inputs encode alike.
        for part in std::iter::once(purpose.as_bytes()).chain(parts.iter().copied()) {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac
    }
}

impl Keyring {
    /// A keyed hash of `parts` under the newest key, for `purpose` (which keeps the hashes of
    /// different uses apart): `<version>:<key id>:<base64url of the HMAC-SHA256>`, 63 characters
    /// at most.
    pub fn sign(&self, version: &str, purpose: &str, parts: &[&[u8]]) -> String {
        let key = &self.0[0];
        let tag = key.hmac(purpose, parts).finalize().into_bytes();
        format!("{version}:{}:{}", key.id, URL_SAFE_NO_PAD.encode(tag))
    }

    /// Whether `stored` is what [`Self::sign`] makes of `parts` with the key it names, compared
    /// in constant time. `Ok(false)` for another version or a malformed value; an error for a
    /// key that is not in the ring.
    pub fn verify(&self, stored: &str, version: &str, purpose: &str, parts: &[&[u8]]) -> Result<bool, KeyError> {
        let mut fields = stored.splitn(3, ':');
        let (Some(v), Some(id), Some(tag)) = (fields.next(), fields.next(), fields.next()) else { return Ok(false) };
        if v != version {
            return Ok(false);
        }
        let key = self.key(id)?;
        let Ok(tag) = URL_SAFE_NO_PAD.decode(tag) else { return Ok(false) };
        Ok(key.hmac(purpose, parts).verify_slice(&tag).is_ok())
    }
}
