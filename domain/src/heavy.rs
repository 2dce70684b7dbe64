//! Heavy decodes (a PDF's text, an image's pixels, a user's search index) run on blocking threads,
//! a few at a time. Each holds a permit of one process-wide semaphore sized from the CPU count for
//! as long as its thread works: a flood of uploads, avatars or questions queues here instead of
//! running dozens of decoders at once, each with its own memory. The permit travels into the
//! blocking closure, so a decode whose caller gave up (a job timeout, a closed request) keeps its
//! slot until its thread really ends: abandoned work cannot pile up beyond the limit either.
//!
//! Such work frees tens of MiB at once (a password hash alone takes 19 MiB), which an allocator
//! like mimalloc keeps for reuse: an idle process sat on 19 MiB more for each sign-up that had
//! run at the same moment. So it ends by giving freed memory back to the operating system, in
//! whatever way the binary, which chose the allocator, set with [`on_memory_freed`].

use std::sync::{Arc, LazyLock, OnceLock};

use tokio::sync::Semaphore;

/// Heavy decodes running at once in this process: one per CPU, at least two.
pub static SLOTS: LazyLock<usize> =
    LazyLock::new(|| std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get).max(2));

static PERMITS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(*SLOTS)));

static RELEASE_MEMORY: OnceLock<fn()> = OnceLock::new();

/// Sets how heavy work gives freed memory back to the operating system (once per process; the
/// allocator's own call, e.g. mimalloc's `mi_collect`). Without it, nothing is done.
pub fn on_memory_freed(release: fn()) {
    let _ = RELEASE_MEMORY.set(release);
}

/// Gives freed memory back to the operating system, if the binary said how.
pub fn release_memory() {
    if let Some(release) = RELEASE_MEMORY.get() {
        release();
    }
}

/// Runs `work` on a blocking thread once a slot is free. A panic in `work` comes back as the
/// `JoinError` (the slot is freed all the same).
pub async fn run<T, F>(work: F) -> Result<T, tokio::task::JoinError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let permit = PERMITS.clone().acquire_owned().await.expect("the semaphore of heavy work is never closed");
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let done = work();
        release_memory();
        done
    })
    .await
}

/// Slots free right now (for tests and metrics).
pub fn available() -> usize {
    PERMITS.available_permits()
}

#[cfg(test)]
mod tests {
    use std::{
        sync::atomic::{AtomicUsize, Ordering},
        time::Duration,
    };

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_than_the_slots_run_at_once() {
        static RUNNING: AtomicUsize = AtomicUsize::new(0);
        static MOST: AtomicUsize = AtomicUsize::new(0);
        let tasks: Vec<_> = (0..*SLOTS * 3)
            .map(|_| {
                tokio::spawn(run(|| {
                    let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
                    MOST.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    RUNNING.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert!(MOST.load(Ordering::SeqCst) <= *SLOTS, "{} ran at once", MOST.load(Ordering::SeqCst));
        assert_eq!(available(), *SLOTS);
    }
}
