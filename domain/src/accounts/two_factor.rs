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

use std::fmt;

use base64::{Engine, engine::general_purpose::STANDARD};
use rand::{Rng, RngCore};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionTrait, sea_query::Expr,
};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;
use totp_rs::{Algorithm, Builder, Secret, Totp};
use uuid::Uuid;

use super::password;
use crate::{
    Actor, Error, Result,
    audit::{AuditLog, Context, Event},
    entities::{recovery_code, sign_in_challenge, two_factor, user},
    error::{Field, Problem},
    keys::Keyring,
    secret,
    sessions::ClientInfo,
};

/// The name authenticator apps show beside the account.
const ISSUER: &str = "SmartAIPlatForm";
/// How many recovery codes an enrolment (or a regeneration) hands out.
pub const RECOVERY_CODES: usize = 10;
/// How long a right password waits for its second factor.
const CHALLENGE_TTL: time::Duration = time::Duration::minutes(5);
/// Recovery codes are written with these letters (no 0/o, 1/l/i to misread).
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// What a recovery code's HMAC is for; `h1:` values hash the code, `w1:` ones the plain SHA-256
/// a code was stored as before SECRET_KEYS.
const RECOVERY_CODE: &str = "recovery-code";
const LEGACY_RECOVERY_CODE: &str = "recovery-code-sha256";

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

    /// Makes a new secret, pending until [`Self::confirm_enrolment`] gets a valid code from it.
    /// Starting again replaces a pending secret; with two-factor on, it is refused.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn start_enrolment(&self, actor: &Actor) -> Result<Enrolment> {
        let id = actor.user_id()?;
        let user = super::require_confirmed(&self.db, id).await?;
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
        super::require_confirmed(&self.db, id).await?;
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

    /// Uses up the unused recovery code `code` matches, if any. Every unused code of the user is
    /// checked (HMACs compared in constant time), so the time taken says nothing about which.
    async fn use_recovery_code(&self, user_id: Uuid, code: &str) -> Result<bool> {
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

/// The TOTP for a stored secret: SHA-1, six digits, 30-second steps, one step of clock skew
/// either way (what every authenticator app does).
fn totp(secret: &str, account_name: &str) -> Result<Totp> {
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
fn check(keys: &Keyring, row: &two_factor::Model, code: &str) -> Result<Option<i64>> {
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

/// The keyed hash kept for a recovery code stored as a plain SHA-256 (`sha256_hex`) before
/// SECRET_KEYS.
pub(crate) fn rehash_legacy_recovery_code(keys: &Keyring, user_id: Uuid, sha256_hex: &str) -> String {
    keys.sign("w1", LEGACY_RECOVERY_CODE, &[user_id.as_bytes(), sha256_hex.as_bytes()])
}

/// Deletes the user's recovery codes and stores ten new ones (their keyed hashes).
async fn replace_recovery_codes(
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
