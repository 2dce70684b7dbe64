//! Sign-in throttling: attempts counted per account and per client network, in the database so that
//! every instance sees the same counts, with an exponentially growing lock-out.
//!
//! An attempt is counted when it is let in, before its password is checked, and one statement both
//! counts it and sets the lock-out it earns: a burst of parallel attempts cannot all slip through
//! before the first failure is written. A success then takes its count back (the account's counter
//! is reset; the network's keeps its earlier failures). While a lock-out lasts, attempts are refused
//! without checking the password. Accounts are keyed by the normalised e-mail address whether or not
//! an account has it, so the answers tell nothing about which addresses exist.

use std::{net::IpAddr, time::Duration};

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, FromQueryResult, Statement, Value};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::{Error, Result};

/// The settings `AUTH_THROTTLE_*` (see `crate::config::SETTINGS`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrottleConfig {
    /// Sign-in attempts to one e-mail address let through before each further failure locks it for
    /// a growing time; 0 turns the per-account limit off.
    #[serde(deserialize_with = "crate::config::parse::from_str")]
    pub account_threshold: u32,
    /// The same, per client IP address (per /64 network for IPv6); 0 turns it off.
    #[serde(deserialize_with = "crate::config::parse::from_str")]
    pub ip_threshold: u32,
    /// The first lock-out; each further failure doubles it.
    #[serde(deserialize_with = "crate::config::parse::duration")]
    pub base_delay: Duration,
    /// The longest lock-out.
    #[serde(deserialize_with = "crate::config::parse::duration")]
    pub max_delay: Duration,
    /// Failures are forgotten after this long without one.
    #[serde(deserialize_with = "crate::config::parse::duration")]
    pub window: Duration,
}

/// What the attempts are counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The normalised e-mail address, whether or not an account has it.
    Account,
    /// The client's IP address (IPv6: its /64 network, which one subscriber usually holds whole).
    Ip,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::Ip => "ip",
        }
    }
}

/// The lock-out rules, in milliseconds.
#[derive(Debug, Clone, Copy)]
struct Policy {
    base_ms: i64,
    max_ms: i64,
    window_ms: i64,
    /// Doublings of the base delay after which the maximum applies.
    cap_steps: u32,
}

impl Policy {
    fn new(config: &ThrottleConfig) -> Self {
        let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4).min(i64::MAX / 4);
        let (base_ms, max_ms) = (ms(config.base_delay), ms(config.max_delay));
        let mut cap_steps = 0;
        while cap_steps < 40 && base_ms.saturating_mul(1 << cap_steps) < max_ms {
            cap_steps += 1;
        }
        Self { base_ms, max_ms, window_ms: ms(config.window), cap_steps }
    }

    /// How long the `failures`-th counted attempt locks its key out, given the scope's threshold.
    fn lock_ms(&self, failures: u32, threshold: u32) -> Option<i64> {
        let over = failures.checked_sub(threshold)?;
        Some(if over >= self.cap_steps { self.max_ms } else { (self.base_ms << over).min(self.max_ms) })
    }
}

/// One counted attempt: what each scope's counter said once it was counted.
#[derive(Debug)]
pub struct Attempt {
    counted: Vec<Counted>,
}

#[derive(Debug)]
struct Counted {
    scope: Scope,
    key: String,
    failures: u32,
    window_start: i64,
}

#[derive(FromQueryResult)]
struct Row {
    failures: i32,
    window_start: i64,
}

#[derive(FromQueryResult)]
struct Lock {
    locked_until: Option<i64>,
}

#[derive(Clone)]
pub struct Throttle {
    db: DatabaseConnection,
    config: ThrottleConfig,
    policy: Policy,
}

impl Throttle {
    pub fn new(db: DatabaseConnection, config: &ThrottleConfig) -> Self {
        Self { db, policy: Policy::new(config), config: config.clone() }
    }

    fn threshold(&self, scope: Scope) -> u32 {
        match scope {
            Scope::Account => self.config.account_threshold,
            Scope::Ip => self.config.ip_threshold,
        }
    }

