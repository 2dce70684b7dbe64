use leptos::{ev::SubmitEvent, html, prelude::*, server_fn::ServerFn};

use super::field::FormAttempt;

/// Lets the browser's own checks guard a plain form post, and hands them over to ours (which
/// speak the user's language and appear as they type) once the page is hydrated.
pub fn hydrated_form_ref() -> NodeRef<html::Form> {
    let form = NodeRef::<html::Form>::new();
    Effect::new(move |_| {
        if let Some(form) = form.get() {
            form.set_no_validate(true);
        }
    });
    form
}

/// A validated form's plumbing, the same on every page: the flag its fields read to show their
/// checks once the user has tried to submit (provided as [`FormAttempt`]), and the submit handler.
/// `input` reads the fields and runs their checks; the action is sent only when it gives a value.
/// The page keeps the flag to clear it after a success, or to show a check of its own.
pub fn use_validated_form<S>(
    action: ServerAction<S>,
    input: impl Fn() -> Option<S> + 'static,
) -> (RwSignal<bool>, impl Fn(SubmitEvent) + 'static)
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let attempted = RwSignal::new(false);
    provide_context(FormAttempt(attempted));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        if let Some(input) = input() {
            action.dispatch(input);
        }
    };
    (attempted, on_submit)
}
