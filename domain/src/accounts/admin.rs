//! What administrators do with other people's accounts: look them up, see what they hold, change
//! their role, suspend them.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, UpdateMany, sea_query::Expr};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Account, AccountService};
use super::{TokenInfo, two_factor::TwoFactorStatus};
use crate::{
    Actor, Error, Result, Role,
    audit::{Context, Event},
    concurrency,
    entities::{audit_event, file, passkey, storage_usage, user, user_identity},
    error::{Field, Problem},
    pagination::{self, Page, PageRequest},
    sessions::{ClientInfo, SessionInfo},
};

/// One account as an administrator sees it.
#[derive(Debug, Clone)]
pub struct AccountOverview {
    pub account: Account,
    /// Live sessions, most recently used first.
    pub sessions: Vec<SessionInfo>,
    /// Personal access tokens, newest first (metadata only).
    pub tokens: Vec<TokenInfo>,
    pub two_factor: TwoFactorStatus,
    pub passkeys: u64,
    /// Linked OpenID Connect providers, by their configured names.
    pub providers: Vec<String>,
    pub files: u64,
    /// Bytes of the quota the files take.
    pub storage_used: u64,
    /// The newest sign-in the audit log or a live session still shows (retention drops older ones).
    pub last_sign_in: Option<OffsetDateTime>,
}

impl AccountService {
    /// Every account, newest first, optionally only those whose e-mail address or name contains
    /// `search`, only those of `role`, and only the suspended ones (`Some(true)`) or the others.
    pub async fn users(
        &self,
        actor: &Actor,
        search: Option<&str>,
        role: Option<Role>,
        suspended: Option<bool>,
        request: PageRequest,
    ) -> Result<Page<Account>> {
        actor.require_admin()?;
        let mut select = user::Entity::find();
        if let Some(search) = search.map(str::trim).filter(|e| !e.is_empty()) {
            select = select.filter(
                sea_orm::Condition::any()
                    .add(user::Column::Email.contains(search.to_lowercase()))
                    .add(user::Column::DisplayName.contains(search)),
            );
        }
        if let Some(role) = role {
            select = select.filter(user::Column::Role.eq(role.as_str()));
        }
        match suspended {
            Some(true) => select = select.filter(user::Column::SuspendedAt.is_not_null()),
            Some(false) => select = select.filter(user::Column::SuspendedAt.is_null()),
            None => {}
        }
        let page = pagination::fetch(&self.db, select, user::Column::Id, request, |u| u.id).await?;
        Ok(page.map(Account::from))
    }

