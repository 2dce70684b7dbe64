//! Links sent by e-mail that prove the reader owns the address: confirming it after sign-up, and
//! resetting a forgotten password. Each is single use and expires; only its SHA-256 is stored, and
//! the e-mail is enqueued in the transaction that creates the link.

use std::time::Duration;

use lettre::message::Mailbox;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait, sea_query::Expr,
};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Account, Email, NewPassword, password};
use crate::{
    Actor, Error, Result,
    audit::{AuditLog, Context, Event},
    entities::{
        account_token, api_token, oidc_login, passkey, recovery_code, sign_in_challenge, two_factor, user,
        user_identity, webauthn_challenge,
    },
    error::{Field, Problem},
    jobs::{NewJob, Queue},
    mail::SendMail,
    secret,
    sessions::{ClientInfo, SessionStore},
};

/// The settings `EMAIL_VERIFICATION_TTL` and `PASSWORD_RESET_TTL`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinksConfig {
    /// How long the link confirming an e-mail address works.
    #[serde(deserialize_with = "crate::config::parse::duration")]
    pub verification_ttl: Duration,
    /// How long a password reset link works.
    #[serde(deserialize_with = "crate::config::parse::duration")]
    pub reset_ttl: Duration,
}

/// At most one link of a kind per account in this time: asking again sends nothing new.
const RESEND_AFTER: time::Duration = time::Duration::seconds(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    VerifyEmail,
    ResetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
        }
    }

    /// The page the link opens.
    fn path(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify-email",
            Self::ResetPassword => "reset-password",
        }
    }
}

#[derive(Clone)]
pub struct AccountLinks {
    db: DatabaseConnection,
    jobs: Queue,
    sessions: SessionStore,
    public_url: url::Url,
    config: LinksConfig,
    audit: AuditLog,
}

impl AccountLinks {
    pub fn new(
        db: DatabaseConnection,
        jobs: Queue,
        sessions: SessionStore,
        public_url: url::Url,
        config: &LinksConfig,
        audit: AuditLog,
    ) -> Self {
        Self { db, jobs, sessions, public_url, config: config.clone(), audit }
    }

    /// Sends a new account the link that confirms its address.
    pub(crate) async fn send_verification(&self, account: &Account) -> Result<()> {
        let txn = self.db.begin().await?;
        self.send_in(&txn, account, Purpose::VerifyEmail).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Sends the signed-in user a fresh confirmation link (none if the address is confirmed, or
    /// a link went out less than a minute ago).
    pub async fn resend_verification(&self, actor: &Actor) -> Result<()> {
        let id = actor.user_id()?;
        let account: Account = user::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::Unauthenticated)?.into();
        if account.email_verified || self.sent_recently(id, Purpose::VerifyEmail).await? {
            return Ok(());
        }
        self.send_verification(&account).await
    }

    /// Follows a confirmation link: the account's address is confirmed.
    pub async fn verify_email(&self, token: &str, client: &ClientInfo) -> Result<Account> {
        let txn = self.db.begin().await?;
        let user_id = consume(&txn, token, Purpose::VerifyEmail).await?;
        confirm_email(&txn, user_id).await?;
        self.audit.record_in(&txn, Event::EmailVerified, Context::own(user_id, client)).await?;
        let account = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(Error::NotFound)?;
        txn.commit().await?;
        self.sessions.forget_user(user_id).await;
        tracing::info!(user_id = %user_id, "e-mail address confirmed");
        Ok(account.into())
    }

    /// "Forgot password": sends a reset link if `email` belongs to an account. The answer is the
    /// same either way, so nobody learns which addresses have accounts.
    pub async fn request_password_reset(&self, email: &str) -> Result<()> {
        let email = Email::parse(email)?;
        let Some(found) = user::Entity::find().filter(user::Column::Email.eq(email.as_ref())).one(&self.db).await?
        else {
            tracing::info!("password reset asked for an unknown address");
            return Ok(());
        };
        if self.sent_recently(found.id, Purpose::ResetPassword).await? {
            return Ok(());
        }
        let txn = self.db.begin().await?;
        self.send_in(&txn, &found.into(), Purpose::ResetPassword).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Follows a reset link: sets the new password, confirms the address (the link reached it)
    /// and signs out every session. A refused password leaves the link usable.
    pub async fn reset_password(&self, token: &str, new_password: &str, client: &ClientInfo) -> Result<()> {
        let new = NewPassword::parse(new_password, Field::NewPassword)?;
        let hash = password::hash(&new).await?;
        let txn = self.db.begin().await?;
        let user_id = consume(&txn, token, Purpose::ResetPassword).await?;
        // Until now nobody had proved the address. Whatever was added to the account before (by
        // whoever signed up with it, perhaps not its owner) goes: the owner takes it over alone.
        let unconfirmed =
            user::Entity::find_by_id(user_id).one(&txn).await?.is_some_and(|u| u.email_verified_at.is_none());
        if unconfirmed {
            wipe_credentials(&txn, user_id).await?;
        }
        forget_unused_links(&txn, user_id).await?;
        user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash))
            .col_expr(user::Column::Version, crate::concurrency::next(user::Column::Version))
            .col_expr(user::Column::UpdatedAt, Expr::value(OffsetDateTime::now_utc()))
            .filter(user::Column::Id.eq(user_id))
            .exec(&txn)
            .await?;
        confirm_email(&txn, user_id).await?;
        self.audit.record_in(&txn, Event::PasswordReset, Context::own(user_id, client)).await?;
        txn.commit().await?;
        let ended = self.sessions.revoke_all_for(user_id, None).await?;
        tracing::info!(user_id = %user_id, sessions_ended = ended, "password reset");
        Ok(())
    }

