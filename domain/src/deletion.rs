//! Account deletion (the right to erasure): the owner asks, proving who they are and typing
//! their address; the account stops working at once (sessions and tokens end) and is erased when
//! the grace period ends, unless they sign in before. An administrator deletes at once. Erasing
//! removes the account's rows (their foreign keys cascade: files, shares, uploads, sessions,
//! tokens, passkeys, two-factor, links, notifications, mail, the assistant's conversations and
//! passages), its stored objects, and blanks the personal data of the audit events about it,
//! whose chain still verifies (see [`crate::audit`]).

use std::time::Duration;

use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Actor, Error, Result, Role,
    accounts::StepUp,
    audit::{AuditLog, Context, Event},
    entities::{api_token, mail_outbox, user},
    error::{Field, Problem},
    files::FileService,
    jobs::{Job, NewJob, Queue},
    sessions::{ClientInfo, SessionStore},
};

/// Erases one account whose deletion is due (the nightly job finds them; an administrator's
/// deletion enqueues it at once).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EraseAccount {
    pub user_id: Uuid,
}

impl Job for EraseAccount {
    const KIND: &'static str = "accounts.erase";
    const TIMEOUT: Duration = Duration::from_secs(600);
}

/// What the owner sees after asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheduled {
    pub due_at: OffsetDateTime,
}

/// Built by `Services` only (hence the crate-visible fields instead of a constructor).
#[derive(Clone)]
pub struct DeletionService {
    pub(crate) db: DatabaseConnection,
    pub(crate) sessions: SessionStore,
    pub(crate) step_up: StepUp,
    pub(crate) audit: AuditLog,
    pub(crate) files: FileService,
    pub(crate) jobs: Queue,
    /// How long an account may be restored after its deletion was asked for.
    pub(crate) grace: Duration,
}

impl DeletionService {
    /// How long after the owner asks their account is erased.
    pub fn grace(&self) -> Duration {
        self.grace
    }

