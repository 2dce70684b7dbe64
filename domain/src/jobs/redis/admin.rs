//! The dead-letter set (listing, reviving, discarding, purging by age) and what the queues hold,
//! for the administrators.

use std::{collections::HashMap, time::Duration};

use redis::AsyncCommands;
use uuid::Uuid;

use super::{GROUP, RedisQueue};
use crate::{
    Result,
    jobs::{JobRecord, PendingJob, QueueDepth, at_ms, now_ms, queue_error},
};

/// The depth of `queue` in `depths`, added at zero when not there yet.
fn depth_of(depths: &mut std::collections::BTreeMap<String, QueueDepth>, queue: String) -> &mut QueueDepth {
    depths.entry(queue.clone()).or_insert_with(|| QueueDepth { queue, ..QueueDepth::default() })
}

/// Removes the dead jobs (hash `KEYS[1]`) buried before `ARGV[1]` according to their burial times
/// (sorted set `KEYS[2]`). A dead job buried before burial times were kept gets `ARGV[2]` (now) as
/// its burial time, so it goes after the retention like the others.
pub(super) const PURGE_DEAD: &str = r"
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
    /// Oldest burial first (a job buried before burial times were kept counts as the oldest).
    pub(in crate::jobs) async fn dead(&self) -> Result<Vec<JobRecord>> {
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

    pub(in crate::jobs) async fn revive(&self, id: Uuid) -> Result<bool> {
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

    pub(in crate::jobs) async fn discard(&self, id: Uuid) -> Result<bool> {
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

    pub(in crate::jobs) async fn purge_dead(&self, age: Duration) -> Result<u64> {
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

    pub(in crate::jobs) async fn depth(&self) -> Result<Vec<QueueDepth>> {
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

    pub(in crate::jobs) async fn pending(&self, limit: usize) -> Result<Vec<PendingJob>> {
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
                pending.push(PendingJob { job, running: false, due_at: Some(at_ms(due as i64)) });
            }
        }
        Ok(pending)
    }
}
