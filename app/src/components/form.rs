use leptos::{html, prelude::*};

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
