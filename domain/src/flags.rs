//! Feature flags: code asks `flags.enabled(&actor, Flag::X)`; an administrator switches a flag
//! on or off, rolls it out to a share of users, and names users and roles that always or never get
//! it. The answer for a user is stable: a hash of the flag's key and the user's id puts each user in
//! one of 100 buckets, so raising the share only ever adds users. Deny lists win over allow lists,
//! users over roles. Flags are read from the database once and kept in memory; a change is announced
//! through [`Events`] (Redis pub/sub when set), so every instance drops its copy at once.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use sea_orm::{DatabaseConnection, EntityTrait, Set, TransactionTrait, sea_query::OnConflict};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::sync::broadcast::{Receiver, error::TryRecvError};
use uuid::Uuid;

use crate::{
    Actor, Error, Result, Role,
    audit::{AuditLog, Context, Event},
    entities::feature_flag,
    error::{Field, Problem},
    events::{Events, Forget},
    sessions::ClientInfo,
};

/// How long flags read from the database are trusted without a change announced: bounds what
/// nothing announces (a change by an older release during a roll).
const TRUSTED_FOR: Duration = Duration::from_secs(30);

/// Every flag the code asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flag {
    /// The AI assistant: its page, its launcher in the header and its server functions.
    Assistant,
}

impl Flag {
    pub const ALL: [Flag; 1] = [Flag::Assistant];

    pub fn key(self) -> &'static str {
        match self {
            Self::Assistant => "assistant",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Assistant => "The AI assistant: its page, the launcher in the header and its server functions.",
        }
    }

    /// How the flag stands before an administrator sets it: the assistant was on for everyone
    /// before flags existed, and stays so.
    fn default_rule(self) -> Rule {
        match self {
            Self::Assistant => Rule { enabled: true, rollout: 100, ..Rule::default() },
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// How a flag is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    pub enabled: bool,
    /// 0 to 100: the share of users (by their stable bucket) who get it.
    pub rollout: u8,
    pub allow_users: Vec<Uuid>,
    pub deny_users: Vec<Uuid>,
    pub allow_roles: Vec<Role>,
    pub deny_roles: Vec<Role>,
}

impl Rule {
    /// Whether `actor` gets the flag `key` under this rule.
    fn admits(&self, key: &str, actor: &Actor) -> bool {
        if !self.enabled {
            return false;
        }
        let Ok(user) = actor.user_id() else {
            // A visitor, or the platform itself: only a flag on for everyone.
            return self.rollout >= 100;
        };
        if self.deny_users.contains(&user) {
            return false;
        }
        if self.allow_users.contains(&user) {
            return true;
        }
        let role = match actor {
            Actor::User { role, .. } => Some(*role),
            Actor::Anonymous | Actor::System => None,
        };
        if role.is_some_and(|r| self.deny_roles.contains(&r)) {
            return false;
        }
        if role.is_some_and(|r| self.allow_roles.contains(&r)) {
            return true;
        }
        bucket(key, user) < self.rollout
    }
}

/// The user's bucket for a flag, 0 to 99: the same for the same flag and user, everywhere, always.
pub fn bucket(key: &str, user: Uuid) -> u8 {
    let digest = Sha256::new().chain_update(key.as_bytes()).chain_update([0]).chain_update(user.as_bytes()).finalize();
    let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    (n % 100) as u8
}

/// A flag as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagInfo {
    pub flag: Flag,
    pub rule: Rule,
    /// When an administrator last set it (never: it is at its default).
    pub updated_at: Option<OffsetDateTime>,
}

#[derive(Clone)]
pub struct FlagService {
    db: DatabaseConnection,
    events: Events,
    audit: AuditLog,
    cache: Arc<Mutex<Cache>>,
}

struct Cache {
    rules: Option<(Arc<HashMap<Flag, Rule>>, Instant)>,
    forgets: Receiver<Forget>,
}

impl FlagService {
    pub fn new(db: DatabaseConnection, events: Events, audit: AuditLog) -> Self {
        let cache = Cache { rules: None, forgets: events.forgets() };
        Self { db, events, audit, cache: Arc::new(Mutex::new(cache)) }
    }

