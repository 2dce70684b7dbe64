//! Live events for users' open pages. Each instance keeps a broadcast channel for its own
//! listeners; with Redis configured, every event goes through one pub/sub channel first, so a
//! user connected to any instance hears what happened on any other.
//!
//! The same way, [`Forget`] tells every instance to drop what it cached about a session or a user
//! (the session cache, `sessions::cache`): sign-out, a password or role change must take effect
//! everywhere at once.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

/// Something a user's open pages should know at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEvent {
    pub user_id: Uuid,
    /// Unread notifications after the change.
    pub unread: u64,
}

/// What every instance must stop trusting from its caches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Forget {
    /// One session (by its stored id) ended.
    Session(String),
    /// Something about the user changed: their account, role, password or sessions.
    User(Uuid),
    /// An administrator changed a feature flag.
    Flags,
    /// Everything: sent by this process itself when its subscription (re)starts, since what was
    /// published while it was down never arrived.
    All,
}

#[derive(Clone)]
pub struct Events {
    local: broadcast::Sender<UserEvent>,
    forgets: broadcast::Sender<Forget>,
    redis: Option<(redis::aio::ConnectionManager, String)>,
    /// Whether this instance hears what the others publish (always, without Redis).
    listening: Arc<AtomicBool>,
}

impl Events {
    /// Events within this process only.
    pub fn local() -> Self {
        Self {
            local: broadcast::channel(1024).0,
            forgets: broadcast::channel(1024).0,
            redis: None,
            listening: Arc::new(AtomicBool::new(true)),
        }
    }

    /// Events fanned out through Redis pub/sub to every instance; a background task relays what
    /// arrives to this instance's listeners and resubscribes after a lost connection.
    pub async fn redis(url: &url::Url, prefix: &str) -> anyhow::Result<Self> {
        use anyhow::Context;

        let client = redis::Client::open(url.as_str()).context("REDIS_URL: not a Redis URL")?;
        let publisher = client.get_connection_manager().await.context("REDIS_URL: cannot connect to Redis")?;
        let channel = format!("{prefix}events");
        let forget_channel = format!("{prefix}forget");
        let events = Self {
            local: broadcast::channel(1024).0,
            forgets: broadcast::channel(1024).0,
            redis: Some((publisher, prefix.to_owned())),
            listening: Arc::new(AtomicBool::new(false)),
        };
        let (local, forgets, listening) = (events.local.clone(), events.forgets.clone(), events.listening.clone());
        tokio::spawn(async move {
            loop {
                match client.get_async_pubsub().await {
                    Ok(mut pubsub) => {
                        if pubsub.subscribe(vec![channel.clone(), forget_channel.clone()]).await.is_ok() {
                            listening.store(true, Ordering::SeqCst);
                            let _ = forgets.send(Forget::All);
                            let mut messages = pubsub.on_message();
                            while let Some(message) = messages.next().await {
                                let payload: String = message.get_payload().unwrap_or_default();
                                if message.get_channel_name() == forget_channel {
                                    if let Ok(forget) = serde_json::from_str::<Forget>(&payload) {
                                        let _ = forgets.send(forget);
                                    }
                                } else if let Ok(event) = serde_json::from_str::<UserEvent>(&payload) {
                                    let _ = local.send(event);
                                }
                            }
                        }
                    }
                    Err(err) => tracing::warn!(error = %err, "event subscription lost; reconnecting"),
                }
                listening.store(false, Ordering::SeqCst);
                let _ = forgets.send(Forget::All);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        Ok(events)
    }

    pub fn publish(&self, event: UserEvent) {
        match &self.redis {
            Some((conn, prefix)) => {
                let (mut conn, channel) = (conn.clone(), format!("{prefix}events"));
                tokio::spawn(async move {
                    let payload = serde_json::to_string(&event).unwrap_or_default();
                    let sent: redis::RedisResult<i64> =
                        redis::cmd("PUBLISH").arg(channel).arg(payload).query_async(&mut conn).await;
                    if let Err(err) = sent {
                        tracing::warn!(error = %err, "could not publish a live event");
                    }
                });
            }
            None => {
                let _ = self.local.send(event);
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<UserEvent> {
        self.local.subscribe()
    }

    /// Tells this instance, and with Redis every other, to drop what it cached about `what`.
    /// Returns once Redis has the message (the change is then final for every instance that
    /// listens; one that does not listen right now trusts no cache).
    pub async fn forget(&self, what: Forget) {
        let _ = self.forgets.send(what.clone());
        if let Some((conn, prefix)) = &self.redis {
            let payload = serde_json::to_string(&what).unwrap_or_default();
            let sent: redis::RedisResult<i64> =
                redis::cmd("PUBLISH").arg(format!("{prefix}forget")).arg(payload).query_async(&mut conn.clone()).await;
            if let Err(err) = sent {
                tracing::error!(error = %err, ?what, "could not tell the other instances to forget a cached session");
            }
        }
    }

    /// What to forget, as it is published (by this process and, with Redis, every other).
    pub fn forgets(&self) -> broadcast::Receiver<Forget> {
        self.forgets.subscribe()
    }

    /// Whether this instance hears every [`Forget`] (without Redis: always; with it, while its
    /// subscription is up).
    pub fn listening(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }
}
