//! Live events for users' open pages. Each instance keeps a broadcast channel for its own
//! listeners; with Redis configured, every event goes through one pub/sub channel first, so a
//! user connected to any instance hears what happened on any other.

use std::time::Duration;

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

#[derive(Clone)]
pub struct Events {
    local: broadcast::Sender<UserEvent>,
    redis: Option<(redis::aio::ConnectionManager, String)>,
}

impl Events {
    /// Events within this process only.
    pub fn local() -> Self {
        Self { local: broadcast::channel(1024).0, redis: None }
    }

    /// Events fanned out through Redis pub/sub to every instance; a background task relays what
    /// arrives to this instance's listeners and resubscribes after a lost connection.
    pub async fn redis(url: &url::Url, prefix: &str) -> anyhow::Result<Self> {
        use anyhow::Context;

        let client = redis::Client::open(url.as_str()).context("REDIS_URL: not a Redis URL")?;
        let publisher = client.get_connection_manager().await.context("REDIS_URL: cannot connect to Redis")?;
        let channel = format!("{prefix}events");
        let events = Self { local: broadcast::channel(1024).0, redis: Some((publisher, channel.clone())) };
        let local = events.local.clone();
        tokio::spawn(async move {
            loop {
                match client.get_async_pubsub().await {
                    Ok(mut pubsub) => {
                        if pubsub.subscribe(&channel).await.is_ok() {
                            let mut messages = pubsub.on_message();
                            while let Some(message) = messages.next().await {
                                let payload: String = message.get_payload().unwrap_or_default();
                                if let Ok(event) = serde_json::from_str::<UserEvent>(&payload) {
                                    let _ = local.send(event);
                                }
                            }
                        }
                    }
                    Err(err) => tracing::warn!(error = %err, "event subscription lost; reconnecting"),
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        Ok(events)
    }

    pub fn publish(&self, event: UserEvent) {
        match &self.redis {
            Some((conn, channel)) => {
                let (mut conn, channel) = (conn.clone(), channel.clone());
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
}
