//! `/rpc/admin/*`: the admin console's doors (administrators only; `403` for anyone else). The
//! same operations as the REST API's `/api/v1/admin`, over the same services.

use leptos::{prelude::*, server_fn::codec::GetUrl};

use crate::{
    dto::{AdminAccountDto, AdminUsersDto, AuditLogDto, AuditVerificationDto, FlagDto, JobsDto},
    error::AppError,
};

/// Accounts shown on one page of the console.
pub const USERS_PER_PAGE: u64 = 20;

/// One page of accounts, newest first: `search` in the address or name, `role` (`user`,
/// `admin`, or empty for both), `state` (`active`, `suspended`, or empty for both), from `after`
/// (the `next` of the page before).
#[server(prefix = "/rpc", endpoint = "admin/users", input = GetUrl)]
pub async fn admin_users(
    search: String,
    role: String,
    #[server(default)] state: String,
    after: String,
) -> Result<AdminUsersDto, AppError> {
    use crate::rpc::ssr::*;
    use domain::{Role, pagination::PageRequest};

    let role = match role.as_str() {
        "" => None,
        "admin" => Some(Role::Admin),
        "user" => Some(Role::User),
        _ => return Err(fail(AppError::NotFound)),
    };
    let suspended = match state.as_str() {
        "" => None,
        "active" => Some(false),
        "suspended" => Some(true),
        _ => return Err(fail(AppError::NotFound)),
    };
    let after = Some(after).filter(|a| !a.is_empty()).map(|a| parse_id(&a)).transpose()?;
    let request = PageRequest { after, limit: USERS_PER_PAGE };
    let actor = administrator()?;
    let page = services()?.accounts.users(&actor, Some(&search), role, suspended, request).await.map_err(fail)?;
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
    services()?.accounts.set_role(&administrator()?, parse_id(&id)?, role, None, &client_info()).await.map_err(fail)?;
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

    services()?.accounts.send_password_reset(&administrator()?, parse_id(&id)?, &client_info()).await.map_err(fail)?;
    redirect_form_post_back();
    Ok(())
}

/// One account with what it holds: sessions, tokens, second factors, storage, last sign-in.
#[server(prefix = "/rpc", endpoint = "admin/user", input = GetUrl)]
pub async fn admin_user(id: String) -> Result<AdminAccountDto, AppError> {
    use crate::{
        dto::{AdminUserDto, SessionDto, TokenDto, TwoFactorDto, rfc3339},
        rpc::ssr::*,
    };

    let (services, actor) = (services()?, administrator()?);
    let o = services.accounts.overview(&actor, parse_id(&id)?).await.map_err(fail)?;
    Ok(AdminAccountDto {
        user: AdminUserDto::from(&o.account),
        you: actor.user_id().is_ok_and(|me| me == o.account.id),
        sessions: o.sessions.iter().map(SessionDto::from).collect(),
        tokens: o.tokens.iter().map(TokenDto::from).collect(),
        two_factor: TwoFactorDto {
            enabled: o.two_factor.enabled_at.is_some(),
            recovery_codes_left: o.two_factor.recovery_codes_left,
        },
        passkeys: o.passkeys,
        providers: o.providers,
        files: o.files,
        storage_used: o.storage_used,
        storage_quota: services.files.quota(),
        last_sign_in: o.last_sign_in.map(rfc3339),
    })
}

/// Jobs the console lists of each kind (running, waiting, dead).
pub const JOBS_SHOWN: usize = 50;

/// The queues' depths, the running and waiting jobs, and the most recently buried dead ones.
#[server(prefix = "/rpc", endpoint = "admin/jobs", input = GetUrl)]
pub async fn admin_jobs() -> Result<JobsDto, AppError> {
    use crate::{
        dto::{DeadJobDto, PendingJobDto, QueueDepthDto},
        rpc::ssr::*,
    };

    let overview = services()?.job_admin.overview(&administrator()?, JOBS_SHOWN).await.map_err(fail)?;
    Ok(JobsDto {
        backend: overview.backend.to_owned(),
        queues: overview
            .queues
            .into_iter()
            .map(|d| QueueDepthDto { queue: d.queue, ready: d.ready, delayed: d.delayed, running: d.running })
            .collect(),
        pending: overview.pending.iter().map(PendingJobDto::from).collect(),
        dead: overview.dead.iter().map(DeadJobDto::from).collect(),
        dead_total: overview.dead_total,
    })
}

