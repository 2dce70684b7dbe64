//! Periodic jobs: enqueued once per tick of a cron schedule, by whichever worker claims the tick
//! first.

use std::{collections::HashMap, str::FromStr, sync::Arc, time::Duration};

use tokio::sync::watch;

use crate::jobs::{NewJob, Queue};

/// A job enqueued on a cron schedule (six fields, seconds first: `0 0 3 * * *` is 03:00 UTC daily).
#[derive(Clone)]
pub struct Periodic {
    pub name: String,
    pub schedule: cron::Schedule,
    pub job: Arc<dyn Fn() -> NewJob + Send + Sync>,
}

impl Periodic {
    pub fn new(name: &str, cron: &str, job: impl Fn() -> NewJob + Send + Sync + 'static) -> anyhow::Result<Self> {
        let schedule = cron::Schedule::from_str(cron).map_err(|e| anyhow::anyhow!("cron `{cron}` of {name}: {e}"))?;
        Ok(Self { name: name.to_owned(), schedule, job: Arc::new(job) })
    }
}

/// Enqueues each periodic job once per tick of its schedule.
pub(super) async fn schedule(queue: Queue, periodic: Vec<Periodic>, mut stop: watch::Receiver<bool>) {
    let mut last: HashMap<String, chrono::DateTime<chrono::Utc>> =
        periodic.iter().map(|p| (p.name.clone(), chrono::Utc::now())).collect();
    loop {
        let now = chrono::Utc::now();
        for p in &periodic {
            let since = last[&p.name];
            // Every tick between the last look and now, usually zero or one.
            for tick in p.schedule.after(&since).take_while(|t| *t <= now) {
                match queue.first_claim_of_tick(&p.name, tick.timestamp_millis()).await {
                    Ok(true) => {
                        if let Err(err) = queue.enqueue((p.job)()).await {
                            tracing::warn!(error = %err, name = %p.name, "could not enqueue a periodic job");
                        }
                    }
                    Ok(false) => {}
                    Err(err) => tracing::warn!(error = %err, name = %p.name, "could not claim a periodic tick"),
                }
            }
            last.insert(p.name.clone(), now);
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(250)) => {}
            _ = stop.changed() => return,
        }
    }
}
