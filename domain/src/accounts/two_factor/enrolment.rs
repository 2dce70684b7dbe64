//! Turning two-factor on (a pending secret, then a valid code from the app) and off, and new
//! recovery codes.

use std::fmt;

use base64::{Engine, engine::general_purpose::STANDARD};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;
use totp_rs::Secret;

use super::{
    RecoveryCodes, TwoFactor,
    recovery::replace_recovery_codes,
    totp::{check, seal_secret, totp},
};
use crate::{
    Actor, Error, Result,
    accounts::{password, require_confirmed},
    audit::{Context, Event},
    entities::{recovery_code, sign_in_challenge, two_factor, user},
    error::{Field, Problem},
    sessions::ClientInfo,
};

/// What the user needs to add the account to an authenticator app. Shown once; never printed.
pub struct Enrolment {
    /// The secret in base32, for typing in by hand.
    pub secret: String,
    /// The `otpauth://totp/…` URL the QR code holds.
    pub otpauth_url: String,
    /// The QR code as a `data:image/png;base64,…` URL.
    pub qr_code: String,
}

impl fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Enrolment(***)")
    }
}

impl TwoFactor {
    /// Makes a new secret, pending until [`Self::confirm_enrolment`] gets a valid code from it.
    /// Starting again replaces a pending secret; with two-factor on, it is refused.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn start_enrolment(&self, actor: &Actor) -> Result<Enrolment> {
        let id = actor.user_id()?;
        let user = require_confirmed(&self.db, id).await?;
        if self.enabled(id).await?.is_some() {
            return Err(Error::invalid(Field::TwoFactor, Problem::Unsupported));
        }
        let mut bytes = [0u8; 20];
        rand::rng().fill_bytes(&mut bytes);
        let secret = SecretString::from(Secret::new_stack(bytes).to_base32());
        let totp = totp(secret.expose_secret(), &user.email)?;
        let otpauth_url = totp.to_url().map_err(|e| anyhow::anyhow!("{e}").context("otpauth URL"))?;
        let png = totp.to_qr_png().map_err(|e| anyhow::anyhow!("{e}").context("QR code"))?;
        let qr_code = format!("data:image/png;base64,{}", STANDARD.encode(png));
        two_factor::Entity::delete_by_id(id).exec(&self.db).await?;
        two_factor::ActiveModel {
            user_id: Set(id),
            secret: Set(seal_secret(&self.keys, id, &secret)),
            enabled_at: Set(None),
            last_step: Set(None),
            created_at: Set(OffsetDateTime::now_utc()),
        }
        .insert(&self.db)
        .await?;
        Ok(Enrolment { secret: secret.expose_secret().to_owned(), otpauth_url, qr_code })
    }

    /// Turns two-factor on once `code` shows the app has the pending secret; hands out the
    /// recovery codes, once.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn confirm_enrolment(&self, actor: &Actor, code: &str, client: &ClientInfo) -> Result<RecoveryCodes> {
        let id = actor.user_id()?;
        let pending = two_factor::Entity::find_by_id(id)
            .filter(two_factor::Column::EnabledAt.is_null())
            .one(&self.db)
            .await?
            .ok_or(Error::invalid(Field::TwoFactor, Problem::Unsupported))?;
        require_confirmed(&self.db, id).await?;
        let step = check(&self.keys, &pending, code)?.ok_or(Error::invalid(Field::Code, Problem::Incorrect))?;
        let txn = self.db.begin().await?;
        let now = OffsetDateTime::now_utc();
        let mut model: two_factor::ActiveModel = pending.into();
        model.enabled_at = Set(Some(now));
        model.last_step = Set(Some(step));
        model.update(&txn).await?;
        let codes = replace_recovery_codes(&txn, &self.keys, id, now).await?;
        self.audit.record_in(&txn, Event::TwoFactorEnabled, Context::own(id, client)).await?;
        txn.commit().await?;
        tracing::info!(user_id = %id, "two-factor authentication on");
        Ok(codes)
    }

    /// Turns two-factor off; `proof` is the account's password, a current code or a recovery code.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn disable(&self, actor: &Actor, proof: &str, client: &ClientInfo) -> Result<()> {
        let id = actor.user_id()?;
        let user = user::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::Unauthenticated)?;
        if self.enabled(id).await?.is_none() {
            return Err(Error::invalid(Field::TwoFactor, Problem::Unsupported));
        }
        let proof = async {
            Ok(password::verify(proof, Some(&user.password_hash)).await? || self.verify(id, proof).await?.is_some())
        };
        if !self.step_up.check(&user, client, proof).await? {
            return Err(Error::invalid(Field::Code, Problem::Incorrect));
        }
        let txn = self.db.begin().await?;
        two_factor::Entity::delete_by_id(id).exec(&txn).await?;
        recovery_code::Entity::delete_many().filter(recovery_code::Column::UserId.eq(id)).exec(&txn).await?;
        sign_in_challenge::Entity::delete_many().filter(sign_in_challenge::Column::UserId.eq(id)).exec(&txn).await?;
        self.audit.record_in(&txn, Event::TwoFactorDisabled, Context::own(id, client)).await?;
        txn.commit().await?;
        tracing::info!(user_id = %id, "two-factor authentication off");
        Ok(())
    }

    /// Replaces every recovery code with ten new ones, given a current code from the app.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn regenerate_recovery_codes(
        &self,
        actor: &Actor,
        code: &str,
        client: &ClientInfo,
    ) -> Result<RecoveryCodes> {
        let id = actor.user_id()?;
        let user = user::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::Unauthenticated)?;
        let row = self.enabled(id).await?.ok_or(Error::invalid(Field::TwoFactor, Problem::Unsupported))?;
        let proof = async {
            let Some(step) = check(&self.keys, &row, code)? else { return Ok(false) };
            self.advance(id, step).await
        };
        if !self.step_up.check(&user, client, proof).await? {
            return Err(Error::invalid(Field::Code, Problem::Incorrect));
        }
        let txn = self.db.begin().await?;
        let codes = replace_recovery_codes(&txn, &self.keys, id, OffsetDateTime::now_utc()).await?;
        txn.commit().await?;
        Ok(codes)
    }
}
