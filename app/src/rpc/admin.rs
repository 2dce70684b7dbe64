//! `/rpc/admin/*`: the admin console's doors (administrators only; `403` for anyone else). The
//! same operations as the REST API's `/api/v1/admin`, over the same services.

use leptos::{prelude::*, server_fn::codec::GetUrl};

use crate::{
    dto::{AdminUsersDto, FlagDto},
    error::AppError,
};

/// Accounts shown on one page of the console.
pub const USERS_PER_PAGE: u64 = 20;

/// One page of accounts, newest first: `search` in the address or name, `role` (`user`,
/// `admin`, or empty for both), from `after` (the `next` of the page before).
#[server(prefix = "/rpc", endpoint = "admin/users", input = GetUrl)]
pub async fn admin_users(search: String, role: String, after: String) -> Result<AdminUsersDto, AppError> {
    use crate::rpc::ssr::*;
    use domain::{Role, pagination::PageRequest};

    let role = match role.as_str() {
        "" => None,
        "admin" => Some(Role::Admin),
        "user" => Some(Role::User),
        _ => return Err(fail(AppError::NotFound)),
    };
    let after = Some(after).filter(|a| !a.is_empty()).map(|a| parse_id(&a)).transpose()?;
    let request = PageRequest { after, limit: USERS_PER_PAGE };
    let actor = administrator()?;
    let page = services()?.accounts.users(&actor, Some(&search), role, request).await.map_err(fail)?;
    Ok(AdminUsersDto {
        items: page.items.iter().map(crate::dto::AdminUserDto::from).collect(),
        next: page.next.map(|id| id.to_string()),
        you: actor.user_id().map(|id| id.to_string()).unwrap_or_default(),
    })
}

/// Makes an account an administrator or an ordinary user (not one's own; never the last admin).
#[server(prefix = "/rpc", endpoint = "admin/set_role")]
pub async fn set_role(id: String, role: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    let role = domain::Role::parse(&role);
    services()?.accounts.set_role(&administrator()?, parse_id(&id)?, role, &client_info()).await.map_err(fail)?;
    redirect_form_post_back();
    Ok(())
}

/// Deletes an account now: it stops working at once and is erased within moments.
#[server(prefix = "/rpc", endpoint = "admin/delete_user")]
pub async fn delete_user(id: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    services()?.deletion.delete_user(&administrator()?, parse_id(&id)?, &client_info()).await.map_err(fail)?;
    redirect_form_post_back();
    Ok(())
}

/// Suspends an account (`suspend` = `true`) or lifts its suspension.
#[server(prefix = "/rpc", endpoint = "admin/suspend")]
pub async fn suspend_user(id: String, suspend: bool) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    let (services, actor, id) = (services()?, administrator()?, parse_id(&id)?);
    let done = if suspend {
        services.accounts.suspend(&actor, id, &client_info()).await
    } else {
        services.accounts.reactivate(&actor, id, &client_info()).await
    };
    done.map_err(fail)?;
    redirect_form_post_back();
    Ok(())
}

/// Signs an account out of every session. Returns how many ended.
#[server(prefix = "/rpc", endpoint = "admin/sign_out_user")]
pub async fn sign_out_user(id: String) -> Result<u64, AppError> {
    use crate::rpc::ssr::*;

    let ended = services()?
        .accounts
        .sign_out_everywhere(&administrator()?, parse_id(&id)?, &client_info())
        .await
        .map_err(fail)?;
    redirect_form_post_back();
    Ok(ended)
}

/// E-mails an account a link to choose a new password.
#[server(prefix = "/rpc", endpoint = "admin/send_password_reset")]
pub async fn send_password_reset(id: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    services()?.accounts.send_password_reset(&administrator()?, parse_id(&id)?).await.map_err(fail)?;
    redirect_form_post_back();
    Ok(())
}

/// Every feature flag with how it is set, its user lists as e-mail addresses.
#[server(prefix = "/rpc", endpoint = "admin/flags", input = GetUrl)]
pub async fn admin_flags() -> Result<Vec<FlagDto>, AppError> {
    use crate::rpc::ssr::*;

    let services = services()?;
    let actor = administrator()?;
    let mut flags = Vec::new();
    for info in services.flags.list(&actor).await.map_err(fail)? {
        let emails = |ids| services.accounts.emails_by_id(&actor, ids);
        let roles = |roles: &[domain::Role]| roles.iter().map(|r| r.as_str().to_owned()).collect();
        flags.push(FlagDto {
            key: info.flag.key().to_owned(),
            description: info.flag.description().to_owned(),
            enabled: info.rule.enabled,
            rollout: info.rule.rollout,
            allow_users: emails(&info.rule.allow_users).await.map_err(fail)?,
            deny_users: emails(&info.rule.deny_users).await.map_err(fail)?,
            allow_roles: roles(&info.rule.allow_roles),
            deny_roles: roles(&info.rule.deny_roles),
            updated_at: info.updated_at.map(crate::dto::rfc3339),
        });
    }
    Ok(flags)
}

/// Sets a feature flag: `enabled` (a checkbox: present means on), `rollout` 0 to 100, the user
/// lists as e-mail addresses (one per line, or separated by commas), the role lists by name.
#[server(prefix = "/rpc", endpoint = "admin/set_flag")]
#[allow(clippy::too_many_arguments)]
pub async fn set_flag(
    key: String,
    #[server(default)] enabled: Option<String>,
    rollout: String,
    #[server(default)] allow_users: String,
    #[server(default)] deny_users: String,
    #[server(default)] allow_roles: Vec<String>,
    #[server(default)] deny_roles: Vec<String>,
) -> Result<(), AppError> {
    use crate::rpc::ssr::*;
    use domain::{
        Role,
        error::{Field, Problem},
        flags::{Flag, Rule},
    };

    let services = services()?;
    let actor = administrator()?;
    let flag = Flag::parse(&key).ok_or_else(|| fail(AppError::NotFound))?;
    let rollout = rollout
        .trim()
        .parse::<u8>()
        .map_err(|_| fail(AppError::from(domain::Error::invalid(Field::Rollout, Problem::Malformed))))?;
    let emails = |text: &str| -> Vec<String> {
        text.split(|c: char| c == ',' || c.is_whitespace()).filter(|e| !e.is_empty()).map(str::to_owned).collect()
    };
    let rule = Rule {
        enabled: enabled.is_some_and(|v| !v.is_empty()),
        rollout,
        allow_users: services.accounts.ids_by_email(&actor, &emails(&allow_users)).await.map_err(fail)?,
        deny_users: services.accounts.ids_by_email(&actor, &emails(&deny_users)).await.map_err(fail)?,
        allow_roles: allow_roles.iter().map(|r| Role::parse(r)).collect(),
        deny_roles: deny_roles.iter().map(|r| Role::parse(r)).collect(),
    };
    services.flags.set(&actor, flag, rule, &client_info()).await.map_err(fail)?;
    redirect_form_post("/admin?saved=flags#flags");
    Ok(())
}

/// The caller, if an administrator: `401` for a visitor, `403` for anyone else.
#[cfg(feature = "ssr")]
fn administrator() -> Result<domain::Actor, AppError> {
    use crate::rpc::ssr::*;

    let actor = actor();
    if actor.user_id().is_err() {
        return Err(fail(AppError::Unauthenticated));
    }
    if !actor.is_admin() {
        return Err(fail(AppError::Forbidden));
    }
    Ok(actor)
}
