//! The queue as a table of the SQL database: the embedded default. A claim is one statement that
//! picks a batch of the best due jobs and leases them (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
//! workers never wait on each other nor take the same job; SQLite runs one writer at a time
//! anyway). A lease that runs out (its worker died) makes the job claimable again.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, FromQueryResult, Statement, Value};
use uuid::Uuid;

use super::{JobRecord, PendingJob, Priority, QueueDepth, now_ms};
use crate::Result;

#[derive(Clone)]
pub struct SqlQueue {
    db: DatabaseConnection,
    visibility_ms: i64,
}

#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    queue: String,
    kind: String,
    payload: String,
    priority: i16,
    attempts: i32,
    max_attempts: i32,
    timeout_ms: i64,
    last_error: Option<String>,
    request_id: Option<String>,
    traceparent: Option<String>,
    created_at: i64,
    /// When it is due (when buried, for a dead job): orders a claimed batch.
    run_at: i64,
}

impl From<Row> for JobRecord {
    fn from(r: Row) -> Self {
        JobRecord {
            id: r.id,
            queue: r.queue,
            kind: r.kind,
            payload: serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null),
            priority: Priority::from_i16(r.priority),
            attempts: u32::try_from(r.attempts).unwrap_or_default(),
            max_attempts: u32::try_from(r.max_attempts).unwrap_or(1),
            timeout_ms: u64::try_from(r.timeout_ms).unwrap_or_default(),
            request_id: r.request_id,
            traceparent: r.traceparent,
            last_error: r.last_error,
            created_at: r.created_at,
            receipt: None,
        }
    }
}

const COLUMNS: &str = "id, queue, kind, payload, priority, attempts, max_attempts, timeout_ms, last_error, request_id, \
                       traceparent, created_at, run_at";

impl SqlQueue {
    pub fn new(db: DatabaseConnection, visibility_timeout: Duration) -> Self {
        Self { db, visibility_ms: i64::try_from(visibility_timeout.as_millis()).unwrap_or(i64::MAX / 4) }
    }

    pub(super) fn database(&self) -> &DatabaseConnection {
        &self.db
    }

    fn backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    /// `?` on SQLite, `$n` on PostgreSQL.
    fn sql(&self, template: &str) -> String {
        match self.backend() {
            DatabaseBackend::Postgres => {
                let mut n = 0;
                template
                    .chars()
                    .map(|c| {
                        if c == '?' {
                            n += 1;
                            format!("${n}")
                        } else {
                            c.to_string()
                        }
                    })
                    .collect()
            }
            _ => template.to_owned(),
        }
    }

    async fn exec(&self, template: &str, values: Vec<Value>) -> Result<u64> {
        let statement = Statement::from_sql_and_values(self.backend(), self.sql(template), values);
        Ok(self.db.execute(statement).await?.rows_affected())
    }

    pub(super) async fn insert<C: ConnectionTrait>(&self, conn: &C, job: &JobRecord, run_at: i64) -> Result<()> {
        let template = "INSERT INTO jobs (id, queue, kind, payload, priority, state, attempts, max_attempts, \
                        timeout_ms, run_at, request_id, traceparent, created_at) \
                        VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)";
        let values: Vec<Value> = vec![
            job.id.into(),
            job.queue.clone().into(),
            job.kind.clone().into(),
            job.payload.to_string().into(),
            (job.priority as i16).into(),
            i32::try_from(job.attempts).unwrap_or(i32::MAX).into(),
            i32::try_from(job.max_attempts).unwrap_or(i32::MAX).into(),
            i64::try_from(job.timeout_ms).unwrap_or(i64::MAX).into(),
            run_at.into(),
            job.request_id.clone().into(),
            job.traceparent.clone().into(),
            job.created_at.into(),
        ];
        conn.execute(Statement::from_sql_and_values(conn.get_database_backend(), self.sql(template), values)).await?;
        Ok(())
    }

    pub(super) async fn push(&self, job: JobRecord, run_at: i64) -> Result<()> {
        self.insert(&self.db, &job, run_at).await
    }

