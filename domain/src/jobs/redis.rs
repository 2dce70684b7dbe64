//! The queue on Redis Streams. Each queue and priority is a stream read through one consumer group:
//! a delivered entry stays pending until acknowledged, and an entry pending longer than the
//! visibility timeout (its worker died) is claimed again with XAUTOCLAIM. A claim takes a batch in
//! one round trip (a Lua script reads the streams highest priority first and counts the attempts),
//! and acknowledgements travel several to a round trip (see `acks`). Delayed jobs and retries
//! wait in a sorted set that a small Lua script moves into their stream when due; buried jobs go to
//! a hash, with their burial times in a sorted set beside it (for listing oldest first and purging
//! by age). Everything lives under `smartai:jobs:`.
//!
//! Claiming is in `claim`, finishing a delivery (done, retried, buried or handed back) in
//! `finish`, the dead-letter set and what the administrators see in `admin`, and the outbox
//! of transactional enqueues in `outbox`.

mod acks;
mod admin;
mod claim;
mod finish;
mod outbox;

use std::{
    collections::HashSet,
    sync::{Arc, atomic::AtomicI64},
    time::Duration,
};

use redis::{AsyncCommands, Script, aio::ConnectionManager};
use sea_orm::DatabaseConnection;
use tokio::sync::Mutex;

pub(super) use outbox::write_outbox;

use super::{JobRecord, Priority, now_ms, queue_error};
use crate::{Error, Result};
use admin::PURGE_DEAD;
use claim::{CLAIM, PROMOTE};

const GROUP: &str = "workers";

#[derive(Clone)]
pub struct RedisQueue {
    conn: ConnectionManager,
    prefix: Arc<str>,
    db: DatabaseConnection,
    visibility_ms: u64,
    /// Streams whose consumer group this process has made sure of.
    groups: Arc<Mutex<HashSet<String>>>,
    promote: Arc<Script>,
    claim: Arc<Script>,
    purge_dead: Arc<Script>,
    acks: acks::Acknowledger,
    /// When this process last moved due delayed jobs and looked for jobs of dead workers: both
    /// cost round trips, and a few times a second is soon enough.
    last_sweep: Arc<AtomicI64>,
}

impl RedisQueue {
    pub async fn connect(
        url: &url::Url,
        prefix: &str,
        db: DatabaseConnection,
        visibility: Duration,
    ) -> anyhow::Result<Self> {
        use anyhow::Context;

        let client = redis::Client::open(url.as_str()).context("REDIS_URL: not a Redis URL")?;
        let conn = tokio::time::timeout(Duration::from_secs(5), client.get_connection_manager())
            .await
            .context("REDIS_URL: Redis did not answer within 5s")?
            .context("REDIS_URL: cannot connect to Redis")?;
        Ok(Self {
            conn: conn.clone(),
            prefix: prefix.into(),
            db,
            visibility_ms: u64::try_from(visibility.as_millis()).unwrap_or(u64::MAX),
            groups: Arc::default(),
            promote: Arc::new(Script::new(PROMOTE)),
            claim: Arc::new(Script::new(CLAIM)),
            purge_dead: Arc::new(Script::new(PURGE_DEAD)),
            acks: acks::Acknowledger::spawn(conn.clone(), format!("{prefix}attempts")),
            last_sweep: Arc::new(AtomicI64::new(0)),
        })
    }

    pub(super) fn database(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Whether Redis answers a PING (readiness).
    pub(super) async fn ping(&self) -> Result<()> {
        let mut conn = self.conn.clone();
        redis::cmd("PING").query_async::<()>(&mut conn).await.map_err(queue_error("redis ping"))
    }

    fn key(&self, part: &str) -> String {
        format!("{}{part}", self.prefix)
    }

    fn stream_key(&self, queue: &str, priority: Priority) -> String {
        self.key(&format!("stream:{queue}:{}", priority as u8))
    }

    /// The queue a stream key belongs to.
    fn queue_of(&self, stream: &str) -> String {
        let rest = stream.strip_prefix(&self.key("stream:")).unwrap_or(stream);
        rest.rsplit_once(':').map_or(rest, |(queue, _)| queue).to_owned()
    }

    async fn ensure_group(&self, stream: &str) -> Result<()> {
        if self.groups.lock().await.contains(stream) {
            return Ok(());
        }
        let mut conn = self.conn.clone();
        let created: redis::RedisResult<()> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(stream)
            .arg(GROUP)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut conn)
            .await;
        match created {
            Ok(()) => {}
            Err(err) if err.code() == Some("BUSYGROUP") => {}
            Err(err) => return Err(queue_error("creating a consumer group")(err)),
        }
        let _: () = conn.sadd(self.key("streams"), stream).await.map_err(queue_error("registering a stream"))?;
        self.groups.lock().await.insert(stream.to_owned());
        Ok(())
    }

    pub(super) async fn push(&self, job: JobRecord, run_at: i64) -> Result<()> {
        let stream = self.stream_key(&job.queue, job.priority);
        self.ensure_group(&stream).await?;
        let json = serde_json::to_string(&job).map_err(|e| Error::Unexpected(e.into()))?;
        let mut conn = self.conn.clone();
        if run_at <= now_ms() {
            let _: String = conn.xadd(&stream, "*", &[("job", json)]).await.map_err(queue_error("enqueueing"))?;
        } else {
            let _: () = conn
                .zadd(self.key("delayed"), format!("{stream}|{json}"), run_at)
                .await
                .map_err(queue_error("scheduling a job"))?;
        }
        Ok(())
    }

    pub(super) async fn first_claim_of_tick(&self, name: &str, tick_ms: i64) -> Result<bool> {
        let mut conn = self.conn.clone();
        let set: Option<String> = redis::cmd("SET")
            .arg(self.key(&format!("tick:{name}:{tick_ms}")))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(7 * 24 * 3600 * 1000)
            .query_async(&mut conn)
            .await
            .map_err(queue_error("claiming a periodic tick"))?;
        Ok(set.is_some())
    }
}
