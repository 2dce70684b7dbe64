//! Claiming a batch of due jobs in one round trip, highest priority first, and now and then
//! moving due delayed jobs into their streams and taking back the deliveries of dead workers.

use std::sync::atomic::Ordering;

use super::{GROUP, RedisQueue};
use crate::{
    Result,
    jobs::{JobRecord, Priority, now_ms, queue_error},
};

/// How often claims sweep for due delayed jobs and abandoned deliveries, in milliseconds.
const SWEEP_EVERY_MS: i64 = 200;

/// Moves due members of the delayed set (`<stream key>|<job json>`) into their streams.
pub(super) const PROMOTE: &str = r"
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
pub(super) const CLAIM: &str = r"
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

impl RedisQueue {
    /// Up to `count` due jobs of `queues`, highest priority first, in one round trip (two when it is
    /// time to sweep for due delayed jobs).
    pub(in crate::jobs) async fn claim(&self, worker: &str, queues: &[String], count: usize) -> Result<Vec<JobRecord>> {
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
}
