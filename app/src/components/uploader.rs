//! Uploads with a progress bar per file. Without JavaScript it is a plain multipart form; once
//! hydrated, files chosen or dropped start at once, each in its own request, so each has its own
//! progress and its own outcome.

use leptos::{ev, prelude::*};

use crate::{
    error::AppError,
    format,
    i18n::{t, use_i18n},
    rpc::files::UPLOAD_URL,
};

#[derive(Clone)]
struct Upload {
    key: usize,
    name: String,
    size: u64,
    /// Percent sent.
    progress: RwSignal<u32>,
    outcome: RwSignal<Option<Result<(), AppError>>>,
}

#[component]
pub fn Uploader(
    /// Called after each file is stored.
    on_stored: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let uploads = RwSignal::new(Vec::<Upload>::new());
    let hydrated = RwSignal::new(false);
    let dragging = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    let start = move |files: Option<web_sys::FileList>| {
        let Some(files) = files else { return };
        for index in 0..files.length() {
            let Some(file) = files.get(index) else { continue };
            let upload = Upload {
                key: uploads.with_untracked(Vec::len),
                name: file.name(),
                size: file.size() as u64,
                progress: RwSignal::new(0),
                outcome: RwSignal::new(None),
            };
            uploads.update(|list| list.push(upload.clone()));
            send(file, upload, on_stored);
        }
    };
    let on_change = move |ev: ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        start(input.files());
        input.set_value("");
    };
    let on_drop = move |ev: ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        start(ev.data_transfer().and_then(|data| data.files()));
    };

    view! {
        <form class="uploader" method="post" action=UPLOAD_URL enctype="multipart/form-data"
            on:submit=move |ev| ev.prevent_default()>
            <label for="upload-input" class="dropzone" class:dropzone-active=move || dragging.get()
                on:dragover=move |ev: ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                <span class="dropzone-title">{t("files-upload-choose")}</span>
                <span class="muted">{t("files-upload-drop")}</span>
            </label>
            <input id="upload-input" class="visually-hidden-input" type="file" name="file" multiple=true
                on:change=on_change/>
            <button type="submit" class="button" hidden=move || hydrated.get()>{t("files-upload-submit")}</button>
        </form>
        <Show when=move || uploads.with(|u| !u.is_empty())>
            <ul class="upload-list" aria-label=t("files-upload-progress")>
                <For each=move || uploads.get() key=|u| u.key let:upload>
                    <li class="upload-item">
                        <span class="upload-name">{upload.name.clone()}</span>
                        <span class="muted">{format::size(i18n, upload.size)}</span>
                        <progress max="100" value=move || upload.progress.get()
                            aria-label=upload.name.clone()></progress>
                        <span class="upload-status" role="status">
                            {move || match upload.outcome.get() {
                                None => format!("{} %", upload.progress.get()),
                                Some(Ok(())) => i18n.t("files-upload-done"),
                                Some(Err(err)) => i18n.t_args(&err.message_key(), &err.message_args()),
                            }}
                        </span>
                    </li>
                </For>
            </ul>
        </Show>
    }
}

/// Sends one file with XMLHttpRequest: fetch() reports no upload progress.
fn send(file: web_sys::File, upload: Upload, on_stored: Callback<()>) {
    use wasm_bindgen::{JsCast, closure::Closure};

    let failed = |message: &str| Err(AppError::Request { message: message.to_owned() });
    let Ok(form) = web_sys::FormData::new() else { return upload.outcome.set(Some(failed("FormData"))) };
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else { return upload.outcome.set(Some(failed("XHR"))) };
    if form.append_with_blob_and_filename("file", &file, &file.name()).is_err()
        || xhr.open("POST", UPLOAD_URL).is_err()
        || xhr.set_request_header("Accept", "application/json").is_err()
    {
        return upload.outcome.set(Some(failed("request")));
    }

    let progress = upload.progress;
    let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |ev: web_sys::ProgressEvent| {
        if ev.length_computable() && ev.total() > 0.0 {
            progress.set((ev.loaded() / ev.total() * 100.0).floor() as u32);
        }
    });
    if let Ok(target) = xhr.upload() {
        target.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }

    let outcome = upload.outcome;
    let answered = xhr.clone();
    let on_load = Closure::<dyn FnMut()>::new(move || {
        let status = answered.status().unwrap_or(0);
        let body = answered.response_text().ok().flatten().unwrap_or_default();
        if status == 201 {
            progress.set(100);
            outcome.set(Some(Ok(())));
            on_stored.run(());
        } else {
            let err = serde_json::from_str::<AppError>(&body).unwrap_or(AppError::Request { message: body });
            outcome.set(Some(Err(err)));
        }
    });
    let on_error = Closure::<dyn FnMut()>::new(move || {
        outcome.set(Some(Err(AppError::Request { message: "network".into() })));
    });
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    if xhr.send_with_opt_form_data(Some(&form)).is_err() {
        outcome.set(Some(failed("send")));
    }
    // The request owns its handlers from here on; they live as long as the page (a few bytes each).
    on_progress.forget();
    on_load.forget();
    on_error.forget();
}
