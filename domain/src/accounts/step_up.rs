//! Proof, again, before a change that would let whoever finds a signed-in browser keep the account
//! (a new passkey, two-factor off, new recovery codes, a new password). Every proof typed for such
//! a change counts in the sign-in throttle like a sign-in, so a stolen session cannot guess the
//! password or a code at the speed of the general request limit; and a passkey, which needs no
//! proof of its own, needs a session that signed in (or re-entered its password) recently.

use std::future::Future;

use sea_orm::{DatabaseConnection, EntityTrait};
use time::OffsetDateTime;

use super::{Throttle, password};
use crate::{
    Actor, Error, Result,
    audit::{AuditLog, Context, Event},
    entities::user,
    error::{Field, Problem},
    sessions::{ClientInfo, SessionStore},
};

/// How long after signing in (or re-entering the password) a session may add a passkey.
pub const RECENT: time::Duration = time::Duration::minutes(10);

#[derive(Clone)]
pub struct StepUp {
    db: DatabaseConnection,
    sessions: SessionStore,
    throttle: Throttle,
    audit: AuditLog,
}

impl StepUp {
    pub fn new(db: DatabaseConnection, sessions: SessionStore, throttle: Throttle, audit: AuditLog) -> Self {
        Self { db, sessions, throttle, audit }
    }

    /// Checks a proof for a sensitive change, counted like a sign-in attempt: refused without a look
    /// while the account or network is locked out, and a wrong proof counts towards a lock-out.
    pub(crate) async fn check(
        &self,
        user: &user::Model,
        client: &ClientInfo,
        proof: impl Future<Output = Result<bool>>,
    ) -> Result<bool> {
        let attempt = self.throttle.admit(&user.email, client.ip.as_deref(), OffsetDateTime::now_utc()).await?;
        if proof.await? {
            self.throttle.succeeded(attempt).await?;
            return Ok(true);
        }
        self.throttle.failed(&attempt);
        let context = Context::own(user.id, client).detail("step_up", true);
        self.audit.record(Event::SignInFailed, context).await?;
        Ok(false)
    }

    /// Lets the change through for a browser session that signed in within [`RECENT`], or whose
    /// user gives the account's `password` now (which renews the session's proof). Tokens never
    /// pass: they are for programs, not for changing how the account signs in.
    pub async fn require_recent(&self, actor: &Actor, password: Option<&str>, client: &ClientInfo) -> Result<()> {
        let user_id = actor.user_id()?;
        let session_id = actor.session_id().ok_or(Error::Forbidden)?;
        if let Some(password) = password.filter(|p| !p.is_empty()) {
            let user = user::Entity::find_by_id(user_id).one(&self.db).await?.ok_or(Error::Unauthenticated)?;
            if !self.check(&user, client, password::verify(password, Some(&user.password_hash))).await? {
                return Err(Error::WrongPassword);
            }
            return self.sessions.reauthenticated(session_id).await;
        }
        if self.sessions.authenticated_since(session_id, OffsetDateTime::now_utc() - RECENT).await? {
            return Ok(());
        }
        Err(Error::invalid(Field::Password, Problem::Required))
    }
}
