//! `/admin/audit`: the audit log, for administrators: its events filtered by account, event and
//! time, a page at a time, and the hash chain's verification.

use axum::extract::State;
use domain::{
    Services,
    audit::{AuditEntry, AuditQuery, Report},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    error::{ApiError, ErrorBody},
    extract::{Admin, Caller, Page, Query},
};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_events)).routes(routes!(verification))
}

/// `?email=&event=&since=&until=&limit=&cursor=`: every part left out lists more.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditSearch {
    /// Only events about the account with this e-mail address.
    pub email: Option<String>,
    /// Only events of this code (`sign_in`, `role_changed`, …).
    pub event: Option<String>,
    /// Only events at or after this instant (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<OffsetDateTime>,
    /// Only events before this instant (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub until: Option<OffsetDateTime>,
    /// Events per page, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One event of the audit log.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEventBody {
    /// Its number in the chain.
    pub seq: i64,
    /// `sign_in`, `role_changed`, … (new codes may be added).
    pub event: String,
    /// The account it is about.
    pub user_id: Option<Uuid>,
    /// Who caused it, when not the account itself.
    pub actor_id: Option<Uuid>,
    pub details: serde_json::Value,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<AuditEntry> for AuditEventBody {
    fn from(e: AuditEntry) -> Self {
        Self {
            seq: e.seq,
            event: e.event,
            user_id: e.user_id,
            actor_id: e.actor_id,
            details: e.details,
            ip: e.ip,
            user_agent: e.user_agent,
            request_id: e.request_id,
            created_at: e.created_at,
        }
    }
}

/// The events asked for, newest first.
#[utoipa::path(get, path = "/admin/audit", tag = "admin", params(AuditSearch),
    responses(
        (status = 200, body = Page<AuditEventBody>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn list_events(
    State(services): State<Services>,
    caller: Caller<Admin>,
    Query(search): Query<AuditSearch>,
) -> Result<axum::Json<Page<AuditEventBody>>, ApiError> {
    let limit = search.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("limit", "out_of_range"));
    }
    let before = match search.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(cursor) => Some(cursor.parse::<i64>().map_err(|_| ApiError::invalid("cursor", "malformed"))?),
        None => None,
    };
    let query = AuditQuery {
        email: search.email.as_deref(),
        event: search.event.as_deref(),
        since: search.since,
        until: search.until,
        before,
        limit,
    };
    let page = services.audit.search(&caller.actor, &query).await?;
    Ok(axum::Json(Page {
        items: page.items.into_iter().map(AuditEventBody::from).collect(),
        next_cursor: page.next.map(|seq| seq.to_string()),
    }))
}

/// Where the chain breaks first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BreakBody {
    pub seq: i64,
    /// The event's code, when its row is there.
    pub event: Option<String>,
    /// `edited`, `missing`, `unlinked`, `not_in_head`, `head_missing`, `unkeyed`, `falsely_erased`.
    pub problem: String,
    /// The same in words.
    pub message: String,
}

/// What walking the whole chain found.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VerificationBody {
    /// No event edited, removed, moved or added outside the log.
    pub intact: bool,
    /// Events read.
    pub events: u64,
    /// The newest event's number and hash.
    pub head_seq: i64,
    pub head_hash: String,
    /// Events whose personal data an account's erasure blanked (their chain still verifies).
    pub pseudonymised: u64,
    /// Events up to this number were removed by the retention; the chain starts after it.
    pub pruned_through: Option<i64>,
    pub broken: Option<BreakBody>,
}

impl From<Report> for VerificationBody {
    fn from(r: Report) -> Self {
        Self {
            intact: r.broken.is_none(),
            events: r.events,
            head_seq: r.head_seq,
            head_hash: r.head_hash,
            pseudonymised: r.pseudonymised,
            pruned_through: r.pruned.map(|anchor| anchor.through),
            broken: r.broken.map(|b| BreakBody {
                seq: b.seq,
                message: b.to_string(),
                event: b.event,
                problem: b.problem.code().to_owned(),
            }),
        }
    }
}

/// Walks the whole chain and reports the first break, if any.
#[utoipa::path(get, path = "/admin/audit/verification", tag = "admin",
    responses((status = 200, body = VerificationBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["admin"]), ("session" = [])))]
async fn verification(
    State(services): State<Services>,
    caller: Caller<Admin>,
) -> Result<axum::Json<VerificationBody>, ApiError> {
    Ok(axum::Json(services.audit.verify(&caller.actor).await?.into()))
}
