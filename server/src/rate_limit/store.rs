//! Where the counts live: one fixed-window counter per key, in this process or in Redis. Both
//! stores implement the same algorithm: the first hit opens a window of the key's period, every
//! hit adds one, and the window (with its count) ends a period after it opened.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use anyhow::Context;
use redis::{Script, aio::ConnectionManager};

/// A Redis check that takes longer than this counts as a store failure (and lets the request
/// through): a slow limiter must not become an outage.
const REDIS_TIMEOUT: Duration = Duration::from_secs(1);

/// How often the in-process store drops the windows that have ended.
const PRUNE_EVERY: Duration = Duration::from_secs(10);

/// One key's window after a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Hits in the current window, this one included.
    pub count: u64,
    /// Until the window ends and the count starts again from zero.
    pub resets_in: Duration,
}

pub enum Store {
    Local(Mutex<Local>),
    Redis { conn: ConnectionManager, script: Script },
}

pub struct Local {
    windows: HashMap<String, Window>,
    pruned_at: Instant,
}

struct Window {
    count: u64,
    ends: Instant,
}

/// INCR each key; the first hit of a window (or a key that somehow lost its expiry) sets the
/// expiry to the key's period. Returns count and milliseconds to expiry, key after key.
const HIT: &str = r"
local out = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if count == 1 or ttl < 0 then
    ttl = tonumber(ARGV[i])
    redis.call('PEXPIRE', key, ttl)
  end
  out[#out + 1] = count
  out[#out + 1] = ttl
end
return out
";

impl Store {
    pub fn local() -> Self {
        Self::Local(Mutex::new(Local { windows: HashMap::new(), pruned_at: Instant::now() }))
    }

    pub async fn redis(url: &url::Url) -> anyhow::Result<Self> {
        let client = redis::Client::open(url.as_str()).context("REDIS_URL: not a Redis URL")?;
        let conn = tokio::time::timeout(Duration::from_secs(5), client.get_connection_manager())
            .await
            .context("REDIS_URL: Redis did not answer within 5s")?
            .context("REDIS_URL: cannot connect to Redis")?;
        Ok(Self::Redis { conn, script: Script::new(HIT) })
    }

    /// Counts one hit on each key (with its period), all in one step: one lock, or one Redis
    /// round trip.
    pub async fn hit(&self, keys: &[(String, Duration)]) -> anyhow::Result<Vec<Hit>> {
        match self {
            Self::Local(local) => {
                let mut local = local.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                Ok(local.hit(keys, Instant::now()))
            }
            Self::Redis { conn, script } => {
                let mut invocation = script.prepare_invoke();
                for (key, period) in keys {
                    invocation.key(key).arg(u64::try_from(period.as_millis()).unwrap_or(u64::MAX).max(1));
                }
                let mut conn = conn.clone();
                let values: Vec<i64> = tokio::time::timeout(REDIS_TIMEOUT, invocation.invoke_async(&mut conn))
                    .await
                    .context("Redis did not answer in time")??;
                anyhow::ensure!(values.len() == keys.len() * 2, "Redis answered {} values", values.len());
                Ok(values
                    .chunks(2)
                    .map(|pair| Hit {
                        count: pair[0].max(0).unsigned_abs(),
                        resets_in: Duration::from_millis(pair[1].max(0).unsigned_abs()),
                    })
                    .collect())
            }
        }
    }
}

impl Local {
    fn hit(&mut self, keys: &[(String, Duration)], now: Instant) -> Vec<Hit> {
        if now.duration_since(self.pruned_at) >= PRUNE_EVERY {
            // Memory stays bounded by the keys seen within the longest period.
            self.windows.retain(|_, window| window.ends > now);
            self.pruned_at = now;
        }
        keys.iter()
            .map(|(key, period)| {
                let window = self.windows.entry(key.clone()).or_insert(Window { count: 0, ends: now });
                if window.ends <= now {
                    *window = Window { count: 0, ends: now + *period };
                }
                window.count = window.count.saturating_add(1);
                Hit { count: window.count, resets_in: window.ends - now }
            })
            .collect()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.windows.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> Local {
        Local { windows: HashMap::new(), pruned_at: Instant::now() }
    }

    #[test]
    fn a_window_counts_until_its_period_ends_then_starts_again() {
        let mut store = local();
        let start = Instant::now();
        let key = [("k".to_owned(), Duration::from_secs(1))];
        assert_eq!(store.hit(&key, start), vec![Hit { count: 1, resets_in: Duration::from_secs(1) }]);
        let later = start + Duration::from_millis(400);
        assert_eq!(store.hit(&key, later), vec![Hit { count: 2, resets_in: Duration::from_millis(600) }]);
        let next = start + Duration::from_secs(1);
        assert_eq!(store.hit(&key, next), vec![Hit { count: 1, resets_in: Duration::from_secs(1) }]);
    }

    #[test]
    fn keys_count_apart() {
        let mut store = local();
        let now = Instant::now();
        let keys = [("a".to_owned(), Duration::from_secs(1)), ("b".to_owned(), Duration::from_secs(60))];
        store.hit(&keys[..1], now);
        let hits = store.hit(&keys, now);
        assert_eq!(hits[0].count, 2);
        assert_eq!(hits[1], Hit { count: 1, resets_in: Duration::from_secs(60) });
    }

    #[test]
    fn ended_windows_are_pruned() {
        let mut store = local();
        let start = store.pruned_at;
        for i in 0..1000 {
            store.hit(&[(format!("ip-{i}"), Duration::from_secs(1))], start);
        }
        assert_eq!(store.len(), 1000);
        store.hit(&[("late".to_owned(), Duration::from_secs(1))], start + PRUNE_EVERY);
        assert_eq!(store.len(), 1);
    }
}
