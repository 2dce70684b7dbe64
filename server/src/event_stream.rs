//! `GET /events`: a server-sent event stream of the signed-in user's live events (the unread
//! count, first at once, then on every change). It ends when the server starts shutting down, so
//! open pages never hold a shutdown up; browsers reconnect by themselves.

use std::{convert::Infallible, time::Duration};

use axum::{
    Extension,
    extract::State,
    http::StatusCode,
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use domain::{Actor, Services, events::UserEvent};
use futures_util::{StreamExt, stream};
use tokio::sync::{broadcast, watch};

/// Turns true when the server starts shutting down.
#[derive(Clone)]
pub struct Stopping(pub watch::Receiver<bool>);

pub async fn stream(
    State(services): State<Services>,
    State(Stopping(mut stopping)): State<Stopping>,
    Extension(actor): Extension<Actor>,
) -> Response {
    let Ok(user) = actor.user_id() else { return StatusCode::UNAUTHORIZED.into_response() };
    // Subscribe before counting, so no change falls between the two.
    let receiver = services.notifications.events().subscribe();
    let unread = services.notifications.unread(&actor).await.unwrap_or_default();
    let first = stream::once(async move { data(unread) });
    let updates = stream::unfold(receiver, move |mut receiver| {
        let (services, actor) = (services.clone(), actor.clone());
        async move {
            loop {
                match receiver.recv().await {
                    Ok(UserEvent { user_id, unread }) if user_id == user => return Some((data(unread), receiver)),
                    Ok(_) => continue,
                    // This stream fell behind the instance's events (a slow client, a burst): the
                    // user's own may have been among those dropped, so send the count as it is now.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        if let Ok(unread) = services.notifications.unread(&actor).await {
                            return Some((data(unread), receiver));
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    });
    let until_shutdown = async move {
        let _ = stopping.wait_for(|stop| *stop).await;
    };
    Sse::new(first.chain(updates).take_until(until_shutdown))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response()
}

fn data(unread: u64) -> Result<Event, Infallible> {
    Ok(Event::default().data(serde_json::json!({ "unread": unread }).to_string()))
}
