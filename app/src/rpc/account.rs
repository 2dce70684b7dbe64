//! `/rpc/account/*`: who am I, the profile, the password, two-factor sign-in, the language.

use leptos::{prelude::*, server_fn::codec::GetUrl};

use crate::{
    dto::{AuditEventDto, EnrolmentDto, ExportDto, ProfileDto, SessionDto, TwoFactorDto, UserDto},
    error::AppError,
};

/// The signed-in user, or nothing for a visitor.
#[server(prefix = "/rpc", endpoint = "account/me", input = GetUrl)]
pub async fn me() -> Result<Option<UserDto>, AppError> {
    use crate::rpc::ssr::*;

    // The session resolution at the start of the request already loaded the account.
    let Some(account) = current_account() else { return Ok(None) };
    let services = services()?;
    let mut user = UserDto::from(&account);
    user.unread_notifications = services.notifications.unread(&actor()).await.map_err(fail)?;
    user.assistant = services.flags.enabled(&actor(), domain::flags::Flag::Assistant).await.map_err(fail)?;
    Ok(Some(user))
}

#[server(prefix = "/rpc", endpoint = "account/profile", input = GetUrl)]
pub async fn profile() -> Result<ProfileDto, AppError> {
    use crate::rpc::ssr::*;

    let services = services()?;
    let account = services.accounts.profile(&actor()).await.map_err(fail)?;
    let mut profile = ProfileDto::from(&account);
    profile.deletion_grace_days = services.deletion.grace().as_secs().div_ceil(86_400);
    profile.export_hours = services.exports.lifetime().as_secs().div_ceil(3600);
    Ok(profile)
}

/// The user's latest data exports, newest first.
#[server(prefix = "/rpc", endpoint = "account/exports", input = GetUrl)]
pub async fn exports() -> Result<Vec<ExportDto>, AppError> {
    use crate::rpc::ssr::*;

    let list = services()?.exports.list(&actor()).await.map_err(fail)?;
    Ok(list.iter().map(ExportDto::from).collect())
}

/// Asks for a copy of the user's data; a job builds it and they are notified when it is ready.
#[server(prefix = "/rpc", endpoint = "account/request_export")]
pub async fn request_export() -> Result<ExportDto, AppError> {
    use crate::rpc::ssr::*;

    let requested = services()?.exports.request(&actor(), &client_info()).await.map_err(fail)?;
    redirect_form_post("/profile?saved=export#data-export");
    Ok(ExportDto::from(&requested.export))
}

/// Asks for the account's deletion (the password, unless signed in moments ago, and the address
/// typed as confirmation): every session ends, this one too, and the account is erased after the
/// grace period unless its owner signs in before.
#[server(prefix = "/rpc", endpoint = "account/delete")]
pub async fn delete_account(password: String, confirmation: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    let password = Some(password.as_str()).filter(|p| !p.is_empty());
    services()?.deletion.request(&actor(), password, &confirmation, &client_info()).await.map_err(fail)?;
    clear_session_cookie();
    redirect_form_post("/signin?deletion=scheduled");
    Ok(())
}

/// How many recent security events the profile shows.
pub const ACTIVITY_SHOWN: u64 = 20;

/// The signed-in user's own security events (sign-ins, password changes, …), newest first.
#[server(prefix = "/rpc", endpoint = "account/activity", input = GetUrl)]
pub async fn activity() -> Result<Vec<AuditEventDto>, AppError> {
    use crate::rpc::ssr::*;

    let events = services()?.audit.list_own(&actor(), ACTIVITY_SHOWN).await.map_err(fail)?;
    Ok(events.iter().map(AuditEventDto::from).collect())
}

/// Every time zone a profile may name.
#[server(prefix = "/rpc", endpoint = "account/time_zones", input = GetUrl)]
pub async fn time_zones() -> Result<Vec<String>, AppError> {
    Ok(domain::accounts::TimeZone::all().iter().map(|zone| (*zone).to_owned()).collect())
}

#[server(prefix = "/rpc", endpoint = "account/update_profile")]
pub async fn update_profile(display_name: String, locale: String, time_zone: String) -> Result<ProfileDto, AppError> {
    use domain::accounts::ProfileUpdate;

    use crate::{i18n::Lang, rpc::ssr::*};

    let update =
        ProfileUpdate { display_name: Some(&display_name), locale: Some(&locale), time_zone: Some(&time_zone) };
    let account = services()?.accounts.update_profile(&actor(), update, None).await.map_err(fail)?;
    if let Some(lang) = Lang::from_code(&account.locale) {
        set_lang_cookie(lang);
    }
    redirect_form_post("/profile?saved=profile");
    Ok(ProfileDto::from(&account))
}

/// Changes the password; every other session of the user ends.
#[server(prefix = "/rpc", endpoint = "account/change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    services()?
        .accounts
        .change_password(&actor(), &current_password, &new_password, &client_info())
        .await
        .map_err(fail)?;
    redirect_form_post("/profile?saved=password");
    Ok(())
}

/// Switches the interface language: a cookie for everyone, the preference for a signed-in user.
#[server(prefix = "/rpc", endpoint = "account/set_language")]
pub async fn set_language(lang: String) -> Result<(), AppError> {
    use domain::accounts::Locale;

    use crate::{i18n::Lang, rpc::ssr::*};

    let locale = Locale::parse(&lang).map_err(fail)?;
    let lang = Lang::from_code(locale.as_str()).unwrap_or_default();
    set_lang_cookie(lang);
    let actor = actor();
    if actor.user_id().is_ok() {
        services()?.accounts.set_locale(&actor, locale).await.map_err(fail)?;
    }
    redirect_form_post_back();
    Ok(())
}

