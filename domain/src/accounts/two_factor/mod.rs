//! Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and single-use recovery codes.
//!
//! Enrolment is two steps: a new secret is stored as pending and shown once (as text, as an
//! `otpauth://` URL and as a QR code); only a valid code from the app turns it on, and then ten
//! recovery codes are shown, once. Each accepted code moves `last_step` forward, so a code (or
//! an older one) is never accepted twice. A right password on an account with two-factor on
//! opens a [`PendingSignIn`] challenge instead of a session (see `AccountService::sign_in`).
//!
//! At rest, the secret is sealed with the app's key (`v1:<key id>:…`, bound to its user, see
//! [`crate::keys`]) and recovery codes are kept as an HMAC under that key, with the user's id:
//! a copy of the database neither produces codes nor lets one guess recovery codes offline.
//!
//! Turning it on and off is in `enrolment`, the second step of a sign-in in `challenge`, the
//! recovery codes in `recovery`, and the codes from the app and their sealed secret in `totp`.

mod challenge;
mod enrolment;
mod recovery;
mod totp;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use time::OffsetDateTime;
use uuid::Uuid;

pub use challenge::PendingSignIn;
pub use enrolment::Enrolment;
pub(crate) use recovery::rehash_legacy_recovery_code;
pub use recovery::{RECOVERY_CODES, RecoveryCodes};
pub(crate) use totp::{open_secret, seal_secret};

use crate::{
    Actor, Result,
    audit::AuditLog,
    entities::{recovery_code, two_factor},
    keys::Keyring,
};

/// Where a user's two-factor authentication stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactorStatus {
    pub enabled_at: Option<OffsetDateTime>,
    /// Recovery codes not used yet.
    pub recovery_codes_left: u64,
}

/// Which second factor let a sign-in through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    Totp,
    RecoveryCode,
}

impl SecondFactor {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::RecoveryCode => "recovery_code",
        }
    }
}

#[derive(Clone)]
pub struct TwoFactor {
    db: DatabaseConnection,
    audit: AuditLog,
    step_up: super::StepUp,
    keys: Keyring,
}

impl TwoFactor {
    pub fn new(db: DatabaseConnection, audit: AuditLog, step_up: super::StepUp, keys: Keyring) -> Self {
        Self { db, audit, step_up, keys }
    }

    /// Whether two-factor is on, and how many recovery codes are left.
    pub async fn status(&self, actor: &Actor) -> Result<TwoFactorStatus> {
        self.status_of(actor.user_id()?).await
    }

    pub(crate) async fn status_of(&self, id: Uuid) -> Result<TwoFactorStatus> {
        let enabled_at = self.enabled(id).await?.and_then(|row| row.enabled_at);
        let recovery_codes_left = recovery_code::Entity::find()
            .filter(recovery_code::Column::UserId.eq(id))
            .filter(recovery_code::Column::UsedAt.is_null())
            .count(&self.db)
            .await?;
        Ok(TwoFactorStatus { enabled_at, recovery_codes_left })
    }

    async fn enabled(&self, user_id: Uuid) -> Result<Option<two_factor::Model>> {
        Ok(two_factor::Entity::find_by_id(user_id)
            .filter(two_factor::Column::EnabledAt.is_not_null())
            .one(&self.db)
            .await?)
    }

    /// Records `step` as the last one used, unless it (or a later one) already was: one
    /// statement, so two requests with the same code cannot both pass.
    async fn advance(&self, user_id: Uuid, step: i64) -> Result<bool> {
        let updated = two_factor::Entity::update_many()
            .col_expr(two_factor::Column::LastStep, Expr::value(step))
            .filter(two_factor::Column::UserId.eq(user_id))
            .filter(two_factor::Column::LastStep.is_null().or(two_factor::Column::LastStep.lt(step)))
            .exec(&self.db)
            .await?;
        Ok(updated.rows_affected == 1)
    }
}
