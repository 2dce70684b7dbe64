//! The queue on Redis Streams. Each queue and priority is a stream read through one consumer group:
//! a delivered entry stays pending until acknowledged, and an entry pending longer than the
//! visibility timeout (its worker died) is claimed again with XAUTOCLAIM. A claim takes a batch in
//! one round trip (a Lua script reads the streams highest priority first and counts the attempts),
//! and acknowledgements travel several to a round trip (see `acks`). Delayed jobs and retries
//! wait in a sorted set that a small Lua script moves into their stream when due; buried jobs go to
//! a hash, with their burial times in a sorted set beside it (for listing oldest first and purging
//! by age). Everything lives under `smartai:jobs:`.

mod acks;

use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use redis::{AsyncCommands, Script, aio::ConnectionManager};
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, Statement};
use tokio::sync::Mutex;
use uuid::Uuid;

use super::{JobRecord, PendingJob, Priority, QueueDepth, now_ms, queue_error};
use crate::{Error, Result};

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

/// How often claims sweep for due delayed jobs and abandoned deliveries, in milliseconds.
const SWEEP_EVERY_MS: i64 = 200;

/// Moves due members of the delayed set (`<stream key>|<job json>`) into their streams.
const PROMOTE: &str = r"
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 200)
for _, member in ipairs(due) do
  local bar = string.find(member, '|', 1, true)
  redis.call('XADD', string.sub(member, 1, bar - 1), '*', 'job', string.sub(member, bar + 1))
  redis.call('ZREM', KEYS[1], member)
end
return #due
";

/// Claims up to `ARGV[3]` jobs for consumer `ARGV[2]` of group `ARGV[1]` from the streams
/// `KEYS[2..]`, taken in that order (highest priority first), and counts an attempt for each in the
/// hash `KEYS[1]`. When `ARGV[4]` is `1` it first takes back, stream by stream, deliveries pending
/// longer than `ARGV[5]` ms (their worker died). Answers `[stream, entry id, job json, attempts]`
/// per job; an entry whose job does not parse comes back with attempts `-1` (and is dropped).
const CLAIM: &str = r"
local want = tonumber(ARGV[3])
local claimed = {}
for i = 2, #KEYS do
  if want <= 0 then break end
  local stream = KEYS[i]
  local entries = {}
  if ARGV[4] == '1' then
    entries = redis.call('XAUTOCLAIM', stream, ARGV[1], ARGV[2], ARGV[5], '0-0', 'COUNT', want)[2]
  end
  if #entries < want then
    local read = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', want - #entries, 'STREAMS', stream, '>')
    if read then
      for _, entry in ipairs(read[1][2]) do table.insert(entries, entry) end
    end
  end
  for _, entry in ipairs(entries) do
    local json = ''
    local fields = entry[2]
    if type(fields) == 'table' then
      for f = 1, #fields, 2 do
        if fields[f] == 'job' then json = fields[f + 1] end
      end
    end
    local attempts = -1
    local ok, job = pcall(cjson.decode, json)
    if ok and type(job) == 'table' and type(job.id) == 'string' then
      attempts = redis.call('HINCRBY', KEYS[1], job.id, 1)
    end
    table.insert(claimed, {stream, entry[1], json, attempts})
    want = want - 1
  end
end
return claimed
";

/// The depth of `queue` in `depths`, added at zero when not there yet.
fn depth_of(depths: &mut std::collections::BTreeMap<String, QueueDepth>, queue: String) -> &mut QueueDepth {
    depths.entry(queue.clone()).or_insert_with(|| QueueDepth { queue, ..QueueDepth::default() })
}

/// Removes the dead jobs (hash `KEYS[1]`) buried before `ARGV[1]` according to their burial times
/// (sorted set `KEYS[2]`). A dead job buried before burial times were kept gets `ARGV[2]` (now) as
/// its burial time, so it goes after the retention like the others.
const PURGE_DEAD: &str = r"
local removed = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])) do
  removed = removed + redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
for _, id in ipairs(redis.call('HKEYS', KEYS[1])) do
  if not redis.call('ZSCORE', KEYS[2], id) then
    redis.call('ZADD', KEYS[2], ARGV[2], id)
  end
