//! `/rpc/notifications/*`: the notification centre. New ones also arrive live on `GET /events`.

use leptos::{prelude::*, server_fn::codec::GetUrl};

use crate::{dto::NotificationDto, error::AppError};

/// The latest notifications, newest first.
#[server(prefix = "/rpc", endpoint = "notifications/list", input = GetUrl)]
pub async fn list_notifications() -> Result<Vec<NotificationDto>, AppError> {
    use crate::rpc::ssr::*;

    let list = services()?.notifications.list(&actor(), 100).await.map_err(fail)?;
    Ok(list.iter().map(NotificationDto::from).collect())
}

/// Marks one notification (`id`) or, without an id, all of them read.
#[server(prefix = "/rpc", endpoint = "notifications/mark_read")]
pub async fn mark_read(id: Option<String>) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    let id = match id.filter(|id| !id.is_empty()) {
        Some(id) => Some(uuid::Uuid::parse_str(&id).map_err(|_| fail(AppError::NotFound))?),
        None => None,
    };
    services()?.notifications.mark_read(&actor(), id).await.map_err(fail)?;
    redirect_form_post("/notifications");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "notifications/delete")]
pub async fn delete_notification(id: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    let id = uuid::Uuid::parse_str(&id).map_err(|_| fail(AppError::NotFound))?;
    services()?.notifications.delete(&actor(), id).await.map_err(fail)?;
    redirect_form_post("/notifications");
    Ok(())
}
