//! sea-orm entities: plain data. Queries and rules live in the services.

pub mod account_token;
pub mod api_token;
pub mod audit_event;
pub mod audit_head;
pub mod auth_throttle;
pub mod file;
pub mod file_share;
pub mod idempotency_key;
pub mod job;
pub mod job_outbox;
pub mod job_tick;
pub mod mail_outbox;
pub mod notification;
pub mod notification_preference;
pub mod oidc_login;
pub mod passkey;
pub mod recovery_code;
pub mod session;
pub mod sign_in_challenge;
pub mod two_factor;
pub mod user;
pub mod user_identity;
pub mod webauthn_challenge;
