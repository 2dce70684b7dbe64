//! Listing a user's files: searched, and either in numbered pages in the order the user chose
//! (the files page) or after a cursor, newest first (the REST API).

use sea_orm::{
    ColumnTrait, EntityTrait, Order, QueryFilter, QueryOrder,
    sea_query::{Expr, Func, LikeExpr},
};

use super::{FileInfo, FileService};
use crate::{
    Actor, Error, Result,
    entities::file,
    pagination::{self, Page, Paging},
};

/// Which of the user's files, in which order, which page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Part of the name, any case.
    pub search: Option<String>,
    /// The order; none for the default, newest first. Pages after a cursor are always newest
    /// first: a cursor with another order is a mistake of the caller's.
    pub sort: Option<SortBy>,
    /// None for the order's own direction (see [`SortBy::descending_by_default`]).
    pub descending: Option<bool>,
    pub paging: Paging,
}

impl Default for ListQuery {
    /// The first numbered page of 20, newest first.
    fn default() -> Self {
        Self { search: None, sort: None, descending: None, paging: Paging::Offset { page: 1, per_page: 20 } }
    }
}

impl ListQuery {
    /// The order the files come in: the one asked for, or the default.
    pub fn order(&self) -> (SortBy, bool) {
        let sort = self.sort.unwrap_or(SortBy::Uploaded);
        (sort, self.descending.unwrap_or(sort.descending_by_default()))
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

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Type => "type",
            Self::Size => "size",
            Self::Uploaded => "uploaded",
        }
    }

    /// The direction a list sorted this way takes unless asked otherwise: the newest and the
    /// largest first, names and types from A to Z.
    pub fn descending_by_default(self) -> bool {
        matches!(self, Self::Uploaded | Self::Size)
    }
}

impl FileService {
    /// The user's files, optionally only those whose name contains `query.search`: a numbered
    /// page in the order asked for, with the total, or the page after a cursor, newest first.
    pub async fn list(&self, actor: &Actor, query: &ListQuery) -> Result<Page<FileInfo>> {
        let owner = actor.user_id()?;
        let mut select = file::Entity::find().filter(file::Column::OwnerId.eq(owner));
        if let Some(search) = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            select = select.filter(name_contains(search));
        }
        let (sort, descending) = query.order();
        let page = match query.paging {
            Paging::Cursor(request) => {
                if (sort, descending) != (SortBy::Uploaded, true) {
                    return Err(Error::Unexpected(anyhow::anyhow!("pages after a cursor are newest first only")));
                }
                pagination::fetch(&self.db, select, file::Column::Id, request, |f| f.id).await?
            }
            Paging::Offset { page, per_page } => {
                let order = if descending { Order::Desc } else { Order::Asc };
                select = match sort {
                    SortBy::Name => {
                        select.order_by(Expr::expr(Func::lower(Expr::col(file::Column::Name))), order.clone())
                    }
                    SortBy::Type => select.order_by(file::Column::ContentType, order.clone()),
                    SortBy::Size => select.order_by(file::Column::Size, order.clone()),
                    SortBy::Uploaded => select.order_by(file::Column::CreatedAt, order.clone()),
                };
                // Ties (same size, same type) keep one stable order across pages.
                pagination::fetch_numbered(&self.db, select.order_by(file::Column::Id, order), page, per_page).await?
            }
        };
        Ok(page.map(FileInfo::from))
    }
}

/// Names containing `search`, case-insensitively, with LIKE's wildcards taken literally.
fn name_contains(search: &str) -> sea_orm::sea_query::SimpleExpr {
    let escaped = search.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Expr::expr(Func::lower(Expr::col(file::Column::Name))).like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}
