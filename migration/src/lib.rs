//! The schema, as an ordered list of migrations that run on SQLite and PostgreSQL alike.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_accounts;
mod m20261125_000002_files;
mod m20261126_000003_shares_and_avatars;
mod m20261126_000004_jobs;
mod m20261126_000005_notifications;
mod m20261126_000006_mail;
mod m20261126_000007_audit;
mod m20261126_000008_auth_throttle;
mod m20261126_000009_account_links;
mod m20261126_000010_oidc;
mod m20261126_000011_two_factor;
mod m20261126_000012_passkeys;
mod m20261126_000013_api;
mod m20261126_000014_assistant;
mod m20261126_000015_job_traceparent;
mod m20261204_000016_step_up_and_link_binding;
mod m20261205_000017_storage_usage;
mod m20261205_000018_sealed_secrets;
mod m20261205_000019_idempotency_lease;
mod m20261205_000020_resumable_uploads;
mod m20261206_000021_account_deletion;
mod m20261206_000022_upload_idempotency;
mod m20261206_000023_data_exports;
mod m20261206_000024_feature_flags;
mod m20261206_000025_suspension;
mod m20261207_000026_row_versions;
mod schema_parts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_accounts::Migration),
            Box::new(m20261125_000002_files::Migration),
            Box::new(m20261126_000003_shares_and_avatars::Migration),
            Box::new(m20261126_000004_jobs::Migration),
            Box::new(m20261126_000005_notifications::Migration),
            Box::new(m20261126_000006_mail::Migration),
            Box::new(m20261126_000007_audit::Migration),
            Box::new(m20261126_000008_auth_throttle::Migration),
            Box::new(m20261126_000009_account_links::Migration),
            Box::new(m20261126_000010_oidc::Migration),
            Box::new(m20261126_000011_two_factor::Migration),
            Box::new(m20261126_000012_passkeys::Migration),
            Box::new(m20261126_000013_api::Migration),
            Box::new(m20261126_000014_assistant::Migration),
            Box::new(m20261126_000015_job_traceparent::Migration),
            Box::new(m20261204_000016_step_up_and_link_binding::Migration),
            Box::new(m20261205_000017_storage_usage::Migration),
            Box::new(m20261205_000018_sealed_secrets::Migration),
            Box::new(m20261205_000019_idempotency_lease::Migration),
            Box::new(m20261205_000020_resumable_uploads::Migration),
            Box::new(m20261206_000021_account_deletion::Migration),
            Box::new(m20261206_000022_upload_idempotency::Migration),
            Box::new(m20261206_000023_data_exports::Migration),
            Box::new(m20261206_000024_feature_flags::Migration),
            Box::new(m20261206_000025_suspension::Migration),
            Box::new(m20261207_000026_row_versions::Migration),
        ]
    }
}
