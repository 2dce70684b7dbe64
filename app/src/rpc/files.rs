//! `/rpc/files/*`: list, inspect, rename, delete and share files. The bytes themselves go through
//! the server's streaming doors (`POST /rpc/files/upload`, `GET /files/{id}/content`).

use leptos::{prelude::*, server_fn::codec::GetUrl};

use crate::{
    dto::{FileDetailsDto, FileDto, FilePageDto, NewShareDto},
    error::AppError,
};

/// Where the streaming upload door listens (a plain axum route, as server functions cannot
/// stream a request body).
pub const UPLOAD_URL: &str = "/rpc/files/upload";

/// Files listed per page.
pub const PER_PAGE: u64 = 20;

/// One page of the user's files. `sort` is name, type, size or uploaded; `dir` asc or desc;
/// either left out (or unknown) takes the default, which the answer names.
#[server(prefix = "/rpc", endpoint = "files/list", input = GetUrl)]
pub async fn list_files(
    search: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<u64>,
) -> Result<FilePageDto, AppError> {
    use domain::{
        files::{ListQuery, SortBy},
        pagination::Paging,
    };

    use crate::rpc::ssr::*;

    let (services, actor) = (services()?, actor());
    let descending = match dir.as_deref() {
        Some("asc") => Some(false),
        Some("desc") => Some(true),
        _ => None,
    };
    let page = page.unwrap_or(1).max(1);
    let query = ListQuery {
        search,
        sort: sort.as_deref().and_then(SortBy::parse),
        descending,
        paging: Paging::Offset { page, per_page: PER_PAGE },
    };
    let result = services.files.list(&actor, &query).await.map_err(fail)?;
    let total = result.total.unwrap_or_default();
    let (sort, descending) = query.order();
    Ok(FilePageDto {
        items: result.items.iter().map(FileDto::from).collect(),
        total: total.items,
        page,
        pages: total.pages,
        sort: sort.as_str().to_owned(),
        descending,
        used: services.files.usage(&actor).await.map_err(fail)?,
        quota: services.files.quota(),
        max_size: services.files.max_size(),
    })
}

/// Bytes of a text file shown in its preview.
#[cfg(feature = "ssr")]
const TEXT_PREVIEW_BYTES: u64 = 64 * 1024;

/// One file with its preview text and its share links.
#[server(prefix = "/rpc", endpoint = "files/details", input = GetUrl)]
pub async fn file_details(id: String) -> Result<FileDetailsDto, AppError> {
    use crate::{cookies::Flash, dto::ShareDto, rpc::ssr::*};

    let (services, actor) = (services()?, actor());
    let id = parse_id(&id)?;
    let download = services.files.download(&actor, id).await.map_err(fail)?;
    let text_preview = if download.info.content_type.starts_with("text/") {
        Some(download.text_start(TEXT_PREVIEW_BYTES).await.map_err(fail)?)
    } else {
        None
    };
    let shares = services.files.shares(&actor, id).await.map_err(fail)?;
    let fresh_share = take_flash(Flash::NewShare(id))
        .filter(|token| token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .map(|token| public_link(&format!("/s/{token}")))
        .transpose()?;
    Ok(FileDetailsDto {
        file: FileDto::from(&download.info),
        text_preview,
        shares: shares.iter().map(ShareDto::from).collect(),
        fresh_share,
    })
}

#[server(prefix = "/rpc", endpoint = "files/rename")]
pub async fn rename_file(id: String, name: String) -> Result<FileDto, AppError> {
    use crate::rpc::ssr::*;

    let info = services()?.files.rename(&actor(), parse_id(&id)?, &name, None).await.map_err(fail)?;
    redirect_form_post_back();
    Ok(FileDto::from(&info))
}

#[server(prefix = "/rpc", endpoint = "files/delete")]
pub async fn delete_file(id: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    services()?.files.delete(&actor(), parse_id(&id)?).await.map_err(fail)?;
    redirect_form_post("/files?deleted=1");
    Ok(())
}

/// How long a new share link may live, as offered in the UI.
pub const SHARE_LIFETIMES: [&str; 4] = ["1h", "1d", "7d", "30d"];

/// Makes a share link; its URL is in the answer and nowhere else.
#[server(prefix = "/rpc", endpoint = "files/share")]
pub async fn share_file(id: String, expires_in: String) -> Result<NewShareDto, AppError> {
    use domain::error::{Field, Problem};

    use crate::{cookies::Flash, dto::ShareDto, rpc::ssr::*};

    let lifetime = humantime::parse_duration(&expires_in)
        .map_err(|_| fail(domain::Error::invalid(Field::ExpiresIn, Problem::Malformed)))?;
    let id = parse_id(&id)?;
    let share = services()?.files.share(&actor(), id, lifetime).await.map_err(fail)?;
    let url = public_link(&format!("/s/{}", share.token))?;
    // The secret goes to the page in a cookie for that page alone, never in its URL (which
    // browsers keep in their history and send on as a Referer).
    if is_form_post() {
        set_flash(Flash::NewShare(id), &share.token);
        redirect_form_post(&format!("/files/{id}"));
    }
    Ok(NewShareDto { share: ShareDto::from(&share.info), url })
}

#[server(prefix = "/rpc", endpoint = "files/revoke_share")]
pub async fn revoke_share(id: String) -> Result<(), AppError> {
    use crate::rpc::ssr::*;

    services()?.files.revoke_share(&actor(), parse_id(&id)?).await.map_err(fail)?;
    redirect_form_post_back();
    Ok(())
}
