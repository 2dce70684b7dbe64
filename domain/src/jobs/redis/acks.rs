//! Acknowledgements of finished jobs, several to a round trip. A job's task asks to acknowledge it
//! once its handler has finished and waits for the answer; one task per queue sends whatever has
//! gathered meanwhile as one transaction (XACK and XDEL per stream, HDEL of the attempt counts).
//! Nothing waits on purpose: a lone acknowledgement goes at once, and the acknowledgements that
//! arrive while one round trip is under way make up the next.

use std::collections::BTreeMap;

use redis::aio::ConnectionManager;
use tokio::sync::{mpsc, oneshot};

use super::GROUP;
use crate::{Error, Result};

/// The most acknowledgements sent in one round trip.
const MAX_BATCH: usize = 512;

struct Ack {
    stream: String,
    entry: String,
    job_id: String,
    done: oneshot::Sender<std::result::Result<(), String>>,
}

/// Hands acknowledgements to the task that sends them; the task ends with the last clone.
#[derive(Clone)]
pub(super) struct Acknowledger {
    pending: mpsc::UnboundedSender<Ack>,
}

impl Acknowledger {
    /// Starts the sending task on the current Tokio runtime.
    pub(super) fn spawn(conn: ConnectionManager, attempts_key: String) -> Self {
        let (pending, received) = mpsc::unbounded_channel();
        tokio::spawn(send_batches(conn, attempts_key, received));
        Self { pending }
    }

    /// Removes the delivery `entry` of `stream` and the attempt count of the job; returns once Redis
    /// has done so.
    pub(super) async fn acknowledge(&self, stream: String, entry: String, job_id: String) -> Result<()> {
        let (done, answer) = oneshot::channel();
        self.pending.send(Ack { stream, entry, job_id, done }).map_err(|_| stopped())?;
        answer
            .await
            .map_err(|_| stopped())?
            .map_err(|err| Error::from(anyhow::anyhow!(err).context("acknowledging a job")))
    }
}

fn stopped() -> Error {
    Error::Unexpected(anyhow::anyhow!("the task acknowledging jobs has stopped"))
}

async fn send_batches(mut conn: ConnectionManager, attempts_key: String, mut received: mpsc::UnboundedReceiver<Ack>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while received.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut by_stream: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for ack in &batch {
            by_stream.entry(&ack.stream).or_default().push(&ack.entry);
        }
        let mut pipe = redis::pipe();
        pipe.atomic();
        for (stream, entries) in &by_stream {
            pipe.xack(stream, GROUP, entries).ignore().xdel(stream, entries).ignore();
        }
        pipe.hdel(&attempts_key, batch.iter().map(|ack| ack.job_id.as_str()).collect::<Vec<_>>()).ignore();
        let sent: std::result::Result<(), String> = pipe.query_async(&mut conn).await.map_err(|err| err.to_string());
        for ack in batch.drain(..) {
            // The job's task may be gone (aborted at shutdown); the acknowledgement stands anyway.
            let _ = ack.done.send(sent.clone());
        }
    }
}
