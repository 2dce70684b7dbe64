//! sea-orm entities: plain data. Queries and rules live in the services.

pub mod account_token;
pub mod api_token;
pub mod assistant_usage;
pub mod audit_event;
pub mod audit_head;
pub mod conversation;
pub mod file;
pub mod file_share;
pub mod idempotency_key;
pub mod mail_outbox;
pub mod message;
pub mod notification;
pub mod notification_preference;
pub mod oidc_login;
pub mod passage;
pub mod passkey;
pub mod recovery_code;
pub mod session;
pub mod sign_in_challenge;
pub mod two_factor;
pub mod user;
pub mod user_identity;
pub mod webauthn_challenge;
