//! Resolved sessions kept in memory for a few seconds, so that a signed-in request costs no
//! database round trip. Revocation stays immediate: every change that could make an entry wrong
//! (sign-out, a password, role or profile change) sends a [`Forget`] through [`Events`], which
//! reaches this instance at once and, with Redis, every other; each lookup first applies what
//! arrived. An instance that does not hear the others (its Redis subscription is down) trusts no
//! entry until it does again, and drops everything when it comes back. `SESSION_CACHE_TTL`
//! (default 10 s; 0 turns the cache off) bounds what nothing announces (a change made by a process without Redis, or by an older release during a
//! rolling upgrade).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use time::OffsetDateTime;
use tokio::sync::broadcast::{Receiver, error::TryRecvError};
use uuid::Uuid;

use super::Resolved;
use crate::events::{Events, Forget};

/// Entries kept at most; beyond, the oldest half goes.
const CAPACITY: usize = 20_000;

/// One session (or API token) as the database last showed it.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub resolved: Resolved,
    pub user_id: Uuid,
    pub expires_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    /// The address it was last used from (a token records it).
    pub ip: Option<String>,
    cached_at: Instant,
}

impl Entry {
    pub fn new(resolved: Resolved, user_id: Uuid, expires_at: OffsetDateTime, last_seen_at: OffsetDateTime) -> Self {
        Self { resolved, user_id, expires_at, last_seen_at, ip: None, cached_at: Instant::now() }
    }

    pub fn with_ip(self, ip: Option<String>) -> Self {
        Self { ip, ..self }
    }
}

#[derive(Clone)]
pub(crate) struct SessionCache {
    inner: Arc<Mutex<Inner>>,
    events: Events,
    /// How long an entry is trusted without being confirmed by the database (zero: never).
    ttl: Duration,
}

struct Inner {
    entries: HashMap<String, Entry>,
    forgets: Receiver<Forget>,
    /// Counts what was forgotten: a lookup that began before a forget does not store its answer.
    epoch: u64,
}

impl SessionCache {
    pub fn new(events: Events, ttl: Duration) -> Self {
        let inner = Inner { entries: HashMap::new(), forgets: events.forgets(), epoch: 0 };
        Self { inner: Arc::new(Mutex::new(inner)), events, ttl }
    }

    /// The entry for a session id, if one is fresh and may be trusted; and the epoch to give
    /// [`Self::put`] with what the database says otherwise.
    pub fn get(&self, id: &str) -> (Option<Entry>, u64) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.apply_forgets();
        if !self.events.listening() {
            inner.entries.clear();
            return (None, inner.epoch);
        }
        let hit = inner.entries.get(id).filter(|e| e.cached_at.elapsed() < self.ttl).cloned();
        (hit, inner.epoch)
    }

    /// Keeps what the database said about a session, unless something was forgotten since the
    /// lookup that read it began (`epoch`): it may have read the row before the change.
    pub fn put(&self, id: String, entry: Entry, epoch: u64) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.apply_forgets();
        if inner.epoch != epoch || self.ttl.is_zero() || !self.events.listening() {
            return;
        }
        if inner.entries.len() >= CAPACITY {
            inner.entries.retain(|_, e| e.cached_at.elapsed() < self.ttl);
            if inner.entries.len() >= CAPACITY {
                let mut ages: Vec<Instant> = inner.entries.values().map(|e| e.cached_at).collect();
                let (_, median, _) = ages.select_nth_unstable(CAPACITY / 2);
                let median = *median;
                inner.entries.retain(|_, e| e.cached_at > median);
            }
        }
        inner.entries.insert(id, entry);
    }

    /// Drops a session here and on every instance; returns when that is announced.
    pub async fn forget(&self, what: Forget) {
        self.events.forget(what).await;
        // Applied here even if no lookup comes soon (and before this returns).
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).apply_forgets();
    }
}

impl Inner {
    fn apply_forgets(&mut self) {
        loop {
            match self.forgets.try_recv() {
                Ok(Forget::Session(id)) => {
                    self.entries.remove(&id);
                }
                Ok(Forget::User(user)) => self.entries.retain(|_, e| e.user_id != user),
                // Nothing a session cache holds.
                Ok(Forget::Flags) => continue,
                Ok(Forget::All) | Err(TryRecvError::Lagged(_)) => self.entries.clear(),
                Err(TryRecvError::Empty | TryRecvError::Closed) => return,
            }
            self.epoch += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Actor, Credential, Role};

    fn entry(user_id: Uuid, session: &str) -> Entry {
        let actor = Actor::User { id: user_id, role: Role::User, credential: Credential::Session(session.into()) };
        let now = OffsetDateTime::now_utc();
        Entry::new(Resolved { actor, account: None }, user_id, now + time::Duration::hours(1), now)
    }

    #[tokio::test]
    async fn forgetting_a_session_or_its_user_drops_it_at_once() {
        let cache = SessionCache::new(Events::local(), Duration::from_secs(10));
        let (ada, bob) = (Uuid::new_v4(), Uuid::new_v4());
        for (user, session) in [(ada, "a1"), (ada, "a2"), (bob, "b1")] {
            let (_, epoch) = cache.get(session);
            cache.put(session.into(), entry(user, session), epoch);
        }
        assert!(cache.get("a1").0.is_some());

        cache.forget(Forget::Session("a1".into())).await;
        assert!(cache.get("a1").0.is_none());
        assert!(cache.get("a2").0.is_some());

        cache.forget(Forget::User(ada)).await;
        assert!(cache.get("a2").0.is_none());
        assert!(cache.get("b1").0.is_some(), "another user's session stays");

        cache.forget(Forget::All).await;
        assert!(cache.get("b1").0.is_none());
    }

    #[tokio::test]
    async fn an_answer_read_before_a_forget_is_not_kept() {
        let cache = SessionCache::new(Events::local(), Duration::from_secs(10));
        let ada = Uuid::new_v4();
        // A lookup misses and goes to the database; meanwhile the user's role changes.
        let (_, epoch) = cache.get("a1");
        cache.forget(Forget::User(ada)).await;
        cache.put("a1".into(), entry(ada, "a1"), epoch);
        assert!(cache.get("a1").0.is_none(), "the row it read may predate the change");
    }

    #[tokio::test]
    async fn a_full_cache_drops_its_oldest_half() {
        let cache = SessionCache::new(Events::local(), Duration::from_secs(10));
        let user = Uuid::new_v4();
        for n in 0..=CAPACITY {
            let (_, epoch) = cache.get("probe");
            cache.put(format!("s{n}"), entry(user, "s"), epoch);
        }
        let kept = cache.inner.lock().unwrap().entries.len();
        assert!(kept <= CAPACITY / 2 + 1, "{kept}");
        assert!(cache.get(&format!("s{CAPACITY}")).0.is_some(), "the newest stays");
    }

    #[tokio::test]
    async fn a_zero_ttl_keeps_nothing() {
        let cache = SessionCache::new(Events::local(), Duration::ZERO);
        let (_, epoch) = cache.get("a1");
        cache.put("a1".into(), entry(Uuid::new_v4(), "a1"), epoch);
        assert!(cache.get("a1").0.is_none());
    }
}
