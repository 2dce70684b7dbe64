//! Integration tests: the real application on a random port, against a real database created for
//! each test (a temp SQLite file, or a fresh PostgreSQL database at TEST_DATABASE_URL).

mod accounts;
mod admin_console;
mod assistant;
mod attacks;
mod audit;
mod authz_matrix;
mod backup;
mod chaos;
mod cli;
mod csrf;
mod deletion;
mod errors;
mod exports;
mod files;
mod hardening;
mod helpers;
mod lifecycle;
mod live;
mod mail;
mod memory;
mod migrations;
mod oidc;
mod openapi;
mod outage;
mod pages;
mod platform;
mod process;
mod rate_limit;
mod rest;
mod rest_isolation;
mod telemetry;
mod throttle;
mod tokens_page;
mod two_factor;
mod uploads;

/// Runs each listed test once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            )*
        }
    };
}
