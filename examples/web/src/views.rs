//! Server-rendered pages (maud): one module per area, sharing `layout`.

pub mod account;
pub mod auth;
pub mod enrol;
pub mod layout;
pub mod outbox;
pub mod support;
