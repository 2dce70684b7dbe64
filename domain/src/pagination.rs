//! Keyset pagination: newest first, each page starting after the last id the client saw. Ids are
//! UUIDv7, so their order is their creation order, and a row added or removed while a client pages
//! neither repeats nor skips another one (as page numbers would).

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Where the next page starts; none on the last page.
    pub next: Option<Uuid>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
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
    Ok(Page { items, next })
}
