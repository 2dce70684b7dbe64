//! The claim loops: each takes the free slots and claims at most that many jobs at once.

use std::{sync::Arc, time::Duration};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};

use super::{WorkerOptions, release, stopping};
use crate::jobs::{JobRecord, Queue};

/// One claim loop: waits for a free slot, takes every other free one, claims that many jobs at
/// most, and sends each with its slot to be started.
pub(super) async fn claim(
    queue: Queue,
    options: WorkerOptions,
    slots: Arc<Semaphore>,
    to_start: mpsc::UnboundedSender<(JobRecord, OwnedSemaphorePermit)>,
    mut stop: watch::Receiver<bool>,
) {
    let mut idle = Duration::from_millis(10);
    while !stopping(&stop) {
        let first = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            _ = stop.changed() => continue,
        };
        let Ok(first) = first else { return };
        let mut free = vec![first];
        while let Ok(slot) = slots.clone().try_acquire_owned() {
            free.push(slot);
        }
        let pause = match queue.claim_batch(&options.id, &options.queues, free.len()).await {
            Ok(jobs) if !jobs.is_empty() => {
                idle = Duration::from_millis(10);
                for job in jobs {
                    // (A batch is never larger than the slots asked for.)
                    let Some(slot) = free.pop() else {
                        release(&queue, &job, "handed a claimed job back unstarted").await;
                        continue;
                    };
                    if let Err(mpsc::error::SendError((job, _))) = to_start.send((job, slot)) {
                        release(&queue, &job, "handed a claimed job back unstarted").await;
                    }
                }
                continue;
            }
            Ok(_) => {
                let pause = idle;
                idle = (idle * 2).min(options.max_idle_poll);
                pause
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not claim jobs; retrying shortly");
                options.max_idle_poll
            }
        };
        drop(free);
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            _ = stop.changed() => {}
        }
    }
}