/// Retries a dead job (`retry` = `true`) or discards it.
#[server(prefix = "/rpc", endpoint = "admin/dead_job")]
pub async fn dead_job(id: String, retry: bool) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    let (services, actor, id) = (services()?, administrator()?, parse_id(&id)?);
    let done = if retry {
        services.job_admin.retry(&actor, id, &client_info()).await
    } else {
        services.job_admin.discard(&actor, id, &client_info()).await
    };
    done.map_err(fail)?;
    redirect_form_post_back();
    Ok(())
}

/// Audit events shown on one page of the console.
pub const AUDIT_PER_PAGE: u64 = 50;

/// One page of the audit log, newest first: only about the account with address `email`, of
/// kind `event`, from day `from` through day `to` (`YYYY-MM-DD` on the viewer's clock), older
/// than event `before` (the `next` of the page before). Empty parts do not filter.
#[server(prefix = "/rpc", endpoint = "admin/audit", input = GetUrl)]
pub async fn admin_audit(
    email: String,
    event: String,
    from: String,
    to: String,
    before: String,
) -> Result<AuditLogDto, AppError> {
    use domain::{
        accounts::TimeZone,
        audit::AuditQuery,
        error::{Field, Problem},
    };

    use crate::{
        dto::{AdminAuditEventDto, rfc3339, viewer_time_zone},
        rpc::ssr::*,
    };

    let (services, actor) = (services()?, administrator()?);
    let zone = viewer_time_zone().unwrap_or_else(|| "UTC".into());
    let period = || fail(AppError::from(domain::Error::invalid(Field::Period, Problem::Malformed)));
    let day = |text: &str| -> Result<Option<time::Date>, AppError> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Some(text.trim())
            .filter(|t| !t.is_empty())
            .map(|t| time::Date::parse(t, &format))
            .transpose()
            .map_err(|_| period())
    };
    let since = day(&from)?.map(|d| TimeZone::start_of_day(&zone, d));
    let until = day(&to)?.and_then(|d| d.next_day()).map(|d| TimeZone::start_of_day(&zone, d));
    let before = Some(before.trim())
        .filter(|b| !b.is_empty())
        .map(str::parse::<i64>)
        .transpose()
        .map_err(|_| fail(AppError::NotFound))?;
    let query = AuditQuery { email: Some(&email), event: Some(&event), since, until, before, limit: AUDIT_PER_PAGE };
    let page = services.audit.search(&actor, &query).await.map_err(fail)?;
    let mut ids: Vec<uuid::Uuid> = page.items.iter().flat_map(|e| [e.user_id, e.actor_id]).flatten().collect();
    ids.sort_unstable();
    ids.dedup();
    let addresses = services.accounts.addresses(&actor, &ids).await.map_err(fail)?;
    let items = page
        .items
        .iter()
        .map(|e| AdminAuditEventDto {
            seq: e.seq,
            event: e.event.clone(),
            at: rfc3339(e.created_at),
            user_id: e.user_id.map(|id| id.to_string()),
            user_email: e.user_id.and_then(|id| addresses.get(&id).cloned()),
            actor: e
                .actor_id
                .filter(|id| Some(*id) != e.user_id)
                .map(|id| addresses.get(&id).cloned().unwrap_or_else(|| id.to_string())),
            ip: e.ip.clone(),
            details: match &e.details {
                serde_json::Value::Object(map) if map.is_empty() => String::new(),
                serde_json::Value::Null => String::new(),
                details => details.to_string(),
            },
        })
        .collect();
    let events = domain::audit::Event::ALL.iter().map(|e| e.code().to_owned()).collect();
    Ok(AuditLogDto { items, next: page.next.map(|seq| seq.to_string()), events })
}

/// Walks the audit log's whole hash chain and reports the first break, if any.
#[server(prefix = "/rpc", endpoint = "admin/audit_verification", input = GetUrl)]
pub async fn audit_verification() -> Result<AuditVerificationDto, AppError> {
    use crate::rpc::ssr::*;

    let report = services()?.audit.verify(&administrator()?).await.map_err(fail)?;
    Ok(AuditVerificationDto::from(&report))
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
