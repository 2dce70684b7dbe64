//! The profile's "Details" card: display name, language and time zone (typed, with the zones
//! suggested once the field is focused).

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    components::{
        field::{Field, FormAlert, SuccessAlert, server_error_for},
        form::{hydrated_form_ref, use_validated_form},
    },
    dto::ProfileDto,
    i18n::{Lang, t, use_i18n},
    pages::form_action,
    rpc::account::{UpdateProfile, time_zones},
    session::use_current_user,
    validate,
};

#[component]
pub(super) fn DetailsForm(profile: ProfileDto, saved: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let current = use_current_user();
    let action = form_action::<UpdateProfile>();
    let result = action.value();
    let display_name = RwSignal::new(profile.display_name.clone());
    let locale = RwSignal::new(profile.locale.clone());
    let time_zone = RwSignal::new(profile.time_zone.clone());
    // ~600 zones: fetched when the field is first focused, so the page and its hydration data do
    // not carry them. Typing works before they arrive (and without JavaScript); the server checks.
    let zones = RwSignal::new(None::<Vec<String>>);
    let load_zones = move |()| {
        if zones.get_untracked().is_none() {
            zones.set(Some(Vec::new()));
            leptos::task::spawn_local(async move {
                match time_zones().await {
                    Ok(list) => zones.set(Some(list)),
                    Err(_) => zones.set(None),
                }
            });
        }
    };
    // The header's language switcher changes the same preference: keep the select in step, or
    // saving the form would switch the user back.
    Effect::new(move |_| {
        locale.set(i18n.lang().code().to_owned());
    });
    Effect::new(move |_| {
        if let Some(Ok(saved)) = result.get() {
            if let Some(lang) = Lang::from_code(&saved.locale) {
                i18n.set(lang);
            }
            current.refresh();
        }
    });
    let (_, on_submit) = use_validated_form(action, move || {
        validate::display_name(&display_name.get_untracked()).is_none().then(|| UpdateProfile {
            display_name: display_name.get_untracked(),
            locale: locale.get_untracked(),
            time_zone: time_zone.get_untracked(),
        })
    });
    let show_saved =
        move || matches!(result.get(), Some(Ok(_))) || (result.get().is_none() && saved.as_deref() == Some("profile"));
    let email = RwSignal::new(profile.email.clone());
    let pending = action.pending();
    view! {
        <section class="card" aria-labelledby="details-heading">
            <h2 id="details-heading">{t("profile-details-heading")}</h2>
            <SuccessAlert when=show_saved message="profile-saved"/>
            <FormAlert result/>
            <form node_ref=hydrated_form_ref() method="post" action=UpdateProfile::url() on:submit=on_submit>
                <Field label="field-display-name" name="display_name" autocomplete="name" required=true
                    value=display_name check=validate::display_name server_error=server_error_for(result, "display_name")/>
                <Field label="field-email" name="email_shown" kind="email" value=email readonly=true/>
                <div class="field">
                    <label for="field-locale">{t("field-language")}</label>
                    <select id="field-locale" name="locale" prop:value=move || locale.get()
                        on:change=move |ev| locale.set(event_target_value(&ev))>
                        {Lang::ALL.into_iter().map(|lang| {
                            let selected = lang.code() == profile.locale;
                            view! { <option value=lang.code() selected=selected lang=lang.code()>{lang.tr("lang-native")}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <Field label="field-time-zone" name="time_zone" value=time_zone required=true
                    hint="field-time-zone-hint" list="time-zones" on_focus=load_zones
                    server_error=server_error_for(result, "time_zone")/>
                <datalist id="time-zones">
                    {move || zones.get().unwrap_or_default().into_iter().map(|zone| view! { <option value=zone/> }).collect_view()}
                </datalist>
                <button type="submit" class="button" disabled=move || pending.get()>{t("profile-save")}</button>
            </form>
        </section>
    }
}
