use leptos::prelude::*;

use crate::{
    error::AppError,
    i18n::{t, use_i18n},
};

/// A check run as the user types: the translation key of the problem, if any.
pub type Check = fn(&str) -> Option<&'static str>;

/// Shared by the fields of one form: whether the user has tried to submit it.
#[derive(Clone, Copy)]
pub struct FormAttempt(pub RwSignal<bool>);

/// The translation key of a server error that belongs to `field`.
pub fn server_error_for<T, S>(result: S, field: &'static str) -> Signal<Option<String>>
where
    T: Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || match result.get() {
        Some(Err(err)) if err.field() == Some(field) => Some(err.message_key()),
        _ => None,
    })
}

/// A labelled input with its error message, accessible and usable without JavaScript.
#[component]
pub fn Field(
    /// Translation key of the label.
    label: &'static str,
    /// The form field name (the server function argument).
    name: &'static str,
    value: RwSignal<String>,
    /// The browser-side check, shown once the user has typed here or tried to submit.
    #[prop(optional)]
    check: Option<Check>,
    /// Translation key of the server's complaint about this field.
    #[prop(into, optional)]
    server_error: Signal<Option<String>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(default = false)] required: bool,
    /// Translation key of a hint shown under the input.
    #[prop(optional)]
    hint: Option<&'static str>,
    #[prop(optional)] readonly: bool,
    /// The id of a `<datalist>` whose options the browser suggests as the user types.
    #[prop(optional)]
    list: Option<&'static str>,
    /// Runs when the input gets focus: the moment to load the suggestions, not before.
    #[prop(optional, into)]
    on_focus: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let attempted = use_context::<FormAttempt>().map(|a| a.0);
    // Typed here since the page loaded / since the server last answered.
    let edited = RwSignal::new(false);
    let stale = RwSignal::new(false);
    Effect::new(move |_| {
        server_error.track();
        stale.set(false);
    });
    let error = Signal::derive(move || {
        let shown = edited.get() || attempted.is_some_and(|a| a.get());
        let local = check.and_then(|check| check(&value.get())).filter(|_| shown).map(str::to_owned);
        local.or_else(|| server_error.get().filter(|_| !stale.get()))
    });
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{move || i18n.t(label)}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
                readonly=readonly
                list=list
                value=value.get_untracked()
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    edited.set(true);
                    stale.set(true);
                }
                on:focus=move |_| {
                    if let Some(on_focus) = on_focus {
                        on_focus.run(());
                    }
                }
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=described_by
            />
            {hint.map(|key| view! { <p class="field-hint" id=hint_id>{move || i18n.t(key)}</p> })}
            <p class="field-error" id=error_id aria-live="polite">
                {move || error.get().map(|key| i18n.t(&key))}
            </p>
        </div>
    }
}

/// The error of a form that belongs to no single field, as an alert; or, given `field`, the error
/// of a field the form does not show (a link's token).
#[component]
pub fn FormAlert<T, S>(result: S, #[prop(optional)] field: Option<&'static str>) -> impl IntoView
where
    T: Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let message = Signal::derive(move || match result.get() {
        Some(Err(err)) if err.field() == field => Some(i18n.t_args(&err.message_key(), &err.message_args())),
        _ => None,
    });
    view! {
        <Show when=move || message.get().is_some()>
            <div class="alert alert-error" role="alert">{move || message.get()}</div>
        </Show>
    }
}

/// What a form did, once `when` holds, as a status a screen reader says.
#[component]
pub fn SuccessAlert<W>(when: W, message: &'static str) -> impl IntoView
where
    W: Fn() -> bool + Send + Sync + 'static,
{
    view! {
        <Show when>
            <p class="alert alert-success" role="status">{t(message)}</p>
        </Show>
    }
}