    pub(super) async fn claim(&self, worker: &str, queues: &[String], count: usize) -> Result<Vec<JobRecord>> {
        if count == 0 || queues.is_empty() {
            return Ok(Vec::new());
        }
        let now = now_ms();
        let placeholders = vec!["?"; queues.len()].join(", ");
        let due = format!(
            "SELECT id FROM jobs WHERE queue IN ({placeholders}) \
               AND ((state = 'queued' AND run_at <= ?) OR (state = 'running' AND locked_until < ?)) \
             ORDER BY priority DESC, run_at, id LIMIT ?"
        );
        let lease = "SET state = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?";
        // PostgreSQL: the rows are locked once, by the materialised CTE, skipping those another
        // claim holds. SQLite: one writer at a time, so the subquery sees no competitor.
        let template = match self.backend() {
            DatabaseBackend::Postgres => format!(
                "WITH due AS ({due} FOR UPDATE SKIP LOCKED) \
                 UPDATE jobs {lease} FROM due WHERE jobs.id = due.id RETURNING {}",
                COLUMNS.split(", ").map(|c| format!("jobs.{c}")).collect::<Vec<_>>().join(", ")
            ),
            _ => format!("UPDATE jobs {lease} WHERE id IN ({due}) RETURNING {COLUMNS}"),
        };
        let mut picked: Vec<Value> = queues.iter().map(|q| Value::from(q.clone())).collect();
        picked.extend([now.into(), now.into(), i64::try_from(count).unwrap_or(i64::MAX).into()]);
        let leased: [Value; 2] = [worker.into(), (now + self.visibility_ms).into()];
        let values: Vec<Value> = match self.backend() {
            DatabaseBackend::Postgres => picked.into_iter().chain(leased).collect(),
            _ => leased.into_iter().chain(picked).collect(),
        };
        let statement = Statement::from_sql_and_values(self.backend(), self.sql(&template), values);
        let mut rows = Row::find_by_statement(statement).all(&self.db).await?;
        // RETURNING keeps no order.
        rows.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.run_at.cmp(&b.run_at)).then(a.id.cmp(&b.id)));
        Ok(rows.into_iter().map(JobRecord::from).collect())
    }

    pub(super) async fn complete(&self, job: &JobRecord) -> Result<()> {
        self.exec("DELETE FROM jobs WHERE id = ?", vec![job.id.into()]).await?;
        Ok(())
    }

    pub(super) async fn retry(&self, job: &JobRecord, error: &str, run_at: i64) -> Result<()> {
        self.exec(
            "UPDATE jobs SET state = 'queued', run_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL \
             WHERE id = ?",
            vec![run_at.into(), error.into(), job.id.into()],
        )
        .await?;
        Ok(())
    }

    pub(super) async fn bury(&self, job: &JobRecord, error: &str) -> Result<()> {
        self.exec(
            "UPDATE jobs SET state = 'dead', last_error = ?, locked_by = NULL, locked_until = NULL, run_at = ? \
             WHERE id = ?",
            vec![error.into(), now_ms().into(), job.id.into()],
        )
        .await?;
        Ok(())
    }

    pub(super) async fn release(&self, job: &JobRecord) -> Result<()> {
        self.exec(
            "UPDATE jobs SET state = 'queued', attempts = attempts - 1, locked_by = NULL, locked_until = NULL \
             WHERE id = ? AND state = 'running'",
            vec![job.id.into()],
        )
        .await?;
        Ok(())
    }

    pub(super) async fn dead(&self) -> Result<Vec<JobRecord>> {
        let template = format!("SELECT {COLUMNS} FROM jobs WHERE state = 'dead' ORDER BY run_at, id");
        let statement = Statement::from_string(self.backend(), template);
        Ok(Row::find_by_statement(statement).all(&self.db).await?.into_iter().map(JobRecord::from).collect())
    }

    pub(super) async fn revive(&self, id: Uuid) -> Result<bool> {
        let revived = self
            .exec(
                "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ? WHERE id = ? AND state = 'dead'",
                vec![now_ms().into(), id.into()],
            )
            .await?;
        Ok(revived == 1)
    }

    pub(super) async fn discard(&self, id: Uuid) -> Result<bool> {
        Ok(self.exec("DELETE FROM jobs WHERE id = ? AND state = 'dead'", vec![id.into()]).await? == 1)
    }

    pub(super) async fn depth(&self) -> Result<Vec<QueueDepth>> {
        #[derive(FromQueryResult)]
        struct Depth {
            queue: String,
            ready: i64,
            delayed: i64,
            running: i64,
        }
        let template = "SELECT queue, \
                SUM(CASE WHEN state = 'queued' AND run_at <= ? THEN 1 ELSE 0 END) AS ready, \
                SUM(CASE WHEN state = 'queued' AND run_at > ? THEN 1 ELSE 0 END) AS delayed, \
                SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END) AS running \
             FROM jobs WHERE state <> 'dead' GROUP BY queue ORDER BY queue";
        let now = now_ms();
        let statement = Statement::from_sql_and_values(self.backend(), self.sql(template), [now.into(), now.into()]);
        let rows = Depth::find_by_statement(statement).all(&self.db).await?;
        let count = |n: i64| u64::try_from(n).unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|d| QueueDepth {
                queue: d.queue,
                ready: count(d.ready),
                delayed: count(d.delayed),
                running: count(d.running),
            })
            .collect())
    }

    pub(super) async fn pending(&self, limit: usize) -> Result<Vec<PendingJob>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let now = now_ms();
        let running = format!("SELECT {COLUMNS} FROM jobs WHERE state = 'running' ORDER BY run_at, id LIMIT ?");
        let waiting =
            format!("SELECT {COLUMNS} FROM jobs WHERE state = 'queued' AND run_at > ? ORDER BY run_at, id LIMIT ?");
        let mut pending = Vec::new();
        for (template, values, running) in
            [(running, vec![limit.into()], true), (waiting, vec![now.into(), limit.into()], false)]
        {
            let statement = Statement::from_sql_and_values(self.backend(), self.sql(&template), values);
            for row in Row::find_by_statement(statement).all(&self.db).await? {
                let due_at = (!running).then(|| super::at_ms(row.run_at));
                pending.push(PendingJob { job: row.into(), running, due_at });
            }
        }
        Ok(pending)
    }

    pub(super) async fn first_claim_of_tick(&self, name: &str, tick_ms: i64) -> Result<bool> {
        let template = match self.backend() {
            DatabaseBackend::Postgres => "INSERT INTO job_ticks (name, tick) VALUES (?, ?) ON CONFLICT DO NOTHING",
            _ => "INSERT OR IGNORE INTO job_ticks (name, tick) VALUES (?, ?)",
        };
        Ok(self.exec(template, vec![name.into(), tick_ms.into()]).await? == 1)
    }

    pub(super) async fn purge_dead(&self, age: Duration) -> Result<u64> {
        let before = now_ms() - i64::try_from(age.as_millis()).unwrap_or(i64::MAX / 2);
        self.exec("DELETE FROM jobs WHERE state = 'dead' AND run_at < ?", vec![before.into()]).await
    }

    pub(super) async fn purge_ticks(&self, age: Duration) -> Result<u64> {
        let before = now_ms() - i64::try_from(age.as_millis()).unwrap_or(i64::MAX / 2);
        self.exec("DELETE FROM job_ticks WHERE tick < ?", vec![before.into()]).await
    }
}
