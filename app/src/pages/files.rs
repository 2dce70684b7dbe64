//! The documents page: upload, search, sort, page through, rename, download and delete.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::{Form, Redirect},
    hooks::use_query_map,
};

use super::{error::ErrorPage, url_error, urlencode};
use crate::{
    components::{date_time::DateTime, loading::loading, uploader::Uploader},
    dto::{FileDto, FilePageDto},
    error::AppError,
    format,
    i18n::{t, use_i18n},
    rpc::files::{DeleteFile, RenameFile, list_files},
};

/// Bumped after anything changes the list, so it loads again.
#[derive(Clone, Copy)]
struct Changed(RwSignal<u32>);

/// The list as the URL asks for it; what is left out takes the server's default.
#[derive(Clone, PartialEq)]
struct ListParams {
    search: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: u64,
}

impl ListParams {
    /// The URL of this list with `change` applied.
    fn href(&self, change: impl FnOnce(&mut Self)) -> String {
        let mut next = self.clone();
        change(&mut next);
        let mut query = Vec::new();
        if let Some(sort) = &next.sort {
            query.push(format!("sort={sort}"));
        }
        if let Some(dir) = &next.dir {
            query.push(format!("dir={dir}"));
        }
        if let Some(search) = next.search.as_deref().filter(|s| !s.is_empty()) {
            query.push(format!("q={}", urlencode(search)));
        }
        if next.page > 1 {
            query.push(format!("page={}", next.page));
        }
        if query.is_empty() { "/files".into() } else { format!("/files?{}", query.join("&")) }
    }
}

#[component]
pub fn FilesPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let q = query.get();
        ListParams {
            search: q.get("q").filter(|s| !s.trim().is_empty()),
            sort: q.get("sort").filter(|s| ["name", "type", "size", "uploaded"].contains(&s.as_str())),
            dir: q.get("dir").filter(|d| d == "asc" || d == "desc"),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1),
        }
    });
    let changed = Changed(RwSignal::new(0));
    provide_context(changed);
    let data = Resource::new(
        move || (params.get(), changed.0.get()),
        |(p, _)| list_files(p.search, p.sort, p.dir, Some(p.page)),
    );
    let on_stored = Callback::new(move |()| changed.0.update(|v| *v += 1));
    // The uploader stays outside the part that reloads, so the progress of the other files
    // survives the list refreshing after each one.
    view! {
        <Title text=t("files-title")/>
        <div class="page-heading">
            <h1>{t("files-title")}</h1>
            <p class="muted">{t("files-lead")}</p>
        </div>
        <Notices/>
        <section class="card" aria-labelledby="upload-heading">
            <h2 id="upload-heading">{t("files-upload-heading")}</h2>
            <Uploader on_stored/>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    data.await.ok().map(|page| view! { <Usage used=page.used quota=page.quota max_size=page.max_size/> })
                })}
            </Transition>
        </section>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <Files page params=params.get_untracked()/> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <Redirect path="/signin"/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Usage(used: u64, quota: u64, max_size: u64) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="muted usage">
            <meter min="0" max=quota value=used aria-hidden="true"></meter>
            {move || i18n.t_args("files-usage", &[
                ("used", format::size(i18n, used)),
                ("quota", format::size(i18n, quota)),
                ("max", format::size(i18n, max_size)),
            ])}
        </p>
    }
}

/// What the last plain form post reported (no JavaScript): uploaded, deleted, or an error.
#[component]
fn Notices() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map().get_untracked();
    let uploaded = query.get("uploaded");
    let deleted = query.get("deleted").is_some();
    let error = url_error();
    view! {
        {uploaded.map(|n| view! {
            <p class="alert alert-success" role="status">{move || i18n.t_args("files-uploaded", &[("count", n.clone())])}</p>
        })}
        {deleted.then(|| view! { <p class="alert alert-success" role="status">{t("files-deleted")}</p> })}
        {error.map(|err| view! {
            <p class="alert alert-error" role="alert">{move || i18n.t_args(&err.message_key(), &err.message_args())}</p>
        })}
    }
}

#[component]
fn Files(page: FilePageDto, params: ListParams) -> impl IntoView {
    let search = params.search.clone().unwrap_or_default();
    let dir_input = params.dir.clone().map(|dir| view! { <input type="hidden" name="dir" value=dir/> });
    let sort_input = params.sort.clone().map(|sort| view! { <input type="hidden" name="sort" value=sort/> });
    let empty_key = if params.search.is_some() { "files-none-match" } else { "files-none" };
    view! {
        <section class="card" aria-labelledby="list-heading">
            <div class="list-toolbar">
                <h2 id="list-heading">{t("files-list-heading")}</h2>
                <Form method="GET" action="/files" attr:role="search" attr:class="search-form">
                    {sort_input}
                    {dir_input}
                    <label for="file-search" class="visually-hidden">{t("files-search-label")}</label>
                    <input id="file-search" type="search" name="q" value=search placeholder=t("files-search-label")/>
                    <button type="submit" class="button button-ghost">{t("files-search-submit")}</button>
                </Form>
            </div>
            {if page.items.is_empty() {
                view! { <p class="muted empty">{t(empty_key)}</p> }.into_any()
            } else {
                let (sort, descending) = (page.sort.clone(), page.descending);
                view! { <FileTable items=page.items.clone() sort descending params=params.clone()/> }.into_any()
            }}
            <Pager page=page.page pages=page.pages total=page.total params/>
        </section>
    }
}

