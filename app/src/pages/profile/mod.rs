//! The profile page: the account's details and a card for each part of it, each card in a module
//! of its own (two-factor, access tokens and linked providers are pages' modules beside this one).

mod activity;
mod avatar;
mod deletion;
mod details;
mod email_check;
mod export;
mod passkeys;
mod password;
mod sessions;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};

pub(crate) use sessions::device_name;

use super::{error::ErrorPage, two_factor::TwoFactorCard};
use crate::{components::loading::loading, dto::ProfileDto, error::AppError, i18n::t, rpc::account::profile};
use activity::ActivityCard;
use avatar::AvatarForm;
use deletion::DeleteAccountCard;
use details::DetailsForm;
use email_check::EmailCheck;
use export::DataExportCard;
use passkeys::Passkeys;
use password::PasswordForm;
use sessions::Sessions;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| profile());
    view! {
        <Title text=t("profile-title")/>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(profile) => view! { <Profile profile/> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <Redirect path="/signin"/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Profile(profile: ProfileDto) -> impl IntoView {
    let saved = use_query_map().get_untracked().get("saved");
    // Bumped when the password changes here, so the new event shows without a reload.
    let activity_changed = RwSignal::new(0u32);
    let (email, grace_days) = (profile.email.clone(), profile.deletion_grace_days);
    let export_hours = profile.export_hours;
    view! {
        <div class="page-heading">
            <h1>{t("profile-title")}</h1>
            <p class="muted">
                {t("profile-member-since")} " " <time datetime=profile.member_since.clone()>{profile.member_since.clone()}</time>
                {(profile.role == "admin").then(|| view! { " " <span class="badge">{t("role-admin")}</span> })}
            </p>
        </div>
        {(!profile.email_verified || saved.as_deref() == Some("verified")).then(|| view! { <EmailCheck verified=profile.email_verified saved=saved.clone()/> })}
        <div class="profile-grid">
            <AvatarForm avatar=profile.avatar_url.clone() name=profile.display_name.clone() saved=saved.clone()/>
            <DetailsForm profile saved=saved.clone()/>
            <PasswordForm saved=saved.clone() changed=activity_changed/>
            <TwoFactorCard saved=saved.clone() changed=activity_changed/>
            <ActivityCard changed=activity_changed/>
        </div>
        <Passkeys saved=saved.clone()/>
        <super::tokens::AccessTokens saved=saved.clone()/>
        <super::providers::LinkedProvidersCard saved=saved.clone()/>
        <Sessions saved=saved.clone()/>
        <DataExportCard hours=export_hours saved/>
        <DeleteAccountCard email grace_days/>
    }
}
