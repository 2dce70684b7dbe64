//! Which function runs each kind of job, registered by its type.

use std::{collections::HashMap, future::Future, pin::Pin, sync::Arc};

use crate::jobs::Job;

pub(super) type BoxFuture = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;
pub(super) type Handler = Arc<dyn Fn(serde_json::Value) -> BoxFuture + Send + Sync>;

/// Which function runs each kind of job, and what happens when one is buried.
#[derive(Clone, Default)]
pub struct Handlers {
    pub(super) by_kind: HashMap<&'static str, Handler>,
    pub(super) on_dead: HashMap<&'static str, Handler>,
}

impl Handlers {
    pub fn register<J, F, Fut>(&mut self, handler: F) -> &mut Self
    where
        J: Job,
        F: Fn(J) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.by_kind.insert(J::KIND, typed(handler));
        self
    }

    /// Runs `callback` after a job of kind `J` is buried: its last attempt failed or timed out, or
    /// its workers kept dying on it. Once per burial (a revived job buried again calls it again),
    /// so, like a handler, it must be idempotent.
    pub fn on_dead<J, F, Fut>(&mut self, callback: F) -> &mut Self
    where
        J: Job,
        F: Fn(J) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.on_dead.insert(J::KIND, typed(callback));
        self
    }
}

/// `f` as a function of the job's JSON payload.
fn typed<J, F, Fut>(f: F) -> Handler
where
    J: Job,
    F: Fn(J) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let f = Arc::new(f);
    Arc::new(move |payload| {
        let f = f.clone();
        Box::pin(async move {
            let job: J = serde_json::from_value(payload)
                .map_err(|err| anyhow::anyhow!("the payload of a {} job does not parse: {err}", J::KIND))?;
            f(job).await
        })
    })
}
