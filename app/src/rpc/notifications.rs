//! `/rpc/notifications/*`: the notification centre. New ones also arrive live on `GET /events`.

use leptos::{prelude::*, server_fn::codec::GetUrl};

use std::collections::HashMap;

use crate::{
    dto::{ChannelsDto, NotificationDto, PreferenceDto},
    error::AppError,
};

/// The latest notifications, newest first.
#[server(prefix = "/rpc", endpoint = "notifications/list", input = GetUrl)]
pub async fn list_notifications() -> Result<Vec<NotificationDto>, AppError> {
    use crate::rpc::ssr::*;

    use domain::notifications::NotificationQuery;

    let list = services()?.notifications.list(&actor(), &NotificationQuery::latest(100)).await.map_err(fail)?;
    Ok(list.items.iter().map(NotificationDto::from).collect())
}

/// Marks one notification (`id`) or, without an id, all of them read.
#[server(prefix = "/rpc", endpoint = "notifications/mark_read")]
pub async fn mark_read(id: Option<String>) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    let id = id.filter(|id| !id.is_empty()).map(|id| parse_id(&id)).transpose()?;
    services()?.notifications.mark_read(&actor(), id).await.map_err(fail)?;
    redirect_form_post("/notifications");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "notifications/delete")]
pub async fn delete_notification(id: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    let id = parse_id(&id)?;
    services()?.notifications.delete(&actor(), id).await.map_err(fail)?;
    redirect_form_post("/notifications");
    Ok(())
}

/// How each kind of notification reaches the user.
#[server(prefix = "/rpc", endpoint = "notifications/preferences", input = GetUrl)]
pub async fn notification_preferences() -> Result<Vec<PreferenceDto>, AppError> {
    use crate::rpc::ssr::*;

    let list = services()?.notifications.preferences(&actor()).await.map_err(fail)?;
    Ok(list.iter().map(PreferenceDto::from).collect())
}

/// Saves the channels of the kinds in `choices` (`choices[file_failed][email]=true`); a kind
/// present with a channel left out turns that channel off, a kind left out keeps its setting.
#[server(prefix = "/rpc", endpoint = "notifications/save_preferences")]
pub async fn save_preferences(choices: Option<HashMap<String, ChannelsDto>>) -> Result<Vec<PreferenceDto>, AppError> {
    use crate::rpc::ssr::*;

    let choices: Vec<(String, bool, bool)> =
        choices.unwrap_or_default().into_iter().map(|(kind, c)| (kind, c.in_app, c.email)).collect();
    let list = services()?.notifications.set_preferences(&actor(), &choices).await.map_err(fail)?;
    redirect_form_post("/notifications?saved=settings#settings");
    Ok(list.iter().map(PreferenceDto::from).collect())
}