    /// Removes links past their expiry (the nightly retention job).
    pub async fn purge_expired(&self) -> Result<u64> {
        let result = account_token::Entity::delete_many()
            .filter(account_token::Column::ExpiresAt.lt(OffsetDateTime::now_utc()))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }

    async fn sent_recently(&self, user_id: Uuid, purpose: Purpose) -> Result<bool> {
        let since = OffsetDateTime::now_utc() - RESEND_AFTER;
        Ok(account_token::Entity::find()
            .filter(account_token::Column::UserId.eq(user_id))
            .filter(account_token::Column::Purpose.eq(purpose.as_str()))
            .filter(account_token::Column::CreatedAt.gt(since))
            .one(&self.db)
            .await?
            .is_some())
    }

    async fn send_in<C: ConnectionTrait>(&self, conn: &C, account: &Account, purpose: Purpose) -> Result<()> {
        let token = secret::random_token();
        let ttl = match purpose {
            Purpose::VerifyEmail => self.config.verification_ttl,
            Purpose::ResetPassword => self.config.reset_ttl,
        };
        let now = OffsetDateTime::now_utc();
        account_token::ActiveModel {
            id: Set(secret::digest(&token)),
            user_id: Set(account.id),
            purpose: Set(purpose.as_str().to_owned()),
            expires_at: Set(now + time::Duration::try_from(ttl).unwrap_or(time::Duration::DAY)),
            used_at: Set(None),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;

        let mut link = self.public_url.join(purpose.path()).map_err(|e| Error::Unexpected(e.into()))?;
        link.query_pairs_mut().append_pair("token", &token);
        let hours = ttl.as_secs().div_ceil(3600).max(1);
        let args = [("user", account.display_name.clone()), ("action", link.to_string()), ("hours", hours.to_string())];
        let rendered = crate::mail::render(&account.locale, purpose.as_str(), &args);
        let address = account.email.parse().map_err(|e| Error::Unexpected(anyhow::Error::new(e)))?;
        let to = Mailbox::new(Some(account.display_name.clone()), address);
        let mail =
            SendMail { message_id: Uuid::now_v7(), to: to.to_string(), subject: rendered.subject, body: rendered.body };
        self.jobs.enqueue_in(conn, NewJob::of(&mail)).await?;
        Ok(())
    }
}

/// Marks a live link of `purpose` used and returns its account; any other link (unknown, used,
/// expired, for something else) is the same refusal. The guarded update comes first: two requests
/// racing with one link cannot both use it, and on SQLite the transaction takes the write lock at
/// once instead of failing to upgrade a read.
async fn consume<C: ConnectionTrait>(conn: &C, token: &str, purpose: Purpose) -> Result<Uuid> {
    let expired = || Error::invalid(Field::Token, Problem::Expired);
    let now = OffsetDateTime::now_utc();
    let id = secret::digest(token.trim());
    let used = account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(now))
        .filter(account_token::Column::Id.eq(id.clone()))
        .filter(account_token::Column::Purpose.eq(purpose.as_str()))
        .filter(account_token::Column::UsedAt.is_null())
        .filter(account_token::Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?;
    if used.rows_affected != 1 {
        return Err(expired());
    }
    let row = account_token::Entity::find_by_id(id).one(conn).await?.ok_or_else(expired)?;
    Ok(row.user_id)
}

/// Every way into the account but its password: linked providers, passkeys, tokens, two-factor
/// and its recovery codes, and ceremonies in flight. Sessions end after the commit.
async fn wipe_credentials<C: ConnectionTrait>(conn: &C, user_id: Uuid) -> Result<()> {
    user_identity::Entity::delete_many().filter(user_identity::Column::UserId.eq(user_id)).exec(conn).await?;
    passkey::Entity::delete_many().filter(passkey::Column::UserId.eq(user_id)).exec(conn).await?;
    webauthn_challenge::Entity::delete_many().filter(webauthn_challenge::Column::UserId.eq(user_id)).exec(conn).await?;
    api_token::Entity::delete_many().filter(api_token::Column::UserId.eq(user_id)).exec(conn).await?;
    two_factor::Entity::delete_many().filter(two_factor::Column::UserId.eq(user_id)).exec(conn).await?;
    recovery_code::Entity::delete_many().filter(recovery_code::Column::UserId.eq(user_id)).exec(conn).await?;
    sign_in_challenge::Entity::delete_many().filter(sign_in_challenge::Column::UserId.eq(user_id)).exec(conn).await?;
    oidc_login::Entity::delete_many().filter(oidc_login::Column::UserId.eq(user_id)).exec(conn).await?;
    Ok(())
}

/// Links sent before a password reset or change stop working: one may sit in a mailbox that
/// someone else reads, and the new password is what counts now.
pub(crate) async fn forget_unused_links<C: ConnectionTrait>(conn: &C, user_id: Uuid) -> Result<()> {
    account_token::Entity::delete_many()
        .filter(account_token::Column::UserId.eq(user_id))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

async fn confirm_email<C: ConnectionTrait>(conn: &C, user_id: Uuid) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(OffsetDateTime::now_utc()))
        .col_expr(user::Column::Version, crate::concurrency::next(user::Column::Version))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}