end
return removed
";

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

    /// Up to `count` due jobs of `queues`, highest priority first, in one round trip (two when it is
    /// time to sweep for due delayed jobs).
    pub(super) async fn claim(&self, worker: &str, queues: &[String], count: usize) -> Result<Vec<JobRecord>> {
        if count == 0 || queues.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.conn.clone();
        let now = now_ms();
        let last = self.last_sweep.load(Ordering::Relaxed);
        let sweep = now - last >= SWEEP_EVERY_MS
            && self.last_sweep.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok();
        if sweep {
            let _: i64 = self
                .promote
                .key(self.key("delayed"))
                .arg(now)
                .invoke_async(&mut conn)
                .await
                .map_err(queue_error("promoting delayed jobs"))?;
        }
        let streams: Vec<String> = queues
            .iter()
            .flat_map(|queue| Priority::ALL_HIGH_FIRST.map(|priority| self.stream_key(queue, priority)))
            .collect();
        for stream in &streams {
            self.ensure_group(stream).await?;
        }
        let mut claim = self.claim.prepare_invoke();
        claim.key(self.key("attempts"));
        for stream in &streams {
            claim.key(stream);
        }
        claim.arg(GROUP).arg(worker).arg(count).arg(u8::from(sweep)).arg(self.visibility_ms);
        let entries: Vec<(String, String, String, i64)> =
            claim.invoke_async(&mut conn).await.map_err(queue_error("claiming jobs"))?;

        let mut jobs = Vec::with_capacity(entries.len());
        let mut unreadable = redis::pipe();
        for (stream, entry_id, json, attempts) in entries {
            match serde_json::from_str::<JobRecord>(&json) {
                Ok(mut job) if attempts > 0 => {
                    job.attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
                    job.receipt = Some(format!("{stream} {entry_id}"));
                    jobs.push(job);
                }
                _ => {
                    tracing::error!(%stream, %entry_id, "dropping an unreadable job entry");
                    unreadable.xack(&stream, GROUP, &[&entry_id]).ignore().xdel(&stream, &[&entry_id]).ignore();
                }
            }
        }
        if !unreadable.is_empty() {
            let _: () = unreadable.query_async(&mut conn).await.map_err(queue_error("dropping a job"))?;
        }
        Ok(jobs)
    }

    fn receipt(job: &JobRecord) -> Result<(String, String)> {
        job.receipt
            .as_deref()
            .and_then(|r| r.split_once(' '))
            .map(|(s, e)| (s.to_owned(), e.to_owned()))
            .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("job {} was not claimed from Redis", job.id)))
    }

    pub(super) async fn complete(&self, job: &JobRecord) -> Result<()> {
        let (stream, entry) = Self::receipt(job)?;
        self.acks.acknowledge(stream, entry, job.id.to_string()).await
    }

    pub(super) async fn retry(&self, job: &JobRecord, error: &str, run_at: i64) -> Result<()> {
        let (stream, entry) = Self::receipt(job)?;
        let mut next = job.clone();
        next.last_error = Some(error.to_owned());
        let json = serde_json::to_string(&next).map_err(|e| Error::Unexpected(e.into()))?;
        let mut conn = self.conn.clone();
        let mut pipe = redis::pipe();
        pipe.atomic();
        if run_at <= now_ms() {
            pipe.xadd(&stream, "*", &[("job", json)]);
        } else {
            pipe.zadd(self.key("delayed"), format!("{stream}|{json}"), run_at);
        }
        let _: () = pipe
            .xack(&stream, GROUP, &[&entry])
            .xdel(&stream, &[&entry])
            .query_async(&mut conn)
            .await
            .map_err(queue_error("scheduling a retry"))?;
        Ok(())
    }

    pub(super) async fn bury(&self, job: &JobRecord, error: &str) -> Result<()> {
        let (stream, entry) = Self::receipt(job)?;
        let mut dead = job.clone();
        dead.last_error = Some(error.to_owned());
        let json = serde_json::to_string(&dead).map_err(|e| Error::Unexpected(e.into()))?;
        let mut conn = self.conn.clone();
        let _: () = redis::pipe()
            .atomic()
            .hset(self.key("dead"), job.id.to_string(), json)
            .zadd(self.key("dead_at"), job.id.to_string(), now_ms())
            .xack(&stream, GROUP, &[&entry])
            .xdel(&stream, &[&entry])
            .hdel(self.key("attempts"), job.id.to_string())
            .query_async(&mut conn)
            .await
            .map_err(queue_error("burying a job"))?;
        Ok(())
    }

    pub(super) async fn release(&self, job: &JobRecord) -> Result<()> {
        let (stream, entry) = Self::receipt(job)?;
        let json = serde_json::to_string(job).map_err(|e| Error::Unexpected(e.into()))?;
        let mut conn = self.conn.clone();
        let _: () = redis::pipe()
            .atomic()
            .xadd(&stream, "*", &[("job", json)])
            .xack(&stream, GROUP, &[&entry])
            .xdel(&stream, &[&entry])
            .hincr(self.key("attempts"), job.id.to_string(), -1)
            .query_async(&mut conn)
            .await
            .map_err(queue_error("handing a job back"))?;
        Ok(())
    }

    /// Oldest burial first (a job buried before burial times were kept counts as the oldest).
    pub(super) async fn dead(&self) -> Result<Vec<JobRecord>> {
        let mut conn = self.conn.clone();
        let (values, buried): (HashMap<String, String>, HashMap<String, f64>) = redis::pipe()
            .hgetall(self.key("dead"))
            .zrange_withscores(self.key("dead_at"), 0, -1)
            .query_async(&mut conn)
            .await
            .map_err(queue_error("listing dead jobs"))?;
        let mut jobs: Vec<(i64, JobRecord)> = values
            .iter()
            .filter_map(|(id, json)| {
                let buried_at = buried.get(id).map_or(0, |ms| *ms as i64);
                Some((buried_at, serde_json::from_str(json).ok()?))
            })
            .collect();
        jobs.sort_by_key(|(buried_at, job)| (*buried_at, job.id));
        Ok(jobs.into_iter().map(|(_, job)| job).collect())
    }

    pub(super) async fn revive(&self, id: Uuid) -> Result<bool> {
        let mut conn = self.conn.clone();
        let json: Option<String> =
            conn.hget(self.key("dead"), id.to_string()).await.map_err(queue_error("reading a dead job"))?;
        let Some(mut job) = json.and_then(|j| serde_json::from_str::<JobRecord>(&j).ok()) else { return Ok(false) };
        let _: () = redis::pipe()
            .atomic()
            .hdel(self.key("dead"), id.to_string())
            .zrem(self.key("dead_at"), id.to_string())
            .query_async(&mut conn)
            .await
            .map_err(queue_error("reviving a job"))?;
        job.attempts = 0;
        self.push(job, now_ms()).await?;
        Ok(true)
    }

    pub(super) async fn discard(&self, id: Uuid) -> Result<bool> {
        let mut conn = self.conn.clone();
        let (removed, _): (u32, u32) = redis::pipe()
            .atomic()
            .hdel(self.key("dead"), id.to_string())
            .zrem(self.key("dead_at"), id.to_string())
            .query_async(&mut conn)
            .await
            .map_err(queue_error("discarding a job"))?;
        Ok(removed == 1)
    }

    pub(super) async fn purge_dead(&self, age: Duration) -> Result<u64> {
        let now = now_ms();
        let before = now - i64::try_from(age.as_millis()).unwrap_or(i64::MAX / 2);
        let mut conn = self.conn.clone();
        self.purge_dead
            .key(self.key("dead"))
            .key(self.key("dead_at"))
            .arg(before)
            .arg(now)
            .invoke_async(&mut conn)
            .await
            .map_err(queue_error("purging dead jobs"))
    }

    pub(super) async fn depth(&self) -> Result<Vec<QueueDepth>> {
        let mut conn = self.conn.clone();
        let streams: Vec<String> = conn.smembers(self.key("streams")).await.map_err(queue_error("listing streams"))?;
        let mut depths: std::collections::BTreeMap<String, QueueDepth> = Default::default();
        for stream in streams {
            // Entries stay in the stream while claimed (pending), until acknowledged and deleted.
            let length: u64 = conn.xlen(&stream).await.map_err(queue_error("measuring a stream"))?;
            let pending: redis::streams::StreamPendingReply =
                conn.xpending(&stream, GROUP).await.map_err(queue_error("counting claimed jobs"))?;
            let running = u64::try_from(pending.count()).unwrap_or_default();
            let depth = depth_of(&mut depths, self.queue_of(&stream));
            depth.running += running;
            depth.ready += length.saturating_sub(running);
        }
        let delayed: Vec<String> =
            conn.zrange(self.key("delayed"), 0, -1).await.map_err(queue_error("listing delayed jobs"))?;
        for member in delayed {
            if let Some((stream, _)) = member.split_once('|') {
                depth_of(&mut depths, self.queue_of(stream)).delayed += 1;
            }
        }
        Ok(depths.into_values().filter(|d| d.waiting() > 0).collect())
    }

    pub(super) async fn pending(&self, limit: usize) -> Result<Vec<PendingJob>> {
        let mut conn = self.conn.clone();
        let mut pending = Vec::new();
        let streams: Vec<String> = conn.smembers(self.key("streams")).await.map_err(queue_error("listing streams"))?;
        for stream in streams {
            if pending.len() >= limit {
                break;
            }
            let claimed: redis::streams::StreamPendingCountReply = conn
                .xpending_count(&stream, GROUP, "-", "+", limit - pending.len())
                .await
                .map_err(queue_error("listing claimed jobs"))?;
            for entry in claimed.ids {
                let read: redis::streams::StreamRangeReply =
                    conn.xrange(&stream, &entry.id, &entry.id).await.map_err(queue_error("reading a claimed job"))?;
                let json = read.ids.first().and_then(|e| e.get::<String>("job"));
                if let Some(job) = json.and_then(|json| serde_json::from_str::<JobRecord>(&json).ok()) {
                    pending.push(PendingJob { job, running: true, due_at: None });
                }
            }
        }
        let last = isize::try_from(limit).unwrap_or(isize::MAX) - 1;
        let delayed: Vec<(String, f64)> =
            conn.zrange_withscores(self.key("delayed"), 0, last).await.map_err(queue_error("listing delayed jobs"))?;
        for (member, due) in delayed {
            let job = member.split_once('|').and_then(|(_, json)| serde_json::from_str::<JobRecord>(json).ok());
            if let Some(job) = job {
                pending.push(PendingJob { job, running: false, due_at: Some(super::at_ms(due as i64)) });
            }
        }
        Ok(pending)
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

    /// Pushes committed outbox rows to Redis, then deletes them. A crash in between pushes a job
    /// twice: delivery is at least once anyway.
    pub(super) async fn relay_outbox(&self) -> Result<usize> {
        #[derive(FromQueryResult)]
        struct Pending {
            id: Uuid,
            job: String,
            run_at: i64,
        }
        let backend = self.db.get_database_backend();
        let rows = Pending::find_by_statement(Statement::from_string(
            backend,
            "SELECT id, job, run_at FROM job_outbox ORDER BY id LIMIT 100",
        ))
        .all(&self.db)
        .await?;
        for row in &rows {
            if let Ok(job) = serde_json::from_str::<JobRecord>(&row.job) {
                self.push(job, row.run_at).await?;
            }
            let sql = if backend == sea_orm::DatabaseBackend::Postgres {
                "DELETE FROM job_outbox WHERE id = $1"
            } else {
                "DELETE FROM job_outbox WHERE id = ?"
            };
            self.db.execute(Statement::from_sql_and_values(backend, sql, [row.id.into()])).await?;
        }
        Ok(rows.len())
    }
}

/// Writes a job to the outbox inside the caller's transaction.
pub(super) async fn write_outbox<C: ConnectionTrait>(conn: &C, job: &JobRecord, run_at: i64) -> Result<()> {
    let backend = conn.get_database_backend();
    let sql = if backend == sea_orm::DatabaseBackend::Postgres {
        "INSERT INTO job_outbox (id, job, run_at) VALUES ($1, $2, $3)"
    } else {
        "INSERT INTO job_outbox (id, job, run_at) VALUES (?, ?, ?)"
    };
    let json = serde_json::to_string(job).map_err(|e| Error::Unexpected(e.into()))?;
    conn.execute(Statement::from_sql_and_values(backend, sql, [job.id.into(), json.into(), run_at.into()])).await?;
    Ok(())
}
