//! The one error table: every domain error, with the status, code and `Retry-After` each door
//! answers it with. The server functions, the byte doors and the REST API all take these from
//! `domain::error::Class`; this test catches a door that decides on its own.

use std::time::Duration;

use app::error::AppError;
use axum::{http::header, response::IntoResponse};
use domain::{
    Error,
    error::{Field, Problem},
};
use server::api::error::ApiError;

/// One row: the error, then its status and `Retry-After` (the same at every door), and its
/// REST code.
fn table() -> Vec<(Error, u16, Option<&'static str>, &'static str)> {
    let db_down = || sea_orm::DbErr::Conn(sea_orm::RuntimeErr::Internal("connection refused".into()));
    vec![
        (Error::invalid(Field::Email, Problem::Malformed), 422, None, "validation_failed"),
        (Error::WrongPassword, 422, None, "validation_failed"),
        (Error::EmailTaken, 409, None, "email_taken"),
        (Error::InvalidCredentials, 401, None, "invalid_credentials"),
        (Error::Unauthenticated, 401, None, "unauthenticated"),
        (Error::Forbidden, 403, None, "forbidden"),
        (Error::NotFound, 404, None, "not_found"),
        (Error::StaleVersion, 412, None, "precondition_failed"),
        // Rounded up, never zero: a retry on the dot must not find the lock still on.
        (Error::TooManyAttempts { retry_after: Duration::from_millis(1500) }, 429, Some("2"), "too_many_attempts"),
        (Error::TooManyAttempts { retry_after: Duration::from_millis(200) }, 429, Some("1"), "too_many_attempts"),
        (Error::TooManyAttempts { retry_after: Duration::from_secs(60) }, 429, Some("60"), "too_many_attempts"),
        (Error::from(db_down()), 503, Some("2"), "unavailable"),
        (Error::Unexpected(anyhow::anyhow!("a bug")), 500, None, "internal"),
    ]
}

fn retry_after(response: &axum::response::Response) -> Option<&str> {
    response.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok())
}

#[test]
fn every_door_answers_every_error_as_the_table_says() {
    let mut wrong = Vec::new();
    for (row, (err, status, retry, code)) in table().into_iter().enumerate() {
        let name = format!("{err:?}");
        let class = err.class();
        if class.status() != status || class.retry_after().map(|s| s.to_string()).as_deref() != retry {
            wrong.push(format!("{name}: the table says {} / {:?}", class.status(), class.retry_after()));
        }
        if err.code() != code {
            wrong.push(format!("{name}: code {} instead of {code}", err.code()));
        }

        // The server functions (and the byte doors, which answer like them).
        let rpc = AppError::from(err);
        if rpc.status() != status {
            wrong.push(format!("{name}: server functions answer {} instead of {status}", rpc.status()));
        }
        let bytes = server::byte_doors::rpc_error(rpc);
        if bytes.status().as_u16() != status || retry_after(&bytes) != retry {
            wrong.push(format!(
                "{name}: byte doors answer {} with Retry-After {:?}",
                bytes.status(),
                retry_after(&bytes)
            ));
        }

        // The REST API, from a fresh copy of the same row.
        let (err, ..) = table().swap_remove(row);
        let rest = ApiError::from(err);
        if rest.code != code {
            wrong.push(format!("{name}: REST code {} instead of {code}", rest.code));
        }
        let rest = rest.into_response();
        if rest.status().as_u16() != status || retry_after(&rest) != retry {
            wrong.push(format!("{name}: REST answers {} with Retry-After {:?}", rest.status(), retry_after(&rest)));
        }
    }
    assert!(wrong.is_empty(), "doors disagree with the table:\n{}", wrong.join("\n"));
}

/// Statuses the browser shows (`AppError::status`, compiled for wasm without the domain) for the
/// server functions' own errors, which have no domain counterpart.
#[test]
fn errors_of_the_server_functions_alone_have_their_status() {
    assert_eq!(AppError::FileRejected { name: "a.pdf".into(), problem: "too_large".into() }.status(), 422);
    assert_eq!(AppError::Request { message: "missing field".into() }.status(), 400);
    assert_eq!(AppError::Request { message: "missing field".into() }.retry_after(), None);
}
