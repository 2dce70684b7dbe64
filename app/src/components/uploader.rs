//! Uploads with a progress bar per file. Without JavaScript it is a plain multipart form; once
//! hydrated, files chosen or dropped start at once, each in its own request, so each has its own
//! progress and its own outcome. Large files are resumable (tus, through `public/uploads.js`):
//! they can be paused and resumed, survive a dropped connection, and after a reload pick up where
//! they stopped when chosen again.

use leptos::{ev, prelude::*};
use wasm_bindgen::{JsValue, prelude::wasm_bindgen};

use crate::{
    error::AppError,
    format,
    i18n::{t, use_i18n},
    rpc::files::UPLOAD_URL,
};

/// Files from this size on are sent resumably; smaller ones in one request.
const RESUMABLE_FROM: u64 = 8 << 20;

#[derive(Clone)]
struct Upload {
    key: usize,
    name: String,
    size: u64,
    /// Percent sent.
    progress: RwSignal<u32>,
    outcome: RwSignal<Option<Result<(), AppError>>>,
    /// Paused by the user (resumable uploads only).
    paused: RwSignal<bool>,
    /// Picked up from an earlier attempt (a reload, another tab).
    resumed: RwSignal<bool>,
    /// The resumable upload's handle in JavaScript; `None` for a single-request upload.
    control: StoredValue<Option<ResumableUpload>, LocalStorage>,
}

#[wasm_bindgen]
extern "C" {
    /// What `smartaiResumable.start` returns (`public/uploads.js`).
    #[derive(Clone)]
    type ResumableUpload;

    #[wasm_bindgen(catch, js_namespace = smartaiResumable, js_name = start)]
    fn start_resumable(
        file: &web_sys::File,
        progress: &JsValue,
        resumed: &JsValue,
        done: &JsValue,
        failed: &JsValue,
    ) -> Result<ResumableUpload, JsValue>;

    #[wasm_bindgen(method)]
    fn pause(this: &ResumableUpload);

    #[wasm_bindgen(method)]
    fn resume(this: &ResumableUpload);
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
                paused: RwSignal::new(false),
                resumed: RwSignal::new(false),
                control: StoredValue::new_local(None),
            };
            uploads.update(|list| list.push(upload.clone()));
            if upload.size >= RESUMABLE_FROM {
                send_resumable(file, upload, on_stored);
            } else {
                send(file, upload, on_stored);
            }
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
                                None if upload.paused.get() => i18n.t_args("files-upload-paused", &[("percent", upload.progress.get().to_string())]),
                                None if upload.resumed.get() => i18n.t_args("files-upload-resumed", &[("percent", upload.progress.get().to_string())]),
                                None => format!("{} %", upload.progress.get()),
                                Some(Ok(())) => i18n.t("files-upload-done"),
                                Some(Err(err)) => i18n.t_args(&err.message_key(), &err.message_args()),
                            }}
                        </span>
                        <Show when=move || upload.control.with_value(Option::is_some) && upload.outcome.with(Option::is_none)>
                            <button type="button" class="button button-ghost"
                                aria-label={
                                    let name = upload.name.clone();
                                    move || {
                                        let key = if upload.paused.get() { "files-upload-resume-label" } else { "files-upload-pause-label" };
                                        i18n.t_args(key, &[("name", name.clone())])
                                    }
                                }
                                on:click=move |_| {
                                    let paused = !upload.paused.get_untracked();
                                    upload.control.with_value(|control| if let Some(control) = control {
                                        if paused { control.pause() } else { control.resume() }
                                    });
                                    upload.paused.set(paused);
                                }>
                                {move || if upload.paused.get() { t("files-upload-resume") } else { t("files-upload-pause") }}
                            </button>
                        </Show>
                    </li>
                </For>
            </ul>
        </Show>
    }
}

/// Sends one large file resumably, through `public/uploads.js` (tus-js-client).
fn send_resumable(file: web_sys::File, upload: Upload, on_stored: Callback<()>) {
    use wasm_bindgen::closure::Closure;

    let progress = upload.progress;
    let on_progress = Closure::<dyn FnMut(f64, f64)>::new(move |sent: f64, total: f64| {
        if total > 0.0 {
            progress.set((sent / total * 100.0).floor() as u32);
        }
    });
    let resumed = upload.resumed;
    let on_resumed = Closure::<dyn FnMut()>::new(move || resumed.set(true));
    let outcome = upload.outcome;
    let on_done = Closure::<dyn FnMut()>::new(move || {
        progress.set(100);
        outcome.set(Some(Ok(())));
        on_stored.run(());
    });
    let name = upload.name.clone();
    let on_failed = Closure::<dyn FnMut(String)>::new(move |body: String| {
        outcome.set(Some(Err(refusal(&name, &body))));
    });
    match start_resumable(&file, on_progress.as_ref(), on_resumed.as_ref(), on_done.as_ref(), on_failed.as_ref()) {
        Ok(control) => upload.control.set_value(Some(control)),
        Err(_) => outcome.set(Some(Err(AppError::Request { message: "uploads.js".into() }))),
    }
    // The upload owns its handlers from here on; they live as long as the page (a few bytes each).
    on_progress.forget();
    on_resumed.forget();
    on_done.forget();
    on_failed.forget();
}

/// The REST API's refusal of an upload (`{"error": {"code", "fields"}}`), in the page's words.
fn refusal(name: &str, body: &str) -> AppError {
    #[derive(serde::Deserialize)]
    struct Body {
        error: Detail,
    }
    #[derive(serde::Deserialize)]
    struct Detail {
        code: String,
        message: String,
        #[serde(default)]
        fields: std::collections::BTreeMap<String, String>,
    }
    let Ok(Body { error }) = serde_json::from_str::<Body>(body) else {
        return AppError::Request { message: "network".into() };
    };
    let problem = match error.code.as_str() {
        "over_quota" => "over_quota".to_owned(),
        "file_too_large" => "too_large".to_owned(),
        _ => match error.fields.get("file") {
            Some(problem) => problem.clone(),
            None => return AppError::Request { message: error.message },
        },
    };
    AppError::FileRejected { name: name.to_owned(), problem }
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