    /// The ids of the accounts with these addresses (administrators only); an address that is
    /// no account's is refused, naming the field.
    pub async fn ids_by_email(&self, actor: &Actor, emails: &[String]) -> Result<Vec<Uuid>> {
        actor.require_admin()?;
        let wanted: Vec<String> = emails.iter().map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()).collect();
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let found = user::Entity::find().filter(user::Column::Email.is_in(wanted.clone())).all(&self.db).await?;
        wanted
            .iter()
            .map(|email| found.iter().find(|u| &u.email == email).map(|u| u.id))
            .collect::<Option<Vec<_>>>()
            .ok_or(Error::invalid(Field::Email, Problem::Unsupported))
    }

    /// The addresses of these accounts, in their order (administrators only); ids of accounts
    /// gone since are left out.
    pub async fn emails_by_id(&self, actor: &Actor, ids: &[Uuid]) -> Result<Vec<String>> {
        let found = self.addresses(actor, ids).await?;
        Ok(ids.iter().filter_map(|id| found.get(id).cloned()).collect())
    }

    /// The address of each of these accounts that still exists (administrators only).
    pub async fn addresses(&self, actor: &Actor, ids: &[Uuid]) -> Result<std::collections::HashMap<Uuid, String>> {
        actor.require_admin()?;
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let found = user::Entity::find().filter(user::Column::Id.is_in(ids.to_vec())).all(&self.db).await?;
        Ok(found.into_iter().map(|u| (u.id, u.email)).collect())
    }

    pub async fn user(&self, actor: &Actor, id: Uuid) -> Result<Account> {
        actor.require_admin()?;
        Ok(user::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::NotFound)?.into())
    }

    /// An account with what it holds: sessions, tokens, second factors, storage, last sign-in.
    pub async fn overview(&self, actor: &Actor, id: Uuid) -> Result<AccountOverview> {
        let account = self.user(actor, id).await?;
        let sessions = self.sessions.live_of(id, None).await?;
        let tokens = super::tokens::tokens_of(&self.db, id).await?;
        let two_factor = self.two_factor.status_of(id).await?;
        let passkeys = passkey::Entity::find().filter(passkey::Column::UserId.eq(id)).count(&self.db).await?;
        let providers = user_identity::Entity::find()
            .filter(user_identity::Column::UserId.eq(id))
            .order_by_asc(user_identity::Column::Provider)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|identity| identity.provider)
            .collect();
        let files = file::Entity::find().filter(file::Column::OwnerId.eq(id)).count(&self.db).await?;
        let storage_used = storage_usage::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map_or(0, |usage| u64::try_from(usage.used).unwrap_or_default());
        let last_sign_in = audit_event::Entity::find()
            .filter(audit_event::Column::UserId.eq(id))
            .filter(audit_event::Column::Event.eq(Event::SignIn.code()))
            .order_by_desc(audit_event::Column::Seq)
            .one(&self.db)
            .await?
            .map(|event| event.created_at);
        // A sign-up signs in too, without a `sign_in` event: the newest session counts as well.
        let newest_session = sessions.iter().map(|s| s.created_at).max();
        let last_sign_in = last_sign_in.max(newest_session);
        Ok(AccountOverview {
            account,
            sessions,
            tokens,
            two_factor,
            passkeys,
            providers,
            files,
            storage_used,
            last_sign_in,
        })
    }

    /// Makes an account an administrator or an ordinary user. Administrators cannot change their
    /// own role, so the last one cannot lock everybody out by mistake. With `expected_version`,
    /// the version of the account the change is based on: when it changed since, nothing is
    /// written and the answer is [`Error::StaleVersion`].
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn set_role(
        &self,
        actor: &Actor,
        id: Uuid,
        role: Role,
        expected_version: Option<i64>,
        client: &ClientInfo,
    ) -> Result<Account> {
        let found = self.other_account(actor, id, expected_version).await?;
        if Role::parse(&found.role) == role {
            return Ok(found.into());
        }
        if role != Role::Admin {
            let admins =
                user::Entity::find().filter(user::Column::Role.eq(Role::Admin.as_str())).count(&self.db).await?;
            if admins <= 1 {
                return Err(Error::invalid(Field::Role, Problem::LastAdmin));
            }
        }
        let changes = user::Entity::update_many()
            .col_expr(user::Column::Role, Expr::value(role.as_str()))
            .col_expr(user::Column::UpdatedAt, Expr::value(OffsetDateTime::now_utc()));
        let account: Account = self.write(id, changes, expected_version).await?;
        // The new role holds on every instance from the next request on.
        self.sessions.forget_user(id).await;
        self.audit
            .record(Event::RoleChanged, Context::about(Some(id), actor, client).detail("role", role.as_str()))
            .await?;
        Ok(account)
    }

    /// Suspends an account: its sessions end and its tokens stop working at once, on every
    /// instance, and it cannot sign in until reactivated (its tokens then work again). Not one's
    /// own, nor the last administrator who is not suspended.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn suspend(&self, actor: &Actor, id: Uuid, client: &ClientInfo) -> Result<Account> {
        let found = self.other_account(actor, id, None).await?;
        if found.suspended_at.is_some() {
            return Ok(found.into());
        }
        if Role::parse(&found.role) == Role::Admin {
            let active_admins = user::Entity::find()
                .filter(user::Column::Role.eq(Role::Admin.as_str()))
                .filter(user::Column::SuspendedAt.is_null())
                .count(&self.db)
                .await?;
            if active_admins <= 1 {
                return Err(Error::invalid(Field::Role, Problem::LastAdmin));
            }
        }
        let changes = user::Entity::update_many()
            .col_expr(user::Column::SuspendedAt, Expr::value(Some(OffsetDateTime::now_utc())));
        let account = self.write(id, changes, None).await?;
        let ended = self.sessions.revoke_all_for(id, None).await?;
        // Tokens are resolved through the same cache: they stop on every instance too.
        self.sessions.forget_user(id).await;
        let context = Context::about(Some(id), actor, client).detail("sessions_ended", ended);
        self.audit.record(Event::AccountSuspended, context).await?;
        Ok(account)
    }

    /// Lifts a suspension: the account may sign in again, and its tokens work again.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn reactivate(&self, actor: &Actor, id: Uuid, client: &ClientInfo) -> Result<Account> {
        let found = self.other_account(actor, id, None).await?;
        if found.suspended_at.is_none() {
            return Ok(found.into());
        }
        let changes = user::Entity::update_many()
            .col_expr(user::Column::SuspendedAt, Expr::value(Option::<OffsetDateTime>::None));
        let account = self.write(id, changes, None).await?;
        self.sessions.forget_user(id).await;
        self.audit.record(Event::AccountReactivated, Context::about(Some(id), actor, client)).await?;
        Ok(account)
    }

    /// Signs an account out everywhere (every session, on every instance); returns how many ended.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn sign_out_everywhere(&self, actor: &Actor, id: Uuid, client: &ClientInfo) -> Result<u64> {
        self.other_account(actor, id, None).await?;
        let ended = self.sessions.revoke_all_for(id, None).await?;
        let context = Context::about(Some(id), actor, client).detail("sessions_ended", ended);
        self.audit.record(Event::SessionRevoked, context).await?;
        Ok(ended)
    }

    /// E-mails the account a link to choose a new password (as "forgot password" would).
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn send_password_reset(&self, actor: &Actor, id: Uuid, client: &ClientInfo) -> Result<()> {
        let found = self.other_account(actor, id, None).await?;
        self.links.request_password_reset(&found.email).await?;
        self.audit.record(Event::PasswordResetSent, Context::about(Some(id), actor, client)).await
    }

    /// An account an administrator acts on: not their own (they have the profile for that). With
    /// `expected_version`, only while it is at that version (the precondition is checked before
    /// what the change asks for).
    async fn other_account(&self, actor: &Actor, id: Uuid, expected_version: Option<i64>) -> Result<user::Model> {
        actor.require_admin()?;
        let found = user::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::NotFound)?;
        concurrency::check(expected_version, found.version)?;
        if actor.user_id().ok() == Some(id) {
            return Err(Error::invalid(Field::Role, Problem::Unsupported));
        }
        Ok(found)
    }

    /// Writes `changes` to account `id` with its version bumped and, with `expected_version`,
    /// only while it is still at that version.
    async fn write(
        &self,
        id: Uuid,
        changes: UpdateMany<user::Entity>,
        expected_version: Option<i64>,
    ) -> Result<Account> {
        let written =
            concurrency::write(&self.db, id, changes, user::Column::Version, expected_version, Error::NotFound).await?;
        Ok(written.into())
    }
}
