//! The profile's "Two-factor authentication" card: set it up with an authenticator app (a QR code,
//! or the secret typed in), see the recovery codes once, make new ones, turn it off.

use leptos::{prelude::*, server_fn::ServerFn};

use super::form_action;
use crate::{
    components::{
        field::{Field, FormAlert, server_error_for},
        form::{hydrated_form_ref, use_validated_form},
        loading::loading,
    },
    dto::EnrolmentDto,
    error::AppError,
    i18n::t,
    rpc::account::{ConfirmTwoFactor, DisableTwoFactor, RegenerateRecoveryCodes, StartTwoFactor, two_factor},
    validate,
};

#[component]
pub fn TwoFactorCard(saved: Option<String>, changed: RwSignal<u32>) -> impl IntoView {
    let start = ServerAction::<StartTwoFactor>::new();
    // Recovery codes just made (by the confirmation or a regeneration): shown this once.
    let fresh_codes = RwSignal::new(None::<Vec<String>>);
    let status = Resource::new(move || changed.get(), |_| two_factor());
    let turned_off = saved.as_deref() == Some("two_factor_off");
    view! {
        <section class="card two-factor-card" id="two-factor" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">{t("two-factor-heading")}</h2>
            <p class="muted">{t("two-factor-lead")}</p>
            {turned_off.then(|| view! { <p class="alert alert-success" role="status">{t("two-factor-disabled")}</p> })}
            {move || fresh_codes.get().map(|codes| view! { <RecoveryCodeList codes/> })}
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(status) if status.enabled => view! {
                            <p class="two-factor-state">{t("two-factor-on")}</p>
                            <p class="muted">{t("two-factor-codes-left")} " " <strong>{status.recovery_codes_left}</strong></p>
                            <h3>{t("two-factor-regenerate-heading")}</h3>
                            <CodeForm input=|code| RegenerateRecoveryCodes { code } fresh_codes changed
                                submit="two-factor-regenerate" button_class="button button-ghost"/>
                            <DisableForm changed fresh_codes start/>
                        }.into_any(),
                        Ok(_) => view! {
                            <p class="two-factor-state">{t("two-factor-off")}</p>
                            {move || match start.value().get() {
                                Some(Ok(enrolment)) => view! { <ConfirmForm enrolment fresh_codes changed/> }.into_any(),
                                _ => view! {
                                    <FormAlert result=start.value()/>
                                    <ActionForm action=start>
                                        <button type="submit" class="button">{t("two-factor-start")}</button>
                                    </ActionForm>
                                }.into_any(),
                            }}
                        }.into_any(),
                        Err(_) => ().into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The new secret, as a QR code and as text, and the field for the first code.
#[component]
fn ConfirmForm(
    enrolment: EnrolmentDto,
    fresh_codes: RwSignal<Option<Vec<String>>>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    view! {
        <ol class="two-factor-steps">
            <li>{t("two-factor-step-scan")}</li>
            <li>{t("two-factor-step-code")}</li>
        </ol>
        <img class="two-factor-qr" src=enrolment.qr_code alt=t("two-factor-qr-alt") width="200" height="200"/>
        <p>
            {t("two-factor-secret")} " " <code class="two-factor-secret">{enrolment.secret}</code>
        </p>
        <CodeForm input=|code| ConfirmTwoFactor { code } fresh_codes changed submit="two-factor-confirm"
            button_class="button"/>
    }
}

/// Recovery codes, shown once: each signs in once when the app is not at hand.
#[component]
fn RecoveryCodeList(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="alert alert-success" role="status">
            <p>{t("two-factor-codes-intro")}</p>
            <ul class="recovery-codes" aria-label=t("two-factor-codes-label")>
                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ul>
        </div>
    }
}

/// One authenticator code, for an action that answers with new recovery codes (confirming the
/// app, or making new codes): they are shown this once, and the card reads its state again.
#[component]
fn CodeForm<S>(
    input: fn(String) -> S,
    fresh_codes: RwSignal<Option<Vec<String>>>,
    changed: RwSignal<u32>,
    submit: &'static str,
    button_class: &'static str,
) -> impl IntoView
where
    S: ServerFn<Output = Vec<String>, Error = AppError> + Clone + Send + Sync + 'static,
{
    let action = form_action::<S>();
    let result = action.value();
    let code = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(codes)) = result.get() {
            fresh_codes.set(Some(codes));
            changed.update(|n| *n += 1);
        }
    });
    let (_, on_submit) = use_validated_form(action, move || {
        let code = code.get_untracked();
        validate::code(&code).is_none().then(|| input(code))
    });
    let pending = action.pending();
    view! {
        <FormAlert result/>
        <form node_ref=hydrated_form_ref() method="post" action=S::url() on:submit=on_submit>
            <Field label="field-code" name="code" autocomplete="one-time-code" required=true value=code
                check=validate::code server_error=server_error_for(result, "code")/>
            <button type="submit" class=button_class disabled=move || pending.get()>{t(submit)}</button>
        </form>
    }
}

#[component]
fn DisableForm(
    changed: RwSignal<u32>,
    fresh_codes: RwSignal<Option<Vec<String>>>,
    start: ServerAction<StartTwoFactor>,
) -> impl IntoView {
    let action = form_action::<DisableTwoFactor>();
    let result = action.value();
    let proof = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = result.get() {
            fresh_codes.set(None);
            // The secret set up earlier is gone with it.
            start.value().set(None);
            changed.update(|n| *n += 1);
        }
    });
    let (_, on_submit) = use_validated_form(action, move || {
        let proof = proof.get_untracked();
        validate::code(&proof).is_none().then_some(DisableTwoFactor { proof })
    });
    view! {
        <h3>{t("two-factor-disable-heading")}</h3>
        <FormAlert result/>
        <form node_ref=hydrated_form_ref() method="post" action=DisableTwoFactor::url() on:submit=on_submit>
            <Field label="field-two-factor-proof" name="proof" kind="password" autocomplete="current-password"
                required=true value=proof check=validate::code server_error=server_error_for(result, "code")/>
            <button type="submit" class="button button-ghost danger">{t("two-factor-disable")}</button>
        </form>
    }
}
