//! Codes from an authenticator app (TOTP, RFC 6238), and their secret as it is stored: sealed
//! under the app's key, bound to its user.

use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;
use totp_rs::{Algorithm, Builder, Secret, Totp};
use uuid::Uuid;

use crate::{Result, entities::two_factor, keys::Keyring};

/// The name authenticator apps show beside the account.
const ISSUER: &str = "SmartAIPlatForm";

/// The TOTP for a stored secret: SHA-1, six digits, 30-second steps, one step of clock skew
/// either way (what every authenticator app does).
pub(super) fn totp(secret: &str, account_name: &str) -> Result<Totp> {
    let secret = Secret::try_from_base32(secret).map_err(|e| anyhow::anyhow!("{e:?}").context("stored TOTP secret"))?;
    let builder = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_issuer(Some(ISSUER));
    let builder = if account_name.is_empty() { builder } else { builder.with_account_name(account_name) };
    Ok(builder.build_noncompliant())
}

/// The time step `code` is valid for now, if it is.
pub(super) fn check(keys: &Keyring, row: &two_factor::Model, code: &str) -> Result<Option<i64>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let now = u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap_or_default();
    let secret = open_secret(keys, row)?;
    Ok(totp(secret.expose_secret(), "")?.check(&code, now).and_then(|step| i64::try_from(step).ok()))
}

/// What is stored for a TOTP secret: sealed under the newest key, bound to its user.
pub(crate) fn seal_secret(keys: &Keyring, user_id: Uuid, secret: &SecretString) -> String {
    keys.seal(secret.expose_secret().as_bytes(), user_id.as_bytes())
}

/// A row's TOTP secret (base32). A secret stored in clear before SECRET_KEYS is taken as it is
/// until the start-up upgrade seals it.
pub(crate) fn open_secret(keys: &Keyring, row: &two_factor::Model) -> Result<SecretString> {
    if !Keyring::is_sealed(&row.secret) {
        return Ok(SecretString::from(row.secret.clone()));
    }
    let opened = keys.open(&row.secret, row.user_id.as_bytes())?;
    let secret =
        std::str::from_utf8(opened.expose_secret()).map_err(|_| anyhow::anyhow!("a sealed TOTP secret is not text"))?;
    Ok(SecretString::from(secret.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn a_code_of_the_current_step_passes_and_a_wrong_one_does_not() {
        let keys = Keyring::ephemeral();
        let secret = Secret::new_stack([7; 20]).to_base32();
        let row = two_factor::Model {
            user_id: Uuid::nil(),
            secret: seal_secret(&keys, Uuid::nil(), &SecretString::from(secret.clone())),
            enabled_at: None,
            last_step: None,
            created_at: OffsetDateTime::now_utc(),
        };
        assert!(!row.secret.contains(&secret));
        let now = u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap();
        let code = totp(&secret, "").unwrap().generate(now).to_string();
        assert_eq!(check(&keys, &row, &code).unwrap(), Some(i64::try_from(now / 30).unwrap()));
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert_eq!(check(&keys, &row, &wrong).unwrap(), None);
        assert_eq!(check(&keys, &row, "12345").unwrap(), None);
        let moved = two_factor::Model { user_id: Uuid::from_u128(1), ..row };
        assert!(check(&keys, &moved, &code).is_err(), "a sealed secret does not open for another user");
    }
}
