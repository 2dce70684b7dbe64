//! Recovery codes: ten at a time, single use, kept as an HMAC under the app's key with the user's
//! id.

use std::fmt;

use rand::Rng;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use time::OffsetDateTime;
use uuid::Uuid;

use super::TwoFactor;
use crate::{Result, entities::recovery_code, keys::Keyring, secret};

/// How many recovery codes an enrolment (or a regeneration) hands out.
pub const RECOVERY_CODES: usize = 10;
/// Recovery codes are written with these letters (no 0/o, 1/l/i to misread).
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// What a recovery code's HMAC is for; `h1:` values hash the code, `w1:` ones the plain SHA-256
/// a code was stored as before SECRET_KEYS.
const RECOVERY_CODE: &str = "recovery-code";
const LEGACY_RECOVERY_CODE: &str = "recovery-code-sha256";

/// Freshly made recovery codes, shown to their user once. Never printed.
pub struct RecoveryCodes(Vec<String>);

impl RecoveryCodes {
    pub fn expose(&self) -> &[String] {
        &self.0
    }
}

impl fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecoveryCodes({} codes)", self.0.len())
    }
}

impl TwoFactor {
    /// Uses up the unused recovery code `code` matches, if any. Every unused code of the user is
    /// checked (HMACs compared in constant time), so the time taken says nothing about which.
    pub(super) async fn use_recovery_code(&self, user_id: Uuid, code: &str) -> Result<bool> {
        let code = normalise_recovery_code(code);
        if code.is_empty() {
            return Ok(false);
        }
        let unused = recovery_code::Entity::find()
            .filter(recovery_code::Column::UserId.eq(user_id))
            .filter(recovery_code::Column::UsedAt.is_null())
            .all(&self.db)
            .await?;
        let legacy = secret::digest(&code);
        let mut found = None;
        for row in &unused {
            let user = user_id.as_bytes().as_slice();
            let matches = self.keys.verify(&row.id, "h1", RECOVERY_CODE, &[user, code.as_bytes()])?
                || self.keys.verify(&row.id, "w1", LEGACY_RECOVERY_CODE, &[user, legacy.as_bytes()])?;
            if matches && found.is_none() {
                found = Some(row.id.clone());
            }
        }
        let Some(id) = found else { return Ok(false) };
        let used = recovery_code::Entity::update_many()
            .col_expr(recovery_code::Column::UsedAt, Expr::value(OffsetDateTime::now_utc()))
            .filter(recovery_code::Column::Id.eq(id))
            .filter(recovery_code::Column::UserId.eq(user_id))
            .filter(recovery_code::Column::UsedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(used.rows_affected == 1)
    }
}

/// The keyed hash kept for a recovery code stored as a plain SHA-256 (`sha256_hex`) before
/// SECRET_KEYS.
pub(crate) fn rehash_legacy_recovery_code(keys: &Keyring, user_id: Uuid, sha256_hex: &str) -> String {
    keys.sign("w1", LEGACY_RECOVERY_CODE, &[user_id.as_bytes(), sha256_hex.as_bytes()])
}

/// Deletes the user's recovery codes and stores ten new ones (their keyed hashes).
pub(super) async fn replace_recovery_codes(
    db: &impl ConnectionTrait,
    keys: &Keyring,
    user_id: Uuid,
    now: OffsetDateTime,
) -> Result<RecoveryCodes> {
    recovery_code::Entity::delete_many().filter(recovery_code::Column::UserId.eq(user_id)).exec(db).await?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let rows = codes.iter().map(|code| recovery_code::ActiveModel {
        id: Set(keys.sign("h1", RECOVERY_CODE, &[user_id.as_bytes(), normalise_recovery_code(code).as_bytes()])),
        user_id: Set(user_id),
        used_at: Set(None),
        created_at: Set(now),
    });
    recovery_code::Entity::insert_many(rows).exec(db).await?;
    Ok(RecoveryCodes(codes))
}

/// Ten letters and digits (about 50 bits), written `xxxxx-xxxxx`.
fn new_recovery_code() -> String {
    let mut rng = rand::rng();
    let mut code: String =
        (0..10).map(|_| char::from(RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())])).collect();
    code.insert(5, '-');
    code
}

/// How a recovery code is compared: without case, spaces or dashes.
fn normalise_recovery_code(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn recovery_codes_are_compared_without_case_spaces_or_dashes() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(normalise_recovery_code(&code.to_uppercase().replace('-', " ")), normalise_recovery_code(&code));
    }
}
