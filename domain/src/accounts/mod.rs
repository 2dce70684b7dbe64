//! Accounts: sign-up, sign-in, sign-out, the profile and the password.

mod admin;
mod links;
mod passkeys;
pub mod password;
pub(crate) mod pending_deletion;
mod profile;
mod step_up;
pub mod throttle;
pub mod tokens;
pub mod two_factor;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, SqlErr,
    TransactionTrait, sea_query::Expr,
};
use time::OffsetDateTime;
use uuid::Uuid;

pub use crate::account::Account;
pub use crate::email_address::Email;
pub use admin::AccountOverview;
pub use links::{AccountLinks, LinksConfig};
pub use passkeys::{Ceremony, PasskeyInfo, PasskeyService};
pub use password::NewPassword;
pub use profile::{DisplayName, Locale, TimeZone};
pub use step_up::StepUp;
pub use throttle::{Throttle, ThrottleConfig};
pub use tokens::{NewToken, TokenInfo, TokenRequest, TokenService};
pub use two_factor::{PendingSignIn, TwoFactor};

use crate::{
    Actor, Error, Result, Role,
    audit::{AuditLog, Context, Event},
    concurrency,
    entities::user,
    error::{Field, Problem},
    sessions::{ClientInfo, SessionStore, SessionToken},
};

pub struct SignUp<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub display_name: Option<&'a str>,
    /// The language the visitor was using, kept as their preference.
    pub locale: Locale,
}

/// How a sign-in with the right password ended.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: a new session.
    Done(Account, SessionToken),
    /// Two-factor is on: [`AccountService::sign_in_second_factor`] with this challenge and a code
    /// opens the session.
    NeedsSecondFactor(PendingSignIn),
}

/// A change of the profile; a field left out keeps its value.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProfileUpdate<'a> {
    pub display_name: Option<&'a str>,
    pub locale: Option<&'a str>,
    pub time_zone: Option<&'a str>,
}

#[derive(Clone)]
pub struct AccountService {
    db: DatabaseConnection,
    sessions: SessionStore,
    throttle: Throttle,
    links: AccountLinks,
    audit: AuditLog,
    two_factor: TwoFactor,
    step_up: StepUp,
}

impl AccountService {
    pub fn new(
        db: DatabaseConnection,
        sessions: SessionStore,
        throttle: Throttle,
        links: AccountLinks,
        audit: AuditLog,
    ) -> Self {
        let step_up = StepUp::new(db.clone(), sessions.clone(), throttle.clone(), audit.clone());
        let two_factor = TwoFactor::new(db.clone(), audit.clone(), step_up.clone(), audit.keys().clone());
        Self { db, sessions, throttle, links, audit, two_factor, step_up }
    }

    /// Proof, again, before sensitive changes (see [`StepUp`]).
    pub fn step_up(&self) -> &StepUp {
        &self.step_up
    }

    /// Two-factor authentication: enrolment, recovery codes, turning it off.
    pub fn two_factor(&self) -> &TwoFactor {
        &self.two_factor
    }

    /// Signs one of the user's sessions out (another device, or this one).
    pub async fn end_session(&self, actor: &Actor, id: &str, client: &ClientInfo) -> Result<()> {
        self.sessions.end(actor, id).await?;
        let context = Context::own(actor.user_id()?, client).detail("sessions", 1);
        self.audit.record(Event::SessionRevoked, context).await
    }

    /// Signs out every session of the user but the one in use.
    pub async fn end_other_sessions(&self, actor: &Actor, client: &ClientInfo) -> Result<u64> {
        let ended = self.sessions.end_others(actor).await?;
        if ended > 0 {
            let context = Context::own(actor.user_id()?, client).detail("sessions", ended);
            self.audit.record(Event::SessionRevoked, context).await?;
        }
        Ok(ended)
    }

    /// The sign-in attempt counters.
    pub fn throttle(&self) -> &Throttle {
        &self.throttle
    }

