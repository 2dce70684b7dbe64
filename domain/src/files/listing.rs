//! Listing a user's files: a page searched and sorted for the UI, and the REST API's pages.

use sea_orm::{
    ColumnTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, Func, LikeExpr},
};

use super::{FileInfo, FileService};
use crate::{
    Actor, Result,
    entities::file,
    pagination::{self, Page, PageRequest},
};

/// What a page of the file list asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Part of the name, any case.
    pub search: Option<String>,
    pub sort: SortBy,
    pub descending: bool,
    /// Counted from 1.
    pub page: u64,
    pub per_page: u64,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self { search: None, sort: SortBy::Uploaded, descending: true, page: 1, per_page: 20 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Name,
    Type,
    Size,
    Uploaded,
}

impl SortBy {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "name" => Self::Name,
            "type" => Self::Type,
            "size" => Self::Size,
            "uploaded" => Self::Uploaded,
            _ => return None,
        })
    }
}

/// One page of a user's files, with what the page needs to show about their storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePage {
    pub items: Vec<FileInfo>,
    /// Files matching the search, on all pages.
    pub total: u64,
    pub pages: u64,
    pub used: u64,
    pub quota: u64,
    pub max_size: u64,
}

impl FileService {
    /// One page of the user's files, searched and sorted.
    pub async fn list(&self, actor: &Actor, query: &ListQuery) -> Result<FilePage> {
        let owner = actor.user_id()?;
        let mut select = file::Entity::find().filter(file::Column::OwnerId.eq(owner));
        if let Some(search) = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            select = select.filter(name_contains(search));
        }
        let order = if query.descending { Order::Desc } else { Order::Asc };
        select = match query.sort {
            SortBy::Name => select.order_by(Expr::expr(Func::lower(Expr::col(file::Column::Name))), order.clone()),
            SortBy::Type => select.order_by(file::Column::ContentType, order.clone()),
            SortBy::Size => select.order_by(file::Column::Size, order.clone()),
            SortBy::Uploaded => select.order_by(file::Column::CreatedAt, order.clone()),
        };
        // Ties (same size, same type) keep one stable order across pages.
        let paginator = select.order_by(file::Column::Id, order).paginate(&self.db, query.per_page.clamp(1, 100));
        let counts = paginator.num_items_and_pages().await?;
        let items = paginator.fetch_page(query.page.max(1) - 1).await?;
        Ok(FilePage {
            items: items.into_iter().map(FileInfo::from).collect(),
            total: counts.number_of_items,
            pages: counts.number_of_pages,
            used: self.usage(actor).await?,
            quota: self.quota,
            max_size: self.max_size,
        })
    }

    /// One page of the user's files, newest first, optionally only those whose name contains
    /// `search` (the REST API's listing).
    pub async fn page(&self, actor: &Actor, search: Option<&str>, request: PageRequest) -> Result<Page<FileInfo>> {
        let owner = actor.user_id()?;
        let mut select = file::Entity::find().filter(file::Column::OwnerId.eq(owner));
        if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
            select = select.filter(name_contains(search));
        }
        let page = pagination::fetch(&self.db, select, file::Column::Id, request, |f| f.id).await?;
        Ok(page.map(FileInfo::from))
    }
}

/// Names containing `search`, case-insensitively, with LIKE's wildcards taken literally.
fn name_contains(search: &str) -> sea_orm::sea_query::SimpleExpr {
    let escaped = search.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Expr::expr(Func::lower(Expr::col(file::Column::Name))).like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}