/// Where the streaming avatar upload door listens.
pub const AVATAR_UPLOAD_URL: &str = "/rpc/account/avatar";

/// Removes the avatar; the initial letter shows again.
#[server(prefix = "/rpc", endpoint = "account/remove_avatar")]
pub async fn remove_avatar() -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    services()?.avatars.remove(&actor()).await.map_err(fail)?;
    redirect_form_post("/profile?saved=avatar");
    Ok(())
}

/// Where the user is signed in, most recently used first.
#[server(prefix = "/rpc", endpoint = "account/sessions", input = GetUrl)]
pub async fn sessions() -> Result<Vec<SessionDto>, AppError> {
    use crate::rpc::ssr::*;

    let list = services()?.sessions.list(&actor()).await.map_err(fail)?;
    Ok(list.iter().map(SessionDto::from).collect())
}

/// Signs one session out (`id` from `account/sessions`); another user's is `404`.
#[server(prefix = "/rpc", endpoint = "account/end_session")]
pub async fn end_session(id: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    services()?.accounts.end_session(&actor(), &id, &client_info()).await.map_err(fail)?;
    redirect_form_post("/profile?saved=sessions#sessions");
    Ok(())
}

/// Signs out every session but this one. Returns how many ended.
#[server(prefix = "/rpc", endpoint = "account/end_other_sessions")]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    use crate::rpc::ssr::*;

    let ended = services()?.accounts.end_other_sessions(&actor(), &client_info()).await.map_err(fail)?;
    redirect_form_post("/profile?saved=sessions#sessions");
    Ok(ended)
}

/// Whether two-factor sign-in is on, and how many recovery codes are left.
#[server(prefix = "/rpc", endpoint = "account/two_factor", input = GetUrl)]
pub async fn two_factor() -> Result<TwoFactorDto, AppError> {
    use crate::rpc::ssr::*;

    let status = services()?.accounts.two_factor().status(&actor()).await.map_err(fail)?;
    Ok(TwoFactorDto { enabled: status.enabled_at.is_some(), recovery_codes_left: status.recovery_codes_left })
}

/// Starts turning two-factor on: a new secret for the authenticator app, pending until confirmed.
#[server(prefix = "/rpc", endpoint = "account/start_two_factor")]
pub async fn start_two_factor() -> Result<EnrolmentDto, AppError> {
    use crate::rpc::ssr::*;

    let enrolment = services()?.accounts.two_factor().start_enrolment(&actor()).await.map_err(fail)?;
    Ok(EnrolmentDto { secret: enrolment.secret, otpauth_url: enrolment.otpauth_url, qr_code: enrolment.qr_code })
}

/// Turns two-factor on with a code from the app; answers the recovery codes, shown this once.
#[server(prefix = "/rpc", endpoint = "account/confirm_two_factor")]
pub async fn confirm_two_factor(code: String) -> Result<Vec<String>, AppError> {
    use crate::rpc::ssr::*;

    let two_factor = services()?.accounts.two_factor().clone();
    let codes = two_factor.confirm_enrolment(&actor(), &code, &client_info()).await.map_err(fail)?;
    Ok(codes.expose().to_vec())
}

/// Turns two-factor off, with the password, a current code or a recovery code.
#[server(prefix = "/rpc", endpoint = "account/disable_two_factor")]
pub async fn disable_two_factor(proof: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    services()?.accounts.two_factor().disable(&actor(), &proof, &client_info()).await.map_err(fail)?;
    redirect_form_post("/profile?saved=two_factor_off");
    Ok(())
}

/// Replaces the recovery codes with ten new ones, given a current code from the app.
#[server(prefix = "/rpc", endpoint = "account/regenerate_recovery_codes")]
pub async fn regenerate_recovery_codes(code: String) -> Result<Vec<String>, AppError> {
    use crate::rpc::ssr::*;

    let two_factor = services()?.accounts.two_factor().clone();
    let codes = two_factor.regenerate_recovery_codes(&actor(), &code, &client_info()).await.map_err(fail)?;
    Ok(codes.expose().to_vec())
}
/// The sign-in providers linked to the account, and the others one could link.
#[server(prefix = "/rpc", endpoint = "account/providers", input = GetUrl)]
pub async fn linked_providers() -> Result<crate::dto::LinkedProvidersDto, AppError> {
    use crate::{
        dto::{LinkedProviderDto, LinkedProvidersDto, ProviderDto, rfc3339},
        rpc::ssr::*,
    };

    let providers = services()?.oidc.linked_providers(&actor()).await.map_err(fail)?;
    let available =
        providers.available.into_iter().map(|p| ProviderDto { name: p.name, display_name: p.display_name }).collect();
    let linked = providers
        .linked
        .into_iter()
        .map(|l| LinkedProviderDto {
            name: l.provider,
            display_name: l.display_name,
            email: l.email,
            linked_at: rfc3339(l.linked_at),
        })
        .collect();
    Ok(LinkedProvidersDto { linked, available })
}

/// Unlinks a sign-in provider, unless it is the account's last way to sign in.
#[server(prefix = "/rpc", endpoint = "account/unlink_provider")]
pub async fn unlink_provider(provider: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    services()?.oidc.unlink(&actor(), &provider, &client_info()).await.map_err(fail)?;
    redirect_form_post("/profile?saved=unlinked");
    Ok(())
}