    /// Creates an account and signs it in.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn sign_up(&self, input: SignUp<'_>, client: &ClientInfo) -> Result<(Account, SessionToken)> {
        let account = self.create(input, Role::User, false).await?;
        self.links.send_verification(&account).await?;
        let token = self.sessions.create(account.id, client).await?;
        self.audit.record(Event::SignUp, Context::own(account.id, client)).await?;
        tracing::info!(user_id = %account.id, "account created");
        Ok((account, token))
    }

    /// Creates an account without signing it in: the operator's `smartai user create`, or an
    /// administrator through the API.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn create_user(
        &self,
        actor: &Actor,
        input: SignUp<'_>,
        role: Role,
        client: &ClientInfo,
    ) -> Result<Account> {
        actor.require_admin()?;
        // The operator or an administrator vouches for the address.
        let account = self.create(input, role, true).await?;
        let by = if matches!(actor, Actor::System) { "operator" } else { "admin" };
        let context = || Context::about(Some(account.id), actor, client).detail("by", by);
        self.audit.record(Event::SignUp, context()).await?;
        if role != Role::User {
            self.audit.record(Event::RoleChanged, context().detail("role", role.as_str())).await?;
        }
        Ok(account)
    }

    async fn create(&self, input: SignUp<'_>, role: Role, vouched: bool) -> Result<Account> {
        let email = Email::parse(input.email);
        let password = NewPassword::parse(input.password, Field::Password);
        let (email, password) = (email?, password?);
        let display_name = match input.display_name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(name) => DisplayName::parse(name)?,
            None => DisplayName::from_email(&email),
        };
        let hash = password::hash(&password).await?;
        let now = OffsetDateTime::now_utc();
        let model = user::ActiveModel {
            id: Set(Uuid::now_v7()),
            email: Set(email.as_ref().to_owned()),
            password_hash: Set(hash),
            display_name: Set(display_name.as_ref().to_owned()),
            role: Set(role.as_str().to_owned()),
            locale: Set(input.locale.as_str().to_owned()),
            time_zone: Set(TimeZone::utc().as_ref().to_owned()),
            avatar_id: Set(None),
            email_verified_at: Set(vouched.then_some(now)),
            created_at: Set(now),
            updated_at: Set(now),
            deletion_due_at: Set(None),
            suspended_at: Set(None),
            version: Set(crate::concurrency::FIRST_VERSION),
        };
        match model.insert(&self.db).await {
            Ok(model) => Ok(model.into()),
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Err(Error::EmailTaken),
            Err(err) => Err(err.into()),
        }
    }

    /// Checks the credentials and opens a fresh session, ending the one the request came with
    /// (session ids are never reused across a privilege change). Refused without a look at the
    /// password while the e-mail address or the client's network is locked out (see [`throttle`]).
    /// With two-factor on, a right password opens a pending sign-in instead of a session.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn sign_in(&self, actor: &Actor, email: &str, password: &str, client: &ClientInfo) -> Result<SignIn> {
        let attempt = self.throttle.admit(email, client.ip.as_deref(), OffsetDateTime::now_utc()).await?;
        // A malformed address cannot match an account; it gets the same answer, after the same work.
        let found = match Email::parse(email) {
            Ok(email) => user::Entity::find().filter(user::Column::Email.eq(email.as_ref())).one(&self.db).await?,
            Err(_) => None,
        };
        let verified = password::verify(password, found.as_ref().map(|u| u.password_hash.as_str())).await?;
        let user = match found {
            Some(user) if verified => user,
            _ => {
                self.throttle.failed(&attempt);
                self.audit.record(Event::SignInFailed, sign_in_failed(found.as_ref(), email, client)).await?;
                tracing::info!("sign-in refused");
                return Err(Error::InvalidCredentials);
            }
        };
        if self.two_factor.is_enabled(user.id).await? {
            self.throttle.deferred(attempt).await?;
            tracing::info!(user_id = %user.id, "password right, second factor due");
            return Ok(SignIn::NeedsSecondFactor(self.two_factor.open_challenge(user.id).await?));
        }
        self.throttle.succeeded(attempt).await?;
        let token = self.start_session(actor, user.id, client, Context::own(user.id, client)).await?;
        Ok(SignIn::Done(user.into(), token))
    }

    /// The second step of a sign-in with two-factor on: a code from the authenticator app (or a
    /// recovery code) for the challenge the password step gave. Wrong codes count against the
    /// same throttle as wrong passwords; the challenge is used up by the first right code.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn sign_in_second_factor(
        &self,
        actor: &Actor,
        challenge: &str,
        code: &str,
        client: &ClientInfo,
    ) -> Result<(Account, SessionToken)> {
        let user = self.two_factor.challenged(challenge).await?;
        let attempt = self.throttle.admit(&user.email, client.ip.as_deref(), OffsetDateTime::now_utc()).await?;
        let Some(factor) = self.two_factor.verify(user.id, code).await? else {
            self.throttle.failed(&attempt);
            let context = Context::own(user.id, client).detail("second_factor", true);
            self.audit.record(Event::SignInFailed, context).await?;
            tracing::info!(user_id = %user.id, "second factor refused");
            return Err(Error::invalid(Field::Code, Problem::Incorrect));
        };
        if !self.two_factor.close_challenge(challenge).await? {
            return Err(Error::invalid(Field::Challenge, Problem::Expired));
        }
        self.throttle.succeeded(attempt).await?;
        let context = Context::own(user.id, client).detail("second_factor", factor.as_str());
        let token = self.start_session(actor, user.id, client, context).await?;
        Ok((user.into(), token))
    }

    /// Opens a session for a user who proved who they are, ending the one the request came with.
    async fn start_session(
        &self,
        actor: &Actor,
        user_id: Uuid,
        client: &ClientInfo,
        context: Context<'_>,
    ) -> Result<SessionToken> {
        if let Some(session_id) = actor.session_id() {
            self.sessions.revoke(session_id).await?;
        }
        let token = self.sessions.create(user_id, client).await?;
        self.audit.record(Event::SignIn, context).await?;
        pending_deletion::cancel_on_sign_in(&self.db, &self.audit, user_id, client).await?;
        tracing::info!(user_id = %user_id, "signed in");
        Ok(token)
    }

    /// Ends the session the request came with.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn sign_out(&self, actor: &Actor, client: &ClientInfo) -> Result<()> {
        if let (Ok(id), Some(session_id)) = (actor.user_id(), actor.session_id()) {
            self.sessions.revoke(session_id).await?;
            self.audit.record(Event::SignOut, Context::own(id, client)).await?;
        }
        Ok(())
    }

    pub async fn profile(&self, actor: &Actor) -> Result<Account> {
        let id = actor.user_id()?;
        let user = user::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::Unauthenticated)?;
        Ok(user.into())
    }

    /// Changes the fields of the profile that `update` names (the others are not written, so a
    /// change of another field made meanwhile stays). With `expected_version`, the version of
    /// the account the change is based on: when the account changed since, nothing is written
    /// and the answer is [`Error::StaleVersion`], checked before the fields (a conditional
    /// request's precondition comes before its content) and again by the write itself.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn update_profile(
        &self,
        actor: &Actor,
        update: ProfileUpdate<'_>,
        expected_version: Option<i64>,
    ) -> Result<Account> {
        let id = actor.user_id()?;
        let user = user::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::Unauthenticated)?;
        concurrency::check(expected_version, user.version)?;
        let display_name = update.display_name.map(DisplayName::parse).transpose();
        let locale = update.locale.map(Locale::parse).transpose();
        let time_zone = update.time_zone.map(TimeZone::parse).transpose();
        let (display_name, locale, time_zone) = (display_name?, locale?, time_zone?);
        let mut changes =
            user::Entity::update_many().col_expr(user::Column::UpdatedAt, Expr::value(OffsetDateTime::now_utc()));
        if let Some(name) = display_name {
            changes = changes.col_expr(user::Column::DisplayName, Expr::value(name.as_ref()));
        }
        if let Some(locale) = locale {
            changes = changes.col_expr(user::Column::Locale, Expr::value(locale.as_str()));
        }
        if let Some(zone) = time_zone {
            changes = changes.col_expr(user::Column::TimeZone, Expr::value(zone.as_ref()));
        }
        let version = user::Column::Version;
        let written =
            concurrency::write(&self.db, id, changes, version, expected_version, Error::Unauthenticated).await?;
        self.sessions.forget_user(id).await;
        Ok(written.into())
    }

    /// Keeps only the signed-in user's language preference up to date (the language switcher).
    pub async fn set_locale(&self, actor: &Actor, locale: Locale) -> Result<()> {
        let id = actor.user_id()?;
        user::Entity::update_many()
            .col_expr(user::Column::Locale, Expr::value(locale.as_str()))
            .col_expr(user::Column::UpdatedAt, Expr::value(OffsetDateTime::now_utc()))
            .col_expr(user::Column::Version, concurrency::next(user::Column::Version))
            .filter(user::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        self.sessions.forget_user(id).await;
        Ok(())
    }

    /// Changes the password after checking the current one, and ends every other session.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn change_password(&self, actor: &Actor, current: &str, new: &str, client: &ClientInfo) -> Result<()> {
        let id = actor.user_id()?;
        let user = user::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::Unauthenticated)?;
        let new = NewPassword::parse(new, Field::NewPassword)?;
        if !self.step_up.check(&user, client, password::verify(current, Some(&user.password_hash))).await? {
            return Err(Error::WrongPassword);
        }
        if current == new.expose() {
            return Err(Error::invalid(Field::NewPassword, Problem::Unsupported));
        }
        let hash = password::hash(&new).await?;
        let keep = actor.session_id().map(str::to_owned);
        let txn = self.db.begin().await?;
        user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash))
            .col_expr(user::Column::UpdatedAt, Expr::value(OffsetDateTime::now_utc()))
            .col_expr(user::Column::Version, concurrency::next(user::Column::Version))
            .filter(user::Column::Id.eq(user.id))
            .exec(&txn)
            .await?;
        links::forget_unused_links(&txn, id).await?;
        txn.commit().await?;
        let ended = self.sessions.revoke_all_for(id, keep.as_deref()).await?;
        let context = Context::own(id, client).detail("other_sessions_ended", ended);
        self.audit.record(Event::PasswordChanged, context).await?;
        tracing::info!(user_id = %id, other_sessions_ended = ended, "password changed");
        Ok(())
    }
}

/// Credentials that outlive a password reset (tokens, passkeys, two-factor) wait for a confirmed
/// address. Otherwise whoever signs up first with someone else's address could add one, and keep
/// a way in after the address's owner resets the password and starts using the account.
pub(crate) async fn require_confirmed(db: &impl ConnectionTrait, user_id: Uuid) -> Result<user::Model> {
    let user = user::Entity::find_by_id(user_id).one(db).await?.ok_or(Error::Unauthenticated)?;
    if user.email_verified_at.is_none() {
        return Err(Error::invalid(Field::Email, Problem::Unconfirmed));
    }
    Ok(user)
}

/// A refused sign-in is about the account whose address was typed, if there is one; otherwise the
/// address itself is kept (cut short: it is whatever the visitor typed).
fn sign_in_failed<'a>(found: Option<&user::Model>, email: &str, client: &'a ClientInfo) -> Context<'a> {
    match found {
        Some(user) => Context::about(Some(user.id), &Actor::Anonymous, client),
        None => {
            Context::about(None, &Actor::Anonymous, client).detail("email", email.chars().take(320).collect::<String>())
        }
    }
}
