//! The password policy and argon2id hashing. Hashing runs on the blocking pool so a burst of
//! sign-ins never stalls the async threads.

use std::{collections::HashSet, fmt, sync::LazyLock};

use anyhow::Context;
use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};

use crate::error::{Error, Field, Problem};

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// The password hash of an account that has no password (created through a provider): it matches
/// no password; a reset or a change through a provider sets a real one.
pub const NO_PASSWORD: &str = "!no-password";

/// The 10,000 most common passwords (Daniel Miessler's SecLists, MIT; see data/common-passwords.LICENSE).
static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .map(|line| line.trim().to_lowercase())
        .filter(|line| line.len() >= 4)
        .collect()
});

/// A password that met the policy. Never printed.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(raw: &str, field: Field) -> Result<Self, Error> {
        let length = raw.chars().count();
        if length == 0 {
            return Err(Error::invalid(field, Problem::Required));
        }
        if length < MIN_LENGTH {
            return Err(Error::invalid(field, Problem::TooShort));
        }
        if length > MAX_LENGTH {
            return Err(Error::invalid(field, Problem::TooLong));
        }
        if is_common(raw) {
            return Err(Error::invalid(field, Problem::TooCommon));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// Common passwords padded to length are as weak as the originals: "password1234",
/// "qwertyqwerty", "Dragon2024!!" are all refused.
fn is_common(raw: &str) -> bool {
    let lower = raw.to_lowercase();
    let core = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let core = core.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    if core.is_empty() || COMMON.contains(&lower) || COMMON.contains(core) {
        return true;
    }
    let few_distinct = lower.chars().collect::<HashSet<_>>().len() < 4;
    few_distinct || is_repetition_of_common(&lower)
}

fn is_repetition_of_common(lower: &str) -> bool {
    let len = lower.len();
    (1..=len / 2).filter(|n| len.is_multiple_of(*n) && lower.is_char_boundary(*n)).any(|n| {
        let unit = &lower[..n];
        unit.repeat(len / n) == lower && (n < 4 || COMMON.contains(unit))
    })
}

/// Hashes with argon2id and a fresh salt.
pub async fn hash(password: &NewPassword) -> Result<String, Error> {
    let password = password.0.clone();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        let hashed = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"));
        crate::heavy::release_memory();
        hashed
    })
    .await
    .context("password hashing task panicked")?
    .map_err(Error::Unexpected)
}

/// Checks a password against a stored hash. With no stored hash (unknown account) it still does
/// the same work against a dummy hash, so the answer takes the same time either way.
pub async fn verify(candidate: &str, stored: Option<&str>) -> Result<bool, Error> {
    // An account created through a provider has no password: nothing matches it.
    let stored = stored.filter(|s| *s != NO_PASSWORD);
    let known = stored.is_some();
    let stored = stored.map(str::to_owned);
    let candidate = candidate.to_owned();
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| DUMMY.clone());
        let parsed =
            PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored password hash is unreadable: {e}"))?;
        let matches = Argon2::default().verify_password(candidate.as_bytes(), &parsed).is_ok();
        crate::heavy::release_memory();
        Ok(known && matches)
    })
    .await
    .context("password verification task panicked")?
    .map_err(Error::Unexpected)
}

static DUMMY: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(b"timing equaliser for unknown accounts", &salt)
        .expect("argon2 hashing of a constant cannot fail")
        .to_string()
});

/// Warms the dummy hash at start-up so the first unknown-email sign-in is not faster.
pub fn warm_up() {
    LazyLock::force(&COMMON);
    LazyLock::force(&DUMMY);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(raw: &str) -> Option<Problem> {
        match NewPassword::parse(raw, Field::Password) {
            Ok(_) => None,
            Err(Error::Invalid { problem, .. }) => Some(problem),
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn requires_twelve_characters() {
        assert_eq!(problem(""), Some(Problem::Required));
        assert_eq!(problem("Tr0ub4dor&3"), Some(Problem::TooShort));
        assert_eq!(problem("correct horse battery staple"), None);
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(problem("ääääääbcdef"), Some(Problem::TooShort));
    }

    #[test]
    fn refuses_common_passwords_and_their_padded_forms() {
        for raw in [
            "qwerty123456",
            "password1234",
            "Dragon2024!!",
            "passwordpassword",
            "aaaaaaaaaaaaaaa",
            "abababababab",
            "123456789012",
        ] {
            assert_eq!(problem(raw), Some(Problem::TooCommon), "{raw} was accepted");
        }
    }

    #[test]
    fn refuses_absurd_lengths() {
        assert_eq!(problem(&"x1y2z3".repeat(50)), Some(Problem::TooLong));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = NewPassword::parse("a long unique passphrase", Field::Password).unwrap();
        assert!(!format!("{password:?}").contains("passphrase"));
    }

    #[tokio::test]
    async fn hash_verifies_only_the_right_password() {
        let password = NewPassword::parse("a long unique passphrase", Field::Password).unwrap();
        let stored = hash(&password).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("a long unique passphrase", Some(&stored)).await.unwrap());
        assert!(!verify("a long unique passphrasf", Some(&stored)).await.unwrap());
        assert!(!verify("a long unique passphrase", None).await.unwrap());
    }
}
