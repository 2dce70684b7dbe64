//! sea-orm entities: plain data. Queries and rules live in the services.

pub mod file;
pub mod file_share;
pub mod notification;
pub mod session;
pub mod user;