    /// Counts a sign-in attempt for `email` from `ip`, or refuses it with
    /// [`Error::TooManyAttempts`] while either is locked out (counting nothing).
    pub async fn admit(&self, email: &str, ip: Option<&str>, now: OffsetDateTime) -> Result<Attempt> {
        let keys = [(Scope::Account, Some(account_key(email))), (Scope::Ip, ip.map(ip_key))];
        let mut attempt = Attempt { counted: Vec::new() };
        for (scope, key) in keys {
            let Some(key) = key.filter(|_| self.threshold(scope) > 0) else { continue };
            match self.count(scope, &key, now).await? {
                Some(counted) => attempt.counted.push(counted),
                None => {
                    let retry_after = self.locked_for(scope, &key, now).await?;
                    // The other scope's count would stand for an attempt that never happened.
                    self.release(&attempt).await?;
                    metrics::counter!(crate::metric_names::AUTH_FAILURES_TOTAL, "reason" => "throttled").increment(1);
                    tracing::info!(scope = scope.as_str(), ?retry_after, "sign-in refused: locked out");
                    return Err(Error::TooManyAttempts { retry_after });
                }
            }
        }
        Ok(attempt)
    }

    /// The attempt's password was wrong (or its e-mail unknown): its count stands.
    pub fn failed(&self, attempt: &Attempt) {
        metrics::counter!(crate::metric_names::AUTH_FAILURES_TOTAL, "reason" => "bad_credentials").increment(1);
        for counted in &attempt.counted {
            if counted.failures == self.threshold(counted.scope) {
                metrics::counter!(crate::metric_names::AUTH_LOCKOUTS_TOTAL, "scope" => counted.scope.as_str())
                    .increment(1);
                tracing::warn!(
                    scope = counted.scope.as_str(),
                    key = ?counted.key,
                    failures = counted.failures,
                    since = %millis_to_time(counted.window_start),
                    "a burst of failed sign-ins: locking out"
                );
            }
        }
    }

    /// The attempt succeeded: the account starts afresh, and the network's count forgets it.
    pub async fn succeeded(&self, attempt: Attempt) -> Result<()> {
        let (account, others): (Vec<_>, Vec<_>) =
            attempt.counted.into_iter().partition(|counted| counted.scope == Scope::Account);
        for counted in account {
            let sql = r#"DELETE FROM auth_throttle WHERE scope = ? AND "key" = ?"#;
            self.exec(sql, vec![counted.scope.as_str().into(), counted.key.into()]).await?;
        }
        self.release(&Attempt { counted: others }).await
    }

    /// The attempt's password was right but a second factor is still due: its count is taken back,
    /// and the account's earlier failures stand until the second factor is given.
    pub async fn deferred(&self, attempt: Attempt) -> Result<()> {
        self.release(&attempt).await
    }

    /// Removes counters idle longer than the window and no longer locked (the nightly job).
    pub async fn purge(&self, now: OffsetDateTime) -> Result<u64> {
        let now = millis(now);
        let sql = "DELETE FROM auth_throttle WHERE last_failure_at < ? AND (locked_until IS NULL OR locked_until < ?)";
        self.exec(sql, vec![(now - self.policy.window_ms).into(), now.into()]).await
    }

    /// Counts one attempt against `key` and sets the lock-out it earns, unless the key is locked out
    /// now (then `None`). A counter idle for longer than the window starts again at one.
    async fn count(&self, scope: Scope, key: &str, now: OffsetDateTime) -> Result<Option<Counted>> {
        let (threshold, Policy { base_ms, max_ms, window_ms, cap_steps }) = (self.threshold(scope), self.policy);
        let stale = format!("auth_throttle.last_failure_at < excluded.last_failure_at - {window_ms}");
        let next = format!("(CASE WHEN {stale} THEN 1 ELSE auth_throttle.failures + 1 END)");
        let sql = format!(
            r#"INSERT INTO auth_throttle (scope, "key", failures, window_start, last_failure_at, locked_until)
               VALUES (?, ?, 1, ?, ?, ?)
               ON CONFLICT (scope, "key") DO UPDATE SET
                 failures = {next},
                 window_start = CASE WHEN {stale} THEN excluded.window_start ELSE auth_throttle.window_start END,
                 last_failure_at = excluded.last_failure_at,
                 locked_until = CASE
                   WHEN {next} < {threshold} THEN NULL
                   WHEN {next} - {threshold} >= {cap_steps} THEN excluded.last_failure_at + {max_ms}
                   ELSE excluded.last_failure_at + {base_ms} * (CAST(1 AS BIGINT) << ({next} - {threshold}))
                 END
               WHERE auth_throttle.locked_until IS NULL OR auth_throttle.locked_until <= excluded.last_failure_at
               RETURNING failures, window_start"#
        );
        let now = millis(now);
        let first_lock = self.policy.lock_ms(1, threshold).map(|ms| now + ms);
        let values = vec![scope.as_str().into(), key.into(), now.into(), now.into(), first_lock.into()];
        let row = Row::find_by_statement(self.statement(&sql, values)).one(&self.db).await?;
        Ok(row.map(|row| Counted {
            scope,
            key: key.to_owned(),
            failures: u32::try_from(row.failures).unwrap_or_default(),
            window_start: row.window_start,
        }))
    }

