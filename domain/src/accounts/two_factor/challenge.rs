//! The second step of a sign-in: a right password opens a pending sign-in, which a code from the
//! app or a recovery code completes.

use std::fmt;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{SecondFactor, TwoFactor, totp::check};
use crate::{
    Error, Result,
    entities::{sign_in_challenge, user},
    error::{Field, Problem},
    secret,
};

/// How long a right password waits for its second factor.
const CHALLENGE_TTL: time::Duration = time::Duration::minutes(5);

/// The secret a client holds between the password and the second factor. Never printed.
pub struct PendingSignIn(String);

impl PendingSignIn {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PendingSignIn(***)")
    }
}

impl TwoFactor {
    /// Whether the user has two-factor on.
    pub(crate) async fn is_enabled(&self, user_id: Uuid) -> Result<bool> {
        Ok(self.enabled(user_id).await?.is_some())
    }

    /// Opens a pending sign-in for a user whose password was right.
    pub(crate) async fn open_challenge(&self, user_id: Uuid) -> Result<PendingSignIn> {
        let challenge = PendingSignIn(secret::random_token());
        let now = OffsetDateTime::now_utc();
        sign_in_challenge::ActiveModel {
            id: Set(secret::digest(challenge.expose())),
            user_id: Set(user_id),
            expires_at: Set(now + CHALLENGE_TTL),
            created_at: Set(now),
        }
        .insert(&self.db)
        .await?;
        Ok(challenge)
    }

    /// The user a pending sign-in is for, while it lasts.
    pub(crate) async fn challenged(&self, challenge: &str) -> Result<user::Model> {
        let expired = || Error::invalid(Field::Challenge, Problem::Expired);
        let found = sign_in_challenge::Entity::find_by_id(secret::digest(challenge))
            .filter(sign_in_challenge::Column::ExpiresAt.gt(OffsetDateTime::now_utc()))
            .one(&self.db)
            .await?
            .ok_or_else(expired)?;
        user::Entity::find_by_id(found.user_id).one(&self.db).await?.ok_or_else(expired)
    }

    /// Removes pending sign-ins past their time (the nightly job).
    pub async fn purge_expired(&self) -> Result<u64> {
        let now = OffsetDateTime::now_utc();
        let deleted = sign_in_challenge::Entity::delete_many()
            .filter(sign_in_challenge::Column::ExpiresAt.lte(now))
            .exec(&self.db)
            .await?;
        Ok(deleted.rows_affected)
    }

    /// Uses up a pending sign-in; false if another request got there first.
    pub(crate) async fn close_challenge(&self, challenge: &str) -> Result<bool> {
        let deleted = sign_in_challenge::Entity::delete_by_id(secret::digest(challenge)).exec(&self.db).await?;
        Ok(deleted.rows_affected == 1)
    }

    /// Checks a second factor: a current code from the app (each accepted once), or an unused
    /// recovery code (used up by this).
    pub(crate) async fn verify(&self, user_id: Uuid, code: &str) -> Result<Option<SecondFactor>> {
        let Some(row) = self.enabled(user_id).await? else { return Ok(None) };
        if let Some(step) = check(&self.keys, &row, code)? {
            return Ok(self.advance(user_id, step).await?.then_some(SecondFactor::Totp));
        }
        Ok(self.use_recovery_code(user_id, code).await?.then_some(SecondFactor::RecoveryCode))
    }
}