    /// The owner asks for their account's deletion: a browser session that signed in recently
    /// or gives the password now (see [`StepUp`]), and `confirmation` the account's address as
    /// typed. Every session (this one too) and token ends now; signing in again before the
    /// grace period ends cancels.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn request(
        &self,
        actor: &Actor,
        password: Option<&str>,
        confirmation: &str,
        client: &ClientInfo,
    ) -> Result<Scheduled> {
        let id = actor.user_id()?;
        let found = user::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::Unauthenticated)?;
        let confirmation = confirmation.trim();
        if confirmation.is_empty() {
            return Err(Error::invalid(Field::Confirmation, Problem::Required));
        }
        if !confirmation.eq_ignore_ascii_case(&found.email) {
            return Err(Error::invalid(Field::Confirmation, Problem::Incorrect));
        }
        if found.role == Role::Admin.as_str() && self.admins().await? <= 1 {
            return Err(Error::invalid(Field::Role, Problem::LastAdmin));
        }
        self.step_up.require_recent(actor, password, client).await?;
        let due_at = OffsetDateTime::now_utc() + self.grace;
        let txn = self.db.begin().await?;
        user::Entity::update_many()
            .col_expr(user::Column::DeletionDueAt, Expr::value(Some(due_at)))
            .col_expr(user::Column::Version, crate::concurrency::next(user::Column::Version))
            .filter(user::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        // Tokens do not come back on cancelling: a program that held one has to be given a new one.
        let tokens = api_token::Entity::delete_many().filter(api_token::Column::UserId.eq(id)).exec(&txn).await?;
        let context = Context::own(id, client)
            .detail("due_at", due_at.unix_timestamp())
            .detail("tokens_revoked", tokens.rows_affected);
        self.audit.record_in(&txn, Event::DeletionRequested, context).await?;
        txn.commit().await?;
        self.sessions.revoke_all_for(id, None).await?;
        tracing::info!(user_id = %id, %due_at, "account deletion requested");
        Ok(Scheduled { due_at })
    }

    /// An administrator (or the operator) deletes an account now: it stops working at once and
    /// is erased by a job in the next moments. Not their own (that is [`Self::request`]), nor the
    /// last administrator.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn delete_user(&self, actor: &Actor, id: Uuid, client: &ClientInfo) -> Result<()> {
        actor.require_admin()?;
        if actor.user_id().ok() == Some(id) {
            return Err(Error::invalid(Field::Role, Problem::Unsupported));
        }
        let found = user::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::NotFound)?;
        if found.role == Role::Admin.as_str() && self.admins().await? <= 1 {
            return Err(Error::invalid(Field::Role, Problem::LastAdmin));
        }
        let now = OffsetDateTime::now_utc();
        let txn = self.db.begin().await?;
        user::Entity::update_many()
            .col_expr(user::Column::DeletionDueAt, Expr::value(Some(now)))
            .col_expr(user::Column::Version, crate::concurrency::next(user::Column::Version))
            .filter(user::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        api_token::Entity::delete_many().filter(api_token::Column::UserId.eq(id)).exec(&txn).await?;
        let context = Context::about(Some(id), actor, client).detail("due_at", now.unix_timestamp());
        self.audit.record_in(&txn, Event::DeletionRequested, context).await?;
        self.jobs.enqueue_in(&txn, NewJob::of(&EraseAccount { user_id: id })).await?;
        txn.commit().await?;
        self.sessions.revoke_all_for(id, None).await?;
        Ok(())
    }

    /// Enqueues the erasure of every account whose grace period is over (the nightly job).
    pub async fn enqueue_due(&self) -> Result<u64> {
        let due = user::Entity::find()
            .filter(user::Column::DeletionDueAt.lte(OffsetDateTime::now_utc()))
            .all(&self.db)
            .await?;
        for account in &due {
            self.jobs.enqueue(NewJob::of(&EraseAccount { user_id: account.id })).await?;
        }
        Ok(due.len() as u64)
    }

    /// Erases the account if its deletion is (still) due: its rows and objects go, its audit
    /// events lose their personal data, and `account_erased` records it. Nothing when it is gone
    /// already or the owner cancelled.
    #[tracing::instrument(skip_all, fields(user_id = %user_id), err)]
    pub async fn erase(&self, user_id: Uuid) -> Result<bool> {
        let txn = self.db.begin().await?;
        let Some(found) = user::Entity::find_by_id(user_id).one(&txn).await? else { return Ok(false) };
        if found.deletion_due_at.is_none_or(|due| due > OffsetDateTime::now_utc()) {
            return Ok(false);
        }
        let objects = self.files.objects_of(&txn, user_id).await?;
        // The row first (its dependents cascade): if that fails, nothing is lost.
        user::Entity::delete_by_id(user_id).exec(&txn).await?;
        // E-mails kept for the operator (no SMTP server) name the address: they go too.
        // (Their recipient is written `"Name" <address>`, or the bare address.)
        mail_outbox::Entity::delete_many()
            .filter(
                sea_orm::Condition::any()
                    .add(mail_outbox::Column::ToAddress.eq(&found.email))
                    .add(mail_outbox::Column::ToAddress.ends_with(format!("<{}>", found.email))),
            )
            .exec(&txn)
            .await?;
        let pseudonymised = self.audit.pseudonymise_in(&txn, user_id, &found.email).await?;
        let nowhere = ClientInfo::default();
        let context = Context::about(Some(user_id), &Actor::System, &nowhere)
            .detail("email", self.audit.email_hash(&found.email))
            .detail("pseudonymised_events", pseudonymised);
        self.audit.record_in(&txn, Event::AccountErased, context).await?;
        txn.commit().await?;
        self.sessions.forget_user(user_id).await;
        // Past the commit a retry would find nothing to erase: what remains is for `smartai storage
        // check --fix`, and the warnings name it.
        if let Err(err) = self.files.remove_objects(objects).await {
            tracing::warn!(error = %err, "account erased, some of its objects remain");
        }
        metrics::counter!(crate::metric_names::ACCOUNTS_ERASED_TOTAL).increment(1);
        tracing::info!(pseudonymised, "account erased");
        Ok(true)
    }

    async fn admins(&self) -> Result<u64> {
        Ok(user::Entity::find().filter(user::Column::Role.eq(Role::Admin.as_str())).count(&self.db).await?)
    }
}
