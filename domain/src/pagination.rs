//! Pagination. Keyset (a cursor): newest first, each page starting after the last id the client
//! saw. Ids are UUIDv7, so their order is their creation order, and a row added or removed while a
//! client pages neither repeats nor skips another one (as page numbers would). Offset (numbered
//! pages, counted): for a listing a person pages through in an order they chose, with links to
//! page 1 to N.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use uuid::Uuid;

use crate::Result;

/// The most items one page holds.
pub const MAX_LIMIT: u64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// The last id of the previous page; none for the first page.
    pub after: Option<Uuid>,
    pub limit: u64,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { after: None, limit: 20 }
    }
}

/// Which page of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// The page after a cursor, newest first (what the REST API hands out).
    Cursor(PageRequest),
    /// Page `page` (counted from 1) of `per_page` items (at most [`MAX_LIMIT`]), with the total.
    Offset { page: u64, per_page: u64 },
}

impl Default for Paging {
    fn default() -> Self {
        Self::Cursor(PageRequest::default())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Where the next page starts; none on the last page (and for numbered pages).
    pub next: Option<Uuid>,
    /// How many there are on all pages: numbered pages only (a cursor does not count).
    pub total: Option<Total>,
}

/// The size of a listing, for numbered pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Total {
    pub items: u64,
    pub pages: u64,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next, total: self.total }
    }
}

/// Runs `select` for one page, ordered by `id` descending. One row more than asked tells whether
/// another page follows.
pub(crate) async fn fetch<E, C>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id: C,
    request: PageRequest,
    id_of: impl Fn(&E::Model) -> Uuid,
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    let limit = request.limit.clamp(1, MAX_LIMIT);
    let select = match request.after {
        Some(after) => select.filter(id.lt(after)),
        None => select,
    };
    let mut items = select.order_by_desc(id).limit(limit + 1).all(db).await?;
    let more = items.len() as u64 > limit;
    items.truncate(limit as usize);
    let next = if more { items.last().map(&id_of) } else { None };
    Ok(Page { items, next, total: None })
}

/// Runs `select`, already in the order the listing shows (ties broken, so that pages neither
/// repeat nor skip a row), for numbered page `page` of `per_page`, counted.
pub(crate) async fn fetch_numbered<E>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    page: u64,
    per_page: u64,
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
{
    let paginator = select.paginate(db, per_page.clamp(1, MAX_LIMIT));
    let counts = paginator.num_items_and_pages().await?;
    let items = paginator.fetch_page(page.max(1) - 1).await?;
    Ok(Page { items, next: None, total: Some(Total { items: counts.number_of_items, pages: counts.number_of_pages }) })
}
