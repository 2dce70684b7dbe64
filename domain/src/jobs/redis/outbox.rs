//! Transactional enqueues: a job written to the `job_outbox` table in the caller's transaction,
//! and relayed to Redis once committed.

use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use uuid::Uuid;

use super::RedisQueue;
use crate::{Error, Result, jobs::JobRecord};

impl RedisQueue {
    /// Pushes committed outbox rows to Redis, then deletes them. A crash in between pushes a job
    /// twice: delivery is at least once anyway.
    pub(in crate::jobs) async fn relay_outbox(&self) -> Result<usize> {
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
pub(in crate::jobs) async fn write_outbox<C: ConnectionTrait>(conn: &C, job: &JobRecord, run_at: i64) -> Result<()> {
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