/// `sort` and `descending`: the order the server listed the items in.
#[component]
fn FileTable(items: Vec<FileDto>, sort: String, descending: bool, params: ListParams) -> impl IntoView {
    let header = |key: &'static str, label: &'static str| {
        let active = sort == key;
        let href = params.href(|p| {
            p.dir = Some(if active && !descending { "desc" } else { "asc" }.into());
            p.sort = Some(key.into());
            p.page = 1;
        });
        let aria_sort = active.then_some(if descending { "descending" } else { "ascending" });
        let arrow = active.then_some(if descending { " ↓" } else { " ↑" });
        view! {
            <th scope="col" aria-sort=aria_sort>
                <a href=href>{t(label)}{arrow}</a>
            </th>
        }
    };
    view! {
        <div class="table-scroll">
            <table class="file-table">
                <caption class="visually-hidden">{t("files-list-heading")}</caption>
                <thead>
                    <tr>
                        {header("name", "files-col-name")}
                        {header("type", "files-col-type")}
                        {header("size", "files-col-size")}
                        {header("uploaded", "files-col-uploaded")}
                        <th scope="col"><span class="visually-hidden">{t("files-col-actions")}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {items.into_iter().map(|file| view! { <FileRow file/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn FileRow(file: FileDto) -> impl IntoView {
    let i18n = use_i18n();
    let changed = expect_context::<Changed>();
    let rename = ServerAction::<RenameFile>::new();
    let delete = ServerAction::<DeleteFile>::new();
    Effect::new(move |_| {
        if matches!(rename.value().get(), Some(Ok(_))) || matches!(delete.value().get(), Some(Ok(()))) {
            changed.0.update(|v| *v += 1);
        }
    });
    let rename_error = move || match rename.value().get() {
        Some(Err(err)) => Some(i18n.t_args(&err.message_key(), &err.message_args())),
        _ => None,
    };
    let rename_id = format!("rename-{}", file.id);
    let (id, name) = (file.id.clone(), file.name.clone());
    let (rename_form_id, delete_form_id, rename_value) = (id.clone(), id.clone(), name.clone());
    let confirm_name = name.clone();
    view! {
        <tr>
            <td class="file-name"><a href=format!("/files/{id}")>{name.clone()}</a></td>
            <td>{format::file_type(i18n, &file.content_type)}</td>
            <td class="numeric">{format::size(i18n, file.size)}</td>
            <td><DateTime at=file.uploaded_at.clone()/></td>
            <td class="row-actions">
                <a class="button button-ghost" href=file.content_url(true) download=name.clone()>
                    {t("files-download")}<span class="visually-hidden">" " {name.clone()}</span>
                </a>
                <details class="inline-dialog">
                    <summary class="button button-ghost">
                        {t("files-rename")}<span class="visually-hidden">" " {name.clone()}</span>
                    </summary>
                    <ActionForm action=rename>
                        <input type="hidden" name="id" value=rename_form_id.clone()/>
                        <label for=rename_id.clone()>{t("files-new-name")}</label>
                        <input id=rename_id.clone() name="name" value=rename_value.clone() required=true maxlength="255"/>
                        <p class="field-error" aria-live="polite">{rename_error}</p>
                        <button type="submit" class="button">{t("files-rename-submit")}</button>
                    </ActionForm>
                </details>
                <details class="inline-dialog">
                    <summary class="button button-ghost danger">
                        {t("files-delete")}<span class="visually-hidden">" " {name.clone()}</span>
                    </summary>
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=delete_form_id.clone()/>
                        <p>{
                            let name = confirm_name.clone();
                            move || i18n.t_args("files-delete-confirm", &[("name", name.clone())])
                        }</p>
                        <button type="submit" class="button button-danger">{t("files-delete-submit")}</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}

#[component]
fn Pager(page: u64, pages: u64, total: u64, params: ListParams) -> impl IntoView {
    let i18n = use_i18n();
    let previous = (page > 1).then(|| params.href(|p| p.page = page - 1));
    let next = (page < pages).then(|| params.href(|p| p.page = page + 1));
    let pages = pages.max(1);
    view! {
        <nav class="pager" aria-label=t("files-pages")>
            <span class="muted">
                {move || i18n.t_args("files-page-of", &[
                    ("page", page.to_string()), ("pages", pages.to_string()), ("total", total.to_string()),
                ])}
            </span>
            {previous.map(|href| view! { <a class="button button-ghost" rel="prev" href=href>{t("files-previous")}</a> })}
            {next.map(|href| view! { <a class="button button-ghost" rel="next" href=href>{t("files-next")}</a> })}
        </nav>
    }
}
