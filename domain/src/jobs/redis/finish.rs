//! Finishing a claimed delivery: acknowledged once done, put back for a retry, buried in the
//! dead-letter set, or handed back untouched.

use super::{GROUP, RedisQueue};
use crate::{
    Error, Result,
    jobs::{JobRecord, now_ms, queue_error},
};

impl RedisQueue {
    fn receipt(job: &JobRecord) -> Result<(String, String)> {
        job.receipt
            .as_deref()
            .and_then(|r| r.split_once(' '))
            .map(|(s, e)| (s.to_owned(), e.to_owned()))
            .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("job {} was not claimed from Redis", job.id)))
    }

    pub(in crate::jobs) async fn complete(&self, job: &JobRecord) -> Result<()> {
        let (stream, entry) = Self::receipt(job)?;
        self.acks.acknowledge(stream, entry, job.id.to_string()).await
    }

    pub(in crate::jobs) async fn retry(&self, job: &JobRecord, error: &str, run_at: i64) -> Result<()> {
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

    pub(in crate::jobs) async fn bury(&self, job: &JobRecord, error: &str) -> Result<()> {
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

    pub(in crate::jobs) async fn release(&self, job: &JobRecord) -> Result<()> {
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
}
