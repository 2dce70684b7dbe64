//! Sealing: AES-256-GCM under the newest key, bound to a context (the owner's id), so a sealed
//! value opens only where it was put.

use aes_gcm::{
    Aes256Gcm, KeyInit,
    aead::{Aead, Payload},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox};

use super::{Key, KeyError, Keyring};

/// Sealed values: `v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`.
const SEALED: &str = "v1";
const NONCE_LEN: usize = 12;

impl Key {
    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new_from_slice(self.seal.expose_secret()).expect("a 32-byte AES-256 key")
    }
}

impl Keyring {
    /// Encrypts `plaintext` under the newest key, bound to `context` (e.g. the owner's id): it
    /// opens only with the same context, so it cannot be moved to another row.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> String {
        let key = &self.0[0];
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = key
            .cipher()
            .encrypt(&nonce.into(), Payload { msg: plaintext, aad: context })
            .expect("AES-GCM encrypts any message this short");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{SEALED}:{}:{}", key.id, URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Whether `stored` is a sealed value (rather than a plaintext from before SECRET_KEYS).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with("v1:")
    }

    /// Opens what [`Self::seal`] made with the same `context`.
    pub fn open(&self, sealed: &str, context: &[u8]) -> Result<SecretBox<Vec<u8>>, KeyError> {
        let mut parts = sealed.splitn(3, ':');
        let (Some(SEALED), Some(id), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(KeyError::Malformed);
        };
        let key = self.key(id)?;
        let bytes = URL_SAFE_NO_PAD.decode(data).map_err(|_| KeyError::Malformed)?;
        if bytes.len() < NONCE_LEN {
            return Err(KeyError::Malformed);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().expect("split at the nonce's length");
        let plaintext = key
            .cipher()
            .decrypt(&nonce.into(), Payload { msg: ciphertext, aad: context })
            .map_err(|_| KeyError::Forged(id.to_owned()))?;
        Ok(SecretBox::new(Box::new(plaintext)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn sealed_values_open_only_with_their_context_and_key() {
        let keys = Keyring::ephemeral();
        let sealed = keys.seal(b"JBSWY3DPEHPK3PXP", b"user-1");
        assert!(sealed.starts_with(&format!("v1:{}:", keys.newest())));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(keys.open(&sealed, b"user-1").unwrap().expose_secret().as_slice(), b"JBSWY3DPEHPK3PXP");
        assert!(matches!(keys.open(&sealed, b"user-2"), Err(KeyError::Forged(_))));
        assert!(matches!(Keyring::ephemeral().open(&sealed, b"user-1"), Err(KeyError::Unknown(_))));
        assert_ne!(keys.seal(b"x", b"c"), keys.seal(b"x", b"c"), "a fresh nonce each time");
    }
}