    /// How long `key` stays locked out.
    async fn locked_for(&self, scope: Scope, key: &str, now: OffsetDateTime) -> Result<Duration> {
        let sql = r#"SELECT locked_until FROM auth_throttle WHERE scope = ? AND "key" = ?"#;
        let lock =
            Lock::find_by_statement(self.statement(sql, vec![scope.as_str().into(), key.into()])).one(&self.db).await?;
        let left = lock.and_then(|l| l.locked_until).map_or(0, |until| until - millis(now));
        // The lock may have ended between the two statements; the caller still waits a moment.
        Ok(Duration::from_millis(u64::try_from(left).unwrap_or_default().max(1)))
    }

    /// Takes an attempt's counts back, and the lock-out it set while nobody else was counted since.
    async fn release(&self, attempt: &Attempt) -> Result<()> {
        for counted in &attempt.counted {
            let sql = r#"UPDATE auth_throttle
                         SET failures = failures - 1, locked_until = CASE WHEN failures = ? THEN NULL ELSE locked_until END
                         WHERE scope = ? AND "key" = ? AND failures > 0"#;
            let failures = i32::try_from(counted.failures).unwrap_or(i32::MAX);
            self.exec(sql, vec![failures.into(), counted.scope.as_str().into(), counted.key.clone().into()]).await?;
        }
        Ok(())
    }

    async fn exec(&self, sql: &str, values: Vec<Value>) -> Result<u64> {
        Ok(self.db.execute(self.statement(sql, values)).await?.rows_affected())
    }

    /// `?` placeholders become `$n` on PostgreSQL.
    fn statement(&self, sql: &str, values: Vec<Value>) -> Statement {
        let backend = self.db.get_database_backend();
        let sql = match backend {
            DatabaseBackend::Postgres => {
                let mut n = 0;
                sql.split('?')
                    .enumerate()
                    .map(|(i, part)| {
                        if i == 0 {
                            part.to_owned()
                        } else {
                            n += 1;
                            format!("${n}{part}")
                        }
                    })
                    .collect()
            }
            _ => sql.to_owned(),
        };
        Statement::from_sql_and_values(backend, sql, values)
    }
}

/// The account key: the address as `Email::parse` normalises it, even when it is malformed.
fn account_key(email: &str) -> String {
    email.trim().to_lowercase().chars().take(320).collect()
}

/// The network key: an IPv4 address, or the /64 network of an IPv6 one.
fn ip_key(ip: &str) -> String {
    match ip.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(IpAddr::V6(v6)) => {
            let network = std::net::Ipv6Addr::from(v6.to_bits() & (u128::MAX << 64));
            format!("{network}/64")
        }
        Ok(v4) => v4.to_string(),
        Err(_) => ip.chars().take(320).collect(),
    }
}

fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or_default()
}

fn millis_to_time(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(base: &str, max: &str) -> Policy {
        let parse = |s| humantime::parse_duration(s).unwrap();
        Policy::new(&ThrottleConfig {
            account_threshold: 5,
            ip_threshold: 20,
            base_delay: parse(base),
            max_delay: parse(max),
            window: parse("1h"),
        })
    }

    #[test]
    fn lock_outs_double_from_the_threshold_up_to_the_cap() {
        let policy = policy("1s", "15m");
        let locks: Vec<Option<i64>> = (1..=17).map(|n| policy.lock_ms(n, 5)).collect();
        assert_eq!(locks[..4], [None; 4]);
        let seconds: Vec<i64> = locks[4..].iter().map(|l| l.unwrap() / 1000).collect();
        assert_eq!(seconds, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
        assert_eq!(policy.lock_ms(u32::MAX, 5), Some(900_000));
    }

    #[test]
    fn a_cap_below_the_base_applies_at_once() {
        assert_eq!(policy("10s", "3s").lock_ms(1, 1), Some(3000));
        assert_eq!(policy("1ms", "1h").lock_ms(40, 1), Some(3_600_000));
    }

    #[test]
    fn keys_are_normalised() {
        assert_eq!(account_key("  Ada@Example.COM "), "ada@example.com");
        assert_eq!(account_key("not an address"), "not an address");
        assert_eq!(ip_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(ip_key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(ip_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(ip_key("2001:db8:1:2:ffff::1"), ip_key("2001:db8:1:2::9"));
    }
}
