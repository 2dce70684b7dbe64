//! What administrators do with other people's accounts: look them up, change their role.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Account, AccountService};
use crate::{
    Actor, Error, Result, Role,
    audit::{Context, Event},
    entities::user,
    error::{Field, Problem},
    pagination::{self, Page, PageRequest},
    sessions::ClientInfo,
};

impl AccountService {
    /// Every account, newest first, optionally only those whose e-mail address or name contains
    /// `search`, and only those of `role`.
    pub async fn users(
        &self,
        actor: &Actor,
        search: Option<&str>,
        role: Option<Role>,
        request: PageRequest,
    ) -> Result<Page<Account>> {
        if !actor.is_admin() {
            return Err(Error::Forbidden);
        }
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
        let page = pagination::fetch(&self.db, select, user::Column::Id, request, |u| u.id).await?;
        Ok(page.map(Account::from))
    }

    /// The ids of the accounts with these addresses (administrators only); an address that is
    /// no account's is refused, naming the field.
    pub async fn ids_by_email(&self, actor: &Actor, emails: &[String]) -> Result<Vec<Uuid>> {
        if !actor.is_admin() {
            return Err(Error::Forbidden);
        }
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
        if !actor.is_admin() {
            return Err(Error::Forbidden);
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let found = user::Entity::find().filter(user::Column::Id.is_in(ids.to_vec())).all(&self.db).await?;
        Ok(ids.iter().filter_map(|id| found.iter().find(|u| u.id == *id).map(|u| u.email.clone())).collect())
    }

    pub async fn user(&self, actor: &Actor, id: Uuid) -> Result<Account> {
        if !actor.is_admin() {
            return Err(Error::Forbidden);
        }
        Ok(user::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::NotFound)?.into())
    }

    /// Makes an account an administrator or an ordinary user. Administrators cannot change their
    /// own role, so the last one cannot lock everybody out by mistake.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn set_role(&self, actor: &Actor, id: Uuid, role: Role, client: &ClientInfo) -> Result<Account> {
        let found = self.other_account(actor, id).await?;
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
        let mut model: user::ActiveModel = found.into();
        model.role = Set(role.as_str().to_owned());
        model.updated_at = Set(OffsetDateTime::now_utc());
        let account: Account = model.update(&self.db).await?.into();
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
        let found = self.other_account(actor, id).await?;
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
        let mut model: user::ActiveModel = found.into();
        model.suspended_at = Set(Some(OffsetDateTime::now_utc()));
        let account: Account = model.update(&self.db).await?.into();
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
        let found = self.other_account(actor, id).await?;
        if found.suspended_at.is_none() {
            return Ok(found.into());
        }
        let mut model: user::ActiveModel = found.into();
        model.suspended_at = Set(None);
        let account: Account = model.update(&self.db).await?.into();
        self.sessions.forget_user(id).await;
        self.audit.record(Event::AccountReactivated, Context::about(Some(id), actor, client)).await?;
        Ok(account)
    }

    /// Signs an account out everywhere (every session, on every instance); returns how many ended.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn sign_out_everywhere(&self, actor: &Actor, id: Uuid, client: &ClientInfo) -> Result<u64> {
        self.other_account(actor, id).await?;
        let ended = self.sessions.revoke_all_for(id, None).await?;
        let context = Context::about(Some(id), actor, client).detail("sessions_ended", ended);
        self.audit.record(Event::SessionRevoked, context).await?;
        Ok(ended)
    }

    /// E-mails the account a link to choose a new password (as "forgot password" would).
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn send_password_reset(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let found = self.other_account(actor, id).await?;
        self.links.request_password_reset(&found.email).await
    }

    /// An account an administrator acts on: not their own (they have the profile for that).
    async fn other_account(&self, actor: &Actor, id: Uuid) -> Result<user::Model> {
        if !actor.is_admin() {
            return Err(Error::Forbidden);
        }
        if actor.user_id().ok() == Some(id) {
            return Err(Error::invalid(Field::Role, Problem::Unsupported));
        }
        user::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::NotFound)
    }
}