    /// Whether `actor` gets `flag` now.
    pub async fn enabled(&self, actor: &Actor, flag: Flag) -> Result<bool> {
        let rules = self.rules().await?;
        let on = rules.get(&flag).cloned().unwrap_or_else(|| flag.default_rule()).admits(flag.key(), actor);
        metrics::counter!(crate::metric_names::FEATURE_FLAG_EVALUATIONS_TOTAL, "flag" => flag.key(), "result" => if on { "on" } else { "off" })
            .increment(1);
        Ok(on)
    }

    /// Every flag with how it is set (administrators only).
    pub async fn list(&self, actor: &Actor) -> Result<Vec<FlagInfo>> {
        actor.require_admin()?;
        let rows = feature_flag::Entity::find().all(&self.db).await?;
        Ok(Flag::ALL
            .into_iter()
            .map(|flag| match rows.iter().find(|r| r.key == flag.key()) {
                Some(row) => FlagInfo { flag, rule: rule_of(row), updated_at: Some(row.updated_at) },
                None => FlagInfo { flag, rule: flag.default_rule(), updated_at: None },
            })
            .collect())
    }

    /// Sets a flag (administrators only); every instance follows at once. Audited.
    pub async fn set(&self, actor: &Actor, flag: Flag, rule: Rule, client: &ClientInfo) -> Result<FlagInfo> {
        actor.require_admin()?;
        if rule.rollout > 100 {
            return Err(Error::invalid(Field::Rollout, Problem::TooLarge));
        }
        let now = OffsetDateTime::now_utc();
        let list = |items: Vec<String>| serde_json::to_string(&items).unwrap_or_else(|_| "[]".into());
        let users = |ids: &[Uuid]| list(ids.iter().map(Uuid::to_string).collect());
        let roles = |roles: &[Role]| list(roles.iter().map(|r| r.as_str().to_owned()).collect());
        let row = feature_flag::ActiveModel {
            key: Set(flag.key().to_owned()),
            enabled: Set(rule.enabled),
            rollout: Set(i16::from(rule.rollout)),
            allow_users: Set(users(&rule.allow_users)),
            deny_users: Set(users(&rule.deny_users)),
            allow_roles: Set(roles(&rule.allow_roles)),
            deny_roles: Set(roles(&rule.deny_roles)),
            updated_at: Set(now),
            updated_by: Set(actor.user_id().ok()),
        };
        let txn = self.db.begin().await?;
        feature_flag::Entity::insert(row)
            .on_conflict(
                OnConflict::column(feature_flag::Column::Key)
                    .update_columns([
                        feature_flag::Column::Enabled,
                        feature_flag::Column::Rollout,
                        feature_flag::Column::AllowUsers,
                        feature_flag::Column::DenyUsers,
                        feature_flag::Column::AllowRoles,
                        feature_flag::Column::DenyRoles,
                        feature_flag::Column::UpdatedAt,
                        feature_flag::Column::UpdatedBy,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        let context = Context::about(None, actor, client)
            .detail("flag", flag.key())
            .detail("enabled", rule.enabled)
            .detail("rollout", rule.rollout)
            .detail("allow_users", rule.allow_users.len())
            .detail("deny_users", rule.deny_users.len());
        self.audit.record_in(&txn, Event::FlagChanged, context).await?;
        txn.commit().await?;
        self.events.forget(Forget::Flags).await;
        tracing::info!(flag = flag.key(), enabled = rule.enabled, rollout = rule.rollout, "feature flag set");
        Ok(FlagInfo { flag, rule, updated_at: Some(now) })
    }

    /// The rules, from memory while nothing announced a change and this instance hears the
    /// others; else read again.
    async fn rules(&self) -> Result<Arc<HashMap<Flag, Rule>>> {
        {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                match cache.forgets.try_recv() {
                    Ok(Forget::Flags | Forget::All) | Err(TryRecvError::Lagged(_)) => cache.rules = None,
                    Ok(_) => {}
                    Err(TryRecvError::Empty | TryRecvError::Closed) => break,
                }
            }
            if let Some((rules, at)) = &cache.rules
                && at.elapsed() < TRUSTED_FOR
                && self.events.listening()
            {
                return Ok(rules.clone());
            }
        }
        let rows = feature_flag::Entity::find().all(&self.db).await?;
        let rules: HashMap<Flag, Rule> =
            rows.iter().filter_map(|row| Some((Flag::parse(&row.key)?, rule_of(row)))).collect();
        let rules = Arc::new(rules);
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).rules = Some((rules.clone(), Instant::now()));
        Ok(rules)
    }
}

fn rule_of(row: &feature_flag::Model) -> Rule {
    let list = |text: &str| serde_json::from_str::<Vec<String>>(text).unwrap_or_default();
    let users = |text: &str| list(text).iter().filter_map(|id| id.parse().ok()).collect();
    let roles = |text: &str| list(text).iter().map(|name| Role::parse(name)).collect();
    Rule {
        enabled: row.enabled,
        rollout: u8::try_from(row.rollout.clamp(0, 100)).unwrap_or(0),
        allow_users: users(&row.allow_users),
        deny_users: users(&row.deny_users),
        allow_roles: roles(&row.allow_roles),
        deny_roles: roles(&row.deny_roles),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> (Actor, Uuid) {
        let id = Uuid::new_v4();
        (Actor::User { id, role, credential: crate::actor::Credential::Session("s".into()) }, id)
    }

    #[test]
    fn buckets_are_stable_and_spread() {
        let users: Vec<Uuid> = (0..10_000).map(|_| Uuid::new_v4()).collect();
        let in_first_half = users.iter().filter(|u| bucket("assistant", **u) < 50).count();
        assert!((4_500..5_500).contains(&in_first_half), "{in_first_half} of 10000 in half the buckets");
        assert!(users.iter().all(|u| bucket("assistant", *u) == bucket("assistant", *u)));
        // Another flag sorts users differently.
        let same = users.iter().filter(|u| bucket("assistant", **u) == bucket("other", **u)).count();
        assert!(same < 300, "{same}");
    }

    #[test]
    fn raising_the_rollout_only_adds_users() {
        let users: Vec<(Actor, Uuid)> = (0..2_000).map(|_| user(Role::User)).collect();
        let mut previous = 0;
        let mut had: Vec<bool> = vec![false; users.len()];
        for rollout in [0, 10, 25, 50, 90, 100] {
            let rule = Rule { enabled: true, rollout, ..Rule::default() };
            let now: Vec<bool> = users.iter().map(|(a, _)| rule.admits("assistant", a)).collect();
            assert!(had.iter().zip(&now).all(|(before, after)| !before || *after), "someone lost it at {rollout}%");
            let count = now.iter().filter(|on| **on).count();
            assert!(count >= previous);
            previous = count;
            had = now;
        }
        assert_eq!(previous, users.len());
    }

    #[test]
    fn lists_decide_before_the_rollout_deny_first_users_before_roles() {
        let (ada, ada_id) = user(Role::User);
        let (root, root_id) = user(Role::Admin);
        let off = Rule { enabled: true, rollout: 0, ..Rule::default() };
        assert!(!off.admits("f", &ada));
        let allowed = Rule { allow_users: vec![ada_id], allow_roles: vec![Role::Admin], ..off.clone() };
        assert!(allowed.admits("f", &ada) && allowed.admits("f", &root));
        let denied = Rule { rollout: 100, deny_users: vec![ada_id], deny_roles: vec![Role::Admin], ..off.clone() };
        assert!(!denied.admits("f", &ada) && !denied.admits("f", &root));
        // The user lists win over the role lists.
        let admin_but_allowed = Rule { allow_users: vec![root_id], deny_roles: vec![Role::Admin], ..off.clone() };
        assert!(admin_but_allowed.admits("f", &root));
        // Switched off, nobody gets it, whatever the lists.
        let switched_off = Rule { enabled: false, rollout: 100, allow_users: vec![ada_id], ..Rule::default() };
        assert!(!switched_off.admits("f", &ada));
        // A visitor only when it is on for everyone.
        assert!(!Rule { rollout: 99, ..off.clone() }.admits("f", &Actor::Anonymous));
        assert!(Rule { rollout: 100, ..off }.admits("f", &Actor::Anonymous));
    }
}
